"""Errors the runtime raises. Each names where in the story it happened."""

from __future__ import annotations


class StoryRuntimeError(Exception):
    """The story did something its declarations forbid, found only in play."""

    def __init__(self, message: str, where: str = "", scene: str = "", choice: str = ""):
        self.message = message
        self.where = where
        self.scene = scene
        self.choice = choice
        super().__init__(self._text())

    def _text(self) -> str:
        ctx = []
        if self.scene:
            ctx.append(f"scene '{self.scene}'")
        if self.choice:
            ctx.append(f"choice '{self.choice}'")
        prefix = f"{self.where}: " if self.where else ""
        suffix = f" (in {', '.join(ctx)})" if ctx else ""
        return f"{prefix}{self.message}{suffix}"

    def in_context(self, scene: str, choice: str = "", where: str = "") -> "StoryRuntimeError":
        if not self.scene:
            self.scene = scene
        if not self.choice:
            self.choice = choice
        if not self.where:
            self.where = where
        self.args = (self._text(),)
        return self

    def for_player(self, starting: bool = False) -> str:
        """What the front ends say: what failed, where in the story's files,
        and that the game itself is safe."""
        what = f"scene '{self.scene}'" + (f", choice '{self.choice}'" if self.choice else "")
        at = f" ({self.where})" if self.where else ""
        if starting:
            return (f"This story cannot start: its first scene fails. In {what}{at}: {self.message}. "
                    "Tell the story's author; nothing was saved over.")
        return (f"The story has an error, so this choice cannot be taken. In {what}{at}: {self.message}. "
                "Your game is as it was before the choice, and its autosave is kept: pick another choice, "
                "or undo.")


class SaveError(Exception):
    """A save file could not be written or read; names the file and the reason."""

    def __init__(self, path: object, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
