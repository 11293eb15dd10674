"""Play from anywhere: the shortest known way into a scene, in a state the
explorer can reach (`play STORY --at SCENE [--where COND]`, the jump
dialog of the terminal game).

A breadth-first search over the same states as the exhaustive explorer
(`explore.StateSpace`, chance() followed every way with `explore.Fork`),
which stops at the first state standing in SCENE where COND holds: breadth
first, so its path is a shortest one. COND is compiled by the story's own
expression compiler (the whitelist of §5) against the story's variables,
and the variables it reads are made part of every state (as a story
check's are), so it is decided exactly. The path is then replayed through
the engine with a seed that gives the same chance() outcomes (any seed
when the path draws none), so the game that starts there is an ordinary
one: saved as seed and steps, and undo walks back along the path.

When it cannot, it says why: no such scene (did you mean), a scene the
game passes through without stopping, a scene no path leads to, every
reachable state explored without SCENE (or without COND holding there),
or the exploration limit reached first.
"""

from __future__ import annotations

import os
from array import array
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from game.engine.errors import StoryRuntimeError
from game.engine.model import Check, StoryData
from game.engine.saves import replay_steps
from game.engine.scenegraph import reachable, successors
from game.engine.story import Story
from game.story.expressions import ExprError, Scope, compile_condition
from game.story.problems import did_you_mean

from .explore import Fork, StateSpace

MAX_STATES = 1_000_000  # states explored before giving up (`--max-states`)
SEED_TRIES = 5_000  # seeds tried for a path whose chance() outcomes matter


class WhereError(Exception):
    """A COND that does not compile: the message and its 1-based column."""

    def __init__(self, source: str, message: str, column: int):
        super().__init__(message)
        self.source = source
        self.message = message
        self.column = column

    def lines(self, name: str = "--where") -> list[str]:
        """Positioned, as lint writes problems, with a caret under the place."""
        return [f"{name}:1:{self.column}: error: {self.message}", f"  {self.source}",
                "  " + " " * (self.column - 1) + "^"]


@dataclass
class Where:
    """A compiled COND."""
    source: str
    fn: Callable
    reads: frozenset
    counted_scenes: frozenset
    counted_choices: frozenset
    count_constants: frozenset

    def holds(self, play) -> bool:
        try:
            return bool(self.fn(play))
        except (StoryRuntimeError, RecursionError):
            return False


def _ended(p) -> bool:
    return p.scene.ending is not None


def compile_where(story: Story, source: str) -> Where:
    """COND compiled as a condition of the story (§5: its variables,
    visited(SCENE), chose(SCENE.CHOICE), and `ended`); WhereError otherwise."""
    src = source.strip()
    if not src:
        raise WhereError(source, "the condition is empty", 1)
    lead = len(source) - len(source.lstrip())
    scope = Scope(dict(story.variables), set(story.scenes),
                  {sid: {c.id for c in sc.choices if c.explicit_id} for sid, sc in story.scenes.items()})
    scope.specials = {"ended": ("bool", _ended)}
    try:
        c = compile_condition(src, scope)
    except ExprError as exc:
        raise WhereError(source, exc.message, lead + exc.offset + 1) from None
    except (RecursionError, MemoryError):
        raise WhereError(source, "the condition is too deeply nested", 1) from None
    if scope.draws:
        raise WhereError(source, "the condition cannot call chance() or random(), nor divide by a computed "
                                 "number: it must be true or false in a state", lead + 1)
    fn = c.fn if not c.is_const else (lambda p, v=bool(c.const): v)
    return Where(src, fn, scope.take_local(), frozenset(scope.counted_scenes), frozenset(scope.counted_choices),
                 frozenset(scope.count_constants))


