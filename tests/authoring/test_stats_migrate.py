"""`stats` on the tiny story, counted by hand; `migrate-check` with a renamed and a removed choice."""

from __future__ import annotations

import json
import subprocess
import sys

from game.authoring.stats import count_words, story_stats
from game.cli import main
from tests.authoring.tiny import SCENES, write_tiny


def test_count_words():
    assert count_words("Trust is {trust}.") == 3
    assert count_words("A — dash, {{braces}} and *emphasis*.") == 5
    assert count_words(["One two.", {"if": "x", "text": "Three."}]) == 3


def test_stats_counted_by_hand(tmp_path):
    s = story_stats(str(write_tiny(tmp_path)))
    # hall: "A long corridor. Trust is {trust}." 6; office: 5 + 4 (conditional); street: 4
    assert s["words"] == {"scenes": 19, "choices": 4, "notes": 4, "codex": 0, "total": 27}
    assert s["files"] == {"scenes.yaml": {"scenes": 19, "choices": 4, "notes": 4, "codex": 0, "total": 27}}
    assert s["chapters"] == {"Moscow, 1925": 23}  # office and street carry the hall's chapter
    assert (s["scenes"], s["choices"], s["endings"], s["decisions"], s["forks"], s["conditional_paragraphs"]) == \
        (3, 2, 1, 1, 1, 1)
    # leave: 6 + 2 + 4; wait, continue: 6 + 2 + 9 + 4
    assert s["routes"]["shortest"] == {"words": 12, "ending": "street", "steps": ["leave"]}
    assert s["routes"]["longest"] == {"words": 21, "ending": "street", "steps": ["wait", "continue"], "bounded": False}


def test_stats_command_json_and_text(tmp_path, capsys):
    root = write_tiny(tmp_path)
    assert main(["stats", str(root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["words"]["total"] == 27
    assert main(["stats", str(root)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "tiny: 27 words (scenes 19, choices 4, notes 4, codex 0)"


def test_stats_on_a_bundled_story_by_id(capsys):
    assert main(["stats", "sorge", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["story"] == "sorge" and s["endings"] >= 1 and s["routes"]["shortest"]["words"] > 0


def _old_and_new(tmp_path):
    old = write_tiny(tmp_path / "old")
    new = write_tiny(tmp_path / "new")
    changed = (SCENES.replace("- id: wait\n        text: Wait here.", "- id: linger\n        text: Wait here a while.")
               .replace("chose(hall.wait)", "chose(hall.linger)")
               .replace("      - id: leave\n        text: Leave now.\n        if: visited(office) == 0\n"
                        "        goto: street\n", ""))
    (new / "scenes.yaml").write_text(changed, encoding="utf-8")
    pts = old / "playthroughs"
    pts.mkdir()
    (pts / "wait.yaml").write_text("story: tiny\nsteps: [wait, continue]\nexpect: {ending: street}\n", encoding="utf-8")
    (pts / "leave.yaml").write_text("story: tiny\nsteps: [leave]\n", encoding="utf-8")
    return old, new


def test_migrate_check_a_renamed_and_a_removed_choice(tmp_path, capsys):
    old, new = _old_and_new(tmp_path)
    from game.story.loader import load_story
    play = load_story(str(old)).new_game(seed=3)
    play.choose("wait")
    play.save(tmp_path / "slot.json")
    assert main(["migrate-check", str(old), str(new), str(old), str(tmp_path / "slot.json")]) == 1
    lines = capsys.readouterr().out.splitlines()
    leave, wait, slot = (str(old / "playthroughs" / "leave.yaml"), str(old / "playthroughs" / "wait.yaml"),
                         str(tmp_path / "slot.json"))
    assert lines[0] == f"CUT  {leave}: step 1 of 1 ('leave'): no choice 'leave' in scene 'hall'; on offer: linger"
    assert lines[1] == "     choice 'leave' was removed from scene 'hall'"
    assert lines[2] == f"CUT  {wait}: step 1 of 2 ('wait'): no choice 'wait' in scene 'hall'; on offer: linger"
    assert lines[3].startswith("     choice 'wait' of scene 'hall' looks renamed to 'linger' (")
    assert lines[3].endswith("scenes.yaml:9): add `was: [wait]` to it")
    assert lines[4].startswith(f"CUT  {slot}: step 1 of 1 ('wait')")
    assert lines[-1] == "3 of 3 would be cut short"


def test_migrate_check_passes_when_nothing_changed(tmp_path, capsys):
    old, _ = _old_and_new(tmp_path)
    out = subprocess.run([sys.executable, "-m", "game", "migrate-check", str(old), str(old)], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.splitlines()[-1] == "0 of 2 would be cut short"
