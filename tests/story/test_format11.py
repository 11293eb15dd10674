"""Format 1.1 (§11.2–§11.8 of the contract): every example of the contract,
step semantics on small stories, and the exact position of each new error."""

from __future__ import annotations

import json
import textwrap

import pytest

from game import StoryRuntimeError, check_story, load_story
from game.playtest.explore import exhaustive_playtest, random_playtest
from game.playtest.replay import run_playthrough


def write(tmp_path, scenes: str, variables: str = "", start: str = "start", name: str = "s", extra: str = ""):
    d = tmp_path / name
    d.mkdir(parents=True, exist_ok=True)
    manifest = f"format: 1\nid: {name}\ntitle: T\nstart: {start}\n"
    if variables:
        manifest += "variables:\n" + textwrap.indent(textwrap.dedent(variables).strip("\n"), "  ") + "\n"
    (d / "story.yaml").write_text(manifest + extra, encoding="utf-8")
    (d / "scenes.yaml").write_text(textwrap.dedent(scenes), encoding="utf-8")
    return d


def load(tmp_path, *a, **kw):
    d = write(tmp_path, *a, **kw)
    story, problems = check_story(str(d))
    assert story is not None, [str(p) for p in problems]
    assert not [p for p in problems if p.is_error], [str(p) for p in problems]
    return story


def problems(tmp_path, *a, **kw):
    d = write(tmp_path, *a, **kw)
    _, probs = check_story(str(d))
    return [str(p) for p in probs], d


def at(d, needle: str, file: str = "scenes.yaml", plus: int = 0) -> str:
    """'path:line:col' of the first occurrence of needle (plus columns)."""
    path = d / file
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        j = line.find(needle)
        if j >= 0:
            return f"{path}:{i}:{j + 1 + plus}"
    raise AssertionError(f"{needle!r} not in {file}")


def has(probs, where: str, fragment: str, severity: str = "error"):
    hits = [p for p in probs if p.startswith(f"{where}: {severity}: ") and fragment in p]
    assert hits, f"expected {where}: {severity}: ...{fragment}...; got:\n" + "\n".join(probs)


# ---------------------------------------------------------------- §11.2 inline forms

LOOP = """\
scenes:
  - id: start
    text: "{TEXT}"
    choices:
      - id: again
        text: Again.
        goto: start
      - id: stop
        text: Stop.
        goto: done
  - id: done
    text: Done.
    ending: {title: Done}
"""


def loop(tmp_path, text: str, variables: str = "calm: {type: bool, default: true}\nn: {type: int, default: 0}"):
    return load(tmp_path, LOOP.replace("{TEXT}", text), variables)


def visits(story, k: int, seed: int = 0) -> list[str]:
    play = story.new_game(seed=seed)
    out = [play.text]
    for _ in range(k - 1):
        play.choose("again")
        out.append(play.text)
    return out


def test_if_with_and_without_else(tmp_path):
    story = loop(tmp_path, "{if calm: Calm. | Restless.} {if n > 0: Counted.}")
    play = story.new_game()
    assert play.text == "Calm."
    s2 = loop(tmp_path / "b", "{if not calm: Calm. | Restless.}")
    assert s2.new_game().text == "Restless."


def test_contract_space_example(tmp_path):
    # `Wait{if calm: , calmly}.` renders "Wait, calmly." or "Wait."
    story = loop(tmp_path, "Wait{if calm: , calmly}.")
    assert story.new_game().text == "Wait, calmly."
    story = loop(tmp_path / "b", "Wait{if calm: , calmly}.", "calm: {type: bool, default: false}")
    assert story.new_game().text == "Wait."


def test_seq_cycle_once_by_visit(tmp_path):
    assert visits(loop(tmp_path, "{seq: A | B | C}"), 5) == ["A", "B", "C", "C", "C"]
    assert visits(loop(tmp_path / "c", "{cycle: A | B | C}"), 5) == ["A", "B", "C", "A", "B"]
    assert visits(loop(tmp_path / "o", "{once: A | B | C}"), 5) == ["A", "B", "C", "", ""]


def test_empty_alternative_and_space_collapse(tmp_path):
    # the contract's `{seq: First time. | }`
    story = loop(tmp_path, "Hello. {seq: First time. | } Bye.")
    assert visits(story, 2) == ["Hello. First time. Bye.", "Hello. Bye."]
    story = loop(tmp_path / "b", "Hello {once: there} world")
    assert visits(story, 2) == ["Hello there world", "Hello world"]


