"""A cache of validated files, so that starting to play is quick.

Reading a file (YAML composition and schema validation) is about half the
cost of compiling a story. When the game starts a story, each file that was
read before without a single problem is taken from the cache instead: its
validated records, with every position, stored as JSON (behind a SHA-256 of
itself, so a damaged entry is never used) under a key made of
the cache's version, the file's path as named and a hash of its bytes. Any
edit gives a new key; a damaged or foreign entry is ignored and rewritten.
The compile step itself (expressions, cross-references, warnings) always
runs, so a cached story is checked exactly as a fresh one.

`lint`, `playtest` and the Python API read files directly; only play uses
the cache (and OPEN_DIPLOMACY_NO_CACHE=1 turns it off).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from game.engine.files import atomic_write

from . import schema as S
from .problems import Pos, Reporter

VERSION = 2
MAX_ENTRY_BYTES = 20_000_000


class _At:
    """Stands in for a YAML node: all a validated record needs of one is where it started."""

    __slots__ = ("line", "column")

    def __init__(self, line: int, column: int):
        self.line = line
        self.column = column

    @property
    def start_mark(self) -> "_At":
        return self


def _lc(node) -> list[int]:
    m = node.start_mark
    return [m.line, m.column]


def freeze(value):
    """A validated value as JSON-able data; TypeError for anything unexpected."""
    if isinstance(value, S.Rec):
        items = {}
        for key, v in dict.items(value):
            k, vn = dict.__getitem__(value.kpos, key), dict.__getitem__(value.vpos, key)
            items[key] = [freeze(v), *_lc(k), *_lc(vn)]
        if value.bad or set(dict.keys(value.kpos)) != set(items):
            raise TypeError("a record with invalid keys is not cached")
        return ["R", *_lc(value.node), items]
    if isinstance(value, S.Seq):
        return ["S", *_lc(value.node), [[freeze(v), *_lc(list.__getitem__(value.ipos, i))]
                                        for i, v in enumerate(value)]]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


class _PairMarks(S.Marks):
    """Marks read back from the cache: key -> 0-based (line, column)."""

    __slots__ = ()

    def __getitem__(self, key) -> Pos:
        line, col = dict.__getitem__(self, key)
        return Pos(self.path, line + 1, col + 1)

    def get(self, key, default=None):
        lc = dict.get(self, key)
        return default if lc is None else Pos(self.path, lc[0] + 1, lc[1] + 1)

    def items(self):
        return [(k, Pos(self.path, line + 1, col + 1)) for k, (line, col) in dict.items(self)]


class _PairItemMarks(S.ItemMarks):
    __slots__ = ()

    def __getitem__(self, i) -> Pos:
        line, col = list.__getitem__(self, i)
        return Pos(self.path, line + 1, col + 1)


def thaw(data, path: str):
    """The validated value back from `freeze`'s data (positions included)."""
    if data.__class__ is not list:
        return data
    tag = data[0]
    if tag == "R":
        _, line, col, items = data
        rec = S.Rec.__new__(S.Rec)
        rec.node = _At(line, col)
        rec.kpos = kpos = _PairMarks(path)
        rec.vpos = vpos = _PairMarks(path)
        rec.bad = set()
        for key, (v, kl, kc, vl, vc) in items.items():
            dict.__setitem__(kpos, key, (kl, kc))
            dict.__setitem__(vpos, key, (vl, vc))
            dict.__setitem__(rec, key, thaw(v, path))
        return rec
    if tag == "S":
        _, line, col, items = data
        seq = S.Seq.__new__(S.Seq)
        seq.node = _At(line, col)
        seq.ipos = ipos = _PairItemMarks(path)
        for v, il, ic in items:
            list.append(ipos, (il, ic))
            list.append(seq, thaw(v, path))
        return seq
    raise ValueError("unknown entry")


# The modules whose output the cache holds: a change to any of them (a new
# key in the schema, a new check in the reader) must not serve stale records.
_CODE = ("schema.py", "yamlread.py", "compiler.py", "parsecache.py", "problems.py")
_code_digest: bytes | None = None


def code_digest() -> bytes:
    global _code_digest
    if _code_digest is None:
        h = hashlib.sha256()
        here = Path(__file__).resolve().parent
        for name in _CODE:
            try:
                h.update((here / name).read_bytes())
            except OSError:
                h.update(name.encode())  # no source beside the module: the name alone
        _code_digest = h.digest()
    return _code_digest


class ParseCache:
    def __init__(self, folder):
        self.folder = Path(folder)

    def key(self, sf, kind: S.Record) -> str:
        h = hashlib.sha256(f"{VERSION}\0{kind.what}\0{sf.path}\0".encode("utf-8"))
        h.update(code_digest())
        h.update(hashlib.sha256(sf.data).digest())
        return h.hexdigest()[:40]

    def parse(self, sf, kind: S.Record, rep: Reporter, parse_file):
        entry = self.folder / f"{self.key(sf, kind)}.json"
        try:
            with open(entry, "rb") as fh:
                raw = fh.read(MAX_ENTRY_BYTES + 1)
            digest, _, payload = raw.partition(b"\n")
            # The digest catches a truncated or damaged entry before any of it is used.
            if len(raw) <= MAX_ENTRY_BYTES and digest.decode("ascii") == hashlib.sha256(payload).hexdigest():
                rec = thaw(json.loads(payload), sf.path)
                if isinstance(rec, S.Rec):
                    return rec
        except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError):
            pass  # absent, damaged or foreign: read the file itself
        local = Reporter()
        rec = parse_file(sf, kind, local)
        rep.extend(local)
        if rec is not None and not local.problems:
            try:
                payload = json.dumps(freeze(rec), ensure_ascii=False, separators=(",", ":"))
                atomic_write(entry, hashlib.sha256(payload.encode("utf-8")).hexdigest() + "\n" + payload)
            except (OSError, TypeError, RecursionError):
                pass  # the cache is only a convenience
        return rec


def default_cache() -> ParseCache | None:
    if os.environ.get("OPEN_DIPLOMACY_NO_CACHE"):
        return None
    from platformdirs import user_cache_dir
    return ParseCache(Path(user_cache_dir("open-diplomacy", appauthor=False)) / f"parsed-v{VERSION}")
