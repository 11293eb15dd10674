"""Plain mode: the game in plain lines on stdin/stdout.

For screen readers, pipes, and terminals where a full-screen app cannot run.
Every line is plain text (author text is printed as written, never
interpreted), choices are numbered, and one prompt line asks what to do.
"""

from __future__ import annotations

import sys
from typing import TextIO

from game.engine.errors import SaveError, StoryRuntimeError
from game.engine.safetext import inert
from game.engine.saves import AUTOSAVE, PREVIOUS, SaveStore, display_time
from game.engine.session import Session
from game.engine.story import Story
from game.view.gallery import (codex, gallery, plain_achievements, plain_codex, plain_codex_entry,
                               plain_ending_card, plain_gallery, plain_sources, sources)
from game.view.journey import build_journey, plain_journey
from game.view.markdown import to_plain, wrap
from game.playtest.playthrough import record
from game.view.screen import build_screen, build_step, pick, plain_screen, plain_step

HELP = """\
Commands:
  1-9        take that choice (Enter alone continues when there is only "Continue")
  u          undo the last choice
  s [NAME]   save into slot NAME (default: quicksave)
  l [NAME]   load slot NAME (without NAME: list the slots)
  n          the notes seen so far ("what really happened")
  t          stats: every visible value, and how each meter moved, chapter by chapter
  c [N]      the codex: the entries found (with N: read entry N)
  e [N]      the endings: found and not yet found, with hints (with N: re-read ending N)
  b          the sources: the works the notes cite
  a          achievements (and the endings found)
  r          record this game as a playthrough file
  h, ?       this help
  q          quit (the game is autosaved after every step)"""

