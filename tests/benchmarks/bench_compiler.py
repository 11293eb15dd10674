"""Lint time of a 2,000-scene story against the floor: parsing the same
files with libyaml's C loader alone. Target: lint ≤ 3× the bare parse."""

import time

import yaml

from game import check_story
from game.story import expressions


def _best(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def test_lint_vs_bare_parse(big_story):
    files = sorted(big_story.glob("*.yaml"))
    texts = [f.read_bytes() for f in files]

    def bare():
        for t in texts:
            yaml.load(t, Loader=yaml.CSafeLoader)

    def lint():
        story, problems = check_story(str(big_story))
        assert story is not None and not [p for p in problems if p.is_error]

    parse_s = _best(bare)
    lint_s = _best(lint)
    ratio = lint_s / parse_s
    print(f"\n2,000 scenes, {len(files)} files: bare C parse {parse_s * 1000:.0f} ms, "
          f"lint {lint_s * 1000:.0f} ms, ratio {ratio:.2f} (target ≤ 3)")
    assert ratio <= 3
