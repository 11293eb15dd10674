"""Save files: JSON, written atomically, refused with a reason when bad.

A save records the seed and the steps, so a story changed since the save is
handled by replaying the steps on the new story (stopping, with a notice, at
the first step that no longer exists) rather than by losing the save.
"""

from __future__ import annotations

import json
import os
import re
import time
from datetime import datetime, timezone
from pathlib import Path

from .errors import SaveError, StoryRuntimeError
from .writer import WriteBehind
from .files import NotRegularFile, atomic_write, read_regular_file, write_all

# Playthrough and Story are named in annotations only: importing them here
# would make an import cycle (story -> play -> saves -> story).

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


def save_text(play: "Playthrough", label: str | None = None) -> str:
    return json.dumps(save_data(play, label), ensure_ascii=False, indent=1)


def write_save_text(path, text: str) -> None:
    try:
        atomic_write(path, text)
    except OSError as exc:
        raise SaveError(path, f"cannot write {path}: {exc.strerror or exc}") from None


def write_save(play: "Playthrough", path, label: str | None = None) -> None:
    write_save_text(path, save_text(play, label))


# Fields shown in listings: absent, or of this kind (None allowed for chapter).
DISPLAY_FIELDS = {"time": str, "label": str, "chapter": (str, type(None)), "scene_title": str, "ended": bool}
MAX_DISPLAY_CHARS = 1000


def read_save_file(path) -> dict:
    """The save's JSON, checked for shape; SaveError otherwise."""
    try:
        raw = read_regular_file(path, MAX_SAVE_BYTES)
    except FileNotFoundError:
        raise SaveError(path, "no such save file") from None
    except NotRegularFile:
        raise SaveError(path, "not a regular file") from None
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
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SaveError(path, "the save has no valid format version")
    if version > SAVE_VERSION:
        raise SaveError(path, f"the save was made by a newer version of the game (save format {version}; "
                              f"this game reads up to {SAVE_VERSION})")
    checks = {"story": str, "fingerprint": str, "seed": int, "steps": list, "scene": str, "vars": dict,
              "visits": dict, "chosen": dict, "unlocked": list, "rng": int}
    for key, typ in checks.items():
        if not isinstance(data.get(key), typ) or isinstance(data.get(key), bool):
            raise SaveError(path, f"the save is damaged ('{key}' is missing or of the wrong kind)")
    for key, typ in DISPLAY_FIELDS.items():
        value = data.get(key)
        if key in data and (not isinstance(value, typ) or isinstance(value, str) and len(value) > MAX_DISPLAY_CHARS):
            raise SaveError(path, f"the save is damaged ('{key}' is of the wrong kind)")
    if len(data["steps"]) > MAX_STEPS or not all(isinstance(s, str) and len(s) <= 100 for s in data["steps"]):
        raise SaveError(path, "the save is damaged (its steps are not valid)")
    return data


def replay_steps(story: "Story", seed: int, steps) -> tuple["Playthrough", int, Exception | None]:
    """A new game of `story` with `seed`, the steps taken one by one until
    one is not on offer (or fails at run time): (the playthrough, the number
    of steps taken, the exception that stopped it or None). Loading a save
    and the game's live reload (tui/watch.py) carry a game across a story's
    edits this way; undo then walks back along the steps replayed.
    StoryRuntimeError when the story cannot even start."""
    play = story.new_game(seed=seed)
    done = 0
    for step in steps:
        try:
            play.choose(step)
        except (ValueError, StoryRuntimeError) as exc:
            return play, done, exc
        done += 1
    return play, done, None


def read_save(story: "Story", path) -> "Playthrough":
    data = read_save_file(path)
    if data["story"] != story.id:
        raise SaveError(path, f"this save belongs to the story '{data['story']}', not '{story.id}'")
    try:
        play, done, failure = replay_steps(story, data["seed"], data["steps"])
    except StoryRuntimeError as exc:
        raise SaveError(path, f"the story cannot start ({exc})") from None
    steps = data["steps"]
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


