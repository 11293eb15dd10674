"""Stats and the journey, as plain values: where the player stands (every
visible variable with its label and value) and each meter over this game's
steps, with the chapters marked.

The values per step come from replaying the game's steps on a fresh
playthrough through the engine's API (`Story.new_game(seed)` and `choose`):
the playthrough keeps the changes of a step for undo, not the values after
each one. Both front ends draw from here: the Textual game a block chart
(`chart`), plain mode lines a screen reader can read (`plain_journey`).
Every string is made inert here, as in view/screen.py.
"""

from __future__ import annotations


from game.engine.errors import StoryRuntimeError
from game.engine.model import show_value
from game.engine.records import record
from game.engine.safetext import inert

from .markdown import wrap

# Eighths of a cell, for the bars of the chart.
BLOCKS = " ▁▂▃▄▅▆▇█"


@record
class Stat:
    """A visible variable: its label and its value now."""
    label: str
    value: str
    meter: bool


@record
class Series:
    """One meter over the game: values[i] is its value after i steps."""
    label: str
    lo: int
    hi: int
    values: tuple[int, ...]

    @property
    def now(self) -> int:
        return self.values[-1]


@record
class ChapterMark:
    """A chapter of this game: the step at which the player entered it."""
    number: int
    title: str
    step: int


@record
class Journey:
    story_title: str
    steps: int  # choices made
    stats: tuple[Stat, ...]
    meters: tuple[Series, ...]
    chapters: tuple[ChapterMark, ...]


def build_journey(session) -> Journey:
    """The journey of a session's game (its `play`), replayed from the seed."""
    play = session.play
    story = session.story
    meters = [v for v in story.variables.values() if v.meter and not v.hidden]
    replay = story.new_game(seed=play.seed)
    rows = [[replay.state[v.name] for v in meters]]
    chapters_at = [replay.chapter]
    for step in play.steps:
        try:
            replay.choose(step)
        except (ValueError, StoryRuntimeError):  # cannot happen for a game that got here; never crash a page on it
            break
        rows.append([replay.state[v.name] for v in meters])
        chapters_at.append(replay.chapter)
    marks: list[ChapterMark] = []
    for i, ch in enumerate(chapters_at):
        if ch and (not marks or marks[-1].title != inert(ch)):
            marks.append(ChapterMark(len(marks) + 1, inert(ch), i))
    series = tuple(Series(inert(v.display_name), v.lo if v.has_min else min(0, *(r[k] for r in rows)),
                          v.hi if v.has_max else max(1, *(r[k] for r in rows)), tuple(r[k] for r in rows))
                   for k, v in enumerate(meters))
    state = play.state
    stats = tuple(Stat(inert(v.display_name), inert(_value(v, state[v.name])), v.meter)
                  for v in story.variables.values() if not v.hidden)
    return Journey(inert(story.title), len(rows) - 1, stats, series, tuple(marks))


def _value(v, value) -> str:
    shown = show_value(value, "yes", "no")
    if v.meter and v.has_max:
        return f"{shown} of {v.hi}"
    return shown or "none"


# ------------------------------------------------------------------ the chart

@record
class Chart:
    """A meter drawn in `rows` of block characters (top row first), one
    column per step (or per group of steps when there are more steps than
    columns). `column_chapter[c]` is the index in Journey.chapters of the
    chapter column c belongs to (-1 before the first chapter); `marks` is the
    line under the chart: each chapter's number where it begins."""
    rows: tuple[str, ...]
    column_chapter: tuple[int, ...]
    marks: str
    axis: tuple[str, ...]  # the scale at the left of each row (hi at the top, lo at the bottom)


STEP_CELLS = 3  # the most columns one step is drawn across


