"""The settings screen (`o`) and what each setting does on the play screen,
driven through Textual's pilot as a player would: by keys and by the mouse,
kept across restarts, and a settings file the game cannot use ignored."""

from __future__ import annotations

import html
import json
import re

import pytest

from game import load_story
from game.settings import Settings, save
from game.tui.dialogs import HelpDialog, NoteDialog
from game.tui.pages import NotesScreen, TitleScreen
from game.tui.play import PlayScreen
from game.tui.settings import SettingsList, SettingsScreen

from . import test_app
from .test_app import STORY_DIR, make_app, screen_text, take


@pytest.fixture(scope="module")
def story():
    return load_story(str(STORY_DIR))


CELL = 12.2  # the width of a cell in Textual's SVG screenshots


def screen_rows(app) -> list[str]:
    """The terminal's rows as plain text, each character in its column
    (from the SVG screenshot: each run of text is placed by its x)."""
    svg = app.export_screenshot()
    width = app.size.width
    rows: dict[float, list[str]] = {}
    for m in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg, flags=re.S):
        x, y, t = m.groups()
        row = rows.setdefault(float(y), [" "] * width)
        col = round(float(x) / CELL)
        for i, ch in enumerate(html.unescape(t).replace("\xa0", " ")):
            if ch != "\n" and col + i < width:
                row[col + i] = ch
    return ["".join(r).rstrip() for _, r in sorted(rows.items())]


def row_of(rows: list[str], needle: str) -> int:
    return next(i for i, r in enumerate(rows) if needle in r)


def text_column(row: str) -> str:
    """The part of a play-screen row left of the side panel."""
    return row.split("▏")[0]


# ---------------------------------------------------------------- the screen

async def test_o_opens_the_settings_from_the_play_and_title_screens(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "o Settings" in screen_text(app)  # on the key line
        await take(pilot, "o")
        assert isinstance(app.screen, SettingsScreen)
        shown = screen_text(app)
        for words in ("Notes ● dialog ○ below the text ○ log only", "Text width ○ 60 ● 70 ○ 80 ○ full",
                      "Theme ● dark ○ light ○ high contrast", "Reading ● all at once ○ paragraph by paragraph"):
            assert words in shown
        await take(pilot, "escape")
        assert isinstance(app.screen, PlayScreen)
        await take(pilot, "question_mark")
        assert isinstance(app.screen, HelpDialog) and "? / o this help; settings (notes, text width" in screen_text(app)
    app = make_app(story, tmp_path, start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen) and "o Settings" in screen_text(app)
        await take(pilot, "o")
        assert isinstance(app.screen, SettingsScreen)


async def test_keys_change_a_setting_and_the_screen_says_what_it_does(story, tmp_path, own_config):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "o")
        assert "is shown after a choice" in screen_text(app)  # what the highlighted setting does
        await take(pilot, "down")
        assert "The longest line of the scene's text" in screen_text(app)
        await take(pilot, "right")
        assert "Text width ○ 60 ○ 70 ● 80 ○ full" in screen_text(app)
        await take(pilot, "enter")
        assert "Text width ○ 60 ○ 70 ○ 80 ● full" in screen_text(app)
        await take(pilot, "left")
        await take(pilot, "left")
        assert app.settings.width == 70
    assert json.loads((own_config / "settings.json").read_text(encoding="utf-8"))["width"] == 70


async def test_a_click_on_a_value_picks_it(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "o")
        lines = app.screen.query_one(SettingsList).render().plain.splitlines()
        theme_row = next(i for i, line in enumerate(lines) if "high contrast" in line)
        x = lines[theme_row].index("○ light")
        await pilot.click(SettingsList, offset=(x + 2, theme_row))
        await pilot.pause()
        assert app.settings.theme == "light" and app.theme == "od-light"
        await pilot.click(SettingsList, offset=(2, theme_row))  # on the name: the next value
        await pilot.pause()
        assert app.settings.theme == "contrast"


# ---------------------------------------------------------------- each setting

