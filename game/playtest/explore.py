"""Automated playthroughs on the same engine API players use.

Random: seeded runs to an ending, a soft-lock or a step cap. A step picks
at random among the choices on offer that no run has taken yet, and when
every one has been taken, uniformly among them all: rarely offered choices
are tried as soon as they appear, and otherwise play is uniform, so it
reaches the deep paths uniform play reaches (a strict least-used rule is a
deterministic round-robin that never repeats a choice three times in a row).

Exhaustive: breadth-first over distinct states, following every outcome of
every chance() (and random(lo, hi)) through an `Outcomes` strategy given to
the engine. A state is the scene, the variables that can still matter there
(liveness over the scene graph), the non-zero visit and choice counts that can
still be read there (saturated above the largest number they are compared
with), what the scene offers when a chance() decided it at entry, and the
calls in progress. Variables outside the state are tracked beside it (their
values on the paths into each state), so the ranges reported are exact.
"""

from __future__ import annotations

import heapq
import random
from array import array
from collections import Counter, deque
from dataclasses import dataclass, field

from game.engine.errors import StoryRuntimeError
from game.engine.play import Outcomes, Playthrough
from game.engine.story import Story


@dataclass
class Finding:
    scene: str
    path: list[str]
    message: str = ""
    seed: int | None = None
    run: int | None = None
    states: int = 1  # exhaustive: how many states show it


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
    ending_paths: dict = field(default_factory=dict)  # ending id -> Finding (shortest known path)
    soft_locks: list[Finding] = field(default_factory=list)
    no_exit: list[Finding] = field(default_factory=list)  # loops from which no ending is reachable
    errors: list[Finding] = field(default_factory=list)
    capped: list[Finding] = field(default_factory=list)  # random runs that hit the step cap
    checks: list[Finding] = field(default_factory=list)  # story checks (§11.9) that failed
    ranges: dict = field(default_factory=dict)
    # For "why never": choices seen on offer, seen locked, and seen with their condition false.
    offered: set = field(default_factory=set)
    seen_locked: set = field(default_factory=set)
    writes: dict = field(default_factory=dict)  # choice key -> variables its steps wrote
    # Balance: per meter, [states at its min, states at its max, states counted].
    balance: dict = field(default_factory=dict)
    seed: int = 0
    # Achievements (§11.10): id -> runs that earned it (random) or states where
    # its `when` holds (exhaustive); id -> the shortest known path to it.
    achievements: dict = field(default_factory=dict)
    achievement_paths: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.endings = {s.id: 0 for s in self.story.endings}
        self.achievements = {a: 0 for a in self.story.data.achievements}

    def check_achievements(self, play: Playthrough, path) -> None:
        """Exhaustive mode: count the achievements whose `when` holds here."""
        for a in self.story.data.achievements.values():
            try:
                ok = a.cond(play)
            except StoryRuntimeError:
                continue
            if ok:
                self.achievements[a.id] += 1
                if a.id not in self.achievement_paths:
                    self.achievement_paths[a.id] = Finding(play.scene.id, list(path() if callable(path) else path))

    def note_achievements(self, play: Playthrough, seed: int, run: int) -> None:
        """Random mode: the achievements this run earned."""
        for aid, at in zip(play.achievements, play._ach_at):
            self.achievements[aid] = self.achievements.get(aid, 0) + 1
            old = self.achievement_paths.get(aid)
            if old is None or at < len(old.path):
                self.achievement_paths[aid] = Finding(play.scene.id, list(play.steps[:at]), "", seed, run)

    def note_state(self, play: Playthrough) -> None:
        """Widen the ranges with the current values; count the meters' extremes."""
        r = self.ranges
        variables = self.story.variables
        for name, v in play.vars.items():
            cur = r.get(name)
            if cur is None:
                r[name] = [v, v]
            elif variables[name].type == "int":
                if v < cur[0]:
                    cur[0] = v
                elif v > cur[1]:
                    cur[1] = v
            elif v not in cur:
                cur.append(v)
        for name, b in self.balance.items():
            var = variables[name]
            v = play.vars[name]
            b[0] += v == var.lo
            b[1] += v == var.hi
            b[2] += 1

    @property
    def failed(self) -> bool:
        return bool(self.soft_locks or self.errors or self.no_exit or self.checks)

    def all_choices(self) -> list[str]:
        out = []
        for s in self.story.scenes.values():
            if s.continue_choice is not None and s.pause:  # a `pause: false` scene offers nothing
                out.append(s.continue_choice.key)
            out.extend(c.key for c in s.choices)
        return out

    def note_offer(self, play: Playthrough) -> list[str]:
        """The ids of the choices on offer now; remembers what was seen."""
        sid = play.scene.id
        out = []
        for c in play.choices():
            if c.enabled:
                out.append(c.id)
                self.offered.add(f"{sid}.{c.id}")
            else:
                self.seen_locked.add(f"{sid}.{c.id}")
        return out

    def check_state(self, play: Playthrough, path, seed: int | None = None, run: int | None = None) -> None:
        """Story checks (§11.9) in the current state: one finding per check,
        with the shortest path (`path`: a list, or a function giving it)."""
        for ck in self.story.data.checks:
            if bool(ck.cond(play)) == (ck.kind == "always"):
                continue
            old = next((f for f in self.checks if f.message == ck.message), None)
            if old is not None and (seed is None or len(old.path) <= len(play.steps)):
                continue
            new = Finding(play.scene.id, list(path() if callable(path) else path), ck.message, seed, run)
            if old is None:
                self.checks.append(new)
            else:
                self.checks[self.checks.index(old)] = new