def _columns(n: int, width: int) -> list[range]:
    """The steps (indices 0..n-1) each column shows: every step the same
    number of columns (at most STEP_CELLS) within `width`, or grouped
    evenly when there are more steps than columns."""
    if n <= width:
        per = min(STEP_CELLS, width // n)
        return [range(i, i + 1) for i in range(n) for _ in range(per)]
    return [range(c * n // width, max(c * n // width + 1, (c + 1) * n // width)) for c in range(width)]


def chart(series: Series, chapters: tuple[ChapterMark, ...], width: int, height: int = 4) -> Chart:
    """`series` as a bar chart `width` cells wide (the scale included) and
    `height` rows high."""
    axis_w = max(len(str(series.hi)), len(str(series.lo))) + 1
    cols = _columns(len(series.values), max(1, width - axis_w))
    span = max(1, series.hi - series.lo)
    levels = height * 8
    heights = []
    for steps in cols:
        v = series.values[steps[-1]]  # the value after the last step of the column
        h = round(levels * (min(max(v, series.lo), series.hi) - series.lo) / span)
        heights.append(max(h, 1) if v > series.lo else 0)  # above the floor always shows
    rows = []
    for r in range(height):
        base = (height - 1 - r) * 8
        rows.append("".join(BLOCKS[min(8, max(0, h - base))] for h in heights))
    starts = [m.step for m in chapters]
    column_chapter = tuple(sum(1 for s in starts if s <= steps[-1]) - 1 for steps in cols)
    marks = [" "] * len(cols)
    for c, k in enumerate(column_chapter):
        if k < 0 or c and column_chapter[c - 1] == k:
            continue  # not where a chapter begins
        label = str(chapters[k].number)
        if c + len(label) <= len(marks) and all(x == " " for x in marks[max(0, c - 1):c + len(label)]):
            marks[c:c + len(label)] = label
        elif marks[c] == " ":
            marks[c] = "·"  # too close to the last number to write this one
    axis = tuple((str(series.hi) if r == 0 else str(series.lo) if r == height - 1 else "").rjust(axis_w - 1) + " "
                 for r in range(height))
    return Chart(tuple(rows), column_chapter, "".join(marks), axis)


def chapter_legend(j: Journey, width: int | None = None) -> list[str]:
    """The chapters by number ("1 Moscow, 1925  2 Harbin, 1927  ..."), as
    lines of at most `width` cells that break only between chapters (a
    chapter longer than a line has one to itself)."""
    lines: list[str] = []
    for m in j.chapters:
        entry = f"{m.number} {m.title}"
        if lines and (width is None or len(lines[-1]) + 2 + len(entry) <= width):
            lines[-1] += "  " + entry
        else:
            lines.append(entry)
    return lines


def meter_summary(s: Series) -> str:
    """"4 of 10 (began at 6; lowest 3, highest 8)"."""
    return (f"{s.now} of {s.hi} (began at {s.values[0]}; lowest {min(s.values)}, highest {max(s.values)})"
            if len(s.values) > 1 else f"{s.now} of {s.hi}")


# ------------------------------------------------------------------ as plain lines


def by_chapter(s: Series, chapters: tuple[ChapterMark, ...]) -> list[tuple[str, int, int]]:
    """(chapter title, value on entering it, value on leaving it or now)."""
    out = []
    for k, m in enumerate(chapters):
        end = chapters[k + 1].step if k + 1 < len(chapters) else len(s.values) - 1
        out.append((m.title, s.values[m.step], s.values[end]))
    return out


def plain_journey(j: Journey, width: int = 78) -> list[str]:
    """Stats and the journey as plain lines: no block characters (a screen
    reader reads those as 'lower five eighths block'), a line per chapter."""
    lines = wrap(f"Stats: {j.story_title}", width) + [""]
    for s in j.stats:
        lines += wrap(f"{s.label}: {s.value}", width, "  ", "    ")
    if not j.stats:
        lines.append("  (this story shows no variables)")
    lines.append("")
    chapters = len(j.chapters)
    lines += wrap(f"Your journey: {j.steps} choice{'s' if j.steps != 1 else ''}"
                   + (f" over {chapters} chapter{'s' if chapters != 1 else ''}." if chapters else "."), width)
    for s in j.meters:
        lines.append("")
        lines += wrap(f"{s.label}: {meter_summary(s)}.", width)
        moved = [f"{title}: {a} to {b}" for title, a, b in by_chapter(s, j.chapters) if a != b]
        if moved:
            rest = " Unchanged in the other chapters." if len(moved) < len(j.chapters) else ""
            lines += wrap("Changed in " + "; ".join(moved) + "." + rest, width, "  ")
        elif j.chapters and j.steps:
            lines += wrap("Unchanged in every chapter.", width, "  ")
    return lines
