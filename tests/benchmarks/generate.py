"""A generated story of N scenes for benchmarks (deterministic)."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = ("the legation courier waits by the stove while the cipher clerk counts telegrams and "
         "snow covers the consulate yard where a car idles with its lamps dark").split()


def generate(folder: Path, scenes: int = 2000, per_file: int = 100, seed: int = 1, counts: bool = False,
             ending_pct: float | None = None) -> Path:
    """`counts`: some choices are `once` and some conditions read visited()
    (so exploration keys carry live counts). `ending_pct`: the share of
    choices that lead straight to an ending (default: only forward links
    into the last 20 scenes do; 0 gives an exploration that never ends early)."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ints = [f"v{i}" for i in range(8)]
    (folder / "story.yaml").write_text(
        "format: 1\nid: generated\ntitle: Generated\nstart: s0\nvariables:\n"
        + "".join(f"  {v}: {{type: int, default: 5, min: 0, max: 10, label: \"{v}\", meter: true}}\n" for v in ints)
        + "  flag: {type: bool, default: false}\n"
        + "  who: {type: str, default: none, values: [none, pudin, adamovich]}\n"
        + "triggers:\n  - if: v0 >= 10 and v1 >= 10\n    goto: end0\n",
        encoding="utf-8")
    n_end = 20

    def sentence() -> str:
        return " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 16))).capitalize() + "."

    for f in range(0, scenes, per_file):
        out = ["scenes:"]
        for i in range(f, min(f + per_file, scenes)):
            if i >= scenes - n_end:
                out += [f"  - id: end{scenes - 1 - i}", f"    text: \"{sentence()}\"",
                        f"    ending: {{title: \"Ending {i}\", kind: generated, text: \"{sentence()}\"}}"]
                continue
            out += [f"  - id: s{i}", f"    title: \"Scene {i}\""]
            if i % 50 == 0:
                out.append(f"    chapter: \"Chapter {i // 50}\"")
            out += ["    text:", f"      - \"{sentence()} {{v{i % 8}}} {sentence()}\"",
                    f"      - {{if: v{(i + 1) % 8} >= 5, text: \"{sentence()}\"}}",
                    f"      - \"{sentence()}\""]
            out.append(f"    do: [v{i % 8} += {rnd.choice([-1, 1])}]")
            if i % 7 == 3:
                target = rnd.randint(i + 1, scenes - 1)
                out += ["    goto:", f"      - if: flag or v2 > 7", f"        to: s{min(target, scenes - n_end - 1)}",
                        f"      - to: s{i + 1}"]
                continue
            out.append("    choices:")
            for c in range(rnd.randint(2, 4)):
                fwd = rnd.randint(i + 1, min(i + 40, scenes - 1))
                tgt = f"s{fwd}" if fwd < scenes - n_end else f"end{scenes - 1 - fwd}"
                if ending_pct is not None:
                    tgt = f"s{min(fwd, scenes - n_end - 1)}" if fwd < scenes - n_end or ending_pct == 0 else tgt
                    if ending_pct and rnd.random() < ending_pct / 100:
                        tgt = f"end{rnd.randrange(n_end)}"
                back = rnd.random() < 0.15 and i > 10
                if back:
                    tgt = f"s{rnd.randint(max(0, i - 10), i - 1)}"
                out += [f"      - id: c{c}", f"        text: \"{sentence()[:60]}\""]
                if counts and back:
                    out.append("        once: true")
                if counts and c == 0 and i % 5 == 0 and i > 20:
                    out += [f"        if: visited(s{i - rnd.randint(1, 20)}) > 0 or v3 > 4"]
                if c == 2:
                    out += [f"        if: v{c} >= 3 and who != 'adamovich'", "        locked: \"Not now.\""]
                effects = [f"v{rnd.randrange(8)} {rnd.choice(['+=', '-='])} {rnd.randint(1, 2)}"]
                if c == 1:
                    effects.append("flag = not flag")
                if c == 3:
                    effects.append("who = 'pudin'")
                out.append(f"        do: [{', '.join(effects)}]")
                out.append(f"        goto: {tgt}")
        (folder / f"part{f // per_file:03d}.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder
