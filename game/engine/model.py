"""The compiled story: immutable, built once by the compiler, shared by every
playthrough (like ink's Story; the state lives in Playthrough)."""

from __future__ import annotations

from .errors import StoryRuntimeError
from .records import record
from types import MappingProxyType
from typing import Any, Callable, Mapping

Fn = Callable[[Any], Any]
_set = object.__setattr__
INT_LIMIT = 1_000_000_000


@record
class VarDef:
    name: str
    type: str  # int | bool | str | set
    default: Any
    lo: int = -INT_LIMIT
    hi: int = INT_LIMIT
    has_min: bool = False
    has_max: bool = False
    values: tuple[str, ...] = ()
    label: str | None = None
    meter: bool = False
    hidden: bool = False

    @property
    def display_name(self) -> str:
        return self.label or self.name.replace("_", " ")


class SetValue(tuple):
    """A set variable's value: its members in the order of the variable's
    `values` (so it is hashable, canonical and renders in that order). It
    compares equal to any set, list or tuple of the same members."""

    __slots__ = ()

    def __eq__(self, other):
        if isinstance(other, (set, frozenset)):
            return frozenset(self) == other
        if isinstance(other, (list, tuple)):
            return len(self) == len(other) and frozenset(self) == frozenset(other)
        return NotImplemented

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    __hash__ = tuple.__hash__

    def __repr__(self) -> str:
        return "{" + ", ".join(repr(x) for x in self) + "}" if self else "set()"


EMPTY_SET = SetValue()


class Form:
    """An inline form of §11.2 inside a text, parsed at load: `{if C: A | B}`,
    `{seq: ...}`, `{cycle: ...}`, `{once: ...}`, `{shuffle: ...}`. Each
    alternative is a tuple of parts (str, (name,), or a Form)."""

    __slots__ = ("kind", "cond", "alts", "salt")

    def __init__(self, kind: str, alts: tuple, cond: Fn | None = None, salt: int = 0):
        self.kind = kind  # if | seq | cycle | once | shuffle
        self.cond = cond
        self.alts = alts
        self.salt = salt  # the text's owner and the form's position, hashed at load (shuffle)

    def pick(self, p, n: int):
        """The alternative shown now (a tuple of parts), or None."""
        kind = self.kind
        alts = self.alts
        if kind == "if":
            if self.cond(p):
                return alts[0]
            return alts[1] if len(alts) > 1 else None
        if n < 1:
            n = 1
        if kind == "seq":
            return alts[min(n, len(alts)) - 1]
        if kind == "cycle":
            return alts[(n - 1) % len(alts)]
        if kind == "once":
            return alts[n - 1] if n <= len(alts) else None
        # shuffle: a hash of the seed, the owner (scene id), N and the position
        h = _mix64((p.seed & _MASK64) ^ _mix64(self.salt ^ (n * 0x9E3779B97F4A7C15 & _MASK64)))
        return alts[h % len(alts)]


_MASK64 = (1 << 64) - 1


