"""Live reload: the game follows its story's files as they are edited
(`open-diplomacy play STORY --watch`, or `w` on the play screen).

A thread worker waits on watchfiles (the operating system's change
notifications, debounced; no polling loop of ours) for the story folder's
YAML files, compiles the story again (unchanged files come from the parse
cache) and posts the result to the app. On the app's thread:

* errors: a panel over the choices lists them exactly as `lint` prints them
  (`path:line:col: error: ...`); the game stays playable on the story as it
  was (`x` hides the panel);
* compiled: the game's seed and steps are replayed on the new story (the
  same replay a save made on a changed story gets, engine/saves.py), the
  session goes on with it, the screen is drawn again, and the panel reports
  what changed on this screen (game/view/changes.py) and whether the replay
  stopped early, naming the step. Undo walks back along the replayed steps.

Tests and benchmarks await `app.next_reload()` rather than sleeping.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time

from textual.message import Message

from game.engine.errors import StoryRuntimeError
from game.engine.safetext import inert
from game.engine.saves import replay_steps
from game.view.changes import replay_warning, screen_changes

DEBOUNCE_MS = 800  # changes are grouped over at most this long ...
STEP_MS = 30  # ... and handed over once none came for this long
SKIPPED_DIRS = ("playthroughs",)  # as the compiler skips them (story/compiler.py)


def story_file_filter(root: str):
    """A watchfiles filter: the YAML files the compiler reads, no hidden
    files (editors' swap files) and nothing under playthroughs/."""
    root = os.path.abspath(root)

    def keep(change, path: str) -> bool:
        if not path.endswith((".yaml", ".yml")):
            return False
        rel = os.path.relpath(os.path.abspath(path), root)
        parts = rel.split(os.sep)
        if parts[0] in ("..",) or parts[0] in SKIPPED_DIRS:
            return False
        return not any(p.startswith(".") for p in parts)
    return keep


class StoryChanged(Message):
    """Posted by the watcher thread: the story compiled again (or not)."""

    def __init__(self, folder: str, story, problems: list, changed: list[str], detected: float,
                 compiled: float, stopped: str | None = None):
        super().__init__()
        self.folder = folder
        self.story = story  # None when it has errors
        self.problems = problems
        self.changed = changed  # the files that changed, relative to the folder
        self.detected = detected  # time.perf_counter() when watchfiles handed the change over
        self.compiled = compiled
        self.stopped = stopped  # the watcher stopped: why


class ReloadResult:
    """What one reload did (for tests and the benchmark)."""

    def __init__(self, ok: bool, lines: list[str], warning: str | None = None, errors: list[str] | None = None,
                 detected: float = 0.0, compiled: float = 0.0):
        self.ok = ok
        self.lines = lines
        self.warning = warning
        self.errors = errors or []
        self.detected = detected
        self.compiled = compiled
        self.applied = 0.0
        self.drawn = 0.0


def _compile(folder: str):
    from game.story.loader import check_story  # noqa: PLC0415
    was_on = gc.isenabled()
    gc.disable()  # as for `lint` (cli.gc_paused): a compile makes no garbage worth scanning for
    try:
        return check_story(folder, cache=True)
    finally:
        if was_on:
            gc.enable()


def watch_story(app, folder: str, fingerprint: str | None = None) -> None:
    """The watcher thread's body: wait, compile, post; until cancelled.
    `fingerprint`: the story being played, when the files may have changed
    since it was compiled (live reload turned on with `w`): compiled first,
    and posted if it differs."""
    from textual.worker import get_current_worker  # noqa: PLC0415

    worker = get_current_worker()
    try:
        import watchfiles  # noqa: PLC0415 (only when watching; missing, the panel says so below)
        if fingerprint is not None:
            detected = time.perf_counter()
            story, problems = _compile(folder)
            if story is None or story.fingerprint != fingerprint:
                app.post_message(StoryChanged(folder, story, problems, [], detected, time.perf_counter()))
        app.call_from_thread(app.live_ready.set)
        polling = False
        while True:
            try:
                for changes in watchfiles.watch(folder, watch_filter=story_file_filter(folder), debounce=DEBOUNCE_MS,
                                                step=STEP_MS, stop_event=worker.cancelled_event,
                                                raise_interrupt=False, force_polling=polling):
                    detected = time.perf_counter()
                    changed = sorted({os.path.relpath(p, os.path.abspath(folder)) for _, p in changes})
                    try:
                        story, problems = _compile(folder)
                    except Exception as exc:  # noqa: BLE001 - a compiler bug: say so, stop watching
                        app.post_message(StoryChanged(folder, None, [], changed, detected, time.perf_counter(),
                                                      stopped=f"compiling failed unexpectedly: {exc!r}"))
                        return
                    app.post_message(StoryChanged(folder, story, problems, changed, detected,
                                                  time.perf_counter()))
                return
            except (FileNotFoundError, PermissionError):
                raise
            except (OSError, RuntimeError):
                if polling:
                    raise
                # The system's change notifications cannot be had (inotify's
                # limits, some network folders): watchfiles polls instead.
                polling = True
    except Exception as exc:  # noqa: BLE001 - the watcher says why it stopped, never dies silently
        app.post_message(StoryChanged(folder, None, [], [], time.perf_counter(), time.perf_counter(),
                                      stopped=f"watching {folder} stopped: {exc}"))


class LiveReloadMixin:
    """The app's side of the live reload (mixed into OpenDiplomacyApp)."""

    live_folder: str | None = None

    def live_init(self, watch: bool, allowed: bool = True) -> None:
        """`allowed`: False in the browser game (`serve`): a player there
        must not watch the server's folders nor start searches on it."""
        self.live_allowed = allowed
        self.live_wanted = watch and allowed
        self.live_errors: list = []  # the problems of the last compile, while it failed
        self.live_folder = None
        self._live_worker = None
        self._live_waiters: list[asyncio.Future] = []
        self.live_ready = asyncio.Event()  # the watcher thread is about to wait on the files
        self.reloads = 0

    # ------------------------------------------------------------ on / off
    def live_start(self, folder: str, fingerprint: str | None = None) -> None:
        """Watch `folder` (as the user named it: problems name files the way
        `lint` given the same folder does)."""
        if self.live_folder == folder and self._live_worker is not None:
            return
        self.live_stop()
        self.live_folder = folder
        self.live_errors = []
        self.live_ready.clear()
        self._live_worker = self.run_worker(lambda: watch_story(self, folder, fingerprint), name="live-reload",
                                            group="live-reload", thread=True, exit_on_error=False)

    def live_stop(self) -> None:
        if self._live_worker is not None:
            self._live_worker.cancel()  # sets the event watchfiles waits on
        self._live_worker = None
        self.live_folder = None

    def toggle_watch(self, story) -> None:
        if not self.live_allowed:
            self.notify("Live reload is for writing a story: it is off in the browser game.", timeout=4,
                        markup=False)
            return
        if self.live_folder:
            self.live_stop()
            self.live_wanted = False
            self.notify("Live reload is off.", timeout=3, markup=False)
            return
        if not story.root or not os.path.isdir(story.root):
            self.notify("This story has no folder to watch.", timeout=4, markup=False)
            return
        self.live_wanted = True
        self.live_start(story.root, story.fingerprint)  # edits made while it was off count too
        self.notify(f"Live reload is on: the game follows the files in {story.root} (j: jump to a scene).",
                    timeout=5, markup=False)

    def live_opened(self, session) -> None:
        """A play screen opened (app._open): watch its story when asked to."""
        root = session.story.root
        if self.live_wanted and root and os.path.isdir(root):
            self.live_start(root)

    # ------------------------------------------------------------ waiting (tests, benchmark)
    def next_reload(self) -> asyncio.Future:
        """A future the next reload resolves with its ReloadResult, once the
        new screen has been drawn."""
        fut = asyncio.get_running_loop().create_future()
        self._live_waiters.append(fut)
        return fut

    def _resolve(self, result: ReloadResult) -> None:
        self.reloads += 1

        def drawn() -> None:
            result.drawn = time.perf_counter()
            waiters, self._live_waiters = self._live_waiters, []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(result)
        self.call_after_refresh(drawn)

    # ------------------------------------------------------------ a change arrived
    def _live_screen(self):
        from .livescreen import LivePlayScreen  # noqa: PLC0415 (the play screen is imported when first used)
        for screen in reversed(self.screen_stack):
            if isinstance(screen, LivePlayScreen):
                return screen
        return None

    async def on_story_changed(self, msg: StoryChanged) -> None:
        if msg.folder != self.live_folder:
            return  # from a watcher since stopped
        screen = self._live_screen()
        if msg.stopped:
            self.live_stop()
            if screen is not None:
                screen.live_panel.show_message("Live reload stopped", msg.stopped)
            self._resolve(ReloadResult(False, [], errors=[msg.stopped], detected=msg.detected,
                                       compiled=msg.compiled))
            return
        self.live_errors = msg.problems if msg.story is None else []
        if msg.story is None:
            errors = [inert(str(p)) for p in msg.problems if p.is_error]
            if screen is not None:
                screen.live_panel.show_errors(msg.problems, msg.folder)
            else:
                self.notify(f"The story has {len(errors)} error(s): {errors[0] if errors else ''}",
                            severity="error", timeout=8, markup=False)
            self._resolve(ReloadResult(False, [], errors=errors, detected=msg.detected, compiled=msg.compiled))
            return
        self._remember_story(msg.story)
        if screen is None:
            self._resolve(ReloadResult(True, [], detected=msg.detected, compiled=msg.compiled))
            return
        await self._reload_onto(screen, msg)

    def _remember_story(self, story) -> None:
        if getattr(self, "initial_story", None) is not None and self.initial_story.id == story.id:
            self.initial_story = story
        stories = getattr(self, "_stories", None)
        if stories:
            self._stories = [story if s.id == story.id else s for s in stories]

    async def _reload_onto(self, screen, msg: StoryChanged) -> None:
        from .play import EndingScreen  # noqa: PLC0415
        from .widgets import MeterPanel  # noqa: PLC0415
        session = screen.session
        old_view, old_scene = screen.view, session.play.scene
        old_play = session.play
        steps, seed = list(old_play.steps), old_play.seed
        try:
            play, done, failure = replay_steps(msg.story, seed, steps)
        except StoryRuntimeError as exc:
            text = f"The story cannot start now ({exc.for_player(starting=True)}); the game goes on as it was."
            screen.live_panel.show_message("Not reloaded", text)
            self._resolve(ReloadResult(False, [], errors=[text], detected=msg.detected, compiled=msg.compiled))
            return
        ending_on_top = isinstance(self.screen, EndingScreen) and self.screen.session is session
        session.switch_story(msg.story, play)
        screen.query_one("#side", MeterPanel).story = msg.story
        same_scene = play.scene.id == old_scene.id
        await screen.show_scene(None, revealed=screen.revealed if same_scene else 0)  # what was read stays shown
        screen.show_notice()
        lines = screen_changes(old_view, screen.view, old_scene, play.scene)
        old_text, old_ids = None, set()
        if failure is not None:
            taken = old_play.history_choices()
            if done < len(taken) and taken[done][1] is not None:
                old_scene_then, old_choice = taken[done]
                old_text = old_choice.text.static or old_choice.id
                old_ids = {c.id for c in old_scene_then.choices}
        # a choice that looks renamed is one new to the scene (as migrate-check has it)
        offered = tuple((c.id, c.text) for c in screen.view.choices if c.id not in old_ids)
        warning = replay_warning(steps, done, failure, play.scene.title or play.scene.id, old_text, offered)
        which = ", ".join(msg.changed[:3]) + (" …" if len(msg.changed) > 3 else "")
        summary = f"Reloaded ({inert(which)})" if which else "Reloaded"
        screen.live_panel.show_report(lines, warning, summary)
        result = ReloadResult(True, lines, warning, detected=msg.detected, compiled=msg.compiled)
        result.applied = time.perf_counter()
        if ending_on_top:
            self.pop_screen()
            if play.ended:
                screen.show_ending()
        self._resolve(result)

    # ------------------------------------------------------------ the jump dialog
    def jumped(self, play) -> None:
        """The jump dialog found a state: a new game standing in it."""
        if play is None:
            return
        from game.engine.session import Session  # noqa: PLC0415
        screen = self._live_screen()
        story = screen.session.story if screen is not None else play.story
        if play.story is not story:  # the story was reloaded while the search ran: the same steps on it
            play, _, _ = replay_steps(story, play.seed, play.steps)
        n = len(play.steps)
        play.notice = (f"Jumped to '{play.scene.title or play.scene.id}' by the shortest known way "
                       f"({n} step{'' if n == 1 else 's'}; u walks back along it).")
        self._open(Session.from_play(story, self.store, play))
