"""Step semantics (§3), undo, saves and their migration (§10)."""

from __future__ import annotations

import json
import os
import random
import shutil

import pytest
from hypothesis import given, settings, strategies as st

from game import SaveError, StoryRuntimeError, load_story
from game.engine import saves as saves_mod
from game.engine.saves import SaveStore
from tests.conftest import repo_path

SPY = repo_path("tests", "data", "spy")

ORDER_MANIFEST = """\
format: 1
id: order
title: Order
start: hall
variables:
  n: {type: int, default: 0, min: 0, max: 3}
  log: {type: str, default: start, values: [start, chose, entered, trig]}
  who: {type: str, default: a, values: [a, b]}
  other: {type: str, default: c, values: [a, b, c]}
triggers:
  - if: n >= 3 and visited(caught) == 0
    goto: caught
"""

ORDER_CONTENT = """\
scenes:
  - id: hall
    text: "n={n} log={log}"
    do: [n += 1]
    choices:
      - id: push
        text: Push
        do: [n += 1, log = 'chose']
        goto:
          - if: n >= 2
            to: room
          - to: hall
      - id: once_only
        text: Once
        once: true
        goto: hall
      - id: locked_one
        text: Locked
        if: n > 100
        locked: "Not yet."
        goto: hall
      - id: hidden_one
        text: Hidden
        if: n > 100
        goto: hall
      - id: bad
        text: Bad
        if: n == 1
        do: [who = other]
        goto: hall
  - id: room
    text: "room"
    do: [log = 'entered']
    goto: caught
  - id: caught
    text: "caught {n}"
    ending: {title: Caught}
"""


@pytest.fixture
def order_story(story_dir):
    story_dir.write("story.yaml", ORDER_MANIFEST)
    story_dir.write("s.yaml", ORDER_CONTENT)
    return load_story(str(story_dir.root))


def test_start_scene_is_entered(order_story):
    play = order_story.new_game()
    assert play.scene.id == "hall"
    assert play.state["n"] == 1  # the start scene's `do` applies
    assert play.visits == {"hall": 1}
    assert play.text == "n=1 log=start"


def test_choices_locked_hidden_and_once(order_story):
    play = order_story.new_game()
    offered = play.choices()
    assert [c.id for c in offered] == ["push", "once_only", "locked_one", "bad"]
    locked = offered[2]
    assert (locked.enabled, locked.reason) == (False, "Not yet.")
    with pytest.raises(ValueError, match="locked_one.*locked; on offer: push, once_only, bad"):
        play.choose("locked_one")
    with pytest.raises(ValueError, match="no choice 'hidden_one'"):
        play.choose("hidden_one")
    play.choose("once_only")
    assert "once_only" not in [c.id for c in play.choices()]


def test_trigger_wins_over_goto(order_story):
    play = order_story.new_game()  # n = 1
    play.choose("push")  # n = 2 -> room ... no: entering hall adds 1
    # push: n 1->2, goto room (n >= 2); room does not add; trigger needs n >= 3
    assert play.scene.id == "room"
    assert play.state["log"] == "entered"  # the target's `do` ran after the choice's
    play.choose("continue")
    assert play.ended and play.scene.id == "caught"


def test_trigger_fires_before_target_entry(order_story):
    play = order_story.new_game()
    play.choose("once_only")  # hall again: n = 2
    result = play.choose("push")  # n = 3: the trigger sends the player to caught
    assert result.trigger == "caught"
    assert play.scene.id == "caught" and play.state["n"] == 3
    assert play.visits.get("room") is None


def test_int_clamped(story_dir):
    """Every assignment clamps into [min, max]: adding past max stops at max,
    subtracting past min stops at min, and `=` is clamped too."""
    story_dir.write("story.yaml", "format: 1\nid: c\ntitle: C\nstart: a\nvariables:\n"
                                  "  n: {type: int, default: 2, min: 0, max: 3}\n")
    story_dir.write("s.yaml", """\
scenes:
  - id: a
    text: "n={n}"
    choices:
      - {id: up, text: Up, do: [n += 5], goto: a}
      - {id: down, text: Down, do: [n -= 7], goto: a}
      - {id: set, text: Set, do: [n = 99], goto: a}
      - {id: stop, text: Stop, goto: b}
  - id: b
    ending: {title: End, text: Over.}
""")
    play = load_story(str(story_dir.root)).new_game()
    play.choose("up")
    assert play.state["n"] == 3 and play.text == "n=3"
    play.choose("up")
    assert play.state["n"] == 3
    play.choose("down")
    assert play.state["n"] == 0
    play.choose("set")
    assert play.state["n"] == 3
    play.undo()
    assert play.state["n"] == 0  # undo restores the clamped value, not the raw one


