"""The jump dialog (`j` while live reload is on): start again in any scene,
in a state the explorer proves reachable, by the shortest known way
(game/playtest/reach.py, the same as `play --at SCENE --where COND`).

Type a scene id (Tab or → completes it; the list below shows the scenes
that match: Down goes there, Enter on one picks it), optionally a
condition in the story's variables, and Enter. The search runs in a thread; Escape cancels it.
Dismisses with the Playthrough found, or None.
"""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from game.playtest.reach import MAX_STATES, WhereError, compile_where, find_state, start_at

from .dialogs import Dialog
from .safe import Text
from .widgets import SafeOptionList

MAX_LISTED = 40  # scenes shown in the filtered list


class CompletingInput(Input):
    """An Input where Tab completes (to the suggestion shown, else moves
    on), and Down goes to the list of matching scenes."""

    BINDINGS = [Binding("tab", "complete", show=False), Binding("down", "to_list", show=False)]

    def __init__(self, choices: list[str], **kw):
        super().__init__(suggester=SuggestFromList(choices, case_sensitive=False), **kw)
        self.choices = choices

    def action_to_list(self) -> None:
        ol = self.screen.query_one("#jump-list", OptionList)
        if ol.option_count:
            if ol.highlighted is None:
                ol.highlighted = 0
            ol.focus()

    def action_complete(self) -> None:
        # Decided here, not from the suggester (which answers later): a Tab
        # typed right after the letters completes them all the same.
        typed = self.value.lower()
        match = next((c for c in self.choices if c.lower().startswith(typed)), None) if typed else None
        if match is not None and match != self.value:
            self.value = match
            self.cursor_position = len(match)
        else:
            self.screen.focus_next()


class Searched(Message):
    """Posted by the search thread."""

    def __init__(self, play, why: str, lines: list[str]):
        super().__init__()
        self.play = play
        self.why = why
        self.lines = lines


def scene_matches(story, typed: str) -> list[str]:
    """Scene ids matching what is typed: those that start with it first,
    then those containing it (in the id or the title), in story order."""
    t = typed.strip().lower()
    ids = list(story.scenes)
    if not t:
        return ids
    first = [s for s in ids if s.lower().startswith(t)]
    rest = [s for s in ids if s not in first and (t in s.lower() or t in (story.scenes[s].title or "").lower())]
    return first + rest


class JumpDialog(Dialog):
    BINDINGS = [Binding("escape", "close", "Cancel")]

    # Compact, so that everything fits at 80x24: one-line inputs, the
    # status right under them (never scrolled out of sight), a short list.
    DEFAULT_CSS = """
    #jump-dialog Input {
        border: none;
        height: 1;
        padding: 0 1;
        margin: 0 0 1 0;
        background: $od-paper-list;
        color: $od-ink;
    }
    #jump-dialog Input:focus {
        background: $od-paper-focus;
    }
    #jump-status {
        color: $od-stamp;
        height: auto;
    }
    """

    def __init__(self, story, max_states: int = MAX_STATES):
        super().__init__()
        self.story = story
        self.max_states = max_states
        self._cancelled = False
        self._searching = False
        self.searched = asyncio.Event()  # set when a search has ended (for tests)
        self.last_why = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="jump-dialog"):
            yield Static("Jump to a scene", classes="dialog-title")
            yield CompletingInput(list(self.story.scenes), placeholder="scene id (Tab completes)", id="jump-scene")
            yield Input(placeholder="where (optional), e.g. trust >= 3 and not family", id="jump-where")
            yield Static(id="jump-status", markup=False)
            yield SafeOptionList(id="jump-list", markup=False)
            yield Static("Enter: go by the shortest known way · Escape: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#jump-list").styles.max_height = 6  # app.tcss's `.dialog OptionList` outranks DEFAULT_CSS
        self._fill("")
        self.query_one("#jump-scene").focus()

    def _fill(self, typed: str) -> None:
        ol = self.query_one("#jump-list", OptionList)
        ol.clear_options()
        scenes = self.story.scenes
        for sid in scene_matches(self.story, typed)[:MAX_LISTED]:
            sc = scenes[sid]
            t = Text()
            t.append(sid, style="bold")
            if sc.title:
                t.append(f" — {sc.title}")
            if sc.ending is not None:
                t.append("  (ending)", style="italic")
            ol.add_option(Option(t, id=sid))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "jump-scene":
            self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.go()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        scene = self.query_one("#jump-scene", Input)
        scene.value = event.option_id or ""
        self.query_one("#jump-where", Input).focus()

    def status(self, text: str) -> None:
        self.query_one("#jump-status", Static).update(Text(text))

    def go(self) -> None:
        if self._searching:
            return
        scene = self.query_one("#jump-scene", Input).value.strip()
        where_src = self.query_one("#jump-where", Input).value
        if not scene:
            self.status("Type a scene id (or pick one from the list).")
            return
        where = None
        if where_src.strip():
            try:
                where = compile_where(self.story, where_src)
            except WhereError as exc:
                self.status("\n".join(exc.lines("where")))
                self.searched.set()
                return
        self._searching = True
        self.searched.clear()
        self.status(f"Looking for the shortest way into '{scene}'…")
        story, limit = self.story, self.max_states

        def search() -> None:
            try:
                reach = find_state(story, scene, where, max_states=limit, should_stop=lambda: self._cancelled)
                play = start_at(story, reach, where) if reach.found else None
                why = reach.why
            except ValueError as exc:
                play, why = None, str(exc)
            self.post_message(Searched(play, why, []))
        self.run_worker(search, thread=True, exclusive=True, group="jump", exit_on_error=False)

    def on_searched(self, msg: Searched) -> None:
        self._searching = False
        self.last_why = msg.why
        if msg.play is not None:
            self._close(msg.play)
        else:
            self.status(msg.why)
        self.searched.set()

    def action_close(self) -> None:
        self._cancelled = True
        self._close(None)
