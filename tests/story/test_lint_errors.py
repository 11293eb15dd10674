"""Every error and warning class of §6, each at its exact line and column."""

from __future__ import annotations

import pytest

from tests.conftest import CONTENT, MANIFEST


def only(problems: list[str], severity: str = "error") -> list[str]:
    return [p for p in problems if f": {severity}: " in p]


def assert_problem(problems, where, fragment, severity="error"):
    want = f"{where}: {severity}: "
    hits = [p for p in problems if p.startswith(want) and fragment in p]
    assert hits, f"expected {want}...{fragment}...; got:\n" + "\n".join(problems)


def test_valid_story_is_clean(base_story):
    story, problems = base_story.check()
    assert problems == []
    assert story is not None and story.id == "t"


def test_yaml_syntax_error_is_positioned(story_dir):
    story_dir.write("story.yaml", MANIFEST)
    story_dir.write("scenes.yaml", "scenes:\n  - id: a\n    text: \"unclosed\n    goto: a\n")
    probs = story_dir.problems()
    assert len(only(probs)) == 1
    assert "YAML syntax" in probs[0] and probs[0].startswith(str(story_dir.root / "scenes.yaml") + ":")


def test_duplicate_mapping_key(base_story):
    base_story.write("scenes.yaml", CONTENT.replace('    text: "A {x}"\n', '    text: "A {x}"\n    text: "again"\n'))
    assert_problem(base_story.problems(), base_story.at("scenes.yaml", "text: \"again"), "duplicate key 'text'")


def test_unknown_key_with_suggestion(base_story):
    base_story.write("scenes.yaml", CONTENT.replace("  - id: b\n", "  - id: b\n    titel: B\n"))
    assert_problem(base_story.problems(), base_story.at("scenes.yaml", "titel"), "did you mean 'title'?")


def test_unknown_top_level_key_in_content(base_story):
    base_story.write("more.yaml", "scene:\n  - id: c\n")
    assert_problem(base_story.problems(), base_story.at("more.yaml", "scene"), "did you mean 'scenes'?")


def test_missing_required_key(base_story):
    base_story.write("scenes.yaml", CONTENT.replace("        text: Go\n", ""))
    assert_problem(base_story.problems(), base_story.at("scenes.yaml", "id: go"), "missing required key 'text'")


def test_wrong_value_type(base_story):
    base_story.write("scenes.yaml", CONTENT.replace("        if: x >= 0\n", "        if: x >= 0\n        once: maybe\n"))
    assert_problem(base_story.problems(), base_story.at("scenes.yaml", "maybe"), "expected true or false")


def test_wrong_type_list_for_text(base_story):
    base_story.write("scenes.yaml", CONTENT.replace("        text: Go\n", "        text: {a: 1}\n"))
    assert_problem(base_story.problems(), base_story.at("scenes.yaml", "{a: 1}"), "expected text")


def test_duplicate_scene_id(base_story):
    base_story.write("z_more.yaml", "scenes:\n  - id: b\n    text: x\n    goto: a\n")
    assert_problem(base_story.problems(), base_story.at("z_more.yaml", "id: b", shift=4), "duplicate scene id 'b'")


def test_duplicate_choice_id(base_story):
    base_story.write("scenes.yaml", CONTENT.replace("  - id: b\n", """\
      - id: go
        text: Again
        goto: b
  - id: b
"""))
    assert_problem(base_story.problems(), base_story.at("scenes.yaml", "id: go", 2, shift=4), "duplicate choice id 'go'")


def test_unknown_scene_in_goto_with_suggestion(base_story):
    base_story.write("scenes.yaml", CONTENT.replace("goto: b", "goto: bb"))
    assert_problem(base_story.problems(), base_story.at("scenes.yaml", "bb"), "unknown scene 'bb' (did you mean 'b'?)")


def test_unknown_note_and_codex(base_story):
    base_story.write("scenes.yaml", CONTENT.replace("        goto: b\n", "        note: refusal\n        goto: b\n")
                     .replace("  - id: b\n", "  - id: b\n    unlock: [pudin]\n"))
    probs = base_story.problems()
    assert_problem(probs, base_story.at("scenes.yaml", "refusal"), "unknown note id 'refusal'")
    assert_problem(probs, base_story.at("scenes.yaml", "pudin"), "unknown codex id 'pudin'")


