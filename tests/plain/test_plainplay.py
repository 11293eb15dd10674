"""Plain mode (`open-diplomacy play --plain`): what a player sees and can do
when the game runs as plain lines on stdin/stdout."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys

import pytest
import yaml

from game import load_story
from game.plain import run_plain
from game.playtest.replay import run_playthrough
from tests.conftest import ROOT

SPY = str(ROOT / "tests" / "data" / "spy")
MAZE = str(ROOT / "tests" / "data" / "maze")


@pytest.fixture(scope="module")
def spy():
    return load_story(SPY)


def play(story, saves, typed: str, resume: bool = False, seed: int = 1) -> tuple[int, str]:
    """Run plain mode with `typed` as the player's input; (exit status, output)."""
    out = io.StringIO()
    rc = run_plain(story, saves=str(saves), resume=resume, seed=seed, stdin=io.StringIO(typed), stdout=out)
    return rc, out.getvalue()


def test_first_scene_text_and_numbered_choices_are_printed(spy, tmp_path):
    rc, out = play(spy, tmp_path, "")
    assert rc == 0
    assert "== Blagoveshchensk, 1931 / The hall ==" in out
    assert "The stove ticks. Suspicion stands at 0." in out
    assert "  1. Send him away." in out
    assert "  2. Open the safe." in out
    assert "Suspicion: 0/10  Trust: 5/10" in out
    assert out.index("The stove ticks") < out.index("  1. Send him away.") < out.index("  2. Open the safe.")
    assert out.endswith("\n> \n"), "the prompt comes last; EOF ends the line"


def test_eof_and_q_both_exit_with_status_0(spy, tmp_path):
    rc, out = play(spy, tmp_path, "")
    assert rc == 0
    rc, out = play(spy, tmp_path, "q\n1\n")
    assert rc == 0
    assert "Goodbye." in out and "--continue" in out
    assert "The study" not in out, "nothing after q is read"


def test_a_number_takes_the_choice_and_shows_the_note_and_next_scene(spy, tmp_path):
    rc, out = play(spy, tmp_path, "1\n")
    assert rc == 0
    note = out.index("-- What really happened --")
    assert out.index("She refused [sic].") > note
    assert out.index("Source: Motov-1 p.14") > note
    study = out.index("== Blagoveshchensk, 1931 / The study ==")
    assert study > out.index("Source: Motov-1 p.14")
    assert "Morning." in out[study:]
    assert "He smiles at you." in out[study:]  # trust went 5 -> 6
    assert "Trust: 6/10" in out[study:]
    assert "  1. Continue" in out[study:]


def test_a_choice_without_a_note_shows_no_note(spy, tmp_path):
    rc, out = play(spy, tmp_path, "2\n")
    assert "What really happened" not in out
    assert "THE END: Arrested" in out
    assert "You chose as they did in 0 of 1 decisions." in out
    assert '- The hall: you chose "Open the safe."; history: "Send him away."' in out


def test_a_locked_choice_is_shown_and_refused_with_its_reason(spy, tmp_path):
    rc, out = play(spy, tmp_path, "3\n")
    assert "  3. (not possible: Pudín is not here.) Wait for Pudín." in out
    assert "Not possible: Pudín is not here." in out
    assert "The study" not in out, "a locked choice must not be taken"
    saved = json.loads((tmp_path / "spy.autosave.json").read_text(encoding="utf-8"))
    assert saved["steps"] == [] and saved["scene"] == "hall"


def test_numbers_out_of_range_and_unknown_commands_are_refused(spy, tmp_path):
    rc, out = play(spy, tmp_path, "9\n0\nxyz\n")
    assert out.count("There is no such choice.") == 2
    assert "Type a choice number, or h for help." in out
    assert "The study" not in out


def test_enter_alone_continues_and_the_ending_is_shown(spy, tmp_path):
    rc, out = play(spy, tmp_path, "1\n\n", seed=1)
    assert rc == 0
    assert "THE END: Quiet" in out
    assert "Lucky was false." in out
    assert "You chose as they did in 1 of 1 decisions." in out
    assert "Endings found: 1 of 3." in out
    rc, out = play(spy, tmp_path, "1\n", resume=True)
    assert "THE END: Quiet" in out
    assert "The story has ended: u to undo, q to quit." in out


