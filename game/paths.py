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


MANIFEST_READ_LIMIT = 5 * 1024 * 1024  # the compiler's limit for one file


def manifest_fields(folder: str | os.PathLike, keys: tuple[str, ...] = ("id", "title")) -> dict[str, str]:
    """Top-level scalar fields of a folder's story.yaml, read as YAML (quoted or
    not, comments and all) but without building the file: the event stream
    stops once every key is seen. Bounded in size; {} when unreadable."""
    import yaml  # noqa: PLC0415 (only when a story is named by id)
    try:
        from yaml import CSafeLoader as Loader  # noqa: PLC0415
    except ImportError:  # pragma: no cover - depends on the PyYAML build
        from yaml import SafeLoader as Loader  # type: ignore[assignment]  # noqa: PLC0415
    path = Path(folder) / "story.yaml"
    try:
        if not path.is_file() or path.stat().st_size > MANIFEST_READ_LIMIT:
            return {}
        with open(path, "rb") as fh:
            text = fh.read(MANIFEST_READ_LIMIT + 1).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    found: dict[str, str] = {}
    try:
        events = yaml.parse(text, Loader=Loader)
        depth = 0
        key = None  # at depth 1: the key whose value comes next
        for ev in events:
            if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth == 1 and not isinstance(ev, yaml.MappingStartEvent):
                    return {}
                if depth == 2:
                    key = None  # a collection value: not a scalar field
            elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                if depth == 0:
                    break
            elif depth == 1 and isinstance(ev, (yaml.ScalarEvent, yaml.AliasEvent)):
                if key is None:
                    key = ev.value if isinstance(ev, yaml.ScalarEvent) else ""
                else:
                    if key in keys and isinstance(ev, yaml.ScalarEvent) and key not in found:
                        found[key] = ev.value
                        if len(found) == len(keys):
                            break
                    key = None
    except yaml.YAMLError:
        return found
    return found


def story_id_of(folder: str | os.PathLike) -> str | None:
    """The `id:` of the story in `folder`, as the YAML says it (None if unreadable)."""
    return manifest_fields(folder, ("id",)).get("id")


class UnknownStory(ValueError):
    """A story argument that is neither a folder nor a bundled story."""

    def __init__(self, name: str, what: str = "a folder"):
        bundled = []
        for folder_name, folder in bundled_story_dirs().items():
            f = manifest_fields(folder)
            title = f.get("title")
            bundled.append(f"{f.get('id') or folder_name}" + (f" ({title})" if title else ""))
        listing = ", ".join(bundled) or "none"
        super().__init__(f"unknown story '{name}': not {what}, and not a bundled story (bundled: {listing})")
        self.name = name


def find_bundled(name: str) -> str | None:
    """The folder of the bundled story with this folder name or story id."""
    bundled = bundled_story_dirs()
    if name in bundled:
        return str(bundled[name])
    for folder in bundled.values():
        if story_id_of(folder) == name:
            return str(folder)
    return None


def locate_story(name: str) -> str:
    """A story folder as the user named it (anything with a slash is a path),
    or a bundled story's folder by its folder name or id; UnknownStory (naming
    the bundled ones) for any other bare name."""
    if os.path.isdir(name) or os.sep in name or "/" in name:
        return name  # a path: the compiler says what is wrong with it
    found = find_bundled(name)
    if found is None:
        raise UnknownStory(name)
    return found


def resolve_story(name: str) -> str:
    """Like locate_story, but an unknown name comes back as it is."""
    try:
        return locate_story(name)
    except UnknownStory:
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


def open_store(folder=None, write_behind: bool = False) -> tuple["saves.SaveStore", str | None]:
    """The store of `folder` (--saves), else of the default saves folder
    (default_saves_dir). Run from a checkout with the default
    folder, saves left in the checkout's saves/ folder are copied over
    first; the second value is then a notice for the player (else None)."""
    from game.engine import saves  # noqa: PLC0415 (the commands that only read stories start without it)
    if folder:
        return saves.SaveStore(Path(folder), write_behind), None
    store = saves.SaveStore(default_saves_dir(), write_behind)
    old = checkout_saves_dir()
    if os.environ.get(SAVES_ENV) or old is None:
        return store, None
    try:
        written = saves.adopt_saves(store, old)
    except OSError as exc:
        return store, (f"Saves found in {old} (where a checkout used to keep them) could not be copied "
                       f"to {store.folder}: {exc.strerror or exc}. They are still in {old}.")
    if not written:
        return store, None
    return store, (f"Saves now live in {store.folder}. {len(written)} file(s) found in {old}, where a checkout "
                   f"used to keep them, were copied there (nothing was overwritten; the originals are left "
                   f"in {old}).")
