"""Format §11.1: what a scene offers is decided once, when it is entered."""

from __future__ import annotations

from game import load_story

MANIFEST = """\
format: 1
id: t
title: T
start: a
variables:
  n: {type: int, default: 0, min: 0, max: 100}
"""

CONTENT = """\
scenes:
  - id: a
    text:
      - "Room."
      - {if: chance(50), text: "A draught."}
    choices:
      - id: left
        text: Left
        if: chance(50)
        locked: "The door sticks."
        goto: a
      - id: right
        text: Right
        if: chance(50)
        goto: a
      - id: wait
        text: Wait
        do: [n += 1]
        goto: a
"""


def _story(story_dir):
    story_dir.write("story.yaml", MANIFEST)
    story_dir.write("scenes.yaml", CONTENT)
    return load_story(str(story_dir.root))


def _shown(play):
    return play.text, [(c.id, c.enabled) for c in play.choices()]


def test_redraws_never_reroll(story_dir):
    story = _story(story_dir)
    for seed in range(40):
        play = story.new_game(seed=seed)
        for _ in range(6):
            first = _shown(play)
            assert all(_shown(play) == first for _ in range(5))
            # Every choice shown as enabled can be taken.
            enabled = [cid for cid, ok in first[1] if ok]
            play.choose(enabled[seed % len(enabled)])


def test_save_load_and_undo_show_the_same_screen(story_dir, tmp_path):
    story = _story(story_dir)
    play = story.new_game(seed=7)
    screens = [_shown(play)]
    for i in range(8):
        enabled = [c.id for c in play.choices() if c.enabled]
        play.choose(enabled[i % len(enabled)])
        screens.append(_shown(play))
    play.save(tmp_path / "s.json")
    loaded = story.load_game(tmp_path / "s.json")
    assert _shown(loaded) == screens[-1]
    for expected in reversed(screens[:-1]):
        assert play.undo()
        assert _shown(play) == expected


def test_outcomes_strategy_decides_chance(story_dir):
    from game.engine.play import Outcomes

    class Always(Outcomes):
        def chance(self, percent):
            return True

    play = _story(story_dir).new_game(seed=0, outcomes=Always())
    assert "A draught." in play.text
    assert [c.id for c in play.choices() if c.enabled] == ["left", "right", "wait"]
