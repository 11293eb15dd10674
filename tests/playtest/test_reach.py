"""Play from anywhere (game/playtest/reach.py): the shortest known way into a
scene in a state where a condition holds, on hand-made stories whose
shortest paths are known; and the reasons it gives when there is none."""

from __future__ import annotations

import pytest

from game import load_story
from game.playtest.explore import exhaustive_playtest
from game.playtest.reach import WhereError, compile_where, find_state, play_from, start_at
from tests.conftest import repo_path

MANIFEST = """\
format: 1
id: maze
title: Maze
start: hall
variables:
  k: {type: int, default: 0, min: 0, max: 3}
  door: {type: bool, default: false}
"""

# hall --left (k+1)--> side --on--> vault (ending)
#   \--right--> yard --key (door)--> yard --on (if door)--> vault
# side --back--> hall; the attic is behind a condition that never holds;
# the cellar has no way in; the stairs do not pause.
SCENES = """\
scenes:
  - id: hall
    text: The hall.
    choices:
      - id: left
        text: Left
        do: [k += 1]
        goto: side
      - id: right
        text: Right
        goto: yard
      - id: up
        text: Up
        if: k > 5
        goto: attic
  - id: side
    was: [old_side]
    text: A side room.
    choices:
      - id: back
        text: Back
        goto: hall
      - id: on
        text: On
        goto: stairs
  - id: stairs
    pause: false
    text: Stairs.
    goto: vault
  - id: yard
    text: The yard.
    choices:
      - id: key
        text: Pick up the key
        once: true
        do: [door = true]
        goto: yard
      - id: on
        text: Through the door
        if: door
        goto: vault
  - id: attic
    text: Never.
    goto: vault
  - id: cellar
    text: No way in.
    goto: vault
  - id: vault
    ending: {title: The vault, text: Done.}
"""


@pytest.fixture
def maze(story_dir):
    story_dir.write("story.yaml", MANIFEST)
    story_dir.write("scenes.yaml", SCENES)
    return load_story(str(story_dir.root))


@pytest.mark.parametrize("scene, where, path", [
    ("hall", None, []),
    ("side", None, ["left"]),
    ("vault", None, ["left", "on"]),
    ("vault", "door", ["right", "key", "on"]),
    ("vault", "k >= 2", ["left", "back", "left", "on"]),
    ("vault", "k >= 2 and door", ["left", "back", "left", "back", "right", "key", "on"]),
    ("side", "visited(side) >= 2", ["left", "back", "left"]),
    ("yard", "chose(yard.key) == 1 and k == 1", ["left", "back", "right", "key"]),
    ("hall", "k == 3", ["left", "back", "left", "back", "left", "back"]),
    ("old_side", None, ["left"]),  # an old id (`was:`) names the scene it became
])
def test_the_shortest_path_into_a_scene(maze, scene, where, path):
    play, reach = play_from(maze, scene, where)
    assert reach.path == path
    assert play.steps == path
    assert play.scene.id == reach.scene
    if where is not None:
        assert compile_where(maze, where).holds(play)
    # An ordinary game: undo walks back along the path to the start.
    for _ in path:
        assert play.undo()
    assert play.scene.id == "hall" and not play.can_undo


def test_the_path_is_as_short_as_the_explorers(maze):
    rep = exhaustive_playtest(maze)
    for ending, finding in rep.ending_paths.items():
        assert len(find_state(maze, ending).path) == len(finding.path)


