"""Text: `{name}` inserts a variable, `{{` and `}}` are braces, and the inline
forms of format 1.1 (§11.2): `{if C: A | B}`, `{seq: ...}`, `{cycle: ...}`,
`{once: ...}`, `{shuffle: ...}`, nested up to 8 deep, `\\|` a literal bar.

Parsed at load into literal parts, variable slots and `Form` nodes (their
conditions compiled to closures); never `str.format`, and nothing is parsed
during play.
"""

from __future__ import annotations

import re
import zlib

from game.engine.model import Form

from .expressions import ExprError, compile_condition
from .problems import did_you_mean
from .schema import ID_RE

_BRACE = re.compile(r"[{}]")
_WORD = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)")
FORMS = ("if", "seq", "cycle", "once", "shuffle")
MAX_DEPTH = 8
_ESCAPES = {"|": "|", "{": "{", "}": "}", "\\": "\\"}


class TextError(ExprError):
    """A problem in a text; `exact`: `offset` points at it (a 1.1 form), rather
    than the problem being reported at the start of the text (1.0 usage)."""

    def __init__(self, message: str, offset: int = 0, exact: bool = True):
        super().__init__(message, offset)
        self.exact = exact


def parse_interpolation(text: str, variables) -> tuple:
    """Parts of a 1.0 text (no forms): str literals and (name,) slots."""
    return TextParser(text, variables, None, "").parse()


