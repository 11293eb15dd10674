"""How a playthrough compares with what the real people did."""

from __future__ import annotations

from .records import record

from .play import Playthrough


@record
class Decision:
    scene_id: str
    scene_title: str
    chosen_id: str
    chosen_text: str
    historical_texts: tuple[str, ...]  # what the real person did (several where sources disagree)

    @property
    def as_history(self) -> bool:
        return self.chosen_id in self._historical_ids

    _historical_ids: tuple[str, ...] = ()


def compare_with_history(play: Playthrough) -> list[Decision]:
    """Every step taken in a scene that marks a historical choice, in order."""
    out = []
    for scene, choice in play.history_choices():
        hist = [c for c in scene.choices if c.historical]
        if not hist or choice is None or len(scene.choices) < 2:
            continue  # a scene with one way on is not a decision
        out.append(Decision(scene.id, scene.title or scene.id, choice.id, _plain(choice, play),
                            tuple(_plain(c, play) for c in hist), tuple(c.id for c in hist)))
    return out


def _plain(choice, play) -> str:
    t = choice.text
    return t.static if t.static is not None else t.render(play)
