"""An expression written in many places is compiled once per compile and
shared (expressions._once). Each place must still count as if compiled
there: what it reads, where it steers, and the place its run-time errors
name."""

from __future__ import annotations

import textwrap

import pytest

from game import StoryRuntimeError, check_story, load_story


def write(tmp_path, variables: str, scenes: str):
    head = "format: 1\nid: share\ntitle: Share\nstart: a\nvariables:\n"
    (tmp_path / "story.yaml").write_text(head + textwrap.indent(textwrap.dedent(variables), "  "), encoding="utf-8")
    (tmp_path / "scenes.yaml").write_text(textwrap.dedent(scenes), encoding="utf-8")
    return tmp_path


def test_a_condition_read_first_by_a_text_still_steers_a_choice(tmp_path):
    """`mood` decides a paragraph first (what the player reads), then a
    choice (what can happen next): the second place makes it a decision's
    variable, which the explorer follows."""
    story = load_story(write(tmp_path, "mood: {type: bool, default: false}\nn: {type: int, default: 0}", """\
        scenes:
          - id: a
            text:
              - "A"
              - {if: mood, text: "In a mood."}
            choices:
              - {id: sulk, text: Sulk, do: [mood = true], goto: b}
              - {id: wait, text: Wait, goto: b}
          - id: b
            text: B
            choices:
              - {id: leave, text: Leave, if: mood, goto: end}
              - {id: stay, text: Stay, goto: end}
          - id: end
            ending: {title: End, text: E}
        """))
    assert "mood" in story.data.relevant_vars


def test_a_condition_only_in_texts_steers_no_decision(tmp_path):
    """The other way round: the same source only in texts (twice) is read
    by texts, never by a decision (and is not reported as never read)."""
    story, problems = check_story(write(tmp_path, "mood: {type: bool, default: false}", """\
        scenes:
          - id: a
            text:
              - {if: mood, text: "In a mood."}
              - {if: mood, text: "Still."}
            choices:
              - {id: sulk, text: Sulk, do: [mood = true], goto: end}
          - id: end
            ending: {title: End, text: E}
        """))
    assert story is not None and "mood" not in story.data.relevant_vars and "mood" in story.data.steering_vars
    assert not [p for p in problems if "never read" in p.message]


def test_a_shared_effect_that_fails_names_its_own_place(tmp_path):
    """`place = there` copies a text variable into one with other values: it
    can fail at run time, and the error names the line of the effect that
    failed, not the first line that wrote the same effect."""
    d = write(tmp_path, """\
        place: {type: str, values: [home, away], default: home}
        there: {type: str, values: [home, away, moon], default: moon}
        """, """\
        scenes:
          - id: a
            text: A
            choices:
              - {id: go, text: Go, goto: b}
              - {id: one, text: One, do: [place = there], goto: end}
          - id: b
            text: B
            choices:
              - {id: two, text: Two, do: [place = there], goto: end}
          - id: end
            ending: {title: End, text: E}
        """)
    story = load_story(d)
    lines = (d / "scenes.yaml").read_text(encoding="utf-8").splitlines()
    second = next(i for i, line in enumerate(lines, 1) if "id: two" in line)
    play = story.new_game()
    play.choose("go")
    with pytest.raises(StoryRuntimeError) as err:
        play.choose("two")
    assert f"scenes.yaml:{second}" in str(err.value)


def test_visit_counts_named_in_a_shared_condition_are_live_in_each_scene(tmp_path):
    """`visited(a) > 1` in two scenes: the count is read in both (the
    explorer keeps it in the state of both) and the story is complete."""
    story, problems = check_story(write(tmp_path, "n: {type: int, default: 0, min: 0, max: 3}", """\
        scenes:
          - id: a
            text: A {n}
            choices:
              - {id: again, text: Again, do: [n += 1], goto: a}
              - {id: on, text: "On", if: visited(a) > 1, goto: b}
          - id: b
            text: B
            choices:
              - {id: back, text: Back, if: visited(a) > 1, goto: end}
          - id: end
            ending: {title: End, text: E}
        """))
    assert story is not None and not [p for p in problems if p.is_error]
    assert "a" in story.data.counted_scenes
