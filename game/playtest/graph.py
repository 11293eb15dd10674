"""`open-diplomacy graph`: the scene graph as Graphviz dot or Mermaid.

Endings are drawn as double octagons (dot) or stadiums (Mermaid), historical
choices as bold edges, trigger targets with a dashed edge from a `triggers`
node, and with --coverage the scenes a random playtest never reached are
filled red.
"""

from __future__ import annotations

from typing import Callable

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


def to_dot(story: Story, unreached: set[str] | None = None) -> str:
    lines = [f"digraph {_dot_str(story.id)} {{", "  rankdir=LR;",
             '  node [shape=box, style="rounded,filled", fillcolor="#f4ecd8", fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=9];']
    for sid, sc in story.scenes.items():
        label = sc.title or sid
        attrs = [f"label={_dot_str(label + chr(10) + '(' + sid + ')')}"]
        if sc.ending is not None:
            attrs += ["shape=doubleoctagon", 'fillcolor="#d9c7a0"']
        if sid == story.start:
            attrs.append("penwidth=2")
        if unreached is not None and sid in unreached:
            attrs += ['fillcolor="#f2b8b5"', 'color="#b3261e"']
        lines.append(f"  {_dot_str(sid)} [{', '.join(attrs)}];")
    for a, b, label, hist in _edges(story):
        attrs = [f"label={_dot_str(label)}"] if label else []
        if hist:
            attrs += ["penwidth=2.5", 'color="#7a1f1f"']
        lines.append(f"  {_dot_str(a)} -> {_dot_str(b)}{' [' + ', '.join(attrs) + ']' if attrs else ''};")
    if story.triggers:
        lines.append('  "__triggers" [label="triggers (any step)", shape=note, fillcolor="#eeeeee"];')
        for t in story.triggers:
            lines.append(f'  "__triggers" -> {_dot_str(t.target)} [style=dashed];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mm_id(sid: str) -> str:
    return "s_" + sid


def _mm_label(s: str) -> str:
    return '"' + s.replace('"', "#quot;").replace("\n", " ") + '"'


def to_mermaid(story: Story, unreached: set[str] | None = None) -> str:
    lines = ["flowchart LR"]
    for sid, sc in story.scenes.items():
        label = _mm_label(f"{sc.title or sid} ({sid})")
        if sc.ending is not None:
            lines.append(f"  {_mm_id(sid)}([{label}]):::ending")
        else:
            lines.append(f"  {_mm_id(sid)}[{label}]")
    for a, b, label, hist in _edges(story):
        arrow = "==>" if hist else "-->"
        lab = f"|{_mm_label(label)}|" if label else ""
        lines.append(f"  {_mm_id(a)} {arrow}{lab} {_mm_id(b)}")
    for t in story.triggers:
        lines.append(f"  triggers{{{{triggers}}}} -.-> {_mm_id(t.target)}")
    lines.append("  classDef ending fill:#d9c7a0,stroke:#5a4a2a")
    lines.append(f"  class {_mm_id(story.start)} start")
    lines.append("  classDef start stroke-width:3px")
    if unreached:
        lines.append("  classDef unreached fill:#f2b8b5,stroke:#b3261e")
        lines.append("  class " + ",".join(_mm_id(s) for s in sorted(unreached)) + " unreached")
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
    text = to_dot(story, unreached) if args.format == "dot" else to_mermaid(story, unreached)
    if note is not None:
        text = ("// " if args.format == "dot" else "%% ") + note + "\n" + text
        import sys
        sys.stderr.write(f"graph: {note}\n")
    out(text.rstrip("\n"))
    return 0


COVERAGE_STATES = 2_000_000  # the explorer's own default: --coverage is as complete as playtest