BLOCK = """\
scenes:
  - id: start
    text: |
{TEXT}
    choices:
      - id: again
        text: Again.
        reply: |
{TEXT}
        goto: start
"""


@pytest.mark.parametrize("text, empty, full", [
    # a paragraph that is only a form: dropped with its blank line (ink drops the line)
    ("A.\n\n{if calm: B.}\n\nC.", "A.\n\nC.", "A.\n\nB.\n\nC."),
    # the last paragraph, and the first
    ("A.\n\n{if calm: B.}", "A.", "A.\n\nB."),
    ("{if calm: B.}\n\nC.", "C.", "B.\n\nC."),
    # a line inside a paragraph: dropped with its line break (no paragraph break made)
    ("A.\n{if calm: B.}\nC.", "A.\nC.", "A.\nB.\nC."),
    # a line at the end of a paragraph keeps the paragraph break
    ("A.\n{if calm: B.}\n\nC.", "A.\n\nC.", "A.\nB.\n\nC."),
    # two forms alone on their line
    ("A.\n\n{if calm: B.} {if calm: D.}\n\nC.", "A.\n\nC.", "A.\n\nB. D.\n\nC."),
])
def test_a_line_holding_only_an_empty_form_is_dropped(tmp_path, text, empty, full):
    # The Intercept port: ink's `{cooperate:I'm lying already...}` on a line of
    # its own prints no line at all; the screen had two blank lines there.
    block = textwrap.indent(text, " " * 6)
    scenes = BLOCK.replace("{TEXT}", block, 1).replace("{TEXT}", textwrap.indent(text, " " * 10), 1)
    var = "calm: {type: bool, default: %s}"
    play = load(tmp_path, scenes, var % "false").new_game()
    assert play.text == empty
    play.choose("again")  # the reply and the scene: "\n\n" between, never more
    assert play.reply == empty and play.text == empty + "\n\n" + empty
    play = load(tmp_path / "b", scenes, var % "true").new_game()
    assert play.text == full


def test_nesting_and_escaped_bar(tmp_path):
    story = loop(tmp_path, "{seq: one \\\\| two | {if calm: {cycle: x | y} | z}}")
    # N is the scene's visit count for every form in its text, nested or not
    assert visits(story, 4) == ["one | two", "y", "x", "y"]


def test_interpolation_inside_forms(tmp_path):
    story = loop(tmp_path, "{if calm: n is {n}. | no}")
    assert story.new_game().text == "n is 0."


def test_shuffle_is_stable_and_draws_nothing(tmp_path):
    text = "{shuffle: a | b | c | d | e | f | g | h}"
    story = loop(tmp_path, text)
    seen = set()
    for seed in range(40):
        play = story.new_game(seed=seed)
        first = play.text
        assert play.text == first  # redraw
        rng = play.rng
        play.choose("again")
        assert play.rng == rng  # draws nothing from the seeded source
        second = play.text
        play.undo()
        assert play.text == first
        play.choose("again")
        assert play.text == second
        save = tmp_path / f"s{seed}.json"
        play.save(save)
        assert story.load_game(save).text == second
        seen.add(first)
    assert len(seen) > 3  # depends on the seed


def test_reply_counts_the_choice(tmp_path):
    story = load(tmp_path, """\
        scenes:
          - id: start
            text: Room.
            choices:
              - id: knock
                text: Knock.
                reply: "{seq: Nobody. | Still nobody.}"
                goto: start
        """)
    play = story.new_game()
    play.choose("knock")
    assert play.reply == "Nobody."
    play.choose("knock")
    assert play.reply == "Still nobody."


def test_forms_in_choice_text_and_list_paragraphs(tmp_path):
    story = load(tmp_path, """\
        scenes:
          - id: start
            text:
              - "{seq: First. | Later.}"
              - {if: calm, text: "{cycle: p | q}"}
            choices:
              - id: again
                text: "{if calm: Calmly | Quickly} again"
                goto: start
        """, "calm: {type: bool, default: true}")
    play = story.new_game()
    assert play.text == "First.\n\np"
    assert play.choices()[0].text == "Calmly again"
    play.choose("again")
    assert play.text == "Later.\n\nq"


