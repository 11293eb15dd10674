"""`open-diplomacy migrate-check OLD_STORY NEW_STORY [SAVES_OR_PLAYTHROUGHS...]`.

Before a release: replays every save, recording and playthrough file of the
old story on the new one, the way loading a save does (the seed and the
steps, §8 and game.engine.saves), and lists those the new story would cut
short, at which step and why. Where a step's choice is gone from its scene
while a new choice with similar text appeared there, or the scene the
player stands in is gone while a new one took its place, it suggests the
`was:` (format §11.8) that would keep them.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from game.engine.errors import SaveError, StoryRuntimeError
from game.engine.saves import read_save_file
from game.story.compiler import SourceFile, parse_file
from game.story.loader import check_story
from game.story.problems import Reporter

SIMILAR = 0.6  # difflib ratio above which two choice texts look like the same choice


@dataclass
class Outcome:
    path: str
    steps: int = 0
    ok: bool = True
    skipped: str | None = None  # why the file was not checked
    step: int | None = None  # 1-based step that fails on NEW
    step_id: str | None = None
    reason: str = ""
    suggestions: list[str] = field(default_factory=list)
    note: str = ""  # replayed in full, but somewhere else

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


def read_steps(path: str) -> tuple[str | None, int, list[str]]:
    """(story id or None, seed, steps) of a save (JSON) or a playthrough/recording (YAML).
    ValueError with the reason when the file is neither."""
    if path.endswith(".json"):
        try:
            data = read_save_file(path)
        except SaveError as exc:
            raise ValueError(exc.reason) from None
        return data["story"], data["seed"], list(data["steps"])
    from game.playtest.replay import PLAYTHROUGH
    rep = Reporter()
    try:
        with open(path, "rb") as fh:
            raw = fh.read(5 * 1024 * 1024 + 1)
    except OSError as exc:
        raise ValueError(f"cannot read: {exc.strerror or exc}") from None
    rec = parse_file(SourceFile(path, os.path.basename(path), raw), PLAYTHROUGH, rep)
    if rec is None or rep.has_errors:
        first = next((p for p in rep.problems if p.is_error), None)
        raise ValueError(f"not a playthrough file ({first})" if first else "not a playthrough file")
    steps = ["continue" if s is None else str(s) for s in rec["steps"]]
    return None, rec.get("seed", 0), steps


def expand(paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            if (path / "story.yaml").is_file():
                path = path / "playthroughs"
            if path.is_dir():
                out.extend(str(f) for f in sorted(path.iterdir())
                           if f.is_file() and (f.suffix == ".json" or (f.suffix in (".yaml", ".yml")
                                                                       and f.name != "story.yaml")))
        else:
            out.append(p)
    return out


def _offer(play) -> str:
    if play.ended:
        return "the story has ended"
    views = play.choices()
    on = ", ".join(c.id for c in views if c.enabled) or "nothing"
    locked = [c.id for c in views if not c.enabled]
    return f"on offer: {on}" + (f" (locked: {', '.join(locked)})" if locked else "")


def _choice_text(play, scene, cid: str) -> str:
    for c in scene.choices:
        if c.id == cid:
            try:
                return c.text.render(play)
            except Exception:  # noqa: BLE001 - a text that cannot render here is no evidence
                return c.text.static or ""
    return ""


def check_one(path: str, old, new) -> Outcome:
    out = Outcome(path)
    try:
        story_id, seed, steps = read_steps(path)
    except ValueError as exc:
        out.ok, out.skipped = True, str(exc)
        return out
    out.steps = len(steps)
    if story_id is not None and story_id not in (old.id, new.id):
        out.skipped = f"a save of the story '{story_id}', not '{old.id}'"
        return out
    try:
        po = old.new_game(seed=seed)
        pn = new.new_game(seed=seed)
    except StoryRuntimeError as exc:
        out.ok, out.step, out.reason = False, 0, f"the new story cannot start: {exc}"
        return out
    for i, step in enumerate(steps):
        old_scene = po.scene
        try:
            po.choose(step)
        except (ValueError, StoryRuntimeError) as exc:
            out.skipped = f"does not replay on the old story either (step {i + 1}, '{step}': {exc})"
            return out
        new_scene = pn.scene
        try:
            pn.choose(step)
            continue
        except ValueError:
            out.reason = f"no choice '{step}' in scene '{new_scene.id}'; {_offer(pn)}"
        except StoryRuntimeError as exc:
            out.reason = f"run-time error: {exc}"
        out.ok, out.step, out.step_id = False, i + 1, step
        out.suggestions = _suggest(old, new, old_scene, new_scene, step, po, pn)
        return out
    if po.scene.id != pn.scene.id:
        out.note = f"replays in full, but ends in '{pn.scene.id}' where the old story ended in '{po.scene.id}'"
    return out


def _suggest(old, new, old_scene, new_scene, step, po, pn) -> list[str]:
    out = []
    if new_scene.id != old_scene.id:
        if new_scene.id not in old.scenes and old_scene.id not in new.scenes:
            out.append(f"scene '{old_scene.id}' is gone and '{new_scene.id}' stands in its place "
                       f"({new_scene.where}): if it is the same scene renamed, add `was: [{old_scene.id}]` to it")
        else:
            out.append(f"the step before leads to '{new_scene.id}' now, where it led to '{old_scene.id}'")
        return out
    new_ids = {c.id for c in new_scene.choices}
    if step in new_ids:
        c = next(c for c in new_scene.choices if c.id == step)
        out.append(f"choice '{step}' of scene '{new_scene.id}' ({c.where}) is still there but not on offer "
                   "at this point (its condition, `once`, or a change earlier in the game)")
        return out
    old_ids = {c.id for c in old_scene.choices}
    old_text = _choice_text(po, old_scene, step)
    best, best_ratio = None, 0.0
    for c in new_scene.choices:
        if c.id in old_ids:
            continue
        ratio = difflib.SequenceMatcher(None, old_text.lower(), _choice_text(pn, new_scene, c.id).lower()).ratio()
        if ratio > best_ratio:
            best, best_ratio = c, ratio
    if best is not None and best_ratio >= SIMILAR:
        out.append(f"choice '{step}' of scene '{new_scene.id}' looks renamed to '{best.id}' ({best.where}): "
                   f"add `was: [{step}]` to it")
    else:
        out.append(f"choice '{step}' was removed from scene '{new_scene.id}'")
    return out


def migrate_check(old_folder: str, new_folder: str, paths: list[str]):
    """(outcomes, error lines): error lines when a story does not compile."""
    errors = []
    stories = []
    for folder, which in ((old_folder, "old"), (new_folder, "new")):
        story, problems = check_story(folder)
        if story is None:
            errors.extend(str(p) for p in problems if p.is_error)
            errors.append(f"the {which} story has errors (run `open-diplomacy lint {folder}`)")
        stories.append(story)
    if errors:
        return [], errors
    old, new = stories
    files = expand(paths or [old_folder])
    return [check_one(p, old, new) for p in files], []


def run_migrate_check_cli(old_folder: str, new_folder: str, paths: list[str], as_json: bool = False,
                          out: Callable[[str], None] = print) -> int:
    from game.engine.safetext import write_err
    outcomes, errors = migrate_check(old_folder, new_folder, paths)
    if errors:
        for line in errors:
            write_err(line)
        return 1
    if as_json:
        out(json.dumps([o.as_dict() for o in outcomes], indent=2, ensure_ascii=False))
        return 1 if any(not o.ok for o in outcomes) else 0
    cut = 0
    for o in outcomes:
        if o.skipped:
            out(f"SKIP {o.path}: {o.skipped}")
        elif o.ok:
            out(f"OK   {o.path}: all {o.steps} steps replay" + (f"; {o.note}" if o.note else ""))
        else:
            cut += 1
            out(f"CUT  {o.path}: step {o.step} of {o.steps} ('{o.step_id}'): {o.reason}")
            for s in o.suggestions:
                out(f"     {s}")
    checked = sum(1 for o in outcomes if not o.skipped)
    out(f"{cut} of {checked} would be cut short" if checked else "nothing to check")
    return 1 if cut else 0
