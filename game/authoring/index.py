"""Every definition and reference of a story's ids, with its exact range.

Read from the validated, positioned records the compiler builds (`Rec`,
`Seq`, with the YAML node of every key and value), so a range is where the
id stands in the file. Ids named inside expressions (`visited(x)`,
`chose(s.c)`, variable names) and in text (`{name}`, `{if COND: ...}`) are
found by scanning the value's own source text.

Kinds: scene, choice (key "scene.choice"), note, codex, variable, source.
Ranges are 0-based (line, start column, end column), on one line, in
characters (for the text of these stories, the same as LSP's UTF-16 units
except for characters outside the Basic Multilingual Plane).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from game.story import schema as S

KINDS = ("scene", "choice", "note", "codex", "variable", "source")
KEYWORDS = {"and", "or", "not", "in", "true", "false", "ended"}
FUNCTIONS = {"visited", "chose", "chance", "min", "max", "abs", "random", "len"}

_EXPR_TOKEN = re.compile(
    r"""(?P<str>'[^']*'|"[^"]*")"""
    r"""|\bvisited\s*\(\s*(?P<vs>[a-z][a-z0-9_]*)"""
    r"""|\bchose\s*\(\s*(?P<cs>[a-z][a-z0-9_]*)\s*\.\s*(?P<cc>[A-Za-z0-9_]+)"""
    r"""|(?<![\w.])(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?![\w(])(?!\s*\()"""
)
# In text: {{ and }} are literal; {name}; {if COND: ...} (format 1.1).
_TEXT_TOKEN = re.compile(r"\{\{|\}\}|\{\s*(?P<name>[a-z][a-z0-9_]*)\s*\}|\{\s*if\s+(?P<cond>[^:{}|]*):")


@dataclass(frozen=True)
class Loc:
    path: str  # absolute
    line: int  # 0-based
    start: int  # 0-based column
    end: int  # exclusive

    def contains(self, line: int, col: int) -> bool:
        return self.line == line and self.start <= col <= self.end


@dataclass
class Definition:
    kind: str
    key: str  # the id; "scene.choice" for a choice
    loc: Loc
    rec: object = None  # its validated record (Rec), or None
    scene: str | None = None  # for a choice
    file_order: int = 0


@dataclass
class Reference:
    kind: str
    key: str
    loc: Loc
    context: str  # "goto", "to", "then", "call", "start", "trigger", "note", "unlock", "cites", "expr", "text"


@dataclass
class Index:
    defs: dict[tuple[str, str], list[Definition]] = field(default_factory=dict)
    refs: list[Reference] = field(default_factory=list)
    records: dict[str, object] = field(default_factory=dict)  # path -> record of the file (or None)
    texts: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------ queries
    def ids(self, kind: str) -> list[str]:
        return sorted({k for (kd, k) in self.defs if kd == kind})

    def definition(self, kind: str, key: str) -> Definition | None:
        found = self.defs.get((kind, key))
        return found[0] if found else None

    def occurrences(self, path: str):
        """(Definition or Reference) of one file, in no particular order."""
        for ds in self.defs.values():
            for d in ds:
                if d.loc.path == path:
                    yield d
        for r in self.refs:
            if r.loc.path == path:
                yield r

    def at(self, path: str, line: int, col: int):
        """The definition or reference under a position, or None."""
        best = None
        for o in self.occurrences(path):
            if o.loc.contains(line, col):
                if best is None or (o.loc.end - o.loc.start) < (best.loc.end - best.loc.start):
                    best = o
        return best

    def references(self, kind: str, key: str) -> list[Reference]:
        return [r for r in self.refs if r.kind == kind and r.key == key]

    def locations(self, kind: str, key: str, include_definition: bool = True) -> list[Loc]:
        out = [d.loc for d in self.defs.get((kind, key), ())] if include_definition else []
        out.extend(r.loc for r in self.references(kind, key))
        return out


# ---------------------------------------------------------------- building

def _node(rec, key) -> Node | None:
    if rec is None or not isinstance(rec, dict):
        return None
    marks = getattr(rec, "vpos", None)
    return dict.get(marks, key) if marks is not None else None


def _knode(rec, key) -> Node | None:
    marks = getattr(rec, "kpos", None)
    return dict.get(marks, key) if marks is not None else None


def _item_node(seq, i) -> Node | None:
    ipos = getattr(seq, "ipos", None)
    if ipos is None or i >= len(ipos):
        return None
    return list.__getitem__(ipos, i)


