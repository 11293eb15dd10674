"""Where bundled stories and saves live, in a checkout and when installed."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_SCENES = PACKAGE_DIR.parent / "scenes"
INSTALLED_SCENES = PACKAGE_DIR / "bundled"


def in_checkout() -> bool:
    return CHECKOUT_SCENES.is_dir() and (PACKAGE_DIR.parent / "pyproject.toml").is_file()


def scenes_dir() -> Path:
    return CHECKOUT_SCENES if in_checkout() else INSTALLED_SCENES


def bundled_story_dirs() -> dict[str, Path]:
    """Bundled stories by folder name, in a stable order (Nero first)."""
    root = scenes_dir()
    if not root.is_dir():
        return {}
    found = {p.name: p for p in sorted(root.iterdir()) if (p / "story.yaml").is_file()}
    order = ["izumi", "sorge"]
    return {k: found[k] for k in sorted(found, key=lambda k: (order.index(k) if k in order else 99, k))}


def resolve_story(name: str) -> str:
    """A story folder as the user named it, or a bundled story's id."""
    if os.path.isdir(name) or os.sep in name or "/" in name:
        return name
    bundled = bundled_story_dirs()
    if name in bundled:
        return str(bundled[name])
    for folder in bundled.values():  # by story id as well as folder name
        try:
            with open(folder / "story.yaml", encoding="utf-8") as fh:
                head = fh.read(4096)
        except OSError:
            continue
        for line in head.splitlines():
            if line.strip() == f"id: {name}":
                return str(folder)
    return name


SAVES_ENV = "OPEN_DIPLOMACY_SAVES"


def user_saves_dir() -> Path:
    """saves/ in the user data folder (on Linux ~/.local/share/open-diplomacy/saves)."""
    from platformdirs import user_data_dir
    return Path(user_data_dir("open-diplomacy", appauthor=False)) / "saves"


def default_saves_dir() -> Path:
    """One rule whatever the install mode (a checkout, an editable or a
    normal install): $OPEN_DIPLOMACY_SAVES when set, else the user data
    folder. `--saves DIR` overrides both."""
    env = os.environ.get(SAVES_ENV)
    if env:
        return Path(env).expanduser()
    return user_saves_dir()


def checkout_saves_dir() -> Path | None:
    """saves/ at the top of a checkout, where a checkout kept its saves before
    they moved to the user data folder (None outside a checkout)."""
    return PACKAGE_DIR.parent / "saves" if in_checkout() else None
