"""Full-screen pages: the title screen, the story picker, the endings
gallery, the codex and the notes log."""

from __future__ import annotations

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
from game.view.gallery import AchievementLine, CodexItem, EndingCard, codex, gallery, sources

from .dialogs import Dialog, HelpDialog, source_text
from .markdown import render as render_markdown
from .safe import Text
from .themes import ink
from .widgets import Hanging, KeyBar, SafeOptionList, hanging


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
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("question_mark", "help", "Help"),
                Binding("o", "settings", "Settings")]

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
            Option(Text("Settings"), id="settings"),
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
        elif what == "settings":
            app.open_settings()
        elif what == "quit":
            app.exit()

    def action_help(self) -> None:
        self.app.push_screen(HelpDialog())

    def action_settings(self) -> None:
        self.app.open_settings()

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


def ending_card(e: EndingCard) -> Text:
    """What the gallery shows of one ending: a found one opens to its text,
    the date first reached and a summary of that route; an unfound one to
    its kind, the chapter where it can happen and the author's hint."""
    t = Text()
    if not e.found:
        t.append("???\n", style="bold")
        t.append(f"An ending not found yet ({e.kind}).\n\n", style="italic")
        t.append(f"It can happen in: {e.chapter}\n" if e.chapter else "It can happen at any moment a line is crossed.\n")
        if e.hint:
            t.append(f"\nHint: {e.hint}\n", style="italic")
        return t
    t.append(e.title + "\n", style="bold")
    t.append(f"{e.kind} · reached {e.times} time{'s' if e.times != 1 else ''}\n", style="italic")
    r = e.route
    if e.first_date:
        t.append(f"First reached on {e.first_date}", style="italic")
        t.append(f", after {r.steps} choices.\n" if r is not None and r.steps else ".\n", style="italic")
    t.append("\n")
    t.append_text(render_markdown(e.text))
    if r is not None:
        t.append("\n\nThat route\n", style="bold")
        if r.decisions:
            t.append(f"You chose as the real people did in {r.same} of {r.decisions} decisions.\n")
            if r.diverged:
                t.append("You went another way at: " + "; ".join(r.diverged) + ".\n")
        else:
            t.append("You met none of the decisions the real people faced.\n")
    return t


def achievement_line(a: AchievementLine) -> Text:
    t = Text()
    if a.earned is not None:
        t.append("✓ " + a.title, style="bold")
        t.append(f" — {a.text} ({'earned ' + a.earned if a.earned != 'this game' else 'earned in this game'})")
    elif a.hidden:
        t.append("· ???  (a hidden achievement)", style=ink("od-dim"))
    else:
        t.append("· " + a.title, style=ink("od-label"))
        t.append(" — " + a.text, style=ink("od-dim"))
    return t


def list_item(text: str, lead: str = "  ", style: str | None = None) -> Hanging:
    """An entry of a page's list after its `lead` (an indent, a mark): a
    name that wraps keeps the indent under the name (a hanging indent)
    instead of running back to the margin."""
    return hanging([(lead, Text(text, style=style))])


class EndingsScreen(Page):
    """Every ending of each story and its achievements: a found ending opens
    to its text, date and route; the rest to their kind, chapter and hint."""

    def __init__(self, store: SaveStore, stories: list[Story], play: Playthrough | None):
        super().__init__()
        self.store = store
        self.stories = stories
        self.play = play
        self.cards: dict[str, Text] = {}

    def compose(self) -> ComposeResult:
        opts = []
        for story in self.stories:
            g = gallery(story, self.store, self.play)
            opts.append(Option(Text(f"{g.story_title}: {g.found} of {len(g.endings)} endings", style="bold"),
                               disabled=True))
            for e in g.endings:
                key = f"{story.id}:{e.id}"
                self.cards[key] = ending_card(e)
                lead, label = ("  ✓ ", e.title) if e.found else ("  · ", f"???  ({e.kind})")
                opts.append(Option(list_item(label, lead), id=key))
            if g.achievements:
                key = f"{story.id}:@achievements"
                got, total = g.earned, len(g.achievements)
                card = Text(f"Achievements of {g.story_title}: {got} of {total}\n\n", style="bold")
                for a in g.achievements:
                    card.append_text(achievement_line(a))
                    card.append("\n")
                self.cards[key] = card
                opts.append(Option(list_item(f"Achievements ({got} of {total})", "  ★ "), id=key))
        with Vertical(classes="page"):
            yield Static("Endings and achievements", classes="page-title")
            with Horizontal(id="endings-body"):
                yield SafeOptionList(*opts, id="endings-list", markup=False)
                with VerticalScroll(id="endings-entry"):
                    yield Static(Text("Choose an ending."), id="endings-text")
        yield KeyBar(self.BINDINGS)

    def on_mount(self) -> None:
        lst = self.query_one("#endings-list", OptionList)
        lst.focus()
        for i in range(lst.option_count):
            if not lst.get_option_at_index(i).disabled:
                lst.highlighted = i
                break

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        card = self.cards.get(event.option_id or "")
        if card is not None:
            self.query_one("#endings-text", Static).update(card)
            self.query_one("#endings-entry", VerticalScroll).scroll_home(animate=False)


