"""`open-diplomacy stats STORY [--json]`: how big a story is and how much it branches.

Words are counted in what the player reads: scene text (every paragraph,
conditional ones included), choice texts, ending texts, notes and codex
entries (titles, names and sources are not counted). A word is a run of
non-space characters holding at least one letter or digit; `{name}` counts
as one word (the value shown), `{{`/`}}` as nothing. A scene with no
`chapter` belongs to the chapter set last before it in reading order (files
in sorted order, scenes in file order): what the header would show.

Route lengths are computed by a search over the compiled scene graph of our
own (not the explorer, which keeps no paths): conditions are ignored, as in
lint's reachability, so a route may pass a choice that a condition would
hide; a route's length is the words of the scenes it enters (from `start`,
with the ending's text) and of the choices it takes. The shortest route is
exact (Dijkstra). The longest route never enters a scene twice; it is exact
when the scene graph has no cycle, and otherwise the longest found within a
bounded depth-first search (`bounded: true` in the output then).
"""

from __future__ import annotations

import heapq
import json
import os
import re
import sys
from typing import Callable

from game.engine.safetext import write_err

from .workspace import analyse_story

_WORD = re.compile(r"\S+")
_HAS_ALNUM = re.compile(r"[^\W_]")
_VAR = re.compile(r"\{\s*[a-z][a-z0-9_]*\s*\}")
LONGEST_BUDGET = 200_000


def count_words(text) -> int:
    if isinstance(text, list):
        return sum(count_words(p if isinstance(p, str) else p.get("text", "")) for p in text)
    if not isinstance(text, str):
        return 0
    text = _VAR.sub(" x ", text.replace("{{", " ").replace("}}", " "))
    return sum(1 for w in _WORD.findall(text) if _HAS_ALNUM.search(w))


def _conditional_paragraphs(text) -> int:
    return sum(1 for p in text if isinstance(p, dict)) if isinstance(text, list) else 0


def story_stats(folder: str) -> dict | None:
    """The statistics of a story, or None when it does not compile."""
    analysis = analyse_story(folder)
    data = analysis.data
    if data is None:
        return None
    index = analysis.index
    per_file: dict[str, dict] = {}
    chapters: dict[str, int] = {}
    scene_words: dict[str, int] = {}
    choice_words: dict[str, int] = {}
    conditional = 0
    chapter = None
    for path in sorted(index.records, key=lambda p: os.path.relpath(p, analysis.root)):
        rec = index.records[path]
        rel = os.path.relpath(path, analysis.root).replace(os.sep, "/")
        if rec is None or rel == "story.yaml":
            continue
        f = {"scenes": 0, "choices": 0, "notes": 0, "codex": 0}
        for sc in rec.get("scenes", ()) or ():
            sid = sc.get("id")
            words = count_words(sc.get("text"))
            ending = sc.get("ending")
            if isinstance(ending, dict):
                words += count_words(ending.get("text"))
            conditional += _conditional_paragraphs(sc.get("text"))
            cw = 0
            for i, ch in enumerate(sc.get("choices", ()) or ()):
                n = count_words(ch.get("text"))
                cw += n
                choice_words[f"{sid}.{ch.get('id', str(i + 1))}"] = n
            scene_words[sid] = words
            f["scenes"] += words
            f["choices"] += cw
            chapter = sc.get("chapter") or chapter
            key = chapter or "(no chapter)"
            chapters[key] = chapters.get(key, 0) + words + cw
        for kind in ("notes", "codex"):
            for entry in (rec.get(kind) or {}).values():
                f[kind] += count_words(entry.get("text"))
        f["total"] = sum(f.values())
        per_file[rel] = f
    scenes = data.scenes
    choices = sum(len(s.choices) for s in scenes.values())
    decisions = sum(1 for s in scenes.values() if len(s.choices) > 1)
    forks = sum(1 for s in scenes.values()
                if len({frozenset(c.goto.targets()) for c in s.choices}) > 1)
    totals = {k: sum(f[k] for f in per_file.values()) for k in ("scenes", "choices", "notes", "codex", "total")}
    shortest, longest = _routes(data, scene_words, choice_words)
    return {
        "story": data.id,
        "words": totals,
        "files": per_file,
        "chapters": chapters,
        "scenes": len(scenes),
        "choices": choices,
        "endings": sum(1 for s in scenes.values() if s.ending is not None),
        "decisions": decisions,
        "forks": forks,
        "conditional_paragraphs": conditional,
        "routes": {"shortest": shortest, "longest": longest},
    }


def _edges(data, scene_words, choice_words):
    """scene -> [(words of the step, choice id, target)] over the scene graph."""
    out = {}
    for sid, s in data.scenes.items():
        es = []
        if s.choices:
            for c in s.choices:
                for t in dict.fromkeys(c.goto.targets()):
                    if t in data.scenes:
                        es.append((choice_words.get(c.key, 0) + scene_words.get(t, 0), c.id, t))
        elif s.goto is not None:
            for t in dict.fromkeys(s.goto.targets()):
                if t in data.scenes:
                    es.append((scene_words.get(t, 0), "continue", t))
        out[sid] = es
    return out


