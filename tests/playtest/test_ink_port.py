"""The port of an ink-style opening (tests/data/ink_port, the .ink beside it):
no more scenes than the ink has knots, stitches and gathers, no "Continue"
the ink does not have, and it reads as the ink does."""

from __future__ import annotations

import re

from game import load_story
from game.playtest.explore import exhaustive_playtest
from game.playtest.replay import run_playthrough
from tests.conftest import ROOT

PORT = ROOT / "tests" / "data" / "ink_port"


def test_no_more_scenes_than_knots_stitches_and_gathers():
    ink = (PORT / "the_interview.ink").read_text(encoding="utf-8")
    knots = len(re.findall(r"^===\s*\w+\s*===", ink, re.M))
    stitches = len(re.findall(r"^=\s+\w+", ink, re.M))
    gathers = len(re.findall(r"^\s*-\s(?!>)", ink, re.M)) - ink.count("- else:")
    story = load_story(str(PORT))
    assert (knots, stitches, gathers) == (4, 1, 3)
    assert len(story.scenes) <= knots + stitches + gathers


def test_no_continue_anywhere():
    story = load_story(str(PORT))
    rep = exhaustive_playtest(story)
    assert not rep.failed and rep.endings == {"kept": 1, "free": 1}
    assert rep.reached == set(story.scenes)
    assert not any(k.endswith(".continue") for k in rep.taken)


def test_it_reads_as_the_ink_does():
    story = load_story(str(PORT))
    play = story.new_game(seed=1)
    assert "Harris sits on it backwards." in play.text
    play.choose("smoke")
    assert play.text == ('"Smoke?" He throws the packet onto the table.\n\n'
                         'He opens a file. "Let\'s begin with where you were on Tuesday."')
    play.choose("light")
    assert play.text.startswith("You take your time.\n\nHe turns a page.")
    play.choose("truth")
    assert play.calls == ["hut_story"]
    play.choose("wheels")
    assert play.ended and play.scene.id == "free"
    assert play.text == ('He looks up sharply.\n\n"And the machine?" He leans in.\n\n'
                         '"You may go," Harris says. "For now."')


def test_its_playthroughs_pass():
    for pt in sorted((PORT / "playthroughs").glob("*.yaml")):
        result = run_playthrough(str(pt))
        assert result.ok, [str(p) for p in result.problems]