@dataclass
class Reach:
    """Where a search for SCENE (and COND) ended."""
    scene: str  # the scene id asked for (an old id, `was:`, resolved)
    path: list[str] | None = None  # the steps, when a state was found
    why: str = ""  # when not found: why, in a sentence
    states: int = 0  # states explored
    draws: bool = False  # the path took chance() outcomes
    notes: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.path is not None


def _variant(story: Story, where: Where | None) -> Story:
    """The story as the search sees it: COND's reads are part of every
    state (as a story check's would be), its counts counted, its numbers
    inside the counts' cap; no checks or achievements of its own (they do
    not change where a player can go)."""
    data = story.data
    kw = {name: getattr(data, name) for name in StoryData.__record_fields__}
    kw["checks"] = ()
    kw["achievements"] = {}
    if where is not None:
        kw["checks"] = (Check(where.fn, "never", "play --at", "", where.source, where.reads),)
        kw["counted_scenes"] = tuple(dict.fromkeys((*data.counted_scenes, *sorted(where.counted_scenes))))
        kw["counted_choices"] = tuple(dict.fromkeys((*data.counted_choices, *sorted(where.counted_choices))))
        if where.count_constants:
            kw["count_cap"] = max(data.count_cap, max(where.count_constants) + 2)
    return Story(StoryData(**kw))


def resolve_scene(story: Story, scene: str) -> tuple[str | None, str]:
    """(the scene id, '') or (None, why not)."""
    if scene in story.scenes:
        return scene, ""
    alias = story.data.scene_aliases.get(scene)
    if alias is not None:
        return alias, ""
    return None, f"no scene '{scene}' in this story{did_you_mean(scene, story.scenes)}"


def find_state(story: Story, scene: str, where: Where | None = None, max_states: int = MAX_STATES,
               seed: int = 0, should_stop: Callable[[], bool] | None = None) -> Reach:
    """Breadth first from the start to the first state in `scene` where
    `where` holds (the shortest path to one)."""
    sid, why = resolve_scene(story, scene)
    if sid is None:
        return Reach(scene, why=why)
    sc = story.scenes[sid]
    cond_text = f" where {where.source} holds" if where is not None else ""
    if not sc.pause:
        return Reach(sid, why=f"scene '{sid}' has `pause: false`: the game passes through it without stopping, "
                              "so no game can stand in it (start at the scene it leads to)")
    succ = successors(story.scenes, story.triggers, with_triggers=True)
    if sid not in reachable(succ, [story.start]):
        return Reach(sid, why=f"scene '{sid}' is never reachable: no goto leads to it from the start "
                              f"('{story.start}')")
    variant = _variant(story, where)
    space = StateSpace(variant)
    fork = Fork()
    holds = where.holds if where is not None else None

    def target(p) -> bool:
        return p.scene.id == sid and (holds is None or holds(p))

    index: dict[tuple, int] = {}
    parent = array("q")
    pstep = array("q")
    pdraw = bytearray()
    names: list[str] = []
    name_ix: dict[str, int] = {}
    keys: list[tuple] = []
    seen_scene = False

    def path_to(i: int) -> tuple[list[str], bool]:
        steps, drew = [], False
        while i >= 0:
            drew = drew or bool(pdraw[i])
            if parent[i] >= 0:
                steps.append(names[pstep[i]])
            i = parent[i]
        return steps[::-1], drew

    def add(k: tuple, par: int, step: int, drew: bool) -> int:
        i = len(keys)
        index[k] = i
        keys.append(k)
        parent.append(par)
        pstep.append(step)
        pdraw.append(1 if drew else 0)
        return i

    def found(i: int) -> Reach:
        steps, drew = path_to(i)
        return Reach(sid, path=steps, states=len(keys), draws=drew)

    queue: deque[int] = deque()
    scripts: list[list] = [[]]
    play = None
    while scripts:
        fork.reset(scripts.pop())
        try:
            p = variant.new_game(seed, outcomes=fork)
        except StoryRuntimeError as exc:
            return Reach(sid, why=f"the story cannot start: {exc}")
        scripts.extend(fork.forks)
        p.watch_achievements(())
        k = space.key(p)
        if k in index:
            continue
        i = add(k, -1, -1, bool(fork.script))
        seen_scene = seen_scene or p.scene.id == sid
        if target(p):
            return found(i)
        queue.append(i)
        play = p
    complete = True
    expanded = 0
    while queue:
        expanded += 1
        if should_stop is not None and expanded % 512 == 0 and should_stop():
            return Reach(sid, why="the search was stopped", states=len(keys))
        i = queue.popleft()
        space.restore(play, keys[i])
        if play.scene.ending is not None:
            continue
        for c in play.choices():
            if not c.enabled:
                continue
            cid = c.id
            six = name_ix.get(cid)
            if six is None:
                six = name_ix[cid] = len(names)
                names.append(cid)
            forks: list[list] = [[]]
            while forks:
                fork.reset(forks.pop())
                try:
                    play.choose(cid)
                except StoryRuntimeError:
                    forks.extend(fork.forks)
                    continue
                forks.extend(fork.forks)
                nk = space.key(play)
                if nk not in index:
                    if len(keys) >= max_states:
                        complete = False
                    else:
                        j = add(nk, i, six, bool(fork.script))
                        seen_scene = seen_scene or play.scene.id == sid
                        if target(play):
                            return found(j)
                        queue.append(j)
                play.undo()
        if not complete:
            break
    n = len(keys)
    if not complete:
        return Reach(sid, states=n, why=f"no state in '{sid}'{cond_text} was found within the exploration "
                                        f"limit ({max_states:,} states; raise it with --max-states)")
    if not seen_scene:
        return Reach(sid, states=n, why=f"scene '{sid}' is never reached: no playthrough gets there (all "
                                        f"{n:,} reachable states explored; the conditions on the way never "
                                        "all hold)")
    return Reach(sid, states=n, why=f"no reachable state in '{sid}' satisfies {where.source if where else ''} "
                                    f"(all {n:,} reachable states explored)")