def _meters(story: Story) -> dict:
    return {n: [0, 0, 0] for n, v in story.variables.items() if v.meter}


# ------------------------------------------------------------------ random

def random_playtest(story: Story, runs: int = 100, seed: int = 0, max_steps: int = 1000,
                    avoid_used: bool = True) -> Report:
    """`avoid_used`: prefer choices no run has taken yet; False: every step
    picks uniformly."""
    rep = Report(story, "random", seed=seed)
    rep.balance = _meters(story)
    used: dict[str, int] = {}
    checks = story.data.checks
    for run in range(runs):
        run_seed = seed + run  # hashed by the engine: nearby seeds are unrelated
        picker = random.Random(f"{seed}:{run}")
        play = story.new_game(seed=run_seed)
        rep.runs += 1
        rep.reached.add(play.scene.id)
        rep.note_state(play)
        if checks:
            rep.check_state(play, play.steps, run_seed, run)
        for _ in range(max_steps):
            if play.ended:
                sid = play.scene.id
                rep.endings[sid] = rep.endings.get(sid, 0) + 1
                _keep_shortest_ending(rep, Finding(sid, list(play.steps), "", run_seed, run))
                break
            offered = rep.note_offer(play)
            if not offered:
                _keep_shortest(rep.soft_locks, Finding(play.scene.id, list(play.steps), "nothing on offer", run_seed, run))
                break
            sc = play.scene.id
            if avoid_used and len(offered) > 1:
                fresh = [c for c in offered if f"{sc}.{c}" not in used]
                if fresh:
                    offered = fresh
            pick = offered[picker.randrange(len(offered))] if len(offered) > 1 else offered[0]
            key = f"{sc}.{pick}"
            try:
                play.choose(pick)
            except StoryRuntimeError as exc:
                _keep_shortest(rep.errors, Finding(sc, list(play.steps) + [pick], str(exc), run_seed, run),
                               by_message=True)
                break
            used[key] = used.get(key, 0) + 1
            if play.log:
                w = rep.writes.get(key)
                if w is None:
                    w = rep.writes[key] = set()
                w.update(name for name, _ in play.log)
            rep.taken.add(key)
            rep.reached.add(play.scene.id)
            rep.reached.update(play.passed_scenes)
            rep.note_state(play)
            if checks:
                rep.check_state(play, play.steps, run_seed, run)
        else:
            finding = Finding(play.scene.id, list(play.steps), f"no ending after {max_steps} steps", run_seed, run)
            sub = exhaustive_playtest(story, max_states=20_000, start=play)
            if sub.complete and not any(sub.endings.values()):
                finding.message = "a loop with no way out: no ending can be reached from here"
                finding.path, finding.scene = _entry_path(story, run_seed, finding.path, sub.reached)
                _keep_shortest(rep.no_exit, finding)
            else:
                rep.capped.append(finding)
        if play.achievements:
            rep.note_achievements(play, run_seed, run)
    return rep


def _keep_shortest(findings: list[Finding], new: Finding, by_message: bool = False) -> None:
    """One finding per scene (per scene and message with `by_message`): the
    one with the shortest path."""
    for i, f in enumerate(findings):
        if f.scene == new.scene and (not by_message or f.message == new.message):
            if len(new.path) < len(f.path):
                findings[i] = new
            return
    findings.append(new)


