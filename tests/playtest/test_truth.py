"""Issue 12: the playtester tells the truth. Each test is a small story with
a known answer, checked as the author sees it (report lines, JSON values)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from game import load_story
from game.engine.play import _mix
from game.playtest import graph as graph_mod
from game.playtest.cli import report_json, report_text, run_playtest_cli
from game.playtest.explore import StateSpace, exhaustive_playtest, random_playtest
from game.playtest.replay import run_playthrough


def make(story_dir, manifest: str, scenes: str):
    story_dir.write("story.yaml", manifest)
    story_dir.write("s.yaml", scenes)
    return load_story(str(story_dir.root))


def cli_json(story_dir, *extra) -> tuple[int, dict]:
    out = []
    args = SimpleNamespace(story=str(story_dir.root), exhaustive="--exhaustive" in extra, max_states=2_000_000,
                           runs=int(extra[extra.index("--runs") + 1]) if "--runs" in extra else 100,
                           seed=0, max_steps=1000, avoid_used=True, json=True, write_failures=None,
                           require_all_endings=False)
    code = run_playtest_cli(args, out.append)
    return code, json.loads(out[0])


COURIER = ("""\
format: 1
id: courier
title: Courier
start: desk
variables:
  deliveries: {type: int, default: 0, min: 0, max: 10}
triggers:
  - if: deliveries >= 3
    goto: caught
""", """\
scenes:
  - id: desk
    text: "Deliveries in a row: {deliveries}."
    choices:
      - {id: deliver, text: Deliver, do: [deliveries += 1], goto: desk}
      - {id: pause, text: Pause, do: [deliveries = 0], goto: desk}
      - {id: rest, text: Rest, do: [deliveries = 0], goto: desk}
      - {id: burn, text: Burn the codes, goto: burned}
      - {id: retire, text: Retire, goto: retired}
  - id: caught
    ending: {title: Caught, text: Caught.}
  - id: retired
    ending: {title: Retired, text: Retired.}
  - id: burned
    ending: {title: Burned, text: Burned.}
""")


@pytest.mark.parametrize("seed", [1, 2, 3, 11])
def test_default_random_reaches_what_uniform_reaches(story_dir, seed):
    story = make(story_dir, *COURIER)
    default = random_playtest(story, runs=400, seed=seed)
    uniform = random_playtest(story, runs=400, seed=seed, avoid_used=False)
    assert uniform.endings["caught"] > 0
    assert default.endings["caught"] >= uniform.endings["caught"]
    assert default.ranges["deliveries"] == [0, 3]


def test_nearby_seeds_give_unrelated_streams(story_dir):
    story = make(story_dir, *COURIER)

    def stream(seed):
        p = story.new_game(seed=seed)
        return [p.chance(50) for _ in range(64)]

    for s in (0, 1, 41):
        assert stream(s + 1) != stream(s)[1:] + [stream(s + 1)[-1]]
    assert len({_mix(s) >> 60 for s in range(64)}) > 8  # the top bits differ: hashed, not s*G + C


RANGES = ("""\
format: 1
id: ranges
title: Ranges
start: a
variables:
  codes: {type: int, default: 0, min: 0, max: 20}
  motive: {type: str, default: unset, values: [unset, love, money, fear]}
  heat: {type: int, default: 0, min: 0, max: 3}
""", """\
scenes:
  - id: a
    text: A
    choices:
      - {id: love, text: Love, do: [motive = 'love'], goto: b}
      - {id: money, text: Money, do: [motive = 'money', codes += 1], goto: b}
  - id: b
    text: B
    choices:
      - {id: give, text: Give, do: [codes += 2], goto: c}
      - {id: keep, text: Keep, do: [heat += 1], goto: c}
  - id: c
    text: "C {codes} {motive}"
    choices:
      - {id: give, text: Give, do: [codes += 3], goto: d}
      - {id: keep, text: Keep, goto: d}
  - id: d
    text: D
    goto:
      - if: heat >= 1
        to: hot
      - to: cold
  - id: hot
    ending: {title: Hot, text: "{codes}"}
  - id: cold
    ending: {title: Cold, text: "{codes}"}