def test_u_undoes_the_last_choice(spy, tmp_path):
    rc, out = play(spy, tmp_path, "u\n1\nu\n")
    assert "Nothing to undo: this is the start." in out
    back = out.index("(one step back)")
    assert out.index("The study") < back
    assert "== Blagoveshchensk, 1931 / The hall ==" in out[back:]
    assert "Trust: 5/10" in out[back:]
    saved = json.loads((tmp_path / "spy.autosave.json").read_text(encoding="utf-8"))
    assert saved["steps"] == [], "the autosave follows the undo"


def test_save_writes_a_slot_and_load_brings_it_back(spy, tmp_path):
    rc, out = play(spy, tmp_path, "1\ns one\n")
    assert "Saved in slot 'one'." in out
    assert (tmp_path / "spy.one.json").is_file()
    # A new game in a new session (2: start over), then load the slot: back in the study.
    rc, out = play(spy, tmp_path, "2\nl one\n")
    loaded = out.index("Loaded slot 'one'.")
    assert out.index("The hall") < loaded
    assert "== Blagoveshchensk, 1931 / The study ==" in out[loaded:]
    assert "Trust: 6/10" in out[loaded:]
    # Without a name, l lists the slots.
    rc, out = play(spy, tmp_path, "1\nl\n")
    assert "  one: " in out and "The study" in out
    assert "  autosave: " in out


def test_save_without_a_name_uses_quicksave_and_bad_names_are_refused(spy, tmp_path):
    rc, out = play(spy, tmp_path, "s\ns ../evil\nl nosuch\n")
    assert "Saved in slot 'quicksave'." in out
    assert (tmp_path / "spy.quicksave.json").is_file()
    assert "Cannot save: a slot name is 1–40 letters, digits, spaces, '-' or '_'" in out
    assert not (tmp_path.parent / "evil.json").exists()
    assert "Cannot load: no such save file" in out


def test_resume_continues_where_the_last_session_stopped(spy, tmp_path):
    play(spy, tmp_path, "1\n")  # stop in the study (EOF)
    rc, out = play(spy, tmp_path, "", resume=True)
    assert rc == 0
    assert "The study" in out
    assert "The hall" not in out
    assert "Cannot continue" not in out


def test_resume_without_an_autosave_starts_a_new_game(spy, tmp_path):
    rc, out = play(spy, tmp_path / "empty", "", resume=True)
    assert rc == 0
    assert "Cannot continue: no such save file. Starting a new game." in out
    assert "The hall" in out


def test_a_story_changed_since_the_save_is_resumed_with_a_notice(tmp_path):
    folder = tmp_path / "spy"
    shutil.copytree(SPY, folder)
    saves = tmp_path / "saves"
    play(load_story(str(folder)), saves, "1\n")
    scenes = folder / "scenes.yaml"
    scenes.write_text(scenes.read_text(encoding="utf-8").replace("id: refuse", "id: decline"), encoding="utf-8")
    rc, out = play(load_story(str(folder)), saves, "", resume=True)
    out = " ".join(out.split())  # the notice is wrapped to the width
    assert ("(Note: The story has changed since this game was saved: step 1 of 1 ('refuse') "
            "no longer exists, so the game resumes after step 0, in 'The hall'.)") in out
    after = out.index("(Note: The story has changed")
    assert "The stove ticks." in out[after:]
    assert "1. Send him away." in out[after:]
    assert "The study" not in out


def test_n_lists_the_notes_seen_so_far(spy, tmp_path):
    rc, out = play(spy, tmp_path, "n\n1\nn\n")
    assert out.count("No notes yet.") == 1
    last = out.rindex("-- The hall --")
    assert "She refused [sic]." in out[last:]
    assert "Source: Motov-1 p.14" in out[last:]


