"""Author Markdown as blocks of styled spans: the one Markdown parser.

Stories use a small part of Markdown: paragraphs (lines joined), headings,
lists, block quotes, horizontal rules, **strong**, *emphasis* / _emphasis_,
`code` and [links](url). Backslash escapes a marker. Everything else is shown
as written. The Textual game turns the blocks into styled text, plain mode
and transcripts into wrapped plain lines (`to_plain`).
"""

from __future__ import annotations

import re
import textwrap

from game.engine.records import record

_INLINE = re.compile(r"\\([\\`*_\[\]()#>-])|(\*\*|__)(.+?)\2|(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\4(?![\w*])"
                     r"|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)")
_LIST = re.compile(r"^\s*([-*+]|\d{1,3}[.)])\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")


@record
class Span:
    text: str
    style: str = ""  # "", "bold", "italic", "code", "link" (combined with "+")
    url: str | None = None


@record
class Block:
    kind: str  # "para", "heading", "quote", "rule", "list"
    spans: tuple = ()  # of Span (for list: empty)
    items: tuple = ()  # list: (marker, spans) pairs; marker "•" or "1." etc.


def _join(outer: str, inner: str) -> str:
    return f"{outer}+{inner}" if outer and inner else outer or inner


def inline(text: str, style: str = "") -> tuple[Span, ...]:
    out: list[Span] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append(Span(text[pos:m.start()], style))
        esc, _, strong, em_mark, em, code, link_text, url = m.groups()
        if esc is not None:
            out.append(Span(esc, style))
        elif strong is not None:
            out.extend(inline(strong, _join(style, "bold")))
        elif em_mark is not None:
            out.extend(inline(em, _join(style, "italic")))
        elif code is not None:
            out.append(Span(code, _join(style, "code")))
        else:
            out.extend(Span(s.text, _join(s.style, "link"), url) for s in inline(link_text, style))
        pos = m.end()
    if pos < len(text):
        out.append(Span(text[pos:], style))
    return tuple(out)


_BLANK_LINE = re.compile(r"\n\s*\n")


def paragraphs(markdown: str) -> list[str]:
    """The text's blocks (paragraphs, headings, lists, quotes, rules) as
    separate Markdown strings, in order: what "paragraph by paragraph" shows
    one at a time. `parse` of each gives that block alone."""
    return [b for b in _BLANK_LINE.split(markdown.strip("\n")) if b.strip()]


def parse(markdown: str) -> tuple[Block, ...]:
    out = []
    for block in _BLANK_LINE.split(markdown.strip("\n")):
        lines = [l.rstrip() for l in block.splitlines() if l.strip()]
        if not lines:
            continue
        h = _HEADING.match(lines[0])
        if h and len(lines) == 1:
            out.append(Block("heading", inline(h.group(2))))
            continue
        if len(lines) == 1 and _RULE.match(lines[0]):
            out.append(Block("rule"))
            continue
        if all(l.lstrip().startswith(">") for l in lines):
            out.append(Block("quote", inline(" ".join(l.lstrip()[1:].strip() for l in lines))))
            continue
        if _LIST.match(lines[0]):
            items: list[list] = []
            for l in lines:
                m = _LIST.match(l)
                if m:
                    items.append([m.group(1), m.group(2)])
                elif items:  # a wrapped item continues
                    items[-1][1] += " " + l.strip()
            out.append(Block("list", items=tuple(("•" if mark in "-*+" else mark, inline(body))
                                                 for mark, body in items)))
            continue
        # A paragraph: lines join with spaces; a line ending in two spaces or a
        # backslash keeps its break (Markdown's hard break).
        para = ""
        for l in block.splitlines():
            if not l.strip():
                continue
            hard = l.endswith("  ") or l.endswith("\\")
            para += l.strip().rstrip("\\").strip() + ("\n" if hard else " ")
        out.append(Block("para", inline(para.strip())))
    return tuple(out)


def plain_spans(spans) -> str:
    """Spans as plain text: emphasis dropped, a link as `text (url)`."""
    out = []
    i, n = 0, len(spans)
    while i < n:
        s = spans[i]
        if "link" in s.style.split("+"):
            words = []
            url = s.url
            while i < n and "link" in spans[i].style.split("+") and spans[i].url == url:
                words.append(spans[i].text)
                i += 1
            text = "".join(words)
            out.append(text if text == url else f"{text} ({url})")
            continue
        out.append(s.text)
        i += 1
    return "".join(out)


def wrap(text: str, width: int, indent: str = "", rest: str | None = None) -> list[str]:
    """A plain line wrapped to `width` (never inside a word or at a hyphen),
    `indent` before the first line and `rest` (default: `indent`) before the
    others; an empty text gives one (empty) line."""
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent if rest is None else rest,
                         break_on_hyphens=False, break_long_words=False) or [indent.rstrip()]


def to_plain(markdown: str, width: int = 78) -> list[str]:
    """The text as plain wrapped lines, a blank line between blocks."""
    lines: list[str] = []
    for b in parse(markdown):
        if lines:
            lines.append("")
        if b.kind == "rule":
            lines.append("-" * min(20, width))
        elif b.kind == "list":
            for mark, spans in b.items:
                lines.extend(textwrap.wrap(plain_spans(spans), width, initial_indent=f"  {mark} ", break_long_words=False,
                                           subsequent_indent=" " * (len(mark) + 3)) or [f"  {mark}"])
        else:
            indent = "  " if b.kind == "quote" else ""
            for hard in plain_spans(b.spans).split("\n"):
                lines.extend(textwrap.wrap(hard, width, initial_indent=indent, subsequent_indent=indent,
                                           break_on_hyphens=False, break_long_words=False) or [""])
    return lines