# A slot's name is part of its file's name (STORY.SLOT.json): letters, digits,
# '-', '_' and spaces inside (not first or last), so it can never name
# another folder ('/', '\\', '.' are refused) nor a hidden file.
SLOT_RE = re.compile(r"[A-Za-z0-9_-](?:[A-Za-z0-9_ -]{0,38}[A-Za-z0-9_-])?\Z")
AUTOSAVE = "autosave"
PREVIOUS = "autosave-previous"
MAX_PROFILE_BYTES = 5 * 1024 * 1024


def display_time(iso: str) -> str:
    """A save's UTC time as local 'YYYY-mm-dd HH:MM' ('' when unreadable)."""
    try:
        when = datetime.fromisoformat(iso)
        if when.tzinfo is not None:
            when = when.astimezone()
        return when.strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError, OverflowError, OSError):
        return ""


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    """folder/stem+suffix, or stem-2+suffix, stem-3+suffix, ...: never an existing name."""
    candidate = folder / f"{stem}{suffix}"
    n = 2
    while os.path.lexists(candidate):
        candidate = folder / f"{stem}-{n}{suffix}"
        n += 1
    return candidate


def move_aside(path) -> Path:
    """Rename a file the game refused to NAME.broken-<YYYYmmdd-HHMMSS>.json in
    the same folder (never over another file), so that nothing writes over
    it; returns the new path. OSError when the rename fails."""
    path = Path(path)
    stem = path.name[:-len(".json")] if path.name.endswith(".json") else path.name
    target = _free_name(path.parent, f"{stem}.broken-{time.strftime('%Y%m%d-%H%M%S')}", ".json")
    os.rename(path, target)
    return target


def _per_story(data: dict, key: str, kind: type, good) -> tuple[dict, bool]:
    """One section of the profile (story id -> a dict or list of entries):
    entries `good` rejects are dropped. (section, whether it was clean)."""
    raw = data.get(key, {})
    if not isinstance(raw, dict):
        return {}, False
    out, clean = {}, True
    for story_id, seen in raw.items():
        if not isinstance(seen, kind):
            clean = False
            continue
        if kind is dict:
            kept = {k: v for k, v in seen.items() if isinstance(k, str) and good(v)}
        else:
            kept = [e for e in seen if good(e)]
        clean = clean and len(kept) == len(seen)
        out[story_id] = kept
    return out, clean


# The profile's sections: story -> ending id -> times reached; story -> codex
# ids found; story -> achievement id -> the date first earned (§11.10); story
# -> ending id -> {date, steps, same, decisions, diverged} of the first arrival.
_SECTIONS = (("endings", dict, lambda v: _count(v)), ("codex", list, lambda v: isinstance(v, str)),
             ("achievements", dict, lambda v: isinstance(v, str) and len(v) <= 40),
             ("ending_firsts", dict, lambda v: _good_first(v)))


def clean_profile(data) -> tuple[dict, bool]:
    """The profile with every field of the right kind: (profile, whether it
    was already clean). Wrong entries are dropped, never guessed at."""
    clean = isinstance(data, dict)
    data = data if isinstance(data, dict) else {}
    out = {k: v for k, v in data.items() if k not in {name for name, _, _ in _SECTIONS}}
    for name, kind, good in _SECTIONS:
        out[name], ok = _per_story(data, name, kind, good)
        clean = clean and ok
    return out, clean


