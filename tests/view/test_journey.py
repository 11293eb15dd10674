"""The journey as plain values (game/view/journey.py): the game's steps
replayed into a value per step for each meter, the chapters where they
begin, and the block chart both front ends draw from."""

from __future__ import annotations

from pathlib import Path

from game import load_story
from game.engine.session import Session
from game.view.journey import ChapterMark, Series, build_journey, chapter_legend, chart

JOURNEY = str(Path(__file__).resolve().parent.parent / "data" / "journey")


def session_after(*steps):
    s = Session.new(load_story(JOURNEY), None, 0)
    for step in steps:
        s.choose(step)
    return s


def test_values_per_step_and_chapters_come_from_replaying_the_steps():
    j = build_journey(session_after("follow", "ask", "forge", "bluff"))
    nerve, heat = j.meters
    assert (nerve.label, nerve.lo, nerve.hi) == ("Nerve", 0, 10)
    assert nerve.values == (5, 7, 7, 3, 3)
    assert heat.values == (1, 1, 4, 6, 10)
    assert [(m.number, m.title, m.step) for m in j.chapters] == [
        (1, "Vienna, 1938", 0), (2, "Zurich, 1939", 2), (3, "Lisbon, 1940", 4)]
    assert j.steps == 4


def test_stats_list_every_visible_variable_and_no_hidden_one():
    j = build_journey(session_after("follow", "ask", "forge"))
    assert [(s.label, s.value) for s in j.stats] == [
        ("Nerve", "3 of 10"), ("Police attention [1944]", "6 of 10"), ("Papers", "forged")]


def test_undo_takes_the_last_step_off_the_journey():
    s = session_after("follow", "ask")
    s.undo()
    assert build_journey(s).meters[0].values == (5, 7)


def test_a_long_game_is_grouped_into_the_width_each_column_its_last_step():
    values = tuple(range(0, 200)) + (3,)
    s = Series("Long", 0, 200, values)
    c = chart(s, (ChapterMark(1, "One", 0), ChapterMark(2, "Two", 100)), width=54, height=2)
    assert all(len(r) == 50 for r in c.rows)  # 54 less the scale "200 "
    assert c.axis == ("200 ", "  0 ")
    heights = [sum(" ▁▂▃▄▅▆▇█".index(r[col]) for r in c.rows) for col in range(50)]
    assert heights[-1] == 1  # the last column shows the last step's value (3 of 200: the least visible bar)
    assert heights[:-1] == sorted(heights[:-1])  # rising through the groups
    assert c.column_chapter[0] == 0 and c.column_chapter[-1] == 1
    first_two = c.column_chapter.index(1)
    assert c.marks[0] == "1" and c.marks[first_two] == "2"


def test_a_value_above_the_floor_always_shows_and_the_floor_is_empty():
    c = chart(Series("M", 0, 100, (0, 1, 100)), (), width=4 + 9, height=1)
    assert c.rows == ("   ▁▁▁███",)  # three columns a step: at 0 nothing, at 1 one eighth, at 100 full


def test_the_chapter_legend_breaks_only_between_chapters():
    j = build_journey(session_after("follow", "ask", "forge", "bluff"))
    assert chapter_legend(j) == ["1 Vienna, 1938  2 Zurich, 1939  3 Lisbon, 1940"]
    assert chapter_legend(j, 32) == ["1 Vienna, 1938  2 Zurich, 1939", "3 Lisbon, 1940"]
    assert chapter_legend(j, 10) == ["1 Vienna, 1938", "2 Zurich, 1939", "3 Lisbon, 1940"]  # longer than a line
