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
    """Every decision met on the way: a step where the choice the real person
    made was on offer beside at least one other. The game is replayed from
    its start so that 'on offer' and the choices' texts are as the player saw
    them then (a locked or hidden historical choice was not a decision)."""
    out = []
    replay = play.story.new_game(seed=play.seed)
    for step in play.steps:
        scene = replay.scene
        offered = {v.id: v for v in replay.choices() if v.enabled}
        hist = [c for c in scene.choices if c.historical and c.id in offered]
        if hist and len(offered) >= 2 and step in offered:
            out.append(Decision(scene.id, scene.title or scene.id, step, offered[step].text,
                                tuple(offered[c.id].text for c in hist), tuple(c.id for c in hist)))
        try:
            replay.choose(step)
        except ValueError:
            break  # cannot happen for a playthrough's own steps; stop rather than guess
    return out
