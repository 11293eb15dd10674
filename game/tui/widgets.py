"""Small widgets of the play screen. Author text goes in as rich `Text`
objects, never as markup strings: the sources are full of brackets."""

from __future__ import annotations

from rich.table import Table

from .safe import Text
from textual.content import Content
from textual.widgets import OptionList, Static

from game.engine.story import Story

BAR = 14


def meter_text(label: str, value: int, lo: int, hi: int, delta: int) -> Text:
    span = max(1, hi - lo)
    filled = round(BAR * (value - lo) / span)
    t = Text()
    t.append(label + "\n", style="#c8b88e")
    t.append("█" * filled, style="#c9a45c")
    t.append("░" * (BAR - filled), style="#5b5140")
    t.append(f" {value}/{hi}")
    if delta:
        t.append(f" {'▲' if delta > 0 else '▼'}{abs(delta)}", style="bold #f2c14e")
    return t


class MeterPanel(Static):
    """Every meter as a gauge, then the other visible variables by label. A
    change since the last step is marked ▲/▼ until the next step."""

    def __init__(self, story: Story, **kw):
        super().__init__(**kw)
        self.story = story

    def show(self, view) -> None:
        """Draw the gauges and values of a view.screen.Screen."""
        t = Text()
        for g in view.gauges:
            t.append_text(meter_text(g.label, g.value, g.lo, g.hi, g.delta))
            t.append("\n\n")
        for v in view.shown:
            t.append("• " if v.changed else "", style="bold #f2c14e")  # before: a wrap never strands it
            t.append(f"{v.label}: ", style="#c8b88e")
            t.append(v.value, style="bold #f2c14e" if v.changed else "")
            t.append("\n")
        self.update(Content.from_rich_text(t))  # native Content renders far faster than rich Text


class Hanging:
    """Rows of (lead, text) where a wrapped text keeps its indent under the
    text, not under the lead (a hanging indent): list bullets, the slot name
    of a save. `lead_width`: the lead column's least width; `lead_max`: its
    most (a longer lead folds onto more lines); `gap`: spaces after it.
    str() gives the plain text (what a test or a screen reader reads)."""

    def __init__(self, rows, lead_width: int | None = None, lead_max: int | None = None, gap: int = 0):
        self.rows = [(lead if isinstance(lead, Text) else Text(lead), text) for lead, text in rows]
        grid = Table.grid(padding=0, expand=True)
        grid.add_column(no_wrap=lead_max is None, min_width=lead_width, max_width=lead_max, overflow="fold")
        if gap:
            grid.add_column(width=gap, no_wrap=True)
        grid.add_column(ratio=1)
        for lead, text in self.rows:
            grid.add_row(lead, Text(" " * gap), text) if gap else grid.add_row(lead, text)
        self.gap = gap
        self.table = grid

    def __rich_console__(self, console, options):
        yield self.table

    def __rich_measure__(self, console, options):
        return self.table.__rich_measure__(console, options)

    def __str__(self) -> str:
        return "\n".join(lead.plain + " " * self.gap + text.plain for lead, text in self.rows)


hanging = Hanging


class SafeOptionList(OptionList):
    """OptionList that survives paging before it has been laid out: in
    Textual 8.2.8 PageUp/PageDown on a list squeezed to zero height (a tiny
    terminal) raises KeyError. Found by the monkey test.

    Its height is worked out for the width left beside a scrollbar: Textual
    8.2.8 measures an auto-height list at its full width but draws it beside
    the scrollbar once one shows, so an option that fits only the full width
    wraps onto a line the height has no room for, which keeps the scrollbar
    showing: the last words of the last choice were hidden (Nero, c01_why at
    100x30). Measured at the narrower width the list is at most a line
    taller, and then always fits without a scrollbar."""

    def get_content_height(self, container, viewport, width: int) -> int:
        return super().get_content_height(container, viewport, max(1, width - self.styles.scrollbar_size_vertical))

    def _move_page(self, direction) -> None:
        if not self._lines or self.scrollable_content_region.height <= 0:
            return
        try:
            super()._move_page(direction)
        except (KeyError, IndexError):
            pass


