"""The scene graph of a compiled story: the one walk over it.

Edges go from a scene to every scene one of its choices (or its Continue)
may lead to, conditions ignored; triggers can fire after any step, so every
trigger target is a successor of every scene when `with_triggers` is set.
Lint (unreachable scenes), the explorer's liveness, the graph drawing and
the statistics all start from these functions.
"""

from __future__ import annotations

from collections import deque
from typing import Iterable, Mapping


def choice_targets(scene) -> list[str]:
    """Every scene the scene's choices (or its Continue) may lead to, in order,
    each once."""
    out: dict[str, None] = {}
    for c in scene.choices:
        out.update(dict.fromkeys(c.goto.targets()))
    if scene.continue_choice is not None:
        out.update(dict.fromkeys(scene.continue_choice.goto.targets()))
    elif scene.goto is not None:
        out.update(dict.fromkeys(scene.goto.targets()))
    return list(out)


def successors(scenes: Mapping, triggers: Iterable = (), with_triggers: bool = False) -> dict[str, list[str]]:
    """scene id -> the ids it may lead to (known scenes only)."""
    trig = [t.target for t in triggers if t.target in scenes] if with_triggers else []
    out = {}
    for sid, sc in scenes.items():
        targets = [t for t in choice_targets(sc) if t in scenes]
        for t in trig:
            if t not in targets:
                targets.append(t)
        out[sid] = targets
    return out


def predecessors(succ: Mapping[str, list[str]]) -> dict[str, list[str]]:
    preds: dict[str, list[str]] = {sid: [] for sid in succ}
    for sid, targets in succ.items():
        for t in targets:
            preds.setdefault(t, []).append(sid)
    return preds


def reachable(succ: Mapping[str, list[str]], roots: Iterable[str]) -> dict[str, int]:
    """Scenes reachable from `roots`, each with its distance in steps (breadth
    first, so in the order a player could first meet them)."""
    dist: dict[str, int] = {}
    queue = deque()
    for r in roots:
        if r in succ and r not in dist:
            dist[r] = 0
            queue.append(r)
    while queue:
        sid = queue.popleft()
        d = dist[sid] + 1
        for t in succ[sid]:
            if t not in dist:
                dist[t] = d
                queue.append(t)
    return dist


def story_roots(start: str, triggers: Iterable) -> list[str]:
    """Where play can begin or be sent: the start scene, then trigger targets."""
    return [start] + [t.target for t in triggers]
