"""`open-diplomacy play STORY --at SCENE [--where COND]` and `--watch`, from
the command line (plain mode: the terminal game's side is in
tests/tui/test_live_reload.py)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

COURIER = str(ROOT / "tests" / "data" / "tui")


def play(*args, typed: str = "q\n") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "game", "play", COURIER, *args], input=typed,
                          capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_at_starts_in_the_scene_by_the_shortest_way_and_undo_walks_back(tmp_path):
    out = play("--plain", "--saves", str(tmp_path), "--at", "border", "--where", "risk >= 4", typed="u\nu\nq\n")
    assert out.returncode == 0, out.stderr
    screens = out.stdout.split("== Tokyo, 1941 / ")
    assert screens[1].startswith("The border ==")
    assert "Started in 'The border' by the shortest known way (2 steps; u walks back along it)." in \
        " ".join(screens[1].split())
    assert "(Risk 4; bag true; money 0.)" in " ".join(screens[1].split())
    assert screens[2].startswith("The station ==")
    assert screens[3].startswith("The office [sic] ==")


def test_the_game_started_at_a_scene_is_autosaved_and_continues(tmp_path):
    assert play("--plain", "--saves", str(tmp_path), "--at", "station").returncode == 0
    out = play("--plain", "--saves", str(tmp_path), "--continue")
    assert out.returncode == 0, out.stderr
    assert "== Tokyo, 1941 / The station ==" in out.stdout


def test_at_says_why_it_cannot(tmp_path):
    out = play("--plain", "--saves", str(tmp_path), "--at", "statoin")
    assert out.returncode == 1
    assert out.stderr == "cannot start at 'statoin': no scene 'statoin' in this story (did you mean 'station'?)\n"
    out = play("--plain", "--saves", str(tmp_path), "--at", "station", "--where", "trust > 9")
    assert out.returncode == 1
    assert out.stderr == ("cannot start at 'station': no reachable state in 'station' satisfies trust > 9 "
                          "(all 5 reachable states explored)\n")
    assert out.stdout == ""  # no game was started


def test_a_bad_where_gets_a_positioned_error(tmp_path):
    out = play("--plain", "--saves", str(tmp_path), "--at", "station", "--where", "bag and trsut > 2")
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        "--where:1:9: error: undeclared variable 'trsut' (did you mean 'trust'?)",
        "  bag and trsut > 2",
        "          ^",
    ]


def test_options_that_do_not_go_together(tmp_path):
    out = play("--plain", "--watch", "--saves", str(tmp_path))
    assert out.returncode == 2
    assert out.stderr.startswith("--watch needs the terminal game, and --plain was given: plain mode reads one "
                                 "line at a time")
    out = play("--watch", "--saves", str(tmp_path))  # a pipe is not a full-screen terminal either
    assert out.returncode == 2
    assert "--watch needs the terminal game, and this is not a full-screen terminal" in out.stderr
    out = play("--plain", "--where", "bag", "--saves", str(tmp_path))
    assert (out.returncode, out.stderr) == (2, "--where needs --at SCENE (the condition a state in that scene "
                                               "must meet)\n")
    out = play("--plain", "--at", "station", "--continue", "--saves", str(tmp_path))
    assert (out.returncode, out.stderr) == (2, "--at starts a new game in a scene; it cannot be combined with "
                                               "--continue\n")


def test_watch_and_at_need_a_story(tmp_path):
    out = subprocess.run([sys.executable, "-m", "game", "play", "--plain", "--at", "x", "--saves", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL)
    assert (out.returncode, out.stderr) == (2, "--at needs a STORY (a story folder or a bundled story's id)\n")


def test_help_describes_the_options():
    out = subprocess.run([sys.executable, "-m", "game", "play", "--help"], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    text = " ".join(out.stdout.split())
    assert "--watch live reload:" in text and "--at SCENE start in SCENE" in text
    assert "--where COND with --at:" in text and "--max-states N" in text


def test_the_guides_examples_say_what_the_guide_says(tmp_path):
    """docs/authoring.md, "Writing with the game running beside it": each
    `stderr-of` block is what that command prints."""
    import os
    import shlex

    from tests.authoring.test_guide_tools import _write_guide_stories
    from tests.test_docs import blocks

    _write_guide_stories(tmp_path)
    examples = [(attrs["stderr-of"], body) for lang, attrs, body in blocks() if "stderr-of" in attrs]
    assert len(examples) == 3
    for cmd, expected in examples:
        argv = shlex.split(cmd)
        assert argv[:2] == ["open-diplomacy", "play"]
        out = subprocess.run([sys.executable, "-m", "game", *argv[1:]], capture_output=True, text=True, cwd=tmp_path,
                             timeout=60, stdin=subprocess.DEVNULL,
                             env={**os.environ, "OPEN_DIPLOMACY_SAVES": str(tmp_path / "saves")})
        assert (out.returncode, out.stderr, out.stdout) == (1, expected, "")
