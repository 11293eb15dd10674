"""Scene Markdown to a rich `Text`, for one Static widget.

Textual's Markdown widget builds a widget per block and imports markdown-it:
~45 ms at startup and hundreds of ms per long scene. Stories use a small part
of Markdown, rendered here directly: paragraphs (lines joined), headings,
lists, block quotes, horizontal rules, **strong**, *emphasis* / _emphasis_,
`code` and [links](url) (shown as their text). Backslash escapes a marker.
Everything else is shown as written: text is appended, never parsed as markup.
"""

from __future__ import annotations

import re

from .safe import Text

_INLINE = re.compile(r"\\([\\`*_\[\]()#>-])|(\*\*|__)(.+?)\2|(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\4(?![\w*])"
                     r"|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)")
_LIST = re.compile(r"^\s*([-*+]|\d{1,3}[.)])\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")


def inline(text: str, style: str = "") -> Text:
    out = Text(style=style)
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(text[pos:m.start()])
        esc, _, strong, em_mark, em, code, link_text, _url = m.groups()
        if esc is not None:
            out.append(esc)
        elif strong is not None:
            out.append_text(inline(strong, "bold"))
        elif em_mark is not None:
            out.append_text(inline(em, "italic"))
        elif code is not None:
            out.append(code, style="bold")
        else:
            out.append_text(inline(link_text, "underline"))
        pos = m.end()
    out.append(text[pos:])
    return out


def render(markdown: str) -> Text:
    out = Text()
    blocks = re.split(r"\n\s*\n", markdown.strip("\n"))
    first = True
    for block in blocks:
        lines = [l.rstrip() for l in block.splitlines() if l.strip()]
        if not lines:
            continue
        if not first:
            out.append("\n\n")
        first = False
        h = _HEADING.match(lines[0])
        if h and len(lines) == 1:
            out.append_text(inline(h.group(2), "bold"))
            continue
        if len(lines) == 1 and _RULE.match(lines[0]):
            out.append("─" * 20, style="dim")
            continue
        if all(l.lstrip().startswith(">") for l in lines):
            body = " ".join(l.lstrip()[1:].strip() for l in lines)
            out.append("  ")
            out.append_text(inline(body, "italic"))
            continue
        if _LIST.match(lines[0]):
            items: list[tuple[str, str]] = []
            for l in lines:
                m = _LIST.match(l)
                if m:
                    items.append((m.group(1), m.group(2)))
                elif items:  # a wrapped item continues
                    items[-1] = (items[-1][0], items[-1][1] + " " + l.strip())
            for i, (mark, body) in enumerate(items):
                if i:
                    out.append("\n")
                out.append(f"  {'•' if mark in '-*+' else mark} ")
                out.append_text(inline(body))
            continue
        # A paragraph: lines join with spaces; a line ending in two spaces or
        # a backslash keeps its break (Markdown's hard break).
        para = ""
        for l in block.splitlines():
            if not l.strip():
                continue
            hard = l.endswith("  ") or l.endswith("\\")
            piece = l.strip().rstrip("\\").strip()
            para += piece + ("\n" if hard else " ")
        out.append_text(inline(para.strip()))
    return out
