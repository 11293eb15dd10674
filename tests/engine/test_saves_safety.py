"""No game is lost, and a save folder never crashes or hangs the game:
the question before a new game, refused saves moved aside, one saves
location, stale temp files, and every failure reported as a message."""

from __future__ import annotations

import errno
import io
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

import game.engine.files as files_mod

from game import load_story
from game.engine import saves as saves_mod
from game.engine.saves import SaveStore
from game.engine.session import Session
from game.plain import run_plain
from tests.conftest import ROOT

SPY = str(ROOT / "tests" / "data" / "spy")


@pytest.fixture(scope="module")
def spy():
    return load_story(SPY)


def play(story, saves, typed: str, resume: bool = False, seed: int = 1) -> tuple[int, str]:
    out = io.StringIO()
    rc = run_plain(story, saves=str(saves) if saves else None, resume=resume, seed=seed, stdin=io.StringIO(typed), stdout=out)
    return rc, out.getvalue()


def run_cli(args: list[str], typed: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "game", *args], input=typed, capture_output=True, text=True,
                          cwd=str(ROOT), timeout=60, env=env)


# ---------------------------------------------------------------- 1. the question

def test_plain_new_game_asks_continue_or_start_over(spy, tmp_path):
    play(spy, tmp_path, "1\n")  # a game in progress: in the study
    rc, out = play(spy, tmp_path, "1\n")
    assert "You have a game of " + spy.title + " in progress: " in out
    assert "The study" in out.split("1. Continue")[0]
    info = SaveStore(tmp_path).in_progress("spy")
    assert f"(saved {saves_mod.display_time(info['time'])})" in out
    assert "  1. Continue this game" in out
    assert "  2. Start over (this game is kept in the slot 'autosave-previous')" in out
    assert "== Blagoveshchensk, 1931 / The study ==" in out  # continued
    assert not (tmp_path / "spy.autosave-previous.json").exists()

    rc, out = play(spy, tmp_path, "x\n2\n")
    assert "Please type 1 or 2." in out
    assert "== Blagoveshchensk, 1931 / The hall ==" in out  # a new game
    assert "Your previous game is kept in the slot 'autosave-previous'" in out
    store = SaveStore(tmp_path)
    assert store.load(spy, "autosave-previous").scene.id == "study"
    assert store.load(spy, "autosave").steps == []


