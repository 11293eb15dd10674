"""`graph`: top to bottom for big stories, chapter clusters, --chapter."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from game import load_story
from game.playtest.graph import chapter_names, pick_chapter, scene_chapters, to_dot, to_mermaid
from tests.conftest import ROOT, repo_path

MAZE = repo_path("tests", "data", "maze")


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "game", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def nero():
    return load_story(str(ROOT / "scenes" / "izumi"))


def test_small_graphs_stay_left_to_right():
    story = load_story(MAZE)
    assert "rankdir=LR;" in to_dot(story) and to_mermaid(story).startswith("flowchart LR")


def test_nero_top_to_bottom_in_chapter_clusters(nero):
    dot = to_dot(nero)
    assert "rankdir=TB;" in dot
    chapters = chapter_names(nero)
    assert chapters[0] == "Moscow, 1925" and len(chapters) > 5
    labels = re.findall(r"subgraph cluster_\d+ \{\n    label=\"([^\"]*)\"", dot)
    assert labels == chapters
    # every scene drawn once
    for sid in nero.scenes:
        assert len(re.findall(rf'^\s*"{sid}" \[', dot, re.M)) == 1, sid
    mm = to_mermaid(nero)
    assert mm.startswith("flowchart TB")
    assert mm.count("  subgraph chapter_") == len(chapters) and mm.count("\n  end\n") == len(chapters)
    assert '  subgraph chapter_1 ["Moscow, 1925"]\n    s_c01_merzliakov_lane[' in mm


def test_scenes_without_a_chapter_take_the_players(nero):
    of = scene_chapters(nero)
    assert of["c01_merzliakov_lane"] == "Moscow, 1925"
    assert of["c01_lodger"] == "Moscow, 1925"  # names none: the chapter the player is in
    assert all(of[s] == sc.chapter for s, sc in nero.scenes.items() if sc.chapter)


def test_chapter_picks_one_chapter_and_its_neighbours(nero):
    dot = to_dot(nero, chapter="Moscow, 1925")
    assert dot.count("subgraph cluster_") == 1 and 'label="Moscow, 1925"' in dot
    assert '"c01_lodger" [' in dot and '"c01_table" [' in dot  # inside, and just outside
    assert re.search(r'"c01_table" \[[^\]]*style="dashed"', dot)
    assert '"c01_proposal"' not in dot  # two steps away
    for a, b in re.findall(r'"(\w+)" -> "(\w+)"', dot):
        assert scene_chapters(nero)[a] == "Moscow, 1925" or scene_chapters(nero)[b] == "Moscow, 1925"
    mm = to_mermaid(nero, chapter="Moscow, 1925")
    assert "s_c01_table[" in mm and ":::outside" in mm and "s_c01_proposal" not in mm


def test_pick_chapter_by_name_number_or_unique_part(nero):
    assert pick_chapter(nero, "Moscow, 1925") == "Moscow, 1925"
    assert pick_chapter(nero, "1") == "Moscow, 1925"
    assert pick_chapter(nero, "blagoveshchensk") == "Blagoveshchensk, 1930–31"
    with pytest.raises(ValueError, match="names more than one chapter"):
        pick_chapter(nero, "Moscow")
    with pytest.raises(ValueError, match=r"'Atlantis' is not a chapter of story 'izumi' \(chapters: 1\. Moscow, 1925;"):
        pick_chapter(nero, "Atlantis")


def test_graph_chapter_on_the_command_line():
    r = cli("graph", "izumi", "--chapter", "Blagoveshchensk", "--format", "mermaid")
    assert r.returncode == 0 and 'subgraph chapter_1 ["Blagoveshchensk, 1930–31"]' in r.stdout
    r = cli("graph", "izumi", "--chapter", "Atlantis")
    assert r.returncode == 1 and "'Atlantis' is not a chapter of story 'izumi'" in r.stderr


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_nero_renders_as_a_page_not_a_strip():
    r = cli("graph", "izumi")
    out = subprocess.run(["dot", "-Tsvg"], input=r.stdout, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0
    w, h = (float(x) for x in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', out.stdout).groups())
    assert w < 2 * h and w < 10_000  # not the 32,767×903 strip of a left-to-right layout
