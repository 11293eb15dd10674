"""Small widgets of the play screen. Author text goes in as rich `Text`
objects, never as markup strings: the sources are full of brackets."""

from __future__ import annotations

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


class SafeOptionList(OptionList):
    """OptionList that survives paging before it has been laid out: in
    Textual 8.2.8 PageUp/PageDown on a list squeezed to zero height (a tiny
    terminal) raises KeyError. Found by the monkey test."""

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


class KeyBar(Static):
    """The keys of a screen, drawn once as one line of text. Textual's Footer
    builds a widget per key and rebuilds them whenever a dialog opens or
    closes (~30 ms each time, measured); the keys here never change."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: #3a3326;
        color: #c8b88e;
    }
    """

    def __init__(self, bindings, **kw):
        t = Text(no_wrap=True, overflow="ellipsis")
        for b in bindings:
            if not getattr(b, "show", False) or not b.description:
                continue
            t.append(f" {b.key_display or key_label(b.key)}", style="bold #f2e6c8")
            t.append(f" {b.description} ")
        super().__init__(Content.from_rich_text(t), **kw)
