"""What one screen of the game shows, as plain values: the one view.

Built from a Session (no Textual, no Rich), this is everything a front end
draws: the header, the story text (Markdown), the numbered choices, the
meters with their change, the notice, the note and codex entries a step
brought, the ending with its comparison with history. The Textual game,
plain mode and the transcripts of blessed playthroughs all draw from it,
and it is the one place where strings leave for a front end: every one is
made inert here (game/engine/safetext.py).
"""

from __future__ import annotations


from game.engine.model import show_value
from game.engine.records import record
from game.engine.safetext import inert

from .markdown import paragraphs, to_plain, wrap

NOTE_HEADING = "What really happened"


@record
class ChoiceLine:
    number: int
    id: str
    text: str
    enabled: bool
    reason: str | None


@record
class Gauge:
    name: str
    label: str
    value: int
    lo: int
    hi: int
    delta: int


@record
class Shown:
    """A visible labelled variable that is not a meter."""
    name: str
    label: str
    value: str
    changed: bool


@record
class NoteView:
    heading: str  # the story's note_heading (format §11.11)
    title: str | None
    text: str  # Markdown
    source: str
    cites: tuple[str, ...] = ()  # titles of the sources it cites


@record
class Divergence:
    scene_title: str
    chosen: str
    history: tuple[str, ...]


@record
class EndingView:
    title: str
    kind: str
    text: str  # Markdown
    same: int  # decisions made as history did
    decisions: int
    divergences: tuple[Divergence, ...]
    found: int  # endings found in any game
    total: int


@record
class Screen:
    story_title: str
    chapter: str | None
    scene_title: str | None
    text: str  # Markdown: everything read on this screen
    choices: tuple[ChoiceLine, ...]
    gauges: tuple[Gauge, ...]
    shown: tuple[Shown, ...]
    notice: str | None
    ending: EndingView | None

    @property
    def header(self) -> str:
        return " · ".join(x for x in (self.story_title, self.chapter, self.scene_title) if x)

    @property
    def ended(self) -> bool:
        return self.ending is not None


@record
class StepView:
    """What a step brought besides the next screen."""
    note: NoteView | None
    unlocked: tuple[str, ...]  # codex names
    achieved: tuple[str, ...] = ()  # "Title — text" of each achievement first earned


def _i(s):
    return None if s is None else inert(s)


def build_screen(session, before: dict | None = None, notice: str | None = None) -> Screen:
    """The screen the player stands on. `before`: the state before the last
    step (for the ▲/▼ marks)."""
    play = session.play
    story = session.story
    sc = play.scene
    choices = () if play.ended else tuple(
        ChoiceLine(i, c.id, inert(c.text), c.enabled, _i(c.reason)) for i, c in enumerate(play.choices(), 1))
    gauges, shown = [], []
    state = play.state
    for v in story.variables.values():
        if v.hidden:
            continue
        value = state[v.name]
        if v.meter:
            delta = value - before[v.name] if before is not None else 0
            gauges.append(Gauge(v.name, inert(v.display_name), value, v.lo if v.has_min else 0, v.hi, delta))
        elif v.label:
            changed = before is not None and before[v.name] != value
            shown.append(Shown(v.name, inert(v.display_name), inert(show_value(value, "yes", "no")), changed))
    ending = _ending(session) if play.ended else None
    return Screen(inert(story.title), _i(play.chapter), _i(sc.title), inert(play.text), choices, tuple(gauges),
                  tuple(shown), _i(notice), ending)


def _ending(session) -> EndingView:
    play = session.play
    e = play.scene.ending
    same, total, diverged = session.history_summary()
    found = session.endings_found()
    endings = session.story.endings
    return EndingView(inert(e.title), inert(e.kind), inert(play.ending_text), same, total,
                      tuple(Divergence(inert(d.scene_title), inert(d.chosen_text),
                                       tuple(inert(t) for t in d.historical_texts)) for d in diverged),
                      sum(1 for x in endings if x.id in found), len(endings))