def test_unknown_start(base_story):
    base_story.write("story.yaml", MANIFEST.replace("start: a", "start: aa"))
    assert_problem(base_story.problems(), base_story.at("story.yaml", "aa"), "start scene 'aa' does not exist")


def test_undeclared_variable_in_expression_and_text(base_story):
    base_story.write("scenes.yaml", CONTENT.replace("if: x >= 0", "if: xx >= 0").replace("A {x}", "A {y}"))
    probs = base_story.problems()
    assert_problem(probs, base_story.at("scenes.yaml", "xx >= 0"), "undeclared variable 'xx' (did you mean 'x'?)")
    assert_problem(probs, base_story.at("scenes.yaml", '"A {y}"'), "undeclared variable 'y'")


@pytest.mark.parametrize("expr, fragment", [
    ("x + true > 1", "needs numbers"),
    ("x == 'a'", "cannot compare a number with text"),
    ("'a' < 3", "cannot compare"),
    ("x", "must be true or false"),
    ("not x", "`not` needs true/false"),
])
def test_type_errors_in_conditions(base_story, expr, fragment):
    base_story.write("scenes.yaml", CONTENT.replace("if: x >= 0", f'if: "{expr}"'))
    assert_problem(base_story.problems(), base_story.at("scenes.yaml", f'"{expr}"'), fragment)


def test_type_errors_in_effects_and_str_values(story_dir):
    story_dir.write("story.yaml", MANIFEST + "  flag: {type: bool, default: false}\n"
                    "  who: {type: str, default: none, values: [none, pudin]}\n")
    story_dir.write("scenes.yaml", CONTENT.replace("        goto: b\n", """\
        do: [flag += 1, who = 'pudim', x = true]
        goto: b
""").replace("if: x >= 0", "if: who == 'adamovich' or flag"))
    probs = story_dir.problems()
    assert_problem(probs, story_dir.at("scenes.yaml", "flag += 1"), "needs a number variable")
    assert_problem(probs, story_dir.at("scenes.yaml", "who = 'pudim'"), "did you mean 'pudin'?")
    assert_problem(probs, story_dir.at("scenes.yaml", "x = true"), "'x' is a number but the value is true/false")
    assert_problem(probs, story_dir.at("scenes.yaml", "who == 'adamovich'"), "'adamovich' is not a value of 'who'")


@pytest.mark.parametrize("expr, fragment", [
    ("x ** 2 > 1", "`**`"),
    ("x.real > 1", "attribute access"),
    ("__import__('os') == 1", "unknown function"),
    ("(lambda: 1)() == 1", "lambda"),
    ("[1][0] == 1", "indexing"),
    ("[1] == 1", "lists are not allowed"),
    ("(y := 1) == 1", "`:=`"),
    ("[a for a in b] == 1", "comprehensions"),
    ("x // 2 > 1", "`//`"),
    ("x / 0 > 1", "division by zero"),
    ("x % 0 > 1", "remainder by zero"),
    ("open('f') == 1", "unknown function 'open'"),
    ("x >= 1 && x < 3", "expression syntax"),
    ("x = 1", "expression syntax"),
    ("x " + "+ 1 " * 200 + "> 1", "the limit is 500"),
    ("chance(150)", "between 0 and 100"),
    ("visited(nowhere) > 0", "unknown scene 'nowhere'"),
    ("chose(a.nope) > 0", "no choice with id 'nope'"),
])
def test_constructs_outside_the_language(base_story, expr, fragment):
    base_story.write("scenes.yaml", CONTENT.replace("if: x >= 0", f'if: "{expr}"'))
    probs = only(base_story.problems())
    assert len(probs) == 1, probs
    assert_problem(probs, base_story.at("scenes.yaml", f'"{expr}"'), fragment)


def test_scene_with_no_or_two_of_choices_goto_ending(base_story):
    base_story.write("more.yaml", """\
        scenes:
          - id: empty
            text: nothing here
          - id: both
            text: two ways
            goto: a
            ending: {title: Both}
        """)
    probs = base_story.problems()
    assert_problem(probs, base_story.at("more.yaml", "id: empty"), "needs exactly one of choices, goto or ending")
    assert_problem(probs, base_story.at("more.yaml", "ending"), "has both goto and ending")


def test_goto_branch_list_whose_last_has_if(base_story):
    base_story.write("scenes.yaml", CONTENT.replace("        goto: b\n", """\
        goto:
          - if: x > 1
            to: b
          - if: x > 2
            to: a
"""))
    assert_problem(base_story.problems(), base_story.at("scenes.yaml", "if: x > 2"), "last branch of a goto list must have no 'if'")


