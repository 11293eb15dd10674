"""`playtest`, `replay` and `graph` on stories with known answers."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from game import load_story
from game.playtest.explore import exhaustive_playtest, random_playtest
from game.playtest.graph import to_dot, to_mermaid
from tests.conftest import ROOT, repo_path

MAZE = repo_path("tests", "data", "maze")
SPY = repo_path("tests", "data", "spy")


def cli(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "game", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_exhaustive_finds_the_known_answers():
    rep = exhaustive_playtest(load_story(MAZE))
    assert rep.complete
    assert set(rep.story.scenes) - rep.reached == {"vault"}
    assert {f.scene: f.path for f in rep.soft_locks} == {"cellar": ["cellar"]}
    assert {f.scene: f.path for f in rep.no_exit} == {"loop_a": ["wander"], "loop_b": ["wander", "continue"]}
    assert all(rep.endings[e] > 0 for e in ("exit", "coin_heads", "coin_tails"))
    assert rep.ranges["keys"][:2] == [0, 2]  # search is allowed twice only
    assert set(rep.ranges["mood"]) == {"calm", "afraid"}


def test_exhaustive_json_is_as_specified():
    r = cli("playtest", MAZE, "--exhaustive", "--json")
    assert r.returncode == 1  # a soft-lock and a loop with no way out
    j = json.loads(r.stdout)
    assert j["story"] == "maze" and j["mode"] == "exhaustive" and j["states"] > 0
    assert j["scenes"] == {"total": 9, "reached": 8, "never_reached": ["vault"]}
    assert set(j["choices"]["never_taken"]) == {"hall.vault", "vault.continue", "cellar.light"}
    assert j["choices"]["total"] == 11 and j["choices"]["taken"] == 8
    assert set(j["endings"]) == {"exit", "coin_heads", "coin_tails"}
    assert j["soft_locks"] == [{"scene": "cellar", "path": ["cellar"], "states": 1}]
    assert j["errors"] == []
    assert j["variables"]["keys"] == {"min": 0, "max": 2}
    assert j["variables"]["lamp"]["min"] is False and j["variables"]["lamp"]["max"] is False


def test_random_finds_them_too_and_failures_replay(tmp_path):
    r = cli("playtest", MAZE, "--runs", "40", "--seed", "7", "--json", "--write-failures", str(tmp_path))
    assert r.returncode == 1
    j = json.loads(r.stdout)
    assert j["mode"] == "random" and j["runs"] == 40
    assert [s["scene"] for s in j["soft_locks"]] == ["cellar"]
    assert "seed" in j["soft_locks"][0] and "run" in j["soft_locks"][0]
    written = sorted(p.name for p in tmp_path.iterdir())
    assert "maze-softlock-1.yaml" in written
    # The written playthrough reproduces the soft-lock: it fails while the bug is there.
    rr = cli("replay", str(tmp_path / "maze-softlock-1.yaml"))
    assert rr.returncode == 1, rr.stdout
    assert "expected the player not to be stuck, but nothing is on offer in scene 'cellar'" in rr.stdout


def test_random_is_reproducible_and_avoid_used_covers_more():
    story = load_story(MAZE)
    a = random_playtest(story, runs=20, seed=3)
    b = random_playtest(story, runs=20, seed=3)
    assert a.endings == b.endings and a.taken == b.taken
    assert len(a.taken) >= len(random_playtest(story, runs=20, seed=3, avoid_used=False).taken)


def test_clean_story_passes_and_require_all_endings(story_dir):
    r = cli("playtest", SPY, "--exhaustive")
    assert r.returncode == 0, r.stdout
    assert "endings reached 3/3" in r.stdout
    shutil.copytree(SPY, story_dir.root, dirs_exist_ok=True)
    path = story_dir.root / "scenes.yaml"
    path.write_text(path.read_text().replace("if: chance(50)", "if: false"))
    r = cli("playtest", str(story_dir.root), "--exhaustive", "--require-all-endings")
    assert r.returncode == 1 and "endings never reached: lucky_end" in r.stdout


def test_max_states_marks_incomplete():
    rep = exhaustive_playtest(load_story(MAZE), max_states=3)
    assert not rep.complete
    r = cli("playtest", MAZE, "--exhaustive", "--max-states", "3")
    assert "INCOMPLETE" in r.stdout


def test_runtime_errors_are_found_with_their_path(story_dir):
    story_dir.write("story.yaml", """\
        format: 1
        id: err
        title: E
        start: a
        variables:
          who: {type: str, default: x, values: [x, y]}
          pick: {type: str, default: z, values: [x, y, z]}
        """)
    story_dir.write("s.yaml", """\
        scenes:
          - id: a
            text: A
            choices:
              - {id: fine, text: Fine, goto: end}
              - {id: boom, text: Boom, do: [who = pick], goto: end}
          - id: end
            text: "{who}"
            ending: {title: End}
        """)
    rep = exhaustive_playtest(load_story(str(story_dir.root)))
    assert [(f.scene, f.path) for f in rep.errors] == [("a", ["boom"])]
    assert "'who' to 'z'" in rep.errors[0].message


def test_replay_reports_a_wrong_step_with_what_is_on_offer(tmp_path):
    f = tmp_path / "wrong.yaml"
    f.write_text(f"story: {SPY}\nsteps: [refuse, jump]\n")
    r = cli("replay", str(f))
    assert r.returncode == 1
    assert f"{f}:2:17: error: step 2: no choice 'jump' in scene 'study'; on offer: continue" in r.stdout
    assert r.stdout.strip().endswith("0 passed, 1 failed")


def test_replay_failed_expectations_name_expected_and_actual(tmp_path):
    f = tmp_path / "exp.yaml"
    f.write_text(f"story: {SPY}\nseed: 1\nsteps: [refuse, continue]\n"
                 "expect:\n  ending: arrested\n  state: {trust: 9}\n  visited: [lucky_end]\n")
    r = cli("replay", str(f))
    assert r.returncode == 1
    assert "expected ending 'arrested', but reached ending 'quiet_end'" in r.stdout
    assert "expected trust = 9, actual 6" in r.stdout
    assert "expected scene 'lucky_end' to have been visited" in r.stdout


def test_replay_locked_choice_and_numeric_steps(story_dir):
    shutil.copytree(SPY, story_dir.root, dirs_exist_ok=True)
    (story_dir.root / "playthroughs" / "locked.yaml").write_text("story: spy\nsteps: [wait]\n")
    r = cli("replay", str(story_dir.root / "playthroughs" / "locked.yaml"))
    assert "(locked: wait)" in r.stdout and r.returncode == 1


def test_blessed_transcript_fails_with_a_diff_after_a_one_word_change(story_dir):
    shutil.copytree(SPY, story_dir.root, dirs_exist_ok=True)
    pt = story_dir.root / "playthroughs" / "history.yaml"
    r = cli("replay", "--bless", str(pt))
    assert r.returncode == 0, r.stdout
    transcript = story_dir.root / "playthroughs" / "history.transcript.txt"
    assert "The stove ticks." in transcript.read_text()
    assert cli("replay", str(pt)).returncode == 0
    scenes = story_dir.root / "scenes.yaml"
    scenes.write_text(scenes.read_text().replace("The stove ticks.", "The stove hisses."))
    r = cli("replay", str(pt))
    assert r.returncode == 1
    assert "-The stove ticks." in r.stdout and "+The stove hisses." in r.stdout
    assert "differs from the blessed transcript" in r.stdout


def test_replay_folder_and_story_folder():
    r = cli("replay", SPY)  # a story folder means its playthroughs/
    assert r.returncode == 0 and "2 passed, 0 failed" in r.stdout


def test_graph_dot_and_mermaid():
    story = load_story(MAZE)
    dot = to_dot(story, unreached={"vault"})
    assert '"gate" -> "hall"' in dot and "doubleoctagon" in dot and "#f2b8b5" in dot
    mm = to_mermaid(story)
    assert mm.startswith("flowchart LR") and "s_gate -->" in mm and "s_exit([" in mm


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_graph_renders_with_graphviz(tmp_path):
    r = cli("graph", SPY, "--coverage")
    assert r.returncode == 0
    out = subprocess.run(["dot", "-Tsvg"], input=r.stdout, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "<svg" in out.stdout
