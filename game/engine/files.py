"""Files: atomic writes and bounded reads, for every writer and reader.

Saves, the profile, the parse cache, playthrough files and transcripts are
all written with `atomic_write` (temp file, fsync, rename); story files and
saves are read with `read_regular_file`, which never blocks on a FIFO and
never reads more than it is allowed to.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import time
from pathlib import Path

# mkstemp's names: ".<file>." + 8 of [a-z0-9_] + ".tmp" (only ours are ever removed).
TEMP_RE = re.compile(r"\.(?P<name>.+\.(?:json|yaml))\.[a-z0-9_]{8}\.tmp\Z")
# A temp file this young may belong to a writer that has not locked it yet.
TEMP_GRACE = 1.0
# Without file locks, a temp file is taken for stale only after this long.
TEMP_STALE = 60.0

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


def clean_stale_temps(folder) -> list[str]:
    """Remove temp files left in `folder` by an interrupted save (a kill, a
    power cut): only names of our own pattern, only when no live writer holds
    them (a writer keeps its temp file locked) and they are older than a second.
    Returns the names removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(".") or not TEMP_RE.match(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or now - st.st_mtime < TEMP_GRACE:
                continue
            if fcntl is None:
                if now - st.st_mtime < TEMP_STALE:
                    continue
                os.unlink(entry.path)
            else:
                fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
                try:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue  # a live writer holds it
                    if not os.path.samestat(os.fstat(fd), os.stat(entry.path, follow_symlinks=False)):
                        continue  # replaced meanwhile: leave it
                    os.unlink(entry.path)
                finally:
                    os.close(fd)
            removed.append(entry.name)
        except OSError:
            continue
    return removed


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        if n <= 0:  # pragma: no cover - write(2) never returns 0 for a regular file
            raise OSError(errno.EIO, "short write")
        view = view[n:]


def atomic_write(path, text: str) -> None:
    """Temp file in the same folder, fsync, rename: a crash at any instant
    leaves either the old file or the new one, never a broken one. The temp
    file is locked while it is written, so that the next save to the folder
    can tell a stale temp file (removed) from one being written."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    clean_stale_temps(folder)
    import tempfile  # noqa: PLC0415 (only when writing: lint and play from the cache read only)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    is_open = True
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # pragma: no cover - file systems without locks
                pass
        write_all(fd, text.encode("utf-8"))
        os.fsync(fd)
        if fcntl is None:  # pragma: no cover - Windows cannot rename an open file
            os.close(fd)
            is_open = False
        os.replace(tmp, path)  # still locked until renamed: never taken for stale
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    finally:
        if is_open:
            os.close(fd)
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(dfd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dfd)


def read_regular_file(path, limit: int) -> bytes:
    """At most limit + 1 bytes of a regular file. Never blocks: the file is
    opened without waiting (a FIFO has no writer to wait for) and refused
    with NotRegularFile unless fstat says it is a regular file (a FIFO, a
    device, a socket, a folder). Other OSErrors (ENOENT, EACCES) pass up."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(path)
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class NotRegularFile(OSError):
    """A FIFO, device, socket or folder where a file was expected."""

    def __init__(self, path):
        super().__init__(errno.EINVAL, "not a regular file", str(path))
