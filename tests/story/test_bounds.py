"""Issue 11, "bounded": no story folder makes lint or play hang, take
unbounded memory, or lose its manifest; and the small contract slips."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from game import check_story
from tests.conftest import CONTENT, MANIFEST, ROOT


def errors_of(story_dir) -> list[str]:
    return [str(p) for p in story_dir.check()[1] if p.is_error]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_named_yaml_is_refused_without_blocking(base_story):
    fifo = base_story.root / "x.yaml"
    os.mkfifo(fifo)
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "game", "lint", str(base_story.root)], capture_output=True,
                          text=True, cwd=ROOT, timeout=30)
    assert time.monotonic() - t0 < 20
    assert proc.returncode == 1
    assert f"{fifo}:1:1: error: not a regular file (a FIFO); only plain files are read" in proc.stdout


def test_sparse_files_are_refused_by_size_before_reading(base_story):
    for i in range(40):
        with open(base_story.root / f"big{i:02}.yaml", "wb") as fh:
            fh.truncate(50 * 1024 * 1024)  # 50 MB claimed, nothing on disk
    t0 = time.monotonic()
    errors = errors_of(base_story)
    assert time.monotonic() - t0 < 5
    assert len(errors) == 40
    assert all(": error: file is 52,428,800 bytes; the limit is 5,242,880 (5 MB)" in e for e in errors)


def test_folder_byte_budget(base_story):
    filler = "# " + "x" * 1000 + "\n"
    for i in range(6):  # 6 files of ~4 MB: past the 20 MB budget
        (base_story.root / f"pad{i}.yaml").write_text(filler * 4000)
    errors = errors_of(base_story)
    assert any("the story folder holds more than 20 MB of YAML" in e for e in errors)


def test_errors_are_capped_per_file(base_story):
    (base_story.root / "noise.yaml").write_text("scenes: [" + "1, " * 300_000 + "1]\n")
    problems = [str(p) for p in base_story.check()[1]]
    noise = [p for p in problems if "noise.yaml" in p]
    assert len(noise) == 201
    assert noise[-1].endswith("more problems in this file (only the first 200 are listed)")


def test_many_files_still_find_story_yaml(base_story):
    sub = base_story.root / "aaa"
    sub.mkdir()
    for i in range(2_100):
        (sub / f"f{i:04}.yaml").write_text("")
    errors = errors_of(base_story)
    assert any("YAML files; the limit is 2,000" in e for e in errors)
    assert not any("no story.yaml" in e for e in errors)


@pytest.mark.parametrize("where", ["story", "playthrough"])
def test_huge_integer_is_a_positioned_error(base_story, tmp_path, where):
    digits = "9" * 5000
    if where == "story":
        base_story.write("story.yaml", MANIFEST.replace("default: 0", f"default: {digits}"))
        errors = errors_of(base_story)
        assert errors == [base_story.at("story.yaml", digits) + ": error: number 999999999999… (5,000 digits) "
                          "is too large; numbers in a story have at most 18 digits"]
    else:
        pt = tmp_path / "p.yaml"
        pt.write_text(f"story: {base_story.root}\nseed: {digits}\nsteps: [go]\n")
        proc = subprocess.run([sys.executable, "-m", "game", "replay", str(pt)], capture_output=True, text=True,
                              cwd=ROOT, timeout=60)
        assert proc.returncode == 1
        assert f"{pt}:2:7: error: number 999999999999… (5,000 digits) is too large" in proc.stdout
        assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("cond, fragment", [
    ("x >= 0x10", "numbers are written in plain decimal digits (no 0x, 0o, 0b or _)"),
    ("x >= 1_000", "numbers are written in plain decimal digits"),
    ("x >= 0o7", "numbers are written in plain decimal digits"),
    ("x >= 1  # always", "`#` is not part of the expression language"),
])
def test_python_only_literals_are_refused(base_story, cond, fragment):
    base_story.write("scenes.yaml", CONTENT.replace("if: x >= 0", f"if: \"{cond}\""))
    errors = errors_of(base_story)
    assert len(errors) == 1 and fragment in errors[0]
    assert errors[0].startswith(base_story.at("scenes.yaml", f'"{cond}"') + ": error: ")


def test_quoted_hash_and_underscore_stay_allowed(story_dir):
    story_dir.write("story.yaml", MANIFEST + "  tag: {type: str, default: a_1, values: [a_1, '#2']}\n")
    story_dir.write("scenes.yaml", CONTENT.replace("if: x >= 0", "if: tag == 'a_1' or tag == '#2'"))
    assert errors_of(story_dir) == []


# ------------------------------------------------------------------ run-time errors

BROKEN = """\
scenes:
  - id: a
    text: "Roll?"
    choices:
      - id: roll
        text: Roll
        do: [x = 2]
        goto: b
      - id: stay
        text: Stay
        goto: c
  - id: b
    text: "Rolled."
    choices:
      - id: again
        text: Again
        if: chance(x * 100)
        goto: c
  - id: c
    ending: {title: End, text: Over.}
"""


def test_runtime_error_in_plain_mode_is_a_message(base_story, tmp_path):
    base_story.write("scenes.yaml", BROKEN)
    proc = subprocess.run([sys.executable, "-m", "game", "play", "--plain", "--saves", str(tmp_path / "s"),
                           str(base_story.root)], input="1\n2\nq\n", capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "The story has an error, so this choice cannot be taken. In scene 'a', choice 'roll'" in proc.stdout
    assert "chance(200): the percentage must be between 0 and 100" in proc.stdout
    assert "scenes.yaml:5" in proc.stdout  # the choice's file and line
    # The game went on: the other choice still works.
    assert "End" in proc.stdout.split("cannot be taken", 1)[1]


def test_story_that_cannot_start(base_story, tmp_path):
    base_story.write("scenes.yaml", BROKEN.replace('    text: "Roll?"', '    text: "Roll?"\n    do: [x = 2]')
                     .replace("      - id: roll", "      - id: roll\n        if: chance(x * 100)"))
    proc = subprocess.run([sys.executable, "-m", "game", "play", "--plain", "--saves", str(tmp_path / "s"),
                           str(base_story.root)], input="q\n", capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "This story cannot start: its first scene fails. In scene 'a'" in proc.stdout


def test_five_megabytes_of_values_are_refused_before_composing(base_story):
    (base_story.root / "n.yaml").write_text("scenes: [" + "1," * 2_400_000 + "1]\n")
    errors = [e for e in errors_of(base_story) if "n.yaml" in e]
    assert len(errors) == 1
    assert "the file holds more than 500,000 values; split it or shorten it" in errors[0]
