"""The terminal game, driven through Textual's pilot as a player would.

The story in tests/data/tui is small and stable (snapshots depend on it) and
full of square brackets: author text must never be read as markup.
"""

from __future__ import annotations

import html
import random
import re
from pathlib import Path

import pytest
from textual import events
from textual.widgets import OptionList

from game import load_story
from game.engine.saves import SaveStore
from game.playtest.replay import run_playthrough
from game.tui.app import OpenDiplomacyApp
from game.tui.dialogs import GameInProgressDialog, LoadDialog, NoteDialog, SaveDialog
from game.tui.pages import CodexScreen, EndingsScreen, TitleScreen
from game.tui.play import EndingScreen, PlayScreen

STORY_DIR = Path(__file__).resolve().parent.parent / "data" / "tui"


@pytest.fixture(scope="module")
def story():
    return load_story(str(STORY_DIR))


def make_app(story, saves, start=True, **kw):
    return OpenDiplomacyApp(story if start else None, saves=str(saves), seed=0,
                            stories=[story], **kw)


def screen_text(app) -> str:
    """What the terminal shows, as plain text (from the SVG screenshot)."""
    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    text = html.unescape("".join(lines)).replace("\xa0", " ")
    return " ".join(text.split())  # wrapping varies with width; words do not


def header(app) -> str:
    return str(app.screen.query_one("#header").render())


async def take(pilot, key):
    await pilot.press(key)
    await pilot.pause()


# ---------------------------------------------------------------- flows

async def test_new_game_note_save_quit_continue(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert "The office [sic]" in header(app)
        await take(pilot, "1")
        assert isinstance(app.screen, NoteDialog)
        shown = screen_text(app)
        assert "What really happened: The bag [1941]" in shown
        assert "Test source [p.1]" in shown
        await take(pilot, "enter")
        assert isinstance(app.screen, PlayScreen)
        assert "The station" in header(app)
        assert app.screen.session.play.state["trust"] == 7
        await take(pilot, "s")
        assert isinstance(app.screen, SaveDialog)
        await take(pilot, "enter")
        assert isinstance(app.screen, PlayScreen)
        assert (tmp_path / "tuitest.save1.json").is_file()
        await take(pilot, "q")
    assert app.return_code in (0, None)

    again = make_app(story, tmp_path, start=False)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, TitleScreen)
        menu = again.screen.query_one("#title-menu", OptionList)
        assert not menu.get_option("continue").disabled
        assert "The station" in str(menu.get_option("continue").prompt)
        menu.highlighted = menu.get_option_index("continue")
        await take(pilot, "enter")
        assert isinstance(again.screen, PlayScreen)
        play = again.screen.session.play
        assert play.scene.id == "station" and play.state["trust"] == 7 and play.steps == ["take"]


async def test_load_a_named_slot(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "1")
        await take(pilot, "enter")
        app.screen.session.save("before_train", label="before_train")
        await take(pilot, "1")
        await take(pilot, "enter")
        assert app.screen.session.play.scene.id == "border"
        await take(pilot, "l")
        assert isinstance(app.screen, LoadDialog)
        slots = app.screen.query_one("#slot-list", OptionList)
        slots.highlighted = slots.get_option_index("before_train")
        await take(pilot, "enter")
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.session.play.scene.id == "station"
        assert "The station" in header(app)


async def test_a_damaged_save_is_listed_but_cannot_be_loaded(story, tmp_path):
    (tmp_path / "tuitest.broken.json").write_text("{not json", encoding="utf-8")
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "l")
        slots = app.screen.query_one("#slot-list", OptionList)
        assert slots.get_option("broken").disabled
        assert "damaged: not a save file" in screen_text(app)
        await take(pilot, "escape")
        assert isinstance(app.screen, PlayScreen)
    assert (tmp_path / "tuitest.broken.json").read_text(encoding="utf-8") == "{not json"


async def test_undo_steps_back_exactly(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "1")
        await take(pilot, "enter")
        await take(pilot, "u")
        play = app.screen.session.play
        assert play.scene.id == "office" and play.state["trust"] == 5 and play.steps == []
        assert "The office [sic]" in header(app)
        app.store.flush()  # autosaves are written behind the key handler
        saved = SaveStore(tmp_path).load(story, "autosave")
        assert saved.scene.id == "office"  # the autosave follows the undo
        # Said on the notice line under the header, not in a toast over the choices.
        assert "One step back." in str(app.screen.query_one("#notice").render())
        assert not app._notifications
        await take(pilot, "u")
        assert "Nothing to undo" in str(app.screen.query_one("#notice").render())