class TextParser:
    """One text (one paragraph) into parts. `scope` compiles `{if}`
    conditions (None: forms are refused); `owner` salts `{shuffle}`."""

    def __init__(self, text: str, variables, scope, owner: str, first_form: int = 0):
        self.text = text
        self.variables = variables
        self.scope = scope
        self.owner = owner
        self.forms = first_form  # forms numbered in order through the whole text
        self.reads: set[str] = set()

    def parse(self) -> tuple:
        text = self.text
        if "{" not in text and "}" not in text:
            return (text,)
        parts: list = []
        buf: list[str] = []
        i, n = 0, len(text)
        while i < n:
            m = _BRACE.search(text, i)
            if m is None:
                buf.append(text[i:])
                break
            j = m.start()
            buf.append(text[i:j])
            ch = text[j]
            if text.startswith(ch * 2, j):
                buf.append(ch)
                i = j + 2
                continue
            if ch == "}":
                raise TextError("a lone '}' in text: write '}}' for a literal brace", j, exact=False)
            part, i = self.brace(j, 1)
            if part.__class__ is str:
                buf.append(part)
                continue
            if buf:
                parts.append("".join(buf))
                buf = []
            parts.append(part)
        if buf and "".join(buf):
            parts.append("".join(buf))
        return tuple(parts)

    # ------------------------------------------------------------ one brace
    def brace(self, j: int, depth: int):
        """The part the brace at `j` stands for, and the index after it."""
        text = self.text
        m = _WORD.match(text, j + 1)
        word = m.group(1) if m else None
        after = m.end() if m else j + 1
        rest = text[after:after + 1]
        k = after
        while k < len(text) and text[k] == " ":
            k += 1
        nxt = text[k:k + 1]
        if word == "if" and rest in (" ", "(", "\t"):
            return self.form(j, "if", after, depth)
        if word is not None and nxt == ":":
            if word in FORMS[1:]:
                return self.form(j, word, k + 1, depth)
            hint = did_you_mean(word, FORMS)
            if hint:
                raise TextError(f"unknown form '{{{word}: ...}}' in text{hint}", j + 1 + (m.start(1) - m.start()))
            if depth == 1:
                close = text.find("}", j + 1)
                inner = text[j + 1:close if close >= 0 else len(text)]
                raise TextError(f"only a bare variable name or a form ({{if C: A | B}}, {{seq: A | B}}, "
                                f"{{cycle: ...}}, {{once: ...}}, {{shuffle: ...}}) may stand inside braces, "
                                f"not '{{{inner[:40]}}}' (write '{{{{' for a literal brace)", j, exact=False)
            raise TextError(f"unknown form '{{{word}: ...}}' in text (the forms: {', '.join(FORMS)})", j + 1)
        if word is not None and nxt == "}":
            name = word
            if not ID_RE.match(name):
                return self._bare_error(j, depth)
            if name not in self.variables:
                raise TextError(f"undeclared variable '{name}' in text{did_you_mean(name, self.variables)}",
                                j + 1 + (m.start(1) - m.start()), exact=depth > 1)
            self.reads.add(name)
            return (name,), k + 1
        if word is not None and nxt and nxt not in "}:":
            hint = did_you_mean(word.lower(), FORMS)
            close = text.find("}", k)
            if hint and ":" in text[k:close if close >= 0 else len(text)]:
                raise TextError(f"unknown form '{{{word} ...}}' in text{hint}", j + 1 + (m.start(1) - m.start()))
        return self._bare_error(j, depth)

    def _bare_error(self, j: int, depth: int):
        text = self.text
        close = text.find("}", j + 1)
        if close < 0:
            raise TextError("'{' is never closed: write '{{' for a literal brace", j, exact=depth > 1)
        inner = text[j + 1:close]
        raise TextError(f"only a bare variable name or a form ({{if C: A | B}}, {{seq: A | B}}, ...) may stand "
                        f"inside braces, not '{{{inner[:40]}}}' (write '{{{{' for a literal brace)", j,
                        exact=depth > 1)

    def form(self, j: int, kind: str, i: int, depth: int):
        """A form whose body (after `if` or `kind:`) starts at `i`."""
        if depth > MAX_DEPTH:
            raise TextError(f"forms nested more than {MAX_DEPTH} deep", j)
        if self.scope is None:
            raise TextError("inline forms are not allowed in this text", j)
        text = self.text
        n = len(text)
        cond = None
        if kind == "if":
            c0 = i
            quote = None
            while i < n:
                ch = text[i]
                if quote:
                    if ch == quote:
                        quote = None
                elif ch in "'\"":
                    quote = ch
                elif ch in ":}|{":
                    break
                i += 1
            if i >= n or text[i] != ":":
                raise TextError("`{if COND: A}` needs a ':' after its condition", j)
            src = text[c0:i]
            lead = len(src) - len(src.lstrip())
            if not src.strip():
                raise TextError("`{if COND: A}` needs a condition", c0)
            try:
                c = compile_condition(src.strip(), self.scope)
            except ExprError as exc:
                raise TextError(exc.message, c0 + lead + exc.offset) from None
            cond = c.fn if not c.is_const else ((lambda p: True) if c.const else (lambda p: False))
            i += 1
        number = self.forms
        self.forms += 1
        alts: list[tuple] = []
        parts: list = []
        buf: list[str] = []
        # spaces just inside the brace belong to the form
        while i < n and text[i] == " ":
            i += 1
        while True:
            if i >= n:
                raise TextError("'{' is never closed: write '}' at the end of the form, or '{{' for a literal brace", j)
            ch = text[i]
            if ch == "\\" and i + 1 < n and text[i + 1] in _ESCAPES:
                buf.append(_ESCAPES[text[i + 1]])
                i += 2
                continue
            if ch == "{":
                part, i = self.brace(i, depth + 1)
                if part.__class__ is str:
                    buf.append(part)
                    continue
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(part)
                continue
            if ch == "|" or ch == "}":
                s = "".join(buf).rstrip(" ")
                if s:
                    parts.append(s)
                elif parts and parts[-1].__class__ is str:
                    parts[-1] = parts[-1].rstrip(" ")
                    if not parts[-1]:
                        parts.pop()
                alts.append(tuple(parts))
                parts, buf = [], []
                i += 1
                if ch == "}":
                    break
                while i < n and text[i] == " ":
                    i += 1
                continue
            buf.append(ch)
            i += 1
        if kind == "if" and len(alts) > 2:
            raise TextError("`{if COND: A | B}` has at most two alternatives (write '\\|' for a literal '|')", j)
        salt = zlib.crc32(f"{self.owner}#{number}".encode("utf-8")) if kind == "shuffle" else 0
        return Form(kind, tuple(alts), cond, salt), i


def locate(source: str | None, node, value: str, offset: int):
    """(line, column), 1-based, of `value[offset]` in the YAML source of the
    scalar `node`, or None when it cannot be found."""
    if source is None or node is None:
        return None
    mark = getattr(node, "start_mark", None)
    start = getattr(mark, "index", None)
    if start is None or not 0 <= start < len(source):
        return None
    style = getattr(node, "style", None)
    i = start
    if style in ("|", ">"):
        nl = source.find("\n", i)
        if nl < 0:
            return None
        i = nl + 1
    elif style in ("'", '"'):
        i += 1
    window = 12
    for k in range(min(offset, len(value))):
        c = value[k]
        d = source.find(c, i, i + window)
        if d >= 0:
            i = d + 1
    if offset < len(value):
        d = source.find(value[offset], i, i + window)
        if d >= 0:
            i = d
    line = source.count("\n", 0, i) + 1
    column = i - (source.rfind("\n", 0, i) + 1) + 1
    return line, column
