from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest

from game import check_story

ROOT = Path(__file__).resolve().parent.parent

# The tests never touch the player's own saves (the user data folder), nor
# the checkout's saves/: every game they start without --saves, in this
# process or in a subprocess, saves here.
_SAVES = tempfile.mkdtemp(prefix="od-test-saves-")
os.environ["OPEN_DIPLOMACY_SAVES"] = _SAVES
atexit.register(shutil.rmtree, _SAVES, True)
# Nor the player's cache and config folders (the parse cache, settings):
# platformdirs follows the XDG variables, here and in subprocesses.
_XDG = tempfile.mkdtemp(prefix="od-test-xdg-")
os.environ["XDG_CACHE_HOME"] = os.path.join(_XDG, "cache")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_XDG, "config")
atexit.register(shutil.rmtree, _XDG, True)
# Nor the player's settings (the user config folder): each test gets a
# config folder of its own (see `own_config` below), so a test that changes a
# setting, or presses keys at random, never changes how the next one plays.
_CONFIG = tempfile.mkdtemp(prefix="od-test-config-")
os.environ["OPEN_DIPLOMACY_CONFIG"] = _CONFIG
atexit.register(shutil.rmtree, _CONFIG, True)


@pytest.fixture(autouse=True)
def own_config(monkeypatch, tmp_path_factory):
    """An empty config folder per test (the default settings); yields its path."""
    folder = tmp_path_factory.mktemp("config", numbered=True)
    monkeypatch.setenv("OPEN_DIPLOMACY_CONFIG", str(folder))
    return folder


MANIFEST = """\
format: 1
id: t
title: T
start: a
variables:
  x: {type: int, default: 0, min: 0, max: 5}
"""

CONTENT = """\
scenes:
  - id: a
    text: "A {x}"
    choices:
      - id: go
        text: Go
        if: x >= 0
        goto: b
  - id: b
    ending: {title: End, text: Bye}
"""


class StoryDir:
    """A story folder in a temp dir, and helpers to find where things stand."""

    def __init__(self, root: Path):
        self.root = root
        self.files: dict[str, str] = {}

    def write(self, name: str, text: str) -> "StoryDir":
        text = textwrap.dedent(text)
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.files[name] = text
        return self

    def at(self, name: str, needle: str, nth: int = 1, shift: int = 0) -> str:
        """`path:line:col` of the nth occurrence of needle in file `name`
        (plus `shift` characters)."""
        text = self.files[name]
        idx = -1
        for _ in range(nth):
            idx = text.index(needle, idx + 1)
        idx += shift
        line = text.count("\n", 0, idx) + 1
        col = idx - (text.rfind("\n", 0, idx) + 1) + 1
        return f"{self.root / name}:{line}:{col}"

    def check(self):
        return check_story(str(self.root))

    def problems(self) -> list[str]:
        return [str(p) for p in self.check()[1]]


@pytest.fixture
def story_dir(tmp_path):
    d = StoryDir(tmp_path / "s")
    d.root.mkdir()
    return d


@pytest.fixture
def base_story(story_dir):
    story_dir.write("story.yaml", MANIFEST)
    story_dir.write("scenes.yaml", CONTENT)
    return story_dir


def repo_path(*parts: str) -> str:
    return os.path.join(str(ROOT), *parts)
