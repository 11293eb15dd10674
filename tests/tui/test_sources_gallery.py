"""The bibliography, the endings gallery that re-reads an ending, and the
achievement notice that never covers the text or the choices (pilot tests)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from textual.widgets import OptionList

from game import load_story
from game.engine.saves import SaveStore
from game.plain import PlainGame
from game.engine.session import Session
from game.tui.dialogs import HelpDialog, NoteDialog
from game.tui.pages import CodexScreen, EndingsScreen, SourcesScreen
from game.tui.play import EndingScreen, PlayScreen
from tests.tui.test_app import make_app, screen_text, take

DATA = Path(__file__).resolve().parent.parent / "data" / "tui"

EXTRA = """
note_heading: "Behind the courier"
sources:
  ledger:
    title: "The Consulate Ledger [1941]"
    author: "A. Clerk"
    detail: "kept in Istanbul"
achievements:
  carried:
    title: "Carried it"
    text: "Take the bag."
    when: bag
  patient:
    title: "Patient"
    text: "Wait for the morning train."
    when: money >= 1
    hidden: true
"""


@pytest.fixture
def story(tmp_path):
    d = tmp_path / "story"
    shutil.copytree(DATA, d)
    (d / "story.yaml").write_text((DATA / "story.yaml").read_text() + EXTRA)
    text = (DATA / "scenes.yaml").read_text()
    text = text.replace('    source: "Test source [p.1]"\n', '    source: "Test source [p.1]"\n    cites: [ledger]\n')
    text = text.replace('      title: "Home [early]"\n', '      title: "Home [early]"\n      hint: "Say no early."\n')
    (d / "scenes.yaml").write_text(text)
    return load_story(str(d))


async def test_note_dialog_has_heading_and_cited_titles(story, tmp_path):
    app = make_app(story, tmp_path / "saves")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "1")
        assert isinstance(app.screen, NoteDialog)
        shown = screen_text(app)
        assert "Behind the courier: The bag [1941]" in shown
        assert "What really happened" not in shown
        assert "Sources: The Consulate Ledger [1941]" in shown
        await take(pilot, "enter")
        await take(pilot, "n")
        shown = screen_text(app)
        assert "Behind the courier — notes so far" in shown and "The Consulate Ledger [1941]" in shown


async def test_bibliography_from_the_codex_by_key_and_by_mouse(story, tmp_path):
    app = make_app(story, tmp_path / "saves")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "c")
        assert isinstance(app.screen, CodexScreen)
        await take(pilot, "b")
        assert isinstance(app.screen, SourcesScreen)
        shown = screen_text(app)
        assert "The Consulate Ledger [1941]" in shown and "A. Clerk" in shown and "kept in Istanbul" in shown
        await take(pilot, "escape")
        assert isinstance(app.screen, CodexScreen)
        lst = app.screen.query_one("#codex-list", OptionList)
        index = next(i for i in range(lst.option_count) if lst.get_option_at_index(i).id == "@sources")
        lst.highlighted = index
        await pilot.pause()
        await take(pilot, "enter")
        assert isinstance(app.screen, SourcesScreen)


async def test_bibliography_from_the_help(story, tmp_path):
    app = make_app(story, tmp_path / "saves")
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        await take(pilot, "question_mark")
        assert isinstance(app.screen, HelpDialog)
        await pilot.click("#help-menu", offset=(3, 0))
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)
        await take(pilot, "escape")
        await take(pilot, "question_mark")
        await take(pilot, "b")
        assert isinstance(app.screen, SourcesScreen)


async def test_achievement_notice_does_not_cover_text_or_choices(story, tmp_path):
    app = make_app(story, tmp_path / "saves")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "1")  # take the bag: earns "carried", and shows a note
        await take(pilot, "enter")
        assert isinstance(app.screen, PlayScreen)
        notice = app.screen.query_one("#notice")
        assert notice.display and "Achievement: Carried it — Take the bag." in str(notice.render())
        for other in ("#story", "#choices"):
            region = app.screen.query_one(other).region
            assert not notice.region.overlaps(region), (other, notice.region, region)
        assert not any("Achievement" in n.message for n in app._notifications)  # not a toast over the text
        await take(pilot, "2")  # waiting earns the hidden one: the line says so, and only that
        shown = str(app.screen.query_one("#notice").render())
        assert "Patient" in shown and "Carried it" not in shown
    assert set(SaveStore(tmp_path / "saves").achievements_seen("tuitest")) == {"carried", "patient"}


async def test_gallery_rereads_an_ending_and_hints_at_the_others(story, tmp_path):
    app = make_app(story, tmp_path / "saves")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for key in ("1", "enter", "1", "enter", "1"):
            await take(pilot, key)
        assert isinstance(app.screen, EndingScreen)
        await take(pilot, "e")
        assert isinstance(app.screen, EndingsScreen)
        lst = app.screen.query_one("#endings-list", OptionList)
        ids = [lst.get_option_at_index(i).id for i in range(lst.option_count)]
        lst.highlighted = ids.index("tuitest:delivered")
        await pilot.pause()
        shown = screen_text(app)
        assert "First reached on" in shown and "after 3 choices" in shown
        assert "what was in it is not recorded [sic]" in shown  # the ending's own text, re-read
        assert "in 2 of 2 decisions" in shown
        lst.highlighted = ids.index("tuitest:home")
        await pilot.pause()
        shown = screen_text(app)
        assert "(quiet)" in shown and "Hint: Say no early." in shown and "It can happen in: Tokyo, 1941" in shown
        assert "You walk home" not in shown
        lst.highlighted = ids.index("tuitest:@achievements")
        await pilot.pause()
        shown = screen_text(app)
        assert "✓ Carried it" in shown and "??? (a hidden achievement)" in shown and "Patient" not in shown


def test_plain_mode_sources_heading_and_achievements(story, tmp_path):
    store = SaveStore(tmp_path / "saves")
    out = io.StringIO()
    game = PlainGame(io.StringIO("1\n\nb\na\nq\n"), out, store)
    game.play(Session.new(story, store, seed=0))
    text = out.getvalue()
    assert "-- Behind the courier: The bag [1941] --" in text
    assert "Sources: The Consulate Ledger [1941]" in text
    assert "Achievement: Carried it — Take the bag." in text
    assert "- The Consulate Ledger [1941] — A. Clerk. kept in Istanbul" in text
    assert "Achievements: 1 of 2." in text and "[x] Carried it" in text and "??? (hidden)" in text