def _count(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10 ** 9


def _good_first(v) -> bool:
    """One ending's first arrival, as the profile keeps it."""
    return (isinstance(v, dict) and set(v) == {"date", "steps", "same", "decisions", "diverged"}
            and isinstance(v["date"], str) and len(v["date"]) <= 40
            and _count(v["steps"]) and _count(v["same"]) and _count(v["decisions"])
            and isinstance(v["diverged"], list) and len(v["diverged"]) <= MAX_DIVERGED
            and all(isinstance(x, str) and len(x) <= 200 for x in v["diverged"]))


MAX_DIVERGED = 40  # divergences kept in a route summary


def _empty_profile() -> dict:
    return {"endings": {}, "codex": {}, "achievements": {}, "ending_firsts": {}}


class SaveStore:
    """Named slots of one folder, per story, plus the endings profile."""

    def __init__(self, folder, write_behind: bool = False):
        self.folder = Path(folder)
        # The Textual game writes autosaves off the key handler; every read
        # of the folder waits for them first, so nothing reads a stale slot.
        self.writer = WriteBehind(write_save_text) if write_behind else None

    def flush(self) -> None:
        if self.writer is not None:
            self.writer.flush()

    @property
    def written(self) -> bool:
        """Nothing is waiting to be written."""
        return self.writer is None or self.writer.idle
        self._profile_ok = True

    @staticmethod
    def check_slot(name: str) -> str:
        if not isinstance(name, str) or not SLOT_RE.match(name):
            raise SaveError(name, "a slot name is 1–40 letters, digits, spaces, '-' or '_' "
                                  "(not starting or ending with a space)")
        return name

    def path(self, story_id: str, slot: str) -> Path:
        return self.folder / f"{story_id}.{self.check_slot(slot)}.json"

    def save(self, play: "Playthrough", slot: str, label: str | None = None) -> Path:
        self.flush()
        p = self.path(play.story.id, slot)
        play.save(p, label)
        return p

    def load(self, story: "Story", slot: str) -> "Playthrough":
        self.flush()
        return story.load_game(self.path(story.id, slot))

    def exists(self, story_id: str, slot: str) -> bool:
        self.flush()
        return self.path(story_id, slot).is_file()

    def slots(self, story_id: str) -> list[dict]:
        """Summaries of this story's saves, newest first; unreadable ones are
        listed with their error rather than hidden."""
        self.flush()
        out = []
        if not self.folder.is_dir():
            return out
        prefix = f"{story_id}."
        try:
            files = list(self.folder.glob(f"{story_id}.*.json"))
        except OSError:
            return out
        for f in files:
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

    def in_progress(self, story_id: str) -> dict | None:
        """The story's autosave summary when it holds a game worth asking
        about (readable, at least one step taken, not ended)."""
        self.flush()
        for s in self.slots(story_id):
            if s["slot"] == AUTOSAVE:
                return s if not s["error"] and s["steps"] and not s["ended"] else None
        return None

    def set_aside_autosave(self, story: "Story", replacing: "Playthrough") -> str | None:
        """Before another game (`replacing`: a new one, or a loaded slot) is
        written into the story's autosave slot, keep what the slot holds:

        - a game the game refuses is moved aside as NAME.broken-<time>.json;
        - a game with at least one step, other than `replacing`, becomes the
          slot autosave-previous. The autosave-previous already there is
          replaced only when the game moving in contains it (same seed, its
          steps a beginning of the new one's: undo reaches it); otherwise it
          is renamed autosave-previous-<its time>, so that no game is lost.

        Returns what was done, for the player, or None. OSError when the
        folder refuses a rename (the caller must then not write the slot)."""
        self.flush()
        path = self.path(story.id, AUTOSAVE)
        if not os.path.lexists(path):
            return None
        try:
            play = self.load(story, AUTOSAVE)
        except SaveError as exc:
            moved = move_aside(path)
            return f"The autosave could not be used ({exc.reason}); it was moved to {moved}."
        if not play.steps or (play.seed == replacing.seed and play.steps == replacing.steps):
            return None  # nothing played, or the very game that is coming in
        previous = self.path(story.id, PREVIOUS)
        if os.path.lexists(previous) and not self._contains(play, previous):
            try:
                stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(os.stat(previous).st_mtime))
            except OSError:
                stamp = time.strftime("%Y%m%d-%H%M%S")
            os.rename(previous, _free_name(self.folder, f"{story.id}.{PREVIOUS}-{stamp}", ".json"))
        os.replace(path, previous)
        return f"Your previous game is kept in the slot '{PREVIOUS}' (load it to go back to it)."

    @staticmethod
    def _contains(play: "Playthrough", path: Path) -> bool:
        try:
            old = read_save_file(path)
        except SaveError:
            return False
        return old["seed"] == play.seed and list(play.steps[:len(old["steps"])]) == old["steps"]

    # ------------------------------------------------------------ profile
    @property
    def profile_path(self) -> Path:
        return self.folder / "profile.json"

    _profile_pending: str | None = None  # the newest profile handed to the writer

    def profile(self) -> dict:
        """The endings and codex record, every field checked. A profile that
        cannot be read, or with wrong fields, is used as far as it is valid
        and moved aside (profile.broken-<time>.json) before it is next written.
        With a write-behind writer, the newest record handed to it (what the
        file holds once it is written)."""
        if self._profile_pending is not None:
            return json.loads(self._profile_pending)
        try:
            raw = read_regular_file(self.profile_path, MAX_PROFILE_BYTES)
        except FileNotFoundError:
            self._profile_ok = True
            return _empty_profile()
        except OSError:
            self._profile_ok = False
            return _empty_profile()
        try:
            if len(raw) > MAX_PROFILE_BYTES:
                raise ValueError("too large")
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            self._profile_ok = False
            return _empty_profile()
        data, self._profile_ok = clean_profile(data)
        return data

    def _write_profile(self, data: dict) -> None:
        """Atomically; with a write-behind writer off the key handler like the
        autosave (a step that unlocks a codex entry must not wait for two
        fsyncs), and a failure is ignored there too (the record is a bonus)."""
        if not self._profile_ok and os.path.lexists(self.profile_path):
            move_aside(self.profile_path)
        text = json.dumps(data, indent=1)
        if self.writer is None:
            atomic_write(self.profile_path, text)
        else:
            self._profile_pending = text
            self.writer.put(self.profile_path, text, lambda error: None)
        self._profile_ok = True

    def record_ending(self, story_id: str, ending_id: str) -> None:
        data = self.profile()
        seen = data["endings"].setdefault(story_id, {})
        seen[ending_id] = min(seen.get(ending_id, 0) + 1, 10 ** 9 - 1)
        self._write_profile(data)

    def record_codex(self, story_id: str, entry_ids) -> None:
        """Remember codex entries unlocked in any game (written only when new)."""
        data = self.profile()
        seen = data["codex"].get(story_id, [])
        new = [e for e in entry_ids if e not in seen]
        if not new:
            return
        data["codex"][story_id] = seen + new
        self._write_profile(data)

    def record_ending_first(self, story_id: str, ending_id: str, route: dict) -> None:
        """Keep the date and a summary of the route of an ending's first arrival
        (`route`: steps, same, decisions, diverged — see Session)."""
        data = self.profile()
        firsts = data["ending_firsts"].setdefault(story_id, {})
        if ending_id in firsts:
            return
        entry = {"date": time.strftime("%Y-%m-%d"), **route}
        entry["diverged"] = [str(x)[:200] for x in entry.get("diverged", ())][:MAX_DIVERGED]
        if not _good_first(entry):
            return
        firsts[ending_id] = entry
        self._write_profile(data)

    def ending_firsts(self, story_id: str) -> dict[str, dict]:
        return self.profile()["ending_firsts"].get(story_id, {})

    def record_achievements(self, story_id: str, ids) -> list[str]:
        """Remember achievements earned in any game; returns the ones new to the
        profile (written only when there are some)."""
        data = self.profile()
        seen = data["achievements"].setdefault(story_id, {})
        new = [a for a in ids if a not in seen]
        if not new:
            return []
        today = time.strftime("%Y-%m-%d")
        for a in new:
            seen[a] = today
        self._write_profile(data)
        return new

    def achievements_seen(self, story_id: str) -> dict[str, str]:
        """Achievement id -> the date it was first earned."""
        return self.profile()["achievements"].get(story_id, {})

    def codex_seen(self, story_id: str) -> list[str]:
        return self.profile()["codex"].get(story_id, [])

    def endings_seen(self, story_id: str) -> dict[str, int]:
        return self.profile()["endings"].get(story_id, {})


