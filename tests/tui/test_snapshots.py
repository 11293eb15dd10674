"""Snapshots of the main screens at 80×24 (pytest-textual-snapshot).

Update after an intended change with `pytest tests/tui --snapshot-update`
and review the SVGs in tests/tui/__snapshots__/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from game import load_story
from game.tui.app import OpenDiplomacyApp

STORY_DIR = Path(__file__).resolve().parent.parent / "data" / "tui"


@pytest.fixture
def app_for(tmp_path):
    story = load_story(str(STORY_DIR))

    def make(start: bool = True) -> OpenDiplomacyApp:
        return OpenDiplomacyApp(story if start else None, saves=str(tmp_path), seed=0, stories=[story])
    return make


def test_title_screen(snap_compare, app_for):
    assert snap_compare(app_for(start=False), terminal_size=(80, 24))


def test_play_screen(snap_compare, app_for):
    assert snap_compare(app_for(), terminal_size=(80, 24))


def test_note_dialog(snap_compare, app_for):
    assert snap_compare(app_for(), press=["1"], terminal_size=(80, 24))


def test_save_dialog(snap_compare, app_for):
    assert snap_compare(app_for(), press=["1", "enter", "s"], terminal_size=(80, 24))


def test_ending_screen(snap_compare, app_for):
    assert snap_compare(app_for(), press=["1", "enter", "1", "enter", "1"], terminal_size=(80, 24))


def test_play_screen_narrow(snap_compare, app_for):
    assert snap_compare(app_for(), terminal_size=(60, 20))


def test_settings_screen(snap_compare, app_for):
    assert snap_compare(app_for(), press=["o"], terminal_size=(80, 24))


def test_settings_screen_narrow(snap_compare, app_for):
    assert snap_compare(app_for(), press=["o", "down"], terminal_size=(60, 20))


def test_play_screen_inline_note_width_70(snap_compare, app_for):
    from game.settings import Settings, save
    save(Settings(notes="inline", width=70))
    assert snap_compare(app_for(), press=["1"], terminal_size=(100, 30))
