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

    def in_context(self, scene: str, choice: str = "") -> "StoryRuntimeError":
        if not self.scene:
            self.scene = scene
        if not self.choice:
            self.choice = choice
        self.args = (self._text(),)
        return self


class SaveError(Exception):
    """A save file could not be written or read; names the file and the reason."""

    def __init__(self, path: object, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