def test_plain_question_at_end_of_input_writes_nothing(spy, tmp_path):
    play(spy, tmp_path, "1\n")
    before = (tmp_path / "spy.autosave.json").read_bytes()
    rc, out = play(spy, tmp_path, "")
    assert rc == 0 and "Choose 1 or 2" in out
    assert (tmp_path / "spy.autosave.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["profile.json", "spy.autosave.json"]


def test_cli_play_story_asks_and_continue_does_not(tmp_path):
    run_cli(["play", "--plain", SPY, "--saves", str(tmp_path)], "1\n")
    out = run_cli(["play", "--plain", SPY, "--saves", str(tmp_path)], "2\n")
    assert out.returncode == 0, out.stderr
    assert "1. Continue this game" in out.stdout and "Traceback" not in out.stderr
    assert (tmp_path / "spy.autosave-previous.json").is_file()
    out = run_cli(["play", "--plain", SPY, "--saves", str(tmp_path), "--continue"], "")
    assert "Continue this game" not in out.stdout


def test_a_fresh_autosave_and_the_same_game_are_not_kept_twice(spy, tmp_path):
    store = SaveStore(tmp_path)
    Session.new(spy, store, seed=3)  # nothing played
    Session.new(spy, store, seed=4)
    assert not (tmp_path / "spy.autosave-previous.json").exists()
    s = Session.new(spy, store, seed=5)
    s.choose("refuse")
    store.save(s.play, "one")
    Session.resume(spy, store, "one")  # loading the very game in the autosave
    assert not (tmp_path / "spy.autosave-previous.json").exists()


def test_an_older_autosave_previous_is_replaced_only_by_a_game_that_contains_it(spy, tmp_path):
    store = SaveStore(tmp_path)
    s = Session.new(spy, store, seed=5)
    s.choose("refuse")  # game A: ['refuse']
    s.choose("continue")
    store.save(s.play, "longer")  # game A, two steps on
    s.undo()
    Session.new(spy, store, seed=6)  # A (['refuse']) becomes autosave-previous
    assert store.load(spy, "autosave-previous").steps == ["refuse"]
    Session.resume(spy, store, "longer")  # nothing to keep: the autosave is fresh
    Session.new(spy, store, seed=7)  # 'longer' contains ['refuse']: it takes its place
    assert store.load(spy, "autosave-previous").steps == ["refuse", "continue"]
    assert not list(tmp_path.glob("spy.autosave-previous-*.json"))
    other = Session.new(spy, store, seed=8)
    other.choose("open")
    Session.new(spy, store, seed=9)  # a different game: the older one is renamed, not lost
    older = list(tmp_path.glob("spy.autosave-previous-*.json"))
    assert len(older) == 1
    assert saves_mod.read_save_file(older[0])["steps"] == ["refuse", "continue"]
    assert store.load(spy, "autosave-previous").steps == ["open"]


def test_loading_a_slot_keeps_the_game_in_progress(spy, tmp_path):
    store = SaveStore(tmp_path)
    s = Session.new(spy, store, seed=1)
    store.save(s.play, "start")
    s.choose("refuse")  # progress only in the autosave
    loaded = Session.resume(spy, store, "start")
    assert "kept in the slot 'autosave-previous'" in loaded.play.notice
    assert store.load(spy, "autosave-previous").steps == ["refuse"]


# ---------------------------------------------------------------- 2. refused saves

@pytest.mark.parametrize("damage", ["garbage", "future", "zero", "tampered"])
def test_continue_with_a_refused_autosave_moves_it_aside(spy, tmp_path, damage):
    play(spy, tmp_path, "1\n")
    path = tmp_path / "spy.autosave.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if damage == "garbage":
        path.write_bytes(b"\x00{{not json")
    elif damage == "future":
        path.write_text(json.dumps({**data, "version": 99}))
    elif damage == "zero":
        path.write_text(json.dumps({**data, "version": 0}))
    else:
        data["vars"]["trust"] = 10
        path.write_text(json.dumps(data))
    damaged = path.read_bytes()
    out = run_cli(["play", "--plain", SPY, "--saves", str(tmp_path), "--continue"], "q\n")
    assert out.returncode == 0 and "Traceback" not in out.stderr
    moved = list(tmp_path.glob("spy.autosave.broken-*.json"))
    assert len(moved) == 1, list(tmp_path.iterdir())
    assert moved[0].read_bytes() == damaged  # kept byte for byte
    assert "Cannot continue: " in out.stdout and "Starting a new game." in out.stdout
    assert f"it was moved to {moved[0]}" in out.stdout.replace("\n", " ")
    assert SaveStore(tmp_path).load(spy, "autosave").steps == []
    assert moved[0].name.startswith("spy.autosave.broken-") and len(moved[0].name) == len(
        "spy.autosave.broken-20250101-120000.json")


def test_a_damaged_autosave_is_moved_aside_by_a_new_game_too(spy, tmp_path):
    (tmp_path / "spy.autosave.json").write_text("{", encoding="utf-8")
    rc, out = play(spy, tmp_path, "")
    assert "it was moved to" in out
    assert [p.read_text() for p in tmp_path.glob("spy.autosave.broken-*.json")] == ["{"]


def test_two_breakages_in_the_same_second_keep_both(spy, tmp_path):
    for text in ("{1", "{2"):
        (tmp_path / "spy.autosave.json").write_text(text, encoding="utf-8")
        Session.new(spy, SaveStore(tmp_path), seed=1)
    kept = sorted(p.read_text() for p in tmp_path.glob("spy.autosave.broken-*.json"))
    assert kept == ["{1", "{2"]


def test_plain_l_lists_damaged_saves_as_damaged(spy, tmp_path):
    store = SaveStore(tmp_path)
    store.save(spy.new_game(seed=1), "good")
    data = json.loads((tmp_path / "spy.good.json").read_text(encoding="utf-8"))
    for key, value in {"time": 5, "label": ["x"], "chapter": {"a": 1}, "scene_title": 7, "ended": "yes"}.items():
        (tmp_path / f"spy.bad-{key.replace('_', '')}.json").write_text(json.dumps({**data, key: value}))
    (tmp_path / "spy.neg.json").write_text(json.dumps({**data, "version": -3}))
    rc, out = play(spy, tmp_path, "l\n")
    assert rc == 0
    for slot, key in [("bad-time", "time"), ("bad-label", "label"), ("bad-chapter", "chapter"),
                      ("bad-scenetitle", "scene_title"), ("bad-ended", "ended")]:
        assert f"  {slot}: damaged (the save is damaged ('{key}' is of the wrong kind))" in out
    assert "  neg: damaged (the save has no valid format version)" in out
    assert "  good: " in out


# ---------------------------------------------------------------- 3. one saves location

def test_the_saves_folder_is_the_same_in_a_checkout_and_installed(monkeypatch, tmp_path):
    from game import paths
    monkeypatch.delenv("OPEN_DIPLOMACY_SAVES")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    expected = paths.user_saves_dir()
    assert str(expected).startswith(str(tmp_path / "data"))
    for checkout in (True, False):
        monkeypatch.setattr(paths, "in_checkout", lambda: checkout)
        assert paths.default_saves_dir() == expected
    monkeypatch.setenv("OPEN_DIPLOMACY_SAVES", str(tmp_path / "env"))
    assert paths.default_saves_dir() == tmp_path / "env"


def test_the_tests_never_save_into_the_user_folder_or_the_checkout():
    from game import paths
    assert os.environ.get("OPEN_DIPLOMACY_SAVES")  # set by tests/conftest.py
    assert paths.default_saves_dir() != paths.user_saves_dir()
    assert (ROOT / "saves" / ".gitkeep").is_file()  # the folder stays in the layout


def readme_env(tmp_path) -> dict:
    """A player's environment: no override, a home of its own."""
    env = {k: v for k, v in os.environ.items() if k != "OPEN_DIPLOMACY_SAVES"}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "home" / "data"),
               XDG_CACHE_HOME=str(tmp_path / "home" / "cache"))
    return env


