"""`open-diplomacy graph`: the scene graph as Graphviz dot or Mermaid.

Endings are drawn as double octagons (dot) or stadiums (Mermaid), historical
choices as bold edges, trigger targets with a dashed edge from a `triggers`
node, and with --coverage the scenes a random playtest never reached are
filled red.
"""

from __future__ import annotations

from typing import Callable

from game.engine.scenegraph import successors
from game.engine.story import Story
from game.story.loader import load_for_command


def _edges(story: Story):
    """(from, to, label, historical) for every goto of every choice and scene."""
    for sid, sc in story.scenes.items():
        choices = list(sc.choices) + ([sc.continue_choice] if sc.continue_choice else [])
        for c in choices:
            label = c.id if c.id != "continue" else ""
            branches = c.goto.branches or ((None, c.goto.target),)
            many = len(branches) > 1
            for cond, target in branches:
                lab = label + (" (if)" if many and cond is not None else "")
                yield sid, target, lab, c.historical


def _dot_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def to_dot(story: Story, unreached: set[str] | None = None, chapter: str | None = None) -> str:
    view = _View(story, chapter)
    lines = [f"digraph {_dot_str(story.id)} {{", f"  rankdir={view.rankdir};",
             '  node [shape=box, style="rounded,filled", fillcolor="#f4ecd8", fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=9];']
    node_lines: dict[str, str] = {}
    for sid, sc in view.scenes():
        label = sc.title or sid
        attrs = [f"label={_dot_str(label + chr(10) + '(' + sid + ')')}"]
        if sc.ending is not None:
            attrs += ["shape=doubleoctagon", 'fillcolor="#d9c7a0"']
        if sid == story.start:
            attrs.append("penwidth=2")
        if unreached is not None and sid in unreached:
            attrs += ['fillcolor="#f2b8b5"', 'color="#b3261e"']
        if sid in view.outside:
            attrs = [attrs[0], "shape=box", 'style="dashed"', 'color="#888888"']
        node_lines[sid] = f"{_dot_str(sid)} [{', '.join(attrs)}];"
    lines += view.dot_clusters(node_lines)
    for a, b, label, hist in view.edges(_edges(story)):
        attrs = [f"label={_dot_str(label)}"] if label else []
        if hist:
            attrs += ["penwidth=2.5", 'color="#7a1f1f"']
        lines.append(f"  {_dot_str(a)} -> {_dot_str(b)}{' [' + ', '.join(attrs) + ']' if attrs else ''};")
    triggers = [t for t in story.triggers if t.target in view.inside]
    if triggers:
        lines.append('  "__triggers" [label="triggers (any step)", shape=note, fillcolor="#eeeeee"];')
        for t in triggers:
            lines.append(f'  "__triggers" -> {_dot_str(t.target)} [style=dashed];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mm_id(sid: str) -> str:
    return "s_" + sid


def _mm_label(s: str) -> str:
    return '"' + s.replace('"', "#quot;").replace("\n", " ") + '"'


def to_mermaid(story: Story, unreached: set[str] | None = None, chapter: str | None = None) -> str:
    view = _View(story, chapter)
    lines = [f"flowchart {view.rankdir}"]
    node_lines: dict[str, str] = {}
    for sid, sc in view.scenes():
        label = _mm_label(f"{sc.title or sid} ({sid})")
        if sid in view.outside:
            node_lines[sid] = f"{_mm_id(sid)}[{label}]:::outside"
        elif sc.ending is not None:
            node_lines[sid] = f"{_mm_id(sid)}([{label}]):::ending"
        else:
            node_lines[sid] = f"{_mm_id(sid)}[{label}]"
    lines += view.mermaid_subgraphs(node_lines)
    for a, b, label, hist in view.edges(_edges(story)):
        arrow = "==>" if hist else "-->"
        lab = f"|{_mm_label(label)}|" if label else ""
        lines.append(f"  {_mm_id(a)} {arrow}{lab} {_mm_id(b)}")
    for t in story.triggers:
        if t.target in view.inside:
            lines.append(f"  triggers{{{{triggers}}}} -.-> {_mm_id(t.target)}")
    lines.append("  classDef ending fill:#d9c7a0,stroke:#5a4a2a")
    if view.outside:
        lines.append("  classDef outside fill:#ffffff,stroke:#888888,stroke-dasharray:4 3")
    if story.start in view.inside:
        lines.append(f"  class {_mm_id(story.start)} start")
    lines.append("  classDef start stroke-width:3px")
    if unreached:
        lines.append("  classDef unreached fill:#f2b8b5,stroke:#b3261e")
        lines.append("  class " + ",".join(_mm_id(s) for s in sorted(unreached & view.inside)) + " unreached")
    return "\n".join(lines) + "\n"


def run_graph_cli(args, out: Callable[[str], None] = print) -> int:
    story, _ = load_for_command(args.story, "draw the graph")
    if story is None:
        return 1
    unreached = None
    note = None
    if args.coverage:
        from .explore import exhaustive_playtest
        rep = exhaustive_playtest(story, max_states=COVERAGE_STATES, exact_ranges=False)
        if rep.complete:
            unreached = {s for s in story.scenes if s not in rep.reached}
        else:
            # An incomplete exploration cannot tell unreachable from not yet
            # reached: mark nothing rather than paint reachable scenes red.
            unreached = set()
            note = (f"coverage incomplete: exploration stopped at {rep.states:,} states; "
                    "no scene is marked as never reached")
    chapter = getattr(args, "chapter", None)
    if chapter is not None:
        try:
            chapter = pick_chapter(story, chapter)
        except ValueError as exc:
            from game.engine.safetext import write_err
            write_err(str(exc))
            return 1
    draw = to_dot if args.format == "dot" else to_mermaid
    text = draw(story, unreached, chapter=chapter)
    if note is not None:
        text = ("// " if args.format == "dot" else "%% ") + note + "\n" + text
        from game.engine.safetext import write_err
        write_err(f"graph: {note}")
    out(text.rstrip("\n"))
    return 0


# ------------------------------------------------------------------ layout
TOP_TO_BOTTOM_BEYOND = 30  # scenes drawn; a left-to-right graph of more is a strip


def scene_chapters(story: Story) -> dict[str, str | None]:
    """The chapter each scene belongs to: its own `chapter:`, else the one a
    player is in on the shortest way there from the start (then from the
    triggers); None for a scene no way reaches and that names none."""
    succ = successors(story.scenes)
    chapters: dict[str, str | None] = {}
    queue = [(story.start, None)] + [(t.target, None) for t in story.triggers]
    i = 0
    while i < len(queue):
        sid, inherited = queue[i]
        i += 1
        if sid in chapters or sid not in story.scenes:
            continue
        own = story.scenes[sid].chapter
        chapters[sid] = own if own is not None else inherited
        queue.extend((n, chapters[sid]) for n in succ[sid] if n not in chapters)
    for sid, sc in story.scenes.items():  # in the order found, then the rest
        chapters.setdefault(sid, sc.chapter)
    return chapters


def chapter_names(story: Story) -> list[str]:
    """The story's chapters in the order a player meets them."""
    seen: dict[str, None] = {}
    for c in scene_chapters(story).values():
        if c is not None:
            seen.setdefault(c)
    return list(seen)


def pick_chapter(story: Story, name: str) -> str:
    """A chapter named exactly, by its number (1 = the first), or by a part of
    its name that no other chapter shares (any case); ValueError otherwise."""
    names = chapter_names(story)
    if name in names:
        return name
    if name.isdigit() and 1 <= int(name) <= len(names):
        return names[int(name) - 1]
    hits = [c for c in names if name.casefold() in c.casefold()]
    if len(hits) == 1:
        return hits[0]
    listing = "; ".join(f"{i}. {c}" for i, c in enumerate(names, 1)) or "none"
    what = "names more than one chapter" if hits else "is not a chapter"
    raise ValueError(f"'{name}' {what} of story '{story.id}' (chapters: {listing})")


class _View:
    """What one drawing shows: every scene, or one chapter's scenes (inside)
    and the scenes one edge away from them (outside, drawn as plain boxes);
    scenes grouped by chapter."""

    def __init__(self, story: Story, chapter: str | None = None):
        self.story = story
        self.chapter_of = scene_chapters(story)
        if chapter is None:
            self.inside = set(story.scenes)
            self.outside: set[str] = set()
        else:
            self.inside = {s for s, c in self.chapter_of.items() if c == chapter}
            near = set()
            for a, b, _label, _hist in _edges(story):
                if (a in self.inside) != (b in self.inside) and b in story.scenes:
                    near.add(b if a in self.inside else a)
            self.outside = near
        drawn = len(self.inside) + len(self.outside)
        self.rankdir = "TB" if drawn > TOP_TO_BOTTOM_BEYOND else "LR"

    def scenes(self):
        for sid, sc in self.story.scenes.items():
            if sid in self.inside or sid in self.outside:
                yield sid, sc

    def edges(self, edges):
        for e in edges:
            if e[0] in self.inside or e[1] in self.inside:
                yield e

    def _groups(self, node_lines: dict[str, str]) -> tuple[dict[str, list[str]], list[str]]:
        groups: dict[str, list[str]] = {}
        loose = []
        for sid, line in node_lines.items():
            ch = self.chapter_of.get(sid)
            if sid in self.outside or ch is None:
                loose.append(line)
            else:
                groups.setdefault(ch, []).append(line)
        order = {c: i for i, c in enumerate(dict.fromkeys(c for c in self.chapter_of.values() if c is not None))}
        return dict(sorted(groups.items(), key=lambda g: order[g[0]])), loose

    def dot_clusters(self, node_lines: dict[str, str]) -> list[str]:
        groups, loose = self._groups(node_lines)
        out = []
        for i, (ch, members) in enumerate(groups.items(), 1):
            out.append(f"  subgraph cluster_{i} {{")
            out.append(f'    label={_dot_str(ch)}; style="rounded"; color="#b8a47a"; fontname="Helvetica";')
            out += [f"    {m}" for m in members]
            out.append("  }")
        return out + [f"  {m}" for m in loose]

    def mermaid_subgraphs(self, node_lines: dict[str, str]) -> list[str]:
        groups, loose = self._groups(node_lines)
        out = []
        for i, (ch, members) in enumerate(groups.items(), 1):
            out.append(f"  subgraph chapter_{i} [{_mm_label(ch)}]")
            out += [f"    {m}" for m in members]
            out.append("  end")
        return out + [f"  {m}" for m in loose]
COVERAGE_STATES = 2_000_000  # the explorer's own default: --coverage is as complete as playtest