""")


def test_exhaustive_ranges_are_exact_beside_the_key(story_dir):
    story = make(story_dir, *RANGES)
    rep = exhaustive_playtest(story)
    j = report_json(rep)
    # codes: 0 + (0|1) + (0|2) + (0|3): 0..6; motive: all three set values and the default.
    assert j["variables"]["codes"] == {"min": 0, "max": 6}
    assert j["variables"]["motive"]["values"] == ["love", "money", "unset"]
    assert j["variables"]["heat"] == {"min": 0, "max": 1}
    assert "    codes            0..6" in report_text(rep, 0.0)
    assert random_playtest(story, runs=300).ranges["codes"] == [0, 6]


def test_start_scene_that_draws_is_explored_both_ways(story_dir):
    story = make(story_dir, """\
        format: 1
        id: coin
        title: Coin
        start: a
        variables:
          lucky: {type: bool, default: false}
        """, """\
        scenes:
          - id: a
            text: A
            do: []
            choices:
              - id: bribe
                text: Bribe
                if: chance(50)
                goto: rich
              - {id: wait, text: Wait, goto: poor}
          - id: rich
            ending: {title: Rich, text: R}
          - id: poor
            ending: {title: Poor, text: P}
        """)
    rep = exhaustive_playtest(story)
    assert rep.endings == {"rich": 1, "poor": 1}
    assert rep.states == 4  # bribe offered or not: two starts, and the two endings
    assert rep.ending_paths["rich"].path == ["bribe"]


def test_start_do_calling_chance_does_not_crash(story_dir):
    story = make(story_dir, """\
        format: 1
        id: cs
        title: CS
        start: a
        variables:
          lucky: {type: bool, default: false}
        triggers: []
        """, """\
        scenes:
          - id: a
            text: A
            do: [lucky = chance(50)]
            choices:
              - {id: go, text: Go, goto: b}
          - id: b
            text: B
            goto:
              - if: lucky
                to: win
              - to: lose
          - id: win
            ending: {title: Win, text: W}
          - id: lose
            ending: {title: Lose, text: L}
        """)
    rep = exhaustive_playtest(story)
    assert rep.endings == {"win": 1, "lose": 1}
    assert rep.ranges["lucky"] == [False, True]


TRAP = ("""\
format: 1
id: trap
title: Trap
start: a
variables:
  x: {type: int, default: 0, min: 0, max: 5}
""", """\
scenes:
  - id: a
    text: "A {x}"
    choices:
      - {id: up, text: Up, if: x < 5, do: [x += 1], goto: a}
      - {id: down, text: Down, goto: trap}
      - {id: out, text: Out, goto: end}
  - id: trap
    text: "Trapped {x}"
    choices:
      - {id: climb, text: Climb, if: x > 9, goto: end}
  - id: end
    ending: {title: End, text: E}
""")


def test_one_soft_lock_line_per_scene_with_its_states(story_dir):
    story = make(story_dir, *TRAP)
    rep = exhaustive_playtest(story)
    lines = [l for l in report_text(rep, 0.0) if l.startswith("SOFT-LOCK")]
    assert lines == ["SOFT-LOCK in scene 'trap': nothing on offer (6 states); path: down"]
    assert report_json(rep)["soft_locks"] == [{"scene": "trap", "path": ["down"], "states": 6}]


def test_failure_file_fails_replay_until_the_story_is_fixed(story_dir, tmp_path):
    from game.playtest.cli import write_failures
    story = make(story_dir, *TRAP)
    rep = exhaustive_playtest(story)
    out = tmp_path / "fail"
    names = write_failures(rep, str(out), str(story_dir.root))
    assert [n.rsplit("/", 1)[-1] for n in names] == ["trap-softlock-1.yaml"]
    r = run_playthrough(names[0])
    assert not r.ok
    assert [p.message for p in r.problems] == ["expected the player not to be stuck, but nothing is on offer in scene 'trap'"]
    story_dir.write("s.yaml", TRAP[1].replace("if: x > 9, ", ""))  # the fix
    assert run_playthrough(names[0]).ok


def test_no_exit_failure_file_fails_until_fixed(story_dir, tmp_path):
    from game.playtest.cli import write_failures
    scenes = """\
        scenes:
          - id: a
            text: A
            choices:
              - {id: wander, text: Wander, goto: loop}
              - {id: out, text: Out, goto: end}
          - id: loop
            text: L
            choices:
              - {id: again, text: Again, goto: loop}
          - id: end
            ending: {title: End, text: E}
        """
    story = make(story_dir, "format: 1\nid: nx\ntitle: NX\nstart: a\n", scenes)
    rep = exhaustive_playtest(story)
    names = write_failures(rep, str(tmp_path / "f"), str(story_dir.root))
    r = run_playthrough(names[0])
    assert not r.ok and "none can be reached from scene 'loop'" in r.problems[0].message
    story_dir.write("s.yaml", scenes.replace("- {id: again, text: Again, goto: loop}",
                                             "- {id: again, text: Again, goto: loop}\n              - {id: leave, text: Leave, goto: end}"))
    assert run_playthrough(names[0]).ok


def test_graph_coverage_marks_nothing_when_incomplete(story_dir, monkeypatch):
    make(story_dir, *TRAP)
    out = []
    args = SimpleNamespace(story=str(story_dir.root), coverage=True, format="dot")
    graph_mod.run_graph_cli(args, out.append)
    assert "#f2b8b5" not in out[0]  # every scene is reachable: none painted
    monkeypatch.setattr(graph_mod, "COVERAGE_STATES", 2)
    out.clear()
    graph_mod.run_graph_cli(args, out.append)
    assert out[0].startswith("// coverage incomplete: exploration stopped at 2 states")
    assert "#f2b8b5" not in out[0]


def test_checks_fail_with_shortest_path_in_both_modes(story_dir):
    story = make(story_dir, TRAP[0] + """\
