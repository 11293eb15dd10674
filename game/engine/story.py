"""The compiled story as players and tools use it."""

from __future__ import annotations

from functools import cached_property

from .model import Scene, StoryData
from .play import Playthrough


class Story:
    """Immutable once built; any number of playthroughs share it."""

    def __init__(self, data: StoryData):
        self.data = data
        self.id = data.id
        self.title = data.title
        self.subtitle = data.subtitle
        self.blurb = data.blurb
        self.start = data.start
        self.variables = data.variables
        self.triggers = data.triggers
        self.scenes = data.scenes
        self.scene_table = dict(data.scenes)  # a plain dict for the step loop
        self.notes = data.notes
        self.codex = data.codex
        self.fingerprint = data.fingerprint
        self.root = data.root

    def new_game(self, seed: int = 0, outcomes=None) -> Playthrough:
        """A fresh playthrough standing in `start` (its effects applied).
        `outcomes` (an engine.play.Outcomes) decides chance() in place of the
        seeded source."""
        return Playthrough(self, seed, outcomes)

    def load_game(self, path) -> Playthrough:
        """Read a save; raises SaveError for a corrupt, foreign or future file."""
        from .saves import read_save
        return read_save(self, path)

    @cached_property
    def endings(self) -> list[Scene]:
        return [s for s in self.scenes.values() if s.ending is not None]

    @cached_property
    def historical_choice_count(self) -> int:
        return sum(1 for s in self.scenes.values() for c in s.choices if c.historical)

    def __repr__(self) -> str:
        return f"<Story {self.id!r}: {len(self.scenes)} scenes>"
