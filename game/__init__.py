"""Open Diplomacy: a story engine for the terminal, and the stories it plays.

    from game import load_story, StoryError
    story = load_story("scenes/izumi")
    play = story.new_game(seed=1)
"""

from game.engine.errors import SaveError, StoryRuntimeError
from game.engine.play import ChoiceView, Playthrough, StepResult
from game.engine.story import Story
from game.story.loader import check_story, load_story
from game.story.problems import Problem, StoryError

__all__ = ["load_story", "check_story", "StoryError", "Problem", "Story", "Playthrough", "ChoiceView",
           "StepResult", "SaveError", "StoryRuntimeError"]