def test_help_lists_the_commands(spy, tmp_path):
    for key in ("h", "?"):
        rc, out = play(spy, tmp_path, key + "\n")
        assert "Commands:" in out
        for cmd in ("u ", "s [NAME]", "l [NAME]", "n ", "r ", "q "):
            assert "\n  " + cmd in out


def test_r_records_a_playthrough_that_replays(spy, tmp_path):
    rc, out = play(spy, tmp_path, "1\n\nr\n", seed=1)
    line = next(l for l in out.splitlines() if "Recorded this game as " in l)
    path = line.split("Recorded this game as ", 1)[1].strip()
    rec = tmp_path / "recordings"
    assert [str(p) for p in rec.iterdir()] == [path]
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    assert doc["steps"] == ["refuse", "continue"]
    assert doc["seed"] == 1
    assert doc["expect"]["ending"] == "quiet_end"
    result = run_playthrough(path)
    assert result.ok, [str(p) for p in result.problems]
    cli = subprocess.run([sys.executable, "-m", "game", "replay", path], capture_output=True, text=True,
                         cwd=str(ROOT), timeout=30)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "1 passed, 0 failed" in cli.stdout


def test_a_recording_in_the_middle_of_a_game_replays_to_that_scene(tmp_path):
    maze = load_story(MAZE)
    rc, out = play(maze, tmp_path, "1\n1\nr\nr\n")
    paths = sorted((tmp_path / "recordings").iterdir())
    assert len(paths) == 2, "each r writes a new file, even within the same second"
    doc = yaml.safe_load(paths[0].read_text(encoding="utf-8"))
    assert doc["steps"] == ["enter", "search"]
    assert doc["expect"]["scene"] == "hall" and doc["expect"]["state"]["keys"] == 1
    for p in paths:
        result = run_playthrough(str(p))
        assert result.ok, [str(x) for x in result.problems]


SQUARE_MANIFEST = """\
format: 1
id: brackets
title: "Brackets [draft]"
start: a
"""

SQUARE_SCENES = """\
scenes:
  - id: a
    title: "The [red]hall[/red]"
    text: |
      He wrote [sic] and then [/] and [bold]nothing[/bold].
    choices:
      - id: go
        text: "Go [left]"
        note: n
        goto: b
  - id: b
    ending: {title: "End [b]", text: "Bye [/]."}
notes:
  n: {text: "A note [sic] [/].", source: "Box [3], folder 1"}
"""


def test_author_text_with_square_brackets_is_printed_verbatim(story_dir, tmp_path):
    story_dir.write("story.yaml", SQUARE_MANIFEST)
    story_dir.write("scenes.yaml", SQUARE_SCENES)
    rc, out = play(load_story(str(story_dir.root)), tmp_path / "saves", "1\n")
    assert rc == 0
    assert "== The [red]hall[/red] ==" in out
    assert "He wrote [sic] and then [/] and [bold]nothing[/bold]." in out
    assert "  1. Go [left]" in out
    assert "A note [sic] [/]." in out
    assert "Source: Box [3], folder 1" in out
    assert "THE END: End [b]" in out
    assert "Bye [/]." in out


def run_cli(args: list[str], typed: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "game", *args], input=typed, capture_output=True, text=True,
                          cwd=str(ROOT), timeout=30)


def test_cli_play_plain_reads_piped_input(tmp_path):
    out = run_cli(["play", "--plain", SPY, "--saves", str(tmp_path), "--seed", "1"], "1\n\nq\n")
    assert out.returncode == 0, out.stderr
    assert "  1. Send him away." in out.stdout
    assert "Source: Motov-1 p.14" in out.stdout
    assert "THE END: Quiet" in out.stdout
    assert "Goodbye." in out.stdout
    assert (tmp_path / "spy.autosave.json").is_file()


def test_cli_continue_resumes_the_autosave(tmp_path):
    run_cli(["play", "--plain", SPY, "--saves", str(tmp_path)], "1\n")
    out = run_cli(["play", "--plain", SPY, "--saves", str(tmp_path), "--continue"], "")
    assert out.returncode == 0, out.stderr
    assert "The study" in out.stdout and "The hall" not in out.stdout