def _keep_shortest_ending(rep: Report, new: Finding) -> None:
    old = rep.ending_paths.get(new.scene)
    if old is None or len(new.path) < len(old.path):
        rep.ending_paths[new.scene] = new


def _entry_path(story: Story, seed: int, steps: list[str], trap: set) -> tuple[list[str], str]:
    """The steps up to the first entry into the scenes of a trap, and that scene."""
    play = story.new_game(seed=seed)
    for i, step in enumerate(steps):
        if play.scene.id in trap:
            return steps[:i], play.scene.id
        play.choose(step)
    return steps, play.scene.id


# ------------------------------------------------------------------ exhaustive

class Fork(Outcomes):
    """Decides chance() and random(lo, hi) by a script of outcomes, and
    records, at the first draw past the script, the scripts of the outcomes
    not taken: the explorer runs each of them in turn."""

    __slots__ = ("script", "pos", "forks")

    def __init__(self) -> None:
        self.script: list = []
        self.pos = 0
        self.forks: list[list] = []

    def reset(self, script: list) -> None:
        self.script, self.pos, self.forks = script, 0, []

    def chance(self, percent: int) -> bool:
        if percent <= 0:
            return False
        if percent >= 100:
            return True
        return self._draw(True, (False,))

    def random(self, lo: int, hi: int) -> int:
        if lo >= hi:
            return lo
        return self._draw(lo, range(lo + 1, hi + 1))

    def _draw(self, first, rest):
        i = self.pos
        self.pos = i + 1
        script = self.script
        if i < len(script):
            return script[i]
        prefix = script[:i]
        self.forks.extend(prefix + [v] for v in rest)
        script.append(first)
        return first

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


def _bits(names, index: dict) -> int:
    m = 0
    for n in names:
        b = index.get(n)
        if b is None:
            b = index[n] = len(index)
        m |= 1 << b
    return m


def liveness_masks(story: Story, extra_reads: frozenset = frozenset(),
                   with_text: bool = False) -> tuple[dict[str, int], dict[str, int]]:
    """For each scene: a bitset of what may still be read from there on
    (variables, "@v:SCENE" visit counts, "@c:SCENE.CHOICE" choice counts).
    A worklist over predecessor lists: each scene is revisited only when a
    successor's set grew. Returns (bit of each name, mask per scene)."""
    index: dict[str, int] = {}
    for n in story.variables:  # variables first: their bits are the low ones
        index[n] = len(index)
    base = set(extra_reads)
    for t in story.triggers:
        base |= t.reads
    base_m = _bits(base, index)
    scenes = story.scenes
    trig_targets = [t.target for t in story.triggers if t.target in scenes]
    own: dict[str, int] = {}
    enter: dict[str, int] = {}
    preds: dict[str, list[str]] = {sid: [] for sid in scenes}
    for sid, sc in scenes.items():
        reads = set()
        targets = set(trig_targets)
        for c in (sc.choices + ((sc.continue_choice,) if sc.continue_choice else ())):
            reads |= c.reads
            if c.once:
                reads.add("@c:" + c.key)
            targets.update(c.goto.targets())
        if with_text:  # for the consequences report: what a player can see counts too
            reads |= story.data.text_reads.get(sid, frozenset())
        own[sid] = _bits(reads, index) | base_m
        enter[sid] = _bits(sc.enter_reads, index)
        for t in targets:
            if t in scenes:
                preds[t].append(sid)
    live = dict(own)
    work = list(scenes)
    queued = set(work)
    while work:
        t = work.pop()
        queued.discard(t)
        add = live[t] | enter[t]
        for p in preds[t]:
            cur = live[p]
            new = cur | add
            if new != cur:
                live[p] = new
                if p not in queued:
                    queued.add(p)
                    work.append(p)
    return index, live


def liveness(story: Story, extra_reads: frozenset = frozenset()) -> dict[str, frozenset]:
    """For each scene: the names that may still be read from there on (as sets)."""
    index, live = liveness_masks(story, extra_reads)
    names = sorted(index, key=index.get)
    return {sid: frozenset(n for i, n in enumerate(names) if m >> i & 1) for sid, m in live.items()}


