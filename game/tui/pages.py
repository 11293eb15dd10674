"""Full-screen pages: the title screen, the story picker, the endings
gallery, the codex and the notes log."""

from __future__ import annotations

from .safe import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from game.engine.play import Playthrough
from game.engine.saves import SaveStore
from game.engine.session import Session
from game.engine.story import Story

from .dialogs import Dialog, HelpDialog
from .markdown import render as render_markdown
from .widgets import KeyBar, SafeOptionList

KIND_ORDER = {"person": 0, "place": 1, "organisation": 2, "term": 3}
KIND_TITLE = {"person": "People", "place": "Places", "organisation": "Organisations", "term": "Terms"}


class Page(Screen):
    BINDINGS = [Binding("escape", "back", "Back"), Binding("q", "quit", "Quit")]
    _done = False

    def action_back(self) -> None:
        if not self._done and self.app.screen is self:
            self._done = True
            self.app.pop_screen()

    def action_quit(self) -> None:
        self.app.exit()


class TitleScreen(Screen):
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("question_mark", "help", "Help")]

    def compose(self) -> ComposeResult:
        cont = self.app.latest_autosave()
        if cont is not None:
            story, info = cont
            where = " — ".join(x for x in (info["chapter"], info["scene_title"]) if x)
            cont_prompt = Text(f"Continue   {story.title}: {where}")
        else:
            cont_prompt = Text("Continue   (no game in progress)")
        menu = SafeOptionList(
            Option(Text("New game"), id="new"),
            Option(cont_prompt, id="continue", disabled=cont is None),
            Option(Text("Load a saved game"), id="load"),
            Option(Text("Endings"), id="endings"),
            Option(Text("Codex"), id="codex"),
            Option(Text("Help"), id="help"),
            Option(Text("Quit"), id="quit"),
            id="title-menu", markup=False)
        with Vertical(id="title-box"):
            yield Static("O P E N   D I P L O M A C Y", id="title-name")
            yield Static("Soviet espionage against Imperial Japan, 1925–1956", id="title-tag")
            yield menu
            yield Static("↑↓ and Enter, or click", id="title-hint")
        yield KeyBar(self.BINDINGS)

    def on_mount(self) -> None:
        self.call_after_refresh(self.app.started)
        menu = self.query_one("#title-menu", OptionList)
        menu.focus()
        menu.highlighted = 1 if not menu.get_option("continue").disabled else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        app = self.app
        what = event.option_id
        if what == "new":
            app.push_screen(StoryPicker(app.stories(), "New game"),
                            callback=lambda s: s and app.new_game(s))
        elif what == "continue":
            app.continue_latest()
        elif what == "load":
            app.push_screen(StoryPicker(app.stories(), "Load a saved game"),
                            callback=lambda s: s and app.load_dialog(s))
        elif what == "endings":
            app.push_screen(EndingsScreen(app.store, app.stories(), None))
        elif what == "codex":
            app.push_screen(CodexScreen(app.store, app.stories(), None))
        elif what == "help":
            app.push_screen(HelpDialog())
        elif what == "quit":
            app.exit()

    def action_help(self) -> None:
        self.app.push_screen(HelpDialog())

    def action_quit(self) -> None:
        self.app.exit()


class StoryPicker(Dialog):
    """The bundled stories with title and blurb; dismisses with a Story."""

    def __init__(self, stories: list[Story], heading: str):
        super().__init__()
        self.stories = stories
        self.heading = heading

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="story-picker"):
            yield Static(Text(self.heading + ": choose a story"), classes="dialog-title")
            if self.stories:
                opts = []
                for i, s in enumerate(self.stories):
                    t = Text(s.title, style="bold")
                    if s.subtitle:
                        t.append(" — " + s.subtitle, style="not bold")
                    opts.append(Option(t, id=str(i)))
                yield SafeOptionList(*opts, id="story-list", markup=False)
                with VerticalScroll(classes="dialog-body"):
                    yield Static(id="story-blurb", markup=False)
            else:
                yield Static("No stories were found.")
            yield Static("Enter to choose, Escape to go back", classes="dialog-hint")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        s = self.stories[int(event.option_id)]
        self.query_one("#story-blurb", Static).update(render_markdown(s.blurb or ""))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._close(self.stories[int(event.option_id)])


