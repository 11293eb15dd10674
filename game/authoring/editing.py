"""What an editor asks of the index: completion, hover text, rename edits.

Positions here are 0-based (line, column in characters); the language server
converts them to and from LSP's UTF-16 columns.
"""

from __future__ import annotations

from game.engine.model import show_value

import re
from dataclasses import dataclass

from yaml.nodes import ScalarNode, SequenceNode

from game.story import schema as S
from game.story.schema import ID_RE

from .index import Definition, Index, Reference, _knode, _node

_ID_TAIL = re.compile(r"[a-z0-9_]*\Z")


@dataclass
class Edit:
    path: str
    line: int
    start: int
    end_line: int
    end: int
    text: str


# ---------------------------------------------------------------- completion

_SCENE_KEYS = re.compile(r"^\s*(?:-\s+)?(?:goto|to|start|call|then)\s*:\s*[\"']?[a-z0-9_]*\Z")
_NOTE_KEY = re.compile(r"^\s*(?:-\s+)?note\s*:\s*[\"']?[a-z0-9_]*\Z")
_UNLOCK_KEY = re.compile(r"^\s*(?:-\s+)?unlock\s*:\s*(?:\[[^\]]*)?[a-z0-9_]*\Z")
_CITES_KEY = re.compile(r"^\s*(?:-\s+)?cites\s*:\s*(?:\[[^\]]*)?[a-z0-9_]*\Z")
_EXPR_KEYS = re.compile(r"^\s*(?:-\s+)?(?:if|do|when|always|never)\s*:|^\s*-\s+[a-z_]")
_VISITED = re.compile(r"visited\s*\(\s*[a-z0-9_]*\Z")
_CHOSE_SCENE = re.compile(r"chose\s*\(\s*[a-z0-9_]*\Z")
_CHOSE_CHOICE = re.compile(r"chose\s*\(\s*([a-z][a-z0-9_]*)\s*\.\s*[A-Za-z0-9_]*\Z")
_OPEN_BRACE = re.compile(r"(?<!\{)\{\s*(?:if\s+[^:{}]*)?[a-z0-9_]*\Z")


def completion_context(prefix: str) -> tuple[str, str | None] | None:
    """What is expected at the end of `prefix` (the line up to the cursor):
    (kind, scene for choices) or None."""
    if _CHOSE_CHOICE.search(prefix):
        return "choice", _CHOSE_CHOICE.search(prefix).group(1)
    if _CHOSE_SCENE.search(prefix):
        return "chose", None
    if _VISITED.search(prefix):
        return "scene", None
    if _SCENE_KEYS.match(prefix):
        return "scene", None
    if _NOTE_KEY.match(prefix):
        return "note", None
    if _UNLOCK_KEY.match(prefix):
        return "codex", None
    if _CITES_KEY.match(prefix):
        return "source", None
    if _OPEN_BRACE.search(prefix):
        return "variable", None
    if _EXPR_KEYS.match(prefix):
        return "variable", None
    return None


def completions(index: Index, prefix: str) -> list[tuple[str, str, str]]:
    """(label, kind, detail) of the ids expected at the end of `prefix`."""
    ctx = completion_context(prefix)
    if ctx is None:
        return []
    kind, scene = ctx
    out = []
    if kind == "choice":
        for (k, key), ds in sorted(index.defs.items()):
            if k == "choice" and ds[0].scene == scene:
                out.append((key.split(".", 1)[1], "choice", _first_line(ds[0].rec, "text")))
        return out
    if kind == "chose":
        for (k, key), ds in sorted(index.defs.items()):
            if k == "choice":
                out.append((key, "choice", _first_line(ds[0].rec, "text")))
        return out
    for (k, key), ds in sorted(index.defs.items()):
        if k == kind:
            out.append((key, kind, detail(ds[0])))
    if kind == "variable" and not prefix.rstrip().endswith("{"):
        out.extend((f, "function", "") for f in ("visited", "chose", "chance", "min", "max", "abs", "random", "len")
                   if "(" not in prefix[-1:])
    return out


def _first_line(rec, key: str) -> str:
    v = rec.get(key) if isinstance(rec, dict) else None
    if isinstance(v, list):
        v = next((x if isinstance(x, str) else x.get("text", "") for x in v), "")
    if not isinstance(v, str):
        return ""
    for line in v.splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""


def detail(d: Definition) -> str:
    rec = d.rec if isinstance(d.rec, dict) else {}
    if d.kind == "scene":
        return str(rec.get("title") or _first_line(rec, "text"))
    if d.kind == "variable":
        return f"{rec.get('type', '?')}" + (f" — {rec['label']}" if rec.get("label") else "")
    if d.kind == "note":
        return str(rec.get("title") or _first_line(rec, "text"))
    if d.kind == "codex":
        return f"{rec.get('name', '')} ({rec.get('kind', '')})"
    if d.kind == "source":
        return str(rec.get("title", ""))
    return _first_line(rec, "text")


# ---------------------------------------------------------------- hover

