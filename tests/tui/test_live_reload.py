"""Live reload (`play --watch`) and the jump dialog, driven by Textual's pilot
while the story's files are edited on disk.

Nothing here sleeps for the reload: a test awaits `app.next_reload()`, which
the app resolves once the new screen is drawn. The one bounded retry is for
the watcher's start: an edit made before the operating system's watch was
set up is not seen, so the helper writes the edit again if no reload came.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest

from game import check_story, load_story
from game.tui.app import OpenDiplomacyApp
from game.tui.jump import JumpDialog
from game.tui.livescreen import LivePlayScreen
from game.tui.play import PlayScreen

from .test_app import header, screen_text

STORY_DIR = Path(__file__).resolve().parent.parent / "data" / "tui"


@pytest.fixture
def folder(tmp_path) -> Path:
    d = tmp_path / "courier"
    shutil.copytree(STORY_DIR, d)
    return d


def make_app(folder: Path, saves: Path, watch: bool = True) -> OpenDiplomacyApp:
    story = load_story(str(folder))
    return OpenDiplomacyApp(story, saves=str(saves), seed=0, stories=[story], watch=watch)


async def edit(app, path: Path, old: str, new: str, tries: int = 5):
    """Replace `old` by `new` in `path` and wait for the reload it causes."""
    await asyncio.wait_for(app.live_ready.wait(), 10)
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    text = text.replace(old, new, 1)
    for _ in range(tries):
        fut = app.next_reload()
        path.write_text(text, encoding="utf-8")
        try:
            return await asyncio.wait_for(asyncio.shield(fut), 3)
        except asyncio.TimeoutError:
            continue  # the watch was not set up yet when the file was written
    raise AssertionError("no reload after editing the story")


async def to_station(pilot):
    await pilot.pause()
    await pilot.press("1")  # take the bag: a note follows
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_an_edit_shows_the_new_text_on_the_same_scene(folder, tmp_path):
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(80, 24)) as pilot:
        await to_station(pilot)
        assert isinstance(app.screen, LivePlayScreen)
        assert "The station" in header(app)
        assert "Steam, whistles" in screen_text(app)
        result = await edit(app, folder / "scenes.yaml", "Steam, whistles", "Smoke and whistles")
        await pilot.pause()
        assert result.ok and result.warning is None
        text = str(app.screen.query_one("#story").render())
        assert "Smoke and whistles" in text and "Steam, whistles" not in text
        assert "The station" in header(app)
        # The change report, on the panel: the words that changed.
        assert result.lines == ["Paragraph 1 changed: “Steam, whistles, a policeman…” → "
                                "“Smoke and whistles, a policeman…”"]
        assert "Paragraph 1 changed: “Steam, whistles, a policeman…”" in screen_text(app)
        assert app.screen.session.play.steps == ["take"]
        assert "Smoke and whistles" in app.screen.session.play.text  # the session plays the new story
        # The game goes on on the new story, and undo walks back along the replayed steps.
        await pilot.press("u")
        await pilot.pause()
        assert "The office" in header(app)
        assert "Paragraph 1 changed" not in screen_text(app)  # the report was about the screen left
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "Smoke and whistles" in screen_text(app)


async def test_choices_added_removed_and_where_they_lead_are_reported(folder, tmp_path):
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(100, 40)) as pilot:
        await to_station(pilot)
        result = await edit(app, folder / "scenes.yaml",
                            '''        text: "Wait for the morning train."
        do: [risk -= 1, money += 1]
        goto: border''',
                            '''        text: "Wait for the morning train."
        do: [risk -= 1, money += 1]
        goto: home
      - id: run
        text: "Run for the harbour."
        goto: home''')
        await pilot.pause()
        assert result.ok
        report = "\n".join(result.lines)
        assert "Choice 2 “Wait for the morning train.” now leads to 'home' (it led to 'border')." in report
        assert "Choice 3 added: “Run for the harbour.” → 'home'" in report
        assert "3. Run for the harbour." in screen_text(app)
        result = await edit(app, folder / "scenes.yaml", '''      - id: run
        text: "Run for the harbour."
        goto: home''', "")
        assert "Choice removed: “Run for the harbour.” (was 3, id 'run')" in result.lines


async def test_a_broken_edit_shows_the_error_and_keeps_the_game(folder, tmp_path):
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(100, 30)) as pilot:
        await to_station(pilot)
        result = await edit(app, folder / "scenes.yaml", "goto: border", "goto: bordr")
        await pilot.pause()
        assert not result.ok
        # Exactly the lines lint prints for the same folder.
        _, problems = check_story(str(folder))
        expected = [str(p) for p in problems if p.is_error]
        assert result.errors == expected
        assert expected[0].startswith(f"{folder / 'scenes.yaml'}:") and ": error: unknown scene 'bordr'" in expected[0]
        shown = screen_text(app)
        assert "The story has 1 error" in shown and "unknown scene 'bordr'" in shown
        # The game is the one on the story as it was, and still plays.
        assert "The station" in header(app)
        await pilot.press("x")  # the panel is dismissed
        await pilot.pause()
        assert "unknown scene 'bordr'" not in screen_text(app)
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "The border" in header(app)
        # Fixed: it reloads onto the new story, where the player now stands.
        result = await edit(app, folder / "scenes.yaml", "goto: bordr", "goto: border")
        await pilot.pause()
        assert result.ok and result.warning is None
        assert "The border" in header(app)
        assert app.screen.session.play.steps == ["take", "board"]


async def test_a_removed_step_stops_the_replay_early_and_says_which(folder, tmp_path):
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(100, 30)) as pilot:
        await to_station(pilot)
        await pilot.press("1")  # board the night train: a note
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "The border" in header(app)
        result = await edit(app, folder / "scenes.yaml", "      - id: board\n", "      - id: board_now\n")
        await pilot.pause()
        assert result.ok
        assert result.warning == ("The replay stopped early: step 2 of 2, 'board', is no longer on offer there; "
                                  "the game stands after step 1, in 'The station'. It looks renamed to "
                                  "'board_now': `was: [board]` on it keeps games and saves going.")
        assert "The station" in header(app)
        assert "The replay stopped early: step 2 of 2, 'board'" in screen_text(app)
        assert app.screen.session.play.steps == ["take"]
        await pilot.press("u")
        await pilot.pause()
        assert "The office" in header(app)


async def test_a_removed_choice_is_not_taken_for_a_renamed_one(folder, tmp_path):
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(100, 30)) as pilot:
        await to_station(pilot)
        await pilot.press("2")  # wait for the morning train
        await pilot.pause()
        result = await edit(app, folder / "scenes.yaml", """      - id: wait
        text: "Wait for the morning train."
        do: [risk -= 1, money += 1]
        goto: border
