"""How a game compares with history on the ending screen."""

from game import load_story
from game.engine.history import compare_with_history

MANIFEST = """\
format: 1
id: h
title: H
start: a
variables:
  brave: {type: bool, default: false}
"""

SCENES = """\
scenes:
  - id: a
    text: "A"
    choices:
      - {id: real, text: "What she did", historical: true, goto: b}
      - {id: other, text: "Something else", goto: b}
  - id: b
    text: "B"
    choices:
      - {id: hist_locked, text: "What he did", historical: true, if: brave, locked: "Not brave enough.", goto: c}
      - {id: only, text: "The only way on", goto: c}
  - id: c
    text: "C"
    goto: d
  - id: d
    text: "D"
    choices:
      - {id: stay, text: "Stay {brave}", goto: e}
      - {id: go, text: "Go", historical: true, do: [brave = true], goto: e}
  - id: e
    ending: {title: End}
    text: "E"
"""


def make(story_dir):
    story_dir.write("story.yaml", MANIFEST)
    story_dir.write("scenes.yaml", SCENES)
    return load_story(str(story_dir.root))


def test_only_choices_on_offer_beside_another_count(story_dir):
    story = make(story_dir)
    play = story.new_game()
    for step in ("other", "only", "continue", "stay"):
        play.choose(step)
    ds = compare_with_history(play)
    # b: the historical choice was locked, so b was no decision; c: one way on.
    assert [(d.scene_id, d.chosen_id, d.as_history) for d in ds] == [("a", "other", False), ("d", "stay", False)]
    assert ds[1].chosen_text == "Stay false"  # the text as it was shown then
    assert ds[0].historical_texts == ("What she did",)


def test_following_history_matches_every_decision(story_dir):
    story = make(story_dir)
    play = story.new_game()
    for step in ("real", "only", "continue", "go"):
        play.choose(step)
    assert [d.as_history for d in compare_with_history(play)] == [True, True]
