"""Saves as the player meets them in the terminal game: the question before
a new game of a story with a game in progress, damaged saves, and saving off."""

from __future__ import annotations

import errno
import json

from textual.widgets import OptionList

from game import load_story
from game.engine import saves as saves_mod
from game.engine.saves import SaveStore
from game.engine.session import Session
from game.tui.app import OpenDiplomacyApp
from game.tui.dialogs import GameInProgressDialog, LoadDialog
from game.tui.pages import TitleScreen
from game.tui.play import PlayScreen

from .test_app import STORY_DIR, make_app, screen_text, take

import pytest


@pytest.fixture(scope="module")
def story():
    return load_story(str(STORY_DIR))


def game_at_station(story, saves):
    """A game in progress: one step taken, autosaved (in the station)."""
    s = Session.new(story, SaveStore(saves), seed=0)
    s.choose("take")
    return s


async def open_new_game_from_title(pilot, app):
    menu = app.screen.query_one("#title-menu", OptionList)
    menu.highlighted = menu.get_option_index("new")
    await take(pilot, "enter")
    await take(pilot, "enter")  # the only story


async def test_new_game_from_the_title_asks_and_continue_resumes(story, tmp_path):
    game_at_station(story, tmp_path)
    app = make_app(story, tmp_path, start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_new_game_from_title(pilot, app)
        assert isinstance(app.screen, GameInProgressDialog)
        shown = screen_text(app)
        assert "A game is in progress" in shown
        assert "You have a game of The Courier [sic] in progress:" in shown
        assert "The station" in shown and "Tokyo, 1941" in shown
        info = SaveStore(tmp_path).in_progress("tuitest")
        assert f"saved {saves_mod.display_time(info['time'])}" in shown
        assert "Continue this game" in shown and "Start over (this game is kept in the slot 'autosave-previous')" in shown
        await take(pilot, "enter")  # Continue is highlighted
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.session.play.steps == ["take"]
    assert not (tmp_path / "tuitest.autosave-previous.json").exists()


async def test_start_over_by_mouse_keeps_the_old_game_as_autosave_previous(story, tmp_path):
    game_at_station(story, tmp_path)
    app = make_app(story, tmp_path, start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_new_game_from_title(pilot, app)
        assert isinstance(app.screen, GameInProgressDialog)
        menu = app.screen.query_one("#in-progress-choice", OptionList)
        row = menu.region.y + menu.get_option_index("new") + (menu.region.height - menu.option_count) // 2
        await pilot.click(offset=(menu.region.x + 4, row))
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.session.play.steps == []
        assert "Your previous game is kept in the slot 'autosave-previous'" in screen_text(app)
    store = SaveStore(tmp_path)
    assert store.load(story, "autosave-previous").steps == ["take"]
    assert store.load(story, "autosave").steps == []


async def test_play_story_without_continue_asks_too(story, tmp_path):
    """`open-diplomacy play STORY` when that story has a game in progress."""
    game_at_station(story, tmp_path)
    app = make_app(story, tmp_path)  # a story given, no --continue
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, GameInProgressDialog)
        assert "The station" in screen_text(app)
        await take(pilot, "c")
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.session.play.scene.id == "station"
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "escape")  # neither: the title screen, nothing written
        assert isinstance(app.screen, TitleScreen)
    assert SaveStore(tmp_path).load(story, "autosave").steps == ["take"]


