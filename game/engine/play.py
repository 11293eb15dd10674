"""A playthrough: the mutable, serialisable state of one game of a story.

One step (`choose`) applies the choice's effects, counts it, resolves its
goto, checks the triggers and enters the target (its effects, unlocks and
visit count), exactly as §3 says. Every change is logged so `undo` restores
the previous step exactly; nothing is copied in proportion to the story or the
history.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from .errors import StoryRuntimeError
from .model import ChoiceDef, CodexEntry, Note, Scene

if TYPE_CHECKING:  # pragma: no cover
    from .story import Story

_MASK = (1 << 64) - 1
# Undo-log markers (variables are logged as (name, old value)).
_VISIT = "#visit"
_CHOSE = "#chose"


def _mix(seed: int) -> int:
    return (seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & _MASK


class ChoiceView:
    """A choice as offered now: id, rendered text, enabled, reason."""

    __slots__ = ("id", "text", "enabled", "reason")

    def __init__(self, id: str, text: str, enabled: bool = True, reason: str | None = None):
        self.id = id
        self.text = text
        self.enabled = enabled
        self.reason = reason

    def __repr__(self) -> str:
        flag = "" if self.enabled else f", locked: {self.reason!r}"
        return f"<Choice {self.id}: {self.text!r}{flag}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChoiceView) and (self.id, self.text, self.enabled, self.reason) == (
            other.id, other.text, other.enabled, other.reason)

    __hash__ = None  # type: ignore[assignment]


CONTINUE = ChoiceView("continue", "Continue")


@dataclass(frozen=True)
class StepResult:
    """What one step did, for the player's eyes."""

    choice: ChoiceDef
    note: Note | None
    unlocked: tuple[CodexEntry, ...]
    trigger: str | None  # the scene a trigger sent the player to, if one fired
    scene: Scene

    @property
    def historical(self) -> bool:
        return self.choice.historical


