"""Format §11.10 (achievements), §11.11 (sources, cites, note_heading) and the
endings gallery's `hint`: lint at exact positions, the engine, the profile,
replay and playtest."""

from __future__ import annotations

import json

import pytest

from game import load_story
from game.engine.saves import SaveStore, clean_profile
from game.engine.session import Session
from game.playtest.cli import report_json
from game.playtest.explore import exhaustive_playtest, random_playtest
from game.playtest.replay import run_playthrough
from game.story.schema import json_schema
from tests.story.test_lint_errors import assert_problem, only

MANIFEST = """\
format: 1
id: t
title: T
start: a
note_heading: "Behind the story"
variables:
  x: {type: int, default: 0, min: 0, max: 5}
sources:
  kp:
    title: "Soviet Intelligence and the Breach of Japanese Codes"
    author: "H. Kuromiya and A. Peploński"
    detail: "the article"
  motov:
    title: "Motov-1"
    author: "the OGPU"
achievements:
  careful:
    title: "Careful"
    text: "End with x at 0."
    when: ended and x == 0
  bold:
    title: "Bold"
    text: "Raise x."
    when: x >= 1
    hidden: true
"""

CONTENT = """\
scenes:
  - id: a
    text: "A {x}"
    choices:
      - id: go
        text: Go
        note: n1
        goto: b
      - id: up
        text: Up
        do: x += 1
        goto: b
  - id: b
    ending: {title: End, text: Bye, hint: "Try going up."}
notes:
  n1:
    title: "One"
    text: "What happened."
    source: "K&P p.3; Motov-1"
    cites: [kp, motov]
"""


@pytest.fixture
def story(story_dir):
    story_dir.write("story.yaml", MANIFEST)
    story_dir.write("scenes.yaml", CONTENT)
    return story_dir


def test_clean_story_compiles_sources_and_achievements(story):
    s, problems = story.check()
    assert problems == []
    d = s.data
    assert list(d.sources) == ["kp", "motov"]
    assert d.sources["kp"].author.startswith("H. Kuromiya") and d.sources["motov"].detail is None
    assert d.note_heading == "Behind the story"
    assert s.notes["n1"].cites == ("kp", "motov")
    assert d.cited_titles(s.notes["n1"]) == ["Soviet Intelligence and the Breach of Japanese Codes", "Motov-1"]
    assert list(d.achievements) == ["careful", "bold"] and d.achievements["bold"].hidden
    assert s.scenes["b"].ending.hint == "Try going up."


def test_note_heading_default(story):
    story.write("story.yaml", MANIFEST.replace('note_heading: "Behind the story"\n', ""))
    s, _ = story.check()
    assert s.data.note_heading == "What really happened"


# ------------------------------------------------------------------ lint

def test_unknown_cited_source_is_positioned_with_suggestion(story):
    story.write("scenes.yaml", CONTENT.replace("cites: [kp, motov]", "cites: [kp, motv]"))
    assert_problem(story.problems(), story.at("scenes.yaml", "motv"), "unknown source id 'motv' (did you mean 'motov'?)")


def test_unknown_cited_source_without_sources(story):
    story.write("story.yaml", MANIFEST.split("sources:")[0])
    assert_problem(story.problems(), story.at("scenes.yaml", "kp, motov"), "declares no `sources`")


def test_source_never_cited_is_a_warning(story):
    story.write("scenes.yaml", CONTENT.replace("cites: [kp, motov]", "cites: [kp]"))
    probs = story.problems()
    assert only(probs) == []
    assert_problem(probs, story.at("story.yaml", "motov:"), "source 'motov' is never cited", "warning")


def test_source_missing_title_and_unknown_key(story):
    story.write("story.yaml", MANIFEST.replace('    title: "Motov-1"\n', '    titel: "Motov-1"\n'))
    probs = story.problems()
    assert_problem(probs, story.at("story.yaml", "titel"), "unknown key 'titel' in source (did you mean 'title'?)")
    assert_problem(probs, story.at("story.yaml", "titel"), "missing required key 'title' in source")


def test_bad_cites_id(story):
    story.write("scenes.yaml", CONTENT.replace("cites: [kp, motov]", "cites: [kp, Motov]"))
    assert_problem(story.problems(), story.at("scenes.yaml", "Motov]"), "'Motov' is not a valid id")


def test_achievement_bad_when_is_positioned(story):
    story.write("story.yaml", MANIFEST.replace("when: x >= 1", "when: y >= 1"))
    assert_problem(story.problems(), story.at("story.yaml", "y >= 1"), "undeclared variable 'y'")


def test_achievement_when_type_error(story):
    story.write("story.yaml", MANIFEST.replace("when: x >= 1", "when: x + 1"))
    assert_problem(story.problems(), story.at("story.yaml", "x + 1"), "")


def test_achievement_when_cannot_draw(story):
    story.write("story.yaml", MANIFEST.replace("when: x >= 1", "when: chance(50)"))
    assert_problem(story.problems(), story.at("story.yaml", "chance(50)"), "cannot call chance()")


