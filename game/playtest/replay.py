"""Playthrough files (§8): replay a game from the start and check where it ends.

A playthrough may carry a blessed transcript (`NAME.transcript.txt` beside
it): the full text the playthrough shows. Later runs fail on any difference
and print a unified diff.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from game.engine.errors import StoryRuntimeError
from game.engine.play import Playthrough
from game.engine.files import atomic_write
from game.engine.story import Story
from game.story import schema as S
from game.engine.model import show_value
from game.engine.session import Session
from game.story.compiler import parse_file, SourceFile
from game.view.screen import build_screen, build_step, plain_screen, plain_step
from game.story.loader import check_story
from game.story.problems import Pos, Problem, Reporter, did_you_mean

PLAYTHROUGH = S.Record("playthrough", {
    "story": S.F(S.Str("A story id, or a path to a story folder relative to this file."), required=True),
    "seed": S.F(S.Int("Seeds chance(); default 0.")),
    "steps": S.F(S.ListOf(S.Scalar("A choice id, or `continue`.")), required=True),
    "expect": S.F(S.Record("expectations", {
        "scene": S.F(S.Ident("The scene the player stands in after the last step.")),
        "ending": S.F(S.Ident("The ending scene reached.")),
        "state": S.F(S.MapOf(S.OneOf("A value (a set: a list of values).", scalar=S.Scalar(),
                                     seq=S.ListOf(S.Str())), "variable values")),
        "visited": S.F(S.ListOf(S.Ident(), single_ok=True)),
        "reply": S.F(S.Str("The last reply, rendered, must contain this text.")),
        "calls": S.F(S.ListOf(S.Ident(), doc="The calls in progress (scene ids, innermost last).")),
        "stuck": S.F(S.Bool(), doc="false: after the last step the player is not stuck (in an ending, "
                                   "or with a choice on offer)."),
        "can_end": S.F(S.Bool(), doc="true: an ending can still be reached from where the last step leaves "
                                     "the player."),
        "checks": S.F(S.Bool(), doc="true: every story check (§11.9) holds after every step."),
        "achievements": S.F(S.ListOf(S.Ident(), single_ok=True),
                            doc="Exactly the achievements earned in this game (§11.10), in any order."),
    })),
}, doc="A playthrough file (§8).")

TRANSCRIPT_SUFFIX = ".transcript.txt"


@dataclass
class ReplayResult:
    path: str
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    play: Playthrough | None = None
    transcript: str = ""
    diff: str = ""


def transcript_path(path: str) -> str:
    base = path[: -len(Path(path).suffix)] if Path(path).suffix in (".yaml", ".yml") else path
    return base + TRANSCRIPT_SUFFIX


def is_playthrough_file(path: Path) -> bool:
    return path.suffix in (".yaml", ".yml") and path.name != "story.yaml"


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given; a folder gives its playthrough files (a story folder,
    those in its playthroughs/ sub-folder)."""
    out = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            if (path / "story.yaml").is_file():
                path = path / "playthroughs"
                p = os.path.join(p, "playthroughs")
            if path.is_dir():
                out.extend(os.path.join(p, f.name) for f in sorted(path.iterdir()) if is_playthrough_file(f))
        else:
            out.append(p)
    return out


class StoryCache:
    def __init__(self) -> None:
        self.by_path: dict[str, tuple[Story | None, list[Problem]]] = {}

    def get(self, folder: str):
        key = os.path.realpath(folder)
        if key not in self.by_path:
            self.by_path[key] = check_story(folder)
        return self.by_path[key]


def find_story_folder(ref: str, file_path: str) -> str | None:
    """§8: a story id, or a path to a story folder relative to the file."""
    here = os.path.dirname(file_path) or "."
    candidate = os.path.normpath(os.path.join(here, ref))
    if os.path.isfile(os.path.join(candidate, "story.yaml")):
        return candidate
    # By id: the story folder this file sits in, then the bundled stories.
    folder = os.path.abspath(here)
    for _ in range(6):
        if _story_id_of(folder) == ref:
            return os.path.relpath(folder) if not os.path.isabs(file_path) else folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    from game.paths import bundled_story_dirs
    for name, path in bundled_story_dirs().items():
        if name == ref or _story_id_of(str(path)) == ref:
            return str(path)
    return None


def _story_id_of(folder: str) -> str | None:
    from game.paths import story_id_of
    return story_id_of(folder)


TRANSCRIPT_WIDTH = 78


def render_step_text(view_session) -> list[str]:
    """What the player sees standing in the current scene: plain mode's
    screen text, from the one view (game/view/screen.py)."""
    return [""] + plain_screen(build_screen(view_session), TRANSCRIPT_WIDTH)


