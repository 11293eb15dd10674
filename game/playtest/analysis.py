"""What a playtest report means for the author: why a scene or choice was
never seen, and which decisions leave no later trace (consequences)."""

from __future__ import annotations

from collections import deque

from .explore import Report, liveness_masks


def _targets(sc) -> list[tuple[object, str]]:
    out = []
    for c in sc.choices + ((sc.continue_choice,) if sc.continue_choice else ()):
        for t in c.goto.targets():
            out.append((c, t))
    return out


def statically_reachable(story) -> set:
    """Scenes a goto or trigger can lead to from the start, conditions ignored."""
    scenes = story.scenes
    roots = [story.start] + [t.target for t in story.triggers if t.target in scenes]
    seen = set(roots)
    queue = deque(roots)
    while queue:
        for _, t in _targets(scenes[queue.popleft()]):
            if t in scenes and t not in seen:
                seen.add(t)
                queue.append(t)
    return seen


def why_choice(rep: Report, key: str, errors: dict) -> str:
    story = rep.story
    sid, _, cid = key.partition(".")
    if sid not in rep.reached:
        return f"its scene '{sid}' is never reached"
    if key in errors:
        return f"taking it always fails: {errors[key]}"
    sc = story.scenes[sid]
    c = next((x for x in sc.choices if x.id == cid), None)
    if key in rep.offered:
        return "offered, but never picked in these runs" if rep.mode == "random" else "offered, but never taken"
    if c is not None and key in rep.seen_locked:
        return f"always locked: {c.locked}"
    cond = story.data.choice_conds.get(key)
    if cond is not None:
        return f"its condition never holds ({cond} is never true here)"
    return "never on offer"


def why_scene(rep: Report, sid: str, static: set, never_taken: dict) -> str:
    story = rep.story
    if sid not in static:
        return "no path leads here"
    into = [(s, c) for s, sc in story.scenes.items() for c, t in _targets(sc) if t == sid]
    trig = [t for t in story.triggers if t.target == sid]
    from_reached = [(s, c) for s, c in into if s in rep.reached]
    if not from_reached and not trig:
        preds = sorted({s for s, _ in into})
        return "only reached from scenes never reached: " + ", ".join(preds)
    untaken = [c.key for _, c in from_reached if c.key not in rep.taken]
    taken = [c.key for _, c in from_reached if c.key in rep.taken]
    parts = []
    if untaken:
        parts.append("the choices that lead here are never taken: " + "; ".join(
            f"{k} ({never_taken[k]})" if k in never_taken else k for k in untaken))
    if taken:
        parts.append("the goto branches that lead here never hold (from " + ", ".join(taken) + ")")
    if trig and not from_reached:
        parts.append("the trigger that leads here never fires")
    return "; ".join(parts) or "never reached"


def why_never(rep: Report) -> tuple[dict, dict]:
    """({scene: why}, {choice key: why}) for what was never reached or taken."""
    story = rep.story
    errors = {}
    for f in rep.errors:
        if f.path:
            errors.setdefault(f"{f.scene}.{f.path[-1]}", f.message)
    errors = {k: m for k, m in errors.items() if k not in rep.taken}
    choices = {k: why_choice(rep, k, errors) for k in rep.all_choices() if k not in rep.taken}
    static = statically_reachable(story)
    scenes = {s: why_scene(rep, s, static, choices) for s in story.scenes if s not in rep.reached}
    return scenes, choices


def consequences(rep: Report) -> list[str]:
    """Warnings: decisions with no later trace, variables that never steer,
    meters that sit at an end (balance)."""
    story = rep.story
    data = story.data
    out = []
    index, live = liveness_masks(story, with_text=True)
    counted = set(data.counted_choices)
    for sid, sc in story.scenes.items():
        if sid not in rep.reached or len(sc.choices) < 2:
            continue
        for c in sc.choices:
            if c.key not in rep.taken or c.once or c.key in counted:
                continue
            mine = set(c.goto.targets())
            others = set()
            for o in sc.choices:
                if o is not c:
                    others.update(o.goto.targets())
            if not mine <= others:
                continue  # it leads somewhere the others do not
            read_later = False
            for n in rep.writes.get(c.key, ()):
                b = index.get(n)
                if b is not None and any(live.get(t, 0) >> b & 1 for t in mine):
                    read_later = True
                    break
            if not read_later:
                out.append(f"choice '{c.key}' leaves no later trace: no later text, condition or goto "
                           "depends on its effects or on its being taken")
    steering = data.steering_vars
    if steering is not None:
        for name in story.variables:
            if name not in steering:
                out.append(f"variable '{name}' never steers a goto, a condition or a trigger "
                           "(nor a text's condition or an achievement)")
    for name, (lo_n, hi_n, total) in sorted(rep.balance.items()):
        if not total:
            continue
        var = story.variables[name]
        for n, end, value in ((lo_n, "min", var.lo), (hi_n, "max", var.hi)):
            if n * 2 > total:
                what = "explored states" if rep.mode == "exhaustive" else "steps played"
                out.append(f"meter '{name}' sits at its {end} ({value}) in {100 * n / total:.0f}% of the {what}")
    return out