def test_ended_is_only_known_in_achievements(story):
    story.write("scenes.yaml", CONTENT.replace("        do: x += 1\n", "        if: not ended\n        do: x += 1\n"))
    assert_problem(story.problems(), story.at("scenes.yaml", "not ended"), "undeclared variable 'ended'")


def test_ended_misspelt_suggests_ended(story):
    story.write("story.yaml", MANIFEST.replace("when: ended and x == 0", "when: endd and x == 0"))
    assert_problem(story.problems(), story.at("story.yaml", "endd"), "did you mean 'ended'?")


def test_achievement_missing_title_text_when(story):
    story.write("story.yaml", MANIFEST.replace('    title: "Bold"\n    text: "Raise x."\n    when: x >= 1\n', ""))
    probs = story.problems()
    for key in ("title", "text", "when"):
        # a mapping stands where its first key does
        assert_problem(probs, story.at("story.yaml", "hidden: true"), f"missing required key '{key}' in achievement")


def test_achievement_unknown_key_did_you_mean(story):
    story.write("story.yaml", MANIFEST.replace("    hidden: true", "    hiden: true"))
    assert_problem(story.problems(), story.at("story.yaml", "hiden"), "did you mean 'hidden'?")


def test_achievement_bad_id_and_hidden_type(story):
    story.write("story.yaml", MANIFEST.replace("  bold:", "  Bold:").replace("hidden: true", "hidden: maybe"))
    probs = story.problems()
    assert_problem(probs, story.at("story.yaml", "Bold:"), "'Bold' is not a valid id")


def test_ending_hint_must_be_text(story):
    story.write("scenes.yaml", CONTENT.replace('hint: "Try going up."', "hint: [a]"))
    assert_problem(story.problems(), story.at("scenes.yaml", "[a]"), "expected text")


def test_json_schema_describes_the_additions():
    manifest = json_schema()["anyOf"][0]["properties"]
    assert set(manifest["sources"]["additionalProperties"]["required"]) == {"title", "author"}
    assert set(manifest["achievements"]["additionalProperties"]["required"]) == {"title", "text", "when"}
    assert "note_heading" in manifest
    content = json_schema()["anyOf"][1]["anyOf"][0]["properties"]
    note = content["notes"]["additionalProperties"]["properties"]
    assert "cites" in note
    ending = content["scenes"]["items"]["properties"]["ending"]["properties"]
    assert "hint" in ending


# ------------------------------------------------------------------ engine

def test_achievement_earned_once_and_undone(story):
    s = load_story(str(story.root))
    p = s.new_game()
    assert p.achievements == []
    r = p.choose("up")
    assert [a.id for a in r.achieved] == ["bold"] and p.achievements == ["bold"]
    assert p.undo() and p.achievements == []
    r = p.choose("go")
    assert [a.id for a in r.achieved] == ["careful"] and p.achievements == ["careful"]


def test_achievement_at_the_start(story_dir):
    story_dir.write("story.yaml", MANIFEST.replace("when: x >= 1", "when: x == 0"))
    story_dir.write("scenes.yaml", CONTENT)
    p = load_story(str(story_dir.root)).new_game()
    assert p.achievements == ["bold"]
    p.choose("up")
    assert p.achievements == ["bold"]  # earned once, kept when the condition no longer holds
    p.undo()
    assert p.achievements == ["bold"]


def test_achievements_survive_save_and_load(story, tmp_path):
    s = load_story(str(story.root))
    p = s.new_game()
    p.choose("up")
    p.save(tmp_path / "g.json")
    q = s.load_game(tmp_path / "g.json")
    assert q.achievements == ["bold"] and q == p
    assert json.loads((tmp_path / "g.json").read_text())["achievements"] == ["bold"]


def test_profile_keeps_achievements_across_games(story, tmp_path):
    s = load_story(str(story.root))
    store = SaveStore(tmp_path / "saves")
    sess = Session.new(s, store, seed=1)
    sess.choose("up")
    assert sess.achievement_notice() == "Achievement: Bold — Raise x."
    assert set(store.achievements_seen("t")) == {"bold"}
    sess2 = Session.new(s, store, seed=2)
    assert sess2.play.achievements == []
    assert set(sess2.achievements_found()) == {"bold"}
    sess2.choose("go")
    assert set(store.achievements_seen("t")) == {"bold", "careful"}
    sess2.undo()
    assert sess2.achievement_notice() is None
    assert set(store.achievements_seen("t")) == {"bold", "careful"}  # the profile keeps what was earned


def test_profile_keeps_first_ending_date_and_route(story, tmp_path):
    s = load_story(str(story.root))
    store = SaveStore(tmp_path / "saves")
    sess = Session.new(s, store, seed=1)
    sess.choose("up")
    first = store.ending_firsts("t")["b"]
    assert first["steps"] == 1 and first["decisions"] == 0 and len(first["date"]) == 10
    sess = Session.new(s, store, seed=2)
    sess.choose("go")
    assert store.ending_firsts("t")["b"] == first  # the first arrival is kept
    assert store.endings_seen("t")["b"] == 2


