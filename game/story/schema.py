"""The story format's shape, defined once.

The same definitions validate nodes (with positions, all problems at once,
"did you mean") and generate the JSON Schema for editors (`open-diplomacy
schema`). Nothing else describes the format's keys.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any


from game.engine.safetext import FORBIDDEN

from .problems import Pos, did_you_mean
from .problems import YamlProblem, pos_of

# PyYAML's node classes, told apart by their `id` so that this module (and
# the parse cache behind it) never imports PyYAML: play from the cache
# starts without it.
ScalarNode, SequenceNode, MappingNode = "scalar", "sequence", "mapping"
Node = Walker = object  # annotations only


def _is(node, kind: str) -> bool:
    return getattr(node, "id", None) == kind

ID_RE = re.compile(r"[a-z][a-z0-9_]*\Z")
INVALID = object()  # a value that failed validation (already reported)


class Marks(dict):
    """key -> node; reading an item gives its Pos (built only when asked)."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def __getitem__(self, key) -> Pos:
        return pos_of(self.path, dict.__getitem__(self, key))

    def get(self, key, default=None):
        node = dict.get(self, key)
        return default if node is None else pos_of(self.path, node)

    def items(self):
        return [(k, pos_of(self.path, n)) for k, n in dict.items(self)]


class ItemMarks(list):
    """Nodes of a sequence's items; reading one gives its Pos."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def __getitem__(self, i) -> Pos:
        return pos_of(self.path, list.__getitem__(self, i))


class Rec(dict):
    """A validated mapping that remembers where its keys and values stand."""

    __slots__ = ("node", "kpos", "vpos", "bad")

    def __init__(self, path: str, node: Node):
        super().__init__()
        self.node = node
        self.kpos = Marks(path)
        self.vpos = Marks(path)
        self.bad: set[str] = set()

    @property
    def pos(self) -> Pos:
        return pos_of(self.kpos.path, self.node)

    def at(self, key: str) -> Pos:
        return self.vpos.get(key) or self.pos


class Seq(list):
    """A validated sequence that remembers where each item stands."""

    __slots__ = ("node", "ipos")

    def __init__(self, path: str, node: Node):
        super().__init__()
        self.node = node
        self.ipos = ItemMarks(path)

    @property
    def pos(self) -> Pos:
        return pos_of(self.ipos.path, self.node)


def _kind_name(node: Node) -> str:
    if _is(node, MappingNode):
        return "a mapping"
    if _is(node, SequenceNode):
        return "a list"
    return "a value" if node.value else "nothing"


def id_problem(value: str) -> str | None:
    """Why `value` is not an identifier, or None."""
    if ID_RE.match(value):
        return None
    for i, ch in enumerate(value):
        ok = ("a" <= ch <= "z") or (i > 0 and (ch.isdigit() and ch.isascii() or ch == "_"))
        if not ok:
            name = unicodedata.name(ch, "")
            what = f"'{ch}' (U+{ord(ch):04X}{' ' + name if name else ''})"
            return (f"'{value}' is not a valid id: character {i + 1} is {what}; ids use lowercase "
                    f"ASCII letters, digits and _, and start with a letter")
    return f"'{value}' is not a valid id: ids use lowercase ASCII letters, digits and _, and start with a letter"


class T:
    """A type in the format: checks a node, and describes itself as JSON Schema."""

    doc = ""

    def check(self, node: Node, w: Walker, depth: int) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def json(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def fail(self, w: Walker, node: Node, message: str):
        w.rep.error(pos_of(w.path, node), message)
        return INVALID

    def scalar(self, node: Node, w: Walker, depth: int, expected: str):
        w.budget(node, depth)
        if not _is(node, ScalarNode):
            return self.fail(w, node, f"expected {expected}, found {_kind_name(node)}")
        try:
            return w.scalar(node)
        except YamlProblem as exc:
            w.rep.error(exc.pos, exc.message)
            return INVALID


_FORM_KEY = re.compile(r"\s*(if\s|seq\s*$|cycle\s*$|once\s*$|shuffle\s*$)")
_NAME_KEY = re.compile(r"\s*[a-z][a-z0-9_]*\s*$")


def flow_mapping_hint(node: Node) -> str | None:
    """When YAML read a text starting with `{` as a flow mapping that looks like
    `{name}` or a §11.2 form, say so."""
    if not _is(node, MappingNode) or node.flow_style is not True or not node.value:
        return None
    knode, vnode = node.value[0]
    if not _is(knode, ScalarNode) or knode.style:
        return None
    looks = _FORM_KEY.match(knode.value) or (
        _NAME_KEY.match(knode.value) and _is(vnode, ScalarNode) and vnode.value == "" and not vnode.style)
    if looks:
        return ("expected text, found a mapping: this text starts with '{', so YAML reads it as a mapping; "
                "quote the text or use a `|` block")
    return None


class Str(T):
    def __init__(self, doc: str = "", markdown: bool = False):
        self.doc = doc
        self.markdown = markdown

    def check(self, node, w, depth):
        if self.markdown and _is(node, MappingNode):
            hint = flow_mapping_hint(node)
            if hint:
                w.budget(node, depth)
                return self.fail(w, node, hint)
        v = self.scalar(node, w, depth, "text")
        if v is INVALID:
            return v
        if isinstance(v, str):
            return v
        if v is None:
            return self.fail(w, node, "expected text, found nothing")
        # An author who writes `title: 1938` means the text "1938".
        return node.value

    def json(self):
        return {"type": ["string", "number", "boolean"], "description": self.doc}


class Int(T):
    def __init__(self, doc: str = ""):
        self.doc = doc

    def check(self, node, w, depth):
        v = self.scalar(node, w, depth, "a whole number")
        if v is INVALID:
            return v
        if isinstance(v, bool) or not isinstance(v, int):
            return self.fail(w, node, f"expected a whole number, found {node.value!r}")
        return v

    def json(self):
        return {"type": "integer", "description": self.doc}


class Bool(T):
    def __init__(self, doc: str = ""):
        self.doc = doc

    def check(self, node, w, depth):
        v = self.scalar(node, w, depth, "true or false")
        if v is INVALID:
            return v
        if not isinstance(v, bool):
            return self.fail(w, node, f"expected true or false, found {node.value!r}")
        return v

    def json(self):
        return {"type": "boolean", "description": self.doc}


class Scalar(T):
    """Any scalar (a variable's default: its type is checked against `type`)."""

    def __init__(self, doc: str = ""):
        self.doc = doc

    def check(self, node, w, depth):
        return self.scalar(node, w, depth, "a value")

    def json(self):
        return {"type": ["string", "integer", "boolean"], "description": self.doc}


class Ident(T):
    def __init__(self, doc: str = ""):
        self.doc = doc

    def check(self, node, w, depth):
        v = self.scalar(node, w, depth, "an id")
        if v is INVALID:
            return v
        if not isinstance(v, str):
            return self.fail(w, node, f"expected an id, found {node.value!r}")
        why = id_problem(v)
        if why:
            return self.fail(w, node, why)
        return v

    def json(self):
        return {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": self.doc}


class Enum(T):
    def __init__(self, values: list[str], doc: str = ""):
        self.values = values
        self.doc = doc

    def check(self, node, w, depth):
        v = self.scalar(node, w, depth, "one of " + ", ".join(self.values))
        if v is INVALID:
            return v
        if v not in self.values:
            return self.fail(w, node, f"'{node.value}' is not one of {', '.join(self.values)}"
                             + did_you_mean(str(node.value), self.values))
        return v

    def json(self):
        return {"enum": self.values, "description": self.doc}


class Expr(T):
    """An expression (§5), kept as text here and compiled later.

    A YAML boolean (`if: true`) stands for the constant expression."""

    def __init__(self, doc: str = "", allow_bool: bool = True):
        self.doc = doc
        self.allow_bool = allow_bool

    def check(self, node, w, depth):
        v = self.scalar(node, w, depth, "an expression")
        if v is INVALID:
            return v
        if isinstance(v, bool) and self.allow_bool:
            return "true" if v else "false"
        if not isinstance(v, str) or (not node.style and v == ""):
            return self.fail(w, node, f"expected an expression, found {node.value!r}")
        return v

    def json(self):
        return {"type": ["string", "boolean"] if self.allow_bool else "string", "description": self.doc}


class ListOf(T):
    def __init__(self, item: T, doc: str = "", single_ok: bool = False, nonempty: bool = False):
        self.item = item
        self.doc = doc
        self.single_ok = single_ok
        self.nonempty = nonempty

    def check(self, node, w, depth):
        w.budget(node, depth)
        out = Seq(w.path, node)
        if _is(node, SequenceNode):
            w.check_collection_tag(node)
            items = node.value
        elif self.single_ok and _is(node, ScalarNode) and node.value != "":
            items = [node]
        else:
            return self.fail(w, node, f"expected a list, found {_kind_name(node)}")
        if self.nonempty and not items:
            return self.fail(w, node, "the list is empty")
        for item in items:
            v = self.item.check(item, w, depth + 1)
            if v is not INVALID:
                out.append(v)
                list.append(out.ipos, item)
        return out

    def json(self):
        arr = {"type": "array", "items": self.item.json(), "description": self.doc}
        if self.nonempty:
            arr["minItems"] = 1
        if self.single_ok:
            return {"anyOf": [arr, self.item.json()], "description": self.doc}
        return arr


class OneOf(T):
    """Chooses by the node's kind: scalar, list or mapping."""

    def __init__(self, doc: str = "", scalar: T | None = None, seq: T | None = None, mapping: T | None = None):
        self.doc = doc
        self.by_kind = {ScalarNode: scalar, SequenceNode: seq, MappingNode: mapping}

    def check(self, node, w, depth):
        t = self.by_kind.get(getattr(node, "id", None))
        if t is None and _is(node, MappingNode) and isinstance(self.by_kind[ScalarNode], Str) \
                and self.by_kind[ScalarNode].markdown and flow_mapping_hint(node):
            w.budget(node, depth)
            return self.fail(w, node, flow_mapping_hint(node))
        if t is None:
            kinds = [n for n, k in (("text", ScalarNode), ("a list", SequenceNode), ("a mapping", MappingNode)) if self.by_kind[k]]
            w.budget(node, depth)
            return self.fail(w, node, f"expected {' or '.join(kinds)}, found {_kind_name(node)}")
        return t.check(node, w, depth)

    def json(self):
        return {"anyOf": [t.json() for t in self.by_kind.values() if t], "description": self.doc}


class Ref(T):
    """A type defined later (for recursive shapes: conditional effects). Its
    JSON Schema is expanded a few levels deep, then left open."""

    JSON_DEPTH = 3
    _depth = 0

    def __init__(self, doc: str = ""):
        self.doc = doc
        self.target: T | None = None

    def check(self, node, w, depth):
        return self.target.check(node, w, depth)

    def json(self):
        if Ref._depth >= self.JSON_DEPTH:
            return {"description": self.doc}
        Ref._depth += 1
        try:
            return self.target.json()
        finally:
            Ref._depth -= 1


class F:
    """A field of a record."""

    def __init__(self, type_: T, required: bool = False, doc: str = ""):
        self.type = type_
        self.required = required
        self.doc = doc or type_.doc


class Record(T):
    def __init__(self, what: str, fields: dict[str, F], doc: str = "", nullable: bool = False):
        self.what = what
        self.fields = fields
        self.doc = doc
        self.nullable = nullable

    def check(self, node, w, depth):
        w.budget(node, depth)
        if self.nullable and _is(node, ScalarNode) and node.value == "" and not node.style:
            return Rec(w.path, node)
        if not _is(node, MappingNode):
            return self.fail(w, node, f"expected {self.what} (a mapping of keys), found {_kind_name(node)}")
        w.check_collection_tag(node)
        rec = Rec(w.path, node)
        fields = self.fields
        for knode, vnode in mapping_pairs(node, w, depth):
            key = knode.value
            field = fields.get(key)
            if field is None:
                hint = flow_mapping_hint(node) if self.what == "paragraph" and not did_you_mean(key, fields) \
                    and not any(_is(k, ScalarNode) and k.value in fields for k, _ in node.value) else None
                if hint:
                    w.rep.error(pos_of(w.path, node), hint)
                    return INVALID
                w.rep.error(pos_of(w.path, knode), f"unknown key '{key}' in {self.what}" + did_you_mean(key, fields))
                continue
            dict.__setitem__(rec.kpos, key, knode)
            dict.__setitem__(rec.vpos, key, vnode)
            v = field.type.check(vnode, w, depth + 1)
            if v is INVALID:
                rec.bad.add(key)
            else:
                rec[key] = v
        for key, field in self.fields.items():
            if field.required and key not in rec.kpos:
                w.rep.error(rec.pos, f"missing required key '{key}' in {self.what}")
        return rec

    def json(self):
        out = {
            "type": "object",
            "description": self.doc,
            "properties": {k: dict(f.type.json(), description=f.doc) for k, f in self.fields.items()},
            "required": [k for k, f in self.fields.items() if f.required],
            "additionalProperties": False,
        }
        if self.nullable:
            return {"anyOf": [out, {"type": "null"}], "description": self.doc}
        return out


class MapOf(T):
    """A mapping from ids to values (notes, codex, variables)."""

    def __init__(self, value: T, what: str, doc: str = ""):
        self.value = value
        self.what = what
        self.doc = doc

    def check(self, node, w, depth):
        w.budget(node, depth)
        if not _is(node, MappingNode):
            return self.fail(w, node, f"expected {self.what} (a mapping from ids), found {_kind_name(node)}")
        w.check_collection_tag(node)
        rec = Rec(w.path, node)
        for knode, vnode in mapping_pairs(node, w, depth):
            key = knode.value
            why = id_problem(key)
            if why:
                w.rep.error(pos_of(w.path, knode), why)
                continue
            v = self.value.check(vnode, w, depth + 1)
            dict.__setitem__(rec.kpos, key, knode)
            dict.__setitem__(rec.vpos, key, vnode)
            if v is not INVALID:
                rec[key] = v
        return rec

    def json(self):
        return {
            "type": "object",
            "description": self.doc,
            "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
            "additionalProperties": self.value.json(),
        }


def mapping_pairs(node: MappingNode, w: Walker, depth: int):
    """(key node, value node) pairs; keys must be plain text, never repeated."""
    seen: dict[str, Node] = {}
    for knode, vnode in node.value:
        w.budget(knode, depth + 1)
        if not _is(knode, ScalarNode):
            w.rep.error(pos_of(w.path, knode), "a key must be plain text, not a list or mapping")
            continue
        key = knode.value
        if knode.style == '"' and FORBIDDEN.search(key):
            w._refuse_escaped_controls(knode)
            continue
        if key in seen:
            first = pos_of(w.path, seen[key])
            w.rep.error(pos_of(w.path, knode), f"duplicate key '{key}' (first at line {first.line}, column "
                        f"{first.column}); YAML would silently keep only the last one")
            continue
        seen[key] = knode
        yield knode, vnode


# ---------------------------------------------------------------- the format

COND = Expr("A condition (§5), e.g. `suspicion >= 7 and not family_safe`.")
_EFFECTS_REF = Ref("Effects applied in order.")
COND_EFFECT = Record("conditional effect", {
    "if": F(COND, required=True),
    "do": F(_EFFECTS_REF, required=True, doc="Applied when `if` holds."),
    "else": F(_EFFECTS_REF, doc="Applied otherwise."),
}, doc="`{if: COND, do: [...], else: [...]}`: effects applied only when COND holds (nested up to 8 deep).")
EFFECTS = ListOf(OneOf("An effect (`NAME = EXPR`, `NAME += EXPR`, `NAME -= EXPR`) or a conditional effect.",
                       scalar=Expr("An effect: `NAME = EXPR`, `NAME += EXPR` or `NAME -= EXPR`.", allow_bool=False),
                       mapping=COND_EFFECT),
                 "Effects applied in order.", single_ok=True)
_EFFECTS_REF.target = EFFECTS
TEXT = OneOf(
    "Markdown text; `{name}` inserts a variable. May be a list of paragraphs, each text or {if, text}.",
    scalar=Str(markdown=True),
    seq=ListOf(OneOf(scalar=Str(markdown=True),
                     mapping=Record("paragraph", {
                         "if": F(COND, required=True),
                         "text": F(Str(markdown=True), required=True, doc="The paragraph, shown when `if` holds."),
                     }))),
)
BRANCH = Record("goto branch", {
    "if": F(COND, doc="Take this branch when the condition holds (every branch but the last)."),
    "to": F(Ident("A scene id."), required=True),
})
GOTO = OneOf("A scene id, or a list of branches whose last has no `if`.",
             scalar=Ident("A scene id."), seq=ListOf(BRANCH, nonempty=True))
CHOICE = Record("choice", {
    "id": F(Ident(), doc="Unique in the scene; default: the 1-based position as text (\"1\", \"2\", ...)."),
    "text": F(Str(markdown=True), required=True, doc="What the player reads; Markdown, `{name}` and inline forms allowed."),
    "reply": F(Str(markdown=True), doc="Shown after the choice, at the top of the next screen."),
    "if": F(COND, doc="When false, the choice is not offered (or shown disabled, with `locked`)."),
    "locked": F(Str(), doc="With `if`: show the choice disabled with this reason instead of hiding it."),
    "once": F(Bool(), doc="Not offered again once taken."),
    "fallback": F(Bool(), doc="Offered only when no other choice of the scene is, and then alone."),
    "do": F(EFFECTS),
    "note": F(Ident(), doc="A note id: shown after the choice (\"What really happened\")."),
    "historical": F(Bool(), doc="Marks what the real person did."),
    "goto": F(GOTO, doc="Where the choice leads; a choice has exactly one of goto, call or return."),
    "call": F(Ident("A scene id."), doc="Enter this scene; a `return` comes back to `then`."),
    "then": F(GOTO, doc="With `call`: where to go when the call returns (resolved then)."),
    "return": F(Bool(), doc="`true`: end the innermost call, going to its `then`."),
    "was": F(ListOf(Str("An old id of this choice."), single_ok=True),
             doc="Old ids of this choice: saves and playthrough files naming them still work."),
})
ENDING = Record("ending", {
    "title": F(Str(), required=True),
    "kind": F(Str(), doc="A word grouping endings (historical, tragic, escape...); default `ending`."),
    "text": F(Str(markdown=True), doc="Closing paragraph."),
    "hint": F(Str(), doc="A spoiler-free nudge shown in the endings gallery while this ending is unfound."),
})
SCENE = Record("scene", {
    "id": F(Ident("Unique in the story."), required=True),
    "title": F(Str(), doc="A heading."),
    "chapter": F(Str(), doc="Shown in the header until another scene sets it."),
    "pov": F(Str(), doc="Whose point of view: free text or a codex id."),
    "text": F(TEXT),
    "do": F(EFFECTS, doc="Effects applied on entering the scene."),
    "unlock": F(ListOf(Ident("A codex id."), single_ok=True), doc="Codex entries revealed on entering."),
    "choices": F(ListOf(CHOICE), doc="What the player may do; a scene has choices, a goto or an ending."),
    "goto": F(GOTO, doc="Continue straight on (one \"Continue\" choice)."),
    "call": F(Ident("A scene id."), doc="Without choices: enter this scene; a `return` comes back to `then`."),
    "then": F(GOTO, doc="With `call`: where to go when the call returns (resolved then)."),
    "return": F(Bool(), doc="`true`, without choices: end the innermost call, going to its `then`."),
    "pause": F(Bool(), doc="`false` (a scene without choices): pass straight through, its text shown before the "
                           "next scene's, no \"Continue\"."),
    "ending": F(ENDING, doc="Makes the scene an ending."),
    "was": F(ListOf(Ident("An old id of this scene."), single_ok=True),
             doc="Old ids of this scene: saves and playthrough files naming them still work."),
})
NOTE = Record("note", {
    "title": F(Str()),
    "text": F(Str(markdown=True), required=True),
    "source": F(Str(), required=True, doc="Where the fact comes from."),
    "cites": F(ListOf(Ident("A source id (story.yaml `sources`)."), single_ok=True),
               doc="The sources this note draws on: ids from story.yaml's `sources` (§11.11)."),
})
CODEX = Record("codex entry", {
    "name": F(Str(), required=True),
    "kind": F(Enum(["person", "place", "organisation", "term"]), required=True),
    "text": F(Str(markdown=True), required=True),
    "source": F(Str(), required=True),
})
CONTENT = Record("content file", {
    "scenes": F(ListOf(SCENE), doc="Scenes, in any order."),
    "notes": F(MapOf(NOTE, "notes"), doc="\"What really happened\" notes by id."),
    "codex": F(MapOf(CODEX, "codex entries"), doc="People, places, organisations and terms by id."),
}, doc="A story content file (any *.yaml in the story folder but story.yaml).", nullable=True)
VARIABLE = Record("variable", {
    "type": F(Enum(["int", "bool", "str", "set"]), required=True),
    "default": F(OneOf("The starting value; must satisfy min/max/values (a set: a list of values, [] for none).",
                       scalar=Scalar(), seq=ListOf(Str())), required=True),
    "min": F(Int(), doc="int only; default -1,000,000,000."),
    "max": F(Int(), doc="int only; default 1,000,000,000."),
    "values": F(ListOf(Str(), nonempty=True), doc="str and set only, required: the values it may take (hold)."),
    "label": F(Str(), doc="Shown to the player."),
    "meter": F(Bool(), doc="Show as a gauge (int with min and max only)."),
    "hidden": F(Bool(), doc="Never shown to the player."),
})
TRIGGER = Record("trigger", {
    "if": F(COND, required=True),
    "goto": F(Ident("A scene id."), required=True),
})
CHECK = Record("story check", {
    "always": F(COND, doc="Must hold in every state `playtest` reaches (give this or `never`)."),
    "never": F(COND, doc="Must hold in no state `playtest` reaches (give this or `always`)."),
    "message": F(Str(), required=True, doc="What is wrong when the check fails."),
})
SOURCE = Record("source", {
    "title": F(Str(), required=True, doc="The work's title, as the bibliography shows it."),
    "author": F(Str(), required=True, doc="Its author(s)."),
    "detail": F(Str(), doc="Optional: edition, archive, or what the story takes from it."),
})
ACHIEVEMENT = Record("achievement", {
    "title": F(Str(), required=True, doc="Shown when earned and in the endings gallery."),
    "text": F(Str(), required=True, doc="What earns it, in a sentence."),
    "when": F(COND, required=True, doc="Earned after the first step where this holds; `ended` is true in an "
                                       "ending scene."),
    "hidden": F(Bool(), doc="Shown as ??? in the gallery until earned."),
})
MANIFEST = Record("story manifest", {
    "format": F(Int("Always 1."), required=True),
    "id": F(Ident("The story's id."), required=True),
    "title": F(Str(), required=True),
    "subtitle": F(Str()),
    "blurb": F(Str(markdown=True), doc="Markdown, shown when choosing a story."),
    "start": F(Ident("The first scene's id."), required=True),
    "variables": F(MapOf(VARIABLE, "variables"), doc="All state, declared."),
    "triggers": F(ListOf(TRIGGER), doc="Checked after every step, in order; the first that holds wins."),
    "checks": F(ListOf(CHECK), doc="Story checks (§11.9): `playtest` reports every state where one fails."),
    "achievements": F(MapOf(ACHIEVEMENT, "achievements"), doc="Achievements by id (§11.10), kept in the "
                                                              "player's profile across games."),
    "sources": F(MapOf(SOURCE, "sources"), doc="The works the notes cite, by id (§11.11): the bibliography."),
    "note_heading": F(Str(), doc="The heading of every note; default \"What really happened\"."),
}, doc="story.yaml: the story's manifest.")


def json_schema() -> dict:
    """One JSON Schema that accepts a manifest or a content file."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://open-diplomacy.invalid/story-format-v1.schema.json",
        "title": "Open Diplomacy story format v1",
        "description": "story.yaml (manifest) or any other *.yaml of a story folder (content).",
        "anyOf": [MANIFEST.json(), CONTENT.json()],
    }