def test_forms_lint_positions(tmp_path):
    probs, d = problems(tmp_path, """\
        scenes:
          - id: start
            text: "Wait {sequ: a | b}."
            choices:
              - id: a
                text: |
                  Line one.
                  Then {cycle: a | {if calm: b | c | d}}
                goto: start
              - id: b
                text: "{if nope > 1: x}"
                goto: start
              - id: c
                text: "{seq: {mystery}}"
                goto: start
              - id: d
                text: "{seq: a"
                goto: start
        """, "calm: {type: bool, default: true}")
    has(probs, at(d, "sequ"), "unknown form '{sequ: ...}' in text (did you mean 'seq'?)")
    has(probs, at(d, "{if calm"), "at most two alternatives")
    has(probs, at(d, "nope"), "undeclared variable 'nope'")
    has(probs, at(d, "mystery"), "undeclared variable 'mystery'")
    has(probs, at(d, "{seq: a\""), "never closed")


def test_nesting_deeper_than_8_is_an_error(tmp_path):
    deep = "{if calm: " * 9 + "x" + "}" * 9
    probs, d = problems(tmp_path, LOOP.replace("{TEXT}", deep), "calm: {type: bool, default: true}")
    has(probs, at(d, "{if calm", plus=8 * 10), "nested more than 8 deep")
    ok = "{if calm: " * 8 + "x" + "}" * 8
    assert loop(tmp_path / "ok", ok, "calm: {type: bool, default: true}").new_game().text == "x"


def test_unquoted_brace_text_says_quote_it(tmp_path):
    probs, d = problems(tmp_path, """\
        scenes:
          - id: start
            text: {seq: A | B}
            choices:
              - id: a
                text: {if calm: Calm}
                goto: start
              - id: b
                text: Fine.
                reply: {calm}
                goto: start
        """, "calm: {type: bool, default: true}")
    for needle in ("{seq", "{if calm", "{calm}"):
        has(probs, at(d, needle), "quote the text or use a `|` block")


def test_old_interpolation_errors_still_at_the_text_start(tmp_path):
    probs, d = problems(tmp_path, LOOP.replace("{TEXT}", "A {x!r}"), "calm: {type: bool, default: true}")
    has(probs, at(d, '"A {x!r}"'), "only a bare variable name")


# ---------------------------------------------------------------- §11.3 replies, pause: false

def test_contract_reply_example(tmp_path):
    story = load(tmp_path, """\
        scenes:
          - id: start
            text: "Where were you?"
            choices:
              - id: lie
                text: Tell him you were at the cinema.
                reply: "\\"The cinema,\\" he repeats, and writes it down."
                goto: corridor
          - id: corridor
            text: The corridor is cold.
            ending: {title: Out}
        """)
    play = story.new_game()
    assert play.reply is None
    play.choose("lie")
    assert play.reply == '"The cinema," he repeats, and writes it down.'
    assert play.text == '"The cinema," he repeats, and writes it down.\n\nThe corridor is cold.'
    assert play.text.count("The cinema") == 1  # shown once
    play.undo()
    assert play.reply is None and play.text == "Where were you?"


PASS = """\
scenes:
  - id: start
    text: Start.
    choices:
      - id: go
        text: Go.
        reply: You go.
        goto: a
  - id: a
    pause: false
    text: Through a.
    do: [n += 1]
    goto: b
  - id: b
    pause: false
    goto:
      - if: n > 5
        to: done
      - to: c
  - id: c
    text: At c.
    choices:
      - id: back
        text: Back.
        goto: start
  - id: done
    text: Done.
    ending: {title: Done}
"""


def test_pause_false_chain(tmp_path):
    story = load(tmp_path, PASS, "n: {type: int, default: 0}")
    play = story.new_game()
    play.choose("go")
    assert play.scene.id == "c"
    assert play.text == "You go.\n\nThrough a.\n\nAt c."
    assert play.steps == ["go"]  # no continue step recorded
    assert play.visits["a"] == 1 and play.visits["b"] == 1 and play.state["n"] == 1
    play.choose("back")
    assert play.text == "Start." and play.reply is None
    play.undo()
    assert play.text == "You go.\n\nThrough a.\n\nAt c."
    play.undo()
    assert play.visits.get("a") is None and play.state["n"] == 0


def test_pause_false_triggers_are_checked(tmp_path):
    story = load(tmp_path, PASS, "n: {type: int, default: 0}",
                 extra="triggers:\n  - if: n >= 1 and visited(done) == 0\n    goto: done\n")
    play = story.new_game()
    play.choose("go")
    assert play.scene.id == "done" and play.ended


