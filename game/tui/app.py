"""The terminal game: a Textual app over the engine's Session."""

from __future__ import annotations

import gc
import os
import time

from textual.app import App
from textual.binding import Binding

from game.engine.errors import SaveError, StoryRuntimeError
from game.engine.safetext import inert
from game.engine.saves import AUTOSAVE, SaveStore
from game.engine.session import Session
from game.engine.story import Story

from .watch import LiveReloadMixin


class OpenDiplomacyApp(LiveReloadMixin, App):
    CSS_PATH = "app.tcss"
    TITLE = "Open Diplomacy"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (70, "-wide")]
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, story: Story | None = None, saves=None, resume: bool = False,
                 seed: int | None = None, stories: list[Story] | None = None, watch: bool = False,
                 start_play=None, authoring: bool = True):
        """`watch`: live reload (tui/watch.py). `start_play`: a Playthrough
        already advanced to start from (`play --at`, playtest/reach.py).
        `authoring=False` (the browser game) turns live reload and jumping off."""
        super().__init__()
        self.live_init(watch, allowed=authoring)
        self.start_play = start_play
        from game.paths import open_store
        from game import settings as prefs
        from .themes import THEME_NAMES, THEMES
        self.store, self.store_notice = open_store(saves, write_behind=True)  # autosave off the key path
        self.settings, self.settings_notice = prefs.load()
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = THEME_NAMES[self.settings.theme]
        self.initial_story = story
        self.resume = resume
        self.seed = seed
        self._stories = stories
        self._painted = False

    @property
    def current_theme(self):
        """The theme, looked up once per name: Textual 8.2.8 looks it up
        through two copies of its table of themes on every call, and the
        compositor asks for it for every line it draws (~10% of a frame)."""
        name = self.theme
        cached = self.__dict__.get("_theme_cache")
        if cached is None or cached[0] != name:
            cached = self.__dict__["_theme_cache"] = (name, super().current_theme)
        return cached[1]

    def notify(self, message: str, *, title: str = "", severity="information", timeout=None,
               markup: bool = True) -> None:
        """Toasts carry file names and save labels: never markup, always inert."""
        super().notify(inert(message), title=inert(title), severity=severity, timeout=timeout, markup=False)

    # ------------------------------------------------------------ stories
    def stories(self) -> list[Story]:
        """The bundled stories, compiled once; broken ones are left out."""
        if self._stories is None:
            from game.paths import bundled_story_dirs
            from game.story.loader import load_story
            from game.story.problems import StoryError
            out = []
            for folder in bundled_story_dirs().values():
                try:
                    out.append(load_story(str(folder), cache=True))
                except StoryError:
                    continue
            self._stories = out
        return self._stories

    def latest_autosave(self) -> tuple[Story, dict] | None:
        best = None
        for story in self.stories():
            for s in self.store.slots(story.id):
                if s["slot"] == AUTOSAVE and not s["error"] and (best is None or s["time"] > best[1]["time"]):
                    best = (story, s)
        return best

    def _installed(self, name: str, make):
        """The screen installed as `name`, made (by `make()`) the first time."""
        if not self.is_screen_installed(name):
            self.install_screen(make(), name)
        return self.get_screen(name)

    def ending_screen(self, session):
        """The one ending screen, kept installed so each ending only refills it."""
        from .play import EndingScreen
        return self._installed("ending", lambda: EndingScreen(None)).show(session)

    def note_dialog(self):
        """The one note dialog, kept installed so each note only refills it."""
        from .dialogs import NoteDialog
        return self._installed("note", NoteDialog)

    def _build_screens_ahead(self) -> None:
        """Compose the note dialog and the ending screen while the player
        reads the first scene, so the first note and the first ending are a
        refill, not a new screen (~20-30 ms each inside a key press). An
        installed screen is composed only when first shown; Textual 8.2.8's
        _get_screen starts it without showing it (as push_screen would)."""
        if not self.is_running:
            return
        from .dialogs import NoteDialog
        from .play import EndingScreen
        for name, make in (("note", NoteDialog), ("ending", lambda: EndingScreen(None))):
            if not self._installed(name, make).is_running:
                self._get_screen(name)

    # ------------------------------------------------------------ settings
    def open_settings(self) -> None:
        """The settings screen (`o`): each change applies at once and is saved."""
        from .settings import SettingsScreen
        self.push_screen(SettingsScreen(self.settings))

    def apply_settings(self, new) -> str | None:
        """Use `new` settings from now on and save them; the reason when they
        could not be saved (they still apply to this game), else None."""
        from game import settings as prefs
        from .themes import THEME_NAMES
        old, self.settings = self.settings, new
        if new.theme != old.theme:
            self.theme = THEME_NAMES[new.theme]
        for screen in self.screen_stack:
            changed = getattr(screen, "settings_changed", None)
            if changed is not None:
                changed(old)
        try:
            prefs.save(new)
        except OSError as exc:
            return f"cannot save the settings: {exc.strerror or exc}"
        return None

    # ------------------------------------------------------------ navigation
    def on_mount(self) -> None:
        if self.store_notice:
            self.notify(self.store_notice, title="Saves", timeout=15, markup=False)
        if self.settings_notice:
            self.notify(self.settings_notice, title="Settings", severity="warning", timeout=15, markup=False)
        story = self.initial_story
        if story is None:
            from .pages import TitleScreen
            self.push_screen(TitleScreen())
            return
        session = None
        if self.start_play is not None:
            self._open(Session.from_play(story, self.store, self.start_play))
            return
        if self.resume:
            try:
                session = Session.resume(story, self.store)
            except SaveError as exc:
                self.notify(f"{exc.reason}. A new game has started.", title="Cannot continue",
                            severity="warning", timeout=8, markup=False)
        elif self.store.in_progress(story.id):
            self.new_game(story, back=self.show_title)
            return
        session = session or self._new_session(story)
        if session is None:
            from .pages import TitleScreen
            self.push_screen(TitleScreen())
            self._story_cannot_start()
            return
        self._open(session)

    def _new_session(self, story: Story) -> Session | None:
        """A new game, or None (and the reason kept) when the story's first
        scene fails at run time."""
        try:
            return Session.new(story, self.store, self.seed)
        except StoryRuntimeError as exc:
            self._start_error = exc.for_player(starting=True)
            return None

    def _story_cannot_start(self) -> None:
        from .dialogs import MessageDialog
        self.push_screen(MessageDialog("The story has an error", self._start_error))

    def _open(self, session: Session) -> None:
        from .livescreen import LivePlayScreen  # the play screen, with the live reload's keys and panel
        self._replace(LivePlayScreen(session))
        self.live_opened(session)

    def _replace(self, screen) -> None:
        """Make `screen` the one main screen (dropping dialogs and pages)."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def show_title(self) -> None:
        from .pages import TitleScreen
        self._replace(TitleScreen())

    def start_new(self, story: Story) -> None:
        session = self._new_session(story)
        if session is None:
            self._story_cannot_start()
            return
        self._open(session)

    def new_game(self, story: Story, back=None) -> None:
        """New game, but first ask when the story has a game in progress:
        continue it, or start over (the old game is kept as autosave-previous).
        Escape calls `back` (or stays where it was)."""
        info = self.store.in_progress(story.id)
        if info is None:
            self.start_new(story)
            return
        from .dialogs import GameInProgressDialog

        def chosen(what):
            if what == "continue":
                if not self._resume(story, AUTOSAVE) and back is not None:
                    back()
            elif what == "new":
                self.start_new(story)
            elif back is not None:
                back()
        self.push_screen(GameInProgressDialog(story.title, info), callback=chosen)

    def continue_latest(self) -> None:
        found = self.latest_autosave()
        if found is None:
            self.notify("There is no game to continue.", markup=False)
            return
        self._resume(found[0], AUTOSAVE)

    def _resume(self, story: Story, slot: str) -> bool:
        try:
            session = Session.resume(story, self.store, slot)
        except SaveError as exc:
            self.notify(exc.reason, title="Cannot load", severity="error", timeout=8, markup=False)
            return False
        self._open(session)
        return True

    def load_dialog(self, story: Story) -> None:
        from .dialogs import LoadDialog
        self.push_screen(LoadDialog(self.store, story.id, story.title),
                         callback=lambda slot: slot and self._resume(story, slot))

    # ------------------------------------------------------------ startup probe
    def started(self) -> None:
        """The first screen is drawn: collect garbage again (see cli.cmd_play),
        and keep the objects of start-up out of every later collection."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def first_scene_painted(self) -> None:
        """Benchmarks set OPEN_DIPLOMACY_STARTUP_PROBE to a file and the
        process start time; the app writes the time to first paint and exits."""
        if self._painted:
            return
        self._painted = True
        self.started()
        self.set_timer(0.05, self._build_screens_ahead)
        probe = os.environ.get("OPEN_DIPLOMACY_STARTUP_PROBE")
        if probe:
            t0 = float(os.environ.get("OPEN_DIPLOMACY_T0", "0"))
            with open(probe, "w", encoding="utf-8") as fh:
                fh.write(f"{time.time() - t0:.6f}\n")
            self.exit()


    def on_unmount(self) -> None:
        self.live_stop()
        self.store.flush()  # the last autosave is on disk before the process ends


def run_app(story: Story | None, saves=None, resume: bool = False, seed: int | None = None,
            watch: bool = False, start_play=None, authoring: bool = True) -> int:
    app = OpenDiplomacyApp(story, saves=saves, resume=resume, seed=seed, watch=watch, start_play=start_play,
                           authoring=authoring)
    app.run()
    return app.return_code or 0
