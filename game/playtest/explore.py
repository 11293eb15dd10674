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

import ast
import random
from array import array
from collections import Counter, deque
from dataclasses import dataclass, field
from operator import itemgetter

from game.engine.errors import StoryRuntimeError
from game.engine.scenegraph import predecessors, successors
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
    achievements_searched: int = 0  # exhaustive mode: random runs that looked for unseen achievements

    def __post_init__(self) -> None:
        self.endings = {s.id: 0 for s in self.story.endings}
        self.achievements = {a: 0 for a in self.story.data.achievements}

    def check_achievements(self, play: Playthrough, path, which=None) -> None:
        """Exhaustive mode: count the achievements whose `when` holds here
        (of `which`, or of all)."""
        for a in (self.story.data.achievements.values() if which is None else which):
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
        for aid, at in zip(play.achievements, play.achievements_at):
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
            sub = exhaustive_playtest(story, max_states=20_000, start=play, exact_ranges=False)
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
    own: dict[str, int] = {}
    enter: dict[str, int] = {}
    preds = predecessors(successors(scenes, story.triggers, with_triggers=True))
    for sid, sc in scenes.items():
        reads = set()
        for c in (sc.choices + ((sc.continue_choice,) if sc.continue_choice else ())):
            reads |= c.reads
            if c.once:
                reads.add("@c:" + c.key)
        if with_text:  # for the consequences report: what a player can see counts too
            reads |= story.data.text_reads.get(sid, frozenset())
        own[sid] = _bits(reads, index) | base_m
        enter[sid] = _bits(sc.enter_reads, index)
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
        # What achievements read is not made part of the state: in a campaign
        # they read meters and counters at the ending, which would multiply the
        # states many times over. Exploration counts the achievements it sees
        # (each with a real path); `exhaustive_playtest` then looks for the
        # unseen ones with random runs (see ACHIEVEMENT_RUNS).
        index, live = liveness_masks(story, check_reads)
        relevant = data.relevant_vars
        relevant = set(self.names) if relevant is None else set(relevant) | set(check_reads)
        var_mask = _bits([n for n in self.names if n in relevant], index)
        self.live: dict[str, tuple] = {}
        self.dead: dict[str, tuple] = {}
        # Counts stay bitsets (a scene may have thousands live): the key
        # tests only the few non-zero counts a playthrough holds.
        self.vbit = {s: index["@v:" + s] for s in data.counted_scenes if "@v:" + s in index}
        once = {c.key for s in story.scenes.values() for c in s.choices if c.once}
        self.cbit = {k: index["@c:" + k] for k in set(data.counted_choices) | once if "@c:" + k in index}
        vall = _bits(["@v:" + s for s in self.vbit], index)
        call = _bits(["@c:" + k for k in self.cbit], index)
        self.vmask: dict[str, int] = {}
        self.cmask: dict[str, int] = {}
        by_mask: dict[int, tuple] = {}
        for sid, m in live.items():
            vm = m & var_mask
            got = by_mask.get(vm)
            if got is None:
                lv = tuple(n for n in self.names if vm >> index[n] & 1)
                got = by_mask[vm] = (lv, tuple(n for n in self.names if n not in lv))
            self.live[sid], self.dead[sid] = got
            self.vmask[sid] = m & vall
            self.cmask[sid] = m & call
        self.cap = data.count_cap
        self.draws = {sid: sc.offer_draws for sid, sc in story.scenes.items()}
        self.offers: dict[tuple, object] = {}  # (scene, offer part) -> the Offer first seen
        self._scenes = story.scenes
        # Per scene, for `key`: (its live values getter, the live visit counts,
        # the live choice counts, draws); counts as a set of names when few are
        # live there, else as the mask (None when none is).
        vname = {b: s for s, b in self.vbit.items()}
        cname = {b: k for k, b in self.cbit.items()}
        self._per_scene = {sid: (_getter(self.live[sid]), _count_filter(self.vmask[sid], vname),
                                 _count_filter(self.cmask[sid], cname), self.draws[sid]) for sid in self.live}
        self._no_bit = len(index)  # a bit no mask has (for a count not counted anywhere)
        self._plain_extra = type(self).extra_key is StateSpace.extra_key

    def key(self, p: Playthrough) -> tuple:
        sid = p.scene.id
        values, vf, cf, draws = self._per_scene[sid]
        vis = ch = ()
        if vf is not None:
            cap = self.cap
            if vf.__class__ is frozenset:
                got = [(s, c if c < cap else cap) for s, c in p.visits.items() if s in vf]
            else:
                vb = self.vbit
                no = self._no_bit
                got = [(s, c if c < cap else cap) for s, c in p.visits.items() if vf >> vb.get(s, no) & 1]
            if got:
                vis = tuple(got) if len(got) == 1 else tuple(sorted(got))
        if cf is not None:
            cap = self.cap
            if cf.__class__ is frozenset:
                got = [(k, c if c < cap else cap) for k, c in p.chosen.items() if k in cf]
            else:
                cb = self.cbit
                no = self._no_bit
                got = [(k, c if c < cap else cap) for k, c in p.chosen.items() if cf >> cb.get(k, no) & 1]
            if got:
                ch = tuple(got) if len(got) == 1 else tuple(sorted(got))
        offer = None
        if draws:
            o = p.current_offer()
            offer = tuple([(c.id, c.enabled) for c in o.views])
            self.offers.setdefault((sid, offer), o)
        return (sid, values(p.vars), vis, ch, offer, p.call_stack if self._plain_extra else self.extra_key(p))

    def extra_key(self, p: Playthrough) -> tuple:
        """State beyond scene, variables, counts and offer: the calls in
        progress (format 1.1 §11.4). The one place to add more."""
        return p.call_stack

    def restore_extra(self, p: Playthrough, part: tuple) -> None:
        """Put back what `extra_key` took."""
        p.call_stack = part

    def restore(self, p: Playthrough, key: tuple) -> None:
        """Put `p` in the state of `key`; variables dead there keep stale
        values (the explorer sets them from what it tracks beside the key)."""
        sid, vals, vis, ch, offer, extra = key
        p.vars.update(zip(self.live[sid], vals))
        p.set_state(self._scenes[sid], dict(vis), dict(ch), self.offers[(sid, offer)] if offer is not None else None,
                    ())
        self.restore_extra(p, extra)  # the calls in progress, and what a subclass keeps


