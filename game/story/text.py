"""Text interpolation: `{name}` inserts a variable, `{{` and `}}` are braces.

Parsed at load into literal parts and variable slots; never `str.format`.
"""

from __future__ import annotations

import re

from .expressions import ExprError
from .problems import did_you_mean
from .schema import ID_RE

_BRACE = re.compile(r"[{}]")


def parse_interpolation(text: str, variables) -> tuple:
    """Parts of `text`: str literals and (name,) slots. Raises ExprError."""
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
            raise ExprError("a lone '}' in text: write '}}' for a literal brace", j)
        close = text.find("}", j + 1)
        if close < 0:
            raise ExprError("'{' is never closed: write '{{' for a literal brace", j)
        inner = text[j + 1:close]
        if not ID_RE.match(inner):
            raise ExprError(f"only a bare variable name may stand inside braces, not '{{{inner[:40]}}}' "
                            "(write '{{' for a literal brace)", j)
        if inner not in variables:
            raise ExprError(f"undeclared variable '{inner}' in text{did_you_mean(inner, variables)}", j)
        if buf:
            parts.append("".join(buf))
            buf = []
        parts.append((inner,))
        i = close + 1
    if buf and "".join(buf):
        parts.append("".join(buf))
    return tuple(parts)
