import pytest

from tests.benchmarks.generate import generate


@pytest.fixture(scope="session")
def big_story(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("gen") / "generated", scenes=2000)
