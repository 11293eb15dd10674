"""One player's session with a story: the playthrough plus what a player
expects around it — autosave after every step, named save slots, undo, the
notes log, endings and codex entries remembered across games, and recording
the session as a playthrough file (§8).

Both front ends (the Textual app and plain mode) drive a game only through
this class, so what the tests exercise is what players play.
"""

from __future__ import annotations

import os
from .records import record
from pathlib import Path

from .history import Decision, compare_with_history
from .model import Note, Scene
from .play import Playthrough, StepResult
from .errors import SaveError
from .saves import AUTOSAVE, SaveStore, save_text, write_save_text
from .story import Story


@record
class LoggedNote:
    """A note the player has been shown, with the scene it followed."""
    scene_title: str
    choice_text: str
    note: Note


class Session:
    def __init__(self, story: Story, store: SaveStore | None, play: Playthrough,
                 saving_off: str | None = None):
        self.story = story
        self.store = store
        self.play = play
        self.autosave_error: str | None = None
        # Set when the autosave slot must not be written at all this session
        # (what it held could not be kept): every autosave is then skipped.
        self._saving_off = saving_off
        self._remember()
        self.autosave()

    # ------------------------------------------------------------ starting
    @classmethod
    def new(cls, story: Story, store: SaveStore | None, seed: int | None = None) -> "Session":
        """A new game. What the story's autosave slot holds is kept first (see
        SaveStore.set_aside_autosave) and the play's notice says where it went;
        when it cannot be kept, the new game is not autosaved at all."""
        if seed is None:
            seed = int.from_bytes(os.urandom(4), "little")
        return cls._replacing_autosave(story, store, story.new_game(seed=seed))

    @classmethod
    def _replacing_autosave(cls, story: Story, store: SaveStore | None, play: Playthrough) -> "Session":
        kept = off = None
        if store is not None:
            try:
                kept = store.set_aside_autosave(story, play)
            except OSError as exc:
                off = (f"saving is off: the game in the autosave slot could not be kept "
                       f"({exc.strerror or exc}), so it is not written over")
        if kept:
            play.notice = f"{play.notice} {kept}" if play.notice else kept
        return cls(story, store, play, saving_off=off)

    @classmethod
    def from_play(cls, story: Story, store: SaveStore | None, play: Playthrough) -> "Session":
        """A new game that starts from a playthrough already advanced (play
        from anywhere: `play --at`, the jump dialog). Its steps are its
        history, so undo walks back along them; the game in the autosave
        slot is kept first, as `new` does."""
        return cls._replacing_autosave(story, store, play)

    @classmethod
    def resume(cls, story: Story, store: SaveStore, slot: str = AUTOSAVE) -> "Session":
        """Load a slot (the autosave by default); SaveError if it cannot be read.
        A slot other than the autosave keeps the game in progress first, as
        `new` does."""
        play = store.load(story, slot)
        if slot == AUTOSAVE:
            return cls(story, store, play)
        return cls._replacing_autosave(story, store, play)

    def switch_story(self, story: Story, play: Playthrough) -> None:
        """Go on with the same game on a changed story (the live reload):
        `play` is this game's steps replayed on `story`. Autosaved, so
        `--continue` resumes the game on the story as it now is."""
        self.story = story
        self.play = play
        self.earned_now = ()
        self._remember()
        self.autosave()

    # ------------------------------------------------------------ playing
    def choose(self, choice_id: str) -> StepResult:
        result = self.play.choose(choice_id)
        self.earned_now = result.achieved
        self._remember()
        self.autosave()
        return result

    earned_now: tuple = ()  # the achievements (§11.10) the last step earned

    def undo(self) -> bool:
        if not self.play.undo():
            return False
        self.earned_now = ()
        self.autosave()
        return True

    def autosave(self) -> None:
        """Saved after every step, so quitting at any moment loses nothing. A
        failure (disk full, read-only folder) is reported, never raised."""
        if self.store is None:
            return
        if self._saving_off:
            self.autosave_error = self._saving_off
            return
        try:
            path = self.store.path(self.story.id, AUTOSAVE)
            text = save_text(self.play, "Autosave")  # the state now, taken on this thread
        except (SaveError, OSError) as exc:
            self.autosave_error = f"saving is off: {getattr(exc, 'reason', None) or exc}"
            return
        writer = self.store.writer
        if writer is not None:  # the Textual game: off the key handler
            writer.put(path, text, self._autosave_failed)
            return
        self._write_autosave(path, text)

    def _write_autosave(self, path, text: str) -> None:
        try:
            write_save_text(path, text)
            self.autosave_error = None
        except SaveError as exc:
            self._autosave_failed(f"saving is off: {exc.reason}")

    def _autosave_failed(self, message: str | None) -> None:
        self.autosave_error = message

    def flush(self) -> None:
        """Wait until the autosave on disk is the game's current state."""
        if self.store is not None:
            self.store.flush()

    def save(self, slot: str, label: str | None = None) -> Path:
        """Raises SaveError for a bad slot name, OSError when the disk refuses."""
        if self.store is None:
            raise OSError("no save folder")
        return self.store.save(self.play, slot, label)

    def _remember(self) -> None:
        """Endings and codex entries found stay found across games."""
        if self.store is None:
            return
        try:
            if self.play.ended and not self._ending_recorded():
                self.store.record_ending(self.story.id, self.play.scene.id)
                if self.play.scene.id not in self.store.ending_firsts(self.story.id):
                    self.store.record_ending_first(self.story.id, self.play.scene.id, self.route_summary())
            if self.play.achievements:
                done = self.__dict__.setdefault("_ach_known", set())
                if not done.issuperset(self.play.achievements):
                    self.store.record_achievements(self.story.id, self.play.achievements)
                    done.update(self.play.achievements)
            # The profile is read and written only when the game unlocks
            # something this session has not recorded yet (not every step).
            known = self.__dict__.setdefault("_codex_known", set())
            if not known.issuperset(self.play.unlocked):
                self.store.record_codex(self.story.id, self.play.unlocked)
                known.update(self.play.unlocked)
        except (OSError, SaveError):
            pass  # the record is a bonus: a full or read-only disk must not stop the game

    def _ending_recorded(self) -> bool:
        # An ending counts once per arrival: re-entering it by undo + redo of
        # the same step in the same game still counts as the same arrival.
        key = (self.play.scene.id, len(self.play.steps))
        if getattr(self, "_last_ending", None) == key:
            return True
        self._last_ending = key
        return False

    # ------------------------------------------------------------ reading
    @property
    def scene(self) -> Scene:
        return self.play.scene

    def notes_log(self) -> list[LoggedNote]:
        """Every note shown so far in this game, oldest first (undo removes them)."""
        out = []
        notes = self.story.notes
        for scene, choice in self.play.history_choices():
            if choice is not None and choice.note is not None and choice.note in notes:
                text = choice.text.static if choice.text.static is not None else choice.text.render(self.play)
                out.append(LoggedNote(scene.title or scene.id, text, notes[choice.note]))
        return out

    def decisions(self) -> list[Decision]:
        return compare_with_history(self.play)

    def history_summary(self) -> tuple[int, int, list[Decision]]:
        """(choices made as history did, historical decisions met, divergences)."""
        ds = self.decisions()
        diverged = [d for d in ds if not d.as_history]
        return len(ds) - len(diverged), len(ds), diverged

    def route_summary(self) -> dict:
        """What the gallery keeps of a route: its length and how it compared
        with history (the scenes where it went another way)."""
        same, total, diverged = self.history_summary()
        return {"steps": len(self.play.steps), "same": same, "decisions": total,
                "diverged": [d.scene_title for d in diverged]}

    def achievement_notice(self) -> str | None:
        """One line announcing what the last step earned, or None."""
        if not self.earned_now:
            return None
        # "; " between them, so a text's own final stop is dropped (not "freed.; …").
        parts = [f"{a.title} — {a.text}" for a in self.earned_now]
        parts = [p.rstrip(".") if i < len(parts) - 1 else p for i, p in enumerate(parts)]
        label = "Achievement: " if len(parts) == 1 else "Achievements: "
        return label + "; ".join(parts)

    def achievements_found(self) -> dict[str, str]:
        """Achievement id -> the date first earned, in any game (the profile)."""
        found = dict(self.store.achievements_seen(self.story.id)) if self.store is not None else {}
        for a in self.play.achievements:
            found.setdefault(a, "this game")
        return found

    def endings_found(self) -> dict[str, int]:
        return self.store.endings_seen(self.story.id) if self.store is not None else {}