class StateSpace:
    """Turns playthroughs into hashable keys and back.

    A key is (scene, live variable values, live non-zero visit counts, live
    non-zero choice counts, offer, extra): the offer only for a scene whose
    offer a chance() decided at entry, `extra` from `extra_key`."""

    def __init__(self, story: Story):
        self.story = story
        self.names = tuple(story.variables)
        data = story.data
        check_reads = frozenset().union(*(c.reads for c in data.checks)) if data.checks else frozenset()
        if data.achievements:  # what an achievement reads is live wherever it may be earned
            check_reads = check_reads.union(*(a.reads for a in data.achievements.values()))
        index, live = liveness_masks(story, check_reads)
        relevant = data.relevant_vars
        relevant = set(self.names) if relevant is None else set(relevant) | set(check_reads)
        var_mask = _bits([n for n in self.names if n in relevant], index)
        self.live: dict[str, tuple] = {}
        self.dead: dict[str, tuple] = {}
        self.vlive: dict[str, frozenset] = {}  # visit counts live there
        self.clive: dict[str, frozenset] = {}  # choice counts live there
        counted_v = [(s, index["@v:" + s]) for s in data.counted_scenes if "@v:" + s in index]
        once = {c.key for s in story.scenes.values() for c in s.choices if c.once}
        counted_c = [(k, index["@c:" + k]) for k in sorted(set(data.counted_choices) | once) if "@c:" + k in index]
        by_mask: dict[int, tuple] = {}
        for sid, m in live.items():
            vm = m & var_mask
            got = by_mask.get(vm)
            if got is None:
                lv = tuple(n for n in self.names if vm >> index[n] & 1)
                got = by_mask[vm] = (lv, tuple(n for n in self.names if n not in lv))
            self.live[sid], self.dead[sid] = got
            self.vlive[sid] = frozenset(s for s, b in counted_v if m >> b & 1) if counted_v else frozenset()
            self.clive[sid] = frozenset(k for k, b in counted_c if m >> b & 1) if counted_c else frozenset()
        self.cap = data.count_cap
        self.draws = {sid: sc.offer_draws for sid, sc in story.scenes.items()}
        self.offers: dict[tuple, object] = {}  # (scene, offer part) -> the Offer first seen
        self._scenes = story.scenes

    def key(self, p: Playthrough) -> tuple:
        sid = p.scene.id
        v = p.vars
        cap = self.cap
        lv = self.vlive[sid]
        vis = tuple(sorted([(s, c if c < cap else cap) for s, c in p.visits.items() if s in lv])) if lv else ()
        lc = self.clive[sid]
        ch = tuple(sorted([(k, c if c < cap else cap) for k, c in p.chosen.items() if k in lc])) if lc else ()
        offer = None
        if self.draws[sid]:
            o = p._current_offer()
            offer = tuple([(c.id, c.enabled) for c in o.views])
            self.offers.setdefault((sid, offer), o)
        return (sid, tuple([v[n] for n in self.live[sid]]), vis, ch, offer, self.extra_key(p))

    def extra_key(self, p: Playthrough) -> tuple:
        """State beyond scene, variables, counts and offer: the calls in
        progress (format 1.1 §11.4). The one place to add more."""
        return p._calls

    def restore_extra(self, p: Playthrough, part: tuple) -> None:
        """Put back what `extra_key` took."""
        p._calls = part

    def restore(self, p: Playthrough, key: tuple) -> None:
        """Put `p` in the state of `key`; variables dead there keep stale
        values (the explorer sets them from what it tracks beside the key)."""
        sid, vals, vis, ch, offer, extra = key
        p.scene = self._scenes[sid]
        v = p.vars
        for n, val in zip(self.live[sid], vals):
            v[n] = val
        p.visits = dict(vis)
        p.chosen = dict(ch)
        p._history.clear()
        p.steps.clear()
        p._offer = self.offers[(sid, offer)] if offer is not None else None
        self.restore_extra(p, extra)


class Wide:
    """What is tracked beside a state when its dead variables took more than
    one value on the paths into it: per dead variable, (value,), (lo, hi)
    for an int, or the values seen. (A shadow with one value per variable is
    a plain tuple of values: the common case costs one tuple.)"""

    __slots__ = ("entries", "runs", "rows")

    def __init__(self, entries: tuple):
        self.entries = entries
        self.runs = max(map(len, entries)) if entries else 1
        # The values to set for each run r: every variable's r-th value (or its last).
        self.rows = [tuple([e[r] if r < len(e) else e[-1] for e in entries]) for r in range(self.runs)]

    def __eq__(self, other):
        return other.__class__ is Wide and other.entries == self.entries

    def __hash__(self):
        return hash(self.entries)

    def value(self, k: int, r: int):
        e = self.entries[k]
        return e[r] if r < len(e) else e[-1]


