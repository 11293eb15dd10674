"""The TUI's one door for text: a rich `Text` whose contents are made inert.

Every module of the Textual game builds its text with this `Text` (it is
imported in place of rich's), so no string from a story, a save, a profile
or a message can put an escape sequence, a C1 control or a bidi override on
the player's terminal (see game/engine/safetext.py).
"""

from __future__ import annotations

from rich.text import Text as _RichText

from game.engine.safetext import inert


class Text(_RichText):
    __slots__ = ()

    def __init__(self, text: str = "", *args, **kw):
        super().__init__(inert(text), *args, **kw)

    def append(self, text, style=None):
        if isinstance(text, str):
            text = inert(text)
        return super().append(text, style)