def _mix64(z: int) -> int:
    z = (z + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def render_parts(parts: tuple, p, n: int) -> str:
    """Parts with forms: an empty form leaves one space where two would meet
    (and none at the start or end of a line); a line that holds nothing but
    empty forms is dropped with its line break, as ink drops it (the blank
    line of a paragraph break stays one blank line)."""
    out: list[str] = []
    v = p.vars
    collapse = False  # the last thing rendered was an empty form
    for x in parts:
        cls = x.__class__
        if cls is str:
            s = x
            if not s:
                continue
        elif cls is tuple:
            s = _show(v[x[0]])
            if not s:  # an empty set, say: nothing to place, and nothing to collapse
                continue
        else:
            alt = x.pick(p, n)
            s = render_parts(alt, p, n) if alt else ""
            if not s:
                collapse = True
                continue
        if collapse:
            collapse = False
            if s[0] == " " and (not out or out[-1].endswith((" ", "\n"))):
                s = s[1:]
                if not s:
                    continue
            elif s[0] == "\n":
                if out and out[-1].endswith(" "):
                    out[-1] = out[-1].rstrip(" ")
                if not out or out[-1].endswith("\n"):
                    # the empty forms stood alone on their line: drop it
                    lead = len(s) - len(s.lstrip("\n"))
                    if not out:
                        s = s[lead:]
                    else:
                        last = out[-1]
                        trail = len(last) - len(last.rstrip("\n"))
                        s = s[min(lead, trail):]
                    if not s:
                        continue
        out.append(s)
    text = "".join(out)
    if collapse and text.endswith((" ", "\n")):
        text = text.rstrip(" ")
        if text.endswith("\n"):
            text = text.rstrip("\n")
    return text


@record
class Text:
    """Text rendered at play time: paragraphs (condition or None, parts).

    A part is a str (literal), a 1-tuple (variable name,) or a Form. `static`
    is the rendered text when nothing in it depends on state. `counter` says
    what N counts for the forms that need it: ("v", scene id) the visits of
    a scene, ("c", "scene.choice") the times a choice was taken."""

    paragraphs: tuple[tuple[Fn | None, tuple], ...]
    static: str | None
    counter: tuple | None = None
    where: str = ""  # file:line of the text, for a run-time error in one of its expressions

    def __post_init__(self) -> None:
        # (condition, the paragraph's text when it has no variables, parts, has forms)
        fast = tuple((cond, "".join(parts) if all(x.__class__ is str for x in parts) else None, parts,
                      any(x.__class__ is Form for x in parts))
                     for cond, parts in self.paragraphs)
        object.__setattr__(self, "_fast", fast)

    def render(self, p, n: int | None = None) -> str:
        if self.static is not None:
            return self.static
        try:
            return self._render(p, n)
        except StoryRuntimeError as exc:
            if not exc.where:
                exc.where = self.where  # the text, not the choice that led to it
            raise

    def _render(self, p, n: int | None) -> str:
        out = []
        v = p.vars
        for cond, fixed, parts, forms in self._fast:
            if cond is not None and not cond(p):
                continue
            if fixed is not None:
                out.append(fixed)
            elif forms:
                if n is None:
                    n = self.count(p)
                s = render_parts(parts, p, n)
                if s:
                    out.append(s)
            else:
                out.append("".join([x if x.__class__ is str else _show(v[x[0]]) for x in parts]))
        return "\n\n".join(out)

    def count(self, p) -> int:
        c = self.counter
        if c is None:
            return 1
        return (p.visits if c[0] == "v" else p.chosen).get(c[1], 0)


def show_value(value: Any, yes: str = "true", no: str = "false") -> str:
    """A variable's value as text: the one rule (booleans as true/false, or
    the words given; a set as its members joined by ", ")."""
    if value.__class__ is int:
        return str(value)
    if value is True:
        return yes
    if value is False:
        return no
    if value.__class__ is SetValue:
        return ", ".join(value)
    return str(value)


_show = show_value  # the renderer's hot path


class ChoiceView:
    """A choice as offered now: id, rendered text, enabled, reason."""

    __slots__ = ("id", "text", "enabled", "reason")

    def __init__(self, id: str, text: str, enabled: bool = True, reason: str | None = None):
        # Immutable: static views are shared between every offer of a choice.
        _set(self, "id", id)
        _set(self, "text", text)
        _set(self, "enabled", enabled)
        _set(self, "reason", reason)

    def __setattr__(self, name, value):
        raise AttributeError("a ChoiceView is read-only")

    def __repr__(self) -> str:
        flag = "" if self.enabled else f", locked: {self.reason!r}"
        return f"<Choice {self.id}: {self.text!r}{flag}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChoiceView) and (self.id, self.text, self.enabled, self.reason) == (
            other.id, other.text, other.enabled, other.reason)

    __hash__ = None  # type: ignore[assignment]



@record
class Goto:
    """Either one target, or branches (condition or None for the last, target)."""

    target: str | None
    branches: tuple[tuple[Fn | None, str], ...] = ()

    def resolve(self, p) -> str:
        if self.target is not None:
            return self.target
        for cond, target in self.branches:
            if cond is None or cond(p):
                return target
        return self.branches[-1][1]  # unreachable: the last branch has no condition

    def targets(self) -> tuple[str, ...]:
        return (self.target,) if self.target is not None else tuple(t for _, t in self.branches)


MAX_CALLS = 8  # calls nest up to this deep (format §11.4)
MAX_PASS = 50  # scenes with `pause: false` passed through in one step


@record
class ChoiceDef:
    id: str
    key: str  # "scene.choice", the key of choice counts
    text: Text
    cond: Fn | None
    locked: str | None
    once: bool
    effects: tuple[Fn, ...]
    note: str | None
    historical: bool
    goto: Goto  # for call/return: every scene it may lead to (for analysis; never resolved)
    explicit_id: bool
    where: str  # "path:line" for runtime errors
    reads: frozenset = frozenset()  # variables its condition, effects and goto read
    # Views to offer when the text never changes (most choices): no allocation per offer.
    view: "ChoiceView | None" = None
    view_locked: "ChoiceView | None" = None
    reply: "Text | None" = None  # shown at the top of the next screen (§11.3)
    call: str | None = None  # a scene to call (§11.4); `then` is the story's thens[key]
    returns: bool = False  # `return: true`: back to the innermost call's `then`
    fallback: bool = False  # offered only when nothing else is (§11.7)
    jumps: bool = False  # call or returns: the step goes through Playthrough._exit


