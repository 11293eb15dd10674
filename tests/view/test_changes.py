"""The live reload's change report (game/view/changes.py), on plain screens."""

from __future__ import annotations

from game.view.changes import changed_words, paragraphs, replay_warning, screen_changes
from game.view.screen import ChoiceLine, Screen


def screen(text: str, choices=(), title="Hall") -> Screen:
    lines = tuple(ChoiceLine(i, cid, t, enabled, reason) for i, (cid, t, enabled, reason) in enumerate(choices, 1))
    return Screen("Story", None, title, text, lines, (), (), None, None)


def test_paragraphs_ignore_how_a_paragraph_is_wrapped():
    assert paragraphs("One\ntwo.\n\n\nThree.\n") == ["One two.", "Three."]


def test_paragraphs_added_removed_and_changed():
    old = screen("A first.\n\nB second.\n\nC third.")
    new = screen("A first.\n\nB second, now longer.\n\nD new.\n\nC third.")
    assert screen_changes(old, new) == [
        "Paragraph 2 changed: “B second.” → “B second, now longer.”",
        "Paragraph 3 added: “D new.”",
    ]
    assert screen_changes(new, old) == [
        "Paragraph 2 changed: “B second, now longer.” → “B second.”",
        "Paragraph removed (was 3): “D new.”",
    ]
    assert screen_changes(old, old) == []


def test_the_words_that_changed_with_a_little_context():
    a = "Harbin is a Russian city that happens to stand in China"
    b = "Harbin is a Russian town that happens to stand in China"
    assert changed_words(a, b) == "“…is a Russian city that happens to…” → “…is a Russian town that happens to…”"
    assert changed_words("a b c d", "a b c d e") == "added “…b c d e”"
    assert changed_words("a b c d e", "a b c d") == "removed “…b c d e”"


def test_choices_added_removed_changed_locked_and_the_title():
    old = screen("Text.", [("go", "Go", True, None), ("stay", "Stay", True, None), ("run", "Run", True, None)])
    new = screen("Text.", [("go", "Go now", True, None), ("stay", "Stay", False, "Too late."),
                           ("hide", "Hide", True, None)], title="The hall")
    assert screen_changes(old, new) == [
        "Title changed: “Hall” → “The hall”.",
        "Choice 1 changed: “Go” → “Go now”",
        "Choice 2 “Stay” is now locked: Too late.",
        "Choice 3 added: “Hide” → ?",
        "Choice removed: “Run” (was 3, id 'run')",
    ]


def test_the_replay_warning_names_the_step_and_a_likely_rename():
    assert replay_warning(["a", "b"], 2, None, "Hall") is None
    assert replay_warning(["a", "b", "c"], 1, ValueError("gone"), "Hall") == (
        "The replay stopped early: step 2 of 3, 'b', is no longer on offer there; the game stands after step 1, "
        "in 'Hall'.")
    assert replay_warning(["a", "take"], 1, ValueError("gone"), "Hall", "Take the letter.",
                          (("accept", "Take the letter he offers."), ("walk", "Walk on."))).endswith(
        "It looks renamed to 'accept': `was: [take]` on it keeps games and saves going.")
    assert replay_warning(["a", "x"], 1, RuntimeError("division by zero"), "Hall\x1b[2J") == (
        "The replay stopped early: step 2 of 2, 'x', fails now (division by zero); the game stands after step 1, "
        "in 'Hall\\u001b[2J'.")