def test_more_than_50_pass_through_is_a_runtime_error(tmp_path):
    story = load(tmp_path, """\
        scenes:
          - id: start
            text: Start.
            choices:
              - id: go
                text: Go.
                goto: spin
          - id: spin
            pause: false
            do: [n += 1]
            goto:
              - if: n < 1000
                to: spin
              - to: start
        """, "n: {type: int, default: 0}")
    play = story.new_game()
    with pytest.raises(StoryRuntimeError, match="more than 50 scenes with 'pause: false'"):
        play.choose("go")
    assert play.scene.id == "start" and play.state["n"] == 0 and not play.steps  # rolled back
    rep = random_playtest(story, runs=2)
    assert rep.errors


def test_fifty_pass_through_is_fine(tmp_path):
    story = load(tmp_path, """\
        scenes:
          - id: start
            text: Start.
            choices:
              - id: go
                text: Go.
                goto: spin
          - id: spin
            pause: false
            do: [n += 1]
            goto:
              - if: n < 50
                to: spin
              - to: start
        """, "n: {type: int, default: 0}")
    play = story.new_game()
    play.choose("go")
    assert play.state["n"] == 50 and play.scene.id == "start"


def test_pause_false_lint(tmp_path):
    probs, d = problems(tmp_path, """\
        scenes:
          - id: start
            text: Start.
            choices:
              - id: go
                text: Go.
                goto: p1
          - id: p1
            pause: false
            goto: p2
          - id: p2
            pause: false
            goto: p1
          - id: q
            pause: false
            text: x
            choices:
              - text: y
                goto: start
        """)
    has(probs, at(d, "pause: false"), "form a cycle with no condition on the way (p1 → p2 → p1)")
    lines = (d / "scenes.yaml").read_text().splitlines()
    qline = next(i for i, line in enumerate(lines, 1) if "id: q" in line) + 1
    has(probs, f"{d / 'scenes.yaml'}:{qline}:5", "'pause: false' applies only to a scene without choices")


def test_pause_false_start_scene(tmp_path):
    story = load(tmp_path, """\
        scenes:
          - id: start
            pause: false
            text: Prologue.
            goto: room
          - id: room
            text: Room.
            ending: {title: E}
        """)
    play = story.new_game()
    assert play.scene.id == "room" and play.text == "Prologue.\n\nRoom."


# ---------------------------------------------------------------- §11.4 calls

CALLS = """\
scenes:
  - id: start
    text: The flat.
    choices:
      - id: search_flat
        text: Search the flat.
        call: interrogation        # enter this scene ...
        then: stairwell            # ... and when a `return` is reached, go here
  - id: interrogation
    text: "Questions."
    choices:
      - id: sign_statement
        text: Sign.
        return: true               # instead of goto: back to the caller's `then`
      - id: refuse
        text: Refuse.
        do: [angry = true]
        call: cell
        then:
          - if: angry
            to: interrogation
          - to: stairwell
  - id: cell
    text: The cell.
    choices:
      - id: calm_down
        text: Calm down.
        do: [angry = false]
        return: true
  - id: stairwell
    text: The stairwell.
    ending: {title: Out}
"""


def test_contract_call_example(tmp_path):
    story = load(tmp_path, CALLS, "angry: {type: bool, default: false}")
    play = story.new_game()
    play.choose("search_flat")
    assert play.scene.id == "interrogation" and play.calls == ["interrogation"]
    play.choose("sign_statement")
    assert play.scene.id == "stairwell" and play.calls == [] and play.ended


def test_nested_calls_and_then_resolved_at_return(tmp_path):
    story = load(tmp_path, CALLS, "angry: {type: bool, default: false}")
    play = story.new_game()
    play.choose("search_flat")
    play.choose("refuse")
    assert play.calls == ["interrogation", "cell"]
    play.choose("calm_down")  # angry is false now: the then's first branch no longer holds
    assert play.scene.id == "stairwell" and play.calls == ["interrogation"]
    play.undo()
    assert play.calls == ["interrogation", "cell"] and play.scene.id == "cell"
    save = tmp_path / "s.json"
    play.save(save)
    back = story.load_game(save)
    assert back.calls == ["interrogation", "cell"] and back == play
    assert json.loads(save.read_text())["calls"] == [["interrogation", "start.search_flat"],
                                                    ["cell", "interrogation.refuse"]]


