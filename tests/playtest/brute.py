"""A brute-force oracle for the explorer: every reachable state with the
given variables (all by default) in its key, followed one choice and one
chance outcome at a time through the ordinary `choose` and `undo`. Slow,
simple, and independent of the explorer's shortcuts (its edges, its ranges
passed along them): what the explorer reports is checked against it."""

from __future__ import annotations

from collections import deque

from game.engine.errors import StoryRuntimeError
from game.playtest.explore import Fork, StateSpace


def reachable_values(story, names=None) -> dict[str, set]:
    """{variable: the (type, value) pairs it takes in some reachable state},
    for `names` (in the story's order), or every variable. Typed: True and 1
    are not the same value here."""
    space = StateSpace(story)
    order = tuple(n for n in story.variables if names is None or n in names)
    fork = Fork()
    seen: set = set()
    queue: deque = deque()
    values: dict = {n: set() for n in order}

    def note(p) -> None:
        full = (space.key(p), tuple([p.vars[n] for n in order]))
        if full not in seen:
            seen.add(full)
            for n, x in zip(order, full[1]):
                values[n].add((type(x), x))
            queue.append(full)

    scripts: list = [[]]
    play = None
    while scripts:
        fork.reset(scripts.pop())
        play = story.new_game(0, outcomes=fork)
        scripts.extend(fork.forks)
        note(play)
    play.watch_achievements(())  # achievements change no state
    while queue:
        key, vals = queue.popleft()
        space.restore(play, key)
        play.vars.update(zip(order, vals))
        if play.ended:
            continue
        for cid in [c.id for c in play.choices() if c.enabled]:
            forks: list = [[]]
            while forks:
                fork.reset(forks.pop())
                try:
                    play.choose(cid)
                except StoryRuntimeError:
                    forks.extend(fork.forks)
                    continue
                forks.extend(fork.forks)
                note(play)
                play.undo()
    return values


def as_reported(story, values: dict) -> dict:
    """The values as the playtest report gives them: [min, max] for a
    number, else sorted."""
    out = {}
    for n, typed in values.items():
        xs = [x for _, x in typed]
        out[n] = [min(xs), max(xs)] if story.variables[n].type == "int" else sorted(xs, key=str)
    return out
