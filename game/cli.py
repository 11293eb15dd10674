"""`open-diplomacy`: play, lint, playtest, replay, graph, schema.

Heavy modules (Textual) are imported only by the commands that need them, so
`lint` and `replay` start fast.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

from game.engine.safetext import write_err, write_out
from game.paths import UnknownStory, bundled_story_dirs, locate_story


def _out(line: str = "") -> None:
    write_out(line)


def gc_paused(fn):
    """For commands that compile: compiling allocates many long-lived objects
    and no cycles worth collecting, and the cyclic GC would rescan them again
    and again. The one place (with `cmd_play`) where GC policy is set."""
    def run(args) -> int:
        was_on = gc.isenabled()
        gc.disable()
        try:
            return fn(args)
        finally:
            if was_on:
                gc.enable()
    run.__name__ = fn.__name__
    return run


@gc_paused
def cmd_lint(args) -> int:
    from game.story.loader import check_story

    targets = [locate_story(t) for t in args.stories] or [str(p) for p in bundled_story_dirs().values()]
    errors = warnings = files = 0
    for path in targets:
        story, problems = check_story(path)
        files += _count_files(path)
        for p in problems:
            _out(str(p))
            if p.is_error:
                errors += 1
            else:
                warnings += 1
    plural = lambda n, w: f"{n} {w}{'' if n == 1 else 's'}"  # noqa: E731
    _out(f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(files, 'file')}")
    return 1 if errors or (args.strict and warnings) else 0


def _count_files(path: str) -> int:
    from game.story.compiler import discover
    from game.story.problems import Reporter
    manifest, content = discover(path, Reporter())
    return len(content) + (1 if manifest else 0)


def cmd_schema(args) -> int:
    from game.story.schema import CONTENT, MANIFEST, json_schema

    if args.which == "manifest":
        doc = dict(MANIFEST.json(), **{"$schema": "https://json-schema.org/draft/2020-12/schema"})
    elif args.which == "content":
        doc = dict(CONTENT.json(), **{"$schema": "https://json-schema.org/draft/2020-12/schema"})
    else:
        doc = json_schema()
    import json  # noqa: PLC0415
    _out(json.dumps(doc, indent=2, ensure_ascii=False))
    return 0


@gc_paused
def cmd_replay(args) -> int:
    from game.playtest.replay import run_replay_cli
    return run_replay_cli(args.paths, bless=args.bless, out=_out)


def cmd_playtest(args) -> int:
    from game.playtest.cli import run_playtest_cli
    return run_playtest_cli(args, out=_out)


def cmd_graph(args) -> int:
    from game.playtest.graph import run_graph_cli
    return run_graph_cli(args, out=_out)


def cmd_serve(args) -> int:
    from game.serve import run_serve_cli
    return run_serve_cli(args)


def cmd_play(args) -> int:
    # Start-up allocates many long-lived objects (Textual's modules, the
    # compiled story) and no garbage; the cyclic collector would rescan them
    # again and again (~30 ms). The app turns it back on once it has drawn.
    gc.disable()
    try:
        return _play(args)
    finally:
        gc.enable()


def _play(args) -> int:
    from game.story.loader import load_story
    from game.story.problems import StoryError

    story = None
    if args.story:
        try:
            story = load_story(locate_story(args.story), cache=True)
        except StoryError as exc:
            for p in exc.problems:
                write_err(str(p))
            write_err(f"cannot play: {len(exc.errors)} error(s) in the story")
            return 1
    plain = args.plain or not (_terminal_ok() or args.textual)
    problem = _play_options_problem(args, story, plain)
    if problem:
        write_err(problem)
        return 2
    start_play = None
    if args.at is not None:
        start_play = _start_at(story, args)
        if start_play is None:
            return 1
    if plain:
        from game.plain import run_plain
        gc.enable()  # plain mode draws nothing to wait for
        return run_plain(story, saves=args.saves, resume=args.resume, seed=args.seed, start_play=start_play)
    from game.tui.app import run_app
    return run_app(story, saves=args.saves, resume=args.resume, seed=args.seed, watch=args.watch,
                   start_play=start_play, authoring=not args.textual)  # --textual: the browser game (serve)


def _play_options_problem(args, story, plain: bool) -> str | None:
    """Why the options of `play` do not go together, or None."""
    if (args.watch or args.at is not None) and story is None:
        return f"{'--watch' if args.watch else '--at'} needs a STORY (a story folder or a bundled story's id)"
    if args.watch and plain:
        why = "--plain was given" if args.plain else "this is not a full-screen terminal (a TTY with UTF-8)"
        return (f"--watch needs the terminal game, and {why}: plain mode reads one line at a time and cannot "
                "redraw the scene when a file changes. Run it in a terminal without --plain (--at works in "
                "plain mode).")
    if args.where is not None and args.at is None:
        return "--where needs --at SCENE (the condition a state in that scene must meet)"
    if args.at is not None and args.resume:
        return "--at starts a new game in a scene; it cannot be combined with --continue"
    return None


def _start_at(story, args):
    """`--at SCENE [--where COND]`: a playthrough standing there, or None
    after saying why not on stderr."""
    from game.playtest.reach import WhereError, play_from
    try:
        play, reach = play_from(story, args.at, args.where, max_states=args.max_states, seed=args.seed)
    except WhereError as exc:
        for line in exc.lines("--where"):
            write_err(line)
        return None
    except ValueError as exc:
        write_err(f"cannot start at '{args.at}': {exc}")
        return None
    n = len(reach.path)
    play.notice = (f"Started in '{play.scene.title or play.scene.id}' by the shortest known way ({n} step"
                   f"{'' if n == 1 else 's'}; u walks back along it).")
    return play


def _terminal_ok() -> bool:
    """A full-screen app needs a TTY on both ends and a UTF-8 terminal."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    enc = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "")
    return enc in ("utf8", "utf_8")


