"""The public entry points of the compiler."""

from __future__ import annotations

import os

from game.engine.story import Story

from .compiler import compile_story
from .problems import Problem, StoryError


def check_story(path) -> tuple[Story | None, list[Problem]]:
    """Load and check; (the story or None when there are errors, every problem)."""
    data, problems = compile_story(os.fspath(path))
    return (Story(data) if data is not None else None), problems


def load_story(path) -> Story:
    """The compiled story of a folder; StoryError (with .problems) on any error."""
    story, problems = check_story(path)
    if story is None:
        raise StoryError(problems)
    return story
