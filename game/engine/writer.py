"""Write-behind for the autosave: the key handler hands over the save's text
and returns; one background thread writes it (atomically, as every save).

Only the newest pending text of a path is written: a faster player skips
intermediate autosaves, never the last one. A kill at any instant leaves
the previous autosave or the new one (atomic_write), never neither.
"""

from __future__ import annotations

import threading
from typing import Callable


class WriteBehind:
    def __init__(self, write: Callable[[object, str], None]):
        self._write = write  # (path, text) -> None; raises on failure
        self._pending: dict = {}  # path -> (text, on_error)
        self._busy = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def put(self, path, text: str, on_error: Callable[[str | None], None]) -> None:
        with self._cond:
            self._pending[path] = (text, on_error)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="autosave", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    if not self._cond.wait(timeout=5.0) and not self._pending:
                        self._thread = None  # idle: a later put starts a new one
                        return
                path, (text, on_error) = next(iter(self._pending.items()))
                del self._pending[path]
                self._busy = True
            try:
                self._write(path, text)
                on_error(None)
            except Exception as exc:  # reported to the player, never raised on this thread
                on_error(f"saving is off: {getattr(exc, 'reason', None) or getattr(exc, 'strerror', None) or exc}")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    @property
    def idle(self) -> bool:
        with self._cond:
            return not self._pending and not self._busy

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until everything handed over is on disk."""
        with self._cond:
            self._cond.wait_for(lambda: not self._pending and not self._busy, timeout=timeout)