class SourcesScreen(Page):
    """The bibliography (§11.11): each story's sources, the works its notes cite."""

    def __init__(self, stories: list[Story]):
        super().__init__()
        self.stories = stories

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="page", id="sources-page"):
            yield Static("Sources — the works behind the notes", classes="page-title")
            any_sources = False
            for story in self.stories:
                works = sources(story)
                if not works:
                    continue
                any_sources = True
                yield Static(Text(story.title), classes="page-section")
                rows = []
                for src in works:
                    t = Text()
                    t.append(src.title, style="bold")
                    t.append(f" — {src.author}")
                    if src.detail:
                        t.append(f". {src.detail}", style="italic")
                    rows.append(("• ", t))
                yield Static(hanging(rows), classes="sources-list")
            if not any_sources:
                yield Static("These stories declare no sources.")
        yield KeyBar(self.BINDINGS)


class CodexScreen(Page):
    """Unlocked codex entries (in any game, and in the one being played)."""

    BINDINGS = [*Page.BINDINGS, Binding("b", "sources", "Sources")]

    def action_sources(self) -> None:
        self.app.push_screen(SourcesScreen(self.stories))

    def __init__(self, store: SaveStore, stories: list[Story], play: Playthrough | None):
        super().__init__()
        self.store = store
        self.stories = stories
        self.play = play
        self.entries: dict[str, CodexItem] = {}

    def compose(self) -> ComposeResult:
        opts = []
        total = found = 0
        for story in self.stories:
            c = codex(story, self.store, self.play)
            total += c.total
            found += c.found
            if len(self.stories) > 1:
                opts.append(Option(Text(f"{c.story_title} ({c.found} of {c.total})", style="bold"), disabled=True))
            for g in c.groups:
                opts.append(Option(Text(g.title, style="italic"), disabled=True))
                for item in g.items:
                    key = f"{story.id}:{item.id}"
                    self.entries[key] = item
                    opts.append(Option(list_item(item.name), id=key))
        if any(story.data.sources for story in self.stories):
            opts.append(Option(list_item("Sources: the works behind the notes (b)", "", "italic"), id="@sources"))
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

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_id == "@sources":
            event.stop()
            self.action_sources()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        item = self.entries.get(event.option_id or "")
        if item is None:
            return
        t = Text()
        t.append(item.name + "\n", style="bold")
        t.append(f"{item.kind}\n\n", style="italic")
        t.append_text(render_markdown(item.text))
        t.append(f"\n\nSource: {item.source}", style="italic")
        self.query_one("#codex-text", Static).update(t)


class NotesScreen(Page):
    """The notes shown so far in this game ('what really happened')."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        log = self.session.notes_log()
        with VerticalScroll(classes="page", id="notes-page"):
            story = self.session.story
            yield Static(Text(f"{story.data.note_heading} — notes so far"), classes="page-title")
            if not log:
                yield Static("No notes yet. They appear after choices the sources speak to.")
            for item in log:
                n = item.note
                yield Static(Text(n.title or item.scene_title), classes="page-section")
                yield Static(render_markdown(n.text.render(self.session.play)))
                yield Static(source_text(n.source, story.data.cited_titles(n)), classes="dialog-source")
        yield KeyBar(self.BINDINGS)
