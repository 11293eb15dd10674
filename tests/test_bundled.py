"""The bundled campaigns: strict-clean, every ending reachable, no soft-lock,
no loop without exit, and every playthrough (with its blessed transcript)
passing."""

from __future__ import annotations

from pathlib import Path

import pytest

from game import check_story
from game.playtest.explore import exhaustive_playtest
from game.playtest.replay import bless_or_compare, expand_paths, run_playthrough
from tests.conftest import ROOT

# A folder with a manifest and no content yet is a story being started, not a story.
STORIES = sorted(p.parent for p in (ROOT / "scenes").glob("*/story.yaml")
                 if any(f.name != "story.yaml" for f in p.parent.glob("*.yaml")))
PLAYTHROUGHS = [Path(p) for s in STORIES for p in expand_paths([str(s)])]


@pytest.fixture(scope="module")
def loaded():
    cache = {}

    def get(folder: Path):
        if folder not in cache:
            cache[folder] = check_story(str(folder))
        return cache[folder]
    return get


@pytest.mark.parametrize("folder", STORIES, ids=lambda p: p.name)
def test_lint_strict_clean(folder, loaded):
    story, problems = loaded(folder)
    assert [str(p) for p in problems] == []
    assert story is not None


@pytest.mark.parametrize("folder", STORIES, ids=lambda p: p.name)
def test_exhaustive_playtest(folder, loaded):
    story, _ = loaded(folder)
    assert story is not None
    rep = exhaustive_playtest(story, max_states=3_000_000)
    assert rep.complete, f"{rep.states} states: exploration did not finish"
    assert [(f.scene, f.path) for f in rep.soft_locks] == []
    assert [(f.scene, f.path) for f in rep.no_exit] == []
    assert [(f.scene, f.message) for f in rep.errors] == []
    assert [e for e, n in rep.endings.items() if n == 0] == []
    assert sorted(set(story.scenes) - rep.reached) == []


@pytest.mark.parametrize("path", PLAYTHROUGHS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_playthrough_and_transcript(path):
    result = run_playthrough(str(path))
    bless_or_compare(result, bless=False)
    assert result.ok, "\n".join(str(p) for p in result.problems) + "\n" + result.diff