def test_play_then_the_test_command_then_play_finds_the_same_saves(tmp_path, monkeypatch):
    """A game played from this checkout (editable install, as the README's
    test command makes it) saves into the user data folder, as an installed
    copy does: the next game, whatever the install, continues it."""
    env = readme_env(tmp_path)
    out = run_cli(["play", "--plain", SPY], "1\n", env=env)
    assert out.returncode == 0, out.stderr
    user = tmp_path / "home" / "data" / "open-diplomacy" / "saves"
    assert (user / "spy.autosave.json").is_file()
    assert not (ROOT / "saves" / "spy.autosave.json").exists()
    out = run_cli(["play", "--plain", SPY, "--continue"], "", env=env)
    assert "The study" in out.stdout and "The hall" not in out.stdout


def test_saves_left_in_a_checkout_are_copied_with_a_notice(spy, tmp_path, monkeypatch):
    from game import paths
    old = tmp_path / "checkout-saves"
    new = tmp_path / "user-saves"
    monkeypatch.delenv("OPEN_DIPLOMACY_SAVES")
    monkeypatch.setattr(paths, "checkout_saves_dir", lambda: old)
    monkeypatch.setattr(paths, "user_saves_dir", lambda: new)
    store_old = SaveStore(old)
    s = Session.new(spy, store_old, seed=1)
    s.choose("refuse")
    store_old.save(s.play, "mine")
    store_old.record_ending("spy", "quiet_end")
    (old / "recordings").mkdir()
    (old / "recordings" / "spy-1.yaml").write_text("story: spy\n")
    (old / ".gitkeep").write_text("")
    # The user folder already has a different autosave and a profile.
    store_new = SaveStore(new)
    Session.new(spy, store_new, seed=2).choose("refuse")
    store_new.record_ending("spy", "arrested")
    theirs = (new / "spy.autosave.json").read_bytes()

    rc, out = play(spy, None, "q\n", resume=True)
    assert f"Saves now live in {new}." in out and f"found in {old}" in out and "nothing was overwritten" in out
    # Not overwritten by the checkout's autosave: continued (so written again,
    # with a new time, which may have ticked over to the next second).
    def game_of(raw: bytes) -> dict:
        d = json.loads(raw)
        d.pop("time")
        return d
    assert game_of((new / "spy.autosave.json").read_bytes()) == game_of(theirs)
    assert (new / "spy.autosave-checkout.json").read_bytes() == (old / "spy.autosave.json").read_bytes()
    assert (new / "spy.mine.json").read_bytes() == (old / "spy.mine.json").read_bytes()
    assert (new / "recordings" / "spy-1.yaml").read_text() == "story: spy\n"
    assert store_new.endings_seen("spy") == {"arrested": 1, "quiet_end": 1}
    assert (old / "spy.autosave.json").is_file()  # the originals stay
    listed = {x["slot"] for x in store_new.slots("spy")}
    assert {"autosave", "autosave-checkout", "mine"} <= listed
    # Once copied, not again, and no notice.
    rc, out = play(spy, None, "q\n", resume=True)
    assert "Saves now live" not in out
    assert sorted(p.name for p in new.glob("*.json")) == [
        "profile.json", "spy.autosave-checkout.json", "spy.autosave.json", "spy.mine.json"]


