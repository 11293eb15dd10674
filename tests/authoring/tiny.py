"""A small story, counted by hand, shared by the authoring-tool tests."""

from __future__ import annotations

from pathlib import Path

MANIFEST = """\
format: 1
id: tiny
title: Tiny
start: hall
variables:
  trust: {type: int, default: 0, min: 0, max: 5, label: "Moscow's trust"}
"""

SCENES = """\
scenes:
  - id: hall
    title: The hall
    chapter: "Moscow, 1925"
    text: |
      A long corridor.
      Trust is {trust}.
    choices:
      - id: wait
        text: Wait here.
        do: [trust += 1]
        note: waiting
        goto: office
      - id: leave
        text: Leave now.
        if: visited(office) == 0
        goto: street
  - id: office
    title: The office
    text:
      - An office with one desk.
      - if: chose(hall.wait) > 0
        text: You waited for this.
    goto: street
  - id: street
    text: The street is empty.
    ending: {title: Out, kind: escape}
notes:
  waiting:
    text: He waited an hour.
    source: Nobody.
"""


def write_tiny(folder: Path) -> Path:
    root = folder / "tiny"
    root.mkdir(parents=True, exist_ok=True)
    (root / "story.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / "scenes.yaml").write_text(SCENES, encoding="utf-8")
    return root