@pytest.mark.parametrize("scene, where, why", [
    ("valt", None, "no scene 'valt' in this story (did you mean 'vault'?)"),
    ("cellar", None, "scene 'cellar' is never reachable: no goto leads to it from the start ('hall')"),
    # (10 states: the hall with k 0-3, the side room with k 1-3, the yard with and without the key, the vault)
    ("attic", None, "scene 'attic' is never reached: no playthrough gets there (all 10 reachable states "
                    "explored; the conditions on the way never all hold)"),
        # (k is part of every state once the condition reads it: 4 in the hall, 3 in the side room,
    # 8 in the yard, 4 in the vault)
    ("vault", "k > 3", "no reachable state in 'vault' satisfies k > 3 (all 19 reachable states explored)"),
    ("stairs", None, "scene 'stairs' has `pause: false`: the game passes through it without stopping, so no "
                     "game can stand in it (start at the scene it leads to)"),
])
def test_why_it_cannot(maze, scene, where, why):
    reach = find_state(maze, scene, compile_where(maze, where) if where else None)
    assert not reach.found
    assert reach.why == why
    with pytest.raises(ValueError, match="^" + why.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        start_at(maze, reach)


def test_the_exploration_limit(maze):
    reach = find_state(maze, "vault", compile_where(maze, "k >= 2 and door"), max_states=5)
    assert not reach.found
    assert reach.why == ("no state in 'vault' where k >= 2 and door holds was found within the exploration limit "
                         "(5 states; raise it with --max-states)")
    assert find_state(maze, "vault", compile_where(maze, "k >= 2 and door"), max_states=100).found


def test_a_search_can_be_stopped():
    story = load_story(repo_path("scenes", "izumi"))
    asked = []
    reach = find_state(story, story.endings[-1].id, should_stop=lambda: asked.append(1) or True)
    assert reach.why == "the search was stopped"
    assert asked == [1] and 0 < reach.states < 50_000


@pytest.mark.parametrize("cond, column, message", [
    ("dor", 1, "undeclared variable 'dor' (did you mean 'door'?)"),
    ("k >= 2 and dor", 12, "undeclared variable 'dor' (did you mean 'door'?)"),
    ("  k = 2", 5, "expression syntax: invalid syntax (to compare, write ==)"),
    ("k + 1", 1, "a condition must be true or false, but this is a number"),
    ("visited(cellr) > 0", 9, "unknown scene 'cellr' in visited() (did you mean 'cellar'?)"),
    ("chance(50)", 1, "the condition cannot call chance() or random(), nor divide by a computed number: it must "
                      "be true or false in a state"),
    ("", 1, "the condition is empty"),
    ("__import__('os')", 1, "unknown function '__import__' (only visited, chose, chance, min, max, abs, random, len)"),
    ("k.__class__", 1, "attribute access (`a.b`) is not allowed"),
])
def test_a_bad_condition_gets_a_positioned_error(maze, cond, column, message):
    with pytest.raises(WhereError) as info:
        compile_where(maze, cond)
    err = info.value
    assert (err.column, err.message) == (column, message)
    lines = err.lines()
    assert lines[0] == f"--where:1:{column}: error: {err.message}"
    assert lines[2].index("^") == lines[1].index(cond) + column - 1 if cond else True


def test_ended_may_be_named(maze):
    play, reach = play_from(maze, "vault", "ended and door")
    assert reach.path == ["right", "key", "on"]


CHANCE = """\
scenes:
  - id: toss
    text: A coin.
    choices:
      - id: flip
        text: Flip it
        goto:
          - if: chance(30)
            to: heads
          - to: tails
  - id: heads
    text: Heads.
    choices:
      - id: again
        text: Again
        goto:
          - if: chance(30)
            to: twice
          - to: tails
  - id: twice
    ending: {title: Twice, text: Lucky.}
  - id: tails
    ending: {title: Tails, text: Unlucky.}
"""


def test_a_path_through_chance_is_replayed_with_a_seed_that_gives_it(story_dir):
    story_dir.write("story.yaml", MANIFEST.replace("start: hall", "start: toss"))
    story_dir.write("scenes.yaml", CHANCE)
    story = load_story(str(story_dir.root))
    play, reach = play_from(story, "twice")
    assert reach.path == ["flip", "again"] and reach.draws
    assert play.scene.id == "twice"
    # The game it starts is an ordinary seeded one: the same seed and steps replay to it.
    again = story.new_game(seed=play.seed)
    for step in play.steps:
        again.choose(step)
    assert again.scene.id == "twice"
    # A seed given that does not give those outcomes is said to be the reason.
    bad = next(s for s in range(100) if story.new_game(seed=s).choose("flip").scene.id == "tails")
    with pytest.raises(ValueError, match=f"takes chance\\(\\) outcomes that seed {bad} does not give"):
        start_at(story, reach, seed=bad)