def _entries_of(sh) -> tuple:
    return sh.entries if sh.__class__ is Wide else tuple([(x,) for x in sh])


def _widen(old, new: tuple, types: tuple):
    """`old` (a shadow) widened with `new` (entries); the same object when nothing changed."""
    olde = _entries_of(old)
    if olde == new:
        return old
    out = []
    changed = False
    for a, b, t in zip(olde, new, types):
        if a == b:
            out.append(a)
            continue
        if t:
            lo = min(a[0], b[0])
            hi = max(a[-1], b[-1])
            m = (lo,) if lo == hi else (lo, hi)
        else:
            extra = tuple([x for x in b if x not in a])
            m = a + extra if extra else a
        if m != a:
            changed = True
        out.append(m)
    if not changed:
        return old
    return Wide(tuple(out))


MAX_REDO = 64  # re-propagations of one state before its intervals are widened to the bounds


def exhaustive_playtest(story: Story, max_states: int = 2_000_000, start: Playthrough | None = None,
                        seed: int = 0) -> Report:
    rep = Report(story, "exhaustive")
    space = StateSpace(story)
    fork = Fork()
    variables = story.variables
    is_int = {n: variables[n].type == "int" for n in variables}
    dead_types = {sid: tuple(is_int[n] for n in d) for sid, d in space.dead.items()}
    dead_pos = {sid: {n: k for k, n in enumerate(d)} for sid, d in space.dead.items()}
    checks = story.data.checks
    achs = bool(story.data.achievements)
    deps = story.data.effect_deps

    # The states: key -> index; parent index and step per state for the shortest path.
    index: dict[tuple, int] = {}
    keys: list[tuple] = []
    shadow: list = []  # per state: its dead variables' values on the paths into it
    parent = array("q")
    pstep = array("q")
    step_names: list[str] = []
    step_ids: dict[str, int] = {}
    expanded = bytearray()
    in_redo = bytearray()
    redo_count: dict[int, int] = {}
    interned: dict = {}
    esrc = array("q")
    edst = array("q")
    ewr = array("q")  # per edge: the set of variables the step wrote (index into wsets)
    escr = array("q")  # per edge: the chance outcomes it took (index into scripts_ix)
    ecid: list[str] = []
    wsets: dict[frozenset, int] = {}
    wlist: list[frozenset] = []
    scripts_ix: dict[tuple, int] = {}
    slist: list[tuple] = []
    estart: dict[int, int] = {}  # state -> its first edge
    live_pos = {sid: {n: k for k, n in enumerate(lv)} for sid, lv in space.live.items()}
    lock_at: dict[str, list] = {}  # scene -> [first state index, count]
    err_at: dict[tuple, list] = {}  # (scene, choice, message) -> [finding, count]
    ending_states: list[int] = []
    lock_states: list[int] = []

    base_steps = list(start.steps) if start is not None else []

    def path_to(i: int) -> list[str]:
        steps = []
        while parent[i] >= 0:
            steps.append(step_names[pstep[i]])
            i = parent[i]
        return base_steps + steps[::-1]

    def add(k: tuple, par: int, step: int, sh: tuple) -> int:
        k = tuple([interned.setdefault(x, x) if x.__class__ is tuple else x for x in k])
        i = len(keys)
        index[k] = i
        keys.append(k)
        shadow.append(interned.setdefault(sh, sh))
        parent.append(par)
        pstep.append(step)
        expanded.append(0)
        in_redo.append(0)
        return i

    # The roots: a chance() in the start scene's entry forks the start too.
    roots: list[Playthrough] = []
    if start is None:
        scripts: list[list] = [[]]
        while scripts:
            fork.reset(scripts.pop())
            try:
                p = story.new_game(seed, outcomes=fork)
            except StoryRuntimeError as exc:
                rep.errors.append(Finding(story.start, [], str(exc)))
                continue
            scripts.extend(fork.forks)
            roots.append(p)
    else:
        p = story.new_game(start.seed, outcomes=fork)
        p.vars.update(start.vars)
        p.visits, p.chosen = dict(start.visits), dict(start.chosen)
        p.scene = start.scene
        p._offer = start._current_offer()
        roots.append(p)
    if not roots:
        return rep
    for p in roots:
        p._achs = ()  # states are checked by the report, not by the engine after each step
    play = roots[-1]
    queue: deque[int] = deque()
    for p in roots:
        k = space.key(p)
        if k in index:
            continue
        sid = k[0]
        i = add(k, -1, -1, tuple([p.vars[n] for n in space.dead[sid]]))
        rep.reached.add(sid)
        if checks:
            rep.check_state(p, lambda i=i: path_to(i))
        if achs:
            rep.check_achievements(p, lambda i=i: path_to(i))
        queue.append(i)

    redo: list[int] = []  # a heap of states whose shadow widened after they were expanded
    v = play.vars

    def set_dead(dead, sh, r: int) -> None:
        if sh.__class__ is Wide:
            v.update(zip(dead, sh.rows[r if r < sh.runs else -1]))
        else:
            v.update(zip(dead, sh))

    def pass_on(sh, dead, dpos, nsid, ndead, written, written_val, live_val):
        """The entries a step from a wide state gives its successor: a
        variable the step did not write passes its values on; one it wrote
        from variables that took several values is marked for a re-run
        (an empty list), others take `written_val`."""
        entries = sh.entries
        if ndead is dead:
            ent = list(entries)
        else:
            ent = [entries[dpos[n]] if n in dpos else live_val(n) for n in ndead]
        rerun = []
        runs = 1
        if written:
            ndpos = dead_pos[nsid]
            for n in written:
                k = ndpos.get(n)
                if k is None:
                    continue
                w = max([len(entries[dpos[x]]) for x in deps.get(n, ()) if x in dpos], default=1)
                if w > 1:
                    ent[k] = []
                    rerun.append(k)
                    if w > runs:
                        runs = w
                else:
                    ent[k] = written_val(n, k)
        return ent, rerun, runs

    def widen(j: int, new_entries: tuple | None, vals: tuple | None) -> None:
        """Widen state j's shadow with a point (`vals`) or entries."""
        old = shadow[j]
        if vals is not None:
            if old == vals:
                return
            new_entries = tuple([(x,) for x in vals])
        types = dead_types[keys[j][0]]
        merged = _widen(old, new_entries, types)
        if merged is old:
            return
        c = redo_count.get(j, 0) + 1
        redo_count[j] = c
        if c > MAX_REDO:  # a loop keeps widening: it can go on to the bounds
            names = space.dead[keys[j][0]]
            merged = Wide(tuple([(variables[n].lo, variables[n].hi) if t and e[0] != e[-1] else e
                                 for n, t, e in zip(names, types, merged.entries)]))
        shadow[j] = interned.setdefault(merged, merged)
        if expanded[j] and not in_redo[j]:
            in_redo[j] = 1
            heapq.heappush(redo, j)

    def redo_edges(i: int, key: tuple, sid: str, sh, dead, dpos) -> None:
        """Pass a widened shadow on along the stored edges; a step is run
        again only for a variable it wrote from variables that widened."""
        lpos = live_pos[sid]
        vals = key[1]
        e = estart[i]
        n_edges = len(esrc)
        while e < n_edges and esrc[e] == i:
            j = edst[e]
            nsid = keys[j][0]
            ndead = space.dead[nsid]
            if ndead:
                written = wlist[ewr[e]]
                cur = _entries_of(shadow[j])
                ent, rerun, runs = pass_on(sh, dead, dpos, nsid, ndead, written,
                                           lambda n, k: cur[k], lambda n: (vals[lpos[n]],))
                if rerun:
                    script = list(slist[escr[e]])
                    for r in range(runs):
                        space.restore(play, key)
                        set_dead(dead, sh, r)
                        fork.reset(list(script))
                        try:
                            play.choose(ecid[e])
                        except StoryRuntimeError:
                            continue
                        for k in rerun:
                            ent[k].append(v[ndead[k]])
                        play.undo()
                    types = dead_types[nsid]
                    for k in rerun:
                        col = ent[k] or list(cur[k])
                        if types[k]:
                            lo, hi = min(col), max(col)
                            ent[k] = (lo,) if lo == hi else (lo, hi)
                        else:
                            ent[k] = tuple(dict.fromkeys(col))
                widen(j, tuple(ent), None)
            e += 1

    def expand(i: int, first: bool) -> None:
        key = keys[i]
        sid = key[0]
        space.restore(play, key)
        scene = story.scenes[sid]
        if scene.ending is not None:
            if first:
                rep.endings[sid] = rep.endings.get(sid, 0) + 1
                if sid not in rep.ending_paths:
                    rep.ending_paths[sid] = Finding(sid, path_to(i))
                ending_states.append(i)
            return
        offered = rep.note_offer(play) if first else [c.id for c in play.choices() if c.enabled]
        if not offered:
            if first:
                got = lock_at.get(sid)
                if got is None:
                    lock_at[sid] = [i, 1]
                else:
                    got[1] += 1
                lock_states.append(i)
            return
        sh = shadow[i]
        dead = space.dead[sid]
        wide = sh.__class__ is Wide
        dpos = dead_pos[sid]
        if first:
            estart[i] = len(esrc)
        elif wide:
            return redo_edges(i, key, sid, sh, dead, dpos)
        set_dead(dead, sh, 0)
        for cid in offered:
            forks: list[list] = [[]]
            while forks:
                fork.reset(forks.pop())
                try:
                    play.choose(cid)
                except StoryRuntimeError as exc:
                    forks.extend(fork.forks)
                    if first:
                        ek = (sid, cid, str(exc))
                        got = err_at.get(ek)
                        if got is None:
                            err_at[ek] = [Finding(sid, path_to(i) + [cid], str(exc)), 1]
                        else:
                            got[1] += 1
                    set_dead(dead, sh, 0)
                    continue
                forks.extend(fork.forks)
                rep.reached.update(play.passed_scenes)
                nkey = space.key(play)
                nsid = nkey[0]
                ndead = space.dead[nsid]
                j = index.get(nkey)
                if j is None:
                    if len(keys) >= max_states:
                        rep.complete = False
                        play.undo()
                        continue
                    sidx = step_ids.get(cid)
                    if sidx is None:
                        sidx = step_ids[cid] = len(step_names)
                        step_names.append(cid)
                    j = add(nkey, i, sidx, tuple([v[n] for n in ndead]))
                    rep.reached.add(nsid)
                    if checks:
                        rep.check_state(play, lambda j=j: path_to(j))
                    if achs:
                        rep.check_achievements(play, lambda j=j: path_to(j))
                    queue.append(j)
                    fresh = True
                else:
                    fresh = False
                if first:
                    rep.taken.add(f"{sid}.{cid}")
                    esrc.append(i)
                    edst.append(j)
                    # What a redo of this state needs to propagate without re-running the step.
                    wr = frozenset([name for name, _ in play.log])
                    x = wsets.get(wr)
                    if x is None:
                        x = wsets[wr] = len(wlist)
                        wlist.append(wr)
                    if wr:
                        ckey = f"{sid}.{cid}"
                        w = rep.writes.get(ckey)
                        if w is None:
                            rep.writes[ckey] = set(wr)
                        elif not wr <= w:
                            w |= wr
                    ewr.append(x)
                    sc_ = tuple(fork.script)
                    x = scripts_ix.get(sc_)
                    if x is None:
                        x = scripts_ix[sc_] = len(slist)
                        slist.append(sc_)
                    escr.append(x)
                    ecid.append(cid)
                if not ndead:
                    play.undo()
                    continue
                if not wide:
                    if not fresh:
                        widen(j, None, tuple([v[n] for n in ndead]))
                    play.undo()
                    continue
                # The state's dead variables took several values: a variable
                # this step did not write passes them on; those it wrote are
                # computed again from each of them.
                written = {name for name, _ in play.log}
                ent, rerun, runs = pass_on(sh, dead, dpos, nsid, ndead, written,
                                           lambda n, k: (v[n],), lambda n: (v[n],))
                for k in rerun:
                    ent[k].append(v[ndead[k]])
                play.undo()
                if rerun:
                    script = list(fork.script)
                    for r in range(1, runs):
                        space.restore(play, key)
                        set_dead(dead, sh, r)
                        fork.reset(list(script))
                        try:
                            play.choose(cid)
                        except StoryRuntimeError:
                            continue
                        for k in rerun:
                            ent[k].append(v[ndead[k]])
                        play.undo()
                    space.restore(play, key)
                    set_dead(dead, sh, 0)
                    types = dead_types[nsid]
                    for k in rerun:
                        col = ent[k]
                        if types[k]:
                            lo, hi = min(col), max(col)
                            ent[k] = (lo,) if lo == hi else (lo, hi)
                        else:
                            ent[k] = tuple(dict.fromkeys(col))
                if fresh:
                    shadow[j] = Wide(tuple(ent))
                else:
                    widen(j, tuple(ent), None)

    while queue or redo:
        if queue:
            i = queue.popleft()
            expand(i, True)
            expanded[i] = 1
        else:
            i = heapq.heappop(redo)
            in_redo[i] = 0
            expand(i, False)
        if not rep.complete:
            break
    rep.states = len(keys)
    for sid, (i, n) in lock_at.items():
        rep.soft_locks.append(Finding(sid, path_to(i), "nothing on offer", states=n))
    rep.soft_locks.sort(key=lambda f: len(f.path))
    for f, n in err_at.values():
        f.states = n
        rep.errors.append(f)
    _ranges(rep, space, keys, shadow)
    if rep.complete:
        _find_no_exit(rep, len(keys), esrc, edst, ending_states, lock_states, path_to, lambda i: keys[i][0])
    return rep


