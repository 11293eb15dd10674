"""Issue 12: the exhaustive explorer's ranges are exact. Each story here is
small enough to explore by brute force, with every variable in the state;
the explorer (which keys states by the variables that can still matter and
passes the others along its edges) must report the same values."""

from __future__ import annotations

import pytest

from game.playtest.cli import report_json, report_text
from game.playtest.explore import StateSpace, exhaustive_playtest

from .brute import as_reported, reachable_values
from .test_truth import CALLS, RANGES, make


def brute_force_ranges(story) -> tuple[dict, dict]:
    """Every reachable state with all variables in its key: the values each
    variable takes, as the report gives them, and the types each took."""
    values = reachable_values(story)
    return as_reported(story, values), {n: {t for t, _ in typed} for n, typed in values.items()}


# A loop that widens and shrinks numbers kept outside the key (heat: only
# shown), values computed from them (hot = heat >= 4: run again per low and
# high), a conditional effect, a set, and a meter clamped at its bounds.
LOOPS = ("""\
format: 1
id: loops
title: Loops
start: hub
variables:
  round: {type: int, default: 0, min: 0, max: 3}
  heat: {type: int, default: 1, min: 0, max: 6}
  hot: {type: bool, default: false}
  bonus: {type: int, default: 0, min: 0, max: 9}
  trust: {type: int, default: 2, min: 0, max: 4, meter: true}
  seen: {type: set, values: [a, b, c], default: []}
""", """\
scenes:
  - id: hub
    text: "Round {round}, heat {heat}, trust {trust}, bonus {bonus}, seen {seen}."
    choices:
      - {id: work, text: Work, if: round < 3, do: [heat += 3, round += 1, trust -= 1, "seen += 'a'"], goto: hub}
      - {id: cool, text: Cool, do: [heat -= 2, trust += 3], goto: hub}
      - id: gamble
        text: Gamble
        do: [{if: round >= 2, do: [bonus += 4], else: [bonus = 1]}, "seen += 'b'"]
        goto: check
      - {id: leave, text: Leave, goto: out}
  - id: check
    do: [hot = heat >= 4]
    text: "Hot: {hot}."
    choices:
      - {id: back, text: Back, goto: hub}
      - {id: stop, text: Stop, goto: out}
  - id: out
    ending: {title: Out, text: "{heat} {hot} {bonus} {seen}"}
""")

# Two scenes whose tracked values are (x,) = (0,) and (b,) = (False,):
# equal as tuples, but an int and a bool (the report must say 0, not false).
INT_AND_BOOL = ("""\
format: 1
id: conflate
title: Conflate
start: start
variables:
  x: {type: int, default: 3, min: 0, max: 5}
  y: {type: int, default: 0, min: 0, max: 5}
  b: {type: bool, default: false}
""", """\
scenes:
  - id: start
    text: Start
    choices:
      - {id: right, text: Right, do: [x -= 1, b = x >= 5], goto: bb}
      - {id: left, text: Left, do: [x -= 3, b = x >= 5], goto: a}
  - id: a
    text: A
    choices:
      - {id: on, text: On, if: "not b and y == 0", goto: end1}
  - id: bb
    text: B
    choices:
      - {id: on, text: On, if: "x >= 1 and y == 0", goto: end2}
  - id: end1
    ending: {title: One, text: One.}
  - id: end2
    ending: {title: Two, text: Two.}
""")


# x took all its values (0..2) by the end of the first pass, but `high`,
# computed from it, is true only on a path the second pass finds (m is
# reached first with x = 1, then widened with x = 2, after n was explored).
SETTLED = ("""\
format: 1
id: settled
title: Settled
start: start
variables:
  x: {type: int, default: 0, min: 0, max: 2}
  high: {type: bool, default: false}
""", """\
scenes:
  - id: start
    text: Start
    choices:
      - {id: one, text: One, do: [x += 1], goto: m}
      - {id: two, text: Two, do: [x += 2], goto: m}
  - id: m
    text: "M"
    choices:
      - {id: on, text: On, goto: n}
  - id: n
    do: [high = x >= 2]
    text: "N {x} {high}"
    choices:
      - {id: end, text: End, goto: out}
  - id: out
    ending: {title: Out, text: "{high}"}
""")


@pytest.mark.parametrize("story", [RANGES, CALLS, LOOPS, INT_AND_BOOL, SETTLED],
                         ids=["ranges", "calls", "loops", "int-bool", "settled"])
def test_ranges_equal_brute_force(story_dir, story):
    st = make(story_dir, *story)
    rep = exhaustive_playtest(st)
    truth, types = brute_force_ranges(st)
    assert rep.complete
    assert rep.ranges == truth
    for name, vals in rep.ranges.items():  # and of the right type (True == 1 in Python)
        assert {type(x) for x in vals} <= types[name], name


def test_loops_story_exercises_every_kind_of_step(story_dir):
    """The loops story has what the explorer treats differently: values kept
    outside the key that widen in a loop, shifted within their bounds, and
    computed by effects it must run again."""
    st = make(story_dir, *LOOPS)
    space = StateSpace(st)
    assert "heat" not in space.live["hub"] and "trust" not in space.live["hub"]
    rep = exhaustive_playtest(st)
    assert rep.ranges["heat"] == [0, 6] and rep.ranges["hot"] == [False, True]
    assert rep.ranges["bonus"] == [0, 9]  # gambling again from round 2 on adds 4 each time, up to the max
    # Balance counts the states where a meter is known to stand at an end:
    # trust took several values in every state here, so it stands at neither.
    assert rep.balance["trust"] == [0, 0, rep.states]
    assert not any("meter 'trust'" in w for w in report_json(rep)["warnings"])


def test_int_and_bool_values_are_not_confused(story_dir):
    st = make(story_dir, *INT_AND_BOOL)
    rep = exhaustive_playtest(st)
    j = report_json(rep)
    assert j["variables"]["x"]["min"] is not False and j["variables"]["x"] == {"min": 0, "max": 3}
    assert "    x                0..3" in report_text(rep, 0.0)


def test_a_variable_that_took_every_value_still_feeds_others(story_dir):
    """The second pass leaves out a variable that already took every value
    it can hold, unless another one is computed from it (`high` here)."""
    st = make(story_dir, *SETTLED)
    rep = exhaustive_playtest(st)
    assert rep.ranges["x"] == [0, 2] and rep.ranges["high"] == [False, True]
