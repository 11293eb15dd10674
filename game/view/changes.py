"""What a story edit changed on the screen the player stands on.

The live reload (`play --watch`, game/tui/watch.py) replays the game's
steps on the story as it now is and shows this short report: paragraphs
added, removed or changed, choices added, removed or changed, where a
choice now leads, and a warning when the replay stopped early. Plain
values in, plain lines out (made inert here, like every view string).
"""

from __future__ import annotations

import difflib

from game.engine.safetext import inert

from .screen import Screen

SNIPPET = 60  # characters of a paragraph or choice quoted in a line of the report


def _snippet(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= SNIPPET else one[:SNIPPET - 1].rstrip() + "…"


def paragraphs(markdown: str) -> list[str]:
    """A screen's Markdown as paragraphs (blocks between blank lines), each
    with its whitespace normalised, so re-wrapping a paragraph is no change."""
    out, cur = [], []
    for line in markdown.splitlines():
        if line.strip():
            cur.append(line.strip())
        elif cur:
            out.append(" ".join(cur))
            cur = []
    if cur:
        out.append(" ".join(cur))
    return out


def leads_to(choice) -> str:
    """Where a compiled choice (engine.model.ChoiceDef) leads, in words."""
    if choice is None:
        return "?"
    if choice.returns:
        return "back to the call"
    if choice.call is not None:
        return f"a call of '{choice.call}'"
    targets = choice.goto.targets()
    if len(targets) == 1:
        return f"'{targets[0]}'"
    return " or ".join(f"'{t}'" for t in targets) + " (by condition)"


def _choice_defs(scene) -> dict:
    if scene is None:
        return {}
    defs = {c.id: c for c in scene.choices}
    if scene.continue_choice is not None:
        defs.setdefault("continue", scene.continue_choice)
    return defs


def screen_changes(old: Screen, new: Screen, old_scene=None, new_scene=None) -> list[str]:
    """One line per change between two screens of the same game (before
    and after a story edit). `old_scene`/`new_scene`: the compiled scenes
    shown (engine.model.Scene), for where each choice leads."""
    lines: list[str] = []
    if old_scene is not None and new_scene is not None and old_scene.id != new_scene.id:
        # Another scene: a diff against the one left would be noise.
        return [inert(f"This screen is now scene '{new_scene.id}' “{new.scene_title or ''}” "
                      f"(it was '{old_scene.id}').")]
    if old.scene_title != new.scene_title:
        lines.append(f"Title changed: “{old.scene_title or ''}” → “{new.scene_title or ''}”.")
    lines += _paragraph_changes(paragraphs(old.text), paragraphs(new.text))
    lines += _choice_changes(old, new, _choice_defs(old_scene), _choice_defs(new_scene))
    if old.ended != new.ended:
        lines.append("This screen is an ending now." if new.ended else "This screen is no longer an ending.")
    elif old.ending is not None and new.ending is not None and old.ending.title != new.ending.title:
        lines.append(f"Ending title changed: “{old.ending.title}” → “{new.ending.title}”.")
    return [inert(x) for x in lines]


def _paragraph_changes(a: list[str], b: list[str]) -> list[str]:
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            out.append(f"Paragraph {j1 + k + 1} changed: {changed_words(a[i1 + k], b[j1 + k])}")
        for k in range(j1 + pairs, j2):
            out.append(f"Paragraph {k + 1} added: “{_snippet(b[k])}”")
        for k in range(i1 + pairs, i2):
            out.append(f"Paragraph removed (was {k + 1}): “{_snippet(a[k])}”")
    return out


CONTEXT = 3  # words shown on each side of a change inside a paragraph


def changed_words(a: str, b: str) -> str:
    """Where two versions of a paragraph first differ, a few words either
    side: `“…a Russian city that…” → “…a Russian town that…”`."""
    wa, wb = a.split(), b.split()
    ops = [o for o in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes() if o[0] != "equal"]
    if not ops:
        return f"“{_snippet(b)}”"
    _, i1, i2, j1, j2 = ops[0]
    # the first change and any close behind it, in one window
    for _, x1, x2, y1, y2 in ops[1:]:
        if x1 - i2 > CONTEXT or y1 - j2 > CONTEXT:
            break
        i2, j2 = x2, y2

    def window(words, lo, hi) -> str:
        start, end = max(0, lo - CONTEXT), min(len(words), hi + CONTEXT)
        mid = " ".join(words[start:end])
        text = ("…" if start > 0 else "") + mid + ("…" if end < len(words) else "")
        return _snippet(text) if len(text) > 2 * SNIPPET else text
    more = " (and more)" if len(ops) > 1 and ops[-1][1] > i2 else ""
    if i1 == i2:
        return f"added “{window(wb, j1, j2)}”{more}"
    if j1 == j2:
        return f"removed “{window(wa, i1, i2)}”{more}"
    return f"“{window(wa, i1, i2)}” → “{window(wb, j1, j2)}”{more}"


def _choice_changes(old: Screen, new: Screen, old_defs: dict, new_defs: dict) -> list[str]:
    out = []
    before = {c.id: c for c in old.choices}
    after = {c.id: c for c in new.choices}
    for c in new.choices:
        was = before.get(c.id)
        if was is None:
            out.append(f"Choice {c.number} added: “{_snippet(c.text)}” → {leads_to(new_defs.get(c.id))}")
            continue
        if was.text != c.text:
            out.append(f"Choice {c.number} changed: “{_snippet(was.text)}” → “{_snippet(c.text)}”")
        if was.enabled != c.enabled:
            out.append(f"Choice {c.number} “{_snippet(c.text)}” is "
                       + ("now open." if c.enabled else f"now locked{': ' + c.reason.rstrip('.') if c.reason else ''}."))
        if c.id in old_defs and c.id in new_defs:
            a, b = leads_to(old_defs[c.id]), leads_to(new_defs[c.id])
            if a != b:
                out.append(f"Choice {c.number} “{_snippet(c.text)}” now leads to {b} (it led to {a}).")
    for c in old.choices:
        if c.id not in after:
            out.append(f"Choice removed: “{_snippet(c.text)}” (was {c.number}, id '{c.id}')")
    return out


def replay_warning(steps: list[str], done: int, failure: Exception | None, scene_title: str,
                   old_text: str | None = None, offered: tuple = ()) -> str | None:
    """The warning when a replay stopped before the last step, naming the
    step; None when every step replayed. `old_text`: the text of the step's
    choice before the edit, and `offered`: (id, text) of the choices on
    offer now, to point out a choice that looks renamed (the `was:` that
    would keep saves, format §11.8)."""
    if failure is None or done >= len(steps):
        return None
    step = steps[done]
    if isinstance(failure, ValueError):
        why = "is no longer on offer there"
    else:
        why = f"fails now ({failure})"
    hint = ""
    if old_text:
        best, ratio = None, 0.0
        for cid, text in offered:
            r = difflib.SequenceMatcher(None, old_text.lower(), text.lower()).ratio()
            if cid != step and r > ratio:
                best, ratio = cid, r
        if best is not None and ratio >= RENAMED:
            hint = f" It looks renamed to '{best}': `was: [{step}]` on it keeps games and saves going."
    stands = f"after step {done}" if done else "at the start"
    return inert(f"The replay stopped early: step {done + 1} of {len(steps)}, '{step}', {why}; "
                 f"the game stands {stands}, in '{scene_title}'.{hint}")


RENAMED = 0.6  # text similarity above which a new choice looks like the old one renamed (as migrate-check)