def cmd_lsp(args) -> int:
    from game.lsp.server import run_lsp_cli
    return run_lsp_cli(args)


def cmd_stats(args) -> int:
    from game.authoring.stats import run_stats_cli
    return run_stats_cli(locate_story(args.story), as_json=args.json, out=_out)


def cmd_migrate_check(args) -> int:
    from game.authoring.migrate import run_migrate_check_cli
    return run_migrate_check_cli(locate_story(args.old), locate_story(args.new), args.files, out=_out)


class _VersionAction(argparse.Action):
    """`--version`, read from the package metadata only when asked."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        _out(f"open-diplomacy {package_version()}")
        parser.exit(0)


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("open-diplomacy")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="open-diplomacy", description="Open Diplomacy: play, write and test branching stories.")
    ap.add_argument("--version", action=_VersionAction, help="print the version and exit")
    sub = ap.add_subparsers(dest="command")

    def add_play_opts(p):
        p.add_argument("--plain", action="store_true", help="plain lines on stdin/stdout (screen readers, pipes)")
        p.add_argument("--continue", dest="resume", action="store_true", help="resume the story's autosave")
        p.add_argument("--saves", metavar="DIR", help="folder for saves (default: $OPEN_DIPLOMACY_SAVES, else the user data folder)")
        p.add_argument("--seed", type=int, default=None, help="seed for chance() (default: random)")
        # Internal (set by `serve`): the Textual app even on pipes, for textual-serve's web driver.
        p.add_argument("--textual", action="store_true", help=argparse.SUPPRESS)

    p = sub.add_parser("play", help="play a story (the title screen without STORY)")
    p.add_argument("story", nargs="?", help="a story folder or a bundled story's id")
    add_play_opts(p)
    p.add_argument("--watch", action="store_true",
                   help="live reload: when a file of the story changes, compile it again and replay the game "
                        "on it, staying on the same scene (errors are shown over the game, which plays on); "
                        "not with --plain")
    p.add_argument("--at", metavar="SCENE",
                   help="start in SCENE, by the shortest way the explorer knows into it (undo walks back along it)")
    p.add_argument("--where", metavar="COND",
                   help="with --at: the state in SCENE must satisfy COND, a condition in the story's variables "
                        "(e.g. \"trust >= 3 and not family\")")
    p.add_argument("--max-states", type=int, default=1_000_000, metavar="N",
                   help="with --at: states to explore before giving up (default 1,000,000)")
    p.set_defaults(func=cmd_play)

    p = sub.add_parser("lint", help="check stories and print every problem")
    p.add_argument("stories", nargs="*", metavar="STORY")
    p.add_argument("--strict", action="store_true", help="warnings count as errors")
    p.set_defaults(func=cmd_lint)

    p = sub.add_parser("playtest", help="explore a story automatically")
    p.add_argument("story", nargs="?", metavar="STORY")
    p.add_argument("--runs", type=int, default=None, help="random playthroughs (default 100)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--exhaustive", action="store_true", help="every reachable (scene, state)")
    p.add_argument("--max-states", type=int, default=2_000_000)
    p.add_argument("--max-steps", type=int, default=1_000, help="step cap of one random run")
    p.add_argument("--require-all-endings", action="store_true")
    p.add_argument("--avoid-used", dest="avoid_used", action="store_true", default=True)
    p.add_argument("--uniform", dest="avoid_used", action="store_false", help="pick choices uniformly at random")
    p.add_argument("--write-failures", metavar="DIR")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_playtest)

    p = sub.add_parser("replay", help="run playthrough files")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_FOLDER")
    p.add_argument("--bless", action="store_true", help="store the text each playthrough shows, to compare later")
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("graph", help="draw the story's scene graph")
    p.add_argument("story", nargs="?", metavar="STORY")
    p.add_argument("--format", choices=["dot", "mermaid"], default="dot")
    p.add_argument("--coverage", action="store_true", help="mark scenes a playtest never reached")
    p.add_argument("--chapter", metavar="X", help="only chapter X (its name, a unique part of it, or its number), "
                   "with the scenes just outside it as plain boxes")
    p.set_defaults(func=cmd_graph)

    p = sub.add_parser("serve", help="serve the game to a web browser (textual-serve)")
    p.add_argument("story", nargs="?", metavar="STORY", help="a story folder or a bundled story's id (default: the title screen)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only)")
    p.add_argument("--saves", metavar="DIR", help="folder for saves (as for play)")
    p.add_argument("--seed", type=int, default=None, help="seed for chance() (default: random)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("schema", help="print the JSON Schema of story files (for editors)")
    p.add_argument("which", nargs="?", choices=["all", "manifest", "content"], default="all")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("lsp", help="the language server for story files (LSP over stdio, for editors)")
    p.set_defaults(func=cmd_lsp)

    p = sub.add_parser("stats", help="words, scenes, choices, forks and route lengths of a story")
    p.add_argument("story", metavar="STORY")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("migrate-check", help="which saves and playthroughs of OLD_STORY a NEW_STORY would cut short")
    p.add_argument("old", metavar="OLD_STORY")
    p.add_argument("new", metavar="NEW_STORY")
    p.add_argument("files", nargs="*", metavar="SAVES_OR_PLAYTHROUGHS",
                   help="save files, recordings, playthrough files or folders (default: OLD_STORY's playthroughs)")
    p.set_defaults(func=cmd_migrate_check)
    return ap


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["play", *argv]
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UnknownStory as exc:
        write_err(str(exc))
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