def run_playthrough(path: str, cache: StoryCache | None = None, want_transcript: bool = True) -> ReplayResult:
    cache = cache or StoryCache()
    rep = Reporter()
    try:
        with open(path, "rb") as fh:
            data = fh.read(5 * 1024 * 1024 + 1)
    except OSError as exc:
        rep.error(Pos(path, 1, 1), f"cannot read playthrough file: {exc.strerror or exc}")
        return ReplayResult(path, False, rep.problems)
    rec = parse_file(SourceFile(path, os.path.basename(path), data), PLAYTHROUGH, rep)
    if rec is None or rep.has_errors:
        return ReplayResult(path, False, rep.problems)
    folder = find_story_folder(rec["story"], path)
    if folder is None:
        rep.error(rec.at("story"), f"story '{rec['story']}' not found (neither a story id nor a folder relative to this file)")
        return ReplayResult(path, False, rep.problems)
    story, problems = cache.get(folder)
    if story is None:
        rep.error(rec.at("story"), f"story '{rec['story']}' has errors; run `open-diplomacy lint {folder}`")
        return ReplayResult(path, False, rep.problems + [p for p in problems if p.is_error][:10])
    play = story.new_game(seed=rec.get("seed", 0))
    viewer = Session(story, None, play)  # no store: the view of a game that saves nothing
    lines = render_step_text(viewer) if want_transcript else []
    steps = rec["steps"]
    exp = rec.get("expect") or {}
    want_checks = exp.get("checks") is True and story.data.checks
    if want_checks and not _checks_hold(play, story, rep, exp.at("checks"), 0):
        return ReplayResult(path, False, rep.problems, play)
    for i, step in enumerate(steps):
        sid = "continue" if step is None else str(step)
        pos = steps.ipos[i]
        before = play.scene.id
        number = next((n for n, c in enumerate(play.choices(), 1) if c.id == sid), None) if want_transcript else None
        try:
            result = play.choose(sid)
        except ValueError:
            offered = play.choices()
            on = ", ".join(c.id for c in offered if c.enabled) or "nothing"
            locked = [c.id for c in offered if not c.enabled]
            extra = f" (locked: {', '.join(locked)})" if locked else ""
            what = "the story has ended" if play.ended else f"on offer: {on}{extra}"
            rep.error(pos, f"step {i + 1}: no choice '{sid}' in scene '{before}'; {what}")
            return ReplayResult(path, False, rep.problems, play)
        except StoryRuntimeError as exc:
            rep.error(pos, f"step {i + 1}: runtime error: {exc}")
            return ReplayResult(path, False, rep.problems, play)
        if want_checks and not _checks_hold(play, story, rep, exp.at("checks"), i + 1):
            return ReplayResult(path, False, rep.problems, play)
        if want_transcript:
            lines.append(f"> {number if number is not None else sid}")  # as typed in plain mode
            lines.extend(plain_step(build_step(viewer, result), TRANSCRIPT_WIDTH))
            lines.extend(render_step_text(viewer))
    check_expectations(rec, play, story, rep)
    return ReplayResult(path, not rep.has_errors, rep.problems, play, "\n".join(lines) + "\n")


def _checks_hold(play: Playthrough, story: Story, rep: Reporter, pos: Pos, step: int) -> bool:
    for ck in story.data.checks:
        if bool(ck.cond(play)) != (ck.kind == "always"):
            when = f"after step {step}" if step else "at the start"
            rep.error(pos, f"{when}: check failed in scene '{play.scene.id}': {ck.message}")
            return False
    return True