async def test_notes_below_the_text(story, tmp_path):
    save(Settings(notes="inline"))
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "1")
        assert isinstance(app.screen, PlayScreen)  # no dialog over the scene
        rows = screen_rows(app)
        scene = row_of(rows, "Steam, whistles")
        heading = row_of(rows, "What really happened: The bag [1941]")
        assert scene < heading < row_of(rows, "Couriers carried such bags") < row_of(rows, "Source: Test source [p.1]")
        await take(pilot, "2")  # the next step has no note: it is gone
        assert "What really happened" not in screen_text(app)
        await take(pilot, "n")
        assert isinstance(app.screen, NotesScreen) and "Couriers carried such bags" in screen_text(app)


async def test_notes_in_the_log_only(story, tmp_path):
    save(Settings(notes="log"))
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "1")
        assert isinstance(app.screen, PlayScreen)
        shown = screen_text(app)
        assert "Couriers carried" not in shown
        assert "a new note is in the notes log (n)" in str(app.screen.query_one("#notice").render())
        await take(pilot, "n")
        assert isinstance(app.screen, NotesScreen) and "Couriers carried such bags" in screen_text(app)


async def test_notes_as_a_dialog_by_default(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "1")
        assert isinstance(app.screen, NoteDialog)


@pytest.mark.parametrize("width", [60, 70, 80, 0])
async def test_text_width_and_centring(story, tmp_path, width):
    save(Settings(width=width))
    app = make_app(story, tmp_path)
    async with app.run_test(size=(130, 30)) as pilot:
        await pilot.pause()
        rows = screen_rows(app)
        top = row_of(rows, "The consul pushes")
        lines = [text_column(r) for r in rows[top:top + 2]]
        pane = len(text_column(rows[top].ljust(130)))  # up to the side panel's rule
        text = pane - 3  # its padding and the scrollbar's column
        indents = [len(x) - len(x.lstrip()) for x in lines]
        if width:  # at most `width` characters, in the middle of the pane
            assert max(len(x.strip()) for x in lines) <= width
            assert max(len(x.strip()) for x in lines) > width - 15  # filled, not short
            assert indents[0] == indents[1] == 1 + (text - width) // 2
        else:  # the whole pane
            assert indents == [1, 1] and len(lines[0].strip()) > text - 15


async def test_the_width_changes_at_once_in_the_game(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(130, 30)) as pilot:
        await pilot.pause()
        rows = screen_rows(app)
        before = text_column(rows[row_of(rows, "The consul pushes")])
        await take(pilot, "o")
        await take(pilot, "down")
        await take(pilot, "right")  # 80
        await take(pilot, "right")  # full
        await take(pilot, "escape")
        rows = screen_rows(app)
        after = text_column(rows[row_of(rows, "The consul pushes")])
        assert len(after) - len(after.lstrip()) == 1 < len(before) - len(before.lstrip())


def _fills(app) -> set[str]:
    """The colours of the screenshot: of the text and of the backgrounds."""
    return set(re.findall(r'fill(?:: |=")(#[0-9a-f]{6})', app.export_screenshot()))


@pytest.mark.parametrize("theme, background, text", [
    ("dark", "#1d1b17", "#e8e0cc"), ("light", "#f4ecd8", "#2a241a"), ("contrast", "#000000", "#ffffff")])
async def test_themes(story, tmp_path, theme, background, text):
    save(Settings(theme=theme))
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        fills = _fills(app)
        assert background in fills and text in fills
        others = {"dark": "#1d1b17", "light": "#f4ecd8", "contrast": "#000000"}
        assert all(bg not in fills for name, bg in others.items() if name != theme and bg != background)


async def test_a_theme_chosen_in_the_game_applies_at_once(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "o")
        for key in ("down", "down", "right", "escape"):
            await take(pilot, key)
        assert app.theme == "od-light" and "#f4ecd8" in _fills(app)  # the play screen, redrawn light