def _ranges(rep: Report, space: StateSpace, keys: list, shadow: list) -> None:
    """Exact ranges from the states and what is tracked beside them; and the
    meters' balance (states where a meter stands at its min or max)."""
    story = rep.story
    variables = story.variables
    by_scene: dict[str, Counter] = {}
    for k, sh in zip(keys, shadow):
        c = by_scene.get(k[0])
        if c is None:
            c = by_scene[k[0]] = Counter()
        c[(k[1], sh)] += 1
    seen: dict[str, set] = {n: set() for n in variables}
    meters = {n: [0, 0, 0] for n, v in variables.items() if v.meter}
    for sid, counter in by_scene.items():
        live, dead = space.live[sid], space.dead[sid]
        for (vals, sh), n in counter.items():
            sh = _entries_of(sh)
            for name, x in zip(live, vals):
                seen[name].add(x)
            for name, e in zip(dead, sh):
                seen[name].update(e)
            if meters:
                for name, x in zip(live, vals):
                    b = meters.get(name)
                    if b is not None:
                        var = variables[name]
                        b[0] += n * (x == var.lo)
                        b[1] += n * (x == var.hi)
                for name, e in zip(dead, sh):
                    b = meters.get(name)
                    if b is not None:
                        var = variables[name]
                        b[0] += n * (len(e) == 1 and e[0] == var.lo)
                        b[1] += n * (len(e) == 1 and e[0] == var.hi)
        for b in meters.values():
            b[2] += sum(counter.values())
    for name, vals in seen.items():
        if not vals:
            continue
        if variables[name].type == "int":
            rep.ranges[name] = [min(vals), max(vals)]
        else:
            rep.ranges[name] = sorted(vals, key=str)
    rep.balance = meters


