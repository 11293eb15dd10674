"""The gallery's plain values (game/view/gallery.py): where an ending can
happen is the chapter in effect on the way there, not only a chapter set on
the ending's own scene or the scene just before it."""

from __future__ import annotations

import shutil
from pathlib import Path

from game import load_story
from game.view.gallery import chapters_in_effect, ending_chapter, gallery

DATA = Path(__file__).resolve().parent.parent / "data"


def test_a_chapter_lasts_until_the_next_one_begins():
    story = load_story(str(DATA / "journey"))
    found = chapters_in_effect(story)
    assert found["s1"] == ["Vienna, 1938"] and found["s2"] == ["Vienna, 1938"]  # s2 sets none: still Vienna
    assert found["s4"] == ["Zurich, 1939"]
    assert ending_chapter(story, "stayed") == "Lisbon, 1940"  # the ending's scene and the one before set none


def test_an_ending_reached_in_two_chapters_names_both_and_a_trigger_only_one_none(tmp_path):
    d = tmp_path / "story"
    shutil.copytree(DATA / "journey", d)
    text = (d / "scenes.yaml").read_text()
    # the consulate (in Zurich) may now end the game at once, as the quay (in Lisbon) does
    text = text.replace('        do: [heat += 4]\n        goto: s5', '        do: [heat += 4]\n        goto: stayed')
    (d / "scenes.yaml").write_text(text)
    (d / "story.yaml").write_text((d / "story.yaml").read_text() + "triggers:\n  - if: heat >= 10\n    goto: caught\n")
    (d / "scenes.yaml").write_text((d / "scenes.yaml").read_text().replace("notes:\n", '''  - id: caught
    ending:
      title: "Caught"
      kind: caught
    text: "A hand on your shoulder."
notes:
''', 1))
    story = load_story(str(d))
    assert ending_chapter(story, "stayed") == "Zurich, 1939; Lisbon, 1940"
    assert chapters_in_effect(story)["caught"] == [None]
    cards = {c.id: c for c in gallery(story, None).endings}
    assert cards["caught"].chapter is None and cards["stayed"].hint == "Do not board."
    assert not cards["stayed"].found and cards["stayed"].title == "???" and cards["stayed"].text == ""