def test_return_with_no_call_and_too_deep(tmp_path):
    story = load(tmp_path, """\
        scenes:
          - id: start
            text: Start.
            choices:
              - id: ret
                text: Return.
                return: true
              - id: deeper
                text: Deeper.
                call: start
                then: start
        """)
    play = story.new_game()
    with pytest.raises(StoryRuntimeError, match="`return` with no call in progress"):
        play.choose("ret")
    for _ in range(8):
        play.choose("deeper")
    assert len(play.calls) == 8
    with pytest.raises(StoryRuntimeError, match="calls nested more than 8 deep"):
        play.choose("deeper")
    assert len(play.calls) == 8
    rep = exhaustive_playtest(story)
    assert rep.errors and any("no call in progress" in f.message for f in rep.errors)
    assert any("more than 8 deep" in f.message for f in rep.errors)


def test_scene_level_call_and_return(tmp_path):
    story = load(tmp_path, """\
        scenes:
          - id: start
            text: Start.
            pause: false
            call: sub
            then: done
          - id: sub
            text: In sub.
            return: true
          - id: done
            text: Done.
            ending: {title: D}
        """)
    play = story.new_game()
    assert play.scene.id == "sub" and play.calls == ["sub"] and [c.id for c in play.choices()] == ["continue"]
    play.choose("continue")
    assert play.ended and play.text == "Done."


def test_call_lint(tmp_path):
    probs, d = problems(tmp_path, """\
        scenes:
          - id: start
            text: Start.
            choices:
              - id: a
                text: A.
                call: start
              - id: b
                text: B.
                goto: start
                return: true
              - id: c
                text: C.
                then: start
                goto: start
              - id: e
                text: E.
                call: strat
                then: start
          - id: lone
            text: Lone.
            return: true
            goto: start
        """)
    has(probs, at(d, "call: start"), "'call' needs 'then'")
    has(probs, at(d, "return: true"), "has both goto and return")
    has(probs, at(d, "then: start"), "'then' applies only with 'call'")
    has(probs, at(d, "strat", plus=0), "unknown scene 'strat' (did you mean 'start'?)")
    lines = (d / "scenes.yaml").read_text().splitlines()
    rl = max(i for i, line in enumerate(lines, 1) if line.strip() == "return: true")
    has(probs, f"{d / 'scenes.yaml'}:{rl}:5", "scene 'lone' has both goto and return")


def test_calls_are_part_of_the_explored_state(tmp_path):
    story = load(tmp_path, """\
        scenes:
          - id: start
            text: Start.
            choices:
              - id: one
                text: One.
                call: hub
                then: end_one
              - id: two
                text: Two.
                call: hub
                then: end_two
          - id: hub
            text: Hub.
            choices:
              - id: back
                text: Back.
                return: true
          - id: end_one
            text: One.
            ending: {title: One}
          - id: end_two
            text: Two.
            ending: {title: Two}
        """)
    rep = exhaustive_playtest(story)
    assert rep.endings == {"end_one": 1, "end_two": 1} and not rep.failed


# ---------------------------------------------------------------- §11.5 effects and arithmetic

def effects_story(tmp_path, effects: str, variables: str):
    return load(tmp_path, f"""\
        scenes:
          - id: start
            text: "{{a}}"
            choices:
              - id: go
                text: Go.
                do: {effects}
                goto: start
        """, variables)


def test_conditional_effects(tmp_path):
    story = effects_story(tmp_path, "[{if: a > 1, do: [a += 10, {if: flag, do: [a = 0]}], else: [a += 1]}]",
                          "a: {type: int, default: 0}\nflag: {type: bool, default: false}")
    play = story.new_game()
    seen = []
    for _ in range(4):
        play.choose("go")
        seen.append(play.state["a"])
    assert seen == [1, 2, 12, 22]
    play.undo()
    assert play.state["a"] == 12


def test_conditional_effects_nesting_limit(tmp_path):
    nested = "a += 1"
    for _ in range(9):
        nested = "{if: a >= 0, do: [" + nested + "]}"
    probs, d = problems(tmp_path, f"""\
        scenes:
          - id: start
            text: "{{a}}"
            choices:
              - id: go
                text: Go.
                do: [{nested}]
                goto: start
        """, "a: {type: int, default: 0}")
    assert any("conditional effects nested more than 8 deep" in p for p in probs), probs


