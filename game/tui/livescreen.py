"""The play screen as the game opens it: with the live reload's panel
(the story's errors, or what a reload changed on this screen) and keys:
`w` live reload on/off, `j` jump to a scene, `x` hide the panel. See
watch.py for the reload itself and jump.py for the jump dialog."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Static

from game.engine.safetext import inert

from .play import PlayScreen
from .safe import Text
from .themes import ink

MAX_SHOWN = 8  # problems or changes listed in the panel; the rest are counted


class LivePanel(Static):
    """The live reload's panel, just above the choices: the story's errors
    (the game plays on the story as it was), or what the last reload changed."""

    DEFAULT_CSS = """
    LivePanel {
        height: auto;
        max-height: 12;
        padding: 0 1;
        background: $od-panel;
        border: round $od-frame;
        border-title-color: $od-bright;
        display: none;
    }
    LivePanel.-errors {
        border: heavy $od-error;
        background: $od-error-bg;
    }
    LivePanel.-shown {
        display: block;
    }
    """

    kind: str | None = None  # "errors" | "report" while shown

    def show_errors(self, problems: list, folder: str) -> None:
        errors = [p for p in problems if p.is_error]
        t = Text()
        for p in errors[:MAX_SHOWN]:
            t.append(inert(str(p)) + "\n")
        if len(errors) > MAX_SHOWN:
            t.append(f"… and {len(errors) - MAX_SHOWN} more (open-diplomacy lint {inert(folder)})\n", style="italic")
        t.append("The game goes on with the story as it was; it reloads when the files compile.", style="italic")
        self._title(f"The story has {len(errors)} error{'' if len(errors) == 1 else 's'}")
        self._show("errors", t)

    def show_report(self, lines: list[str], warning: str | None, summary: str) -> None:
        t = Text()
        if warning:
            t.append(warning + "\n", style="bold " + ink("od-mark"))
        for line in lines[:MAX_SHOWN]:
            t.append("• " + line + "\n")
        if len(lines) > MAX_SHOWN:
            t.append(f"… and {len(lines) - MAX_SHOWN} more changes\n", style="italic")
        if not lines:
            t.append("Nothing changed on this screen.\n", style="italic")
        t.rstrip()
        self._title(summary)
        self._show("report", t)

    def show_message(self, title: str, message: str) -> None:
        self._title(title)
        self._show("errors", Text(message))

    def _title(self, title: str) -> None:
        # A Text, not a str: a str border title is read as markup, and file
        # names (`notes [draft].yaml`) are part of it.
        self.border_title = Text(f"{title} · x: hide")

    def _show(self, kind: str, t: Text) -> None:
        self.kind = kind
        self.set_class(kind == "errors", "-errors")
        self.update(t)
        self.add_class("-shown")

    def hide(self) -> None:
        self.kind = None
        self.remove_class("-shown")

    def on_click(self) -> None:
        self.hide()


class LivePlayScreen(PlayScreen):
    """The play screen with the live reload's panel and keys (w, j, x)."""

    BINDINGS = [
        *PlayScreen.BINDINGS,
        Binding("w", "toggle_watch", "Watch", show=False),
        Binding("j", "jump", "Jump", show=False),
        Binding("x", "hide_live", "Hide panel", show=False),
    ]

    def compose(self):
        for widget in super().compose():
            if widget.id == "choices":
                yield LivePanel(id="live-panel")
            yield widget

    @property
    def live_panel(self) -> LivePanel:
        return self.query_one("#live-panel", LivePanel)

    def new_screen(self) -> None:
        # A step, an undo or a load: the change report is about a screen
        # that is gone (the errors stay until the story compiles again).
        for panel in self.query(LivePanel):
            if panel.kind == "report":
                panel.hide()
            elif panel.kind is None and self.app.live_folder and self.app.live_errors:
                panel.show_errors(self.app.live_errors, self.app.live_folder)  # a new screen, the story still broken

    def action_toggle_watch(self) -> None:
        self.app.toggle_watch(self.session.story)

    def action_hide_live(self) -> None:
        self.live_panel.hide()

    def action_jump(self) -> None:
        if not self.app.live_folder:
            self.notify("Jumping to a scene is for writing: turn live reload on first (w, or play --watch).",
                        timeout=5, markup=False)
            return
        from .jump import JumpDialog  # noqa: PLC0415
        self.app.push_screen(JumpDialog(self.session.story), callback=self.app.jumped)