# ---------------------------------------------------------------- where saves live

def _same_bytes(a: Path, b: Path, limit: int) -> bool:
    try:
        return read_regular_file(a, limit) == read_regular_file(b, limit)
    except OSError:
        return False


def _copy_new(src: Path, folder: Path, names: list[str], limit: int) -> Path | None:
    """Copy src into folder under the first of `names` that is free; nothing is
    ever overwritten, and a file already there under one of the names with
    the same bytes is not copied again. Returns the new path, or None."""
    data = read_regular_file(src, limit)
    if len(data) > limit:
        return None
    for name in names:
        target = folder / name
        if os.path.lexists(target):
            if _same_bytes(src, target, limit):
                return None
            continue
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)  # never over a file
        try:
            write_all(fd, data)
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            os.unlink(target)
            raise
        os.close(fd)
        return target
    return None  # pragma: no cover - a hundred different copies already


def _other_names(stem: str, suffix: str, short: str | None = None) -> list[str]:
    """stem+suffix, then (short or stem)-checkout+suffix, -checkout-2, ..."""
    short = short or stem
    return [f"{stem}{suffix}", f"{short}-checkout{suffix}"] + [f"{short}-checkout-{n}{suffix}"
                                                                for n in range(2, 100)]


def adopt_saves(store: SaveStore, old: Path) -> list[Path]:
    """Copy the saves, profile and recordings a checkout kept in `old` into
    the store's folder, never over an existing file: a slot whose name is
    taken by a different save is copied as SLOT-checkout (-checkout-2, ...).
    The profile is merged (codex entries joined, each ending's count the
    larger one). The files in `old` are left as they are. Returns the files
    written."""
    old = Path(old)
    if not old.is_dir() or old.resolve() == store.folder.resolve():
        return []
    entries = sorted(p for p in old.iterdir() if p.name.endswith(".json") and not p.name.startswith("."))
    recs = sorted((old / "recordings").glob("*.yaml")) if (old / "recordings").is_dir() else []
    if not entries and not recs:
        return []
    written: list[Path] = []
    store.folder.mkdir(parents=True, exist_ok=True)
    for p in entries:
        if p.name == "profile.json":
            if _merge_profile(store, p):
                written.append(store.profile_path)
            continue
        story_id, _, slot = p.name[:-len(".json")].partition(".")
        if not story_id or not SLOT_RE.match(slot):
            continue  # not STORY.SLOT.json (a file moved aside as broken, or not ours)
        short = f"{story_id}.{slot[:40 - len('-checkout-99')]}"  # a slot name stays 40 characters at most
        try:
            got = _copy_new(p, store.folder, _other_names(f"{story_id}.{slot}", ".json", short), MAX_SAVE_BYTES)
        except NotRegularFile:
            continue
        if got is not None:
            written.append(got)
    if recs:
        (store.folder / "recordings").mkdir(exist_ok=True)
    for p in recs:
        try:
            got = _copy_new(p, store.folder / "recordings", _other_names(p.name[:-len(".yaml")], ".yaml"),
                            MAX_SAVE_BYTES)
        except NotRegularFile:
            continue
        if got is not None:
            written.append(got)
    return written


def _merge_profile(store: SaveStore, path: Path) -> bool:
    try:
        raw = read_regular_file(path, MAX_PROFILE_BYTES)
        theirs, _ = clean_profile(json.loads(raw.decode("utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False
    ours = store.profile()
    changed = False
    for story_id, seen in theirs["endings"].items():
        mine = ours["endings"].setdefault(story_id, {})
        for ending, n in seen.items():
            if n > mine.get(ending, 0):
                mine[ending] = n
                changed = True
    for story_id, seen in theirs["codex"].items():
        mine = ours["codex"].setdefault(story_id, [])
        new = [e for e in seen if e not in mine]
        if new:
            mine.extend(new)
            changed = True
    for table in ("achievements", "ending_firsts"):
        for story_id, seen in theirs[table].items():
            mine = ours[table].setdefault(story_id, {})
            for k, v in seen.items():
                if k not in mine:
                    mine[k] = v
                    changed = True
    if changed:
        store._write_profile(ours)
    return changed