@pytest.mark.parametrize("expr, want", [
    ("7 / 2", 3), ("-7 / 2", -3), ("7 / -2", -3), ("-7 / -2", 3),
    ("7 % 3", 1), ("-7 % 3", -1), ("7 % -3", 1), ("-7 % -3", -1),
    ("min(4, 2, 9)", 2), ("max(4, 2, 9)", 9), ("abs(-5)", 5), ("abs(3 - 10) + min(1, 2)", 8),
])
def test_arithmetic(tmp_path, expr, want):
    story = effects_story(tmp_path, f'["a = {expr}"]', "a: {type: int, default: 0}\nb: {type: int, default: 7}")
    play = story.new_game()
    play.choose("go")
    assert play.state["a"] == want


def test_division_by_a_computed_zero_is_a_runtime_error(tmp_path):
    story = effects_story(tmp_path, "[a = 10 / b, b -= 1]", "a: {type: int, default: 0}\nb: {type: int, default: 1}")
    play = story.new_game()
    play.choose("go")
    assert play.state["a"] == 10
    with pytest.raises(StoryRuntimeError, match="division by zero"):
        play.choose("go")


def test_division_by_literal_zero_is_a_lint_error(tmp_path):
    probs, d = problems(tmp_path, """\
        scenes:
          - id: start
            text: "{a}"
            choices:
              - id: go
                text: Go.
                do: [a = a % 0]
                goto: start
        """, "a: {type: int, default: 0}")
    has(probs, at(d, "a = a % 0"), "remainder by zero")


def test_random_bounds_and_replay(tmp_path):
    story = load(tmp_path, """\
        scenes:
          - id: start
            text: "{a}"
            choices:
              - id: go
                text: Go.
                do: "a = random(2, 4)"
                goto: start
              - id: four
                text: Four.
                if: a == 4
                goto: start
        """, "a: {type: int, default: 0}")
    seen = set()
    for seed in range(60):
        play = story.new_game(seed=seed)
        play.choose("go")
        v = play.state["a"]
        assert 2 <= v <= 4
        seen.add(v)
        save = tmp_path / "r.json"
        play.save(save)
        assert story.load_game(save).state["a"] == v
    assert seen == {2, 3, 4}
    rep = exhaustive_playtest(story)
    assert rep.ranges["a"] == [0, 4] and rep.states >= 4


def test_random_low_above_high_is_a_runtime_error(tmp_path):
    story = effects_story(tmp_path, '["a = random(b, 1)"]', "a: {type: int, default: 0}\nb: {type: int, default: 5}")
    with pytest.raises(StoryRuntimeError, match="random"):
        story.new_game().choose("go")


def test_random_in_text_is_decided_at_entry(tmp_path):
    story = load(tmp_path, """\
        scenes:
          - id: start
            text: "{if random(1, 6) > 3: High. | Low.}"
            choices:
              - id: go
                text: Go.
                goto: start
        """)
    assert story.scenes["start"].offer_draws
    play = story.new_game(seed=4)
    first = play.text
    rng = play.rng
    assert play.text == first and play.rng == rng


class _Fixed:
    def chance(self, percent):
        return True

    def random(self, lo, hi):
        return hi


def test_random_goes_through_outcomes(tmp_path):
    story = effects_story(tmp_path, '["a = random(2, 9)"]', "a: {type: int, default: 0}")
    play = story.new_game(outcomes=_Fixed())
    play.choose("go")
    assert play.state["a"] == 9


# ---------------------------------------------------------------- §11.6 sets

SETS = """\
known: {type: set, values: [ozaki, clausen, miyagi], default: [], label: "People you trust"}
"""


def test_contract_set_example(tmp_path):
    story = load(tmp_path, """\
        scenes:
          - id: start
            text: "You trust: {known}."
            choices:
              - id: add
                text: Add.
                do: [known += 'miyagi', known += 'ozaki', known += 'ozaki']
                goto: start
              - id: drop
                text: Drop.
                if: "'ozaki' in known"
                do: [known -= 'ozaki']
                goto: start
              - id: count
                text: "Count {known}"
                if: "len(known) == 1 and 'ozaki' not in known"
                do: "known = ['ozaki', 'miyagi']"
                goto: start
              - id: clear
                text: Clear.
                if: "known != []"
                do: "known = []"
                goto: start
              - id: empty
                text: Empty.
                if: "known == []"
                goto: start
        """, SETS)
    play = story.new_game()
    assert play.text == "You trust: ." and play.state["known"] == set()
    assert [c.id for c in play.choices()] == ["add", "empty"]
    play.choose("add")
    assert play.text == "You trust: ozaki, miyagi."  # in the order of values
    assert play.state["known"] == {"ozaki", "miyagi"}
    play.choose("drop")
    assert play.text == "You trust: miyagi."
    assert "count" in [c.id for c in play.choices()]
    save = tmp_path / "s.json"
    play.save(save)
    assert story.load_game(save).state["known"] == ["miyagi"]
    play.choose("count")
    assert play.text == "You trust: ozaki, miyagi."
    play.choose("clear")
    assert play.state["known"] == [] and [c.id for c in play.choices()] == ["add", "empty"]
    play.undo()
    assert play.state["known"] == {"ozaki", "miyagi"}
    rep = exhaustive_playtest(story)
    assert not rep.errors and not rep.soft_locks and rep.states == 3  # {}, {ozaki, miyagi}, {miyagi}


