"""A playthrough: the mutable, serialisable state of one game of a story.

One step (`choose`) applies the choice's effects, counts it, resolves its
goto, checks the triggers and enters the target (its effects, unlocks and
visit count), exactly as §3 says. Every change is logged so `undo` restores
the previous step exactly; nothing is copied in proportion to the story or the
history.
"""

from __future__ import annotations

from collections import namedtuple
from types import MappingProxyType
from typing import TYPE_CHECKING

from .errors import StoryRuntimeError
from .model import MAX_CALLS, MAX_PASS, ChoiceDef, ChoiceView, CodexEntry, Note, Scene

if TYPE_CHECKING:  # pragma: no cover
    from .story import Story

_MASK = (1 << 64) - 1


def _mix(seed: int) -> int:
    """The generator's first state for a seed: hashed (splitmix64's
    finaliser), so nearby seeds give unrelated streams. Without the hash,
    stream(seed + 1) would be stream(seed) shifted by one draw."""
    z = ((seed & _MASK) * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


CONTINUE = ChoiceView("continue", "Continue")


class Outcomes:
    """Decides what chance() returns in place of the seeded source. The
    exhaustive explorer passes one that follows every outcome in turn."""

    def chance(self, percent: int) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def random(self, lo: int, hi: int) -> int:  # pragma: no cover - interface
        """An int in [lo, hi] (format 1.1 `random(a, b)`; lo <= hi)."""
        raise NotImplementedError


class Offer(namedtuple("Offer", ("text", "ending_text", "views", "takeable"))):
    """What the current scene shows and offers, decided once per entry:
    its text, its ending's text, the ChoiceViews in order (locked ones
    included) and id -> ChoiceDef of the enabled ones. Held in
    `Playthrough.offer` only when the offer draws from chance or has a
    fallback (or the explorer asks for one). A tuple, made with `_new_tuple`
    in one C call."""

    __slots__ = ()


_new_tuple = tuple.__new__


class StepResult(namedtuple("StepResult", ("choice", "note", "unlocked", "trigger", "scene", "reply", "achieved"),
                            defaults=(None, ()))):
    """What one step did, for the player's eyes: the choice taken (a
    ChoiceDef), its note (or None), the codex entries it unlocked, the
    scene a trigger sent the player to (or None), the scene reached, the
    choice's reply, rendered (also at the top of play.text), and the
    achievements (§11.10) first earned by this step. Read-only. A tuple,
    made with `_new_tuple` in one C call on every step's path."""

    __slots__ = ()

    @property
    def historical(self) -> bool:
        return self.choice.historical


class Playthrough:
    __slots__ = ("story", "scene", "chapter", "vars", "visits", "chosen", "unlocked", "_unlocked_set",
                 "steps", "seed", "rng", "log", "_history", "_state_view", "notice", "_scenes", "_triggers",
                 "outcomes", "offer", "call_stack", "reply", "_passed", "achievements", "_ach_at", "_achs",
                 "__weakref__")

    def __init__(self, story: "Story", seed: int = 0, outcomes: "Outcomes | None" = None):
        """`outcomes`: decides chance() instead of the seeded source (the
        exhaustive explorer follows every outcome this way); None for play."""
        self.story = story
        self.outcomes = outcomes
        # What the scene offers, decided once per entry when something in it
        # draws (§11.1) or when first asked for (current_offer); None until then.
        self.offer: Offer | None = None
        self._scenes = story.scene_table
        self._triggers = story.triggers
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
        # Calls in progress (§11.4): (called scene id, key of the call's `then`
        # in story.data.thens), innermost last; a tuple, replaced on change.
        self.call_stack: tuple = ()
        self.reply: str | None = None  # the last choice's reply, rendered (§11.3)
        self._passed: tuple = ()  # texts of the `pause: false` scenes passed through in the last step
        self.scene = story.scenes[story.start]
        # Achievements (§11.10): the ids earned in this game, in order, and
        # the number of steps taken when each was earned (undo drops them).
        self.achievements: list[str] = []
        self._ach_at: list[int] = []
        self._achs = tuple(story.data.achievements.values())
        self._enter(story.start)
        if self._achs:
            self._check_achievements()

    # ------------------------------------------------------------ reading
    @property
    def state(self):
        """The variables' current values (a read-only mapping)."""
        return self._state_view

    @property
    def text(self) -> str:
        """Everything the player reads on this screen (§11.3): the last
        choice's reply, the texts passed through, the scene's text."""
        offer = self.offer
        if offer is None:
            if self.reply is None and not self._passed:
                return self.scene.text.render(self)
            text = self.scene.text.render(self)
        else:
            text = offer[0]
            if self.reply is None and not self._passed:
                return text
        return "\n\n".join([x for x in (self.reply, *self._passed, text) if x])

    @property
    def scene_text(self) -> str:
        """The current scene's own text, without the reply or passed texts."""
        offer = self.offer
        return offer[0] if offer is not None else self.scene.text.render(self)

    @property
    def passed_texts(self) -> tuple:
        return self._passed

    @property
    def passed_scenes(self) -> tuple:
        """The `pause: false` scenes the last step passed through, in order."""
        if not self._history:
            return ()
        entered = self._history[-1][6]
        return tuple(entered[:-1]) if entered.__class__ is list else ()

    @property
    def calls(self) -> list[str]:
        """The scene ids of the calls in progress, innermost last (§11.4)."""
        return [called for called, _ in self.call_stack]

    @property
    def ended(self) -> bool:
        return self.scene.ending is not None

    @property
    def ending_text(self) -> str:
        offer = self.offer
        if offer is not None:
            return offer[1]
        e = self.scene.ending
        return e.text.render(self) if e is not None and e.text is not None else ""

    def choices(self) -> list[ChoiceView]:
        """The choices on offer now; a `locked` one is present but disabled."""
        offer = self.offer
        if offer is not None:
            return list(offer[2])
        # Nothing in this offer draws from chance (§11.1 holds it in `offer`
        # when something does), so it reads the same whenever it is read
        # until the next step: worked out here, as cheaply as can be.
        sc = self.scene
        if sc.continue_choice is not None:
            return [CONTINUE]
        if sc.has_fallback:
            return list(self._current_offer()[2])
        out = []
        chosen = self.chosen
        for c in sc.choices:
            if c.once and c.key in chosen:
                continue
            if c.cond is not None and not c.cond(self):
                if c.locked is not None:
                    out.append(c.view_locked or ChoiceView(c.id, c.text.render(self), False, c.locked))
                continue
            out.append(c.view or ChoiceView(c.id, c.text.render(self)))
        return out

    def _current_offer(self) -> "Offer":
        offer = self.offer
        if offer is None:
            offer = self.offer = self._decide_offer()
        return offer

    def _decide_offer(self, render: bool = True) -> "Offer":
        """What the current scene offers: decided once per entry (§11.1), so a
        redraw, a save or an undo never re-rolls a chance() in it.
        `render=False` (the exhaustive explorer, in a scene whose offer draws
        nothing): which choices are on offer, with their texts left empty."""
        sc = self.scene
        if not render:
            text = ending_text = ""
        else:
            text = sc.text.render(self)
            e = sc.ending
            ending_text = e.text.render(self) if e is not None and e.text is not None else ""
        if sc.continue_choice is not None:
            return _new_tuple(Offer, (text, ending_text, (CONTINUE,), {"continue": sc.continue_choice}))
        views = []
        takeable = {}
        chosen = self.chosen
        fallback = sc.has_fallback
        for c in sc.choices:
            if fallback and c.fallback:
                continue
            if c.once and c.key in chosen:
                continue
            if c.cond is not None and not c.cond(self):
                if c.locked is not None:
                    views.append(c.view_locked or ChoiceView(c.id, c.text.render(self) if render else "", False,
                                                             c.locked))
                continue
            views.append(c.view or ChoiceView(c.id, c.text.render(self) if render else ""))
            takeable[c.id] = c
        if fallback and not takeable:
            # §11.7: offered only when nothing else is, and then alone
            views = []
            for c in sc.choices:
                if c.fallback and (c.cond is None or c.cond(self)):
                    views.append(c.view or ChoiceView(c.id, c.text.render(self) if render else ""))
                    takeable[c.id] = c
        return _new_tuple(Offer, (text, ending_text, tuple(views), takeable))

    def _find(self, choice_id: str) -> ChoiceDef | None:
        """The choice on offer with this id, or None (as `choices()` decides)."""
        offer = self.offer
        if offer is not None:
            return offer[3].get(choice_id)
        return self._find_now(choice_id)

    def _find_now(self, choice_id: str) -> ChoiceDef | None:
        """`_find` with no offer held: worked out from the scene."""
        sc = self.scene
        if sc.continue_choice is not None:
            return sc.continue_choice if choice_id == "continue" else None
        if sc.has_fallback:
            return self._current_offer()[3].get(choice_id)
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
        c, n_unlocked, fired, scene = self._advance(choice_id)
        note = c.note
        story = self.story
        unlocked = self.unlocked
        new = tuple([story.codex[i] for i in unlocked[n_unlocked:]]) if len(unlocked) != n_unlocked else ()
        achieved = self._check_achievements() if self._achs else ()
        return _new_tuple(StepResult, (c, story.notes[note] if note is not None else None, new, fired, scene,
                                       self.reply, achieved))

    def _advance(self, choice_id) -> tuple:
        """The step of `choose`, without what it tells the player (the
        exhaustive explorer's step; achievements are not checked). Returns
        (the choice, unlocked entries before, the trigger's target or None,
        the scene reached)."""
        cid = choice_id if choice_id.__class__ is str else str(choice_id)
        offer = self.offer
        c = offer[3].get(cid) if offer is not None else self._find_now(cid)
        if c is None:
            new_id = self.scene.choice_aliases.get(cid)  # an old id (`was:`), from a save or a file
            if new_id is not None:
                c = self._find(new_id)
                cid = new_id
            if c is None:
                raise ValueError(self._not_offered(cid))
        sc = self.scene
        chapter = self.chapter
        rng = self.rng
        log: list = []
        self.log = log
        unlocked = self.unlocked
        n_unlocked = len(unlocked)
        key = c.key
        calls, reply, passed = self.call_stack, self.reply, self._passed
        entered = None  # the scene(s) entered: one id, or a list when passing through
        stage = 0  # 1: the choice was counted; 2: the target was entered
        try:
            for eff in c.effects:
                eff(self)
            chosen = self.chosen
            n = chosen[key] = chosen.get(key, 0) + 1
            stage = 1
            if c.reply is not None:
                self.reply = c.reply.render(self, n)
            elif reply is not None:
                self.reply = None
            if passed:
                self._passed = ()
            if not c.jumps:
                goto = c.goto
                target = goto.target
                if target is None:
                    target = goto.resolve(self)
            else:
                target = self._exit(c)
            fired = None
            for t in self._triggers:
                if t.cond(self):
                    target = fired = t.target
                    break
            # Enter the target (the same as _enter, inlined: this is the hot path).
            scene = self._scenes.get(target)
            if scene is None:
                raise StoryRuntimeError(f"goto into scene '{target}', which does not exist in this story")
            self.scene = scene
            if scene.chapter is not None:
                self.chapter = scene.chapter
            visits = self.visits
            visits[target] = visits.get(target, 0) + 1
            entered = target
            stage = 2
            for eff in scene.effects:
                eff(self)
            if scene.entry_work:
                if scene.unlock:
                    self._unlock(scene)
                if not scene.pause:  # only a scene without choices can have `pause: false`
                    entered = [target]
                    scene, f = self._pass_through(scene, entered)
                    fired = f or fired
                self.offer = self._decide_offer() if scene.offer_draws else None
            else:
                self.offer = None
        except (StoryRuntimeError, RecursionError) as exc:
            self._rollback((sc, chapter, rng, log, n_unlocked, key, entered, offer, calls, reply, passed), stage)
            if isinstance(exc, RecursionError):
                raise StoryRuntimeError("expression too deep to evaluate", c.where, sc.id, cid) from None
            raise exc.in_context(sc.id, cid, c.where) from None
        self.steps.append(cid)
        self._history.append((sc, chapter, rng, log, n_unlocked, key, entered, offer, calls, reply, passed))
        return c, n_unlocked, fired, scene

    def _check_achievements(self) -> tuple:
        """Earn every achievement whose `when` holds now (once per game)."""
        have = self.achievements
        new = []
        for a in self._achs:
            if a.id in have:
                continue
            try:
                ok = a.cond(self)
            except (StoryRuntimeError, RecursionError):
                ok = False  # an achievement never stops the game
            if ok:
                have.append(a.id)
                self._ach_at.append(len(self.steps))
                new.append(a)
        return tuple(new)

    def _exit(self, x: ChoiceDef) -> str:
        """Where a choice (or a choice-less scene's exit) with call or return leads."""
        if x.returns:
            calls = self.call_stack
            if not calls:
                raise StoryRuntimeError("`return` with no call in progress", x.where)
            self.call_stack = calls[:-1]
            then = self.story.data.thens[calls[-1][1]]
            target = then.target
            return target if target is not None else then.resolve(self)  # resolved now, with today's state
        if x.call is not None:
            if len(self.call_stack) >= MAX_CALLS:
                raise StoryRuntimeError(f"calls nested more than {MAX_CALLS} deep (calling '{x.call}' from "
                                        f"{' → '.join(self.calls)})", x.where)
            self.call_stack = self.call_stack + ((x.call, x.key),)
            return x.call
        goto = x.goto
        target = goto.target
        return target if target is not None else goto.resolve(self)

    def _pass_through(self, scene: Scene, entered: list) -> tuple:
        """Follow `pause: false` scenes from `scene` (already entered) on to
        one that pauses. Returns (that scene, the trigger that fired or None)."""
        passed = []
        fired = None
        n = 0
        triggers = self._triggers
        while not scene.pause and scene.continue_choice is not None:
            n += 1
            if n > MAX_PASS:
                raise StoryRuntimeError(f"more than {MAX_PASS} scenes with 'pause: false' passed through in one "
                                        "step (a loop of them?)", scene.where)
            t = scene.text.render(self)
            if t:
                passed.append(t)
            target = self._exit(scene.continue_choice)
            for tr in triggers:
                if tr.cond(self):
                    target = fired = tr.target
                    break
            nxt = self._scenes.get(target)
            if nxt is None:
                raise StoryRuntimeError(f"goto into scene '{target}', which does not exist in this story",
                                        scene.where)
            scene = self.scene = nxt
            if scene.chapter is not None:
                self.chapter = scene.chapter
            self.visits[target] = self.visits.get(target, 0) + 1
            entered.append(target)
            for eff in scene.effects:
                eff(self)
            if scene.unlock:
                self._unlock(scene)
        self._passed = tuple(passed)
        return scene, fired

    def _enter(self, sid: str) -> None:
        """Enter a scene outside a step (the start)."""
        scene = self._scenes.get(sid)
        if scene is None:
            raise StoryRuntimeError(f"start scene '{sid}' does not exist in this story")
        self.scene = scene
        if scene.chapter is not None:
            self.chapter = scene.chapter
        self.visits[sid] = self.visits.get(sid, 0) + 1
        try:
            for eff in scene.effects:
                eff(self)
            if scene.unlock:
                self._unlock(scene)
            if not scene.pause and scene.continue_choice is not None:
                scene, _ = self._pass_through(scene, [sid])
            self.offer = self._decide_offer() if scene.offer_draws else None
        except RecursionError:
            raise StoryRuntimeError("expression too deep to evaluate", scene.where, sid) from None
        except StoryRuntimeError as exc:
            raise exc.in_context(sid, "", scene.where) from None

    def _unlock(self, scene: Scene) -> None:
        have = self._unlocked_set
        for cid in scene.unlock:
            if cid not in have:
                have.add(cid)
                self.unlocked.append(cid)

    def undo(self) -> bool:
        """Step back one choice, exactly. False when already at the start."""
        if not self._history:
            return False
        self._rollback(self._history.pop(), 2)
        self.steps.pop()
        n = len(self.steps)
        while self._ach_at and self._ach_at[-1] > n:
            self._ach_at.pop()
            self.achievements.pop()
        return True

    def _rollback(self, record: tuple, stage: int) -> None:
        scene, chapter, rng, log, n_unlocked, key, target, offer, calls, reply, passed = record
        if log:
            v = self.vars
            for name, old in reversed(log):
                v[name] = old
        if stage >= 1:  # (_dec inlined for the two common cases: undo is on the explorer's hot path)
            counts = self.chosen
            n = counts.get(key, 0) - 1
            if n > 0:
                counts[key] = n
            else:
                counts.pop(key, None)
        if stage >= 2:
            if target.__class__ is list:
                for t in target:
                    self._dec(self.visits, t)
            elif target is not None:
                counts = self.visits
                n = counts.get(target, 0) - 1
                if n > 0:
                    counts[target] = n
                else:
                    counts.pop(target, None)
        unlocked = self.unlocked
        if len(unlocked) > n_unlocked:
            for cid in unlocked[n_unlocked:]:
                self._unlocked_set.discard(cid)
            del unlocked[n_unlocked:]
        self.scene, self.chapter, self.rng = scene, chapter, rng
        self.offer = offer
        self.call_stack, self.reply, self._passed = calls, reply, passed
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
        if self.outcomes is not None:
            return self.outcomes.chance(percent)
        self.rng = z = (self.rng + 0x9E3779B97F4A7C15) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        z ^= z >> 31
        return z % 100 < percent

    def random(self, lo: int, hi: int) -> int:
        """`random(lo, hi)` (§11.5): an int drawn uniformly from [lo, hi] by
        the seeded source (or decided by `outcomes`)."""
        if lo > hi:
            raise StoryRuntimeError(f"random({lo}, {hi}): the first bound is greater than the second")
        if self.outcomes is not None:
            return self.outcomes.random(lo, hi)
        self.rng = z = (self.rng + 0x9E3779B97F4A7C15) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        z ^= z >> 31
        return lo + z % (hi - lo + 1)

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
            "calls": [list(f) for f in self.call_stack], "reply": self.reply,
            "achievements": list(self.achievements),
        }

    # ------------------------------------------------- the playtester's fast path
    # The exhaustive and random explorers (game/playtest/explore.py) take
    # millions of steps: these are the parts of a playthrough they use, with
    # the attributes `offer` and `call_stack`, and nothing else of its
    # insides. The methods are the engine's own under public names (aliases,
    # not wrappers: a call's cost counts there).

    advance = _advance  # a step as choose() takes it, without its StepResult (nor achievements)
    decide_offer = _decide_offer  # what the scene offers, worked out now (render=False: texts left empty)
    current_offer = _current_offer  # the offer of this entry, decided on first use
    check_achievements = _check_achievements  # what the last step earned (play checks after each step)

    @property
    def last_entered(self):
        """The scene the last step entered, or the list of those it entered
        in order when it passed through `pause: false` scenes."""
        return self._history[-1][6] if self._history else self.scene.id

    @property
    def achievements_at(self) -> list[int]:
        """For each achievement earned, in order: the number of steps taken when it was."""
        return self._ach_at

    def watch_achievements(self, which: tuple) -> None:
        """Check only the achievements `which` after each step (() for none:
        the exhaustive explorer checks its states itself)."""
        self._achs = tuple(which)

    def set_state(self, scene: Scene, visits: dict, chosen: dict, offer: "Offer | None", calls: tuple) -> None:
        """Stand in a state reached before (the variables are the caller's to
        set): the scene, the counts, its offer and calls; no history, no steps."""
        self.scene = scene
        self.visits = visits
        self.chosen = chosen
        self._history.clear()
        self.steps.clear()
        self.offer = offer
        self.call_stack = calls

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Playthrough) and other.story.id == self.story.id and \
            self.snapshot() == other.snapshot()

    __hash__ = None  # type: ignore[assignment]

    def save(self, path, label: str | None = None) -> None:
        from .saves import write_save
        write_save(self, path, label)

    def __repr__(self) -> str:
        return f"<Playthrough {self.story.id} at {self.scene.id}, {len(self.steps)} steps>"
