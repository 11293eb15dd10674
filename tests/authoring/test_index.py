"""The id index and its rename edits, without the server."""

from __future__ import annotations

import yaml

from game.authoring.editing import RenameError, completion_context, rename_edits
from game.authoring.workspace import StoryWorkspace
from tests.authoring.tiny import write_tiny


def _apply(text: str, edits) -> str:
    lines = text.split("\n")
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln) + 1)
    for e in sorted(edits, key=lambda e: (e.line, e.start), reverse=True):
        a, b = offsets[e.line] + e.start, offsets[e.end_line] + e.end
        text = text[:a] + e.text + text[b:]
    return text


def test_rename_adds_was_for_scenes_and_choices(tmp_path):
    root = write_tiny(tmp_path)
    a = StoryWorkspace(str(root)).analyse()
    path = str((root / "scenes.yaml").resolve())
    edits = [e for e in rename_edits(a.index, "scene", "office", "bureau", add_was=True) if e.path == path]
    after = _apply(a.texts[path], edits)
    scenes = yaml.safe_load(after)["scenes"]
    assert scenes[1]["id"] == "bureau" and scenes[1]["was"] == ["office"]
    assert scenes[0]["choices"][0]["goto"] == "bureau"
    assert scenes[0]["choices"][1]["if"] == "visited(bureau) == 0"
    edits = rename_edits(a.index, "choice", "hall.wait", "linger", add_was=True)
    after = yaml.safe_load(_apply(a.texts[path], edits))["scenes"]
    assert after[0]["choices"][0]["id"] == "linger" and after[0]["choices"][0]["was"] == ["wait"]
    assert after[1]["text"][1]["if"] == "chose(hall.linger) > 0"


def test_rename_refuses_bad_or_taken_ids(tmp_path):
    a = StoryWorkspace(str(write_tiny(tmp_path))).analyse()
    for new in ("Office", "street"):
        try:
            rename_edits(a.index, "scene", "office", new)
        except RenameError:
            continue
        raise AssertionError(new)


def test_a_broken_file_keeps_what_the_index_knew(tmp_path):
    root = write_tiny(tmp_path)
    ws = StoryWorkspace(str(root))
    ws.analyse()
    path = str((root / "scenes.yaml").resolve())
    ws.set_overlay(path, "scenes: [\n")
    a = ws.analyse()
    assert any(p.message.startswith("YAML syntax") for p in a.problems)
    assert a.index.definition("scene", "office") is not None


def test_completion_contexts():
    assert completion_context("    goto: ") == ("scene", None)
    assert completion_context("      - to: of") == ("scene", None)
    assert completion_context("    if: visited(") == ("scene", None)
    assert completion_context("    if: chose(hall.") == ("choice", "hall")
    assert completion_context("    unlock: [pudin, ") == ("codex", None)
    assert completion_context("      Trust is {") == ("variable", None)
    assert completion_context("    title: The hall") is None
