"""The player's pages: the stats screen and the journey chart (`t`), the
ending screen with the chart, the load dialog and the codex with long
entries, the key line and the header at every size, and the choices
panel that must show every word of every option (pilot and snapshot
tests at 60x20, 80x24 and 100x30).

Update the snapshots after an intended change with
`pytest tests/tui --snapshot-update` and review the SVGs."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
import yaml
from textual.widgets import OptionList

from game import load_story
from game.engine.saves import SaveStore
from game.engine.session import Session
from game.tui.app import OpenDiplomacyApp
from game.tui.dialogs import LoadDialog
from game.tui.pages import CodexScreen
from game.tui.play import EndingScreen, PlayScreen
from game.tui.stats import StatsScreen
from tests.tui.test_app import header, screen_text, take

ROOT = Path(__file__).resolve().parent.parent.parent
JOURNEY = ROOT / "tests" / "data" / "journey"
SIZES = [(60, 20), (80, 24), (100, 30)]
# The route to the ending "Sailed": follow, ask, forge, bluff, board.
TO_THE_END = ["1", "1", "1", "1", "1"]


@pytest.fixture(scope="module")
def journey():
    return load_story(str(JOURNEY))


@pytest.fixture
def utc(monkeypatch):
    """Save times are shown in local time: the snapshots are taken in UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def make(story, saves, **kw) -> OpenDiplomacyApp:
    return OpenDiplomacyApp(story, saves=str(saves), seed=0, stories=[story], **kw)


def visible_region_text(app, selector: str) -> str:
    """The words a widget shows on the screen now (its region of the
    screenshot), so a line it cuts off does not count."""
    widget = app.screen.query_one(selector)
    region = widget.region
    lines = []
    for y in range(region.y, region.bottom):
        strip = app.screen._compositor.render_strips()[y]
        lines.append(strip.crop(region.x, region.right).text)
    return " ".join(" ".join(lines).split())


# ---------------------------------------------------------------- stats

