"""The stats screen (`t`): every visible variable with its label and value,
and the journey: a chart of each meter over this game's steps, drawn with
block characters, the chapters marked. The ending screen shows the same
chart (`journey_section`). The values come from game/view/journey.py."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from game.engine.session import Session
from game.view.journey import Journey, build_journey, chapter_legend, chart, meter_summary

from .pages import Page
from .safe import Text
from .themes import ink
from .widgets import KeyBar

# Chapters alternate between two inks, so each one's stretch of the chart
# shows (the theme's: themes.ink).
BANDS = ("od-fill", "od-band")
AXIS = "od-dim"


def journey_text(j: Journey, width: int, height: int) -> Text:
    """Every meter of the journey as a bar chart `width` cells wide."""
    t = Text()
    for n, s in enumerate(j.meters):
        if n:
            t.append("\n\n")
        t.append(s.label, style="bold " + ink("od-label"))
        t.append(f"  {meter_summary(s)}\n", style=ink("od-label"))
        c = chart(s, j.chapters, width, height)
        pad = " " * len(c.axis[0])
        for axis, row in zip(c.axis, c.rows):
            t.append(axis, style=ink(AXIS))
            _banded(t, row, c.column_chapter)
            t.append("\n")
        t.append(pad)
        _banded(t, c.marks, c.column_chapter)
    if j.meters and j.chapters:
        t.append("\n\nChapters\n", style="bold " + ink("od-label"))
        t.append("\n".join(chapter_legend(j, width)), style=ink("od-label"))
    if not j.meters:
        t.append("This story has no meters to chart.", style="italic")
    return t


def _banded(t: Text, cells: str, column_chapter) -> None:
    """Append `cells`, each run of one chapter in that chapter's ink."""
    start = 0
    for c in range(1, len(cells) + 1):
        if c == len(cells) or column_chapter[c] != column_chapter[start]:
            t.append(cells[start:c], style=ink(BANDS[max(0, column_chapter[start]) % 2]))
            start = c


class JourneyChart(Static):
    """The journey's charts, drawn again for the width they are given."""

    def __init__(self, journey: Journey, **kw):
        super().__init__(**kw)
        self.journey = journey
        self._width = 0

    def on_mount(self) -> None:
        self._draw()

    def on_resize(self, event) -> None:
        self._draw()

    def _draw(self) -> None:
        width = self.size.width or max(20, self.app.size.width - 6)
        if width == self._width:
            return
        self._width = width
        height = 4 if self.app.size.height >= 30 else 3
        self.update(Content.from_rich_text(journey_text(self.journey, min(width, 120), height)))


def journey_title(j: Journey) -> str:
    chapters = len(j.chapters)
    return (f"The journey: {j.steps} choice{'s' if j.steps != 1 else ''}"
            + (f" over {chapters} chapter{'s' if chapters != 1 else ''}" if chapters else ""))


def journey_section(session: Session) -> ComposeResult:
    """The journey's heading and chart, for a page (the ending screen)."""
    j = build_journey(session)
    if not j.meters:
        return
    yield Static(Text(journey_title(j)), classes="page-section")
    yield JourneyChart(j, classes="journey-chart")


class StatsScreen(Page):
    """Where the player stands, and how the meters moved over this game."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        j = build_journey(self.session)
        with VerticalScroll(classes="page", id="stats-page"):
            yield Static(Text(f"Stats — {j.story_title}"), classes="page-title")
            yield Static("Where you stand", classes="page-section")
            if j.stats:
                grid = Table.grid(padding=(0, 2))
                grid.add_column(style=ink("od-label"), max_width=40)
                grid.add_column(style="bold " + ink("od-bright"))
                for s in j.stats:
                    grid.add_row(Text(s.label), Text(s.value))
                yield Static(grid, id="stats-values")
            else:
                yield Static("This story shows no variables.")
            yield Static(Text(journey_title(j)), classes="page-section")
            yield JourneyChart(j, id="stats-chart", classes="journey-chart")
        yield KeyBar(self.BINDINGS)
