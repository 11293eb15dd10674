"""`open-diplomacy serve`: the Textual game in a web browser, via textual-serve.

textual-serve runs one `open-diplomacy play ... --textual` per browser tab,
with its web driver (TEXTUAL_DRIVER) on the process's pipes; `--textual`
keeps `play` from falling back to plain mode when it sees those pipes.
"""

from __future__ import annotations

import shlex
import sys

from game.engine.safetext import write_err, write_out


def served_command(story: str | None, saves: str | None = None, seed: int | None = None) -> str:
    """The shell command textual-serve starts for each browser tab."""
    argv = [sys.executable, "-m", "game", "play"]
    if story:
        argv.append(story)
    if saves:
        argv += ["--saves", saves]
    if seed is not None:
        argv += ["--seed", str(seed)]
    argv.append("--textual")
    return " ".join(shlex.quote(a) for a in argv)


def run_serve_cli(args) -> int:
    import os

    from game.paths import locate_story
    from game.story.loader import check_story

    story = None
    title = "Open Diplomacy"
    if args.story:
        story = os.path.abspath(locate_story(args.story))  # UnknownStory names the bundled ones
        compiled, problems = check_story(story)
        if compiled is None:
            for p in problems:
                if p.is_error:
                    write_err(str(p))
            write_err(f"cannot serve: the story has errors (run `open-diplomacy lint {args.story}`)")
            return 1
        title = f"{compiled.title} — Open Diplomacy"
    try:
        from textual_serve.server import Server
    except ImportError:
        write_err("cannot serve: textual-serve is not installed (pip install textual-serve)")
        return 1
    saves = os.path.abspath(args.saves) if args.saves else None
    command = served_command(story, saves, args.seed)
    write_out(f"Open Diplomacy in a browser: http://{_url_host(args.host)}:{args.port}/  (Ctrl+C stops)")
    server = Server(command, host=args.host, port=args.port, title=title)
    server.serve()
    return 0


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