def _routes(data, scene_words, choice_words):
    edges = _edges(data, scene_words, choice_words)
    start = data.start
    base = scene_words.get(start, 0)
    ends = {sid for sid, s in data.scenes.items() if s.ending is not None}
    # shortest: Dijkstra
    best = {start: base}
    prev: dict[str, tuple[str, str]] = {}
    heap = [(base, start)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > best.get(u, float("inf")):
            continue
        for w, cid, v in edges[u]:
            if d + w < best.get(v, float("inf")):
                best[v] = d + w
                prev[v] = (u, cid)
                heapq.heappush(heap, (d + w, v))
    reached = [e for e in ends if e in best]
    if not reached:
        return None, None
    end = min(reached, key=lambda e: (best[e], e))
    steps = []
    node = end
    while node != start:
        node, cid = prev[node]
        steps.append(cid)
    shortest = {"words": best[end], "ending": end, "steps": steps[::-1]}
    return shortest, _longest(start, base, edges, ends)


def _longest(start, base, edges, ends):
    best = {"words": -1}
    budget = [LONGEST_BUDGET]
    bounded = [False]
    on_path = {start}
    steps: list[str] = []

    def dfs(u, d):
        if budget[0] <= 0:
            bounded[0] = True
            return
        budget[0] -= 1
        if u in ends and d > best["words"]:
            best.update(words=d, ending=u, steps=list(steps))
        for w, cid, v in edges[u]:
            if v in on_path:
                continue
            on_path.add(v)
            steps.append(cid)
            dfs(v, d + w)
            steps.pop()
            on_path.discard(v)

    if _acyclic(start, edges):
        return _longest_dag(start, base, edges, ends)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20_000))
    try:
        dfs(start, base)
    finally:
        sys.setrecursionlimit(old)
    if best["words"] < 0:
        return None
    best["bounded"] = bounded[0]
    return best


def _acyclic(start, edges) -> bool:
    state: dict[str, int] = {}
    stack = [(start, iter(edges[start]))]
    state[start] = 1
    while stack:
        u, it = stack[-1]
        for _, _, v in it:
            s = state.get(v)
            if s == 1:
                return False
            if s is None:
                state[v] = 1
                stack.append((v, iter(edges[v])))
                break
        else:
            state[u] = 2
            stack.pop()
    return True


def _longest_dag(start, base, edges, ends):
    order: list[str] = []
    seen = {start}
    stack = [(start, iter(edges[start]))]
    while stack:
        u, it = stack[-1]
        for _, _, v in it:
            if v not in seen:
                seen.add(v)
                stack.append((v, iter(edges[v])))
                break
        else:
            order.append(u)
            stack.pop()
    order.reverse()  # topological
    dist = {start: base}
    prev: dict[str, tuple[str, str]] = {}
    for u in order:
        if u not in dist:
            continue
        for w, cid, v in edges[u]:
            if dist[u] + w > dist.get(v, -1):
                dist[v] = dist[u] + w
                prev[v] = (u, cid)
    reached = [e for e in ends if e in dist]
    if not reached:
        return None
    end = max(reached, key=lambda e: (dist[e], e))
    steps = []
    node = end
    while node != start:
        node, cid = prev[node]
        steps.append(cid)
    return {"words": dist[end], "ending": end, "steps": steps[::-1], "bounded": False}


def run_stats_cli(folder: str, as_json: bool = False, out: Callable[[str], None] = print) -> int:
    stats = story_stats(folder)
    if stats is None:
        analysis = analyse_story(folder)
        for p in analysis.problems:
            if p.is_error:
                write_err(str(p))
        write_err(f"cannot count: the story has errors (run `open-diplomacy lint {folder}`)")
        return 1
    if as_json:
        out(json.dumps(stats, indent=2, ensure_ascii=False))
        return 0
    w = stats["words"]
    out(f"{stats['story']}: {w['total']:,} words (scenes {w['scenes']:,}, choices {w['choices']:,}, "
        f"notes {w['notes']:,}, codex {w['codex']:,})")
    out(f"scenes {stats['scenes']}, choices {stats['choices']}, endings {stats['endings']}, "
        f"decisions {stats['decisions']}, real forks {stats['forks']}, "
        f"conditional paragraphs {stats['conditional_paragraphs']}")
    for name, r in (("shortest", stats["routes"]["shortest"]), ("longest", stats["routes"]["longest"])):
        if r is None:
            out(f"{name} route: no ending is reachable")
        else:
            more = " (at least; search bounded)" if r.get("bounded") else ""
            n = len(r["steps"])
            out(f"{name} route: {r['words']:,} words{more}, {n} step{'' if n == 1 else 's'}, to '{r['ending']}'")
    out("words by file:")
    for rel, f in stats["files"].items():
        out(f"  {rel}: {f['total']:,}")
    out("words by chapter:")
    for ch, n in stats["chapters"].items():
        out(f"  {ch}: {n:,}")
    return 0