@pytest.mark.parametrize("bad", [
    {"achievements": []},
    {"achievements": {"t": ["a"]}},
    {"achievements": {"t": {"a": 3}}},
    {"ending_firsts": {"t": {"b": {"date": "x"}}}},
    {"ending_firsts": {"t": {"b": {"date": "x", "steps": -1, "same": 0, "decisions": 0, "diverged": []}}}},
    {"ending_firsts": {"t": {"b": {"date": "x", "steps": 1, "same": 0, "decisions": 0, "diverged": [1]}}}},
    {"ending_firsts": "no"},
])
def test_profile_fields_are_validated(bad):
    data, ok = clean_profile({"endings": {}, "codex": {}, **bad})
    assert not ok
    assert all(not v for v in data["achievements"].values()) and all(not v for v in data["ending_firsts"].values())


def test_good_profile_is_clean():
    good = {"endings": {"t": {"b": 1}}, "codex": {}, "achievements": {"t": {"bold": "2024-01-01"}},
            "ending_firsts": {"t": {"b": {"date": "2024-01-01", "steps": 3, "same": 1, "decisions": 2,
                                          "diverged": ["The widow's rooms"]}}}}
    data, ok = clean_profile(good)
    assert ok and data == good


def test_broken_profile_is_moved_aside_and_achievements_written(story, tmp_path):
    store = SaveStore(tmp_path / "saves")
    store.folder.mkdir(parents=True)
    store.profile_path.write_text(json.dumps({"endings": {}, "codex": {}, "achievements": {"t": {"x": 1}}}))
    assert store.achievements_seen("t") == {}
    store.record_achievements("t", ["bold"])
    assert store.achievements_seen("t") == {"bold": store.achievements_seen("t")["bold"]}
    assert list(store.folder.glob("profile.broken-*.json"))


# ------------------------------------------------------------------ replay and playtest

def _playthrough(tmp_path, story, steps, expect):
    f = tmp_path / "p.yaml"
    f.write_text(f"story: {story.root}\nsteps: {steps}\nexpect:\n  achievements: {expect}\n")
    return run_playthrough(str(f), want_transcript=False)


def test_replay_expect_achievements(story, tmp_path):
    assert _playthrough(tmp_path, story, "[up]", "[bold]").ok
    assert _playthrough(tmp_path, story, "[go]", "[careful]").ok
    assert _playthrough(tmp_path, story, "[]", "[]").ok


def test_replay_expect_achievements_failures(story, tmp_path):
    r = _playthrough(tmp_path, story, "[go]", "[bold]")
    assert not r.ok
    msgs = [str(p) for p in r.problems]
    assert any(":4:18: error: expected achievement 'bold' to have been earned" in m for m in msgs), msgs
    assert any(":4:17: error: achievements earned but not expected: careful" in m for m in msgs), msgs
    r = _playthrough(tmp_path, story, "[go]", "[carefull]")
    assert any(":4:18: error: unknown achievement 'carefull' in expect.achievements (did you mean 'careful'?)"
               in str(p) for p in r.problems), [str(p) for p in r.problems]


def test_playtest_json_lists_every_achievement(story):
    s = load_story(str(story.root))
    for rep in (exhaustive_playtest(s), random_playtest(s, runs=20)):
        j = report_json(rep)
        assert set(j["achievements"]) == {"careful", "bold"}
        assert all(v > 0 for v in j["achievements"].values()), j["achievements"]
        assert set(j["achievement_paths"]) == {"careful", "bold"}


def test_playtest_counts_zero_and_require_all_endings_fails(story_dir, capsys):
    from game.cli import main
    story_dir.write("story.yaml", MANIFEST.replace("when: x >= 1", "when: x >= 2"))
    story_dir.write("scenes.yaml", CONTENT)
    s = load_story(str(story_dir.root))
    assert report_json(exhaustive_playtest(s))["achievements"]["bold"] == 0
    assert report_json(random_playtest(s, runs=10))["achievements"]["bold"] == 0
    assert main(["playtest", str(story_dir.root), "--exhaustive", "--require-all-endings"]) == 1
    assert "achievements never earned: bold" in capsys.readouterr().out
    story_dir.write("story.yaml", MANIFEST)
    assert main(["playtest", str(story_dir.root), "--exhaustive", "--require-all-endings"]) == 0


def test_two_achievements_in_one_step_read_as_one_sentence(story_dir, tmp_path):
    story_dir.write("story.yaml", MANIFEST.replace("when: x >= 1", "when: ended and x == 0"))
    story_dir.write("scenes.yaml", CONTENT)
    sess = Session.new(load_story(str(story_dir.root)), SaveStore(tmp_path / "saves"), seed=1)
    sess.choose("go")
    assert sess.achievement_notice() == "Achievements: Careful — End with x at 0; Bold — Raise x."