class EndingsScreen(Page):
    """Every ending of each story: found ones by title, the rest as a blank card."""

    def __init__(self, store: SaveStore, stories: list[Story], play: Playthrough | None):
        super().__init__()
        self.store = store
        self.stories = stories
        self.play = play

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="page", id="endings-page"):
            yield Static("Endings", classes="page-title")
            for story in self.stories:
                found = self.store.endings_seen(story.id)
                endings = story.endings
                n = sum(1 for e in endings if e.id in found)
                yield Static(Text(f"{story.title}: {n} of {len(endings)} found"), classes="page-section")
                t = Text()
                for e in endings:
                    if e.id in found:
                        times = found[e.id]
                        t.append(f"  ✓ {e.ending.title}", style="bold")
                        t.append(f"  ({e.ending.kind}{', ' + str(times) + ' times' if times > 1 else ''})\n")
                    else:
                        t.append(f"  · {'?' * 3}  ({e.ending.kind})\n", style="#8a7d63")
                yield Static(t)
        yield KeyBar(self.BINDINGS)


class CodexScreen(Page):
    """Unlocked codex entries (in any game, and in the one being played)."""

    def __init__(self, store: SaveStore, stories: list[Story], play: Playthrough | None):
        super().__init__()
        self.store = store
        self.stories = stories
        self.play = play
        self.entries = {}

    def compose(self) -> ComposeResult:
        opts = []
        total = found = 0
        for story in self.stories:
            seen = set(self.store.codex_seen(story.id))
            if self.play is not None and self.play.story is story:
                seen.update(self.play.unlocked)
            entries = [e for e in story.codex.values() if e.id in seen]
            total += len(story.codex)
            found += len(entries)
            if len(self.stories) > 1:
                opts.append(Option(Text(f"{story.title} ({len(entries)} of {len(story.codex)})", style="bold"),
                                   disabled=True))
            for kind in sorted({e.kind for e in entries}, key=lambda k: KIND_ORDER.get(k, 9)):
                opts.append(Option(Text(KIND_TITLE.get(kind, kind), style="italic"), disabled=True))
                for e in sorted((e for e in entries if e.kind == kind), key=lambda e: e.name):
                    key = f"{story.id}:{e.id}"
                    self.entries[key] = (story, e)
                    opts.append(Option(Text("  " + e.name), id=key))
        with Vertical(classes="page"):
            yield Static(Text(f"Codex — {found} of {total} entries found"), classes="page-title")
            with Horizontal(id="codex-body"):
                yield SafeOptionList(*opts, id="codex-list", markup=False)
                with VerticalScroll(id="codex-entry"):
                    yield Static(Text("Nothing found yet: entries appear as you meet them in play."
                                      if not self.entries else "Choose an entry."), id="codex-text")
        yield KeyBar(self.BINDINGS)

    def on_mount(self) -> None:
        lst = self.query_one("#codex-list", OptionList)
        lst.focus()
        for i in range(lst.option_count):
            if not lst.get_option_at_index(i).disabled:
                lst.highlighted = i
                break

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        item = self.entries.get(event.option_id or "")
        if item is None:
            return
        story, e = item
        t = Text()
        t.append(e.name + "\n", style="bold")
        t.append(f"{e.kind}\n\n", style="italic")
        body = (e.text.render(self.play) if self.play is not None and self.play.story is story
                else e.text.static if e.text.static is not None else e.text.render(story.new_game()))
        t.append_text(render_markdown(body))
        t.append(f"\n\nSource: {e.source}", style="italic")
        self.query_one("#codex-text", Static).update(t)


class NotesScreen(Page):
    """The notes shown so far in this game ('what really happened')."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        log = self.session.notes_log()
        with VerticalScroll(classes="page", id="notes-page"):
            yield Static("What really happened — notes so far", classes="page-title")
            if not log:
                yield Static("No notes yet. They appear after choices the sources speak to.")
            for item in log:
                n = item.note
                yield Static(Text(n.title or item.scene_title), classes="page-section")
                yield Static(render_markdown(n.text.render(self.session.play)))
                yield Static(Text("Source: " + n.source), classes="dialog-source")
        yield KeyBar(self.BINDINGS)