async def test_no_color_still_wins_over_a_theme(story, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    save(Settings(theme="light"))
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        colours = set(re.findall(r"fill: (#[0-9a-f]{6})", app.export_screenshot()))  # of the text

    def chroma(c):
        rgb = [int(c[i:i + 2], 16) for i in (1, 3, 5)]
        return max(rgb) - min(rgb)
    assert colours and all(chroma(c) <= 8 for c in colours), colours


PARAGRAPHS = """\
scenes:
  - id: a
    title: The quay
    text: |
      First paragraph: the quay at dawn.

      Second paragraph: a ship comes in.

      Third paragraph: nobody gets off.
    choices:
      - id: wait
        text: Keep waiting.
        note: n1
        goto: b
      - id: leave
        text: Walk away.
        goto: b
  - id: b
    title: The hut
    text: |
      One paragraph only.
    choices:
      - id: sleep
        text: Sleep.
        goto: c
  - id: c
    ending: {title: End, text: Bye}
notes:
  n1:
    text: The ship was late.
    source: A log book
"""


@pytest.fixture
def paragraphs(story_dir):
    story_dir.write("story.yaml", "format: 1\nid: quay\ntitle: Quay\nstart: a\n")
    story_dir.write("scenes.yaml", PARAGRAPHS)
    return load_story(str(story_dir.root))


async def test_paragraph_by_paragraph(paragraphs, tmp_path):
    save(Settings(reveal="paragraph", notes="inline"))
    app = make_app(paragraphs, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "First paragraph" in shown and "Second paragraph" not in shown
        assert "Keep waiting" not in shown and "Read on: Enter or Space (2 more)" in shown
        await take(pilot, "1")  # a number cannot take a choice not yet shown
        assert app.screen.session.play.scene.id == "a"
        assert "Read on first" in str(app.screen.query_one("#notice").render())
        await take(pilot, "enter")
        shown = screen_text(app)
        assert "Second paragraph" in shown and "Third paragraph" not in shown and "(1 more)" in shown
        await take(pilot, "space")
        shown = screen_text(app)
        assert "Third paragraph" in shown and "1. Keep waiting." in shown and "2. Walk away." in shown
        await take(pilot, "enter")  # at once after the choices appear: not taken blind
        assert app.screen.session.play.scene.id == "a"
        await take(pilot, "1")
        assert app.screen.session.play.scene.id == "b"
        shown = screen_text(app)  # one paragraph, then the inline note as the next part
        assert "One paragraph only" in shown and "The ship was late" not in shown
        await pilot.click("#choices", offset=(4, 1))  # the mouse reads on too (row 0 is the border)
        await pilot.pause()
        shown = screen_text(app)
        assert "The ship was late" in shown and "1. Sleep." in shown


async def test_paragraph_mode_chosen_in_the_game_keeps_what_was_read(paragraphs, tmp_path):
    app = make_app(paragraphs, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "o")
        for key in ("down", "down", "down", "right", "escape"):
            await take(pilot, key)
        assert app.settings.reveal == "paragraph"
        shown = screen_text(app)
        assert "Third paragraph" in shown and "1. Keep waiting." in shown  # nothing read is hidden again
        await take(pilot, "2")
        assert not app.screen.reading and "1. Sleep." in screen_text(app)  # one paragraph: nothing to wait for
        await take(pilot, "u")  # back to a scene read already: all of it at once
        assert not app.screen.reading and "Third paragraph" in screen_text(app) and "1. Keep waiting." in screen_text(app)


# ---------------------------------------------------------------- kept, or not

async def test_settings_are_kept_across_restarts(story, tmp_path, own_config):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "o")
        for key in ("right", "down", "right", "down", "right", "down", "right"):
            await take(pilot, key)
    saved = json.loads((own_config / "settings.json").read_text(encoding="utf-8"))
    assert (saved["notes"], saved["width"], saved["theme"], saved["reveal"]) == ("inline", 80, "light", "paragraph")
    again = make_app(story, tmp_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == "od-light" and again.settings.reveal == "paragraph"
        await take(pilot, "o")
        assert "Notes ○ dialog ● below the text ○ log only" in screen_text(again)


async def test_a_damaged_settings_file_is_ignored_with_a_notice(story, tmp_path, own_config):
    (own_config / "settings.json").write_text("{not json", encoding="utf-8")
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.settings == Settings()
        assert any("was ignored (damaged (not JSON))" in n.message for n in app._notifications)
        await take(pilot, "o")
        await take(pilot, "right")
    assert json.loads((own_config / "settings.json").read_text(encoding="utf-8"))["notes"] == "inline"


async def test_settings_that_cannot_be_saved_still_apply(story, tmp_path, own_config, monkeypatch):
    (own_config / "file").write_text("x", encoding="utf-8")
    monkeypatch.setenv("OPEN_DIPLOMACY_CONFIG", str(own_config / "file" / "sub"))
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "o")
        await take(pilot, "right")
        assert "cannot save the settings" in screen_text(app)
        await take(pilot, "escape")
        await take(pilot, "1")
        assert isinstance(app.screen, PlayScreen) and "Couriers carried" in screen_text(app)  # inline


async def test_monkey_with_notes_inline_and_paragraphs(story, tmp_path):
    save(Settings(notes="inline", width=60, reveal="paragraph"))
    await test_app.test_monkey(story, tmp_path, "play")


async def test_the_mouse_closes_the_settings_and_the_note(story, tmp_path):
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "o")
        await pilot.click(SettingsList, offset=(2, 1))  # inside (the width's name): changes it, stays open
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen) and app.settings.width == 80
        await pilot.click(offset=(0, 0))  # outside the dialog
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        await take(pilot, "1")
        assert isinstance(app.screen, NoteDialog)
        await pilot.click(offset=(40, 12))
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and "The station" in str(app.screen.query_one("#header").render())


