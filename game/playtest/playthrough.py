"""Playthrough files (format §8): the one module that writes them.

Recordings made in the terminal game and the failure files of `playtest
--write-failures` are written here, atomically; `replay.py` reads them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from game.engine.files import atomic_write
from game.engine.play import Playthrough
from game.paths import bundled_story_dirs


def _plain(value):
    """A state value as YAML can write it (a set as the list of its members)."""
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    return [str(v) for v in value]


def playthrough_doc(play: Playthrough, story_ref: str) -> dict:
    """A §8 playthrough that replays `play` and checks where it stands."""
    expect: dict = {"ending" if play.ended else "scene": play.scene.id,
                    "state": {k: _plain(v) for k, v in play.state.items()}}
    return {"story": story_ref, "seed": play.seed, "steps": list(play.steps), "expect": expect}


def write_playthrough(path, doc: dict, header: str = "") -> Path:
    import yaml  # noqa: PLC0415 (not on the game's start-up path)
    text = header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False)
    atomic_write(path, text)
    return Path(path)


def playthrough_yaml(play: Playthrough, story_ref: str) -> str:
    head = (f"# Recorded in the terminal game on {time.strftime('%Y-%m-%d %H:%M')}.\n"
            f"# Replay it with: open-diplomacy replay <this file>\n")
    if story_ref != play.story.id:
        head += (f"# To keep it as a regression test, move it into the story's playthroughs/ folder\n"
                 f"# and write `story: {play.story.id}`.\n")
    import yaml  # noqa: PLC0415
    return head + yaml.safe_dump(playthrough_doc(play, story_ref), sort_keys=False, allow_unicode=True,
                                 default_flow_style=False)


def story_ref(story, folder: Path) -> str:
    """How a file in `folder` names its story: the id of a bundled story,
    else the story folder's absolute path (a recording may be moved)."""
    root = Path(story.root).resolve()
    for path in bundled_story_dirs().values():
        if path.resolve() == root:
            return story.id
    return str(root)


def record(session, folder: Path | None = None) -> Path:
    """Write a session as a playthrough file that replays to where it stands."""
    if folder is None:
        if session.store is None:
            raise OSError("no save folder to record into")
        folder = session.store.folder / "recordings"
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"{session.story.id}-{stamp}.yaml"
    n = 2
    while path.exists():
        path = folder / f"{session.story.id}-{stamp}-{n}.yaml"
        n += 1
    atomic_write(path, playthrough_yaml(session.play, story_ref(session.story, folder)))
    return path
