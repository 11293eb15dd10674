"""The settings screen (`o` on the play and title screens).

One row per setting (game/settings.py) with every value on it and the
current one marked. Up and Down move between the rows; Left and Right, Enter
or Space change the value; a click on a value picks it, a click on the
setting's name moves to its next value. A change applies at once and is
saved; Escape closes the screen.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from game import settings as prefs

from .dialogs import Dialog
from .safe import Text

LABEL_WIDTH = 12


class SettingsList(Widget, can_focus=True):
    """The settings as rows: name, then each value (● the current one)."""

    BINDINGS = [
        Binding("up", "move(-1)", show=False), Binding("down", "move(1)", show=False),
        Binding("left", "change(-1)", show=False), Binding("right", "change(1)", show=False),
        Binding("enter", "change(1)", show=False), Binding("space", "change(1)", show=False),
    ]
    COMPONENT_CLASSES = {"settings-list--cursor", "settings-list--current"}
    DEFAULT_CSS = """
    SettingsList {
        height: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, settings: prefs.Settings, **kw):
        super().__init__(**kw)
        self.settings = settings
        self.cursor = 0
        self._hits: list[list[tuple[int, int, object]]] = []  # per row: (from x, to x, value)

    def render(self) -> Content:
        lines, self._hits = [], []
        for row, (key, title, options) in enumerate(prefs.SETTINGS):
            current = getattr(self.settings, key)
            parts: list = [f" {title:<{LABEL_WIDTH}}"]
            x = 1 + max(LABEL_WIDTH, len(title))
            hits = []
            for value, label in options:
                mark = "●" if value == current else "○"
                piece = f"{mark} {label}"
                parts.append((piece, "bold" if value == current else ""))
                hits.append((x, x + len(piece), value))
                parts.append("  ")
                x += len(piece) + 2
            self._hits.append(hits)
            line = Content.assemble(*parts)
            if row == self.cursor:
                line = line.stylize_before(".settings-list--cursor" if self.has_focus else "reverse")
            lines.append(line)
        return Content("\n").join(lines)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(prefs.SETTINGS)

    @property
    def key(self) -> str:
        return prefs.SETTINGS[self.cursor][0]

    def _set(self, settings: prefs.Settings) -> None:
        if settings != self.settings:
            self.settings = settings
            self.post_message(SettingsList.Changed(settings))
        self.refresh()

    def action_move(self, step: int) -> None:
        self.cursor = (self.cursor + step) % len(prefs.SETTINGS)
        self.post_message(SettingsList.Moved())
        self.refresh()

    def action_change(self, step: int) -> None:
        self._set(self.settings.cycle(self.key, step))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not 0 <= offset.y < len(self._hits):
            return
        self.cursor = offset.y
        self.post_message(SettingsList.Moved())
        for start, end, value in self._hits[offset.y]:
            if start <= offset.x < end:
                self._set(self.settings.with_(self.key, value))
                return
        self._set(self.settings.cycle(self.key))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    class Changed(events.Message):
        def __init__(self, settings: prefs.Settings):
            super().__init__()
            self.settings = settings

    class Moved(events.Message):
        pass


class SettingsScreen(Dialog):
    """Settings, applied and saved as they change; Escape (or `o`) closes."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("o", "close", show=False)]

    def __init__(self, settings: prefs.Settings):
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="settings-dialog"):
            yield Static("Settings", classes="dialog-title")
            yield SettingsList(self.settings, id="settings-list")
            yield Static(id="settings-help", classes="dialog-source")
            yield Static("", id="settings-error")
            yield Static("↑↓ choose · ←→ Enter click: change · Escape or a click outside: close",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(SettingsList).focus()
        self.query_one("#settings-error").display = False
        self._describe()

    def on_click(self, event: events.Click) -> None:
        if event.widget is self:  # on the backdrop, outside the dialog
            self._close(None)

    def _describe(self) -> None:
        key = self.query_one(SettingsList).key
        self.query_one("#settings-help", Static).update(Text(prefs.HELP[key]))

    def on_settings_list_moved(self, event: SettingsList.Moved) -> None:
        event.stop()
        self._describe()

    def on_settings_list_changed(self, event: SettingsList.Changed) -> None:
        event.stop()
        self.settings = event.settings
        error = self.app.apply_settings(event.settings)
        shown = self.query_one("#settings-error", Static)
        shown.update(Text(error or ""))
        shown.display = bool(error)