def test_set_lint(tmp_path):
    probs, d = problems(tmp_path, """\
        scenes:
          - id: start
            text: "{known}"
            choices:
              - id: a
                text: A.
                do: [known += 'ozaky']
                goto: start
              - id: b
                text: B.
                if: "'sorge' in known"
                goto: start
              - id: c
                text: C.
                do: "known = ['miyagi', 'nobody']"
                goto: start
              - id: e
                text: E.
                do: [known += 1]
                goto: start
        """, SETS + "bad: {type: set, values: [a, b], default: [c]}\n")
    has(probs, at(d, "known += 'ozaky'"), "'ozaky' is not a value of 'known'")
    has(probs, at(d, "known += 'ozaky'"), "did you mean 'ozaki'?")
    has(probs, at(d, "\"'sorge' in known\""), "'sorge' is not a value of 'known'")
    has(probs, at(d, "\"known = ['miyagi'"), "'nobody' is not a value of 'known'")
    has(probs, at(d, "known += 1"), "takes a value (text), not a number")
    has(probs, at(d, "[c]", file="story.yaml", plus=1), "'c' is not among the values of 'bad'")


def test_playthrough_expects_sets_and_replies(tmp_path):
    d = write(tmp_path, """\
        scenes:
          - id: start
            text: Start.
            choices:
              - id: add
                text: Add.
                reply: "Added, {known}."
                do: [known += 'clausen', known += 'ozaki']
                goto: start
        """, SETS)
    pt = d / "playthroughs"
    pt.mkdir()
    (pt / "p.yaml").write_text("story: s\nsteps: [add]\nexpect:\n  state: {known: [clausen, ozaki]}\n"
                               "  reply: \"Added, ozaki, clausen\"\n", encoding="utf-8")
    result = run_playthrough(str(pt / "p.yaml"))
    assert result.ok, [str(p) for p in result.problems]
    (pt / "q.yaml").write_text("story: s\nsteps: [add]\nexpect:\n  state: {known: [ozaki]}\n"
                               "  reply: \"Nope\"\n", encoding="utf-8")
    result = run_playthrough(str(pt / "q.yaml"))
    msgs = [p.message for p in result.problems]
    assert any("expected known" in m for m in msgs) and any("expected the last reply" in m for m in msgs)


# ---------------------------------------------------------------- §11.7 fallback

FALLBACK = """\
scenes:
  - id: start
    text: The hub.
    choices:
      - id: left
        text: Left.
        once: true
        goto: start
      - id: right
        text: Right.
        if: open
        locked: Shut.
        goto: start
      - id: leave
        text: Nothing more to do here.
        fallback: true
        goto: done
  - id: done
    text: Done.
    ending: {title: Done}
"""


def test_fallback_only_when_nothing_else(tmp_path):
    story = load(tmp_path, FALLBACK, "open: {type: bool, default: false}")
    play = story.new_game()
    assert [(c.id, c.enabled) for c in play.choices()] == [("left", True), ("right", False)]
    play.choose("left")
    assert [(c.id, c.enabled) for c in play.choices()] == [("leave", True)]  # alone: locked ones hidden
    play.choose("leave")
    assert play.ended
    rep = exhaustive_playtest(story)
    assert not rep.failed and rep.endings == {"done": 1}