KEY_NAMES = {"question_mark": "?", "escape": "esc", "enter": "⏎", "space": "space"}


def key_label(key: str) -> str:
    key = key.split(",")[0]
    if key.startswith("ctrl+"):
        return "^" + key[5:]
    return KEY_NAMES.get(key, key)


# Always on the key line, however narrow: the rest are listed by the help.
KEEP_KEYS = ("question_mark", "q")


def fit_keys(keys: list[tuple[str, str, str]], width: int) -> list[tuple[str, str, str, int | None]]:
    """What the key line shows of a screen's keys (binding key, label,
    description) in `width` cells, as (space before, label, description,
    index in `keys` or None for the ellipsis): every key with two spaces
    between when they fit; else one space; else the help and quit keys are
    kept and the others dropped from the right, one ellipsis standing for
    them where the first was."""
    def items(kept, gap):
        out, cut = [], False
        for i, ((key, label, desc), keep) in enumerate(zip(keys, kept)):
            if keep or not cut:
                space = " " if not out else " " * gap
                out.append((space, label, desc, i) if keep else (space, "…", "", None))
                cut = cut or not keep
        return out

    def cost(line):
        return sum(len(sp) + len(label) + (len(desc) + 1 if desc else 0) for sp, label, desc, _ in line)

    kept = [True] * len(keys)
    for gap in (2, 1):
        if cost(items(kept, gap)) <= width:
            return items(kept, gap)
    for i in range(len(keys) - 1, -1, -1):
        if keys[i][0] in KEEP_KEYS:
            continue
        kept[i] = False
        if cost(items(kept, 1)) <= width:
            break
    return items(kept, 1)


class KeyBar(Static):
    """The keys of a screen as one line of text; a click on a key does what
    the key does. Textual's Footer builds a widget per key and rebuilds them
    whenever a dialog opens or closes (~30 ms each time, measured); this
    line is redrawn only when its width changes, and fits it (fit_keys):
    the quit key is never cut off."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: #3a3326;
        color: #c8b88e;
    }
    """

    def __init__(self, bindings, **kw):
        shown = [b for b in bindings if getattr(b, "show", False) and b.description]
        self.keys = [(b.key, b.key_display or key_label(b.key), b.description) for b in shown]
        self.actions = [b.action for b in shown]
        self._width = 80
        super().__init__(self._line(self._width), **kw)

    def _line(self, width: int) -> Content:
        t = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []  # (first cell, cell after the last, action) of each key shown
        for space, label, desc, i in fit_keys(self.keys, width):
            t.append(space)
            start = t.cell_len
            t.append(label, style="bold #f2e6c8")
            if desc:
                t.append(f" {desc}")
            if i is not None:
                self._spans.append((start, t.cell_len, self.actions[i]))
        return Content.from_rich_text(t)

    async def on_click(self, event) -> None:
        """A click on a key does what pressing it does (on this bar's screen)."""
        for start, end, action in self._spans:
            if start <= event.x < end:
                event.stop()
                await self.run_action(f"screen.{action}")
                return

    def on_resize(self, event) -> None:
        width = self.size.width
        if width and width != self._width:
            self._width = width
            self.update(self._line(width), layout=False)


class HeaderLine(Static):
    """The play screen's header: story · chapter · scene on one line when it
    fits; else without the story's title; else chapter and scene on two
    lines (never cut off with an ellipsis while two lines hold it)."""

    parts: tuple = ()

    def show(self, view) -> None:
        self.parts = (view.story_title, view.chapter, view.scene_title)
        self._fit(self.size.width or 80)

    def _fit(self, width: int) -> None:
        story, chapter, scene = self.parts
        place = " · ".join(x for x in (chapter, scene) if x)
        full = " · ".join(x for x in (story, chapter, scene) if x)
        if len(full) <= width or not place:
            text = full
        elif len(place) <= width or not (chapter and scene):
            text = place
        else:
            text = f"{chapter}\n{scene}"
        self.update(Text(text, no_wrap=True, overflow="ellipsis"))

    def on_resize(self, event) -> None:
        if self.parts and self.size.width:
            self._fit(self.size.width)
