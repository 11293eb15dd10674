"""Plain mode: the game in plain lines on stdin/stdout (screen readers,
pipes), a front end of the same rank as the Textual one, drawn from the one
view (game/view)."""

from .game import PlainGame, run_plain

__all__ = ["PlainGame", "run_plain"]
