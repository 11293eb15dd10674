"""Automated playthroughs on the same engine API players use.

Random: seeded runs to an ending, a soft-lock or a step cap, preferring the
choices taken least so far. Exhaustive: breadth-first over distinct states,
following both outcomes of every chance(). A state is the scene, the
variables that can still matter there (liveness over the scene graph), the
counts that conditions read (saturated above the largest number they compare
with) and the once-choices taken: so loops do not make the space infinite.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

from game.engine.errors import StoryRuntimeError
from game.engine.play import Playthrough
from game.engine.story import Story


@dataclass
class Finding:
    scene: str
    path: list[str]
    message: str = ""
    seed: int | None = None
    run: int | None = None


@dataclass
class Report:
    story: Story
    mode: str
    runs: int = 0
    states: int = 0
    complete: bool = True
    reached: set = field(default_factory=set)
    taken: set = field(default_factory=set)
    endings: dict = field(default_factory=dict)
    soft_locks: list[Finding] = field(default_factory=list)
    no_exit: list[Finding] = field(default_factory=list)  # loops from which no ending is reachable
    errors: list[Finding] = field(default_factory=list)
    capped: list[Finding] = field(default_factory=list)  # random runs that hit the step cap
    ranges: dict = field(default_factory=dict)
    seed: int = 0

    def __post_init__(self) -> None:
        self.endings = {s.id: 0 for s in self.story.endings}

    def note_state(self, play: Playthrough, names=None) -> None:
        """Widen the ranges with the current values (of `names` only, if given)."""
        r = self.ranges
        values = play.vars
        for name in (values if names is None else names):
            v = values[name]
            cur = r.get(name)
            if cur is None:
                r[name] = [v, v]
            elif self.story.variables[name].type == "int":
                if v < cur[0]:
                    cur[0] = v
                elif v > cur[1]:
                    cur[1] = v
            elif v not in cur:
                cur.append(v)

    @property
    def failed(self) -> bool:
        return bool(self.soft_locks or self.errors or self.no_exit)

    def all_choices(self) -> list[str]:
        out = []
        for s in self.story.scenes.values():
            if s.continue_choice is not None and s.pause:  # a `pause: false` scene offers nothing
                out.append(s.continue_choice.key)
            out.extend(c.key for c in s.choices)
        return out


# ------------------------------------------------------------------ random

def random_playtest(story: Story, runs: int = 100, seed: int = 0, max_steps: int = 1000,
                    avoid_used: bool = True) -> Report:
    rep = Report(story, "random", seed=seed)
    used: dict[str, int] = {}
    for run in range(runs):
        run_seed = seed + run
        picker = random.Random(f"{seed}:{run}")
        play = story.new_game(seed=run_seed)
        rep.runs += 1
        rep.reached.add(play.scene.id)
        rep.note_state(play)
        for _ in range(max_steps):
            if play.ended:
                rep.endings[play.scene.id] = rep.endings.get(play.scene.id, 0) + 1
                break
            offered = [c for c in play.choices() if c.enabled]
            if not offered:
                _keep_shortest(rep.soft_locks, Finding(play.scene.id, list(play.steps), "nothing on offer", run_seed, run))
                break
            sc = play.scene.id
            if avoid_used:
                least = min(used.get(f"{sc}.{c.id}", 0) for c in offered)
                offered = [c for c in offered if used.get(f"{sc}.{c.id}", 0) == least]
            pick = offered[picker.randrange(len(offered))] if len(offered) > 1 else offered[0]
            key = f"{sc}.{pick.id}"
            try:
                play.choose(pick.id)
            except StoryRuntimeError as exc:
                rep.errors.append(Finding(sc, list(play.steps) + [pick.id], str(exc), run_seed, run))
                break
            used[key] = used.get(key, 0) + 1
            rep.taken.add(key)
            rep.reached.add(play.scene.id)
            rep.reached.update(play.passed_scenes)
            rep.note_state(play)
        else:
            finding = Finding(play.scene.id, list(play.steps), f"no ending after {max_steps} steps", run_seed, run)
            sub = exhaustive_playtest(story, max_states=20_000, start=play)
            if sub.complete and not any(sub.endings.values()):
                finding.message = "a loop with no way out: no ending can be reached from here"
                finding.path, finding.scene = _entry_path(story, run_seed, finding.path, sub.reached)
                _keep_shortest(rep.no_exit, finding)
            else:
                rep.capped.append(finding)
    return rep


def _keep_shortest(findings: list[Finding], new: Finding) -> None:
    """One finding per scene: the one with the shortest path."""
    for i, f in enumerate(findings):
        if f.scene == new.scene:
            if len(new.path) < len(f.path):
                findings[i] = new
            return
    findings.append(new)


def _entry_path(story: Story, seed: int, steps: list[str], trap: set) -> tuple[list[str], str]:
    """The steps up to the first entry into the scenes of a trap, and that scene."""
    play = story.new_game(seed=seed)
    for i, step in enumerate(steps):
        if play.scene.id in trap:
            return steps[:i], play.scene.id
        play.choose(step)
    return steps, play.scene.id


# ------------------------------------------------------------------ exhaustive

class _Forking(Playthrough):
    """A playthrough whose chance() follows a script and records the forks."""

    __slots__ = ("script", "pos", "forks")

    def chance(self, percent: int) -> bool:
        if not 0 <= percent <= 100:
            raise StoryRuntimeError(f"chance({percent}): the percentage must be between 0 and 100")
        if percent == 0:
            return False
        if percent == 100:
            return True
        i = self.pos
        self.pos = i + 1
        if i < len(self.script):
            return self.script[i]
        self.forks.append(self.script[:i] + [False])
        self.script.append(True)
        return True

    def random(self, lo: int, hi: int) -> int:
        if lo > hi:
            raise StoryRuntimeError(f"random({lo}, {hi}): the first bound is greater than the second")
        i = self.pos
        self.pos = i + 1
        if i < len(self.script):
            return self.script[i]
        self.forks.extend(self.script[:i] + [v] for v in range(lo + 1, hi + 1))
        self.script.append(lo)
        return lo


def liveness(story: Story) -> dict[str, frozenset]:
    """For each scene: the variables that may still be read from there on."""
    trig = frozenset().union(*(t.reads for t in story.triggers)) if story.triggers else frozenset()
    scenes = story.scenes
    succ: dict[str, set[str]] = {}
    own: dict[str, set[str]] = {}
    for sid, sc in scenes.items():
        reads = set(trig)
        targets = set()
        choices = list(sc.choices) + ([sc.continue_choice] if sc.continue_choice else [])
        for c in choices:
            reads |= c.reads
            if c.once:
                reads.add("@c:" + c.key)
            targets.update(c.goto.targets())
        targets.update(t.target for t in story.triggers)
        own[sid] = reads
        succ[sid] = {t for t in targets if t in scenes}
    live = {sid: set(own[sid]) for sid in scenes}
    changed = True
    while changed:
        changed = False
        for sid in scenes:
            cur = live[sid]
            before = len(cur)
            for t in succ[sid]:
                cur |= scenes[t].enter_reads
                cur |= live[t]
            if len(cur) != before:
                changed = True
    relevant = story.data.relevant_vars
    if relevant is not None:  # drop variables no decision ever depends on
        names = set(story.variables)
        return {sid: frozenset(n for n in v if n not in names or n in relevant) for sid, v in live.items()}
    return {sid: frozenset(v) for sid, v in live.items()}


class StateSpace:
    """Turns playthroughs into hashable keys and back."""

    def __init__(self, story: Story):
        self.story = story
        self.names = tuple(story.variables)
        live = liveness(story)
        # Per scene, the variables that can still be read from there (in a fixed order).
        self.live = {sid: tuple(n for n in self.names if n in live[sid]) for sid in story.scenes}
        data = story.data
        self.cap = data.count_cap
        once = [c.key for s in story.scenes.values() for c in s.choices if c.once]
        all_scenes = tuple(data.counted_scenes)
        all_choices = tuple(sorted(set(data.counted_choices) | set(once)))
        # Visit and choice counts are live like variables: only those that
        # visited()/chose()/once can still read from a scene are kept there.
        self.counted_scenes = {sid: tuple(s for s in all_scenes if "@v:" + s in live[sid]) for sid in story.scenes}
        self.counted_choices = {sid: tuple(k for k in all_choices if "@c:" + k in live[sid])
                                for sid in story.scenes}
        self.defaults = {n: v.default for n, v in story.variables.items()}

    def key(self, p: Playthrough) -> tuple:
        sid = p.scene.id
        v = p.vars
        cap = self.cap
        vis = p.visits
        ch = p.chosen
        return (sid, tuple([v[n] for n in self.live[sid]]),
                tuple([min(vis.get(s, 0), cap) for s in self.counted_scenes[sid]]),
                tuple([min(ch.get(k, 0), cap) for k in self.counted_choices[sid]]), p._calls)

    def restore(self, p: Playthrough, key: tuple) -> None:
        """Put `p` in the state of `key`; variables and counts dead there keep
        stale values or are dropped: nothing reads them again."""
        sid, vals, vis, ch, calls = key
        p.scene = self.story.scenes[sid]
        p._calls = calls
        v = p.vars
        for n, val in zip(self.live[sid], vals):
            v[n] = val
        p.visits = {s: c for s, c in zip(self.counted_scenes[sid], vis) if c}
        p.chosen = {k: c for k, c in zip(self.counted_choices[sid], ch) if c}
        p._history.clear()
        p.steps.clear()
        p._offer = None


def exhaustive_playtest(story: Story, max_states: int = 2_000_000, start: Playthrough | None = None) -> Report:
    rep = Report(story, "exhaustive")
    space = StateSpace(story)
    play = _Forking(story, start.seed if start else 0)
    play.script, play.pos, play.forks = [], 0, []
    if start is not None:
        for step in start.steps:
            play.choose(step)
    root = space.key(play)
    # parent[key] = (parent key, step id) for the shortest path back to the start
    parent: dict[tuple, tuple | None] = {root: None}
    queue = deque([root])
    rep.reached.add(play.scene.id)
    rep.note_state(play)
    edges: dict[tuple, list[tuple]] = {}
    endings_keys: list[tuple] = []
    lock_keys: list[tuple] = []
    base_steps = list(start.steps) if start is not None else []

    def path_to(key) -> list[str]:
        steps = []
        while parent[key] is not None:
            key, step = parent[key]
            steps.append(step)
        return base_steps + steps[::-1]

    while queue:
        key = queue.popleft()
        space.restore(play, key)
        sid = key[0]
        scene = story.scenes[sid]
        if scene.ending is not None:
            rep.endings[sid] = rep.endings.get(sid, 0) + 1
            endings_keys.append(key)
            continue
        offered = [c.id for c in play.choices() if c.enabled]
        if not offered:
            rep.soft_locks.append(Finding(sid, path_to(key), "nothing on offer"))
            lock_keys.append(key)
            continue
        out = edges.setdefault(key, [])
        for cid in offered:
            forks = [[]]
            while forks:
                script = forks.pop()
                play.script, play.pos, play.forks = script, 0, []
                try:
                    play.choose(cid)
                except StoryRuntimeError as exc:
                    rep.errors.append(Finding(sid, path_to(key) + [cid], str(exc)))
                    space.restore(play, key)
                    continue
                forks.extend(play.forks)
                rep.taken.add(f"{sid}.{cid}")
                rep.reached.update(play.passed_scenes)
                nkey = space.key(play)
                out.append(nkey)
                if nkey not in parent:
                    parent[nkey] = (key, cid)
                    rep.reached.add(nkey[0])
                    # Only values known to be real: live here, or set by this step.
                    rep.note_state(play, set(space.live[nkey[0]]).union(n for n, _ in play.log))
                    if len(parent) >= max_states:
                        rep.complete = False
                    else:
                        queue.append(nkey)
                play.undo()
        if not rep.complete:
            break
    rep.states = len(parent)
    if rep.complete:
        _find_no_exit(rep, edges, endings_keys, lock_keys, path_to)
    return rep


def _find_no_exit(rep: Report, edges, endings_keys, lock_keys, path_to) -> None:
    """States from which no ending can be reached; those explained by a
    soft-lock ahead of them are left to the soft-lock finding."""
    reverse: dict[tuple, list[tuple]] = {}
    for src, dsts in edges.items():
        for d in dsts:
            reverse.setdefault(d, []).append(src)

    def backwards(roots) -> set:
        seen = set(roots)
        queue = deque(roots)
        while queue:
            k = queue.popleft()
            for src in reverse.get(k, ()):
                if src not in seen:
                    seen.add(src)
                    queue.append(src)
        return seen

    can_end = backwards(endings_keys)
    to_lock = backwards(lock_keys) if lock_keys else set()
    stuck = [k for k in edges if k not in can_end and k not in to_lock]
    if not stuck:
        return
    # One finding per scene, with the shortest path into it.
    best: dict[str, list[str]] = {}
    for k in stuck:
        path = path_to(k)
        if k[0] not in best or len(path) < len(best[k[0]]):
            best[k[0]] = path
    for sid, path in sorted(best.items(), key=lambda kv: len(kv[1])):
        rep.no_exit.append(Finding(sid, path, "a loop with no way out: no ending can be reached from here"))