async def test_t_opens_the_stats_with_every_visible_variable_and_the_chart(journey, tmp_path):
    app = make(journey, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in ("1", "1", "1"):  # follow, ask, forge: into the second chapter
            await take(pilot, key)
        await take(pilot, "t")
        assert isinstance(app.screen, StatsScreen)
        shown = screen_text(app)
        assert "Stats — The Long Way [sic]" in shown
        # Every visible variable with its label and value; the hidden one not at all.
        assert "Nerve 3 of 10" in shown
        assert "Police attention [1944] 6 of 10" in shown
        assert "Papers forged" in shown
        assert "hidden count" not in shown
        assert "The journey: 3 choices over 2 chapters" in shown
        chart = str(app.screen.query_one("#stats-chart").render())
        assert "Nerve" in chart and "3 of 10 (began at 5; lowest 3, highest 7)" in chart
        assert "█" in chart and "Chapters 1 Vienna, 1938 2 Zurich, 1939" in " ".join(chart.split())
        await take(pilot, "escape")
        assert isinstance(app.screen, PlayScreen)


async def test_the_chart_follows_the_meter_step_by_step_with_chapter_marks(journey, tmp_path):
    app = make(journey, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for key in ("1", "1", "1"):  # nerve 5 -> 7 -> 7 -> 3
            await take(pilot, key)
        await take(pilot, "t")
        lines = str(app.screen.query_one("#stats-chart").render()).split("\n")
        top = next(i for i, line in enumerate(lines) if line.startswith("Nerve"))
        rows = lines[top + 1:top + 5]
        marks = lines[top + 5]
        axis = 3  # the scale: "10 " at the top, " 0 " at the bottom
        assert rows[0].startswith("10 ") and rows[-1].startswith(" 0 ")
        bars = [r[axis:] for r in rows]
        # four steps (start, and after each choice), three columns each
        heights = []
        for col in range(0, 12, 3):
            assert all(b[col:col + 3] == b[col] * 3 for b in bars), "a step is drawn across three columns"
            heights.append(sum(" ▁▂▃▄▅▆▇█".index(b[col]) for b in bars))
        assert heights[0] < heights[1] == heights[2] > heights[3], heights  # 5, 7, 7, 3
        assert heights == [round(32 * v / 10) for v in (5, 7, 7, 3)]
        # chapter 1 begins at the start, chapter 2 after the second choice (the third step's columns)
        assert marks[axis:axis + 9] == "1     2  "


async def test_stats_at_the_start_show_the_defaults(journey, tmp_path):
    app = make(journey, tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await take(pilot, "t")
        shown = screen_text(app)
        assert "Nerve 5 of 10" in shown and "Papers none" in shown
        assert "The journey: 0 choices over 1 chapter" in shown


async def test_stats_by_mouse_from_the_key_line(journey, tmp_path):
    app = make(journey, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one("KeyBar")
        line = str(bar.render())
        x = line.index("t Stats")
        await pilot.click(bar, offset=(x + 2, 0))
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        bar = app.screen.query_one("KeyBar")
        x = str(bar.render()).index("esc Back")
        await pilot.click(bar, offset=(x + 1, 0))
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)


# ---------------------------------------------------------------- the ending

async def test_the_ending_shows_the_journey_below_the_path_and_history(journey, tmp_path):
    app = make(journey, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for key in TO_THE_END:
            await take(pilot, key)
        assert isinstance(app.screen, EndingScreen)
        page = app.screen.query_one("#ending-page")
        history, journey = page.line_of("Your path and history"), page.line_of("The journey: 5 choices")
        assert history is not None and journey is not None and journey > history  # the chart comes below
        page.scroll_to(y=history, animate=False)
        await pilot.pause()
        assert "Your path and history" in screen_text(app)
        page.scroll_end(animate=False)
        await pilot.pause()
        shown = screen_text(app)
        assert "The journey: 5 choices over 3 chapters" in shown
        assert "Chapters 1 Vienna, 1938 2 Zurich, 1939 3 Lisbon, 1940" in shown
        await take(pilot, "t")
        assert isinstance(app.screen, StatsScreen)


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (60, 20)])
async def test_every_key_line_keeps_quit(journey, tmp_path, size):
    app = make(journey, tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert str(app.screen.query_one("KeyBar").render()).rstrip().endswith("q Quit")
        assert "? Help" in str(app.screen.query_one("KeyBar").render())
        for key in TO_THE_END:
            await take(pilot, key)
        assert isinstance(app.screen, EndingScreen)
        line = str(app.screen.query_one("KeyBar").render())
        assert line.rstrip().endswith("q Quit") and len(line.rstrip()) <= size[0]
        assert line.count("Undo") == 1  # the keys are listed once


# ---------------------------------------------------------------- the header

async def test_a_long_header_is_never_cut_at_60_columns(tmp_path):
    d = tmp_path / "story"
    shutil.copytree(JOURNEY, d)
    text = (d / "scenes.yaml").read_text()
    text = text.replace('chapter: "Vienna, 1938"', 'chapter: "Vienna, the Ring, the cafés of the Innere Stadt, 1938"')
    text = text.replace('title: "The café"', 'title: "The man with the folded newspaper"')
    (d / "scenes.yaml").write_text(text)
    story = load_story(str(d))
    app = make(story, tmp_path / "saves")
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        shown = header(app)
        assert "…" not in shown
        assert "Vienna, the Ring, the cafés of the Innere Stadt, 1938" in shown
        assert "The man with the folded newspaper" in shown
        assert app.screen.query_one("#header").region.height == 2
        text_region = app.screen.query_one("#story").region
        assert not app.screen.query_one("#header").region.overlaps(text_region)
    app = make(story, tmp_path / "saves2")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert header(app).startswith("The Long Way [sic] · Vienna")  # all on one line when it fits
        assert app.screen.query_one("#header").region.height == 1


# ---------------------------------------------------------------- choices fit

def four_long_options(tmp_path, width: int) -> Path:
    """A story whose four options fit the choices panel's full width at
    `width` columns but not the width beside a scrollbar (the c01_why case)."""
    d = tmp_path / "fit"
    shutil.copytree(JOURNEY, d)
    inner = width - 2  # the panel's padding
    words = ("Because " + "long before he asked someone let her mother understand " * 3).split()

    def option(n, target):
        text, i = "", 0
        while len(f"{n}. {text} {words[i % len(words)]}") <= target:
            text = f"{text} {words[i % len(words)]}".strip()
            i += 1
        return text + "." * (target - len(f"{n}. {text}"))
    opts = [option(1, inner + 6), option(2, inner - 6), option(3, inner + 4), option(4, inner - 1)]
    scenes = yaml.safe_load((d / "scenes.yaml").read_text())
    scenes["scenes"][1]["choices"] = [{"id": f"c{n}", "text": t, "goto": "s3"} for n, t in enumerate(opts, 1)]
    (d / "scenes.yaml").write_text(yaml.safe_dump(scenes, allow_unicode=True, sort_keys=False))
    return d


@pytest.mark.parametrize("size", [(100, 30), (80, 24), (60, 20)])
async def test_every_word_of_every_option_is_visible(tmp_path, size):
    story = load_story(str(four_long_options(tmp_path, size[0])))
    app = make(story, tmp_path / "saves")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await take(pilot, "1")  # from a scene of two short choices to the four long ones
        assert app.screen.session.play.scene.id == "s2"
        choices = app.screen.query_one("#choices", OptionList)
        assert not choices.show_vertical_scrollbar
        shown = visible_region_text(app, "#choices")
        for c in app.screen.view.choices:
            assert f"{c.number}. {c.text}" in shown, (c.text, shown)


async def test_nero_c01_why_shows_every_word_at_100x30(tmp_path):
    """The case players met: Nero, scene c01_why, at 100x30 (the steps to it
    come from the campaign's historical playthrough)."""
    story = load_story(str(ROOT / "scenes" / "izumi"))
    steps = yaml.safe_load((ROOT / "scenes" / "izumi" / "playthroughs" / "historical.yaml").read_text())["steps"]
    store = SaveStore(tmp_path)
    s = Session.new(story, store, 0)
    replay = story.new_game(0)
    for step in steps:
        if replay.scene.id == "c01_why":
            break
        replay.choose(step)
    assert replay.scene.id == "c01_why", "the historical route no longer passes c01_why"
    for step in replay.steps[:-1]:  # stop one step before: arrive there as a player does
        s.choose(step)
    s.flush()
    last = [c.id for c in s.play.choices()].index(replay.steps[-1]) + 1
    app = make(story, tmp_path, resume=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await take(pilot, str(last))
        if not isinstance(app.screen, PlayScreen):
            await take(pilot, "enter")  # the note
        await pilot.pause()
        assert app.screen.session.play.scene.id == "c01_why"
        shown = visible_region_text(app, "#choices")
        for c in app.screen.view.choices:
            assert f"{c.number}. {c.text}" in shown, (c.text, shown)


# ---------------------------------------------------------------- notices

@pytest.mark.parametrize("size", SIZES)
async def test_no_notice_overlaps_the_text_or_the_choices(journey, tmp_path, size):
    """The codex unlock (and a locked choice's reason) go on the reserved line
    under the header, never over the scene text or the choices."""
    app = make(journey, tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for key in ("1", "1"):  # into the hotel: a codex entry is unlocked
            await take(pilot, key)
        notice = app.screen.query_one("#notice")
        assert notice.display and "New in the codex: Hotel Schweizerhof" in str(notice.render())
        for other in ("#story", "#choices", "#header"):
            assert not notice.region.overlaps(app.screen.query_one(other).region), other
        assert not any("codex" in n.message for n in app._notifications)


# ---------------------------------------------------------------- saves and codex

async def test_slot_names_may_have_spaces_and_stay_in_the_folder(journey, tmp_path):
    app = make(journey, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "s")
        name = app.screen.query_one("#slot-name")
        name.value = "before the border"
        await take(pilot, "enter")
        assert isinstance(app.screen, PlayScreen)
        assert (tmp_path / "journeytest.before the border.json").is_file()
        await take(pilot, "s")
        app.screen.query_one("#slot-name").value = "../outside"
        await take(pilot, "enter")
        assert "a slot name is 1–40 letters, digits, spaces" in screen_text(app)
        assert not (tmp_path.parent / "outside.json").exists()
        await take(pilot, "escape")
        await take(pilot, "l")
        assert isinstance(app.screen, LoadDialog)
        assert "before the border" in screen_text(app)


def saves_with_long_entries(story, folder: Path) -> None:
    """Slots whose lines wrap at 60 columns, with a fixed time."""
    store = SaveStore(folder)
    s = Session.new(story, store, 0)
    for step in ("follow", "ask", "forge"):
        s.choose(step)
    for slot in ("at the station hotel in Zurich", "autosave-previous-20261201-221603", "short"):
        s.save(slot, label=slot)
    s.flush()
    for f in folder.glob("journeytest.*.json"):
        data = json.loads(f.read_text())
        data["time"] = "2026-12-01T09:30:00+00:00"
        f.write_text(json.dumps(data))


async def test_a_wrapped_slot_line_keeps_its_indent(journey, tmp_path, utc):
    saves_with_long_entries(journey, tmp_path)
    app = make(journey, tmp_path, resume=True)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await take(pilot, "l")
        lst = app.screen.query_one("#slot-list", OptionList)
        x0 = lst.content_region.x
        rows = [app.screen._compositor.render_strips()[y].crop(x0, lst.content_region.right).text
                for y in range(lst.content_region.y, lst.content_region.bottom)]
        start = next(i for i, r in enumerate(rows) if r.startswith("at the station"))
        details = rows[start].index("2026-12-01")
        # the slot's details wrap under the details, not under the name
        assert rows[start + 1][:details].strip() in ("", "Zurich")
        assert rows[start + 1][details:].strip()


async def test_a_wrapped_codex_name_keeps_its_indent(journey, tmp_path):
    app = make(journey, tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        for key in ("1", "1"):
            await take(pilot, key)
        await take(pilot, "c")
        assert isinstance(app.screen, CodexScreen)
        lst = app.screen.query_one("#codex-list", OptionList)
        x0, right = lst.content_region.x, lst.content_region.right
        rows = [app.screen._compositor.render_strips()[y].crop(x0, right).text
                for y in range(lst.content_region.y, lst.content_region.bottom)]
        start = next(i for i, r in enumerate(rows) if "Hotel" in r)
        assert rows[start].startswith("  Hotel")
        follow = rows[start + 1]
        assert follow.startswith("  ") and follow.strip(), rows  # the wrapped line is indented too
        assert "Places" in rows[start - 1]


# ---------------------------------------------------------------- snapshots

@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_stats(snap_compare, journey, tmp_path, size):
    assert snap_compare(make(journey, tmp_path), press=["1", "1", "1", "t"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_ending_with_the_journey(snap_compare, journey, tmp_path, size):
    async def to_the_chart(pilot):
        await pilot.pause()
        for key in TO_THE_END:
            await pilot.press(key)
            await pilot.pause()
        page = pilot.app.screen.query_one("#ending-page")
        page.scroll_to(y=page.line_of("Your path and history"), animate=False)
        await pilot.pause()
    assert snap_compare(make(journey, tmp_path), terminal_size=size, run_before=to_the_chart)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_load_dialog_with_long_entries(snap_compare, journey, tmp_path, utc, size):
    saves_with_long_entries(journey, tmp_path)
    app = OpenDiplomacyApp(None, saves=str(tmp_path), seed=0, stories=[journey])  # the title: nothing is saved
    assert snap_compare(app, press=["down", "enter", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_codex(snap_compare, journey, tmp_path, size):
    assert snap_compare(make(journey, tmp_path), press=["1", "1", "c", "down"], terminal_size=size)


async def test_the_end_of_the_ending_page_can_be_reached(journey, tmp_path):
    """Scrolled to its end (End scrolls smoothly, through fractional
    offsets), the ending page shows its last line and no "more text" hint."""
    app = make(journey, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in TO_THE_END:
            await take(pilot, key)
        page = app.screen.query_one("#ending-page")
        assert page.more_below
        await take(pilot, "end")
        await pilot.pause(0.5)
        last = next(line for line in reversed(str(page.render()).splitlines()) if line.strip())
        shown = screen_text(app)
        assert " ".join(last.split()) in shown and "more text" not in shown