def start_at(story: Story, reach: Reach, where: Where | None = None, seed: int | None = None):
    """The found path replayed through the engine: a Playthrough standing in
    the scene (undo walks back along the path), or ValueError saying why
    not. A path that took chance() outcomes needs a seed that gives them:
    `seed` when given, else the first of some seeds that does."""
    if not reach.found:
        raise ValueError(reach.why)

    def ok(p) -> bool:
        return p.scene.id == reach.scene and (where is None or where.holds(p))

    if seed is not None:
        seeds = [seed]
    elif not reach.draws:
        seeds = [int.from_bytes(os.urandom(4), "little")]
    else:
        seeds = range(SEED_TRIES)
    for s in seeds:
        try:
            play, done, failure = replay_steps(story, s, reach.path)
        except StoryRuntimeError as exc:
            raise ValueError(f"the story cannot start: {exc}") from None
        if failure is None and ok(play):
            return play
    steps = " → ".join(reach.path) or "(the start)"
    if seed is not None:
        raise ValueError(f"the way into '{reach.scene}' ({steps}) takes chance() outcomes that seed {seed} "
                         "does not give; leave out --seed to let the game look for one")
    raise ValueError(f"the way into '{reach.scene}' ({steps}) takes chance() outcomes that none of the first "
                     f"{SEED_TRIES:,} seeds gives")


def play_from(story: Story, scene: str, where_source: str | None = None, max_states: int = MAX_STATES,
              seed: int | None = None, should_stop: Callable[[], bool] | None = None):
    """`--at SCENE --where COND` in one call: (a Playthrough, the Reach) or
    ValueError (why not) or WhereError (a bad COND)."""
    where = compile_where(story, where_source) if where_source is not None else None
    reach = find_state(story, scene, where, max_states=max_states, should_stop=should_stop)
    return start_at(story, reach, where, seed), reach