async def test_the_tui_says_where_saves_were_copied(tmp_path, monkeypatch):
    from game import paths
    from game.tui.app import OpenDiplomacyApp
    from tests.tui.test_app import STORY_DIR
    old = tmp_path / "old"
    story = load_story(str(STORY_DIR))
    store_old = SaveStore(old)
    store_old.save(story.new_game(seed=1), "slot1")
    monkeypatch.delenv("OPEN_DIPLOMACY_SAVES")
    monkeypatch.setattr(paths, "checkout_saves_dir", lambda: old)
    monkeypatch.setattr(paths, "user_saves_dir", lambda: tmp_path / "new")
    app = OpenDiplomacyApp(None, stories=[story])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert any("Saves now live in" in n.message for n in app._notifications)
    assert (tmp_path / "new" / "tuitest.slot1.json").is_file()


def test_with_saves_or_the_env_var_nothing_is_copied(spy, tmp_path, monkeypatch):
    from game import paths
    old = tmp_path / "old"
    SaveStore(old).save(spy.new_game(seed=1), "x")
    monkeypatch.setattr(paths, "checkout_saves_dir", lambda: old)
    rc, out = play(spy, tmp_path / "explicit", "q\n")
    assert "Saves now live" not in out and not (tmp_path / "explicit" / "spy.x.json").exists()
    monkeypatch.setenv("OPEN_DIPLOMACY_SAVES", str(tmp_path / "env"))
    rc, out = play(spy, None, "q\n")
    assert "Saves now live" not in out and not (tmp_path / "env" / "spy.x.json").exists()


# ---------------------------------------------------------------- 4. stale temp files

@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_300_kills_during_saves_leave_every_slot_valid_and_no_temp_file(spy, tmp_path):
    """A process saving in a loop (two slots and the profile) is killed with
    SIGKILL at random moments, 300 times; every slot stays loadable, and the
    next save removes the temp files the kills left behind."""
    store = SaveStore(tmp_path)
    games = []
    for i in range(4):
        g = spy.new_game(seed=i)
        if i % 2:
            g.choose("refuse")
        games.append(g)
    store.save(games[0], "autosave")
    store.save(games[1], "save1")
    rnd = random.Random(11)
    for n in range(300):
        pid = os.fork()
        if pid == 0:  # the child: save until killed
            try:
                i = n
                while True:
                    store.save(games[i % 4], "autosave" if i % 3 else "save1", label="x" * (i % 300))
                    if i % 7 == 0:
                        store.record_codex("spy", [f"entry{i % 50}"])
                    i += 1
            finally:
                os._exit(0)
        time.sleep(rnd.random() * 0.012)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    for slot in ("autosave", "save1"):
        assert store.load(spy, slot).steps in ([], ["refuse"])  # old or new, never broken
    assert isinstance(store.profile()["codex"].get("spy", []), list)
    left = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert left, "the kills should have interrupted some saves"
    assert all(files_mod.TEMP_RE.match(name) for name in left)
    time.sleep(files_mod.TEMP_GRACE + 0.1)
    store.save(games[2], "autosave")  # the next save to the folder cleans up
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert {"spy.autosave.json", "spy.save1.json"} <= {p.name for p in tmp_path.iterdir()}


