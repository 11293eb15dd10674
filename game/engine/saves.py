"""Save files: JSON, written atomically, refused with a reason when bad.

A save records the seed and the steps, so a story changed since the save is
handled by replaying the steps on the new story (stopping, with a notice, at
the first step that no longer exists) rather than by losing the save.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SaveError, StoryRuntimeError

if TYPE_CHECKING:  # pragma: no cover
    from .play import Playthrough
    from .story import Story

SAVE_FORMAT = "open-diplomacy-save"
SAVE_VERSION = 1
MAX_SAVE_BYTES = 5 * 1024 * 1024
MAX_STEPS = 100_000


def save_data(play: "Playthrough", label: str | None = None) -> dict:
    snap = play.snapshot()
    return {
        "format": SAVE_FORMAT,
        "version": SAVE_VERSION,
        "story": play.story.id,
        "fingerprint": play.story.fingerprint,
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "label": label or "",
        "scene_title": play.scene.title or play.scene.id,
        "ended": play.ended,
        **snap,
    }


def atomic_write(path, text: str) -> None:
    """Temp file in the same folder, fsync, rename: a crash at any instant
    leaves either the old file or the new one, never a broken one."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(dfd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dfd)


def write_save(play: "Playthrough", path, label: str | None = None) -> None:
    try:
        atomic_write(path, json.dumps(save_data(play, label), ensure_ascii=False, indent=1))
    except OSError as exc:
        raise SaveError(path, f"cannot write the save: {exc.strerror or exc}") from None


