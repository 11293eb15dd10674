"""The play screen and the ending screen."""

from __future__ import annotations

import time

from .safe import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from game.engine.errors import SaveError, StoryRuntimeError
from game.engine.session import Session

from game.engine.safetext import inert
from game.playtest.playthrough import record
from game.view.markdown import paragraphs
from game.view.screen import build_screen, build_step, pick

from .dialogs import HelpDialog, LoadDialog, SaveDialog, StoryErrorDialog
from .markdown import render as render_markdown
from .widgets import (Hang, HangingLine, HeaderLine, KeyBar, MeterPanel, SafeOptionList, SteadyHorizontal, SteadyStatic,
                      SteadyVertical, TextPane)


# Enter on the choices is ignored this long after a new scene appears.
ENTER_GUARD = 0.5


def choice_prompt(i: int, text: str, reason: str | None) -> HangingLine:
    """A choice as the list shows it: its number, then its text (and a
    locked choice's reason), wrapped lines kept under the text."""
    body = Content(text)
    if reason:
        body = body + Content.styled(f"  — {reason}", "italic")
    return HangingLine(Content.styled(f"{i}. ", "bold"), body)


class GameScreen(Screen):
    """Shared keys of the screens that show a game in progress."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session

    @property
    def store(self):
        return self.session.store

    def action_help(self) -> None:
        self.app.push_screen(HelpDialog([self.session.story]))

    def action_title(self) -> None:
        self.app.show_title()

    def action_quit(self) -> None:
        self.app.exit()

    def action_endings(self) -> None:
        from .pages import EndingsScreen  # noqa: PLC0415
        self.app.push_screen(EndingsScreen(self.app.store, [self.session.story], self.session.play))

    def action_codex(self) -> None:
        from .pages import CodexScreen  # noqa: PLC0415
        self.app.push_screen(CodexScreen(self.app.store, [self.session.story], self.session.play))

    def action_notes(self) -> None:
        from .pages import NotesScreen  # noqa: PLC0415
        self.app.push_screen(NotesScreen(self.session))

    def action_stats(self) -> None:
        from .stats import StatsScreen  # noqa: PLC0415
        self.app.push_screen(StatsScreen(self.session))

    def action_record(self) -> None:
        try:
            path = record(self.session)
        except OSError as exc:
            self.notify(f"Cannot record: {exc.strerror or exc}", severity="error", markup=False)
            return
        self.notify(f"Recorded as a playthrough file: {path}", title="Recorded", timeout=6, markup=False)


class PlayScreen(GameScreen):
    BINDINGS = [
        Binding("u", "undo", "Undo"),
        Binding("s", "save", "Save"),
        Binding("l", "load", "Load"),
        Binding("n", "notes", "Notes"),
        Binding("c", "codex", "Codex"),
        Binding("t", "stats", "Stats"),
        Binding("e", "endings", "Endings", show=False),
        Binding("r", "record", "Record", show=False),  # in the help: so that Settings and Title fit 80 columns
        Binding("question_mark", "help", "Help"),
        Binding("o", "settings", "Settings"),
        Binding("escape", "title", "Title"),
        Binding("q", "quit", "Quit"),
        Binding("space", "read_on", show=False),
        # Focus stays on the choices; these scroll the scene text instead.
        Binding("pageup", "scroll_text(-1)", "Scroll up", show=False, priority=True),
        Binding("pagedown", "scroll_text(1)", "Scroll down", show=False, priority=True),
        Binding("home", "scroll_text(-1000)", show=False, priority=True),
        Binding("end", "scroll_text(1000)", show=False, priority=True),
        *[Binding(str(i), f"pick({i})", show=False) for i in range(1, 10)],
    ]

    _stale = False  # the game went on while another screen was shown: draw it when shown again

    def __init__(self, session: Session):
        super().__init__(session)
        self._shown_at = 0.0
        self._note = None  # the view.screen.NoteView of the step that led here
        self._units: list[Content] = []  # the text as drawn: paragraphs (or all of it), then an inline note
        self._revealed = 0  # how many of them are shown

    @property
    def settings(self):
        return self.app.settings

    def compose(self) -> ComposeResult:
        with SteadyVertical(id="top"):  # header and notice stack (two docked widgets would overlap)
            yield HeaderLine(id="header")
            yield SteadyStatic(id="notice", markup=False)
        with SteadyHorizontal(id="body"):
            yield TextPane(self.settings.width, id="story")
            yield MeterPanel(self.session.story, id="side")
        yield SafeOptionList(id="choices", markup=False)
        yield KeyBar(self.BINDINGS)

    async def on_mount(self) -> None:
        await self.show_scene(None)
        self.query_one("#choices").focus()
        self.call_after_refresh(self._after_first_paint)
        play = self.session.play
        start_codex = None
        if not play.steps and play.unlocked:  # the start scene's entries have no step to announce them
            codex = self.session.story.codex
            start_codex = "New in the codex: " + ", ".join(codex[c].name for c in play.unlocked if c in codex) + \
                " (c to read)."
        self.show_notice(start_codex)
        if self.session.play.ended:
            self.call_after_refresh(self.show_ending)

    def _after_first_paint(self) -> None:
        if not self.is_attached:
            return
        self.app.first_scene_painted()

    def on_screen_resume(self) -> None:
        if self._stale:
            self._show(None, read=True)

    # ------------------------------------------------------------ showing
    async def show_scene(self, before: dict | None, note=None, revealed: int = 0) -> None:
        """Draw the screen the player stands on. `before`: the state before
        the last step (for the meters' marks); `note`: that step's note
        (a view.screen.NoteView), drawn below the text when notes are inline;
        `revealed`: paragraphs already read of this scene (a live reload
        redraws it): shown at once. Every widget is refilled in place (see
        widgets.py)."""
        self._show(before, note, revealed=revealed)

    def _show(self, before: dict | None, note=None, read: bool = False, revealed: int = 0) -> None:
        """`read`: the player has read this scene already (after an undo):
        all of it at once, whatever the setting."""
        self.new_screen()
        self._stale = False
        self._shown_at = time.monotonic()
        view = self.view = build_screen(self.session, before)
        self._note = note
        self.query_one("#header", HeaderLine).show(view)
        by_paragraph = self.settings.reveal == "paragraph" and not read
        self._units = self._text_units(view, note, by_paragraph=by_paragraph)
        self._revealed = max(1, min(revealed, len(self._units))) if by_paragraph else len(self._units)
        self._draw_text("home")
        self.query_one("#side", MeterPanel).show(view)
        self._fill_choices()

    def new_screen(self) -> None:
        """Called before each new screen is drawn (a step, an undo, a load, a
        reload): for a subclass's panels (livescreen.py)."""

    def _text_units(self, view, note, by_paragraph: bool) -> list[Content]:
        texts = paragraphs(view.text) if by_paragraph else ([view.text] if view.text.strip() else [])
        units = [Content.from_rich_text(render_markdown(t)) for t in texts]
        if note is not None and self.settings.notes == "inline":
            units.append(note_content(note))
        return units

    @property
    def revealed(self) -> int:
        """How many of the scene's paragraphs are shown (paragraph by paragraph)."""
        return self._revealed

    @property
    def reading(self) -> bool:
        """Paragraphs of this scene are still to come (its choices are not shown yet)."""
        return self._revealed < len(self._units)

    def _draw_text(self, scroll) -> None:
        parts: list = ["\n"]  # a blank line above the text, and one below it
        for i, unit in enumerate(self._units[:self._revealed]):
            if i:
                parts.append("\n\n")
            parts.append(unit)
        parts.append("\n")
        self.query_one("#story", TextPane).show(Content.assemble(*parts), scroll=scroll)

    def _fill_choices(self) -> None:
        view = self.view
        if self.reading:
            left = len(self._units) - self._revealed
            options = [Option(Text(f"▼ Read on: Enter or Space ({left} more)"), id="__more__")]
        elif view.ended:
            options = [Option(Text("The story has ended: Enter to see how it ended"), id="__ending__")]
        else:
            options = [Option(choice_prompt(c.number, c.text, None if c.enabled else c.reason),
                              id=c.id, disabled=not c.enabled) for c in view.choices]
        choices = self.query_one("#choices", OptionList)
        choices.set_options(options)
        choices.highlighted = next((i for i, o in enumerate(options) if not o.disabled), None)

    def action_read_on(self) -> None:
        """The next paragraph (Enter or Space, or a click on "Read on");
        after the last one, the choices."""
        if not self.reading:
            return
        pane = self.query_one("#story", TextPane)
        start = pane.line_count  # where the new paragraph begins
        self._revealed += 1
        self._draw_text(start)
        if not self.reading:
            self._shown_at = time.monotonic()  # the choices are new: the Enter guard starts now
            self._fill_choices()
        else:
            left = len(self._units) - self._revealed
            self.query_one("#choices", OptionList).replace_option_prompt_at_index(
                0, Text(f"▼ Read on: Enter or Space ({left} more)"))

    def settings_changed(self, old) -> None:
        """Draw the scene again under the new settings (what has been read stays shown)."""
        new = self.settings
        pane = self.query_one("#story", TextPane)
        pane.set_measure(new.width)
        if (new.notes, new.reveal) == (old.notes, old.reveal):
            return
        was_reading = self.reading
        self._units = self._text_units(self.view, self._note, by_paragraph=new.reveal == "paragraph")
        self._revealed = len(self._units)  # nothing read is hidden again
        self._draw_text("keep")
        if was_reading or self.view.ended or not self.query_one("#choices", OptionList).option_count:
            self._fill_choices()

    def show_notice(self, extra: str | None = None) -> None:
        """The reserved line under the header: the story-changed notice, saving
        off, a locked choice's reason, new codex entries. Never a toast over
        the text or the choices."""
        play = self.session.play
        self._notice_parts = parts = [x for x in (play.notice, self.session.achievement_notice(), extra) if x]
        self._notice_error = err = self.session.autosave_error
        self._set_notice(" ".join(inert(x) for x in ([err] if err else []) + parts))
        play.notice = None
        self.set_timer(0.05, self._after_saving)

    def _set_notice(self, msg: str) -> None:
        old = getattr(self, "_notice_shown", "")
        if msg == old:
            return  # unchanged: no layout
        self._notice_shown = msg
        notice = self.query_one("#notice", Static)
        if msg:
            # Shown before and as tall now: no layout.
            width = notice.content_size.width
            same = notice.has_class("shown") and width > 0 and \
                len(Content(msg).wrap(width)) == notice.content_size.height
            notice.update(Text(msg), layout=not same)
        notice.set_class(bool(msg), "shown")

    def _after_saving(self) -> None:
        """The autosave is written behind the key handler: when it is done
        (looked at without waiting for it), say so on the notice line if
        saving failed."""
        if not self.is_attached:
            return
        store = self.session.store
        if store is not None and not store.written:
            self.set_timer(0.1, self._after_saving)
            return
        err = self.session.autosave_error
        if err != getattr(self, "_notice_error", None):
            self._notice_error = err
            self._set_notice(" ".join(inert(x) for x in ([err] if err else []) + getattr(self, "_notice_parts", [])))

    # ------------------------------------------------------------ choosing
    async def action_pick(self, n: int) -> None:
        if self.view.ended and not self.reading:
            self.show_ending()
            return
        if self.reading:  # a number must not take a choice the player has not seen
            self.show_notice("Read on first: Enter or Space shows the next paragraph; the choices come after it.")
            return
        c, why = pick(self.view, n)
        if c is None:
            if n > len(self.view.choices):
                self.app.bell()
            else:
                self.show_notice(why)
            return
        await self.take(c.id)

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id == "__more__":
            self.action_read_on()
            return
        if time.monotonic() - self._shown_at < ENTER_GUARD:
            return  # an Enter meant for the note that did not come must not choose blind
        if event.option_id == "__ending__":
            self.show_ending()
        elif event.option_id is not None:
            await self.take(event.option_id)

    async def take(self, choice_id: str) -> None:
        play = self.session.play
        if self.view.ended or self.reading or choice_id not in {c.id for c in self.view.choices if c.enabled}:
            return  # a stale click or key from the previous scene
        before = dict(play.state)
        try:
            result = self.session.choose(choice_id)
        except StoryRuntimeError as exc:
            self.app.push_screen(StoryErrorDialog(exc.for_player(), play.can_undo), callback=self._error_closed)
            return
        step = build_step(self.session, result)
        notes = self.settings.notes
        if step.note is not None and notes == "dialog":
            # The note first (it names the codex entries too). The play screen
            # is refilled once the note has been drawn, while it is read (so
            # that closing it is only a repaint), or as it closes if that
            # comes first; then the Enter guard starts (see NoteDialog).
            filled = []

            def fill() -> None:
                if not filled and self.is_attached:  # not left meanwhile (a key queued before the note)
                    filled.append(True)
                    self._show(before, step.note)
                    self.show_notice(None)

            def closing() -> None:
                fill()
                self._shown_at = time.monotonic()
            self.app.push_screen(self.app.note_dialog().show(result.note, step.note.text, result.unlocked,
                                                             self.session.story, on_close=closing),
                                 callback=lambda _: self.after_step())
            self.app.call_after_refresh(fill)  # after the note's frame
            return
        if self.session.play.ended and self.settings.reveal == "all" and self.is_current:
            # Straight to the ending screen (it has the scene's text too): the
            # play screen is drawn again only when it is shown again.
            self.view = build_screen(self.session, before)
            self._stale = True
            self.show_ending()
            return
        self._show(before, step.note)
        codex = "New in the codex: " + ", ".join(step.unlocked) + " (c to read)." if step.unlocked else None
        if step.note is not None and notes == "log":
            codex = " ".join(x for x in (f"{step.note.heading}: a new note is in the notes log (n).", codex) if x)
        self.show_notice(codex)  # codex entries go on the notice line (a toast would cover the text)
        self.after_step()

    async def _error_closed(self, result) -> None:
        if result == "undo":
            await self.action_undo()

    def after_step(self) -> None:
        if self.session.play.ended and self.is_current and not self.reading:
            self.show_ending()

    def show_ending(self) -> None:
        if not self.is_attached or not self.is_current:
            return
        self.app.push_screen(self.app.ending_screen(self.session), callback=self._ending_closed)

    async def _ending_closed(self, result) -> None:
        if result == "undo":
            await self.action_undo()

    def action_scroll_text(self, pages: int) -> None:
        story = self.query_one("#story", TextPane)
        if abs(pages) >= 1000:
            (story.scroll_home if pages < 0 else story.scroll_end)(animate=False, immediate=True)
        else:
            page = max(1, story.scrollable_content_region.height - 2)  # the hint's row and one line of overlap
            story.scroll_to(y=story.scroll_y + pages * page, animate=False, immediate=True)

    # ------------------------------------------------------------ other keys
    def action_settings(self) -> None:
        self.app.open_settings()

    async def action_undo(self) -> None:
        if self.session.undo():
            self._show(None, read=True)
            self.show_notice("One step back.")  # on the notice line: a toast would cover the choices
        else:
            self.show_notice("Nothing to undo: this is the start.")

    def action_save(self) -> None:
        def saved(slot):
            if slot:
                self.show_notice(f"Saved in slot '{slot}'.")
        self.app.push_screen(SaveDialog(self.store, self.session.story.id,
                                        lambda slot: self.session.save(slot, label=slot)), callback=saved)

    def action_load(self) -> None:
        story = self.session.story

        async def chosen(slot):
            if not slot:
                return
            try:
                session = Session.resume(story, self.store, slot)
            except SaveError as exc:
                self.notify(exc.reason, title="Cannot load", severity="error", timeout=8, markup=False)
                return
            self.session = session
            await self.show_scene(None)
            self.show_notice(f"Loaded '{slot}'.")
            if session.play.ended:
                self.show_ending()
        self.app.push_screen(LoadDialog(self.store, story.id, story.title), callback=chosen)


def note_content(note) -> Content:
    """A note drawn below the scene's text (notes inline): its heading, its
    text, its source and the works it cites."""
    head = inert(note.heading + (f": {note.title}" if note.title else ""))
    parts: list = [("── " + head, "bold $od-mark"), "\n\n",
                   Content.from_rich_text(render_markdown(note.text)).stylize_before("$od-label"), "\n\n",
                   (inert(f"Source: {note.source}"), "italic $od-dim")]
    if note.cites:
        parts += ["\n", (inert("Sources: " + "; ".join(note.cites)), "italic $od-dim")]
    return Content.assemble(*parts)


def ending_blocks(story_title: str, view, journey=None, chart_height: int = 3) -> list:
    """The ending page as TextPane blocks: the ending's title, the scene's
    text and the ending's, how the path compared with history (a hanging
    bullet for each divergence), the endings found, and the journey's chart
    (drawn for the width the page has: see stats.journey_text)."""
    e = view.ending
    section = "bold $od-label"
    blank = Content("")
    blocks: list = [Content.styled(inert(f"{story_title} — the end"), section),
                    Content.styled(inert(e.title), "bold $od-mark"), blank,
                    Content.from_rich_text(render_markdown(view.text))]
    if e.text:
        blocks += [blank, Content.from_rich_text(render_markdown(e.text)).stylize_before("$od-label")]
    blocks += [blank, Content.styled("Your path and history", section)]
    if e.decisions:
        blocks.append(Content(inert(f"You chose as they did in {e.same} of {e.decisions} decisions.")))
        bullet = Content.styled("• ", "$od-label")
        for d in e.divergences:
            body = Content.assemble((inert(f"{d.scene_title}: "), "bold"),
                                    inert(f"you chose “{d.chosen}”; history: " + " / ".join(f"“{h}”" for h in d.history)))
            blocks.append(Hang(bullet, body.stylize_before("$od-label")))
    else:
        blocks.append(Content("You met none of the decisions the real people faced."))
    blocks += [blank, Content.styled(inert(f"Endings found: {e.found} of {e.total}"), section)]
    if journey is not None and journey.meters:
        from .stats import journey_text, journey_title  # noqa: PLC0415 (only the ending needs it)
        blocks += [blank, Content.styled(inert(journey_title(journey)), section), blank,
                   lambda width: Content.from_rich_text(journey_text(journey, min(width, 120), chart_height))]
    return blocks


class EndingScreen(GameScreen):
    """The ending: its text, how the path compared with history, endings
    found, the journey. One page of text (a TextPane at the text width),
    and one screen kept installed (app.ending_screen) and refilled for each
    ending reached: a new screen of a widget per part cost Textual ~50 ms
    (its styles, two layouts); a refill is a repaint."""

    BINDINGS = [
        Binding("u", "undo", "Undo last choice"),
        Binding("g", "new_game", "New game"),
        Binding("n", "notes", "Notes"),
        Binding("e", "endings", "Endings"),
        Binding("c", "codex", "Codex"),
        Binding("t", "stats", "Stats", show=False),
        Binding("r", "record", "Record"),
        Binding("escape", "title", "Title"),
        Binding("q", "quit", "Quit"),
    ]
    _done = False

    def compose(self) -> ComposeResult:
        yield TextPane(classes="page", id="ending-page")
        yield KeyBar(self.BINDINGS)

    def on_mount(self) -> None:
        if self.session is not None:
            self._fill()

    def show(self, session: Session) -> "EndingScreen":
        """This screen for the ending `session` has reached."""
        self.session = session
        self._done = False
        if self.is_mounted:
            self._fill()
        return self

    def _fill(self) -> None:
        from game.view.journey import build_journey  # noqa: PLC0415
        view = build_screen(self.session)
        self.ending = view.ending
        page = self.query_one("#ending-page", TextPane)
        page.set_measure(self.app.settings.width or 0)
        height = 4 if self.app.size.height >= 30 else 3
        page.show(ending_blocks(self.session.story.title, view, build_journey(self.session), height))
        page.focus()  # arrows and page keys scroll it

    def settings_changed(self, old) -> None:
        self.query_one("#ending-page", TextPane).set_measure(self.app.settings.width or 0)

    def _close(self, result) -> None:
        if not self._done:
            self._done = True
            self.dismiss(result)

    def action_undo(self) -> None:
        self._close("undo")

    def action_new_game(self) -> None:
        self.app.start_new(self.session.story)
