"""Modal dialogs: the note after a choice, save/load, help, a message.

Every dialog closes through `_close`, which ignores a second close: a fast
double press of Enter must not dismiss the screen underneath as well.
"""

from __future__ import annotations

from .safe import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from game.engine.errors import SaveError
from game.engine.model import CodexEntry, Note
from game.engine.saves import AUTOSAVE, PREVIOUS, SaveStore, display_time

from .markdown import render as render_markdown
from .widgets import Hanging, SafeOptionList, SteadyStatic, SteadyVertical, TextPane, hanging


class Dialog(ModalScreen):
    BINDINGS = [Binding("escape", "close", "Close")]
    _done = False

    def _close(self, result=None) -> None:
        if self._done:
            return
        self._done = True
        self.dismiss(result)

    def action_close(self) -> None:
        self._close(None)


class NoteDialog(Dialog):
    """'What really happened', shown after a choice with a note; also announces
    codex entries the step unlocked. One instance is kept and refilled for
    every note: building the screen anew cost ~50 ms a step. Its parts are
    refilled in place (widgets.py), so a new note is one layout and one frame.

    `on_close` runs as it closes, before the screen below is shown again: the
    play screen draws the next scene then, not while the note is open
    (Textual composes the screen under a dialog again whenever it changes,
    for a frame or two more each time)."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("enter", "close", "Continue"),
                Binding("space", "close", show=False)]

    def __init__(self, note: Note | None = None, note_text: str = "", unlocked: tuple[CodexEntry, ...] = ()):
        super().__init__()
        self.note = note
        self.note_text = note_text
        self.unlocked = unlocked

    def compose(self) -> ComposeResult:
        with SteadyVertical(classes="dialog", id="note-dialog"):
            yield SteadyStatic(classes="dialog-title", id="note-title")
            yield TextPane(classes="dialog-body", id="note-body")
            yield SteadyStatic(classes="dialog-source", id="note-codex")
            yield Static("Enter, Escape or a click to continue", classes="dialog-hint")

    def on_mount(self) -> None:
        self._fill()

    heading = "What really happened"
    cited: tuple = ()
    on_close = None

    def on_click(self, event) -> None:
        self._close(None)  # anywhere: the mouse closes it as Enter does

    def dismiss(self, result=None):
        hook, self.on_close = self.on_close, None
        if hook is not None:
            hook()
        return super().dismiss(result)

    def show(self, note: Note | None, note_text: str, unlocked: tuple[CodexEntry, ...],
             story=None, on_close=None) -> "NoteDialog":
        """`story`: the story the note belongs to (its `note_heading` and the
        titles of the sources the note cites, §11.11)."""
        self.note, self.note_text, self.unlocked = note, note_text, unlocked
        self.on_close = on_close
        self.heading = story.data.note_heading if story is not None else "What really happened"
        self.cited = tuple(story.data.cited_titles(note)) if story is not None and note is not None else ()
        self._done = False
        if self.is_mounted:
            self._fill()
        return self

    def _fill(self) -> None:
        note = self.note
        title = self.query_one("#note-title", Static)
        body = self.query_one("#note-body", TextPane)
        if title.display != (note is not None):
            title.display = body.display = note is not None
        if note is not None:
            title.update(Text(self.heading + (f": {note.title}" if note.title else "")))
            source = Content.from_rich_text(source_text(note.source, self.cited)).stylize_before(
                "italic $od-paper-muted")
            body.show(Content.assemble(Content.from_rich_text(render_markdown(self.note_text)), "\n\n", source))
        codex = self.query_one("#note-codex", Static)
        if codex.display != bool(self.unlocked):
            codex.display = bool(self.unlocked)
        if self.unlocked:
            codex.update(Text("New in the codex: " + ", ".join(c.name for c in self.unlocked)))


def source_text(source: str, cited) -> Text:
    """A note's free-text source, then the titles of the works it cites."""
    t = Text("Source: " + source)
    if cited:
        t.append("\nSources: " + "; ".join(cited))
    return t