checks:
  - always: x <= 2 or visited(end) > 0
    message: "x past 2 before the end"
  - never: visited(trap) > 0 and x == 0
    message: "trapped with nothing"
""", TRAP[1])
    code, j = cli_json(story_dir, "--exhaustive")
    assert code == 1
    assert j["checks"] == [{"message": "trapped with nothing", "path": ["down"], "scene": "trap"},
                           {"message": "x past 2 before the end", "path": ["up", "up", "up"], "scene": "a"}]
    code, j = cli_json(story_dir, "--runs", "200")
    assert code == 1
    assert sorted((c["message"], c["path"]) for c in j["checks"]) == [
        ("trapped with nothing", ["down"]), ("x past 2 before the end", ["up", "up", "up"])]


def test_why_never_and_ending_odds(story_dir):
    story = make(story_dir, """\
        format: 1
        id: why
        title: Why
        start: a
        variables:
          heat: {type: int, default: 0, min: 0, max: 5}
        """, """\
        scenes:
          - id: a
            text: A
            choices:
              - {id: door, text: Door, if: heat >= 3, locked: "Not hot enough.", goto: vault}
              - {id: hide, text: Hide, if: heat >= 3, goto: vault}
              - {id: out, text: Out, goto: end}
          - id: vault
            text: V
            goto: end
          - id: island
            text: I
            goto: end
          - id: end
            ending: {title: End, text: E}
        """)
    code, j = cli_json(story_dir, "--exhaustive")
    assert j["why_never"]["choices"]["a.door"] == "always locked: Not hot enough."
    assert j["why_never"]["choices"]["a.hide"] == "its condition never holds (heat >= 3 is never true here)"
    assert j["why_never"]["scenes"]["island"] == "no path leads here"
    assert j["why_never"]["scenes"]["vault"].startswith("the choices that lead here are never taken: a.door")
    assert j["ending_paths"] == {"end": {"path": ["out"]}}
    code, j = cli_json(story_dir, "--runs", "10")
    assert j["ending_share"] == {"end": 1.0}
    assert j["ending_paths"]["end"]["path"] == ["out"]


def test_consequences(story_dir):
    story = make(story_dir, """\
        format: 1
        id: cq
        title: CQ
        start: a
        variables:
          kind: {type: bool, default: false}
          shown: {type: int, default: 0, min: 0, max: 3}
          strain: {type: int, default: 3, min: 0, max: 3, meter: true}
          mood: {type: bool, default: false}
        """, """\
        scenes:
          - id: a
            text: "A {shown}"
            choices:
              - {id: smile, text: Smile, do: [kind = true], goto: b}
              - {id: frown, text: Frown, do: [shown += 1, mood = true], goto: b}
          - id: b
            text:
              - "B {shown} {strain}"
              - {if: mood, text: "Still frowning."}
            choices:
              - {id: go, text: Go, if: shown >= 0, goto: end}
          - id: end
            ending: {title: End, text: E}
        """)
    code, j = cli_json(story_dir, "--exhaustive")
    assert j["warnings"] == [
        "choice 'a.smile' leaves no later trace: no later text, condition or goto depends on its effects "
        "or on its being taken",
        # `mood` only decides a paragraph: what the player reads, so not dead;
        # `strain` is only shown, `kind` never read.
        "variable 'kind' never steers a goto, a condition or a trigger (nor a text's condition or an achievement)",
        "variable 'strain' never steers a goto, a condition or a trigger (nor a text's condition or an achievement)",
        "meter 'strain' sits at its max (3) in 100% of the explored states",
    ]


def test_key_holds_only_live_non_zero_counts(story_dir):
    story = make(story_dir, "format: 1\nid: k\ntitle: K\nstart: a\n", """\
        scenes:
          - id: a
            text: A
            choices:
              - {id: x, text: X, once: true, goto: a}
              - {id: y, text: Y, once: true, goto: a}
              - {id: out, text: Out, if: visited(a) > 1, goto: end}
          - id: end
            ending: {title: End, text: E}
        """)
    space = StateSpace(story)
    p = story.new_game()
    assert space.key(p) == ("a", (), (("a", 1),), (), None, ())
    p.choose("x")
    assert space.key(p)[2:4] == ((("a", 2),), (("a.x", 1),))
    rep = exhaustive_playtest(story)
    assert rep.endings == {"end": 1} and rep.states == 5


# ------------------------------------------------------------------ calls and random(a, b)

CALLS = ("""\
format: 1
id: calls
title: Calls
start: hub
variables:
  money: {type: int, default: 0, min: 0, max: 10}
  score: {type: int, default: 0, min: 0, max: 20}
  luck: {type: int, default: 0, min: 0, max: 5}
