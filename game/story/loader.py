"""The public entry points of the compiler."""

from __future__ import annotations

import os

from game.engine.story import Story

from .compiler import compile_story
from .problems import Problem, StoryError


def check_story(path, cache: bool = False) -> tuple[Story | None, list[Problem]]:
    """Load and check; (the story or None when there are errors, every problem).
    `cache=True` takes unchanged files from the parse cache (see parsecache)."""
    parse_cache = None
    if cache:
        from .parsecache import default_cache
        parse_cache = default_cache()
    data, problems = compile_story(os.fspath(path), parse_cache)
    return (Story(data) if data is not None else None), problems


def load_story(path, cache: bool = False) -> Story:
    """The compiled story of a folder; StoryError (with .problems) on any error."""
    story, problems = check_story(path, cache)
    if story is None:
        raise StoryError(problems)
    return story


def load_for_command(target: str | None, verb: str) -> tuple[Story | None, str]:
    """The story a command names (default: the first bundled story), or None
    after printing its errors to stderr. Returns (story, folder)."""
    from game.engine.safetext import write_err
    from game.paths import bundled_story_dirs, locate_story

    if target is None:
        first = next(iter(bundled_story_dirs().values()), None)
        if first is None:
            write_err("no story given and no bundled story found")
            return None, ""
        target = str(first)
    folder = locate_story(target)  # UnknownStory names the bundled ones
    story, problems = check_story(folder)
    if story is None:
        for p in problems:
            if p.is_error:
                write_err(str(p))
        write_err(f"cannot {verb}: the story has errors (run `open-diplomacy lint {folder}`)")
    return story, folder