def _count_filter(mask: int, name_of: dict):
    """The live counts of a mask: None for none, the set of their names when
    there are a few, else the mask itself (tested bit by bit)."""
    if not mask:
        return None
    if mask.bit_count() > 64:
        return mask
    names = []
    while mask:
        low = mask & -mask
        names.append(name_of[low.bit_length() - 1])
        mask ^= low
    return frozenset(names)


def _getter(names: tuple):
    """A function giving the values of `names` in a dict, as a tuple."""
    if len(names) > 1:
        return itemgetter(*names)
    if names:
        name = names[0]
        return lambda v: (v[name],)
    return lambda v: ()


def _merge(a: tuple, b: tuple, is_int: bool) -> tuple:
    """Values `a` widened with `b`: for an int (value,) or (lo, hi), else
    the values seen; `a` itself when `b` adds nothing."""
    if a == b:
        return a
    if is_int:
        lo = a[0] if a[0] <= b[0] else b[0]
        hi = a[-1] if a[-1] >= b[-1] else b[-1]
        if lo == a[0] and hi == a[-1]:
            return a
        return (lo,) if lo == hi else (lo, hi)
    extra = tuple([x for x in b if x not in a])
    return a + extra if extra else a


def _dep_closure(deps) -> dict[str, frozenset]:
    """Per variable: every variable its written value can depend on (an
    effect may read one written earlier in the same step)."""
    out: dict[str, frozenset] = {}
    for n in deps:
        seen = set()
        todo = list(deps.get(n, ()))
        while todo:
            x = todo.pop()
            if x not in seen:
                seen.add(x)
                todo.extend(deps.get(x, ()))
        out[n] = frozenset(seen)
    return out