""", """\
scenes:
  - id: hub
    text: "Money {money}, score {score}, luck {luck}."
    choices:
      - id: errand
        text: Run an errand.
        call: errand
        then:
          - if: money >= 2
            to: rich
          - to: poor
  - id: errand
    text: An errand.
    do: ["luck = random(1, 3)", "score += random(1, 2)"]
    choices:
      - id: earn
        text: Earn.
        do: ["money += random(0, 2)"]
        return: true
      - id: side
        text: A side errand.
        call: side
        then: errand_done
  - id: side
    pause: false
    do: [score += 5]
    return: true
  - id: errand_done
    text: Back from the side errand.
    return: true
  - id: rich
    ending: {title: Rich, text: Rich.}
  - id: poor
    text: Poor.
    choices:
      - {id: again, text: Again., goto: hub}
      - {id: quit, text: Quit., goto: broke}
  - id: broke
    ending: {title: Broke, text: Broke.}
""")


def test_exhaustive_follows_calls_and_random_with_exact_ranges(story_dir):
    """Calls in progress are part of the state (`StateSpace.extra_key`, put
    back by `restore_extra`); every outcome of random(a, b) is followed; the
    variables outside the key (score, luck: only shown) get exact ranges."""
    story = make(story_dir, *CALLS)
    rep = exhaustive_playtest(story)
    assert rep.complete and not rep.errors and not rep.soft_locks and not rep.no_exit
    assert rep.reached == set(story.scenes)
    assert rep.endings["rich"] > 0 and rep.endings["broke"] > 0
    assert set(rep.taken) >= {"hub.errand", "errand.earn", "errand.side", "poor.again", "poor.quit"}
    # money: 0 or 1 at the errand, plus 0..2; score loops on up to its max; luck 1..3 once drawn.
    assert rep.ranges["money"] == [0, 3]
    assert rep.ranges["score"] == [0, 20]
    assert rep.ranges["luck"] == [0, 3]
    # The call stack is in the key, and a key's calls come back on restore.
    space = StateSpace(story)
    p = story.new_game()
    p.choose("errand")
    p.choose("side")
    assert p.scene.id == "errand_done" and p.calls == ["errand"]
    key = space.key(p)
    assert key[-1] == p.call_stack
    q = story.new_game()
    space.restore(q, key)
    assert q.calls == ["errand"] and q.scene.id == "errand_done"
    q.choose("continue")
    assert q.scene.id == "poor" and q.calls == []
    # What random play sees lies inside the exact ranges, and it sees the same endings.
    rnd = random_playtest(story, runs=300, seed=1)
    for name, (lo, hi) in rnd.ranges.items():
        assert rep.ranges[name][0] <= lo and hi <= rep.ranges[name][1]
    assert {e for e, n in rnd.endings.items() if n} <= {e for e, n in rep.endings.items() if n}


def test_exact_ranges_agree_with_untracked_exploration(story_dir):
    """The tracking changes ranges only: the same states, endings and coverage."""
    story = make(story_dir, *CALLS)
    a = exhaustive_playtest(story)
    b = exhaustive_playtest(story, exact_ranges=False)
    assert (a.states, a.endings, a.reached, a.taken) == (b.states, b.endings, b.reached, b.taken)
    assert b.ranges["score"][1] < a.ranges["score"][1]  # the first path into each state only


def test_a_run_time_error_in_a_text_is_placed_at_the_text(story_dir):
    """A division by zero in the text of the scene a choice leads to: the
    report names the line of that text (the choice only led there), in
    both modes."""
    make(story_dir, "format: 1\nid: z\ntitle: Z\nstart: a\n"
                    "variables:\n  n: {type: int, default: 0, min: 0, max: 5}\n", """\
        scenes:
          - id: a
            text: "A {n}"
            choices:
              - {id: go, text: Go, goto: b}
              - {id: inc, text: Inc, do: [n += 1], goto: b}
          - id: b
            text: "B is {if 10 / n > 1: big | small}."
            choices:
              - {id: end, text: End, goto: c}
          - id: c
            ending: {title: End, text: E}
        """)
    lines = (story_dir.root / "s.yaml").read_text(encoding="utf-8").splitlines()
    text_line = next(i for i, line in enumerate(lines, 1) if "B is" in line)
    for mode in ((), ("--exhaustive",)):
        code, j = cli_json(story_dir, *mode)
        errors = [e["message"] for e in j["errors"]]
        assert errors and all(f"s.yaml:{text_line}: division by zero" in e for e in errors), errors
