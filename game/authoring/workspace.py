"""A story as an editor sees it: the files on disk with unsaved buffers laid
over them, compiled by the real compiler, and the id index of the result.

Each file's validated record is kept in memory under a hash of its text, so
after an edit only the edited file is read again; the compile step itself
(ids, expressions, warnings) always runs on the whole story, so the problems
are exactly those `lint` prints for the same text.
"""

from __future__ import annotations

import hashlib
import os

from game.story import schema as S
from game.story.compiler import MANIFEST_NAME, Compiler, SourceFile, discover, fingerprint
from game.story.problems import Pos, Problem, Reporter

from .index import Index, build_index


def find_story_root(path: str, limit: int = 16) -> str | None:
    """The nearest folder at or above `path` (a file or folder) holding a story.yaml."""
    folder = os.path.abspath(path)
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    for _ in range(limit):
        if os.path.isfile(os.path.join(folder, MANIFEST_NAME)):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return None


class MemoryParseCache:
    """Validated records by (kind, path, hash of bytes), with their problems."""

    def __init__(self, limit: int = 4000):
        self.entries: dict[tuple, tuple] = {}
        self.limit = limit

    def parse(self, sf: SourceFile, kind: S.Record, rep: Reporter, parse_file):
        key = (kind.what, sf.path, hashlib.sha1(sf.data).digest())
        hit = self.entries.get(key)
        if hit is None:
            local = Reporter()
            rec = parse_file(sf, kind, local)
            if len(self.entries) >= self.limit:
                self.entries.clear()
            hit = self.entries[key] = (rec, local)
        rec, local = hit
        rep.extend(local)
        return rec


class _OverlayCompiler(Compiler):
    """The compiler, reading `overlays` (path -> text) in place of those files."""

    def __init__(self, root, rep, cache, overlays: dict[str, str]):
        super().__init__(root, rep, cache)
        self.overlays = overlays
        self.parsed: list[tuple[SourceFile, object]] = []

    def run(self):
        rep = self.rep
        manifest_file, files = discover(self.root, rep)
        if self.overlays:
            for sf in ([manifest_file] if manifest_file else []) + files:
                text = self.overlays.get(os.path.abspath(sf.path))
                if text is not None:
                    sf.data = text.encode("utf-8", "surrogatepass")
        manifest = self.parse(manifest_file, S.MANIFEST) if manifest_file else None
        contents = [(sf, self.parse(sf, S.CONTENT)) for sf in files]
        self.parsed = ([(manifest_file, manifest)] if manifest_file else []) + contents
        self.incomplete = any(rec is None for _, rec in contents)
        self.fingerprint = fingerprint(manifest_file, files)
        self.files = tuple(sf.path for sf in ([manifest_file] if manifest_file else []) + files)
        if manifest is None:
            return None
        return self.compile(manifest, [rec for _, rec in contents if rec is not None])


class Analysis:
    """One compile of a story: its problems, its files, its index, the story data (or None)."""

    def __init__(self, root: str, problems: list[Problem], files: tuple[str, ...], index: Index, data,
                 texts: dict[str, str]):
        self.root = root
        self.problems = problems
        self.files = files
        self.index = index
        self.data = data
        self.texts = texts  # path -> the text compiled

    def problems_by_file(self) -> dict[str, list[Problem]]:
        out: dict[str, list[Problem]] = {os.path.abspath(f): [] for f in self.files}
        for p in self.problems:
            out.setdefault(os.path.abspath(p.path), []).append(p)
        return out


class StoryWorkspace:
    """One story folder, with the editor's unsaved buffers over it."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self.cache = MemoryParseCache()
        self.overlays: dict[str, str] = {}
        self.last: Analysis | None = None

    def set_overlay(self, path: str, text: str) -> None:
        self.overlays[os.path.abspath(path)] = text

    def drop_overlay(self, path: str) -> None:
        self.overlays.pop(os.path.abspath(path), None)

    def analyse(self) -> Analysis:
        rep = Reporter()
        comp = _OverlayCompiler(self.root, rep, self.cache, self.overlays)
        data = None
        try:
            data = comp.run()
        except RecursionError:
            rep.error(Pos(self.root, 1, 1), "the story is nested too deeply to read")
        parsed = getattr(comp, "parsed", [])
        texts = {}
        for sf, _ in parsed:
            try:
                texts[os.path.abspath(sf.path)] = sf.data.decode("utf-8")
            except UnicodeDecodeError:
                texts[os.path.abspath(sf.path)] = sf.data.decode("utf-8", "replace")
        index = build_index([(os.path.abspath(sf.path), rec) for sf, rec in parsed], texts,
                            previous=self.last.index if self.last else None)
        self.last = Analysis(self.root, rep.all_problems(), getattr(comp, "files", ()), index, data, texts)
        return self.last


def analyse_story(root: str) -> Analysis:
    """The analysis of a story folder as it is on disk."""
    return StoryWorkspace(root).analyse()
