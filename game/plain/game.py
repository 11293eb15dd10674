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
from game import settings as prefs
from game.view.gallery import (codex, gallery, plain_achievements, plain_codex, plain_codex_entry,
                               plain_ending_card, plain_gallery, plain_sources, sources)
from game.view.journey import build_journey, plain_journey
from game.view.markdown import to_plain, wrap
from game.playtest.playthrough import record
from game.view.screen import StepView, build_screen, build_step, pick, plain_note, plain_parts, plain_step

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
  o          settings: how notes are shown, text width, paragraph by paragraph
  h, ?       this help
  q          quit (the game is autosaved after every step)"""

WIDTH = 78  # the terminal's width when it cannot be asked (plus 2)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class PlainGame:
    """`settings` (game/settings.py): notes after the step, below the text
    or only in the log; the text width (the terminal's, for "full"); text at
    once or a paragraph at a time. `width` overrides the setting."""

    def __init__(self, stdin: TextIO, stdout: TextIO, store: SaveStore, width: int | None = None,
                 settings: prefs.Settings | None = None):
        self.inp = stdin
        self.out = stdout
        self.store = store
        self.settings = settings or prefs.DEFAULTS
        self._width = width
        self.width = self._measure()
        self.screen = None

    def _measure(self) -> int:
        if self._width is not None:
            return max(20, self._width)
        import shutil
        columns = shutil.get_terminal_size((WIDTH + 2, 24)).columns - 1
        return max(20, min(self.settings.width, columns) if self.settings.width else columns)

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
    def show_scene(self, session: Session, before: dict | None = None, note=None) -> bool:
        """Print the scene; `note`: the last step's note, printed below the
        text when notes are inline. In paragraph mode each paragraph waits
        for Enter; False when the input ended meanwhile."""
        play = session.play
        self.screen = build_screen(session, before, play.notice)
        play.notice = None
        head, paras, tail = plain_parts(self.screen, self.width)
        if note is not None and self.settings.notes == "inline":
            paras = paras + [plain_note(note, self.width)]
        self.say()
        self.lines(head)
        for i, p in enumerate(paras):
            if i:
                if self.settings.reveal == "paragraph":
                    if self.ask("(Enter for more) ") is None:
                        return False
                else:
                    self.say()
            self.lines(p)
        if self.screen.text or paras:
            self.say()
        self.lines(tail)
        if self.screen.ended:
            self.lines(wrap("Type t for the journey's stats, e for the endings, u to undo the last choice, "
                            "or q to quit.", self.width))
        return True

    def show_step(self, session: Session, result):
        """What the step brought, before the next scene; the step's note,
        to print with the scene when notes are inline (else None)."""
        step = build_step(session, result)
        notes = self.settings.notes
        if step.note is not None and notes != "dialog":
            self.lines(plain_step(StepView(None, step.unlocked, step.achieved), self.width))
            if notes == "log":
                self.say(f"({step.note.heading}: a new note is in the notes log: n.)")
                return None
            return step.note
        self.lines(plain_step(step, self.width))
        return None

    # ------------------------------------------------------------ settings
    def change_settings(self) -> bool:
        """The `o` command: show the settings and change one; False at the end of input."""
        s = self.settings
        self.say(f"Settings (kept in {prefs.settings_path()}):")
        for i, (key, title, options) in enumerate(prefs.SETTINGS, 1):
            values = ", ".join(label for _, label in options)
            extra = "; the full-screen game only" if key == "theme" else ""
            self.say(f"  {i}. {title}: {s.label(key)}  ({values}{extra})")
        ans = self.ask(f"Setting to change (1-{len(prefs.SETTINGS)}, Enter to go back): ")
        if ans is None:
            return False
        if not ans.isdigit() or not 1 <= int(ans) <= len(prefs.SETTINGS):
            self.say("Nothing changed.")
            return True
        key, title, options = prefs.SETTINGS[int(ans) - 1]
        self.say(f"{title}: " + "  ".join(f"{i}. {label}" for i, (_, label) in enumerate(options, 1)))
        ans = self.ask(f"Choose 1-{len(options)} (Enter to keep {s.label(key)}): ")
        if ans is None:
            return False
        if not ans.isdigit() or not 1 <= int(ans) <= len(options):
            self.say("Nothing changed.")
            return True
        self.settings = s.with_(key, options[int(ans) - 1][0])
        self.width = self._measure()
        try:
            prefs.save(self.settings)
            saved = "saved"
        except OSError as exc:
            saved = f"for this game only: cannot save the settings: {exc.strerror or exc}"
        self.say(f"{title}: {self.settings.label(key)} ({saved}).")
        return True

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
        if not self.show_scene(session):
            return 0
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
                note = self.show_step(session, result)
                if not self.show_scene(session, before, note):
                    return 0
                self.warn_saving(session)
            elif cmd in ("u", "undo"):
                if session.undo():
                    self.say("(one step back)")
                    if not self.show_scene(session):
                        return 0
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
                if not self.show_scene(session):
                    return 0
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
            elif cmd in ("o", "settings"):
                if not self.change_settings():
                    return 0
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
    settings, settings_notice = prefs.load()
    game = PlainGame(stdin, stdout, store, settings=settings)
    if notice:
        game.say(f"({notice})")
    if settings_notice:
        game.say(f"({settings_notice})")
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