async def test_an_enter_right_after_the_note_closes_takes_no_choice(story, tmp_path, monkeypatch):
    """The Enter guard starts when the next scene is shown: as the note
    closes, however long it was read (the scene was filled in meanwhile).
    The play screen's clock is a fake one here, so the test does not depend
    on how fast the machine is."""
    from types import SimpleNamespace

    from game.tui import play
    clock = [1000.0]
    monkeypatch.setattr(play, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        clock[0] += 10
        await take(pilot, "1")
        assert isinstance(app.screen, NoteDialog)
        clock[0] += 10  # reading the note
        await take(pilot, "enter")
        assert isinstance(app.screen, PlayScreen) and app.screen.session.play.scene.id == "station"
        await take(pilot, "enter")  # no time after the note closed: not a choice
        assert isinstance(app.screen, PlayScreen) and app.screen.session.play.scene.id == "station"
        clock[0] += play.ENTER_GUARD + 0.1
        await take(pilot, "enter")  # now Enter takes the highlighted choice, "board", with its note
        assert isinstance(app.screen, NoteDialog) and "The night train was watched" in screen_text(app)


async def test_the_pages_follow_the_theme(story, tmp_path):
    """The stats page and the gallery build rich text with the theme's inks,
    not the dark theme's."""
    save(Settings(theme="light"))
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "t")
        fills = set(re.findall(r"fill: (#[0-9a-f]{6})", app.export_screenshot()))
        assert "#5b4a2c" in fills and "#c8b88e" not in fills  # the light theme's labels, not the dark one's


def _side_panel(app) -> str:
    """The side panel's rows as drawn (its strips, as the terminal gets them)."""
    side = app.screen.query_one("#side")
    return "\n".join(side.render_line(y).text.rstrip() for y in range(side.content_size.height)).strip()


async def test_the_side_panel_redraws_what_a_step_changed_and_follows_the_theme(story, tmp_path):
    """The meter panel keeps each line's drawing while the line is unchanged:
    a step must still show the new value and its mark, a line no longer
    shown must go, and a theme change must repaint every line."""
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = _side_panel(app)
        assert "5/10" in before and "▲" not in before and "Carrying the bag: no" in before
        await take(pilot, "1")  # trust += 2, bag = true (a note opens over the next scene)
        await take(pilot, "enter")
        after = _side_panel(app)
        assert "7/10 ▲2" in after and "5/10" not in after
        assert "• Carrying the bag: yes" in after and "Carrying the bag: no" not in after
        dark_panel = "#24211b"
        assert dark_panel in _fills(app)
        await take(pilot, "o")
        for key in ("down", "down", "right", "escape"):
            await take(pilot, key)
        assert app.theme == "od-light" and dark_panel not in _fills(app)
        assert _side_panel(app) == after  # the same lines, in the light theme's colours
