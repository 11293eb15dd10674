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

from .dialogs import Dialog, HelpDialog, source_text
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


def ending_chapter(story: Story, sid: str) -> str | None:
    """The chapter where an ending can happen: its own, else that of a scene
    leading to it; None when only a trigger leads there (at any moment)."""
    sc = story.scenes[sid]
    if sc.chapter:
        return sc.chapter
    for other in story.scenes.values():
        targets = list(other.goto.targets()) if other.goto is not None else []
        for c in other.choices:
            targets.extend(c.goto.targets())
        if sid in targets and other.chapter:
            return other.chapter
    return None


def ending_card(story: Story, sid: str, found: dict, firsts: dict, play: Playthrough | None) -> Text:
    """What the gallery shows of one ending: a found one opens to its text,
    the date first reached and a summary of that route; an unfound one to
    its kind, the chapter where it can happen and the author's hint."""
    sc = story.scenes[sid]
    e = sc.ending
    t = Text()
    if sid not in found:
        t.append("???\n", style="bold")
        t.append(f"An ending not found yet ({e.kind}).\n\n", style="italic")
        chapter = ending_chapter(story, sid)
        t.append(f"It can happen in: {chapter}\n" if chapter else "It can happen at any moment a line is crossed.\n")
        if e.hint:
            t.append(f"\nHint: {e.hint}\n", style="italic")
        return t
    t.append(e.title + "\n", style="bold")
    times = found[sid]
    t.append(f"{e.kind} · reached {times} time{'s' if times != 1 else ''}\n", style="italic")
    first = firsts.get(sid)
    if first:
        t.append(f"First reached on {first['date']}", style="italic")
        t.append(f", after {first['steps']} choices.\n" if first["steps"] else ".\n", style="italic")
    p = play if play is not None and play.story is story else story.new_game()
    body = "\n\n".join(x for x in (sc.text.render(p), e.text.render(p) if e.text is not None else "") if x)
    t.append("\n")
    t.append_text(render_markdown(body))
    if first:
        t.append("\n\nThat route\n", style="bold")
        if first["decisions"]:
            t.append(f"You chose as the real people did in {first['same']} of {first['decisions']} decisions.\n")
            if first["diverged"]:
                t.append("You went another way at: " + "; ".join(first["diverged"]) + ".\n")
        else:
            t.append("You met none of the decisions the real people faced.\n")
    return t


def achievement_line(a, when: str | None) -> Text:
    t = Text()
    if when is not None:
        t.append("✓ " + a.title, style="bold")
        t.append(f" — {a.text} ({'earned ' + when if when != 'this game' else 'earned in this game'})")
    elif a.hidden:
        t.append("· ???  (a hidden achievement)", style="#8a7d63")
    else:
        t.append("· " + a.title, style="#c8b88e")
        t.append(" — " + a.text, style="#8a7d63")
    return t


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
            found = self.store.endings_seen(story.id)
            firsts = self.store.ending_firsts(story.id)
            endings = story.endings
            n = sum(1 for e in endings if e.id in found)
            opts.append(Option(Text(f"{story.title}: {n} of {len(endings)} endings", style="bold"), disabled=True))
            for e in endings:
                key = f"{story.id}:{e.id}"
                self.cards[key] = ending_card(story, e.id, found, firsts, self.play)
                label = f"  ✓ {e.ending.title}" if e.id in found else f"  · ???  ({e.ending.kind})"
                opts.append(Option(Text(label), id=key))
            achs = story.data.achievements
            if achs:
                earned = dict(self.store.achievements_seen(story.id))
                if self.play is not None and self.play.story is story:
                    for a in self.play.achievements:
                        earned.setdefault(a, "this game")
                got = sum(1 for a in achs if a in earned)
                key = f"{story.id}:@achievements"
                card = Text(f"Achievements of {story.title}: {got} of {len(achs)}\n\n", style="bold")
                for a in achs.values():
                    card.append_text(achievement_line(a, earned.get(a.id)))
                    card.append("\n")
                self.cards[key] = card
                opts.append(Option(Text(f"  ★ Achievements ({got} of {len(achs)})"), id=key))
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
                sources = story.data.sources
                if not sources:
                    continue
                any_sources = True
                yield Static(Text(story.title), classes="page-section")
                t = Text()
                for src in sources.values():
                    t.append(f"• {src.title}", style="bold")
                    t.append(f" — {src.author}")
                    if src.detail:
                        t.append(f". {src.detail}", style="italic")
                    t.append("\n")
                yield Static(t, classes="sources-list")
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
        if any(story.data.sources for story in self.stories):
            opts.append(Option(Text("Sources: the works behind the notes (b)", style="italic"), id="@sources"))
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
