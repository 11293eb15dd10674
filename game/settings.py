"""The player's settings: how notes are shown, the text's width, the colour
theme, and whether a scene's text comes at once or paragraph by paragraph.

One small JSON file, `settings.json`, in the user config folder for
`open-diplomacy` as given by platformdirs (on Linux usually
~/.config/open-diplomacy), or in $OPEN_DIPLOMACY_CONFIG when that is set (the
tests set it). Both front ends read it; a file that cannot be used (damaged,
not ours, not a regular file, a value out of range) is ignored, as far as it
is wrong, with a notice for the player, never a traceback. It is written
atomically (game/engine/files.py), so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from game.engine.files import NotRegularFile, atomic_write, read_regular_file
from game.engine.records import record

CONFIG_ENV = "OPEN_DIPLOMACY_CONFIG"
FILE_NAME = "settings.json"
FORMAT = 1
READ_LIMIT = 64 * 1024  # a settings file is a few hundred bytes

# Each setting: its key, its title, and its values with their labels (the
# first value is the default, except for the width, whose default is 70).
NOTES = (("dialog", "dialog"), ("inline", "below the text"), ("log", "log only"))
WIDTHS = ((60, "60"), (70, "70"), (80, "80"), (0, "full"))  # 0: the whole width
THEMES = (("dark", "dark"), ("light", "light"), ("contrast", "high contrast"))
REVEAL = (("all", "all at once"), ("paragraph", "paragraph by paragraph"))

SETTINGS = (
    ("notes", "Notes", NOTES),
    ("width", "Text width", WIDTHS),
    ("theme", "Theme", THEMES),
    ("reveal", "Reading", REVEAL),
)

HELP = {
    "notes": "How “what really happened” is shown after a choice: in a dialog over the next scene, below its "
             "text, or only in the notes log (n), which has every note in any case.",
    "width": "The longest line of the scene's text, in characters, centred when the window is wider.",
    "theme": "Colours. NO_COLOR in the environment still turns colour off.",
    "reveal": "Paragraph by paragraph: Enter or Space shows the next paragraph, and the choices come "
              "after the last one.",
}


@record
class Settings:
    notes: str = "dialog"
    width: int = 70
    theme: str = "dark"
    reveal: str = "all"

    def with_(self, key: str, value) -> "Settings":
        d = {name: getattr(self, name) for name, _, _ in SETTINGS}
        d[key] = value
        return Settings(**d)

    def label(self, key: str) -> str:
        value = getattr(self, key)
        return next(lbl for v, lbl in _options(key) if v == value)

    def cycle(self, key: str, step: int = 1) -> "Settings":
        """The same settings with `key` moved to its next (or previous) value."""
        values = [v for v, _ in _options(key)]
        return self.with_(key, values[(values.index(getattr(self, key)) + step) % len(values)])

    def to_json(self) -> dict:
        return {"format": FORMAT, "app": "open-diplomacy",
                **{name: getattr(self, name) for name, _, _ in SETTINGS}}


DEFAULTS = Settings()


def _options(key: str):
    return next(opts for name, _, opts in SETTINGS if name == key)


def config_dir() -> Path:
    """$OPEN_DIPLOMACY_CONFIG when set, else the user config folder."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir
    return Path(user_config_dir("open-diplomacy", appauthor=False))


def settings_path() -> Path:
    return config_dir() / FILE_NAME


def load(path: Path | None = None) -> tuple[Settings, str | None]:
    """The settings, and a notice for the player when the file could not be
    used as it is (None when it was fine or absent)."""
    path = settings_path() if path is None else Path(path)
    try:
        data = read_regular_file(path, READ_LIMIT)
    except FileNotFoundError:
        return DEFAULTS, None
    except NotRegularFile:
        return DEFAULTS, _ignored(path, "not a regular file")
    except OSError as exc:
        return DEFAULTS, _ignored(path, exc.strerror or str(exc))
    if len(data) > READ_LIMIT:
        return DEFAULTS, _ignored(path, "too large to be a settings file")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return DEFAULTS, _ignored(path, "damaged (not JSON)")
    if not isinstance(doc, dict) or doc.get("app") != "open-diplomacy":
        return DEFAULTS, _ignored(path, "not an Open Diplomacy settings file")
    if not isinstance(doc.get("format"), int) or isinstance(doc.get("format"), bool) or doc["format"] < 1:
        return DEFAULTS, _ignored(path, "no valid format version")
    values, wrong = {}, []
    for name, _, opts in SETTINGS:
        if name not in doc:
            continue
        v = doc[name]
        if any(type(v) is type(ok) and v == ok for ok, _ in opts):
            values[name] = v
        else:
            wrong.append(name)
    notice = None
    if wrong:
        notice = (f"Settings: {', '.join(wrong)} in {path} had a value this version does not know; "
                  f"the default is used instead.")
    return Settings(**values), notice


def _ignored(path: Path, why: str) -> str:
    return f"Settings: {path} was ignored ({why}); the defaults are used. Changing a setting writes a new file."


def save(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings atomically; OSError passes up."""
    path = settings_path() if path is None else Path(path)
    atomic_write(path, json.dumps(settings.to_json(), indent=2) + "\n")
    return path