def _find_no_exit(rep: Report, n: int, esrc, edst, ending_states, lock_states, path_to, scene_of) -> None:
    """States from which no ending can be reached; those explained by a
    soft-lock ahead of them are left to the soft-lock finding."""
    # Predecessor lists in one flat array (counting sort by destination).
    start = array("q", bytes(8 * (n + 1)))
    for d in edst:
        start[d + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    fill = array("q", start)
    preds = array("q", bytes(8 * len(edst)))
    for s, d in zip(esrc, edst):
        preds[fill[d]] = s
        fill[d] += 1

    def backwards(roots) -> bytearray:
        seen = bytearray(n)
        stack = list(roots)
        for r in roots:
            seen[r] = 1
        while stack:
            k = stack.pop()
            for x in preds[start[k]:start[k + 1]]:
                if not seen[x]:
                    seen[x] = 1
                    stack.append(x)
        return seen

    can_end = backwards(ending_states)
    to_lock = backwards(lock_states)
    has_out = bytearray(n)
    for s in esrc:
        has_out[s] = 1
    stuck = [i for i in range(n) if has_out[i] and not can_end[i] and not to_lock[i]]
    if not stuck:
        return
    # One finding per scene, with the shortest path into it: states are
    # numbered in breadth-first order, so the first one found is the nearest.
    first: dict[str, int] = {}
    count: dict[str, int] = {}
    for i in stuck:
        sid = scene_of(i)
        count[sid] = count.get(sid, 0) + 1
        first.setdefault(sid, i)
    best = {sid: path_to(i) for sid, i in first.items()}
    for sid, path in sorted(best.items(), key=lambda kv: len(kv[1])):
        rep.no_exit.append(Finding(sid, path, "a loop with no way out: no ending can be reached from here",
                                   states=count[sid]))