async def test_locked_choice_shows_its_reason(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        choices = app.screen.query_one("#choices", OptionList)
        assert choices.get_option("bribe").disabled
        assert "[yet]" in str(choices.get_option("bribe").prompt)
        await take(pilot, "2")
        assert app.screen.session.play.scene.id == "office"
        # The reason goes on the reserved notice line, never a toast over the text.
        assert "[yet]" in str(app.screen.query_one("#notice").render())
        assert not app._notifications


async def test_ending_history_and_gallery(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in ("1", "enter", "1", "enter", "1"):
            await take(pilot, key)
        assert isinstance(app.screen, EndingScreen)
        assert not any("codex" in n.message for n in app._notifications)  # no toast over the ending
        assert "New in the codex: Istanbul" in str(app.get_screen("_default").query_one("#notice").render()) \
            if app.is_screen_installed("_default") else True
        shown = screen_text(app)
        assert "Delivered" in shown
        assert "You chose as they did in 2 of 2 decisions." in shown
        assert "is not recorded [sic]" in shown
        assert "Endings found: 1 of 2" in shown
        await take(pilot, "e")
        assert isinstance(app.screen, EndingsScreen)
        shown = screen_text(app)
        assert "The Courier [sic]: 1 of 2 endings" in shown and "✓ Delivered" in shown
        assert "Home [early]" not in shown  # not found yet: a blank card
        await take(pilot, "escape")
        await take(pilot, "u")  # from the ending screen: back into the story
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.session.play.scene.id == "border"
    assert SaveStore(tmp_path).endings_seen("tuitest") == {"delivered": 1}


async def test_divergence_is_listed_on_the_ending(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "3")
        assert isinstance(app.screen, EndingScreen)
        shown = screen_text(app)
        assert "You chose as they did in 0 of 1 decisions." in shown
        assert "Refuse the errand." in shown and "Take the bag [sic]." in shown


async def test_codex_shows_unlocked_entries_only(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "c")
        assert isinstance(app.screen, CodexScreen)
        shown = screen_text(app)
        assert "The consul [acting]" in shown and "He signed the papers [sic]." in shown
        assert "Istanbul" not in shown
        assert "1 of 2 entries found" in shown


async def test_record_writes_a_playthrough_that_replays(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "1")
        await take(pilot, "enter")
        await take(pilot, "2")
        await take(pilot, "r")
    files = list((tmp_path / "recordings").glob("*.yaml"))
    assert len(files) == 1
    result = run_playthrough(str(files[0]), want_transcript=False)
    assert result.ok, [str(p) for p in result.problems]
    assert result.play.scene.id == "border" and result.play.steps == ["take", "wait"]


async def test_escape_leads_to_the_title_and_new_game_starts_over(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "1")
        await take(pilot, "enter")
        await take(pilot, "escape")
        assert isinstance(app.screen, TitleScreen)
        menu = app.screen.query_one("#title-menu", OptionList)
        menu.highlighted = menu.get_option_index("new")
        await take(pilot, "enter")
        await take(pilot, "enter")  # the only story
        assert isinstance(app.screen, GameInProgressDialog)  # asked first: a game is in progress
        await take(pilot, "o")  # start over
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.session.play.scene.id == "office"
    assert SaveStore(tmp_path).load(story, "autosave-previous").scene.id == "station"


async def test_title_story_picker_shows_blurb_verbatim(story, tmp_path):
    app = make_app(story, tmp_path, start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "enter")  # New game (no game to continue yet)
        shown = screen_text(app)
        assert "The Courier [sic]" in shown and "[sic] and [/]." in shown


async def test_small_terminals(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert not app.screen.query_one("#side").display  # folded away when narrow
        choices = app.screen.query_one("#choices", OptionList)
        region = choices.region
        assert region.bottom <= 19 and region.height >= 4  # all three choices on screen
        shown = screen_text(app)
        assert "1. Take the bag [sic]." in shown and "3. Refuse the errand." in shown
        for w, h in ((10, 3), (4, 2), (200, 60), (80, 24)):
            await pilot.resize_terminal(w, h)
        assert app.screen.query_one("#side").display
        await take(pilot, "1")
        assert isinstance(app.screen, NoteDialog)


async def test_no_color(story, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.no_color
        svg = app.export_screenshot()
    colours = set(re.findall(r"fill: (#[0-9a-f]{6})", svg))
    def chroma(c):
        rgb = [int(c[i:i + 2], 16) for i in (1, 3, 5)]
        return max(rgb) - min(rgb)
    assert colours and all(chroma(c) <= 8 for c in colours), colours  # greys only


# ---------------------------------------------------------------- monkey

MONKEY_KEYS = ["1", "2", "3", "u", "s", "l", "n", "c", "e", "r", "question_mark", "escape", "enter",
               "up", "down", "tab", "space", "x", "backspace", "ctrl+a", "home", "end", "pageup", "pagedown", "g",
               "o", "left", "right"]


@pytest.mark.parametrize("start", ["title", "play", "note", "save", "ending", "codex", "endings"])
async def test_monkey(story, tmp_path, start):
    """500 random keys and resizes, sent without waiting between most keys
    (a fast monkey finds double-dismiss bugs a slow one misses)."""
    rng = random.Random(start)
    app = make_app(story, tmp_path, start=start != "title")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        prelude = {"title": [], "play": [], "note": ["1"], "save": ["s"], "ending": ["3"],
                   "codex": ["c"], "endings": ["e"]}[start]
        for key in prelude:
            await take(pilot, key)
        driver = app._driver
        for i in range(500):
            if rng.random() < 0.04:
                await pilot.resize_terminal(rng.choice([10, 30, 60, 80, 120]), rng.choice([3, 8, 20, 24, 40]))
                continue
            key = rng.choice(MONKEY_KEYS)
            char = {"question_mark": "?", "space": " "}.get(key, key if len(key) == 1 else None)
            driver.send_message(events.Key(key, char))
            if i % 20 == 0:
                await pilot.pause()
                if not app.is_running:  # "Quit" on the title menu is a fair key
                    break
        await pilot.pause()
    assert app._exception is None


async def test_codex_entries_of_the_first_scene_are_announced(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        notice = app.screen.query_one("#notice")
        assert str(notice.render()) == "New in the codex: The consul [acting] (c to read)."
        assert notice.region.y < app.screen.query_one("#story").region.y  # above the text, not over it
        assert not app._notifications


async def test_notes_log_from_the_ending_screen(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in ("1", "enter", "1", "enter", "1"):
            await take(pilot, key)
        assert isinstance(app.screen, EndingScreen)
        await take(pilot, "n")
        shown = screen_text(app)
        assert "The bag [1941]" in shown and "Test source [p.1]" in shown and "The night train was watched." in shown


async def test_an_enter_right_after_a_new_scene_does_not_choose_blind(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "1")
        await take(pilot, "enter")  # closes the note
        await take(pilot, "2")  # no note: the border scene appears at once
        await take(pilot, "enter")  # meant for a note that did not come
        assert app.screen.session.play.scene.id == "border"
        await pilot.pause(0.6)
        await take(pilot, "enter")
        assert isinstance(app.screen, EndingScreen)  # now the Enter took the choice


async def test_a_changed_story_is_carried_over_with_a_notice(tmp_path):
    import shutil
    folder = tmp_path / "story"
    shutil.copytree(STORY_DIR, folder)
    saves = tmp_path / "saves"
    first = OpenDiplomacyApp(load_story(str(folder)), saves=str(saves), seed=0)
    async with first.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "1")
        await take(pilot, "enter")
    scenes = folder / "scenes.yaml"
    scenes.write_text(scenes.read_text(encoding="utf-8").replace("Steam, whistles", "Smoke, whistles"),
                      encoding="utf-8")
    again = OpenDiplomacyApp(load_story(str(folder)), saves=str(saves), resume=True, seed=0)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.screen.session.play.scene.id == "station"
        notice = again.screen.query_one("#notice")
        assert notice.display and "The story has changed since this game was saved" in str(notice.render())
        assert "Smoke, whistles" in screen_text(again)
        await take(pilot, "1")  # the next step clears the notice
        await take(pilot, "enter")
        assert not again.screen.query_one("#notice").has_class("shown")


async def test_brackets_survive_every_surface(story, tmp_path):
    """[sic] and [/] would be markup to Rich and Textual: each surface that
    shows author text must show them as written."""
    app = make_app(story, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "The Courier [sic]" in shown  # header
        assert '[sic]," he says' in shown and "reads [/] in red ink" in shown  # scene text
        assert "Risk [1954]" in shown  # meter label
        assert "1. Take the bag [sic]." in shown and "[yet]" in shown  # choices, locked reason
        await take(pilot, "1")
        shown = screen_text(app)
        assert "The bag [1941]" in shown and "weekly [sic]; see [/] the record." in shown  # note
        assert "Test source [p.1]" in shown
        await take(pilot, "enter")
        await take(pilot, "n")
        shown = screen_text(app)
        assert "weekly [sic]; see [/] the record." in shown and "Test source [p.1]" in shown  # notes log


async def test_the_story_text_can_be_selected_and_copied(story, tmp_path):
    """Mouse selection in the story text: each cell knows its place in the
    wrapped lines, the selected words are the ones under the mouse (not the
    first line's), and they are drawn highlighted."""
    from textual.geometry import Offset
    from textual.selection import Selection

    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane = app.screen.query_one("#story")
        n = pane.line_of("the label")  # a wrapped line below the first
        assert n is not None and n > 1
        line = pane._lines[n].plain
        strip = pane.render_line(n)  # the pane is not scrolled: row n shows line n
        offsets = [seg.style.meta.get("offset") for seg in strip if seg.style and seg.style.meta.get("offset")]
        assert offsets and offsets[0] == (0, n)
        start = line.index("the label")
        app.screen.selections = {pane: Selection(Offset(start, n), Offset(start + len("the label"), n))}
        await pilot.pause()
        assert app.screen.get_selected_text() == "the label"
        drawn = pane.render_line(n)
        plain_bg = {seg.style.bgcolor for seg in strip if seg.text.strip()}
        assert any(seg.style.bgcolor not in plain_bg for seg in drawn if "label" in seg.text)  # highlighted