@record
class Ending:
    title: str
    kind: str
    text: Text | None
    hint: str | None = None  # a spoiler-free nudge for the gallery while unfound


@record
class Scene:
    id: str
    title: str | None
    chapter: str | None
    pov: str | None
    text: Text
    effects: tuple[Fn, ...]
    unlock: tuple[str, ...]
    choices: tuple[ChoiceDef, ...]
    goto: Goto | None
    ending: Ending | None
    where: str
    # A goto-only scene offers this one choice.
    continue_choice: ChoiceDef | None = None
    enter_reads: frozenset = frozenset()  # variables its entry effects read
    # Its text, choice conditions or ending text call chance(): the offer is
    # then decided on entry rather than when first shown (format §11.1).
    offer_draws: bool = False
    pause: bool = True  # False: passed through at once, its text shown before the next scene's (§11.3)
    choice_aliases: Mapping = MappingProxyType({})  # old choice id (`was:`) -> id
    has_fallback: bool = False

    def __post_init__(self) -> None:
        # Entering it does more than its effects: it unlocks codex entries,
        # passes straight through, or decides its offer at once (one test on
        # the step path instead of three).
        _set(self, "entry_work", bool(self.unlock) or not self.pause or self.offer_draws)


@record
class Note:
    id: str
    title: str | None
    text: Text
    source: str
    cites: tuple[str, ...] = ()  # source ids (§11.11)


@record
class Source:
    """A work the notes cite (§11.11): one entry of the bibliography."""

    id: str
    title: str
    author: str
    detail: str | None = None


@record
class Achievement:
    """§11.10: earned after the first step where `cond` holds."""

    id: str
    title: str
    text: str
    cond: Fn
    hidden: bool = False
    where: str = ""
    when: str = ""  # the condition as written
    reads: frozenset = frozenset()


@record
class CodexEntry:
    id: str
    name: str
    kind: str
    text: Text
    source: str


@record
class Trigger:
    cond: Fn
    target: str
    where: str
    reads: frozenset = frozenset()


@record
class Check:
    """A story check (§11.9): `cond` must hold (kind "always") or must not
    hold (kind "never") in every state the playtester reaches."""

    cond: Fn
    kind: str  # always | never
    message: str
    where: str
    source: str = ""
    reads: frozenset = frozenset()


@record
class StoryData:
    """Everything the compiler produces; `game.engine.story.Story` wraps it."""

    id: str
    title: str
    subtitle: str | None
    blurb: str | None
    start: str
    variables: Mapping[str, VarDef]
    triggers: tuple[Trigger, ...]
    scenes: Mapping[str, Scene]
    notes: Mapping[str, Note]
    codex: Mapping[str, CodexEntry]
    fingerprint: str
    root: str
    # Visit/choice counts above this never change a condition's outcome
    # (the exhaustive explorer saturates counts there).
    count_cap: int = 1
    relevant_vars: frozenset | None = None  # None: treat every variable as relevant
    steering_vars: frozenset | None = None  # relevant, or read by a text's condition or an achievement
    files: tuple[str, ...] = ()
    counted_scenes: tuple[str, ...] = ()  # named in visited()
    counted_choices: tuple[str, ...] = ()  # named in chose()
    # The `then` of every call, by the key of the choice ("scene.choice") or
    # the scene id that makes it; resolved when the call returns.
    thens: Mapping = MappingProxyType({})
    scene_aliases: Mapping = MappingProxyType({})  # old scene id (`was:`) -> id
    checks: tuple[Check, ...] = ()  # story checks (§11.9), for the playtester
    # For the playtester's reports: per scene, the names its texts read
    # (scene, choice and ending texts); per choice key, its `if` as written.
    text_reads: Mapping[str, frozenset] = MappingProxyType({})
    choice_conds: Mapping[str, str] = MappingProxyType({})
    effect_deps: Mapping[str, frozenset] = MappingProxyType({})  # variable -> what effects on it read
    sources: Mapping[str, "Source"] = MappingProxyType({})  # the bibliography (§11.11), in file order
    note_heading: str = "What really happened"
    achievements: Mapping[str, "Achievement"] = MappingProxyType({})  # §11.10, in file order

    def cited_titles(self, note: "Note") -> list[str]:
        """The titles of the sources a note cites, in its order."""
        return [self.sources[c].title for c in note.cites if c in self.sources]


def frozen(d: dict) -> Mapping:
    return MappingProxyType(d)