class Playthrough:
    __slots__ = ("story", "scene", "chapter", "vars", "visits", "chosen", "unlocked", "_unlocked_set",
                 "steps", "seed", "rng", "log", "_history", "_state_view", "notice", "__weakref__")

    def __init__(self, story: "Story", seed: int = 0):
        self.story = story
        self.seed = int(seed)
        self.rng = _mix(self.seed)
        self.vars = {name: v.default for name, v in story.variables.items()}
        self._state_view = MappingProxyType(self.vars)
        self.visits: dict[str, int] = {}
        self.chosen: dict[str, int] = {}
        self.unlocked: list[str] = []
        self._unlocked_set: set[str] = set()
        self.steps: list[str] = []
        self._history: list[tuple] = []
        self.chapter: str | None = None
        self.notice: str | None = None
        self.log: list = []
        self.scene = story.scenes[story.start]
        self._enter(story.start, self.log)

    # ------------------------------------------------------------ reading
    @property
    def state(self):
        """The variables' current values (a read-only mapping)."""
        return self._state_view

    @property
    def text(self) -> str:
        return self.scene.text.render(self)

    @property
    def ended(self) -> bool:
        return self.scene.ending is not None

    @property
    def ending_text(self) -> str:
        e = self.scene.ending
        return e.text.render(self) if e is not None and e.text is not None else ""

    def choices(self) -> list[ChoiceView]:
        """The choices on offer now; a `locked` one is present but disabled."""
        sc = self.scene
        if sc.continue_choice is not None:
            return [CONTINUE]
        out = []
        chosen = self.chosen
        for c in sc.choices:
            if c.once and c.key in chosen:
                continue
            if c.cond is not None and not c.cond(self):
                if c.locked is not None:
                    out.append(ChoiceView(c.id, c.text.render(self), False, c.locked))
                continue
            out.append(ChoiceView(c.id, c.text.render(self)))
        return out

    def _find(self, choice_id: str) -> ChoiceDef | None:
        sc = self.scene
        if sc.continue_choice is not None:
            return sc.continue_choice if choice_id == "continue" else None
        for c in sc.choices:
            if c.id == choice_id:
                if c.once and c.key in self.chosen:
                    return None
                if c.cond is not None and not c.cond(self):
                    return None
                return c
        return None

    # ------------------------------------------------------------ stepping
    def choose(self, choice_id) -> StepResult:
        """Take a choice on offer; ValueError naming what is on offer otherwise."""
        cid = str(choice_id)
        c = self._find(cid)
        if c is None:
            raise ValueError(self._not_offered(cid))
        sc = self.scene
        log: list = []
        self.log = log
        record = (sc, self.chapter, self.rng, log, len(self.unlocked))
        try:
            for eff in c.effects:
                eff(self)
            chosen = self.chosen
            chosen[c.key] = chosen.get(c.key, 0) + 1
            log.append((_CHOSE, c.key))
            target = c.goto.resolve(self)
            fired = None
            for t in self.story.triggers:
                if t.cond(self):
                    target = fired = t.target
                    break
            before = len(self.unlocked)
            self._enter(target, log)
        except StoryRuntimeError as exc:
            self._rollback(record)
            raise exc.in_context(sc.id, cid) from None
        except RecursionError:
            self._rollback(record)
            raise StoryRuntimeError("expression too deep to evaluate", c.where, sc.id, cid) from None
        self.steps.append(cid)
        self._history.append(record)
        notes = self.story.notes
        codex = self.story.codex
        return StepResult(c, notes[c.note] if c.note is not None else None,
                          tuple(codex[i] for i in self.unlocked[before:]), fired, self.scene)

    def _enter(self, sid: str, log: list) -> None:
        scene = self.story.scenes.get(sid)
        if scene is None:
            raise StoryRuntimeError(f"goto into scene '{sid}', which does not exist in this story")
        self.scene = scene
        if scene.chapter is not None:
            self.chapter = scene.chapter
        visits = self.visits
        visits[sid] = visits.get(sid, 0) + 1
        log.append((_VISIT, sid))
        for eff in scene.effects:
            eff(self)
        if scene.unlock:
            have = self._unlocked_set
            for cid in scene.unlock:
                if cid not in have:
                    have.add(cid)
                    self.unlocked.append(cid)

    def undo(self) -> bool:
        """Step back one choice, exactly. False when already at the start."""
        if not self._history:
            return False
        self._rollback(self._history.pop())
        self.steps.pop()
        return True

    def _rollback(self, record: tuple) -> None:
        scene, chapter, rng, log, n_unlocked = record
        v = self.vars
        for name, old in reversed(log):
            if name is _VISIT:
                self._dec(self.visits, old)
            elif name is _CHOSE:
                self._dec(self.chosen, old)
            else:
                v[name] = old
        for cid in self.unlocked[n_unlocked:]:
            self._unlocked_set.discard(cid)
        del self.unlocked[n_unlocked:]
        self.scene, self.chapter, self.rng = scene, chapter, rng
        self.log = []

    @staticmethod
    def _dec(counts: dict, key: str) -> None:
        n = counts.get(key, 0) - 1
        if n > 0:
            counts[key] = n
        else:
            counts.pop(key, None)

    @property
    def can_undo(self) -> bool:
        return bool(self._history)

    def _not_offered(self, cid: str) -> str:
        offered = self.choices()
        on = [c.id for c in offered if c.enabled]
        locked = [c.id for c in offered if not c.enabled]
        where = f"in scene '{self.scene.id}'"
        if self.ended:
            return f"no choice '{cid}' {where}: the story has ended ({self.scene.ending.title})"
        msg = f"no choice '{cid}' on offer {where}; on offer: {', '.join(on) if on else 'nothing'}"
        if cid in locked:
            msg = f"choice '{cid}' {where} is locked; on offer: {', '.join(on) if on else 'nothing'}"
        return msg

    # ------------------------------------------------------------ randomness
    def chance(self, percent: int) -> bool:
        """True with `percent` % probability, from the playthrough's own seeded
        generator (splitmix64: its whole state is one integer)."""
        if not 0 <= percent <= 100:
            raise StoryRuntimeError(f"chance({percent}): the percentage must be between 0 and 100")
        self.rng = z = (self.rng + 0x9E3779B97F4A7C15) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        z ^= z >> 31
        return z % 100 < percent

    # ------------------------------------------------------------ history
    def history_choices(self) -> list[tuple[Scene, ChoiceDef]]:
        """(scene, choice) for every step taken, oldest first."""
        out = []
        for record, cid in zip(self._history, self.steps):
            scene = record[0]
            c = scene.continue_choice if scene.continue_choice is not None and cid == "continue" else \
                next((x for x in scene.choices if x.id == cid), None)
            out.append((scene, c))
        return out

    def snapshot(self) -> dict:
        """Everything that defines this playthrough's state, as plain data."""
        return {
            "scene": self.scene.id, "chapter": self.chapter, "vars": dict(self.vars),
            "visits": dict(self.visits), "chosen": dict(self.chosen), "unlocked": list(self.unlocked),
            "steps": list(self.steps), "seed": self.seed, "rng": self.rng,
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Playthrough) and other.story.id == self.story.id and \
            self.snapshot() == other.snapshot()

    __hash__ = None  # type: ignore[assignment]

    def save(self, path, label: str | None = None) -> None:
        from .saves import write_save
        write_save(self, path, label)

    def __repr__(self) -> str:
        return f"<Playthrough {self.story.id} at {self.scene.id}, {len(self.steps)} steps>"
