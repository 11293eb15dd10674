"""The story compiler, engine and playtester stay free of Textual and Rich,
and the JSON Schema (generated from the validator's own definitions) accepts
every bundled story file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT


def test_core_imports_neither_textual_nor_rich():
    code = ("import sys, game, game.story.compiler, game.engine.saves, game.engine.history, "
            "game.playtest.explore, game.playtest.replay, game.playtest.graph, game.playtest.cli, game.cli\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_import_linter_contracts_hold():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    if not lint_imports.exists():
        pytest.skip("import-linter not installed")
    out = subprocess.run([str(lint_imports)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Contracts: " in out.stdout and " broken" in out.stdout and "0 broken" in out.stdout


def _schema():
    out = subprocess.run([sys.executable, "-m", "game", "schema"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0
    return json.loads(out.stdout)


def _story_files():
    return sorted(p for p in (ROOT / "scenes").rglob("*.yaml") if "playthroughs" not in p.parts)


def test_schema_validates_bundled_story_files():
    jsonschema = pytest.importorskip("jsonschema")
    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = _story_files() + sorted((ROOT / "tests" / "data").glob("*/*.yaml"))
    assert files
    for f in files:
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        errors = list(validator.iter_errors(doc))
        assert not errors, f"{f}: {errors[0].message}"


def test_schema_rejects_what_lint_rejects():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(_schema())
    bad = [
        {"scenes": [{"id": "a", "text": "x", "goto": "b", "titel": "typo"}]},
        {"scenes": [{"id": "Bad-Id", "text": "x", "goto": "b"}]},
        {"codex": {"x": {"name": "n", "kind": "animal", "text": "t", "source": "s"}}},
        {"format": 1, "id": "x", "title": "t"},  # no start
    ]
    for doc in bad:
        assert list(validator.iter_errors(doc)), doc


def test_schema_is_generated_not_hand_kept():
    from game.story import schema as S
    generated = S.json_schema()
    assert generated == _schema()
    # Every key the validator knows is in the schema, and nothing else.
    scene = generated["anyOf"][1]["anyOf"][0]["properties"]["scenes"]["items"]
    assert set(scene["properties"]) == set(S.SCENE.fields)
