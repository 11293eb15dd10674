"""`open-diplomacy playtest`: reports in text and JSON (§9)."""

from __future__ import annotations

import json
import os
import time
from typing import Callable

import yaml

from game.engine.safetext import write_err
from game.story.loader import load_for_command

from .explore import Finding, Report, exhaustive_playtest, random_playtest


def report_json(rep: Report) -> dict:
    story = rep.story
    all_choices = rep.all_choices()
    never_reached = [s for s in story.scenes if s not in rep.reached]
    never_taken = [k for k in all_choices if k not in rep.taken]
    out = {
        "story": story.id,
        "mode": rep.mode,
        "complete": rep.complete,
        "scenes": {"total": len(story.scenes), "reached": len(story.scenes) - len(never_reached),
                   "never_reached": never_reached},
        "choices": {"total": len(all_choices), "taken": len(all_choices) - len(never_taken),
                    "never_taken": never_taken},
        "endings": dict(rep.endings),
        "soft_locks": [{"scene": f.scene, "path": f.path, **_seed(f)} for f in rep.soft_locks],
        "no_exit": [{"scene": f.scene, "path": f.path, **_seed(f)} for f in rep.no_exit],
        "errors": [{"scene": f.scene, "path": f.path, "message": f.message, **_seed(f)} for f in rep.errors],
        "variables": {name: _range(story, name, r) for name, r in rep.ranges.items()},
    }
    if rep.mode == "random":
        out["runs"] = rep.runs
        out["seed"] = rep.seed
        out["capped"] = [{"scene": f.scene, "path": f.path, **_seed(f)} for f in rep.capped]
    else:
        out["states"] = rep.states
    return out


def _seed(f: Finding) -> dict:
    return {} if f.seed is None else {"seed": f.seed, "run": f.run}


def _range(story, name, r) -> dict:
    if story.variables[name].type == "int":
        return {"min": r[0], "max": r[1]}
    vals = sorted(set(r), key=str)
    shown = [v for v in vals]
    return {"min": min(shown, key=str), "max": max(shown, key=str), "values": shown}


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "100%"


def report_text(rep: Report, elapsed: float) -> list[str]:
    j = report_json(rep)
    lines = []
    what = f"{rep.runs} random runs (seed {rep.seed})" if rep.mode == "random" else \
        f"exhaustive: {rep.states:,} states{'' if rep.complete else ' (INCOMPLETE: --max-states reached)'}"
    lines.append(f"playtest {rep.story.id}: {what} in {elapsed:.2f}s")
    sc, ch = j["scenes"], j["choices"]
    lines.append(f"  scenes reached  {sc['reached']}/{sc['total']} ({_pct(sc['reached'], sc['total'])})")
    lines.append(f"  choices taken   {ch['taken']}/{ch['total']} ({_pct(ch['taken'], ch['total'])})")
    reached_endings = sum(1 for v in rep.endings.values() if v)
    lines.append(f"  endings reached {reached_endings}/{len(rep.endings)}")
    width = max((len(k) for k in rep.endings), default=0)
    for sid, n in sorted(rep.endings.items(), key=lambda kv: (-kv[1], kv[0])):
        title = rep.story.scenes[sid].ending.title
        lines.append(f"    {sid:<{width}}  {n:>8}  {title}")
    if sc["never_reached"]:
        lines.append("  never reached: " + ", ".join(sc["never_reached"]))
    if ch["never_taken"]:
        lines.append("  never taken:   " + ", ".join(ch["never_taken"]))
    lines.append("  variables:")
    for name, r in j["variables"].items():
        rng = f"{r['min']}..{r['max']}" if "values" not in r else ", ".join(map(_fmt, r["values"]))
        lines.append(f"    {name:<16} {rng}")
    for f in rep.soft_locks:
        lines.append(f"SOFT-LOCK in scene '{f.scene}': nothing on offer; path: {_path(f)}")
    for f in rep.no_exit:
        lines.append(f"NO WAY OUT from scene '{f.scene}': no ending can be reached; path: {_path(f)}")
    for f in rep.errors:
        lines.append(f"RUNTIME ERROR in scene '{f.scene}': {f.message}; path: {_path(f)}")
    for f in rep.capped[:5]:
        lines.append(f"note: run {f.run} (seed {f.seed}) reached the step cap in '{f.scene}'")
    return lines


def _fmt(v) -> str:
    return "true" if v is True else "false" if v is False else str(v)


def _path(f: Finding) -> str:
    seed = f" (run {f.run}, seed {f.seed})" if f.seed is not None else ""
    return (" → ".join(f.path) if f.path else "(at the start)") + seed


def write_failures(rep: Report, folder: str, story_folder: str) -> list[str]:
    os.makedirs(folder, exist_ok=True)
    written = []
    for kind, items in (("softlock", rep.soft_locks), ("error", rep.errors), ("noexit", rep.no_exit)):
        for i, f in enumerate(items):
            name = os.path.join(folder, f"{rep.story.id}-{kind}-{i + 1}.yaml")
            rel = os.path.relpath(os.path.abspath(story_folder), os.path.abspath(folder))
            doc = {"story": rel, "seed": f.seed or 0, "steps": list(f.path)}
            if kind == "softlock":
                doc["expect"] = {"scene": f.scene}
            with open(name, "w", encoding="utf-8") as fh:
                fh.write(f"# {kind} found by `open-diplomacy playtest`: {f.message}\n")
                yaml.safe_dump(doc, fh, sort_keys=False, allow_unicode=True)
            written.append(name)
    return written


def run_playtest_cli(args, out: Callable[[str], None] = print) -> int:
    story, folder = load_for_command(args.story, "playtest")
    if story is None:
        return 1
    t0 = time.perf_counter()
    if args.exhaustive:
        rep = exhaustive_playtest(story, max_states=args.max_states)
    else:
        rep = random_playtest(story, runs=args.runs or 100, seed=args.seed, max_steps=args.max_steps,
                              avoid_used=args.avoid_used)
    elapsed = time.perf_counter() - t0
    if args.json:
        out(json.dumps(report_json(rep), ensure_ascii=False, indent=1))
    else:
        for line in report_text(rep, elapsed):
            out(line)
    if args.write_failures and (rep.soft_locks or rep.errors or rep.no_exit):
        for name in write_failures(rep, args.write_failures, folder):
            (write_err if args.json else out)(f"wrote {name}")
    failed = rep.failed
    if args.exhaustive and args.require_all_endings and any(v == 0 for v in rep.endings.values()):
        failed = True
        if not args.json:
            missing = [k for k, v in rep.endings.items() if v == 0]
            out("endings never reached: " + ", ".join(missing))
    return 1 if failed else 0