def build_step(session, result) -> StepView:
    note = None
    if result.note is not None:
        n = result.note
        data = session.story.data
        note = NoteView(inert(data.note_heading or NOTE_HEADING), _i(n.title), inert(n.text.render(session.play)),
                        inert(n.source), tuple(inert(t) for t in data.cited_titles(n)))
    return StepView(note, tuple(inert(c.name) for c in result.unlocked),
                    tuple(inert(f"{a.title} — {a.text}") for a in getattr(result, "achieved", ())))


def pick(screen: Screen, number: int) -> tuple[ChoiceLine | None, str | None]:
    """The one rule from a number typed to a choice: (the choice, None), or
    (None, why not)."""
    if screen.ended:
        return None, "The story has ended."
    if not 1 <= number <= len(screen.choices):
        return None, "There is no such choice."
    c = screen.choices[number - 1]
    if not c.enabled:
        return None, f"Not possible: {c.reason}" if c.reason else "Not possible now."
    return c, None


# ------------------------------------------------------------------ as plain lines


def plain_screen(screen: Screen, width: int = 78) -> list[str]:
    """The screen as plain-mode lines (also the text of blessed transcripts)."""
    head, paras, tail = plain_parts(screen, width)
    lines = list(head)
    for i, p in enumerate(paras):
        lines += ([""] if i else []) + p
    return lines + ([""] if screen.text else []) + tail


def plain_parts(screen: Screen, width: int = 78) -> tuple[list[str], list[list[str]], list[str]]:
    """`plain_screen` in three parts: the heading and notice lines, the
    text's paragraphs (each as lines, for a front end that shows them one at
    a time), and the rest: the ending, or the meters and the choices."""
    head: list[str] = []
    title = " / ".join(x for x in (screen.chapter, screen.scene_title) if x)
    if title:
        head += [f"== {title} ==", ""]
    if screen.notice:
        head += wrap(f"(Note: {screen.notice})", width) + [""]
    paras = [to_plain(p, width) for p in paragraphs(screen.text)] if screen.text else []
    if screen.ending is not None:
        return head, paras, plain_ending(screen.ending, width)
    tail: list[str] = []
    if screen.gauges:
        tail += wrap("  ".join(f"{g.label}: {g.value}/{g.hi}" for g in screen.gauges), width) + [""]
    for c in screen.choices:
        label = c.text if c.enabled else f"(not possible: {c.reason}) {c.text}" if c.reason else f"(not possible) {c.text}"
        lead = f"  {c.number}. "
        tail += wrap(label, width, lead, " " * len(lead))
    return head, paras, tail


def plain_ending(e: EndingView, width: int = 78) -> list[str]:
    lines = [f"THE END: {e.title}", ""]
    if e.text:
        lines += to_plain(e.text, width) + [""]
    if e.decisions:
        lines += wrap(f"You chose as they did in {e.same} of {e.decisions} decisions.", width)
        for d in e.divergences:
            history = " / ".join(f'"{t}"' for t in d.history)
            lines += wrap(f'- {d.scene_title}: you chose "{d.chosen}"; history: {history}', width, "  ", "    ")
        lines.append("")
    lines.append(f"Endings found: {e.found} of {e.total}.")
    return lines


def plain_note(n: NoteView, width: int = 78) -> list[str]:
    """A note as plain lines: its heading, its text, its source and the works it cites."""
    lines = [f"-- {n.heading}" + (f": {n.title}" if n.title else "") + " --"]
    lines += to_plain(n.text, width)
    lines += wrap(f"Source: {n.source}", width)
    if n.cites:
        lines += wrap("Sources: " + "; ".join(n.cites), width)
    return lines


def plain_step(step: StepView, width: int = 78) -> list[str]:
    lines: list[str] = []
    if step.note is not None:
        lines += [""] + plain_note(step.note, width)
    if step.unlocked:
        lines += wrap("New in the codex: " + ", ".join(step.unlocked), width)
    if step.achieved:
        lines += wrap("Achievement: " + "; ".join(step.achieved), width)
    return lines