def test_cli_play_without_a_tty_falls_back_to_plain_mode(tmp_path):
    out = run_cli(["play", SPY, "--saves", str(tmp_path)], "2\n")
    assert out.returncode == 0, out.stderr
    assert "  2. Open the safe." in out.stdout
    assert "THE END: Arrested" in out.stdout
    assert "\x1b[" not in out.stdout, "no full-screen escape codes on a pipe"


def test_cli_play_of_a_broken_story_fails_with_status_1(tmp_path):
    (tmp_path / "story.yaml").write_text("format: 1\nid: x\n", encoding="utf-8")
    out = run_cli(["play", "--plain", str(tmp_path), "--saves", str(tmp_path / "saves")], "")
    assert out.returncode == 1
    assert "cannot play:" in out.stderr


# ---------------------------------------------------------------- settings

def _settings(**kw):
    from game.settings import Settings, save
    save(Settings(**kw))


def test_notes_below_the_text(spy, tmp_path):
    _settings(notes="inline")
    rc, out = play(spy, tmp_path, "1\n")
    study = out.index("== Blagoveshchensk, 1931 / The study ==")
    assert "What really happened" not in out[:study]  # not before the scene
    after = out[study:]
    assert after.index("He smiles at you.") < after.index("-- What really happened --") \
        < after.index("She refused [sic].") < after.index("Source: Motov-1 p.14") < after.index("Trust: 6/10")


def test_notes_in_the_log_only(spy, tmp_path):
    _settings(notes="log")
    rc, out = play(spy, tmp_path, "1\nn\n")
    study = out.index("== Blagoveshchensk, 1931 / The study ==")
    assert "a new note is in the notes log: n" in out[:study]
    log = out.index("> n")
    assert "She refused [sic]." not in out[:log] and "She refused [sic]." in out[log:]


def test_paragraph_by_paragraph_waits_for_enter(spy, tmp_path):
    _settings(reveal="paragraph")
    rc, out = play(spy, tmp_path, "1\n")  # the end of input comes at the pause
    study = out[out.index("== Blagoveshchensk, 1931 / The study =="):]
    assert study.index("Morning.") < study.index("(Enter for more)")
    assert "He smiles at you." not in study and "1. Continue" not in study
    rc, out = play(spy, tmp_path / "again", "1\n\n")
    study = out[out.index("== Blagoveshchensk, 1931 / The study =="):]
    assert study.index("Morning.") < study.index("(Enter for more)") < study.index("He smiles at you.") \
        < study.index("  1. Continue")


def test_the_text_width_wraps_the_text(tmp_path):
    story = load_story(str(ROOT / "tests" / "data" / "tui"))  # a paragraph of 115 characters
    for width in (60, 70, 80):
        _settings(width=width)
        rc, out = play(story, tmp_path / str(width), "")
        lines = out.splitlines()
        first = next(line for line in lines if line.startswith("The consul pushes"))
        assert width - 12 < len(first) <= width
        assert max(len(line) for line in lines) <= width


def test_o_changes_a_setting_and_keeps_it(spy, tmp_path, own_config):
    rc, out = play(spy, tmp_path, "o\n1\n2\n1\n")
    assert "  1. Notes: dialog  (dialog, below the text, log only)" in out
    assert "Notes: below the text (saved)." in out
    assert json.loads((own_config / "settings.json").read_text(encoding="utf-8"))["notes"] == "inline"
    study = out.index("== Blagoveshchensk, 1931 / The study ==")
    assert out.index("-- What really happened --") > study  # in effect at once
    rc, out = play(spy, tmp_path, "2\no\n\n")  # (start over, then o)
    assert "  1. Notes: below the text" in out and "Nothing changed." in out


def test_a_damaged_settings_file_is_ignored_with_a_notice(spy, tmp_path, own_config):
    (own_config / "settings.json").write_text("{not json", encoding="utf-8")
    rc, out = play(spy, tmp_path, "1\n")
    assert rc == 0 and "was ignored (damaged (not JSON)); the defaults are used" in out
    assert out.index("-- What really happened --") < out.index("== Blagoveshchensk, 1931 / The study ==")
