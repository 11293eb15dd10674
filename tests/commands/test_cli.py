"""The command line: --version, story ids everywhere, unknown stories, the id scan."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest

from game.paths import UnknownStory, bundled_story_dirs, locate_story, manifest_fields, story_id_of
from tests.conftest import ROOT

UNKNOWN = ("unknown story 'nosuch': not a folder, and not a bundled story "
           "(bundled: izumi (Nero), sorge (The Ring))")


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "game", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, stdin=subprocess.DEVNULL)


def test_version_from_the_package_metadata():
    r = cli("--version")
    assert r.returncode == 0 and r.stdout == f"open-diplomacy {version('open-diplomacy')}\n"


@pytest.mark.parametrize("command", [["play"], ["play", "--plain"], ["lint"], ["graph"], ["playtest"], ["serve"]])
def test_an_unknown_story_names_the_bundled_ones(command):
    r = cli(*command, "nosuch")
    assert r.returncode == 1
    assert r.stderr.strip() == UNKNOWN and ":1:1:" not in r.stderr + r.stdout


def test_replay_of_an_unknown_name():
    r = cli("replay", "nosuch")
    assert r.returncode == 1
    assert "unknown story 'nosuch': not a file or folder, and not a bundled story (bundled: izumi" in r.stderr


def test_a_missing_path_is_still_the_compilers_message(tmp_path):
    r = cli("lint", str(tmp_path / "nope"))
    assert r.returncode == 1 and "story folder does not exist" in r.stdout


def test_replay_a_story_id_runs_its_playthroughs():
    r = cli("replay", "sorge")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "PASS" in r.stdout and " 0 failed" in r.stdout


def test_story_ids_read_as_yaml(tmp_path):
    for n, line in enumerate(["id: 'quoted'  # a comment", 'id: "quoted"', "id:   quoted", "{id: quoted, title: Q}"]):
        folder = tmp_path / f"s{n}"
        folder.mkdir()
        (folder / "story.yaml").write_text(f"format: 1\nvariables:\n  id: {{type: int}}\n{line}\n"
                                           if not line.startswith("{") else line + "\n")
        assert story_id_of(folder) == "quoted", line
    nested = tmp_path / "nested"
    nested.mkdir()
    (nested / "story.yaml").write_text("variables:\n  id: x\n")
    assert story_id_of(nested) is None
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "story.yaml").write_bytes(b"id: [unclosed\n\xff")
    assert story_id_of(bad) is None
    assert story_id_of(tmp_path / "none") is None


def test_bundled_ids_and_titles():
    fields = {name: manifest_fields(folder) for name, folder in bundled_story_dirs().items()}
    assert fields["izumi"] == {"id": "izumi", "title": "Nero"}
    assert fields["sorge"]["id"] == "sorge"
    assert locate_story("izumi") == str(bundled_story_dirs()["izumi"])
    with pytest.raises(UnknownStory) as exc:
        locate_story("nosuch")
    assert str(exc.value) == UNKNOWN