WIDTH = 78  # the longest line; narrower when the terminal is


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class PlainGame:
    def __init__(self, stdin: TextIO, stdout: TextIO, store: SaveStore, width: int | None = None):
        self.inp = stdin
        self.out = stdout
        self.store = store
        if width is None:
            import shutil
            width = min(WIDTH, shutil.get_terminal_size((WIDTH + 2, 24)).columns - 1)
        self.width = max(20, width)
        self.screen = None

    # ------------------------------------------------------------ output
    def say(self, text: str = "") -> None:
        self.out.write(inert(text) + "\n")  # nothing from a story, save or message acts on the terminal
        self.out.flush()

    def lines(self, lines) -> None:
        for line in lines:
            self.say(line)

    def para(self, text: str) -> None:
        """Author Markdown as readable plain lines (emphasis dropped, links as
        "text (url)"), wrapped to the terminal."""
        self.lines(to_plain(text, self.width))
        self.say()

    def ask(self, prompt: str) -> str | None:
        self.out.write(prompt)
        self.out.flush()
        line = self.inp.readline()
        if not line:
            self.say()
            return None
        if not _isatty(self.inp):  # piped input: echo it, so the output reads as a transcript
            self.say(line.rstrip("\n"))
        return line.strip()

    # ------------------------------------------------------------ picking a story
    def pick_story(self) -> Story | None:
        from game.paths import bundled_story_dirs
        from game.story.loader import load_story
        from game.story.problems import StoryError

        stories = []
        for folder in bundled_story_dirs().values():
            try:
                stories.append(load_story(str(folder), cache=True))
            except StoryError as exc:
                self.say(f"(skipping {folder.name}: {len(exc.errors)} error(s) in the story)")
        if not stories:
            self.say("No stories found.")
            return None
        self.say("OPEN DIPLOMACY")
        self.say()
        for i, s in enumerate(stories, 1):
            self.say(f"{i}. {s.title}" + (f": {s.subtitle}" if s.subtitle else ""))
        self.say()
        while True:
            ans = self.ask(f"Choose a story (1-{len(stories)}, q to quit): ")
            if ans is None or ans.lower() in ("q", "quit"):
                return None
            if ans.isdigit() and 1 <= int(ans) <= len(stories):
                story = stories[int(ans) - 1]
                if story.blurb:
                    self.say()
                    self.para(story.blurb)
                return story
            self.say(f"Please type a number from 1 to {len(stories)}.")

    # ------------------------------------------------------------ playing
    def show_scene(self, session: Session, before: dict | None = None) -> None:
        play = session.play
        self.screen = build_screen(session, before, play.notice)
        play.notice = None
        self.say()
        self.lines(plain_screen(self.screen, self.width))
        if self.screen.ended:
            self.lines(wrap("Type t for the journey's stats, e for the endings, u to undo the last choice, "
                            "or q to quit.", self.width))

    def show_step(self, session: Session, result) -> None:
        self.lines(plain_step(build_step(session, result), self.width))

    def say_source(self, session: Session, n) -> None:
        self.say(f"Source: {n.source}")
        cited = session.story.data.cited_titles(n)
        if cited:
            self.say("Sources: " + "; ".join(cited))

    def show_sources(self, session: Session) -> None:
        self.lines(plain_sources(sources(session.story), self.width))

    def show_achievements(self, session: Session) -> None:
        g = gallery(session.story, self.store, session.play)
        self.lines(plain_achievements(g, self.width))
        self.lines(wrap(f"Endings found: {g.found} of {len(g.endings)}.", self.width))

    def show_stats(self, session: Session) -> None:
        self.lines(plain_journey(build_journey(session), self.width))

    def show_codex(self, session: Session, arg: str) -> None:
        c = codex(session.story, self.store, session.play)
        if not arg:
            self.lines(plain_codex(c, self.width))
            return
        item = self._numbered(c.items, arg, "c", "entries found")
        if item is not None:
            self.lines(plain_codex_entry(item, self.width))

    def show_endings(self, session: Session, arg: str) -> None:
        g = gallery(session.story, self.store, session.play)
        if not arg:
            self.lines(plain_gallery(g, self.width))
            return
        card = self._numbered(g.endings, arg, "e", "endings")
        if card is not None:
            self.lines(plain_ending_card(card, self.width))

    def _numbered(self, items, arg: str, cmd: str, what: str):
        """items[N-1] for the N typed after a command, or None (and why not)."""
        if not items:
            self.say(f"There are no {what} yet.")
            return None
        if not arg.isdigit() or not 1 <= int(arg) <= len(items):
            self.say(f"Type {cmd} and a number from 1 to {len(items)} ({cmd} alone lists them).")
            return None
        return items[int(arg) - 1]

    def warn_saving(self, session: Session) -> None:
        """Say that saving is off (and why) once, not after every step."""
        err = session.autosave_error
        if err and err != getattr(self, "_said_saving", None):
            self.say(f"(warning: {err})")
        self._said_saving = err

    def play(self, session: Session) -> int:
        self.show_scene(session)
        self.warn_saving(session)
        while True:
            ans = self.ask("> ")
            if ans is None:
                return 0
            cmd, _, arg = ans.partition(" ")
            cmd = cmd.lower()
            offered = self.screen.choices
            if cmd == "" and len(offered) == 1 and offered[0].id == "continue":
                cmd = "1"
            if cmd.isdigit():
                c, why = pick(self.screen, int(cmd))
                if c is None:
                    self.say("The story has ended: u to undo, q to quit." if self.screen.ended else why)
                    continue
                before = dict(session.play.state)
                try:
                    result = session.choose(c.id)
                except StoryRuntimeError as exc:
                    self.say(exc.for_player())
                    continue
                self.show_step(session, result)
                self.show_scene(session, before)
                self.warn_saving(session)
            elif cmd in ("u", "undo"):
                if session.undo():
                    self.say("(one step back)")
                    self.show_scene(session)
                else:
                    self.say("Nothing to undo: this is the start.")
            elif cmd in ("s", "save"):
                slot = arg.strip() or "quicksave"
                try:
                    session.save(slot, label=slot)
                    self.say(f"Saved in slot '{slot}'.")
                except SaveError as exc:
                    self.say(f"Cannot save: {exc.reason}")
                except OSError as exc:
                    self.say(f"Cannot save: {exc.strerror or exc}")
            elif cmd in ("l", "load"):
                if not arg.strip():
                    self.list_slots(session)
                    continue
                try:
                    new = Session.resume(session.story, self.store, arg.strip())
                except SaveError as exc:
                    self.say(f"Cannot load: {exc.reason}")
                    continue
                session = new
                self.say(f"Loaded slot '{arg.strip()}'.")
                self.show_scene(session)
            elif cmd in ("n", "notes"):
                log = session.notes_log()
                if not log:
                    self.say("No notes yet.")
                for item in log:
                    n = item.note
                    self.say(f"-- {n.title or item.scene_title} --")
                    self.para(n.text.render(session.play))
                    self.say_source(session, n)
                    self.say()
            elif cmd in ("b", "sources", "bibliography"):
                self.show_sources(session)
            elif cmd in ("t", "stats"):
                self.show_stats(session)
            elif cmd in ("c", "codex"):
                self.show_codex(session, arg.strip())
            elif cmd in ("e", "endings", "gallery"):
                self.show_endings(session, arg.strip())
            elif cmd in ("a", "achievements"):
                self.show_achievements(session)
            elif cmd in ("r", "record"):
                try:
                    self.say(f"Recorded this game as {record(session)}")
                except OSError as exc:
                    self.say(f"Cannot record: {exc.strerror or exc}")
            elif cmd in ("h", "?", "help"):
                self.say(HELP)
            elif cmd in ("q", "quit", "exit"):
                self.lines(wrap("Goodbye. Your game is autosaved; `--continue` resumes it." if not session.autosave_error
                                else f"Goodbye. This game was not saved ({session.autosave_error}).", self.width))
                return 0
            else:
                self.say("Type a choice number, or h for help.")

    def list_slots(self, session: Session) -> None:
        slots = self.store.slots(session.story.id)
        if not slots:
            self.say("No saves yet.")
        for s in slots:
            if s["error"]:
                self.say(f"  {s['slot']}: damaged ({s['error']})")
            else:
                where = " / ".join(x for x in (s["chapter"], s["scene_title"]) if x)
                self.say(f"  {s['slot']}: {display_time(s['time'])}  {where}")

    def ask_in_progress(self, story: Story, info: dict) -> str | None:
        """The story has a game in progress: "continue", "new", or None (end of input)."""
        where = " / ".join(x for x in (info["chapter"], info["scene_title"]) if x)
        when = display_time(info["time"])
        self.say()
        self.say(f"You have a game of {story.title} in progress: {where}" + (f" (saved {when})." if when else "."))
        self.say("  1. Continue this game")
        self.say(f"  2. Start over (this game is kept in the slot '{PREVIOUS}')")
        while True:
            ans = self.ask("Choose 1 or 2 (q to quit): ")
            if ans is None or ans.lower() in ("q", "quit"):
                return None
            if ans in ("1", "2"):
                return "continue" if ans == "1" else "new"
            self.say("Please type 1 or 2.")


def run_plain(story: Story | None, saves=None, resume: bool = False, seed: int | None = None,
              stdin: TextIO | None = None, stdout: TextIO | None = None, start_play=None) -> int:
    """`start_play`: a Playthrough already advanced to start from (`play --at`)."""
    from game.paths import open_store
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    store, notice = open_store(saves)
    game = PlainGame(stdin, stdout, store)
    if notice:
        game.say(f"({notice})")
    if story is None:
        story = game.pick_story()
        if story is None:
            return 0
    if start_play is not None:
        return game.play(Session.from_play(story, store, start_play))
    session = None
    info = None if resume else store.in_progress(story.id)
    if info is not None:
        what = game.ask_in_progress(story, info)
        if what is None:
            return 0
        resume = what == "continue"
    if resume:
        try:
            session = Session.resume(story, store)
        except SaveError as exc:
            game.say(f"Cannot continue: {exc.reason}. Starting a new game.")
    if session is None:
        try:
            session = Session.new(story, store, seed)
        except StoryRuntimeError as exc:
            game.say(exc.for_player(starting=True))
            return 1
    return game.play(session)
