"""States per second of exhaustive exploration and playthroughs per second
of random play, on the generated story and on each bundled story."""

import time

import pytest

from game import check_story
from game.paths import bundled_story_dirs
from game.playtest.explore import exhaustive_playtest, random_playtest


def _report(name, story):
    t = time.perf_counter()
    rep = random_playtest(story, runs=200, seed=0)
    r_s = time.perf_counter() - t
    t = time.perf_counter()
    ex = exhaustive_playtest(story, max_states=300_000)
    e_s = time.perf_counter() - t
    print(f"\n{name}: random {rep.runs / r_s:,.0f} playthroughs/s; exhaustive {ex.states:,} states "
          f"in {e_s:.2f}s = {ex.states / e_s:,.0f} states/s{'' if ex.complete else ' (capped)'}")


def test_generated(big_story):
    story, _ = check_story(str(big_story))
    _report("generated 2,000 scenes", story)


@pytest.mark.parametrize("name", list(bundled_story_dirs()))
def test_bundled(name):
    story, problems = check_story(str(bundled_story_dirs()[name]))
    if story is None:
        pytest.skip(f"{name} does not load yet")
    _report(name, story)