def test_only_our_own_stale_temp_files_are_removed(spy, tmp_path):
    store = SaveStore(tmp_path)
    old = time.time() - 3600
    ours = tmp_path / ".spy.autosave.json.abcd1234.tmp"
    theirs = [tmp_path / ".spy.autosave.json.tmp", tmp_path / "notes.tmp", tmp_path / ".x.txt.abcd1234.tmp"]
    young = tmp_path / ".spy.save1.json.zzzz9999.tmp"
    for p in [ours, *theirs, young]:
        p.write_text("partial")
        if p is not young:
            os.utime(p, (old, old))
    store.save(spy.new_game(seed=1), "autosave")
    assert not ours.exists()
    assert all(p.exists() for p in theirs) and young.exists()


def test_a_temp_file_held_by_a_live_writer_is_not_removed(spy, tmp_path):
    fcntl = pytest.importorskip("fcntl")
    held = tmp_path / ".spy.autosave.json.held0000.tmp"
    held.write_text("being written")
    old = time.time() - 3600
    os.utime(held, (old, old))
    fd = os.open(held, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        SaveStore(tmp_path).save(spy.new_game(seed=1), "autosave")
        assert held.exists()
    finally:
        os.close(fd)
    SaveStore(tmp_path).save(spy.new_game(seed=1), "autosave")
    assert not held.exists()


# ---------------------------------------------------------------- 5. every failure is a message

def _enospc(*a, **k):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("call", ["write", "fsync"])
def test_a_full_disk_turns_saving_off_and_the_game_plays_on(spy, tmp_path, monkeypatch, call):
    monkeypatch.setattr(saves_mod.os, call, _enospc)
    rc, out = play(spy, tmp_path, "1\ns one\nr\n\nq\n")
    assert rc == 0
    assert "(warning: saving is off: cannot write " in out and "No space left on device" in out
    assert out.count("(warning: saving is off") == 1  # said once, not after every step
    assert "== Blagoveshchensk, 1931 / The study ==" in out  # played on
    assert "Cannot save: cannot write " in out
    assert "THE END" in out
    assert "Goodbye. This game was not saved (saving is off: " in out
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing half-written


def test_a_read_only_saves_folder_turns_saving_off(spy, tmp_path, monkeypatch):
    def refuse(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")
    import tempfile  # the module atomic_write takes mkstemp from (imported there when writing)
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    rc, out = play(spy, tmp_path, "1\nq\n")
    assert rc == 0 and "(warning: saving is off: cannot write " in out and "Read-only file system" in out
    assert "The study" in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_chmod_read_only_saves_folder_turns_saving_off(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        out = run_cli(["play", "--plain", SPY, "--saves", str(ro)], "1\nq\n")
    finally:
        ro.chmod(0o700)
    assert out.returncode == 0 and "Traceback" not in out.stderr
    assert "saving is off: " in out.stdout and "Permission denied" in out.stdout


def test_cli_saves_folder_that_cannot_exist_plays_on(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = run_cli(["play", "--plain", SPY, "--saves", str(blocker / "saves")], "1\nq\n")
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert "saving is off: cannot write " in out.stdout and "Not a directory" in out.stdout
    assert "The study" in out.stdout


def test_cli_continue_in_a_broken_folder_does_not_overwrite(tmp_path, monkeypatch):
    """The autosave is refused and cannot be moved aside: the game plays on
    without writing over it."""
    store = SaveStore(tmp_path)
    (tmp_path / "spy.autosave.json").write_text("{", encoding="utf-8")

    def no_rename(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr(saves_mod.os, "rename", no_rename)
    rc, out = play(load_story(SPY), tmp_path, "1\nq\n", resume=True)
    assert rc == 0 and "saving is off: the game in the autosave slot could not be kept" in out
    assert (tmp_path / "spy.autosave.json").read_text() == "{"
    assert store.slots("spy")[0]["error"]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("profile", [
    '{"endings": ' + nested(100_000) + "}",
    nested(100_000),
    '{"endings": {"spy": {"quiet_end": "lots", "arrested": 1.5, "lucky_end": true}}, "codex": [1]}',
    '{"endings": {"spy": [1, 2]}, "codex": {"spy": "abc"}}',
    '{"endings": {"spy": {"quiet_end": -4}}}',
    "\xff\xfe",
])
def test_a_damaged_profile_is_ignored_and_kept(spy, tmp_path, profile):
    (tmp_path / "profile.json").write_bytes(profile.encode("utf-8", "surrogateescape")
                                            if isinstance(profile, str) else profile)
    before = (tmp_path / "profile.json").read_bytes()
    store = SaveStore(tmp_path)
    assert all(isinstance(v, int) for v in store.endings_seen("spy").values())
    assert all(isinstance(v, str) for v in store.codex_seen("spy"))
    rc, out = play(spy, tmp_path, "1\n\n")  # to an ending: the profile is written
    assert rc == 0 and "THE END" in out and "Endings found: 1 of 3." in out
    kept = list(tmp_path.glob("profile.broken-*.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == before
    assert sum(store.endings_seen("spy").values()) == 1


def test_a_save_with_version_zero_or_negative_is_refused(spy, tmp_path):
    store = SaveStore(tmp_path)
    store.save(spy.new_game(seed=1), "v")
    data = json.loads((tmp_path / "spy.v.json").read_text())
    for version in (0, -1, -(10 ** 30)):
        (tmp_path / "spy.v.json").write_text(json.dumps({**data, "version": version}))
        with pytest.raises(saves_mod.SaveError, match="no valid format version"):
            store.load(spy, "v")


@pytest.mark.parametrize("name", ["spy.autosave.json", "profile.json"])
def test_a_fifo_named_like_a_save_or_profile_never_blocks(spy, tmp_path, name):
    os.mkfifo(tmp_path / name)
    out = run_cli(["play", "--plain", SPY, "--saves", str(tmp_path), "--continue"], "1\n\nq\n")
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    if name == "spy.autosave.json":
        assert "Cannot continue: not a regular file." in out.stdout
        moved = list(tmp_path.glob("spy.autosave.broken-*.json"))
        assert len(moved) == 1 and not moved[0].is_file()  # the FIFO itself, moved aside
    else:
        assert "THE END" in out.stdout
    store = SaveStore(tmp_path)
    assert store.load(spy, "autosave") is not None


def test_slot_listings_refuse_non_regular_files(spy, tmp_path):
    os.mkfifo(tmp_path / "spy.pipe.json")
    (tmp_path / "spy.dir.json").mkdir()
    listed = {s["slot"]: s["error"] for s in SaveStore(tmp_path).slots("spy")}
    assert listed == {"pipe": "not a regular file", "dir": "not a regular file"}


def test_an_installed_copy_and_this_checkout_share_one_saves_folder(tmp_path):
    """The README's play command installs a copy (game/ with the stories in
    game/bundled, no checkout around it); its test command makes this
    checkout the installed package. A game saved by one is found by the other."""
    import shutil
    inst = tmp_path / "site"
    shutil.copytree(ROOT / "game", inst / "game", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests" / "data" / "spy", inst / "game" / "bundled" / "spy")
    env = readme_env(tmp_path)
    installed = dict(env, PYTHONPATH=str(inst))
    check = subprocess.run([sys.executable, "-c", "import game.paths as p; print(p.in_checkout(), p.default_saves_dir())"],
                           capture_output=True, text=True, cwd=str(tmp_path), env=installed, timeout=60)
    in_checkout, folder = check.stdout.split(" ", 1)
    assert in_checkout == "False"
    out = subprocess.run([sys.executable, "-m", "game", "play", "--plain", "spy"], input="1\n",
                         capture_output=True, text=True, cwd=str(tmp_path), env=installed, timeout=60)
    assert out.returncode == 0, out.stderr
    user = tmp_path / "home" / "data" / "open-diplomacy" / "saves"
    assert folder.strip() == str(user) and (user / "spy.autosave.json").is_file()
    out = run_cli(["play", "--plain", SPY], "1\n", env=env)  # now from the checkout
    assert "You have a game of" in out.stdout and "The study" in out.stdout
    assert "== Blagoveshchensk, 1931 / The study ==" in out.stdout