""", "")
        assert result.warning == ("The replay stopped early: step 2 of 2, 'wait', is no longer on offer there; "
                                  "the game stands after step 1, in 'The station'.")
        assert "Choice removed: “Wait for the morning train.” (was 2, id 'wait')" not in result.lines  # another scene
        assert result.lines == ["This screen is now scene 'station' “The station” (it was 'border')."]


async def test_w_turns_live_reload_on_and_off(folder, tmp_path):
    app = make_app(folder, tmp_path / "saves", watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.live_folder is None
        await pilot.press("j")  # jumping needs live reload on
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        # An edit made while live reload is off is taken when it is turned on.
        scenes = folder / "scenes.yaml"
        scenes.write_text(scenes.read_text(encoding="utf-8").replace("pushes a leather bag", "slides a leather bag"),
                          encoding="utf-8")
        fut = app.next_reload()
        await pilot.press("w")
        result = await asyncio.wait_for(fut, 10)
        await pilot.pause()
        assert app.live_folder == str(folder)
        assert result.ok and "slides a leather bag" in screen_text(app)
        result = await edit(app, scenes, "slides a leather bag", "hands over a leather bag")
        await pilot.pause()
        assert "hands over a leather bag" in screen_text(app)
        await pilot.press("w")
        await pilot.pause()
        assert app.live_folder is None
        assert any("Live reload is off." in n.message for n in app._notifications)


async def test_help_lists_the_live_reload_keys(folder, tmp_path):
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        shown = screen_text(app)
        assert "w / j / x live reload on/off; jump to a scene; hide its panel" in shown
        # and at 80x24 the sources entry below the keys is still in sight
        assert "Sources: the works behind the notes (b)" in shown


# ---------------------------------------------------------------- the jump dialog

async def open_jump(pilot, app) -> JumpDialog:
    await pilot.pause()
    await pilot.press("j")
    await pilot.pause()
    assert isinstance(app.screen, JumpDialog)
    return app.screen


async def search(pilot, dialog: JumpDialog):
    dialog.searched.clear()
    await pilot.press("enter")
    await asyncio.wait_for(dialog.searched.wait(), 10)
    await pilot.pause()


async def test_jump_with_completion_and_a_condition(folder, tmp_path):
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_jump(pilot, app)
        await pilot.press("b", "o", "r")
        await pilot.pause()
        listed = [dialog.query_one("#jump-list").get_option_at_index(i).id
                  for i in range(dialog.query_one("#jump-list").option_count)]
        assert listed == ["border"]
        await pilot.press("tab")  # takes the completion shown
        await pilot.pause()
        assert dialog.query_one("#jump-scene").value == "border"
        await pilot.press("tab")  # on to the condition
        await pilot.press(*"risk >= 4")
        await search(pilot, dialog)
        assert isinstance(app.screen, PlayScreen)
        play = app.screen.session.play
        assert play.scene.id == "border" and play.state["risk"] == 4
        assert play.steps == ["take", "board"]  # the shortest way (waiting lowers the risk)
        assert "Jumped to 'The border'" in screen_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert "The station" in header(app)


async def test_jump_picked_from_the_list(folder, tmp_path):
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_jump(pilot, app)
        await pilot.press(*"home")
        await pilot.pause()
        await pilot.press("down")  # into the list of matching scenes
        await pilot.press("enter")  # picks 'home'; the condition is next
        await pilot.pause()
        assert dialog.query_one("#jump-scene").value == "home"
        await search(pilot, dialog)
        assert app.screen.session.play.scene.id == "home"
        assert app.screen.session.play.steps == ["refuse"]


async def test_jump_says_why_it_cannot(folder, tmp_path):
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_jump(pilot, app)
        await pilot.press(*"station")
        await pilot.press("tab")
        await pilot.press(*"trust > 9")
        await search(pilot, dialog)
        assert isinstance(app.screen, JumpDialog)  # still open, saying why
        assert "no reachable state in 'station' satisfies trust > 9" in screen_text(app)
        where = dialog.query_one("#jump-where")
        where.value = "trsut > 9"
        where.focus()
        await search(pilot, dialog)
        shown = screen_text(app)
        assert "where:1:1: error: undeclared variable 'trsut' (did you mean 'trust'?)" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert "The office" in header(app)  # nothing changed


async def test_an_edit_of_the_ending_redraws_the_ending_screen(folder, tmp_path):
    from game.tui.play import EndingScreen
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(100, 30)) as pilot:
        await to_station(pilot)
        for key in ("2", "1"):  # wait for the morning train; continue at the border
            await pilot.press(key)
            await pilot.pause()
        await pilot.press("enter")  # the ending's page
        await pilot.pause()
        assert isinstance(app.screen, EndingScreen)
        assert "what was in it is not recorded" in screen_text(app)
        await edit(app, folder / "scenes.yaml", "what was in it is not recorded", "nobody opened it")
        await pilot.pause()
        assert isinstance(app.screen, EndingScreen)
        shown = screen_text(app)
        assert "nobody opened it" in shown and "not recorded" not in shown


async def test_the_browser_game_has_no_live_reload(folder, tmp_path):
    story = load_story(str(folder))
    app = OpenDiplomacyApp(story, saves=str(tmp_path / "saves"), seed=0, stories=[story], watch=True,
                           authoring=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.live_folder is None  # --watch is ignored there
        await pilot.press("w")
        await pilot.pause()
        assert app.live_folder is None
        assert any("off in the browser game" in n.message for n in app._notifications)
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)


async def test_the_errors_stay_shown_on_a_game_started_by_a_jump(folder, tmp_path):
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await edit(app, folder / "scenes.yaml", "goto: home", "goto: hom")
        dialog = await open_jump(pilot, app)
        await pilot.press(*"station")
        await search(pilot, dialog)
        assert "The station" in header(app)
        assert "unknown scene 'hom'" in screen_text(app)  # the new screen still says the story is broken


async def test_file_names_and_errors_are_never_markup(folder, tmp_path):
    (folder / "notes [draft].yaml").write_text("notes:\n  n_x:\n    text: \"[b]not bold[/b]\"\n    source: S\n",
                                               encoding="utf-8")
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        result = await edit(app, folder / "notes [draft].yaml", "source: S", "source: \"[red]S\"")
        await pilot.pause()
        assert result.ok, result.errors
        assert "Reloaded (notes [draft].yaml) · x: hide" in screen_text(app)
        result = await edit(app, folder / "notes [draft].yaml", "n_x:", "n_x: [")
        await pilot.pause()
        assert not result.ok
        shown = screen_text(app)
        assert f"{folder / 'notes [draft].yaml'}:" in shown
        assert app._exception is None


async def test_live_reload_without_watchfiles_says_so(folder, tmp_path, monkeypatch):
    """A broken install (watchfiles missing): the live panel says why live
    reload stopped, and the game goes on."""
    monkeypatch.setitem(sys.modules, "watchfiles", None)  # `import watchfiles` now fails
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(80, 24)) as pilot:
        fut = app.next_reload()
        await pilot.pause()
        result = await asyncio.wait_for(fut, 10)
        await pilot.pause()
        assert not result.ok and "watchfiles" in result.errors[0]
        assert "Live reload stopped" in screen_text(app)
        assert isinstance(app.screen, PlayScreen)


async def test_a_reload_keeps_the_paragraphs_already_read(folder, tmp_path):
    """Paragraph by paragraph: an edit of the scene being read redraws it
    with the paragraphs the player had read still shown, not from the first."""
    from game.settings import Settings, save
    save(Settings(reveal="paragraph"))
    scenes = folder / "scenes.yaml"
    scenes.write_text(scenes.read_text(encoding="utf-8").replace(
        "and the label reads **[/]** in red ink.\n",
        "and the label reads **[/]** in red ink.\n\n      Rain on the window.\n\n      A clock somewhere.\n", 1),
        encoding="utf-8")
    app = make_app(folder, tmp_path / "saves")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("enter")
        await pilot.pause()
        assert screen.revealed == 2 and screen.reading
        await edit(app, scenes, "Rain on the window.", "Rain on the glass.")
        await pilot.pause()
        shown = screen_text(app)
        assert screen.revealed == 2 and "Rain on the glass." in shown and "A clock somewhere." not in shown
