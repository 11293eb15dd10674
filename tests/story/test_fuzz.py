"""Mutated stories: every outcome is a story or positioned problems, never
another exception."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from game import check_story
from game.engine.safetext import FORBIDDEN
from tests.conftest import repo_path

SPY = Path(repo_path("tests", "data", "spy"))
FILES = {name: (SPY / name).read_text(encoding="utf-8") for name in ("story.yaml", "scenes.yaml")}
INK = Path(repo_path("tests", "data", "ink_port"))
FILES_11 = {name: (INK / name).read_text(encoding="utf-8") for name in ("story.yaml", "scenes.yaml")}
FRAGMENTS = ["{seq: a | b}", "{if suspicion > 1: x | y}", "{sequ: a}", "{if: x}", "{cycle: {once: a | }",
             "\\|", "{shuffle:}", "{if lied: {if lied: {if lied: a}}}", "}", "{", "call: cell", "return: true",
             "then: free", "pause: false", "fallback: true", "was: [cell]", "reply: {seq: a}",
             "- {if: lied, do: [suspicion = suspicion / 0]}", "suspicion = random(3, 1)", "known += 'x'",
             "min(1)", "len(lied)", "'a' in lied"]
POSITIONED = re.compile(r"^.+:\d+:\d+: (error|warning): .+")


def mutate(text: str, data) -> str:
    lines = text.splitlines(keepends=True)
    op = data.draw(st.sampled_from(["delete", "duplicate", "retype", "bytes", "truncate", "swap_indent",
                                    "huge_int", "control", "form"]))
    if not lines:
        return text
    i = data.draw(st.integers(0, len(lines) - 1))
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "retype":
        line = lines[i]
        if ":" in line:
            key, _, _ = line.partition(":")
            new = data.draw(st.sampled_from(["[1, 2]", "{a: b}", "true", "42", "''", "~", "!!python/none x",
                                             "&a x", "*a", "'{x!r}'", "no", "\"unterminated"]))
            lines[i] = f"{key}: {new}\n"
    elif op == "bytes":
        raw = bytearray("".join(lines).encode("utf-8", "surrogateescape"))
        for _ in range(data.draw(st.integers(1, 5))):
            pos = data.draw(st.integers(0, max(len(raw) - 1, 0)))
            raw[pos] = data.draw(st.integers(0, 255))
        return raw.decode("utf-8", "surrogateescape")
    elif op == "truncate":
        full = "".join(lines)
        return full[: data.draw(st.integers(0, len(full)))]
    elif op == "huge_int":
        line = lines[i]
        if ":" in line:
            key, _, _ = line.partition(":")
            lines[i] = f"{key}: {'-' if data.draw(st.booleans()) else ''}{'7' * data.draw(st.integers(19, 6000))}\n"
    elif op == "control":
        ch = data.draw(st.sampled_from(["\x1b", "\x07", "\x00", "\x9b", "\u202e", "\x7f", "\x08"]))
        line = lines[i]
        at = data.draw(st.integers(0, len(line)))
        piece = ch if data.draw(st.booleans()) else f"\\u{ord(ch):04x}"
        lines[i] = line[:at] + piece + line[at:]
    elif op == "form":  # a format 1.1 construct, well- or ill-formed, somewhere in a line
        line = lines[i]
        j = data.draw(st.integers(0, len(line)))
        lines[i] = line[:j] + data.draw(st.sampled_from(FRAGMENTS)) + line[j:]
    elif op == "swap_indent":
        lines[i] = "  " + lines[i] if data.draw(st.booleans()) else lines[i].lstrip()
    return "".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_stories_give_a_story_or_positioned_problems(data):
    check_mutated(data, FILES)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_format11_stories_give_a_story_or_positioned_problems(data):
    check_mutated(data, FILES_11)


def check_mutated(data, files):
    target = data.draw(st.sampled_from(sorted(files)))
    texts = dict(files)
    for _ in range(data.draw(st.integers(1, 3))):
        texts[target] = mutate(texts[target], data)
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in texts.items():
            (Path(tmp) / name).write_bytes(text.encode("utf-8", "surrogateescape"))
        if hasattr(os, "mkfifo") and data.draw(st.integers(0, 9)) == 0:
            os.mkfifo(Path(tmp) / "pipe.yaml")  # must be refused, never opened for a blocking read
        story, problems = check_story(tmp)
    assert story is not None or any(p.is_error for p in problems)
    for p in problems:
        assert POSITIONED.match(str(p)), str(p)
        assert p.line >= 1 and p.column >= 1
    if story is not None:
        assert not any(FORBIDDEN.search(t) for t in (story.title, story.new_game().text))
        play = story.new_game()
        for _ in range(5):
            offered = [c.id for c in play.choices() if c.enabled]
            if not offered:
                break
            try:
                play.choose(offered[0])
            except Exception as exc:  # only the documented runtime error may escape
                assert type(exc).__name__ == "StoryRuntimeError", repr(exc)
                break