def test_fallback_lint(tmp_path):
    probs, d = problems(tmp_path, FALLBACK.replace("        fallback: true\n",
                                                   "        fallback: true\n        once: true\n"
                                                   "        if: open\n        locked: No.\n"),
                        "open: {type: bool, default: false}")
    lines = (d / "scenes.yaml").read_text().splitlines()
    fb = next(i for i, line in enumerate(lines, 1) if "fallback" in line)
    has(probs, f"{d / 'scenes.yaml'}:{fb + 1}:9", "a fallback choice cannot also have 'once'")
    has(probs, f"{d / 'scenes.yaml'}:{fb + 3}:9", "a fallback choice cannot also have 'locked'")


# ---------------------------------------------------------------- §11.8 renames

OLD = """\
scenes:
  - id: office
    text: Office.
    choices:
      - id: burn
        text: Burn it.
        goto: yard
      - id: keep
        text: Keep it.
        goto: yard
  - id: yard
    text: Yard.
    choices:
      - id: leave
        text: Leave.
        goto: gate
  - id: gate
    text: Gate.
    ending: {title: Gate}
"""

NEW = """\
scenes:
  - id: office
    text: Office.
    choices:
      - id: burn_telegram
        was: [burn]
        text: Burn it.
        goto: courtyard
      - id: keep
        text: Keep it.
        goto: courtyard
  - id: courtyard
    was: [yard]
    text: Yard.
    choices:
      - id: leave
        text: Leave.
        goto: main_gate
  - id: main_gate
    was: [gate]
    text: Gate.
    ending: {title: Gate}
"""


def test_was_keeps_saves_and_playthrough_files(tmp_path):
    d = write(tmp_path, OLD, start="office")
    story = load_story(str(d))
    play = story.new_game()
    play.choose("burn")
    save = tmp_path / "old.json"
    play.save(save)
    pt = d / "playthroughs"
    pt.mkdir()
    (pt / "p.yaml").write_text("story: s\nsteps: [burn, leave]\nexpect:\n  ending: gate\n  visited: [yard]\n",
                               encoding="utf-8")
    assert run_playthrough(str(pt / "p.yaml")).ok
    (pt / "q.yaml").write_text("story: s\nsteps: [burn]\nexpect:\n  scene: yard\n", encoding="utf-8")
    (d / "scenes.yaml").write_text(NEW, encoding="utf-8")
    renamed = load_story(str(d))
    back = renamed.load_game(save)
    assert back.scene.id == "courtyard" and back.steps == ["burn_telegram"]
    assert "replaying all 1 choices" in back.notice
    for name in ("p.yaml", "q.yaml"):
        result = run_playthrough(str(pt / name))
        assert result.ok, [str(p) for p in result.problems]


def test_was_lint(tmp_path):
    probs, d = problems(tmp_path, NEW.replace("was: [yard]", "was: [office]").replace("was: [burn]", "was: [keep]"),
                        start="office")
    has(probs, at(d, "[office]", plus=1), "'office' in 'was' of scene 'courtyard' is a live scene id")
    has(probs, at(d, "[keep]", plus=1), "'keep' in 'was' of choice 'burn_telegram' is a live choice id")


# ---------------------------------------------------------------- schema

def test_schema_describes_the_new_keys():
    from game.story.schema import CHOICE, SCENE, VARIABLE, json_schema
    for key in ("reply", "call", "then", "return", "fallback", "was"):
        assert key in CHOICE.fields
    for key in ("pause", "call", "then", "return", "was"):
        assert key in SCENE.fields
    assert "set" in VARIABLE.fields["type"].type.values
    json.dumps(json_schema())


def test_contract_examples_validate_against_the_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    import yaml
    from game.story.schema import json_schema
    validator = jsonschema.Draft202012Validator(json_schema())
    for text in (CALLS, PASS, FALLBACK, NEW):
        assert not list(validator.iter_errors(yaml.safe_load(text)))


def test_empty_form_next_to_an_empty_value_renders_nothing(story_dir):
    """An empty form followed by a set with no members: no crash, no stray space."""
    story_dir.write("story.yaml", "format: 1\nid: e\ntitle: E\nstart: a\nvariables:\n"
                                  "  c: {type: bool, default: false}\n"
                                  "  known: {type: set, values: [ozaki], default: []}\n")
    story_dir.write("s.yaml", 'scenes:\n  - id: a\n    text: "Known {if c: to all | }{known}"\n'
                              "    choices:\n      - {id: x, text: X, do: [c = true, known += 'ozaki'], goto: a}\n")
    from game import load_story
    play = load_story(str(story_dir.root)).new_game()
    assert play.text == "Known"
    play.choose("x")
    assert play.text == "Known to allozaki"