def test_runtime_error_names_scene_choice_and_file(order_story):
    play = order_story.new_game()
    before = play.snapshot()
    with pytest.raises(StoryRuntimeError) as exc:
        play.choose("bad")
    msg = str(exc.value)
    assert "s.yaml:" in msg and "'who'" in msg and "'c'" in msg
    assert "scene 'hall'" in msg and "choice 'bad'" in msg
    assert play.snapshot() == before  # nothing changed


def test_runtime_goto_into_missing_scene_after_hot_edit(order_story):
    play = order_story.new_game()
    del order_story.scene_table["room"]  # as a hot edit would leave it
    with pytest.raises(StoryRuntimeError, match="scene 'room', which does not exist.*scene 'hall'.*choice 'push'"):
        play.choose("push")
    assert play.scene.id == "hall" and play.state["n"] == 1


def test_chance_replays_identically():
    story = load_story(SPY)
    outcomes = set()
    for seed in range(40):
        runs = []
        for _ in range(2):
            p = story.new_game(seed=seed)
            p.choose("refuse")
            p.choose("continue")
            runs.append(p.scene.id)
        assert runs[0] == runs[1]
        outcomes.add(runs[0])
    assert outcomes == {"lucky_end", "quiet_end"}


def random_walk(story, seed, steps):
    rnd = random.Random(seed)
    play = story.new_game(seed=seed)
    for _ in range(steps):
        offered = [c.id for c in play.choices() if c.enabled and c.id != "bad"]
        if not offered:
            break
        play.choose(rnd.choice(offered))
    return play


def test_undo_to_start_and_forward_again(order_story):
    story = load_story(SPY)
    for s in (story, order_story):
        for seed in range(20):
            play = random_walk(s, seed, 10)
            final = play.snapshot()
            steps = list(play.steps)
            snaps = []
            while play.can_undo:
                play.undo()
                snaps.append(play.snapshot())
            assert play.snapshot() == s.new_game(seed=seed).snapshot()
            assert play.undo() is False
            for step in steps:
                play.choose(step)
            assert play.snapshot() == final


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), steps=st.integers(0, 12))
def test_save_load_round_trip(tmp_path_factory, seed, steps):
    story = load_story(SPY)
    play = random_walk(story, seed, steps)
    path = tmp_path_factory.mktemp("saves") / "slot.json"
    play.save(path)
    loaded = story.load_game(path)
    assert loaded == play
    assert loaded.snapshot() == play.snapshot()
    assert loaded.notice is None
    if play.can_undo:  # the loaded game can undo too
        loaded.undo()
        play.undo()
        assert loaded.snapshot() == play.snapshot()


def test_crash_between_write_and_rename_keeps_old_save(tmp_path, monkeypatch):
    story = load_story(SPY)
    path = tmp_path / "slot.json"
    first = story.new_game(seed=3)
    first.save(path)
    old = path.read_bytes()
    later = story.new_game(seed=3)
    later.choose("refuse")

    def crash(*a, **k):
        raise OSError("power cut")

    monkeypatch.setattr(saves_mod.os, "replace", crash)
    with pytest.raises(SaveError):
        later.save(path)
    assert path.read_bytes() == old
    assert [f.name for f in tmp_path.iterdir()] == ["slot.json"]  # no temp file left behind
    assert story.load_game(path).snapshot() == first.snapshot()


@pytest.mark.parametrize("content, reason", [
    (b'{"format": "open-diplomacy-save", "vers', "corrupt or truncated"),
    (b"\x00\x01\x02", "corrupt or truncated"),
    (b'{"hello": 1}', "not an Open Diplomacy save"),
    (b"[]", "not an Open Diplomacy save"),
])
def test_corrupt_saves_are_refused(tmp_path, content, reason):
    story = load_story(SPY)
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    other = tmp_path / "good.json"
    story.new_game().save(other)
    good = other.read_bytes()
    with pytest.raises(SaveError) as exc:
        story.load_game(path)
    assert str(path) in str(exc.value) and reason in str(exc.value)
    assert other.read_bytes() == good and path.read_bytes() == content


def test_truncated_real_save(tmp_path):
    story = load_story(SPY)
    path = tmp_path / "s.json"
    story.new_game().save(path)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(SaveError, match="corrupt or truncated"):
        story.load_game(path)


