"""Format 1.1 on screen: a reply above the next scene's text and the texts
passed through on one screen, each shown once, in the terminal game and in
plain mode; a reply survives the note dialog."""

from __future__ import annotations

import io
import textwrap

from game import load_story
from game.plain import PlainGame
from game.engine.saves import SaveStore
from game.engine.session import Session
from game.tui.dialogs import NoteDialog
from game.tui.play import PlayScreen
from tests.tui.test_app import make_app, screen_text, take

SCENES = """\
scenes:
  - id: start
    text: Where were you?
    choices:
      - id: lie
        text: The cinema.
        reply: He writes CINEMA down.
        note: n1
        goto: corridor
  - id: corridor
    pause: false
    text: You walk the CORRIDOR.
    goto: yard
  - id: yard
    text: The YARD is empty.
    choices:
      - id: back
        text: Back.
        goto: start
notes:
  n1:
    text: A note.
    source: Nowhere.
"""


def story(tmp_path):
    d = tmp_path / "s"
    d.mkdir()
    (d / "story.yaml").write_text("format: 1\nid: s\ntitle: T\nstart: start\n", encoding="utf-8")
    (d / "scenes.yaml").write_text(SCENES, encoding="utf-8")
    return load_story(str(d))


async def test_tui_shows_reply_and_passed_text_once_and_keeps_them_behind_the_note(tmp_path):
    app = make_app(story(tmp_path), tmp_path / "saves")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await take(pilot, "1")
        assert isinstance(app.screen, NoteDialog)
        await take(pilot, "enter")
        assert isinstance(app.screen, PlayScreen)
        shown = screen_text(app)
        for word in ("CINEMA", "CORRIDOR", "YARD"):
            assert shown.count(word) == 1, (word, shown)
        assert shown.index("CINEMA") < shown.index("CORRIDOR") < shown.index("YARD")


def test_plain_mode_shows_reply_and_passed_text_once(tmp_path):
    out = io.StringIO()
    game = PlainGame(io.StringIO("1\nq\n"), out, SaveStore(tmp_path / "saves"))
    game.play(Session.new(story(tmp_path), SaveStore(tmp_path / "saves"), seed=1))
    text = out.getvalue()
    after = text[text.index("A note."):]
    for word in ("CINEMA", "CORRIDOR", "YARD"):
        assert after.count(word) == 1, (word, text)
    assert after.index("CINEMA") < after.index("CORRIDOR") < after.index("YARD")