class _Builder:
    def __init__(self, texts: dict[str, str]):
        self.index = Index(texts=texts)
        self.texts = texts
        self._starts: dict[str, list[int]] = {}
        self.order = 0

    # positions ---------------------------------------------------
    def line_starts(self, path: str) -> list[int]:
        s = self._starts.get(path)
        if s is None:
            text = self.texts.get(path, "")
            s = [0] + [m.end() for m in re.finditer("\n", text)]
            self._starts[path] = s
        return s

    def offset(self, path: str, line: int, col: int) -> int:
        starts = self.line_starts(path)
        return (starts[line] if line < len(starts) else len(self.texts.get(path, ""))) + col

    def loc_at(self, path: str, off: int, length: int) -> Loc:
        starts = self.line_starts(path)
        line = bisect.bisect_right(starts, off) - 1
        col = off - starts[line]
        return Loc(path, line, col, col + length)

    def id_loc(self, path: str, node: Node | None, value: str) -> Loc | None:
        """The range of an id written as a scalar (plain or quoted)."""
        if node is None or not isinstance(node, ScalarNode):
            return None
        m = node.start_mark
        col = m.column + (1 if node.style in ("'", '"') else 0)
        return Loc(path, m.line, col, col + len(str(value)))

    def source(self, path: str, node: Node) -> tuple[str, int]:
        """The raw source of a scalar node, and the offset it starts at (quotes stripped)."""
        text = self.texts.get(path, "")
        a = self.offset(path, node.start_mark.line, node.start_mark.column)
        b = self.offset(path, node.end_mark.line, node.end_mark.column)
        raw = text[a:b]
        if node.style in ("'", '"') and len(raw) >= 2:
            return raw[1:-1], a + 1
        return raw, a

    # records -----------------------------------------------------
    def define(self, kind, key, loc, rec=None, scene=None):
        if loc is None:
            return
        self.order += 1
        self.index.defs.setdefault((kind, key), []).append(Definition(kind, key, loc, rec, scene, self.order))

    def ref(self, kind, key, loc, context):
        if loc is not None:
            self.index.refs.append(Reference(kind, key, loc, context))

    def ref_id(self, path, rec, key, kind, context):
        v = rec.get(key) if isinstance(rec, dict) else None
        if isinstance(v, str):
            self.ref(kind, v, self.id_loc(path, _node(rec, key), v), context)

    def ref_list(self, path, rec, key, kind, context):
        seq = rec.get(key) if isinstance(rec, dict) else None
        if not isinstance(seq, list):
            return
        for i, v in enumerate(seq):
            if isinstance(v, str):
                self.ref(kind, v, self.id_loc(path, _item_node(seq, i), v), context)

    def expr(self, path, node):
        if not isinstance(node, ScalarNode):
            return
        raw, base = self.source(path, node)
        for m in _EXPR_TOKEN.finditer(raw):
            if m.group("vs"):
                self.ref("scene", m.group("vs"), self.loc_at(path, base + m.start("vs"), len(m.group("vs"))), "expr")
            elif m.group("cs"):
                s, c = m.group("cs"), m.group("cc")
                self.ref("scene", s, self.loc_at(path, base + m.start("cs"), len(s)), "expr")
                self.ref("choice", f"{s}.{c}", self.loc_at(path, base + m.start("cc"), len(c)), "expr")
            elif m.group("name"):
                n = m.group("name")
                if n not in KEYWORDS and n not in FUNCTIONS:
                    self.ref("variable", n, self.loc_at(path, base + m.start("name"), len(n)), "expr")

    def expr_value(self, path, rec, key):
        if isinstance(rec, dict) and key in rec:
            self.expr(path, _node(rec, key))

    def text(self, path, node):
        if isinstance(node, ScalarNode):
            raw, base = self.source(path, node)
            if "{" not in raw:
                return
            for m in _TEXT_TOKEN.finditer(raw):
                if m.group("name"):
                    n = m.group("name")
                    self.ref("variable", n, self.loc_at(path, base + m.start("name"), len(n)), "text")
                elif m.group("cond") is not None:
                    sub = m.group("cond")
                    off = base + m.start("cond")
                    for t in _EXPR_TOKEN.finditer(sub):
                        if t.group("name") and t.group("name") not in KEYWORDS | FUNCTIONS:
                            n = t.group("name")
                            self.ref("variable", n, self.loc_at(path, off + t.start("name"), len(n)), "text")
                        elif t.group("vs"):
                            self.ref("scene", t.group("vs"), self.loc_at(path, off + t.start("vs"), len(t.group("vs"))), "text")
        elif isinstance(node, SequenceNode):
            for item in node.value:
                if isinstance(item, ScalarNode):
                    self.text(path, item)
                elif isinstance(item, MappingNode):
                    for k, v in item.value:
                        if isinstance(k, ScalarNode) and k.value == "if":
                            self.expr(path, v)
                        elif isinstance(k, ScalarNode) and k.value == "text":
                            self.text(path, v)

    def text_value(self, path, rec, key):
        if isinstance(rec, dict) and key in getattr(rec, "vpos", {}):
            self.text(path, _node(rec, key))

    def effects(self, path, rec, key="do"):
        seq = rec.get(key) if isinstance(rec, dict) else None
        if not isinstance(seq, list):
            return
        for i, item in enumerate(seq):
            if isinstance(item, str):
                self.expr(path, _item_node(seq, i))
            elif isinstance(item, dict):  # {if, do, else} (format 1.1)
                self.expr_value(path, item, "if")
                self.effects(path, item, "do")
                self.effects(path, item, "else")

    def goto(self, path, rec, key, context="goto"):
        v = rec.get(key) if isinstance(rec, dict) else None
        if isinstance(v, str):
            self.ref("scene", v, self.id_loc(path, _node(rec, key), v), context)
        elif isinstance(v, list):
            for br in v:
                if isinstance(br, dict):
                    self.expr_value(path, br, "if")
                    self.ref_id(path, br, "to", "scene", "to")

    # files -------------------------------------------------------
    def manifest(self, path, m):
        self.ref_id(path, m, "start", "scene", "start")
        variables = m.get("variables")
        if isinstance(variables, dict):
            for name in dict.keys(variables.kpos):
                self.define("variable", name, self.id_loc(path, _knode(variables, name), name), variables.get(name))
        for tr in m.get("triggers", ()) or ():
            if isinstance(tr, dict):
                self.expr_value(path, tr, "if")
                self.ref_id(path, tr, "goto", "scene", "trigger")
        sources = m.get("sources")
        if isinstance(sources, dict):
            for sid in dict.keys(sources.kpos):
                self.define("source", sid, self.id_loc(path, _knode(sources, sid), sid), sources.get(sid))
        for ck in m.get("checks", ()) or ():
            if isinstance(ck, dict):
                self.expr_value(path, ck, "always")
                self.expr_value(path, ck, "never")
        ach = m.get("achievements")
        if isinstance(ach, dict):
            for a in ach.values():
                if isinstance(a, dict):
                    self.expr_value(path, a, "when")
                    self.text_value(path, a, "text")

    def content(self, path, rec):
        for sc in rec.get("scenes", ()) or ():
            if isinstance(sc, dict):
                self.scene(path, sc)
        for table, kind in ((rec.get("notes"), "note"), (rec.get("codex"), "codex")):
            if not isinstance(table, dict):
                continue
            for key in dict.keys(table.kpos):
                value = table.get(key)
                self.define(kind, key, self.id_loc(path, _knode(table, key), key), value)
                if isinstance(value, dict):
                    self.text_value(path, value, "text")
                    self.ref_list(path, value, "cites", "source", "cites")

    def scene(self, path, sc):
        sid = sc.get("id")
        if isinstance(sid, str):
            self.define("scene", sid, self.id_loc(path, _node(sc, "id"), sid), sc)
        self.text_value(path, sc, "text")
        self.effects(path, sc)
        self.ref_list(path, sc, "unlock", "codex", "unlock")
        self.goto(path, sc, "goto")
        self.ref_id(path, sc, "call", "scene", "call")
        self.goto(path, sc, "then", "then")
        ending = sc.get("ending")
        if isinstance(ending, dict):
            self.text_value(path, ending, "text")
        for i, ch in enumerate(sc.get("choices", ()) or ()):
            if not isinstance(ch, dict):
                continue
            cid = ch.get("id")
            if isinstance(sid, str) and isinstance(cid, str):
                self.define("choice", f"{sid}.{cid}", self.id_loc(path, _node(ch, "id"), cid), ch, scene=sid)
            self.text_value(path, ch, "text")
            self.text_value(path, ch, "locked")
            self.text_value(path, ch, "reply")
            self.expr_value(path, ch, "if")
            self.effects(path, ch)
            self.ref_id(path, ch, "note", "note", "note")
            self.goto(path, ch, "goto")
            self.ref_id(path, ch, "call", "scene", "call")
            self.goto(path, ch, "then", "then")


def build_index(parsed: list[tuple[str, object]], texts: dict[str, str], previous: Index | None = None) -> Index:
    """The index of files given as (absolute path, validated record or None).
    A file that could not be read (None) keeps what `previous` knew of it, so
    that navigation keeps working while a file is broken."""
    b = _Builder(texts)
    for path, rec in parsed:
        b.index.records[path] = rec
        if rec is None:
            if previous is not None:
                _carry(b.index, previous, path)
            continue
        try:
            if path.endswith(("/story.yaml", "\\story.yaml")) or path == "story.yaml":
                b.manifest(path, rec)
            else:
                b.content(path, rec)
        except (AttributeError, TypeError, KeyError, IndexError, ValueError):  # pragma: no cover - defensive
            continue
    return b.index


def _carry(index: Index, previous: Index, path: str) -> None:
    for key, ds in previous.defs.items():
        for d in ds:
            if d.loc.path == path:
                index.defs.setdefault(key, []).append(d)
    index.refs.extend(r for r in previous.refs if r.loc.path == path)


def is_manifest(path: str) -> bool:
    return path.replace("\\", "/").rsplit("/", 1)[-1] == "story.yaml"


SCHEMA_HAS_WAS = "was" in S.SCENE.fields
