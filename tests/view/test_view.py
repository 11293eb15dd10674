"""The headless view: what one screen shows, as plain values and lines."""

from __future__ import annotations

import os

from game import load_story
from game.engine.session import Session
from game.view.markdown import parse, to_plain
from game.view.screen import build_screen, build_step, pick, plain_screen, plain_step
from tests.conftest import ROOT

SPY = os.path.join(ROOT, "tests", "data", "spy")


def test_markdown_to_plain_drops_emphasis_and_shows_links():
    md = "She was *still warm*, **he** said: [the file](http://x.example) `ok`.\n\n- one\n- two"
    assert to_plain(md) == ["She was still warm, he said: the file (http://x.example) ok.", "", "  • one",
                            "  • two"]
    assert [b.kind for b in parse("# T\n\n> q\n\n---\n\ntext")] == ["heading", "quote", "rule", "para"]


def test_plain_lines_wrap_at_the_width_and_keep_the_indent():
    lines = to_plain("- " + "word " * 30, width=40)
    assert all(len(l) <= 40 for l in lines) and lines[1].startswith("    word")


def test_screen_of_the_spy_story():
    story = load_story(SPY)
    s = Session.new(story, None, seed=1)
    screen = build_screen(s)
    assert screen.header == "The Safe · Blagoveshchensk, 1931 · The hall"
    assert [(c.number, c.id, c.enabled) for c in screen.choices] == [(1, "refuse", True), (2, "open", True),
                                                                     (3, "wait", False)]
    assert [g.label for g in screen.gauges] == ["Suspicion", "Trust"]
    assert pick(screen, 3) == (None, "Not possible: Pudín is not here.")
    assert pick(screen, 9) == (None, "There is no such choice.")
    assert pick(screen, 1)[0].id == "refuse"
    lines = plain_screen(screen)
    assert lines[0] == "== Blagoveshchensk, 1931 / The hall =="
    assert "  3. (not possible: Pudín is not here.) Wait for Pudín." in lines
    before = dict(s.play.state)
    result = s.choose("refuse")
    step = plain_step(build_step(s, result))
    assert step[1] == "-- What really happened --" and "Source: Motov-1 p.14" in step
    after = build_screen(s, before)
    assert any(g.delta for g in after.gauges)
