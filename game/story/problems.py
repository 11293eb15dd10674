"""Positioned problems: the one currency of every author-facing error."""

from __future__ import annotations

from game.engine.records import record
from typing import Iterable


@record(order=True)
class Problem:
    """One `PATH:LINE:COLUMN: severity: MESSAGE` line (LINE and COLUMN 1-based)."""

    path: str
    line: int
    column: int
    severity: str  # "error" | "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class Pos:
    """Where a value stands: a path as the user named it, 1-based line and column."""

    __slots__ = ("path", "line", "column")

    def __init__(self, path: str, line: int, column: int):
        self.path = path
        self.line = line
        self.column = column

    def __eq__(self, other) -> bool:
        return isinstance(other, Pos) and (self.path, self.line, self.column) == (other.path, other.line, other.column)

    def __hash__(self) -> int:
        return hash((self.path, self.line, self.column))

    def __repr__(self) -> str:
        return f"Pos({self.path!r}, {self.line}, {self.column})"

    def shifted(self, columns: int) -> "Pos":
        return Pos(self.path, self.line, self.column + columns)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


MAX_FILE_BYTES = 5 * 1024 * 1024


class YamlProblem(Exception):
    """A problem found while reading a file, at a position."""

    def __init__(self, pos: Pos, message: str):
        super().__init__(message)
        self.pos = pos
        self.message = message


def pos_of(path: str, node) -> Pos:
    """Where a YAML node starts (1-based)."""
    m = node.start_mark
    return Pos(path, m.line + 1, m.column + 1)


class StoryError(Exception):
    """Loading failed; `.problems` holds every problem found, errors and warnings."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)  # in the order given: sorted, each cap line after its file
        errors = [p for p in self.problems if p.is_error]
        shown = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} error(s) in the story:\n{shown}{more}")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


MAX_PER_FILE = 200  # problems reported per file; the rest are counted in one last line


class Reporter:
    """Collects problems; never stops at the first one, but keeps at most
    MAX_PER_FILE of them per file (a hostile file could yield millions)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._per_file: dict[str, int] = {}
        self._errors = 0

    def _add(self, pos: Pos, severity: str, message: str) -> None:
        n = self._per_file.get(pos.path, 0) + 1
        self._per_file[pos.path] = n
        if severity == "error":
            self._errors += 1
        if n <= MAX_PER_FILE:
            self.problems.append(Problem(pos.path, pos.line, pos.column, severity, message))

    def error(self, pos: Pos, message: str) -> None:
        self._add(pos, "error", message)

    def warning(self, pos: Pos, message: str) -> None:
        self._add(pos, "warning", message)

    @property
    def has_errors(self) -> bool:
        return self._errors > 0

    def all_problems(self) -> list[Problem]:
        """Every problem kept, sorted, and for each file past the cap a line
        saying how many more there were."""
        out = sorted(self.problems)
        for path, n in self._per_file.items():
            if n > MAX_PER_FILE:
                i = max(k for k, p in enumerate(out) if p.path == path)
                out.insert(i + 1, Problem(path, out[i].line, out[i].column, "error",
                                          f"... and {n - MAX_PER_FILE:,} more problems in this file (only the "
                                          f"first {MAX_PER_FILE} are listed)"))
        return out

    def extend(self, other: "Reporter") -> None:
        for p in other.all_problems():
            self._add(Pos(p.path, p.line, p.column), p.severity, p.message)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix when a candidate is close, else ''."""
    import difflib  # noqa: PLC0415 (only once a name is unknown: lint starts without it)
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
