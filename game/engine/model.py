"""The compiled story: immutable, built once by the compiler, shared by every
playthrough (like ink's Story; the state lives in Playthrough)."""

from __future__ import annotations

from .records import record
from types import MappingProxyType
from typing import Any, Callable, Mapping

Fn = Callable[[Any], Any]
_set = object.__setattr__
INT_LIMIT = 1_000_000_000


@record
class VarDef:
    name: str
    type: str  # int | bool | str
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


@record
class Text:
    """Text rendered at play time: paragraphs (condition or None, parts).

    A part is a str (literal) or a 1-tuple (variable name,). `static` is the
    rendered text when nothing in it depends on state."""

    paragraphs: tuple[tuple[Fn | None, tuple], ...]
    static: str | None

    def __post_init__(self) -> None:
        # (condition, the paragraph's text when it has no variables, parts)
        fast = tuple((cond, "".join(parts) if all(x.__class__ is str for x in parts) else None, parts)
                     for cond, parts in self.paragraphs)
        object.__setattr__(self, "_fast", fast)

    def render(self, p) -> str:
        if self.static is not None:
            return self.static
        out = []
        v = p.vars
        for cond, fixed, parts in self._fast:
            if cond is not None and not cond(p):
                continue
            if fixed is not None:
                out.append(fixed)
            else:
                out.append("".join([x if x.__class__ is str else _show(v[x[0]]) for x in parts]))
        return "\n\n".join(out)


def _show(value: Any) -> str:
    if value.__class__ is int:
        return str(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


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
    goto: Goto
    explicit_id: bool
    where: str  # "path:line" for runtime errors
    reads: frozenset = frozenset()  # variables its condition, effects and goto read
    # Views to offer when the text never changes (most choices): no allocation per offer.
    view: "ChoiceView | None" = None
    view_locked: "ChoiceView | None" = None


@record
class Ending:
    title: str
    kind: str
    text: Text | None


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


@record
class Note:
    id: str
    title: str | None
    text: Text
    source: str


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
    files: tuple[str, ...] = ()
    counted_scenes: tuple[str, ...] = ()  # named in visited()
    counted_choices: tuple[str, ...] = ()  # named in chose()
    checks: tuple[Check, ...] = ()  # story checks (§11.9), for the playtester
    # For the playtester's reports: per scene, the names its texts read
    # (scene, choice and ending texts); per choice key, its `if` as written.
    text_reads: Mapping[str, frozenset] = MappingProxyType({})
    choice_conds: Mapping[str, str] = MappingProxyType({})
    effect_deps: Mapping[str, frozenset] = MappingProxyType({})  # variable -> what effects on it read


def frozen(d: dict) -> Mapping:
    return MappingProxyType(d)