def _components(n: int, off, edst, roots) -> tuple[array, array]:
    """The strongly connected components of the edge graph reachable from
    `roots` (iterative Tarjan), sinks first: (the states, component by
    component; the end of each component in that list). The stacks are
    arrays: a long chain of states makes them as deep as it is long."""
    idx = array("q", [-1]) * n
    low = array("q", [0]) * n
    onst = bytearray(n)
    stack = array("q")
    order = array("q")
    ends = array("q")
    wv = array("q")  # the depth-first path: states, and the next edge of each
    we = array("q")
    counter = 0
    for r in roots:
        if idx[r] >= 0:
            continue
        idx[r] = low[r] = counter
        counter += 1
        stack.append(r)
        onst[r] = 1
        wv.append(r)
        we.append(off[r])
        while wv:
            v = wv[-1]
            e = we[-1]
            end = off[v + 1]
            pushed = False
            while e < end:
                w = edst[e]
                e += 1
                if idx[w] < 0:
                    we[-1] = e
                    idx[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    onst[w] = 1
                    wv.append(w)
                    we.append(off[w])
                    pushed = True
                    break
                if onst[w] and idx[w] < low[v]:
                    low[v] = idx[w]
            if pushed:
                continue
            wv.pop()
            we.pop()
            if low[v] == idx[v]:
                while True:
                    w = stack.pop()
                    onst[w] = 0
                    order.append(w)
                    if w == v:
                        break
                ends.append(len(order))
            if wv:
                u = wv[-1]
                if low[v] < low[u]:
                    low[u] = low[v]
    return order, ends


def _tracked(story: Story) -> frozenset:
    """The variables whose values outside the key are tracked per state:
    those an effect computes from variables (and what feeds them), and meters."""
    deps = story.data.effect_deps
    out = {n for n, d in deps.items() if d} | {n for n, v in story.variables.items() if v.meter}
    todo = list(out)
    while todo:
        for x in deps.get(todo.pop(), ()):
            if x not in out:
                out.add(x)
                todo.append(x)
    return frozenset(out)


MAX_REDO = 64  # widenings of one state in a loop before its intervals are widened to the bounds


def exhaustive_playtest(story: Story, max_states: int = 2_000_000, start: Playthrough | None = None,
                        seed: int = 0, exact_ranges: bool = True) -> Report:
    """`exact_ranges=False`: do not track the variables outside the key (the
    ranges are then those of the first path into each state); for callers
    that need only states, endings and coverage.

    Two passes. The first explores every state once, with the variables
    outside each state's key set to their values on the first path into it;
    it stores the edges (each with a label: the choice, the chance outcomes,
    the scenes entered, the variables written), and widens a state already
    found with the values a later edge brings. The second passes the values
    of states that took several along the stored edges, in topological order
    of the edge graph (loops iterated to a fixed point), without running the
    story again where it can (see `_spread`)."""
    rep = Report(story, "exhaustive")
    space = StateSpace(story)
    fork = Fork()
    variables = story.variables
    is_int = {n: variables[n].type == "int" for n in variables}
    # Of the variables outside a state's key, only those whose values a
    # step computes from values (`codes += 1`) are tracked per state, and
    # meters (for balance); the others are only ever assigned values that
    # do not depend on the path, so their values are those written.
    tracked = _tracked(story)
    tdead = {sid: tuple(n for n in d if n in tracked) for sid, d in space.dead.items()}
    dead_types = {sid: tuple(is_int[n] for n in d) for sid, d in tdead.items()}
    written_seen: dict[str, set] = {n: set() for n in variables if n not in tracked}
    checks = story.data.checks
    achs = tuple(story.data.achievements.values())
    # Achievements that need an ending (`when: ended and ...`) are checked only at endings.
    achs_open = tuple(a for a in achs if not _needs_ending(a.when))
    scenes = story.scenes
    key_of = space.key
    # Per scene: (tracked dead names, their values getter, their types, the
    # shadows of its layout, the live values of its layout). Equal tuples are
    # shared per layout (not across layouts: True == 1 in a tuple's equality).
    by_dead: dict[tuple, dict] = {}
    by_live: dict[tuple, dict] = {}
    info_of = {sid: (d, _getter(d), dead_types[sid], by_dead.setdefault(d, {}),
                     by_live.setdefault(space.live[sid], {})) for sid, d in tdead.items()}

    # The states: key -> index; parent index and step per state for the shortest path.
    index: dict[tuple, int] = {}
    keys: list[tuple] = []
    shadow: list = []  # per state: its dead variables' values on the first path into it
    summaries = _Summaries()  # per state: all the values they took (summaries.of)
    S = summaries.of
    widened: dict[tuple, int] = {}  # (summary, values) -> the summary widened with them
    parent = array("q")
    pstep = array("q")  # the step into each state: a pair (below)
    interned: dict = {}
    # Pairs (scene, choice id): the steps of paths, and what was offered,
    # seen locked and taken (coverage), without building a key per edge.
    pairs: list[tuple] = []  # pair -> (scene id, choice id, "scene.choice")
    pair_of: dict[str, dict] = {sid: {} for sid in scenes}  # scene -> {choice id: pair}
    offered_p = bytearray()
    locked_p = bytearray()
    taken_p = bytearray()
    # The edges, grouped by source (states are expanded in index order):
    # eoff[i] is state i's first; per edge its destination and label.
    eoff = array("q")
    edst = array("q")
    elab = array("q")
    labels: dict[tuple, int] = {}  # (pair, chance outcomes, scenes entered, names written) -> label
    lab_info: list[tuple] = []
    lab_untracked: list[tuple] = []  # label -> the untracked variables it writes
    lock_at: dict[str, list] = {}  # scene -> [first state index, count]
    err_at: dict[tuple, list] = {}  # (scene, choice, message) -> [finding, count]
    ending_states: list[int] = []
    lock_states: list[int] = []

    base_steps = list(start.steps) if start is not None else []

    def path_to(i: int) -> list[str]:
        steps = []
        while parent[i] >= 0:
            steps.append(pairs[pstep[i]][1])
            i = parent[i]
        return base_steps + steps[::-1]

    def add(k: tuple, par: int, step: int, sh: tuple, info: tuple) -> int:
        sid, vals, vis, ch, offer, extra = k
        vals = info[4].setdefault(vals, vals)
        if vis:
            vis = interned.setdefault(vis, vis)
        if ch:
            ch = interned.setdefault(ch, ch)
        if offer is not None:
            offer = interned.setdefault(offer, offer)
        if extra and extra.__class__ is tuple:
            extra = interned.setdefault(extra, extra)
        k = (sid, vals, vis, ch, offer, extra)
        i = len(keys)
        index[k] = i
        keys.append(k)
        got = info[3].get(sh)
        if got is None:
            got = info[3][sh] = (sh, summaries.intern(info[2], tuple([(a,) for a in sh])))
        shadow.append(got[0])
        S.append(got[1])
        parent.append(par)
        pstep.append(step)
        return i

    def widen(j: int, vals: tuple) -> None:
        """State j took these values of its dead variables too."""
        sj = S[j]
        wk = (sj, vals)
        m = widened.get(wk)
        if m is None:
            if len(widened) > MEMO_CAP:
                widened.clear()
            types = summaries.types[sj]
            m = widened[wk] = summaries.intern(types, tuple([_merge(e, (x,), t) for e, x, t in
                                                             zip(summaries.table[sj], vals, types)]))
        S[j] = m

    def new_pair(sid: str, cid: str) -> int:
        pi = pair_of[sid][cid] = len(pairs)
        pairs.append((sid, cid, f"{sid}.{cid}"))
        offered_p.append(0)
        locked_p.append(0)
        taken_p.append(0)
        return pi

    def new_label(lk: tuple) -> int:
        lab = labels[lk] = len(lab_info)
        lab_info.append(lk)
        wn = lk[3]
        lab_untracked.append(tuple([n for n in dict.fromkeys(wn) if n in written_seen]))
        if wn:
            ckey = pairs[lk[0]][2]
            w = rep.writes.get(ckey)
            if w is None:
                rep.writes[ckey] = set(wn)
            else:
                w.update(wn)
        return lab

    def check(p: Playthrough, i: int) -> None:
        if checks:
            rep.check_state(p, lambda: path_to(i))
        which = achs if p.scene.ending is not None else achs_open
        if which:
            rep.check_achievements(p, lambda: path_to(i), which)

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
        p.offer = start.current_offer()
        roots.append(p)
    if not roots:
        return rep
    for p in roots:
        p.watch_achievements(())  # states are checked by the report, not by the engine after each step
    play = roots[-1]
    queue: deque[int] = deque()
    for p in roots:
        k = key_of(p)
        sid = k[0]
        for name, x in p.vars.items():
            if name in written_seen:
                written_seen[name].add(x)
        info = info_of[sid]
        pt = info[1](p.vars)
        if k in index:
            j = index[k]
            if exact_ranges and pt != shadow[j]:
                widen(j, pt)
            continue
        i = add(k, -1, -1, pt, info)
        rep.reached.add(sid)
        check(p, i)
        queue.append(i)

    v = play.vars
    reached = rep.reached
    step = play.advance  # choose() without its StepResult: achievements are checked here (check)

    def expand(i: int) -> None:
        eoff.append(len(edst))  # states are expanded in index order
        key = keys[i]
        sid = key[0]
        space.restore(play, key)
        if scenes[sid].ending is not None:
            rep.endings[sid] = rep.endings.get(sid, 0) + 1
            if sid not in rep.ending_paths:
                rep.ending_paths[sid] = Finding(sid, path_to(i))
            ending_states.append(i)
            return
        offer = play.offer
        if offer is None:  # what is on offer, its texts not rendered (nothing in them draws)
            offer = play.offer = play.decide_offer(False)
        mine = pair_of[sid]
        offered = []
        for c in offer.views:
            pi = mine.get(c.id)
            if pi is None:
                pi = new_pair(sid, c.id)
            if c.enabled:
                offered.append(pi)
                offered_p[pi] = 1
            else:
                locked_p[pi] = 1
        if not offered:
            got = lock_at.get(sid)
            if got is None:
                lock_at[sid] = [i, 1]
            else:
                got[1] += 1
            lock_states.append(i)
            return
        dead = tdead[sid]
        sh = shadow[i]
        if dead:
            v.update(zip(dead, sh))
        for pi in offered:
            cid = pairs[pi][1]
            forks: list[list] = [[]]
            while forks:
                fork.reset(forks.pop())
                try:
                    step(cid)
                except StoryRuntimeError as exc:
                    forks.extend(fork.forks)
                    ek = (sid, cid, str(exc))
                    got = err_at.get(ek)
                    if got is None:
                        err_at[ek] = [Finding(sid, path_to(i) + [cid], str(exc)), 1]
                    else:
                        got[1] += 1
                    if dead:
                        v.update(zip(dead, sh))
                    continue
                if fork.forks:
                    forks.extend(fork.forks)
                ent = play.last_entered
                if ent.__class__ is list:  # passed through `pause: false` scenes
                    ent = tuple(ent)
                    reached.update(ent[:-1])
                nkey = key_of(play)
                info = info_of[nkey[0]]
                j = index.get(nkey)
                if j is None:
                    if len(keys) >= max_states:
                        rep.complete = False
                        play.undo()
                        continue
                    j = add(nkey, i, pi, info[1](v), info)
                    reached.add(nkey[0])
                    check(play, j)
                    queue.append(j)
                elif exact_ranges and info[0]:
                    vals = info[1](v)
                    if vals != shadow[j]:
                        widen(j, vals)
                taken_p[pi] = 1
                edst.append(j)
                log = play.log
                scr = fork.script
                lk = (pi, tuple(scr) if scr else (), ent, tuple(map(_first, log)) if log else ())
                lab = labels.get(lk)
                if lab is None:
                    lab = new_label(lk)
                elab.append(lab)
                for name in lab_untracked[lab]:
                    written_seen[name].add(v[name])
                play.undo()

    while queue:
        expand(queue.popleft())
        if not rep.complete:
            break
    n = len(keys)
    rep.states = n
    index.clear()  # not needed any more: its memory serves the second pass
    widened.clear()
    while len(eoff) <= n:
        eoff.append(len(edst))
    for pi, (_, _, ckey) in enumerate(pairs):
        if offered_p[pi]:
            rep.offered.add(ckey)
        if locked_p[pi]:
            rep.seen_locked.add(ckey)
        if taken_p[pi]:
            rep.taken.add(ckey)
    for sid, (i, c) in lock_at.items():
        rep.soft_locks.append(Finding(sid, path_to(i), "nothing on offer", states=c))
    rep.soft_locks.sort(key=lambda f: len(f.path))
    for f, c in err_at.values():
        f.states = c
        rep.errors.append(f)
    settled: dict[str, set] = {}
    if exact_ranges:
        several = summaries.several()
        if several:
            settled = _settle(story, tdead, keys, summaries, by_live)
            if settled:
                several = summaries.several()
        if several:
            _spread(story, space, play, fork, keys, shadow, summaries, several, eoff, edst, elab, lab_info,
                    pairs, tdead, dead_types, settled)
    _ranges(rep, space, tdead, keys, summaries, written_seen, by_live, settled)
    if rep.complete:
        _find_no_exit(rep, n, eoff, edst, ending_states, lock_states, path_to, lambda i: keys[i][0])
    if start is None and any(v == 0 for v in rep.achievements.values()):
        _look_for_achievements(story, rep, seed)
    return rep


_first = itemgetter(0)
MEMO_CAP = 500_000  # entries in one of the explorer's memo tables before it starts again


def _needs_ending(when: str) -> bool:
    """An achievement's condition that holds only at an ending: `ended`, or
    `ended and ...` (as written)."""
    try:
        body = ast.parse(str(when).strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And):
        return any(isinstance(x, ast.Name) and x.id == "ended" for x in body.values)
    return isinstance(body, ast.Name) and body.id == "ended"


ACHIEVEMENT_RUNS = 2_000


def _look_for_achievements(story: Story, rep: Report, seed: int) -> None:
    """Achievements the explored states never showed (their variables are not
    in the state key) are looked for in random runs; one found counts as
    earnable, with that run's path. `achievements_searched` says so."""
    unseen = tuple(a for a in story.data.achievements.values() if not rep.achievements.get(a.id))
    extra = _achievement_runs(story, ACHIEVEMENT_RUNS, seed, unseen)
    rep.achievements_searched = ACHIEVEMENT_RUNS
    for aid, n in rep.achievements.items():
        if n == 0 and extra.achievements.get(aid):
            rep.achievements[aid] = extra.achievements[aid]
            rep.achievement_paths[aid] = extra.achievement_paths[aid]


def _achievement_runs(story: Story, runs: int, seed: int, which: tuple, max_steps: int = 1000) -> Report:
    """The runs of `random_playtest(story, runs, seed)` (the same choices,
    step by step), keeping only what they earn of the achievements `which`
    (each is checked after every step as in play; the others are not)."""
    rep = Report(story, "random", seed=seed)
    used: dict[str, int] = {}
    for run in range(runs):
        run_seed = seed + run
        picker = random.Random(f"{seed}:{run}")
        play = story.new_game(seed=run_seed)
        play.watch_achievements(which)
        for _ in range(max_steps):
            if play.ended:
                break
            if play.offer is None:  # nothing in this offer draws: its texts are not needed
                play.offer = play.decide_offer(False)
            offered = [c.id for c in play.offer.views if c.enabled]
            if not offered:
                break
            sc = play.scene.id
            if len(offered) > 1:
                fresh = [c for c in offered if f"{sc}.{c}" not in used]
                if fresh:
                    offered = fresh
            pick = offered[picker.randrange(len(offered))] if len(offered) > 1 else offered[0]
            try:
                play.advance(pick)  # choose() without its StepResult
            except StoryRuntimeError:
                break
            play.check_achievements()
            key = f"{sc}.{pick}"
            used[key] = used.get(key, 0) + 1
        if play.achievements:
            rep.note_achievements(play, run_seed, run)
    return rep


class _Summaries:
    """Per state, every value its tracked dead variables took: a summary id
    per state (`of`); a summary (`table`) has per dead position, for a
    number, (value,) or (lo, hi), else the values seen, in the order seen.
    Interned per types of their layout (`types`), their entries shared (an
    int's apart from a bool's: True == 1 in a tuple's equality)."""

    def __init__(self) -> None:
        self.table: list[tuple] = []
        self.types: list[tuple] = []
        self.ids: dict[tuple, dict] = {}  # types -> {summary: id}
        self.entries: tuple[dict, dict] = ({}, {})  # [is_int] -> {entry: entry}
        self.of = array("q")

    def intern(self, types: tuple, summary: tuple) -> int:
        ids = self.ids.get(types)
        if ids is None:
            ids = self.ids[types] = {}
        x = ids.get(summary)
        if x is None:
            entries = self.entries
            summary = tuple([entries[t].setdefault(e, e) for t, e in zip(types, summary)])
            x = ids[summary] = len(self.table)
            self.table.append(summary)
            self.types.append(types)
        return x

    def several(self) -> list[int]:
        """The states that took several values (in index order)."""
        wide = [any([len(e) > 1 for e in t]) for t in self.table]
        return [i for i, x in enumerate(self.of) if wide[x]]


# The operations of a plan (per position of the destination's tracked dead variables):
_PASS, _SHIFT, _RERUN = 0, 1, 2


def _effects_of(fns) -> list | None:
    """The effects as the explorer can pass values through them: a list of
    ("shift", name, delta) and ("sets", name); None if one of them is of
    another kind (it is then run again with other values)."""
    out = []
    for f in fns:
        shift = getattr(f, "shift", None)
        if shift is not None:
            out.append(("shift",) + shift)
            continue
        sets = getattr(f, "sets", None)
        if sets is not None:
            out.append(("sets", sets))
            continue
        parts = getattr(f, "parts", None)
        if parts is None:
            return None
        inner = _effects_of(parts)
        if inner is None:
            return None
        out.extend(inner)
    return out


def _choice_def(scene, cid: str):
    if scene.continue_choice is not None and cid == "continue":
        return scene.continue_choice
    return next(c for c in scene.choices if c.id == cid)


def _layouts(tdead: dict, keys: list, summaries: _Summaries) -> tuple[list, dict, set]:
    """(the dead layouts, layout index per scene, the (layout << 32 | summary)
    pairs the states hold)."""
    layout_ids: dict[tuple, int] = {}
    layout_of = {sid: layout_ids.setdefault(d, len(layout_ids)) for sid, d in tdead.items()}
    held = set([layout_of[k[0]] << 32 | s for k, s in zip(keys, summaries.of)])
    return list(layout_ids), layout_of, held


_SETTLED = (None,)  # a settled variable's entry in the summaries of the second pass


def _settle(story, tdead: dict, keys: list, summaries: _Summaries, by_live: dict) -> dict[str, set]:
    """The tracked variables the second pass need not follow, with their
    values: those that took in the first pass everything they can hold (an
    int from its min to its max, every value of a bool or a text), are not
    meters (balance counts them per state), and that no variable it follows
    is computed from. Their entries in the summaries become _SETTLED (so
    states differing only there share a summary). Their values are real (the
    first pass's) and can be no more, so their ranges are already exact."""
    variables = story.variables
    followed = {n for d in tdead.values() for n in d}
    seen: dict[str, set] = {n: set() for n in followed}
    for names, distinct in by_live.items():
        if names and distinct:
            for name, column in zip(names, zip(*distinct)):
                if name in seen:
                    seen[name].update(column)
    layouts, layout_of, held = _layouts(tdead, keys, summaries)
    table = summaries.table
    for ls in held:
        for name, ent in zip(layouts[ls >> 32], table[ls & 0xFFFFFFFF]):
            seen[name].update(ent)
    full = set()
    for name, vals in seen.items():
        var = variables[name]
        if var.meter or not vals:
            continue
        if var.type == "int":
            ok = min(vals) == var.lo and max(vals) == var.hi
        elif var.type == "bool":
            ok = len(vals) == 2
        elif var.type == "str":
            ok = set(var.values) <= vals
        else:
            ok = False
        if ok:
            full.add(name)
    closure = _dep_closure(story.data.effect_deps)
    changed = True
    while changed:  # not one a followed variable is computed from
        changed = False
        for name in sorted(full):
            if any(name in closure.get(y, ()) for y in followed - full):
                full.discard(name)
                changed = True
    if not full:
        return {}
    positions = [tuple(q for q, name in enumerate(layout) if name in full) for layout in layouts]
    S = summaries.of
    done: dict[int, int] = {}
    for i, k in enumerate(keys):
        lid = layout_of[k[0]]
        where = positions[lid]
        if not where:
            continue
        s = S[i]
        mk = lid << 32 | s
        x = done.get(mk)
        if x is None:
            t = list(table[s])
            for q in where:
                t[q] = _SETTLED
            x = done[mk] = summaries.intern(summaries.types[s], tuple(t))
        S[i] = x
    return {n: seen[n] for n in full}


def _spread(story, space, play, fork, keys, shadow, summaries, several, off, edst, elab, lab_info, pairs,
            dead_of, dead_types, settled: dict) -> None:
    """The second pass: the values of the states that took several passed on
    along the stored edges, in topological order of the edge graph (Tarjan's
    components; a loop is gone over until nothing in it widens).

    Each edge label gets a plan once: per tracked dead variable of the
    destination, either nothing (its value there does not depend on the
    source's dead values, as after a constant assignment: the first pass
    brought it), passed on (the step did not write it), shifted (only
    `x += N`/`x -= N` wrote it: its low and high move by the deltas, each
    kept within the bounds, which is exact as the shift is monotone), or run
    again (the step has an effect of another kind, say `hot = heat >= 4`:
    when a variable feeding it took several values, the step is run once per
    low and high). What a plan brings from a summary, and a summary widened
    with what an edge brings, are kept (`transfer`, `merged`), so most edges
    cost two dictionary look-ups."""
    variables = story.variables
    scenes = story.scenes
    closure = _dep_closure(story.data.effect_deps)
    empty = frozenset()
    table = summaries.table
    intern = summaries.intern
    S = summaries.of
    n = len(keys)
    v = play.vars

    plans: list[tuple] = []  # plan -> (ops, destination types, source dead names)
    plan_of = array("q", [-1]) * len(lab_info)

    def make_plan(lab: int) -> int:
        pi, script, ent, wn = lab_info[lab]
        sid, cid, _ = pairs[pi]
        entered = (ent,) if ent.__class__ is str else ent
        nsid = entered[-1]
        sdead = dead_of[sid]
        spos = {x: k for k, x in enumerate(sdead)}
        ndead = dead_of[nsid]
        written = frozenset(wn)
        fns = list(_choice_def(scenes[sid], cid).effects)
        for t in entered:
            fns.extend(scenes[t].effects)
        effects = _effects_of(fns)
        ops = []
        for y in ndead:
            k = spos.get(y)
            if y in settled:
                ops.append(None)  # not followed (see _settle)
            elif y not in written:
                ops.append(None if k is None else (_PASS, k))
            elif effects is None:
                ops.append((_RERUN, closure.get(y, empty)))
            else:
                deltas = []
                for e in effects:
                    if e[1] == y:
                        if e[0] == "sets":
                            deltas = None
                            break
                        deltas.append(e[2])
                if deltas is None or k is None:
                    ops.append(None)  # assigned a constant, or computed from a value in the key
                else:
                    var = variables[y]
                    ops.append((_SHIFT, k, tuple(deltas), var.lo, var.hi))
        plans.append((tuple(ops), dead_types[nsid], sdead, cid, script, nsid))
        return len(plans) - 1

    arrivals: list[tuple] = []  # arrival -> (types, per destination position: values or None)
    arrival_ids: dict[tuple, int] = {}
    transfer: dict[int, tuple] = {}  # (plan, summary) -> (arrival or -1, positions to run again)
    merged: dict[int, int] = {}  # (arrival, summary) -> summary

    def shifted(x: int, deltas: tuple, lo: int, hi: int) -> int:
        for d in deltas:
            x += d
            x = lo if x < lo else hi if x > hi else x
        return x

    def make_transfer(p: int, s: int) -> tuple:
        ops, types, sdead, _, _, _ = plans[p]
        summ = table[s]
        wnames = {sdead[k] for k, e in enumerate(summ) if len(e) > 1}
        arr = []
        rr = []
        some = False
        for q, op in enumerate(ops):
            got = None
            if op is not None:
                kind = op[0]
                if kind == _PASS:
                    e = summ[op[1]]
                    if len(e) > 1:
                        got = e
                elif kind == _SHIFT:
                    e = summ[op[1]]
                    if len(e) > 1:
                        a = shifted(e[0], op[2], op[3], op[4])
                        b = shifted(e[-1], op[2], op[3], op[4])
                        got = (a,) if a == b else (a, b)
                elif not op[1].isdisjoint(wnames):
                    rr.append(q)
            if got is not None:
                some = True
            arr.append(got)
        aid = -1
        if some:
            ak = (types, tuple(arr))
            aid = arrival_ids.get(ak)
            if aid is None:
                aid = arrival_ids[ak] = len(arrivals)
                arrivals.append(ak)
        return aid, tuple(rr)

    def merge_into(s: int, types: tuple, arr: tuple) -> int:
        cur = table[s]
        out = None
        for q, ent in enumerate(arr):
            if ent is None:
                continue
            c = cur[q]
            if types[q]:  # _merge for a number, inlined
                lo = c[0] if c[0] <= ent[0] else ent[0]
                hi = c[-1] if c[-1] >= ent[-1] else ent[-1]
                if lo == c[0] and hi == c[-1]:
                    continue
                m = (lo,) if lo == hi else (lo, hi)
            else:
                m = _merge(c, ent, False)
                if m is c or m == c:
                    continue
            if out is None:
                out = list(cur)
            out[q] = m
        return s if out is None else intern(types, tuple(out))

    roots = several
    order, ends = _components(n, off, edst, roots)
    dirty = bytearray(n)
    for i in roots:
        dirty[i] = 1
    redo_count = array("l", bytes(array("l").itemsize * n))

    def process(i: int) -> None:
        s = S[i]
        changed: dict[int, None] = {}
        reruns: list[tuple] = []
        for e in range(off[i], off[i + 1]):
            lab = elab[e]
            p = plan_of[lab]
            if p < 0:
                p = plan_of[lab] = make_plan(lab)
            tk = p << 32 | s
            t = transfer.get(tk)
            if t is None:
                if len(transfer) > MEMO_CAP:
                    transfer.clear()
                t = transfer[tk] = make_transfer(p, s)
            aid, rr = t
            if aid >= 0:
                j = edst[e]
                sj = S[j]
                mk = aid << 32 | sj
                m = merged.get(mk)
                if m is None:
                    if len(merged) > MEMO_CAP:
                        merged.clear()
                    types, arr = arrivals[aid]
                    m = merged[mk] = merge_into(sj, types, arr)
                if m != sj:
                    S[j] = m
                    changed[j] = None
            if rr:
                reruns.append((e, p, rr))
        if reruns:
            rerun(i, s, reruns, changed)
        for j in changed:
            dirty[j] = 1
            c = redo_count[j] + 1
            redo_count[j] = c
            if c > MAX_REDO:  # a loop keeps widening: it can go on to the bounds
                sid = keys[j][0]
                names = dead_of[sid]
                types = dead_types[sid]
                cur = table[S[j]]
                S[j] = intern(types, tuple([(variables[names[q]].lo, variables[names[q]].hi)
                                            if types[q] and len(ent) == 2 else ent for q, ent in enumerate(cur)]))

    def rerun(i: int, s: int, reruns: list, changed: dict) -> None:
        """The edges of state i whose written values depend on values that
        took several there: run once per low and high (per value for
        others), the variables that took one value at their first path's."""
        key = keys[i]
        dead = dead_of[key[0]]
        summ = table[s]
        sh = shadow[i]
        wpos = [k for k, e in enumerate(summ) if len(e) > 1]
        runs = max([len(summ[k]) for k in wpos])
        space.restore(play, key)
        if play.offer is None:
            play.offer = play.decide_offer(False)
        got: list[list] = [[] for _ in reruns]
        for r in range(runs):
            row = [summ[k][r] if r < len(summ[k]) else summ[k][-1] for k in wpos]
            if all([x == sh[k] for k, x in zip(wpos, row)]):
                continue  # the values of the first pass: what it brought is in already
            v.update(zip(dead, sh))
            for k, x in zip(wpos, row):
                v[dead[k]] = x
            for (e, p, rr), col in zip(reruns, got):
                plan = plans[p]
                fork.reset(list(plan[4]))
                try:
                    play.advance(plan[3])
                except StoryRuntimeError:
                    continue
                ndead = dead_of[plan[5]]
                col.append([v[ndead[q]] for q in rr])
                play.undo()
        # Per destination: what the runs brought, merged (in edge order) before it is widened.
        brought: dict[int, dict] = {}
        for (e, p, rr), col in zip(reruns, got):
            if not col:
                continue
            j = edst[e]
            types = plans[p][1]
            arr = brought.get(j)
            if arr is None:
                arr = brought[j] = {}
            for t, q in enumerate(rr):
                vals = [row[t] for row in col]
                if types[q]:
                    lo, hi = min(vals), max(vals)
                    ent = (lo,) if lo == hi else (lo, hi)
                else:
                    ent = tuple(dict.fromkeys(vals))
                cur = arr.get(q)
                arr[q] = ent if cur is None else _merge(cur, ent, types[q])
        for j, arr in brought.items():
            types = dead_types[keys[j][0]]
            full = [None] * len(types)
            for q, ent in arr.items():
                full[q] = ent
            sj = S[j]
            m = merge_into(sj, types, tuple(full))
            if m != sj:
                S[j] = m
                changed[j] = None

    # Components in topological order (Tarjan gives sinks first).
    k = len(ends)
    while k:
        k -= 1
        lo, hi = (ends[k - 1] if k else 0), ends[k]
        if hi - lo == 1:
            i = order[lo]
            if dirty[i]:
                dirty[i] = 0
                process(i)
                while dirty[i]:  # a step back into itself
                    dirty[i] = 0
                    process(i)
            continue
        members = order[lo:hi]
        again = True
        while again:
            again = False
            for i in members:
                if dirty[i]:
                    dirty[i] = 0
                    process(i)
                    again = True


def _ranges(rep: Report, space: StateSpace, tdead: dict, keys: list, summaries: _Summaries,
            written_seen: dict, by_live: dict, settled: dict) -> None:
    """Exact ranges from the states, the values tracked beside them and the
    values written of the variables not tracked; and the meters' balance
    (states where a meter stands at its min or max: a state whose dead meter
    took several values stands at neither end). `by_live`: per live layout,
    the distinct value tuples of its states."""
    variables = rep.story.variables
    seen: dict[str, set] = {n: set() for n in variables}
    for name, vals in written_seen.items():
        seen[name] |= vals
    for names, distinct in by_live.items():
        if names and distinct:
            for name, column in zip(names, zip(*distinct)):
                seen[name].update(column)
    meters = {n: [0, 0, len(keys)] for n, v in variables.items() if v.meter}
    live_meters = {sid: tuple((k, meters[name], variables[name].lo, variables[name].hi)
                              for k, name in enumerate(names) if name in meters)
                   for sid, names in space.live.items()}
    for k in keys:
        lm = live_meters[k[0]]
        if lm:
            vals = k[1]
            for pos, b, lo, hi in lm:
                x = vals[pos]
                if x == lo:
                    b[0] += 1
                if x == hi:
                    b[1] += 1
    # Per (dead layout, summary): how many states.
    layout_ids: dict[tuple, int] = {}
    layout_of = {sid: layout_ids.setdefault(d, len(layout_ids)) for sid, d in tdead.items()}
    counts = Counter([layout_of[k[0]] << 32 | s for k, s in zip(keys, summaries.of)])
    layouts = list(layout_ids)
    table = summaries.table
    for name, vals in settled.items():
        seen[name] |= vals
    for ls, c in counts.items():
        for name, ent in zip(layouts[ls >> 32], table[ls & 0xFFFFFFFF]):
            if ent == _SETTLED:
                continue
            seen[name].update(ent)
            b = meters.get(name)
            if b is not None and len(ent) == 1:
                var = variables[name]
                b[0] += c * (ent[0] == var.lo)
                b[1] += c * (ent[0] == var.hi)
    for name, vals in seen.items():
        if not vals:
            continue
        if variables[name].type == "int":
            rep.ranges[name] = [min(vals), max(vals)]
        else:
            rep.ranges[name] = sorted(vals, key=str)
    rep.balance = meters


def _find_no_exit(rep: Report, n: int, off, edst, ending_states, lock_states, path_to, scene_of) -> None:
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
    for s in range(n):
        for e in range(off[s], off[s + 1]):
            d = edst[e]
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
    stuck = [i for i in range(n) if off[i + 1] > off[i] and not can_end[i] and not to_lock[i]]
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
