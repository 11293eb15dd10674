"""Format 1.1's speed targets, each measured as whole processes.

1. Random play on the generated stories (tests/benchmarks/generate.py): the
   engine of today, rendering text through the 1.1 forms code, takes at
   least 0.95x the steps per second of the engine before format 1.1. The
   baseline is taken from git history (BASELINE, exported with `git
   archive` into a temporary folder); both engines play the same story and
   the same route (checked) in fresh processes, a pair of them a round, the
   order swapped every round. Asserted on the median of the rounds' ratios
   of the play loop's steps per second in its best tenth of CPU time (the
   tenth least disturbed by the machine's other work); the same over the
   whole loop, by wall time, and for the whole process with start-up and
   loading counted are printed beside it.
2. `open-diplomacy lint` of the generated 2,000-scene story takes at most 2x
   a process that only parses the same files with libyaml's C loader: each
   a whole process, timed from outside (wall, and user+sys CPU from
   getrusage of the children), a pair a round; asserted on the median of
   the rounds' CPU ratios.

CPU time, not wall time, is asserted on because the machine is shared: a
process that waits for a core has its wall time stretched but not its CPU
time. Both are printed.

Run with
  .venv/bin/python -m pytest -o addopts="" -o python_files="bench_*.py" -s tests/benchmarks/bench_format11.py
(OD_ROUNDS, OD_STEPS and OD_BASELINE change the rounds, the steps a process
and the baseline commit.)
"""

from __future__ import annotations

import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from tests.benchmarks.generate import generate
from tests.conftest import ROOT

# The last commit before format 1.1: its first change (§11.1, offers decided
# at entry, 8c71d89) was made on top of this one; §11.2-§11.8 came later.
BASELINE = os.environ.get("OD_BASELINE", "c5be1b70115235594c24782cba6a5aafb8554fbe")
ROUNDS = int(os.environ.get("OD_ROUNDS", "5"))
STEPS = int(os.environ.get("OD_STEPS", "200000"))

# One random game after another on a story, as a fresh process: the same
# seeded route on any engine with the §10 API. Prints its timings and a
# digest of the route (so both engines are seen to do the same work).
PLAY = r"""
import gc, hashlib, json, random, sys, time
t0 = time.perf_counter()
gc.disable()  # as the commands do while starting and loading (cli.cmd_play, cmd_lint)
import game
from game import load_story
story = load_story(sys.argv[1])
gc.enable()
t1 = time.perf_counter()
c1 = time.process_time()
n = int(sys.argv[2])
CHUNK = max(1000, n // 10 // 1000 * 1000)  # CPU time of each tenth of the steps: the best is the least disturbed
chunks = []
last = c1
rnd = random.Random(1)
play = story.new_game(seed=1)
games = 1
route = hashlib.sha256()
chars = 0
steps = 0
while steps < n:
    offered = play.choices()
    if play.scene.ending is not None or not offered:
        play = story.new_game(seed=games)
        games += 1
        continue
    pick = offered[rnd.randrange(len(offered))]
    if not pick.enabled:
        pick = next((c for c in offered if c.enabled), None)
        if pick is None:  # only locked choices left (`once` ones taken): a new game
            play = story.new_game(seed=games)
            games += 1
            continue
    play.choose(pick.id)
    chars += len(play.text)
    steps += 1
    if steps % 1000 == 0:
        route.update(play.scene.id.encode())
        if steps % CHUNK == 0:
            c = time.process_time()
            chunks.append(c - last)
            last = c
t2 = time.perf_counter()
c2 = time.process_time()
print(json.dumps({"engine": game.__file__, "load_s": t1 - t0, "play_s": t2 - t1, "play_cpu_s": c2 - c1,
                  "best_chunk_cpu_s": min(chunks), "chunk": CHUNK, "steps": steps,
                  "games": games, "chars": chars, "route": route.hexdigest()[:16]}))
"""

BARE_PARSE = r"""
import sys, yaml
from pathlib import Path
for f in sorted(Path(sys.argv[1]).glob("*.yaml")):
    yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)
"""


def _export(commit: str, dest: Path) -> Path:
    """The `game` package at `commit`, from this checkout's history."""
    try:
        out = subprocess.run(["git", "archive", "--format=tar", commit, "game"], cwd=ROOT,
                             capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:  # pragma: no cover - no git here
        pytest.skip(f"git is not available: {exc}")
    if out.returncode != 0:
        pytest.skip(f"baseline {commit[:12]} is not in this checkout's history "
                    f"(a shallow clone?): {out.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(out.stdout)) as tar:
        try:
            tar.extractall(dest, filter="data")
        except TypeError:  # pragma: no cover - Python before 3.11.4 has no filter (our own history)
            tar.extractall(dest)
    return dest


def _compiled(tree: Path) -> Path:
    """Byte-compile `tree`'s package first: with PYTHONDONTWRITEBYTECODE set
    (as it is on the machines here) an edited or freshly exported module is
    otherwise compiled from source by every process, ~50-100 ms of each."""
    out = subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "game")], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    return tree


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return _compiled(_export(BASELINE, tmp_path_factory.mktemp("baseline")))


@pytest.fixture(scope="module")
def now():
    return _compiled(ROOT)


