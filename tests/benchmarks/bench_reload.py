"""Live reload on Nero: from an edit saved to the new screen drawn, with the
game 50 steps in. Target: median under 300 ms over 10 edits.

Each edit changes the title of the scene the player stands on (so the new
screen visibly differs). The time is split as the app sees it: watchfiles
handing the change over (its debounce step), compiling (unchanged files
from the parse cache), replaying the 50 steps and redrawing; the compile
(with the garbage collector paused, as the watcher compiles) and the replay
are also timed alone in the same run, as floors. Without that pause the
compile took ~430 ms in the app (its heap is large); with it, ~130 ms.

Run: .venv/bin/python -m pytest -o addopts="" -o python_files="bench_*.py" -s tests/benchmarks/bench_reload.py
"""

from __future__ import annotations

import asyncio
import gc
import re
import shutil
import statistics
import time

from game import load_story
from game.engine.saves import replay_steps
from game.story.loader import check_story
from game.tui.app import OpenDiplomacyApp
from tests.conftest import repo_path

TARGET_MS = 300
EDITS = 10
STEPS = 50


def fifty_steps(story):
    play = story.new_game(seed=1)
    while len(play.steps) < STEPS:
        offered = [c.id for c in play.choices() if c.enabled]
        assert offered, f"an ending after {len(play.steps)} steps"
        play.choose(offered[0])
    return play


def title_line(folder, scene):
    """(file, the line number of the scene's `title:`)."""
    path, line = scene.where.rsplit(":", 1)
    path = folder / path.split("/")[-1]
    lines = path.read_text(encoding="utf-8").splitlines()
    i = int(line) - 1
    while not lines[i].lstrip().startswith("title:"):
        i += 1
    return path, i


def test_reload_after_50_steps_on_nero(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # a parse cache of its own
    folder = tmp_path / "izumi"
    shutil.copytree(repo_path("scenes", "izumi"), folder, ignore=shutil.ignore_patterns("playthroughs"))
    story = load_story(str(folder), cache=True)  # fills the parse cache, as the game's start does
    play = fifty_steps(story)
    scene = play.scene
    path, at = title_line(folder, scene)
    results = []

    async def run() -> None:
        app = OpenDiplomacyApp(story, saves=str(tmp_path / "saves"), seed=1, stories=[story], watch=True,
                               start_play=play)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await asyncio.wait_for(app.live_ready.wait(), 10)
            for i in range(EDITS + 1):  # the first one warms up (and waits for the watch to be set)
                lines = path.read_text(encoding="utf-8").splitlines()
                lines[at] = re.sub(r'title: "([^"]*?)( v\d+)?"', lambda m: f'title: "{m.group(1)} v{i}"', lines[at])
                text = "\n".join(lines) + "\n"
                for _ in range(5 if i == 0 else 1):
                    fut = app.next_reload()
                    path.write_text(text, encoding="utf-8")
                    saved = time.perf_counter()
                    try:
                        r = await asyncio.wait_for(asyncio.shield(fut), 3 if i == 0 else 10)
                        break
                    except asyncio.TimeoutError:
                        continue
                else:
                    raise AssertionError("no reload")
                assert r.ok and r.warning is None, (r.errors, r.warning)
                assert f" v{i}" in str(app.screen.query_one("#header").render())
                assert app.screen.session.play.steps == play.steps
                if i:
                    results.append((r.drawn - saved, r.detected - saved, r.compiled - r.detected,
                                    r.applied - r.compiled, r.drawn - r.applied))
                await pilot.pause()

    asyncio.run(run())

    gc.disable()  # as the watcher compiles (tui/watch.py)
    try:
        t = time.perf_counter()
        for _ in range(5):
            check_story(str(folder), cache=True)
        compile_ms = (time.perf_counter() - t) / 5 * 1000
        lines = path.read_text(encoding="utf-8").splitlines()
        t = time.perf_counter()
        for i in range(5):  # one file changed each time, as an edit does
            lines[at] = lines[at].replace('"', ' "', 1) if i % 2 == 0 else lines[at].replace(' "', '"', 1)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            check_story(str(folder), cache=True)
        edited_ms = (time.perf_counter() - t) / 5 * 1000
    finally:
        gc.enable()
    new = load_story(str(folder), cache=True)
    t = time.perf_counter()
    for _ in range(20):
        replay_steps(new, play.seed, play.steps)
    replay_ms = (time.perf_counter() - t) / 20 * 1000

    ms = sorted(x[0] * 1000 for x in results)
    median, worst = statistics.median(ms), ms[-1]
    parts = [statistics.median(x[k] * 1000 for x in results) for k in range(1, 5)]
    print(f"\nlive reload on Nero, {STEPS} steps in, {EDITS} edits of '{scene.id}' (its title): "
          f"edit saved -> new screen drawn: median {median:.0f} ms, worst {worst:.0f} ms "
          f"(target: median < {TARGET_MS} ms: {'met' if median < TARGET_MS else 'NOT met'})")
    print(f"  medians: change handed over by watchfiles {parts[0]:.0f} ms, compile {parts[1]:.0f} ms, "
          f"replay + redraw {parts[2]:.0f} ms, to the paint {parts[3]:.0f} ms")
    print(f"  floors in this run: compile, nothing changed {compile_ms:.0f} ms; one file changed {edited_ms:.0f} ms; "
          f"replay of {STEPS} steps {replay_ms:.1f} ms")
    assert median < 2 * TARGET_MS  # fails only on a large regression (timings are noisy under load)