class MessageDialog(Dialog):
    BINDINGS = [Binding("escape", "close", "Close"), Binding("enter", "close", "OK")]

    def __init__(self, title: str, message: str):
        super().__init__()
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text), classes="dialog-title")
            yield Static(Text(self.message))
            yield Static("Enter to continue", classes="dialog-hint")


class StoryErrorDialog(Dialog):
    """A run-time error of the story: what failed and where, the game kept."""

    BINDINGS = [Binding("escape", "close", "Back to the scene"), Binding("enter", "close", show=False),
                Binding("u", "undo", "Undo")]

    def __init__(self, message: str, can_undo: bool):
        super().__init__()
        self.message = message
        self.can_undo = can_undo

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="story-error"):
            yield Static(Text("The story has an error"), classes="dialog-title")
            yield Static(Text(self.message), id="story-error-text")
            hint = "u undo the last choice · Escape back to the scene" if self.can_undo else "Escape back to the scene"
            yield Static(hint, classes="dialog-hint")

    def action_undo(self) -> None:
        self._close("undo" if self.can_undo else None)


HELP = [
    ("1–9", "take a choice (or arrows and Enter, or click)"),
    ("PgUp / PgDn", "scroll a long scene (Home / End: its start / end)"),
    ("u", "undo the last choice"),
    ("s / l", "save / load a game"),
    ("n", "notes: what really happened, so far"),
    ("c", "codex: people, places, organisations, terms"),
    ("e", "endings found and achievements"),
    ("t", "stats: where you stand, and a chart of the journey"),
    ("b", "sources: the works the notes cite (also from the codex)"),
    ("r", "record this game as a playthrough file"),
    ("w / j / x", "live reload on/off; jump to a scene; hide its panel"),
    ("? / o", "this help; settings (notes, text width, theme, reading)"),
    ("Escape", "back to the title screen"),
    ("q / Ctrl+Q", "quit (the game is autosaved after every step)"),
]