def read_save_file(path) -> dict:
    """The save's JSON, checked for shape; SaveError otherwise."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_SAVE_BYTES + 1)
    except FileNotFoundError:
        raise SaveError(path, "no such save file") from None
    except OSError as exc:
        raise SaveError(path, f"cannot read the save: {exc.strerror or exc}") from None
    if len(raw) > MAX_SAVE_BYTES:
        raise SaveError(path, "file is too large to be a save")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SaveError(path, "not a save file (corrupt or truncated JSON)") from None
    if not isinstance(data, dict) or data.get("format") != SAVE_FORMAT:
        raise SaveError(path, "not an Open Diplomacy save file")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SaveError(path, "the save has no valid format version")
    if version > SAVE_VERSION:
        raise SaveError(path, f"the save was made by a newer version of the game (save format {version}; "
                              f"this game reads up to {SAVE_VERSION})")
    checks = {"story": str, "fingerprint": str, "seed": int, "steps": list, "scene": str, "vars": dict,
              "visits": dict, "chosen": dict, "unlocked": list, "rng": int}
    for key, typ in checks.items():
        if not isinstance(data.get(key), typ) or isinstance(data.get(key), bool):
            raise SaveError(path, f"the save is damaged ('{key}' is missing or of the wrong kind)")
    if len(data["steps"]) > MAX_STEPS or not all(isinstance(s, str) and len(s) <= 100 for s in data["steps"]):
        raise SaveError(path, "the save is damaged (its steps are not valid)")
    return data


def read_save(story: "Story", path) -> "Playthrough":
    data = read_save_file(path)
    if data["story"] != story.id:
        raise SaveError(path, f"this save belongs to the story '{data['story']}', not '{story.id}'")
    try:
        play = story.new_game(seed=data["seed"])
    except StoryRuntimeError as exc:
        raise SaveError(path, f"the story cannot start ({exc})") from None
    steps = data["steps"]
    done = 0
    failure = None
    for step in steps:
        try:
            play.choose(step)
        except (ValueError, StoryRuntimeError) as exc:
            failure = exc
            break
        done += 1
    same_story = data["fingerprint"] == story.fingerprint
    if same_story:
        if failure is not None or play.snapshot()["vars"] != data["vars"] or play.scene.id != data["scene"]:
            raise SaveError(path, "the save does not match its story (edited or damaged)")
        return play
    if failure is None:
        play.notice = ("The story has changed since this game was saved; your progress was carried over "
                       f"by replaying all {len(steps)} choices.")
    else:
        play.notice = (f"The story has changed since this game was saved: step {done + 1} of {len(steps)} "
                       f"('{steps[done]}') no longer exists, so the game resumes after step {done}, in "
                       f"'{play.scene.title or play.scene.id}'.")
    return play


SLOT_RE = re.compile(r"[A-Za-z0-9_-]{1,40}\Z")
AUTOSAVE = "autosave"


class SaveStore:
    """Named slots of one folder, per story, plus the endings profile."""

    def __init__(self, folder):
        self.folder = Path(folder)

    @staticmethod
    def check_slot(name: str) -> str:
        if not isinstance(name, str) or not SLOT_RE.match(name):
            raise SaveError(name, "a slot name is 1–40 letters, digits, '-' or '_'")
        return name

    def path(self, story_id: str, slot: str) -> Path:
        return self.folder / f"{story_id}.{self.check_slot(slot)}.json"

    def save(self, play: "Playthrough", slot: str, label: str | None = None) -> Path:
        p = self.path(play.story.id, slot)
        play.save(p, label)
        return p

    def load(self, story: "Story", slot: str) -> "Playthrough":
        return story.load_game(self.path(story.id, slot))

    def exists(self, story_id: str, slot: str) -> bool:
        return self.path(story_id, slot).is_file()

    def slots(self, story_id: str) -> list[dict]:
        """Summaries of this story's saves, newest first; unreadable ones are
        listed with their error rather than hidden."""
        out = []
        if not self.folder.is_dir():
            return out
        prefix = f"{story_id}."
        for f in self.folder.glob(f"{story_id}.*.json"):
            slot = f.name[len(prefix):-len(".json")]
            if not SLOT_RE.match(slot):
                continue
            try:
                d = read_save_file(f)
                out.append({"slot": slot, "path": f, "time": d.get("time", ""), "label": d.get("label", ""),
                            "chapter": d.get("chapter") or "", "scene_title": d.get("scene_title", ""),
                            "steps": len(d["steps"]), "ended": bool(d.get("ended")), "error": None})
            except SaveError as exc:
                out.append({"slot": slot, "path": f, "time": "", "label": "", "chapter": "", "scene_title": "",
                            "steps": 0, "ended": False, "error": exc.reason})
        out.sort(key=lambda s: s["time"], reverse=True)
        return out

    # ------------------------------------------------------------ profile
    @property
    def profile_path(self) -> Path:
        return self.folder / "profile.json"

    def profile(self) -> dict:
        try:
            with open(self.profile_path, encoding="utf-8") as fh:
                data = json.load(fh)
            if isinstance(data, dict):
                if not isinstance(data.get("endings"), dict):
                    data["endings"] = {}
                return data
        except (OSError, ValueError):
            pass
        return {"endings": {}}

    def record_ending(self, story_id: str, ending_id: str) -> None:
        data = self.profile()
        seen = data["endings"].setdefault(story_id, {})
        if not isinstance(seen, dict):
            seen = data["endings"][story_id] = {}
        seen[ending_id] = int(seen.get(ending_id, 0) or 0) + 1
        atomic_write(self.profile_path, json.dumps(data, indent=1))

    def record_codex(self, story_id: str, entry_ids) -> None:
        """Remember codex entries unlocked in any game (written only when new)."""
        data = self.profile()
        codex = data.setdefault("codex", {})
        if not isinstance(codex, dict):
            codex = data["codex"] = {}
        seen = codex.get(story_id)
        if not isinstance(seen, list):
            seen = []
        new = [e for e in entry_ids if e not in seen]
        if not new:
            return
        codex[story_id] = seen + new
        atomic_write(self.profile_path, json.dumps(data, indent=1))

    def codex_seen(self, story_id: str) -> list[str]:
        seen = self.profile().get("codex", {})
        seen = seen.get(story_id, []) if isinstance(seen, dict) else []
        return [e for e in seen if isinstance(e, str)] if isinstance(seen, list) else []

    def endings_seen(self, story_id: str) -> dict[str, int]:
        seen = self.profile()["endings"].get(story_id, {})
        return seen if isinstance(seen, dict) else {}
