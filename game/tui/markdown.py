"""Scene Markdown to a rich `Text`, for one Static widget.

Textual's Markdown widget builds a widget per block and imports markdown-it:
~45 ms at startup and hundreds of ms per long scene. The blocks come from the
view layer's one parser (game/view/markdown.py); this module only styles
them. Author text is appended, never parsed as markup.
"""

from __future__ import annotations

from game.view.markdown import parse

from .safe import Text

_STYLE = {"bold": "bold", "italic": "italic", "code": "bold", "link": "underline"}


def _spans(out: Text, spans, base: str = "") -> None:
    for s in spans:
        styles = [_STYLE[p] for p in s.style.split("+") if p]
        if base:
            styles.insert(0, base)
        out.append(s.text, style=" ".join(styles) or None)


def render(markdown: str) -> Text:
    out = Text()
    for i, b in enumerate(parse(markdown)):
        if i:
            out.append("\n\n")
        if b.kind == "heading":
            _spans(out, b.spans, "bold")
        elif b.kind == "rule":
            out.append("─" * 20, style="dim")
        elif b.kind == "quote":
            out.append("  ")
            _spans(out, b.spans, "italic")
        elif b.kind == "list":
            for k, (mark, spans) in enumerate(b.items):
                if k:
                    out.append("\n")
                out.append(f"  {mark} ")
                _spans(out, spans)
        else:
            _spans(out, b.spans)
    return out