class HelpDialog(Dialog):
    BINDINGS = [Binding("escape", "close", "Close"), Binding("enter", "close", show=False),
                Binding("question_mark", "close", show=False), Binding("b", "sources", "Sources")]

    def __init__(self, stories=None):
        """`stories`: whose sources `b` shows (default: every bundled story)."""
        super().__init__()
        self.stories = stories

    def compose(self) -> ComposeResult:
        t = Text()
        for key, what in HELP:
            t.append(f"{key:>12}  ", style="bold")
            t.append(what + "\n")
        with Vertical(classes="dialog", id="help-dialog"):
            yield Static("Keys", classes="dialog-title")
            yield Static(t)
            yield SafeOptionList(Option(Text("Sources: the works behind the notes (b)"), id="sources"),
                                 id="help-menu", markup=False)
            yield Static("Every step is autosaved: Continue on the title screen resumes it.",
                         classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id == "sources":
            self.action_sources()

    def action_sources(self) -> None:
        from .pages import SourcesScreen  # noqa: PLC0415 (pages imports this module)
        stories = self.stories if self.stories is not None else self.app.stories()
        if self._done:
            return
        self._close(None)
        self.app.push_screen(SourcesScreen(stories))


def slot_line(s: dict) -> Hanging:
    """A slot of the save and load dialogs: its name, then when and where; a
    line that wraps stays indented under the when and where."""
    t = Text()
    if s["error"]:
        t.append(f"damaged: {s['error']}")
    else:
        t.append(f"{display_time(s['time'])}  ")
        t.append(" — ".join(x for x in (s["chapter"], s["scene_title"]) if x))
        if s["ended"]:
            t.append("  (ended)")
    return hanging([(Text(s["slot"], style="bold"), t)], lead_width=12, lead_max=24, gap=1)


class SaveDialog(Dialog):
    """Save into a named slot: type a new name, or pick a slot to overwrite.
    Dismisses with the slot name saved into, or None."""

    def __init__(self, store: SaveStore, story_id: str, save_fn):
        super().__init__()
        self.store = store
        self.story_id = story_id
        self.save_fn = save_fn  # slot -> None; raises SaveError/OSError

    def compose(self) -> ComposeResult:
        slots = [s for s in self.store.slots(self.story_id) if s["slot"] != AUTOSAVE]
        n = 1
        names = {s["slot"] for s in slots}
        while f"save{n}" in names:
            n += 1
        with Vertical(classes="dialog", id="save-dialog"):
            yield Static("Save game", classes="dialog-title")
            from textual.widgets import Input  # noqa: PLC0415 (only the save dialog needs it: ~6 ms)
            name = Input(value=f"save{n}", placeholder="slot name", id="slot-name", max_length=40)
            name.cursor_blink = False  # steady: calmer, and stable in snapshots
            yield name
            yield Static("", id="save-error")
            if slots:
                yield Static("…or overwrite a slot:")
                yield SafeOptionList(*[Option(slot_line(s), id=s["slot"]) for s in slots], id="slot-list",
                                 markup=False)
            yield Static("Enter to save, Escape to cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#slot-name").focus()

    def _save(self, slot: str) -> None:
        try:
            self.save_fn(slot)
        except SaveError as exc:
            self.query_one("#save-error", Static).update(Text(exc.reason))
            return
        except OSError as exc:
            self.query_one("#save-error", Static).update(Text(f"cannot save: {exc.strerror or exc}"))
            return
        self._close(slot)

    def on_input_submitted(self, event) -> None:
        event.stop()
        self._save(event.value.strip())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id:
            self._save(event.option_id)


class LoadDialog(Dialog):
    """Pick a slot to load; unreadable saves are listed with the reason and
    cannot be picked. Dismisses with the slot name or None."""

    def __init__(self, store: SaveStore, story_id: str, story_title: str):
        super().__init__()
        self.store = store
        self.story_id = story_id
        self.story_title = story_title

    def compose(self) -> ComposeResult:
        slots = self.store.slots(self.story_id)
        with Vertical(classes="dialog", id="load-dialog"):
            yield Static(Text(f"Load a saved game — {self.story_title}"), classes="dialog-title")
            if slots:
                yield SafeOptionList(*[Option(slot_line(s), id=s["slot"], disabled=bool(s["error"]))
                                   for s in slots], id="slot-list", markup=False)
            else:
                yield Static("No saved games yet.")
            yield Static("Enter to load, Escape to cancel", classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id:
            self._close(event.option_id)


class GameInProgressDialog(Dialog):
    """Asked before a new game of a story whose autosave holds a game in
    progress: dismisses with "continue", "new" or None (Escape)."""

    BINDINGS = [Binding("escape", "close", "Back"), Binding("c", "pick('continue')", show=False),
                Binding("o", "pick('new')", show=False)]

    def __init__(self, story_title: str, info: dict):
        super().__init__()
        self.story_title = story_title
        self.info = info

    def compose(self) -> ComposeResult:
        info = self.info
        where = " — ".join(x for x in (info["chapter"], info["scene_title"]) if x)
        when = display_time(info["time"])
        about = Text(f"You have a game of {self.story_title} in progress:\n")
        about.append(where or "(no scene title)", style="bold")
        if when:
            about.append(f"\nsaved {when}")
        with Vertical(classes="dialog", id="in-progress-dialog"):
            yield Static(Text("A game is in progress"), classes="dialog-title")
            yield Static(about, id="in-progress-where")
            yield SafeOptionList(
                Option(Text("Continue this game"), id="continue"),
                Option(Text(f"Start over (this game is kept in the slot '{PREVIOUS}')"), id="new"),
                id="in-progress-choice", markup=False)
            yield Static("Enter to choose, c continue, o start over, Escape to go back", classes="dialog-hint")

    def on_mount(self) -> None:
        menu = self.query_one("#in-progress-choice", OptionList)
        menu.focus()
        menu.highlighted = 0

    def action_pick(self, what: str) -> None:
        self._close(what)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id:
            self._close(event.option_id)