def hover_text(index: Index, kind: str, key: str) -> str | None:
    d = index.definition(kind, key)
    if d is None:
        return None
    rec = d.rec if isinstance(d.rec, dict) else {}
    if kind == "scene":
        lines = [f"**scene `{key}`**" + (f" — {rec['title']}" if rec.get("title") else "")]
        chapter = rec.get("chapter") or _chapter_before(index, d)
        if chapter:
            lines.append(f"Chapter: {chapter}" + ("" if rec.get("chapter") else " (set by an earlier scene)"))
        if isinstance(rec.get("ending"), dict):
            e = rec["ending"]
            lines.append(f"Ending: {e.get('title', '')} ({e.get('kind', 'ending')})")
        text = _text_lines(rec.get("text"), 3)
        if text:
            lines.append("")
            lines.extend(f"> {t}" for t in text)
        return "\n".join(lines)
    if kind == "variable":
        t = rec.get("type", "?")
        parts = [f"**variable `{key}`**: {t}"]
        if t == "int":
            lo, hi = rec.get("min"), rec.get("max")
            parts.append(f"range [{lo if lo is not None else '-1,000,000,000'}, "
                         f"{hi if hi is not None else '1,000,000,000'}]")
        if rec.get("values"):
            parts.append("values: " + ", ".join(str(v) for v in rec["values"]))
        if "default" in rec:
            parts.append(f"default: {_show(rec['default'])}")
        if rec.get("label"):
            parts.append(f"label: “{rec['label']}”")
        flags = [f for f in ("meter", "hidden") if rec.get(f)]
        if flags:
            parts.append(", ".join(flags))
        return "\n\n".join(parts)
    if kind == "choice":
        return f"**choice `{key}`**\n\n> {_first_line(rec, 'text')}"
    if kind == "note":
        return "\n".join(x for x in (f"**note `{key}`**" + (f" — {rec['title']}" if rec.get("title") else ""),
                                     "", *(f"> {t}" for t in _text_lines(rec.get("text"), 3)),
                                     "", f"Source: {rec.get('source', '')}") if x is not None)
    if kind == "codex":
        return "\n".join([f"**codex `{key}`** — {rec.get('name', '')} ({rec.get('kind', '')})", "",
                          *(f"> {t}" for t in _text_lines(rec.get("text"), 3))])
    if kind == "source":
        return f"**source `{key}`** — {rec.get('title', '')}" + (f", {rec['author']}" if rec.get("author") else "")
    return None


_show = show_value


def _text_lines(value, n: int) -> list[str]:
    if isinstance(value, list):
        value = "\n".join(x if isinstance(x, str) else str(x.get("text", "")) for x in value)
    if not isinstance(value, str):
        return []
    return [line.strip() for line in value.splitlines() if line.strip()][:n]


def _chapter_before(index: Index, d: Definition) -> str | None:
    """The chapter a scene shows when it sets none: the last one set before it in its file."""
    best = None
    for (k, _), ds in index.defs.items():
        if k != "scene":
            continue
        for o in ds:
            if o.loc.path == d.loc.path and o.loc.line < d.loc.line and isinstance(o.rec, dict) and o.rec.get("chapter"):
                if best is None or o.loc.line > best.loc.line:
                    best = o
    return best.rec.get("chapter") if best else None


# ---------------------------------------------------------------- rename

class RenameError(Exception):
    pass


def symbol_at(index: Index, path: str, line: int, col: int) -> Definition | Reference | None:
    return index.at(path, line, col)


def rename_edits(index: Index, kind: str, key: str, new: str, add_was: bool | None = None) -> list[Edit]:
    """Edits renaming one id everywhere it is named. For scenes and choices
    the old id is added to `was:` (format §11.8) when the format has it."""
    if not ID_RE.match(new):
        raise RenameError(f"'{new}' is not a valid id: lowercase ASCII letters, digits and _, starting with a letter")
    old = key.split(".", 1)[1] if kind == "choice" else key
    new_key = f"{key.split('.', 1)[0]}.{new}" if kind == "choice" else new
    if new == old:
        return []
    if (kind, new_key) in index.defs:
        raise RenameError(f"a {kind} '{new}' already exists")
    defs = index.defs.get((kind, key), [])
    if not defs:
        raise RenameError(f"no {kind} '{old}' is defined in this story")
    edits = [Edit(loc.path, loc.line, loc.start, loc.line, loc.end, new) for loc in index.locations(kind, key)]
    if add_was is None:
        add_was = "was" in (S.SCENE.fields if kind == "scene" else S.CHOICE.fields)
    if add_was and kind in ("scene", "choice"):
        for d in defs:
            e = _was_edit(index, d, old)
            if e is not None:
                edits.append(e)
    return edits


def _was_edit(index: Index, d: Definition, old: str) -> Edit | None:
    rec = d.rec
    if not isinstance(rec, dict):
        return None
    path = d.loc.path
    lines = index.texts.get(path, "").split("\n")
    was = _node(rec, "was")
    if isinstance(was, SequenceNode):
        if was.flow_style:
            m = was.end_mark  # just after ']'
            text = f", {old}" if was.value else old
            return Edit(path, m.line, m.column - 1, m.line, m.column - 1, text)
        if was.value:
            last = was.value[-1]
            m = last.end_mark
            indent = max(last.start_mark.column - 2, 0)
            end = len(lines[last.start_mark.line]) if last.start_mark.line < len(lines) else 0
            line = last.start_mark.line
            return Edit(path, line, end, line, end, "\n" + " " * indent + f"- {old}")
        return None
    if isinstance(was, ScalarNode):
        a, b = was.start_mark, was.end_mark
        return Edit(path, a.line, a.column, b.line, b.column, f"[{was.value}, {old}]")
    knode = _knode(rec, "id")
    vnode = _node(rec, "id")
    if knode is None or vnode is None:
        return None
    if getattr(rec.node, "flow_style", False):
        m = vnode.end_mark
        return Edit(path, m.line, m.column, m.line, m.column, f", was: [{old}]")
    line = vnode.end_mark.line
    end = len(lines[line]) if line < len(lines) else 0
    return Edit(path, line, end, line, end, "\n" + " " * knode.start_mark.column + f"was: [{old}]")


def prepare_rename(index: Index, path: str, line: int, col: int):
    """(kind, key, Loc) of the id under the cursor, or None."""
    o = index.at(path, line, col)
    if o is None:
        return None
    return o.kind, o.key, o.loc
