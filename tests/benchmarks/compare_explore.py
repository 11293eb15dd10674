"""A/B of the exhaustive explorer (issue 12), as whole processes.

    .venv/bin/python -m tests.benchmarks.compare_explore [--base REV] [--old REV] [--rounds N] [--brute] [STORY ...]

For each story (default: the bundled campaigns):

- the report: `open-diplomacy playtest STORY --exhaustive --json` from this
  tree and from REV (default `main`, exported with `git archive`) must be
  identical (a difference is printed and the exit code is 1);
- the time: that command from both trees, and the explorer of OLD (default
  94f0671, the last one before exact ranges: its `game/playtest/explore.py`
  run on this tree's engine, exploring only), each in a fresh process,
  alternated for N rounds; wall and CPU seconds (min and median), peak RSS;
- `--brute`: for every tracked variable (kept beside the state), a brute
  force with it and all its effects read in the state key, so its values are
  followed jointly on every path; its range must be the report's (minutes).

Timings on a shared machine are noisy: compare the minima, measured here in
the same run."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OLD_EXPLORER = "94f0671"  # the parent of e2a228e (the Fork strategy, sparse keys, exact ranges)

_OLD_DRIVER = r"""
import sys
sys.path.insert(0, sys.argv[1])
import old_explore
from game import check_story
story, _ = check_story(sys.argv[2])
rep = old_explore.exhaustive_playtest(story)
print(rep.states)
"""


def _git(*args: str) -> bytes:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True).stdout


def export_tree(rev: str, into: Path) -> Path:
    """The files of `rev` in a fresh folder (its `game` package imports from there)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = _git("archive", rev)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run(cmd: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Run one process under /usr/bin/time: its wall time, CPU time (user +
    sys), peak RSS, output and exit code."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        timer = ["/usr/bin/time", "-o", tf.name, "-f", "%e %U %S %M"] if os.path.exists("/usr/bin/time") else []
        t = time.perf_counter()
        proc = subprocess.run(timer + cmd, cwd=cwd, env=env, capture_output=True)
        wall = time.perf_counter() - t
        got = {"wall": wall, "cpu": float("nan"), "rss_mb": float("nan"), "out": proc.stdout, "err": proc.stderr,
               "code": proc.returncode}
        fields = tf.read().split()[-4:] if timer else []
        if len(fields) == 4:
            got["wall"], got["cpu"], got["rss_mb"] = (float(fields[0]), float(fields[1]) + float(fields[2]),
                                                      int(fields[3]) / 1024)
    return got


def brute_ranges(story, names: set) -> dict:
    """The explorer's key plus the values of `names`: each followed exactly.
    Returns {name: [min, max] or sorted values}."""
    from tests.playtest.brute import as_reported, reachable_values
    return as_reported(story, reachable_values(story, names))


def check_brute(folder: str, report: dict) -> list[str]:
    from game import check_story
    from game.playtest.explore import _dep_closure, _tracked
    story, _ = check_story(folder)
    closure = _dep_closure(story.data.effect_deps)
    groups = []
    for name in sorted(_tracked(story)):
        g = {name} | set(closure.get(name, ()))
        if not any(g <= h for h in groups):
            groups = [h for h in groups if not h <= g] + [g]
    bad = []
    for g in groups:
        t = time.perf_counter()
        got = brute_ranges(story, g)
        for name, r in got.items():
            rep = report["variables"][name]
            mine = rep["values"] if "values" in rep else [rep["min"], rep["max"]]
            mark = "ok" if mine == r else "DIFFERENT"
            if mine != r:
                bad.append(f"{name}: report {mine}, brute force {r}")
            print(f"    brute force {sorted(g)} ({time.perf_counter() - t:.0f} s): {name} {r} {mark}")
    return bad


def _summary(rows: list[dict], key: str) -> str:
    xs = [r[key] for r in rows]
    return f"min {min(xs):6.2f}  median {statistics.median(xs):6.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stories", nargs="*")
    ap.add_argument("--base", default="main", help="the revision whose report must be the same (default main)")
    ap.add_argument("--old", default=OLD_EXPLORER, help="the revision of the explorer to time against")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--brute", action="store_true")
    args = ap.parse_args(argv)
    from game.paths import bundled_story_dirs
    stories = args.stories or [str(p) for p in bundled_story_dirs().values()]
    py = sys.executable
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        base = export_tree(args.base, Path(tmp) / "base")
        base_env = dict(os.environ, PYTHONPATH=str(base))
        old_dir = Path(tmp) / "old"
        old_dir.mkdir()
        (old_dir / "old_explore.py").write_bytes(_git("show", f"{args.old}:game/playtest/explore.py"))
        for story in stories:
            story = str(Path(story).resolve())
            print(f"{story}")
            cmd = [py, "-m", "game", "playtest", story, "--exhaustive", "--json"]
            rows: dict[str, list] = {"this tree": [], f"base {args.base}": [], f"old explorer {args.old}": []}
            outs: dict[str, bytes] = {}
            for _ in range(args.rounds):
                for name, c, cwd, env in ((f"old explorer {args.old}", [py, "-c", _OLD_DRIVER, str(old_dir), story],
                                           ROOT, None),
                                          (f"base {args.base}", cmd, base, base_env),
                                          ("this tree", cmd, ROOT, None)):
                    got = run(c, cwd, env)
                    if got["code"] not in (0, 1):  # 1: the story has failures (still a report)
                        print(f"  {name}: exit {got['code']}: {got['err'].decode(errors='replace')[-500:]}")
                        continue
                    rows[name].append(got)
                    outs.setdefault(name, got["out"])
            for name, rs in rows.items():
                if rs:
                    print(f"  {name:<24} wall {_summary(rs, 'wall')}   cpu {_summary(rs, 'cpu')}   "
                          f"peak {max(r['rss_mb'] for r in rs):5.0f} MB")
            mine, theirs = outs.get("this tree"), outs.get(f"base {args.base}")
            if mine is None or theirs is None:
                failed = True
                continue
            a, b = json.loads(mine), json.loads(theirs)
            if a == b and mine == theirs:
                print(f"  report: identical to {args.base}'s ({a.get('states', 0):,} states)")
            else:
                failed = True
                print(f"  report: DIFFERENT from {args.base}'s")
                for k in sorted(set(a) | set(b)):
                    if a.get(k) != b.get(k):
                        print(f"    {k}: this tree {json.dumps(a.get(k))[:300]}")
                        print(f"    {k:>{len(k)}}  {args.base} {json.dumps(b.get(k))[:300]}")
            if args.brute:
                bad = check_brute(story, a)
                failed = failed or bool(bad)
                for line in bad:
                    print("    " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