@pytest.mark.parametrize("decl, needle, fragment", [
    ("{type: int, default: 9, min: 0, max: 5}", "9", "outside its range"),
    ("{type: str, default: maybe, values: [yes, no]}", "maybe", "not among its values"),
    ("{type: bool, default: 1}", "1}", "must be true or false"),
    ("{type: int, default: 0, meter: true}", "meter", "'meter' needs an int variable with both min and max"),
    ("{type: bool, default: true, meter: true}", "meter", "'meter' needs an int variable"),
    ("{type: str, default: a}", "{type: str", "missing required key 'values'"),
    ("{type: float, default: 1}", "float", "not one of int, bool, str"),
])
def test_variable_declaration_errors(story_dir, decl, needle, fragment):
    story_dir.write("story.yaml", MANIFEST + f"  v: {decl}\n")
    story_dir.write("scenes.yaml", CONTENT)
    idx = story_dir.files["story.yaml"].index("  v: ") + 5
    text = story_dir.files["story.yaml"]
    col = text.index(needle, idx) - text.rfind("\n", 0, idx)
    line = text.count("\n", 0, idx) + 1
    assert_problem(story_dir.problems(), f"{story_dir.root / 'story.yaml'}:{line}:{col}", fragment)


def test_yes_no_on_off_stay_strings(story_dir):
    story_dir.write("story.yaml", MANIFEST + "  answer: {type: str, default: no, values: [yes, no, on, off]}\n")
    story_dir.write("scenes.yaml", CONTENT.replace("if: x >= 0", "if: answer == 'no'").replace("text: Go", "text: No"))
    story, probs = story_dir.check()
    assert probs == []
    play = story.new_game()
    assert play.state["answer"] == "no"
    assert [c.text for c in play.choices()] == ["No"]


def test_all_errors_in_all_files_are_reported_sorted(base_story):
    base_story.write("a_more.yaml", "scenes:\n  - id: c\n    text: x\n    goto: nowhere\n")
    base_story.write("z_more.yaml", "notes:\n  n1: {text: t}\n")
    base_story.write("scenes.yaml", CONTENT.replace("goto: b", "goto: q"))
    probs = only(base_story.problems())
    assert len(probs) == 3
    assert probs == sorted(probs, key=lambda p: (p.split(":")[0], int(p.split(":")[1])))
    assert "a_more.yaml" in probs[0] and "scenes.yaml" in probs[1] and "z_more.yaml" in probs[2]


# ------------------------------------------------------------------ warnings

def test_warnings(base_story):
    base_story.write("story.yaml", MANIFEST + "  unused: {type: int, default: 0}\n  self_only: {type: int, default: 0}\n")
    base_story.write("scenes.yaml", CONTENT.replace("        goto: b\n", """\
        do: [self_only += 1, self_only = self_only + 2]
        goto: b
      - id: never
        text: Never
        if: 1 > 2
        goto: b
""") + """\
  - id: island
    text: Nobody comes here.
    goto: b
notes:
  lonely: {text: t, source: s}
codex:
  ghost: {name: G, kind: person, text: t, source: s}
""")
    story, _ = base_story.check()
    assert story is not None, "warnings alone must not stop loading"
    w = only(base_story.problems(), "warning")
    assert_problem(w, base_story.at("story.yaml", "unused"), "variable 'unused' is declared but never read", "warning")
    assert_problem(w, base_story.at("story.yaml", "self_only"), "variable 'self_only'", "warning")
    assert_problem(w, base_story.at("scenes.yaml", "1 > 2"), "always false", "warning")
    assert_problem(w, base_story.at("scenes.yaml", "island"), "can never be reached", "warning")
    assert_problem(w, base_story.at("scenes.yaml", "lonely"), "note 'lonely' is never shown", "warning")
    assert_problem(w, base_story.at("scenes.yaml", "ghost"), "codex entry 'ghost' is never unlocked", "warning")
    assert len(w) == 6


def test_trigger_target_counts_as_reachable(base_story):
    base_story.write("story.yaml", MANIFEST + "triggers:\n  - if: x >= 5\n    goto: caught\n")
    base_story.write("more.yaml", "scenes:\n  - id: caught\n    ending: {title: Caught, text: c}\n")
    assert base_story.problems() == []