async def test_starting_over_twice_keeps_both_older_games(story, tmp_path):
    store = SaveStore(tmp_path)
    first = game_at_station(story, tmp_path)
    for round_ in range(2):
        app = make_app(story, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            if round_ == 0:  # a game in progress: asked first, and started over
                assert isinstance(app.screen, GameInProgressDialog)
                await take(pilot, "o")
            # (the second time the game before had ended: nothing to ask)
            assert isinstance(app.screen, PlayScreen)
            await take(pilot, "3")  # another game: refuse (an ending)
            await pilot.pause()
    names = sorted(p.name for p in tmp_path.glob("tuitest.*.json"))
    assert names[0] == "tuitest.autosave-previous-" + names[0].split("autosave-previous-")[1]
    assert names[1:] == ["tuitest.autosave-previous.json", "tuitest.autosave.json"]
    kept = [store.load(story, p[len("tuitest."):-len(".json")]).steps for p in names]
    assert kept[0] == first.play.steps  # the first game is still there


async def test_continue_with_a_damaged_autosave_moves_it_aside(story, tmp_path):
    (tmp_path / "tuitest.autosave.json").write_text("{not json", encoding="utf-8")
    app = make_app(story, tmp_path, resume=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        moved = list(tmp_path.glob("tuitest.autosave.broken-*.json"))
        assert len(moved) == 1 and moved[0].read_text(encoding="utf-8") == "{not json"
        notice = str(app.screen.query_one("#notice").render())
        assert "it was moved to" in notice and moved[0].name in notice.replace("\n", "")
        assert any("A new game has started" in n.message for n in app._notifications)


async def test_load_dialog_lists_saves_with_wrong_field_types_as_damaged(story, tmp_path):
    store = SaveStore(tmp_path)
    good = story.new_game(seed=0)
    store.save(good, "good")
    data = json.loads((tmp_path / "tuitest.good.json").read_text(encoding="utf-8"))
    for key, value in {"time": 5, "label": ["x"], "chapter": {"a": 1}, "scene_title": 7}.items():
        (tmp_path / f"tuitest.bad-{key.replace('_', '')}.json").write_text(json.dumps({**data, key: value}))
    (tmp_path / "tuitest.zero.json").write_text(json.dumps({**data, "version": 0}))
    app = make_app(story, tmp_path, start=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        app.load_dialog(story)
        await pilot.pause()
        assert isinstance(app.screen, LoadDialog)
        slots = app.screen.query_one("#slot-list", OptionList)
        for slot in ("bad-time", "bad-label", "bad-chapter", "bad-scenetitle", "zero"):
            assert slots.get_option(slot).disabled
            assert "damaged:" in str(slots.get_option(slot).prompt)
        assert not slots.get_option("good").disabled


async def test_a_full_disk_turns_saving_off_with_a_notice(story, tmp_path, monkeypatch):
    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(saves_mod.os, "fsync", full)
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        await pilot.pause(0.5)  # the autosave is written behind the key handler; its failure shows after
        notice = app.screen.query_one("#notice")
        assert notice.has_class("shown")
        assert "saving is off:" in str(notice.render()) and "No space left on device" in str(notice.render())
        await take(pilot, "1")
        await take(pilot, "enter")
        assert app.screen.session.play.scene.id == "station"  # plays on
    assert app._exception is None
    assert not list(tmp_path.iterdir())  # nothing half-written


async def test_a_profile_of_wrong_types_is_no_crash_at_an_ending(story, tmp_path):
    (tmp_path / "profile.json").write_text(json.dumps(
        {"endings": {"tuitest": {"delivered": "many", "home": [1]}}, "codex": {"tuitest": "x"}}))
    app = make_app(story, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await take(pilot, "e")
        assert "0 of 2 endings" in screen_text(app)
        await take(pilot, "escape")
        for key in ("1", "enter", "1", "enter", "1"):
            await take(pilot, key)
        assert "Endings found: 1 of 2" in screen_text(app)
    assert app._exception is None
    assert len(list(tmp_path.glob("profile.broken-*.json"))) == 1  # the damaged file is kept


async def test_title_screen_with_a_wrong_type_autosave_and_a_fifo_slot(story, tmp_path):
    import os
    store = SaveStore(tmp_path)
    store.save(story.new_game(seed=0), "autosave")
    data = json.loads((tmp_path / "tuitest.autosave.json").read_text(encoding="utf-8"))
    (tmp_path / "tuitest.autosave.json").write_text(json.dumps({**data, "time": 5, "scene_title": ["x"]}))
    os.mkfifo(tmp_path / "tuitest.pipe.json")
    (tmp_path / "profile.json").write_text('{"endings": ' + "[" * 50_000 + "]" * 50_000 + "}")
    app = make_app(story, tmp_path, start=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert "Continue (no game in progress)" in screen_text(app)
        menu = app.screen.query_one("#title-menu", OptionList)
        for entry in ("endings", "codex"):
            menu.highlighted = menu.get_option_index(entry)
            await take(pilot, "enter")
            assert "0 of" in screen_text(app)
            await take(pilot, "escape")
        app.load_dialog(story)
        await pilot.pause()
        slots = app.screen.query_one("#slot-list", OptionList)
        assert "damaged: not a regular file" in str(slots.get_option("pipe").prompt)
        assert "damaged: the save is damaged ('time' is of the wrong kind)" in str(
            slots.get_option("autosave").prompt)
        await take(pilot, "escape")
        await open_new_game_from_title(pilot, app)  # no question: nothing readable in progress
        assert isinstance(app.screen, PlayScreen)
        assert "it was moved to" in str(app.screen.query_one("#notice").render())
    assert app._exception is None
    assert len(list(tmp_path.glob("tuitest.autosave.broken-*.json"))) == 1
