"""The autosave is written behind the key handler: the newest state wins,
reads of the folder wait for it, and a failure is reported, not raised."""

from __future__ import annotations

import os
import time

from game import load_story
from game.engine.saves import SaveStore
from game.engine.session import Session
from tests.conftest import ROOT

SPY = os.path.join(ROOT, "tests", "data", "spy")


def test_choose_does_not_wait_for_the_disk_and_reads_see_the_last_step(tmp_path, monkeypatch):
    import game.engine.saves as saves_mod

    real = saves_mod.write_save_text
    slow = []

    def slow_write(path, text):
        time.sleep(0.2)  # a slow disk
        slow.append(path)
        real(path, text)

    store = SaveStore(tmp_path, write_behind=True)
    store.writer._write = slow_write
    s = Session.new(load_story(SPY), store, seed=1)
    t0 = time.monotonic()
    s.choose("refuse")
    assert time.monotonic() - t0 < 0.15  # the step returned before the write
    # Reading the folder waits for the pending autosave: it holds the step.
    assert store.load(s.story, "autosave").steps == ["refuse"]


def test_a_failed_write_behind_turns_saving_off(tmp_path):
    store = SaveStore(tmp_path, write_behind=True)

    def full(path, text):
        raise OSError(28, "No space left on device")

    store.writer._write = full
    s = Session.new(load_story(SPY), store, seed=1)
    s.choose("refuse")
    store.flush()
    assert s.autosave_error == "saving is off: No space left on device"


def test_the_endings_and_codex_record_is_written_behind_too(tmp_path):
    import game.engine.saves as saves_mod

    real = saves_mod.write_save_text
    written = []

    def slow_write(path, text):
        time.sleep(0.2)
        written.append(os.path.basename(path))
        real(path, text)

    store = SaveStore(tmp_path, write_behind=True)
    store.writer._write = slow_write
    s = Session.new(load_story(SPY), store, seed=1)  # the first scene unlocks a codex entry
    t0 = time.monotonic()
    s.choose("open")  # an ending: recorded in the profile
    assert time.monotonic() - t0 < 0.15
    assert store.profile()["endings"] == {"spy": {"arrested": 1}}  # the newest record, before it is on disk
    store.flush()
    assert "profile.json" in written
    again = SaveStore(tmp_path)
    assert again.profile()["endings"] == {"spy": {"arrested": 1}} and again.codex_seen("spy") == ["pudin"]


def test_a_record_that_cannot_be_written_does_not_turn_saving_off(tmp_path):
    store = SaveStore(tmp_path, write_behind=True)
    real = store.writer._write

    def no_profile(path, text):
        if str(path).endswith("profile.json"):
            raise OSError(28, "No space left on device")
        real(path, text)

    store.writer._write = no_profile
    s = Session.new(load_story(SPY), store, seed=1)
    s.choose("open")
    store.flush()
    assert s.autosave_error is None
