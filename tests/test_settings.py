"""The player's settings file (game/settings.py): where it lives, what is
kept, and that a file the game cannot use is ignored with a notice."""

from __future__ import annotations

import json
import os

import pytest

from game import settings as prefs
from game.settings import DEFAULTS, Settings


def test_the_folder_comes_from_the_environment(own_config):
    assert prefs.settings_path() == own_config / "settings.json"


def test_without_a_file_the_defaults(own_config):
    assert prefs.load() == (DEFAULTS, None)
    assert (DEFAULTS.notes, DEFAULTS.width, DEFAULTS.theme, DEFAULTS.reveal) == ("dialog", 70, "dark", "all")


def test_saved_settings_come_back(own_config):
    chosen = Settings(notes="inline", width=0, theme="contrast", reveal="paragraph")
    prefs.save(chosen)
    assert prefs.load() == (chosen, None)
    doc = json.loads((own_config / "settings.json").read_text(encoding="utf-8"))
    assert doc["app"] == "open-diplomacy" and doc["format"] == 1 and doc["width"] == 0
    assert not [p for p in os.listdir(own_config) if p.endswith(".tmp")]  # written through a temp file


def test_cycle_and_labels():
    s = DEFAULTS.cycle("width")
    assert s.width == 80 and s.label("width") == "80"
    assert s.cycle("width").label("width") == "full"
    assert DEFAULTS.cycle("notes", -1).notes == "log"
    assert DEFAULTS.with_("theme", "light").theme == "light" and DEFAULTS.theme == "dark"


@pytest.mark.parametrize("content, why", [
    (b"{not json", "damaged (not JSON)"),
    (b"\xff\xfe garbage", "damaged (not JSON)"),
    (b"[1, 2, 3]", "not an Open Diplomacy settings file"),
    (b'{"theme": "light"}', "not an Open Diplomacy settings file"),
    (b'{"app": "open-diplomacy", "format": "one", "theme": "light"}', "no valid format version"),
    (b"[" * 100000, "too large to be a settings file"),
])
def test_a_file_that_cannot_be_used_is_ignored_with_a_notice(own_config, content, why):
    (own_config / "settings.json").write_bytes(content)
    settings, notice = prefs.load()
    assert settings == DEFAULTS
    assert why in notice and str(own_config / "settings.json") in notice and "defaults" in notice


def test_a_folder_in_its_place_is_ignored(own_config):
    (own_config / "settings.json").mkdir()
    settings, notice = prefs.load()
    assert settings == DEFAULTS and "not a regular file" in notice


def test_a_fifo_in_its_place_does_not_block(own_config):
    os.mkfifo(own_config / "settings.json")
    settings, notice = prefs.load()
    assert settings == DEFAULTS and "not a regular file" in notice


def test_an_unknown_value_falls_back_for_that_setting_only(own_config):
    (own_config / "settings.json").write_text(json.dumps(
        {"app": "open-diplomacy", "format": 1, "notes": "inline", "width": 65, "theme": True, "reveal": "paragraph",
         "future": "kept out"}), encoding="utf-8")
    settings, notice = prefs.load()
    assert settings == Settings(notes="inline", width=70, theme="dark", reveal="paragraph")
    assert "width, theme" in notice and "default" in notice


def test_a_width_of_true_is_not_a_width(own_config):
    (own_config / "settings.json").write_text('{"app": "open-diplomacy", "format": 1, "width": true}',
                                              encoding="utf-8")
    assert prefs.load()[0].width == 70


def test_saving_into_a_folder_that_cannot_be_made_raises_oserror(own_config, monkeypatch):
    blocker = own_config / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("OPEN_DIPLOMACY_CONFIG", str(blocker / "sub"))
    with pytest.raises(OSError):
        prefs.save(DEFAULTS)
