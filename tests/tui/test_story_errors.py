"""A story that fails at run time shows what failed and where, and the game
goes on (issue 11): no traceback, the autosave kept, undo offered."""

from __future__ import annotations

from game import load_story
from game.engine.saves import SaveStore
from game.tui.app import OpenDiplomacyApp
from game.tui.dialogs import MessageDialog, StoryErrorDialog
from game.tui.pages import TitleScreen
from game.tui.play import PlayScreen
from tests.conftest import MANIFEST
from tests.story.test_bounds import BROKEN


def _story(story_dir, content=BROKEN):
    story_dir.write("story.yaml", MANIFEST)
    story_dir.write("scenes.yaml", content)
    return load_story(str(story_dir.root))


async def test_runtime_error_dialog_keeps_the_game(story_dir, tmp_path):
    story = _story(story_dir)
    app = OpenDiplomacyApp(story, saves=str(tmp_path), seed=0, stories=[story])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, StoryErrorDialog)
        text = str(app.screen.query_one("#story-error-text").render())
        assert "In scene 'a', choice 'roll'" in text and "chance(200)" in text and "scenes.yaml:5" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.session.play.scene.id == "a" and app.screen.session.play.state["x"] == 0
        # The autosave is the last good state, and the other choice still works.
        app.store.flush()  # autosaves are written behind the key handler
        assert SaveStore(tmp_path).load(story, "autosave").scene.id == "a"
        await pilot.press("2")
        await pilot.pause()
        assert app.screen.session.play.ended


async def test_story_that_cannot_start_shows_why(story_dir, tmp_path):
    content = BROKEN.replace('    text: "Roll?"', '    text: "Roll?"\n    do: [x = 2]').replace(
        "      - id: roll", "      - id: roll\n        if: chance(x * 100)")
    story = _story(story_dir, content)
    app = OpenDiplomacyApp(story, saves=str(tmp_path), seed=0, stories=[story])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