def check_expectations(rec: S.Rec, play: Playthrough, story: Story, rep: Reporter) -> None:
    exp = rec.get("expect")
    if not exp:
        return
    here = play.scene.id
    aliases = story.data.scene_aliases  # old ids (`was:`) read as the new
    if "scene" in exp and aliases.get(exp["scene"], exp["scene"]) != here:
        rep.error(exp.at("scene"), f"expected scene '{exp['scene']}', but the player stands in '{here}'")
    if "reply" in exp:
        want = str(exp["reply"])
        if play.reply is None or want not in play.reply:
            got = "no reply" if play.reply is None else f"the reply {play.reply!r}"
            rep.error(exp.at("reply"), f"expected the last reply to contain {want!r}, but there is {got}")
    if "calls" in exp:
        want_calls = [aliases.get(x, x) for x in exp["calls"]]
        if want_calls != play.calls:
            rep.error(exp.at("calls"), f"expected the calls in progress {want_calls}, actual {play.calls}")
    if "ending" in exp:
        want = aliases.get(exp["ending"], exp["ending"])
        if want not in story.scenes or story.scenes[want].ending is None:
            rep.error(exp.at("ending"), f"'{want}' is not an ending scene of story '{story.id}'")
        elif not play.ended:
            rep.error(exp.at("ending"), f"expected ending '{want}', but the story has not ended (in scene '{here}')")
        elif here != want:
            rep.error(exp.at("ending"), f"expected ending '{want}', but reached ending '{here}'")
    for name, want in (exp.get("state") or {}).items():
        pos = exp["state"].at(name)
        if name not in play.state:
            rep.error(exp["state"].kpos[name], f"unknown variable '{name}' in expect.state")
            continue
        actual = play.state[name]
        vtype = story.variables[name].type
        if vtype == "str" and want is not None and not isinstance(want, bool):
            want = str(want)
        if vtype == "set":
            if not isinstance(want, list) or actual != [str(x) for x in want]:
                rep.error(pos, f"expected {name} = {_show(want)}, actual [{', '.join(actual)}]")
            continue
        if actual != want or type(actual) is not type(want):
            rep.error(pos, f"expected {name} = {_show(want)}, actual {_show(actual)}")
    if "stuck" in exp:
        stuck = not play.ended and not any(c.enabled for c in play.choices())
        if stuck != exp["stuck"]:
            rep.error(exp.at("stuck"), f"expected the player not to be stuck, but nothing is on offer in scene '{here}'"
                      if stuck else f"expected the player to be stuck, but scene '{here}' offers a way on")
    if exp.get("can_end") is True and not play.ended:
        from .explore import exhaustive_playtest
        sub = exhaustive_playtest(story, max_states=200_000, start=play, exact_ranges=False)
        if sub.complete and not any(sub.endings.values()):
            rep.error(exp.at("can_end"), f"expected an ending to be reachable, but none can be reached from scene '{here}'")
    visited = exp.get("visited") or []
    for i, sid in enumerate(visited):
        sid = aliases.get(sid, sid)
        if sid not in story.scenes:
            rep.error(visited.ipos[i], f"unknown scene '{sid}' in expect.visited")
        elif not play.visits.get(sid):
            rep.error(visited.ipos[i], f"expected scene '{sid}' to have been visited, but it never was")
    if "achievements" in exp:
        want = exp["achievements"]
        known = story.data.achievements
        for i, aid in enumerate(want):
            if aid not in known:
                rep.error(want.ipos[i], f"unknown achievement '{aid}' in expect.achievements"
                          + did_you_mean(aid, known))
            elif aid not in play.achievements:
                rep.error(want.ipos[i], f"expected achievement '{aid}' to have been earned, but it was not "
                          f"(earned: {', '.join(play.achievements) or 'none'})")
        extra = [a for a in play.achievements if a not in want]
        if extra:
            rep.error(exp.at("achievements"), f"achievements earned but not expected: {', '.join(extra)}")


def _show(v) -> str:
    """A value as an expectation message quotes it: text in quotes, a list
    in brackets, else as the player reads it."""
    if isinstance(v, (list, tuple)) and v.__class__.__name__ != "SetValue":
        return "[" + ", ".join(str(x) for x in v) + "]"
    return repr(v) if isinstance(v, str) else show_value(v)


def bless_or_compare(result: ReplayResult, bless: bool) -> None:
    """Write the transcript (bless) or compare with the blessed one."""
    tpath = transcript_path(result.path)
    if bless:
        if result.ok:
            atomic_write(tpath, result.transcript)
        return
    if not result.ok or not os.path.isfile(tpath):
        return
    with open(tpath, encoding="utf-8") as fh:
        blessed = fh.read()
    if blessed != result.transcript:
        result.ok = False
        result.diff = "".join(difflib.unified_diff(
            blessed.splitlines(keepends=True), result.transcript.splitlines(keepends=True),
            fromfile=f"{tpath} (blessed)", tofile=f"{result.path} (now)"))
        result.problems.append(Problem(result.path, 1, 1, "error",
                                       f"the text differs from the blessed transcript {tpath} "
                                       "(re-bless with `open-diplomacy replay --bless` if the change is intended)"))


def run_replay_cli(paths: list[str], bless: bool = False, out: Callable[[str], None] = print) -> int:
    from game.paths import UnknownStory, find_bundled
    named, failed = [], 0
    for p in paths:  # a bundled story's id means its playthroughs/ folder
        if not os.path.exists(p):
            if "/" not in p and os.sep not in p and not p.endswith((".yaml", ".yml")):
                found = find_bundled(p)
                if found is None:
                    raise UnknownStory(p, "a file or folder")
                p = found
            else:
                out(f"{p}:1:1: error: no such file or folder")
                failed += 1
                continue
        named.append(p)
    paths = named
    files = expand_paths(paths)
    cache = StoryCache()
    passed = 0
    for f in files:
        result = run_playthrough(f, cache)
        bless_or_compare(result, bless)
        if result.ok:
            passed += 1
            where = result.play.scene.id if result.play else "?"
            extra = " (blessed)" if bless else ""
            out(f"PASS {f}: {len(result.play.steps)} steps, ends in '{where}'{extra}")
        else:
            failed += 1
            for prob in result.problems:
                out(str(prob))
            if result.diff:
                out(result.diff.rstrip("\n"))
            out(f"FAIL {f}")
    if not files and not failed:
        out("no playthrough files found")
    out(f"{passed} passed, {failed} failed")
    return 1 if failed or not files else 0
