"""Plain mode's pages: stats and the journey (`t`), the codex (`c`), the
endings gallery (`e`) and the sources (`b`), as a player reads them in a
transcript (piped input is echoed after the prompt)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from game import load_story
from game.plain import run_plain

JOURNEY = str(Path(__file__).resolve().parent.parent / "data" / "journey")


@pytest.fixture(scope="module")
def journey():
    return load_story(JOURNEY)


def play(story, saves, typed: str) -> str:
    out = io.StringIO()
    run_plain(story, saves=str(saves), seed=0, stdin=io.StringIO(typed), stdout=out)
    return out.getvalue()


def after(out: str, command: str) -> str:
    """What was printed in answer to the last `command` typed (up to the next prompt)."""
    part = out.rsplit(f"> {command}\n", 1)[1]
    return part.split("\n> ", 1)[0]


def test_t_prints_every_visible_value_and_each_meter_by_chapter(journey, tmp_path):
    out = play(journey, tmp_path, "1\n1\n1\nt\nq\n")  # follow, ask, forge
    stats = after(out, "t")
    assert stats.startswith("Stats: The Long Way [sic]\n")
    assert "  Nerve: 3 of 10\n" in stats
    assert "  Police attention [1944]: 6 of 10\n" in stats
    assert "  Papers: forged\n" in stats
    assert "hidden count" not in stats  # a hidden variable is not shown
    assert "Your journey: 3 choices over 2 chapters." in stats
    assert "Nerve: 3 of 10 (began at 5; lowest 3, highest 7)." in stats
    assert "  Changed in Vienna, 1938: 5 to 7; Zurich, 1939: 7 to 3." in stats
    assert "Police attention [1944]: 6 of 10 (began at 1; lowest 1, highest 6)." in stats
    assert "  Changed in Vienna, 1938: 1 to 4; Zurich, 1939: 4 to 6." in stats
    assert not any(c in stats for c in "▁▂▃▄▅▆▇█"), "no block characters for a screen reader to spell out"


def test_stats_after_an_undo_follow_the_game(journey, tmp_path):
    out = play(journey, tmp_path, "1\n1\nu\nt\nq\n")
    stats = after(out, "t")
    assert "Your journey: 1 choice over 1 chapter." in stats
    assert "  Police attention [1944]: 1 of 10\n" in stats


def test_every_stats_line_fits_the_width(journey, tmp_path):
    out = io.StringIO()
    from game.engine.saves import SaveStore
    from game.engine.session import Session
    from game.plain import PlainGame
    store = SaveStore(tmp_path)
    game = PlainGame(io.StringIO("1\n1\n1\n1\nt\nc\ne\nb\nq\n"), out, store, width=40)
    game.play(Session.new(journey, store, seed=0))
    for line in out.getvalue().splitlines():
        assert len(line) <= 40 or " " not in line.strip(), line


def test_c_lists_the_codex_found_and_reads_an_entry(journey, tmp_path):
    out = play(journey, tmp_path, "c\n1\n1\nc\nc 2\nc 3\nq\n")
    first = out.split("> c\n", 1)[1].split("\n> ", 1)[0]
    assert "Codex of The Long Way [sic]: 1 of 2 entries found." in first
    assert "People:\n  1. The liaison officer of the Bundespolizei in the Vienna station" in first
    listing = after(out, "c")
    assert "2 of 2 entries found" in listing
    assert "Places:\n  2. Hotel Schweizerhof, by the platforms of the main station" in listing
    entry = after(out, "c 2")
    assert entry.startswith("-- Hotel Schweizerhof, by the platforms of the main station (place) --\n")
    assert "Rooms by the hour and by the week." in entry and "Source: Test source" in entry
    assert "Type c and a number from 1 to 2" in after(out, "c 3")


def test_e_shows_the_gallery_with_hints_then_rereads_a_found_ending(journey, tmp_path):
    out = play(journey, tmp_path, "e\n1\n1\n1\n1\n1\ne\ne 1\ne 2\nq\n")
    before = out.split("> e\n", 1)[1].split("\n> ", 1)[0]
    assert "Endings of The Long Way [sic]: 0 of 2 found." in before
    assert "  1. ??? (not found yet, historical) — it can happen in Lisbon, 1940." in before
    assert "Hint: Do not board." in " ".join(before.split())  # the author's hint (wrapped at the text width)
    assert "Sailed" not in before
    gallery = after(out, "e")
    assert "1 of 2 found" in gallery
    assert "  1. Sailed [at last] (historical) — reached 1 time, first on" in gallery
    card = after(out, "e 1")
    assert card.startswith("THE END: Sailed [at last]\n(historical; reached 1 time)\nFirst reached on ")
    assert ", after 5 choices." in card
    assert "The ship leaves at dusk." in card and "The coast went grey, then went." in card
    assert "That route:\nYou chose as the real people did in 2 of 5 decisions." in card
    assert "You went another way at: The tram; The station hotel; The consulate." in card
    unfound = after(out, "e 2")
    assert unfound.startswith("??? — an ending not found yet (quiet).")
    assert "Hint: Do not board." in unfound and "walk back" not in unfound


def test_the_ending_names_the_pages_and_b_lists_the_sources(journey, tmp_path):
    out = play(journey, tmp_path, "1\n1\n1\n1\n1\nb\nq\n")
    assert "Type t for the journey's stats, e for the endings, u to undo" in out
    sources = after(out, "b")
    assert sources.startswith("Sources: the works behind the notes.\n")
    first, second = sources.splitlines()[1:3]  # wrapped (at the text width), the second line indented
    assert first.startswith("- The Harbour Ledger [1940], a very long title") and second.startswith("  ")
    assert " ".join((first + " " + second).split()) == \
        "- The Harbour Ledger [1940], a very long title that runs past the end of a narrow line — A. Clerk. kept in Lisbon"


def test_help_names_the_new_commands(journey, tmp_path):
    out = play(journey, tmp_path, "h\nq\n")
    for line in ("  t          stats", "  c [N]      the codex", "  e [N]      the endings", "  b          the sources"):
        assert line in out


def test_a_slot_name_with_spaces_saves_and_loads(journey, tmp_path):
    out = play(journey, tmp_path, "1\ns before the tram\n1\nl before the tram\ns  trailing \ns a/b\nq\n")
    assert "Saved in slot 'before the tram'." in out
    assert (tmp_path / "journeytest.before the tram.json").is_file()
    loaded = after(out, "l before the tram")
    assert "Loaded slot 'before the tram'." in loaded and "== Vienna, 1938 / The tram ==" in loaded
    assert "Saved in slot 'trailing'." in out  # the name is trimmed
    assert "Cannot save: a slot name is 1–40 letters, digits, spaces, '-' or '_'" in after(out, "s a/b")
    assert sorted(p.name for p in tmp_path.glob("*.json") if "before" in p.name or "a" == p.stem) == [
        "journeytest.before the tram.json"]