def test_foreign_and_future_saves(tmp_path, order_story):
    spy = load_story(SPY)
    path = tmp_path / "s.json"
    order_story.new_game().save(path)
    with pytest.raises(SaveError, match="belongs to the story 'order', not 'spy'"):
        spy.load_game(path)
    data = json.loads(path.read_text())
    data["version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(SaveError, match="newer version"):
        order_story.load_game(path)


def test_tampered_save_is_refused(tmp_path):
    story = load_story(SPY)
    path = tmp_path / "s.json"
    story.new_game().save(path)
    data = json.loads(path.read_text())
    data["vars"]["trust"] = 10
    path.write_text(json.dumps(data))
    with pytest.raises(SaveError, match="does not match"):
        story.load_game(path)


def _copy_story(src, dst):
    shutil.copytree(src, dst)


def test_migration_after_adding_scene_and_variable(tmp_path):
    _copy_story(SPY, tmp_path / "v1")
    old = load_story(str(tmp_path / "v1"))
    play = old.new_game(seed=2)
    play.choose("refuse")
    path = tmp_path / "s.json"
    play.save(path)
    story_yaml = tmp_path / "v1" / "story.yaml"
    story_yaml.write_text(story_yaml.read_text().replace(
        "triggers:", "  fresh: {type: int, default: 4}\ntriggers:\n  - if: fresh == 99\n    goto: arrested"))
    scenes = tmp_path / "v1" / "scenes.yaml"
    scenes.write_text(scenes.read_text().replace("notes:", "  - id: epilogue\n    text: new\n    goto: quiet_end\nnotes:")
                      .replace("        goto: study\n      - id: open", "        goto: study\n      - id: later\n        text: Later\n        goto: epilogue\n      - id: open"))
    new = load_story(str(tmp_path / "v1"))
    assert new.fingerprint != old.fingerprint
    loaded = new.load_game(path)
    assert loaded.scene.id == "study" and loaded.steps == ["refuse"]
    assert loaded.state["fresh"] == 4
    assert "carried over" in loaded.notice


def test_migration_after_removing_a_choice(tmp_path):
    _copy_story(SPY, tmp_path / "v1")
    old = load_story(str(tmp_path / "v1"))
    play = old.new_game(seed=2)
    play.choose("open")
    path = tmp_path / "s.json"
    play.save(path)
    scenes = tmp_path / "v1" / "scenes.yaml"
    text = scenes.read_text()
    start = text.index("      - id: open")
    end = text.index("      - id: wait")
    scenes.write_text(text[:start] + text[end:])
    new = load_story(str(tmp_path / "v1"))
    loaded = new.load_game(path)
    assert loaded.scene.id == "hall" and loaded.steps == []
    assert "step 1 of 1 ('open') no longer exists" in loaded.notice


def test_save_slots(tmp_path):
    story = load_story(SPY)
    store = SaveStore(tmp_path)
    play = story.new_game()
    store.save(play, "slot-1", label="before the safe")
    assert [s["slot"] for s in store.slots("spy")] == ["slot-1"]
    assert store.slots("spy")[0]["label"] == "before the safe"
    for bad in ["../evil", "a/b", "a\\b", "", "x" * 41, " space", "space ", "a.b", "tab\tin", "ünï"]:
        with pytest.raises(SaveError):
            store.save(play, bad)
    assert not (tmp_path.parent / "evil.json").exists()
    store.save(play, "sp ace")  # spaces inside a name are kept, in the folder
    assert (tmp_path / "spy.sp ace.json").is_file() and "sp ace" in [s["slot"] for s in store.slots("spy")]
    (tmp_path / "spy.broken.json").write_text("{")
    listed = {s["slot"]: s for s in store.slots("spy")}
    assert listed["broken"]["error"] and listed["slot-1"]["error"] is None
    store.record_ending("spy", "quiet_end")
    store.record_ending("spy", "quiet_end")
    assert store.endings_seen("spy") == {"quiet_end": 2}


def test_state_is_read_only(order_story):
    play = order_story.new_game()
    with pytest.raises(TypeError):
        play.state["n"] = 5


def test_saves_survive_a_kill_at_any_instant(tmp_path):
    """A process saving in a loop is killed (SIGKILL) at random moments; the
    slot always holds a complete save, and no other slot is touched."""
    import signal
    import subprocess
    import sys
    import time

    story = load_story(SPY)
    other = tmp_path / "other.json"
    story.new_game(seed=9).save(other)
    other_bytes = other.read_bytes()
    slot = tmp_path / "slot.json"
    story.new_game().save(slot)
    code = (
        "import sys\n"
        "from game import load_story\n"
        f"story = load_story({SPY!r})\n"
        "i = 0\n"
        "while True:\n"
        "    play = story.new_game(seed=i)\n"
        "    play.choose('refuse' if i % 2 else 'open')\n"
        f"    play.save({str(slot)!r}, label='x' * (i % 500))\n"
        "    i += 1\n"
    )
    rnd = random.Random(5)
    for _ in range(8):
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=repo_path())
        time.sleep(0.4 + rnd.random() * 0.4)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        loaded = story.load_game(slot)  # never raises: old or new, never broken
        assert loaded.steps in (["refuse"], ["open"], [])
    assert other.read_bytes() == other_bytes
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("slot.json", "other.json")]
    # A temp file may be left by a kill between mkstemp and rename; it is never a slot.
    assert all(name.startswith(".slot.json.") and name.endswith(".tmp") for name in leftovers)