@pytest.fixture(scope="module")
def stories(tmp_path_factory, big_story):
    counts = generate(tmp_path_factory.mktemp("gen_counts") / "generated", scenes=2000, counts=True)
    return {"generated 2,000": big_story, "generated 2,000 with counts": counts}


def _env(tree: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    env.pop("PYTHONSTARTUP", None)
    return env


def _timed(cmd: list[str], cwd: Path, env: dict) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run a whole process; (its result, wall seconds, user+sys CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out, wall, cpu


def _run_play(tree: Path, story: Path, steps: int) -> dict:
    out, wall, cpu = _timed([sys.executable, "-c", PLAY, str(story), str(steps)], tree, _env(tree))
    assert out.returncode == 0, out.stderr[-2000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert Path(res["engine"]).resolve().is_relative_to(tree.resolve()), res["engine"]
    res["wall_s"], res["cpu_s"] = wall, cpu
    return res


def _med(xs) -> float:
    return statistics.median(list(xs))


def test_random_play_no_slower_than_before_format_11(baseline, now, stories):
    lines = []
    worst = float("inf")
    for label, story in stories.items():
        pairs: list[tuple[dict, dict]] = []
        for r in range(ROUNDS):  # a pair a round, interleaved, the order swapped every round
            got = {}
            for name in (("before", "now") if r % 2 == 0 else ("now", "before")):
                got[name] = _run_play(baseline if name == "before" else now, story, STEPS)
            pairs.append((got["before"], got["now"]))
        everything = [x for pair in pairs for x in pair]
        assert len({x["route"] for x in everything}) == 1 and len({x["chars"] for x in everything}) == 1, \
            "the two engines did not play the same route, or did not render the same text"
        measures = {  # name: steps per second of one process
            "play loop, best tenth, CPU": lambda x: x["chunk"] / x["best_chunk_cpu_s"],
            "play loop, CPU            ": lambda x: STEPS / x["play_cpu_s"],
            "play loop, wall           ": lambda x: STEPS / x["play_s"],
            "whole process, CPU        ": lambda x: STEPS / x["cpu_s"],
            "whole process, wall       ": lambda x: STEPS / x["wall_s"],
        }
        rows = []
        for i, (what, rate) in enumerate(measures.items()):
            before = _med(rate(b) for b, _ in pairs)
            after = _med(rate(n) for _, n in pairs)
            paired = _med(rate(n) / rate(b) for b, n in pairs)  # each round's two runs side by side
            if i == 0:
                worst = min(worst, paired)
            rows.append(f"  {what}: before {before:>9,.0f} steps/s, now {after:>9,.0f}; ratio of medians "
                        f"{after / before:.3f}, median of the rounds' ratios {paired:.3f}"
                        + ("   <- asserted >= 0.95" if i == 0 else ""))
        load_b = _med(b["load_s"] for b, _ in pairs)
        load_n = _med(n["load_s"] for _, n in pairs)
        lines.append(f"{label}: {STEPS:,} steps a process ({pairs[0][0]['games']:,} games), {ROUNDS} rounds\n"
                     + "\n".join(rows)
                     + f"\n  import + load, wall: before {load_b * 1000:.0f} ms, now {load_n * 1000:.0f} ms "
                       f"(the whole-process rows count it)")
    print(f"\nbaseline {BASELINE[:12]} (the last commit before format 1.1)\n" + "\n".join(lines))
    assert worst >= 0.95


def _lint_command() -> list[str]:
    script = Path(sys.executable).parent / "open-diplomacy"
    return [str(script)] if script.exists() else [sys.executable, "-m", "game"]


def test_lint_no_more_than_twice_the_bare_parse(now, big_story):
    lint = _lint_command() + ["lint", str(big_story)]
    bare = [sys.executable, "-c", BARE_PARSE, str(big_story)]
    env = _env(ROOT)
    rounds = max(ROUNDS, 7)
    pairs = []  # per round: {name: (wall, cpu)}
    for r in range(rounds):
        got = {}
        for name in (("bare", "lint") if r % 2 == 0 else ("lint", "bare")):
            out, w, c = _timed(bare if name == "bare" else lint, ROOT, env)
            assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
            if name == "lint":
                assert "0 errors" in out.stdout
            got[name] = (w, c)
        pairs.append(got)
    files = len(list(big_story.glob("*.yaml")))
    rows = []
    worst = None
    for i, what in ((1, "CPU "), (0, "wall")):
        bare_t = [p["bare"][i] for p in pairs]
        lint_t = [p["lint"][i] for p in pairs]
        paired = _med(p["lint"][i] / p["bare"][i] for p in pairs)
        if i == 1:
            worst = paired
        rows.append(f"  {what}: bare parse best {min(bare_t) * 1000:.0f} ms, median {_med(bare_t) * 1000:.0f} ms; "
                    f"lint best {min(lint_t) * 1000:.0f} ms, median {_med(lint_t) * 1000:.0f} ms; ratio of bests "
                    f"{min(lint_t) / min(bare_t):.2f}, of medians {_med(lint_t) / _med(bare_t):.2f}, median of the "
                    f"rounds' ratios {paired:.2f}" + ("   <- asserted <= 2" if i == 1 else ""))
    print(f"\n`open-diplomacy lint` of 2,000 scenes ({files} files) vs a process that only parses them with "
          f"yaml.CSafeLoader, whole processes, {rounds} rounds:\n" + "\n".join(rows))
    assert worst <= 2
