"""The pages around a game, as plain values: the endings gallery (with the
achievements), the codex and the bibliography of one story.

Built from the story, what the profile remembers (the save store) and the
game being played, if any; both front ends draw from here, and every string
is made inert here, as in view/screen.py. The plain-line forms are the
plain-mode commands `e`, `c` and `b`.
"""

from __future__ import annotations

from collections import deque

from game.engine.records import record
from game.engine.scenegraph import story_roots, successors
from game.engine.safetext import inert

from .markdown import to_plain, wrap

KIND_ORDER = {"person": 0, "place": 1, "organisation": 2, "term": 3}
KIND_TITLE = {"person": "People", "place": "Places", "organisation": "Organisations", "term": "Terms"}


@record
class Route:
    """How the route of an ending's first arrival went (from the profile)."""
    steps: int
    same: int
    decisions: int
    diverged: tuple[str, ...]


@record
class EndingCard:
    id: str
    found: bool
    title: str  # "???" while unfound
    kind: str
    times: int  # times reached, in any game
    first_date: str | None  # the date first reached
    route: Route | None  # of the first arrival
    text: str  # Markdown: the ending's scene and epilogue ("" while unfound)
    chapter: str | None  # where it can happen (None: only a trigger leads there)
    hint: str | None  # the author's spoiler-free nudge, shown while unfound


@record
class AchievementLine:
    title: str  # "???" for a hidden one not earned
    text: str
    earned: str | None  # the date first earned, "this game", or None
    hidden: bool


@record
class Gallery:
    story_title: str
    endings: tuple[EndingCard, ...]
    achievements: tuple[AchievementLine, ...]

    @property
    def found(self) -> int:
        return sum(1 for e in self.endings if e.found)

    @property
    def earned(self) -> int:
        return sum(1 for a in self.achievements if a.earned is not None)


def chapters_in_effect(story) -> dict[str, list]:
    """Scene id -> the chapters a player can be in on entering it, in the
    order met: a scene's own `chapter`, else the chapter of the scenes that
    lead to it (a chapter lasts until the next one begins). None in a list:
    the scene can be entered with no chapter begun, or by a trigger, at any
    moment."""
    scenes = story.scenes
    succ = successors(scenes)
    found: dict[str, list] = {sid: [] for sid in scenes}
    queue = deque()
    for root in story_roots(story.start, story.triggers):
        if root in scenes:
            own = scenes[root].chapter if root == story.start else None
            if own not in found[root]:
                found[root].append(own)
                queue.append(root)
    while queue:
        sid = queue.popleft()
        for t in succ[sid]:
            own = scenes[t].chapter
            new = [c for c in ([own] if own else found[sid]) if c not in found[t]]
            if new:
                found[t].extend(new)
                queue.append(t)
    return found


def ending_chapter(story, sid: str, chapters: dict | None = None) -> str | None:
    """Where an ending can happen: the chapters it can be reached in, joined
    by "; "; None when only a trigger leads there (at any moment)."""
    chapters = chapters if chapters is not None else chapters_in_effect(story)
    named = [c for c in chapters.get(sid, ()) if c]
    return "; ".join(named) or None


def _i(s):
    return None if s is None else inert(s)


def gallery(story, store, play=None) -> Gallery:
    """Every ending of `story` and its achievements as the profile in `store`
    (a SaveStore, or None) remembers them; `play`: the game being played,
    whose achievements count as earned 'this game'."""
    found = store.endings_seen(story.id) if store is not None else {}
    firsts = store.ending_firsts(story.id) if store is not None else {}
    p = play if play is not None and play.story is story else None
    chapters = chapters_in_effect(story)
    cards = []
    for sc in story.endings:
        e = sc.ending
        if sc.id not in found:
            cards.append(EndingCard(sc.id, False, "???", inert(e.kind), 0, None, None, "",
                                    _i(ending_chapter(story, sc.id, chapters)), _i(e.hint)))
            continue
        first = firsts.get(sc.id)
        route = None if first is None else Route(first["steps"], first["same"], first["decisions"],
                                                 tuple(inert(x) for x in first["diverged"]))
        reader = p if p is not None else story.new_game()
        body = "\n\n".join(x for x in (sc.text.render(reader), e.text.render(reader) if e.text is not None else "")
                           if x)
        cards.append(EndingCard(sc.id, True, inert(e.title), inert(e.kind), found[sc.id],
                                _i(first["date"]) if first else None, route, inert(body),
                                _i(ending_chapter(story, sc.id, chapters)), None))
    earned = dict(store.achievements_seen(story.id)) if store is not None else {}
    if p is not None:
        for a in p.achievements:
            earned.setdefault(a, "this game")
    achs = []
    for a in story.data.achievements.values():
        when = earned.get(a.id)
        if when is None and a.hidden:
            achs.append(AchievementLine("???", "", None, True))
        else:
            achs.append(AchievementLine(inert(a.title), inert(a.text), _i(when), a.hidden))
    return Gallery(inert(story.title), tuple(cards), tuple(achs))


@record
class CodexItem:
    id: str
    name: str
    kind: str
    text: str  # Markdown
    source: str


@record
class CodexGroup:
    title: str  # "People", "Places", ...
    items: tuple[CodexItem, ...]


@record
class Codex:
    story_title: str
    found: int
    total: int
    groups: tuple[CodexGroup, ...]

    @property
    def items(self) -> tuple[CodexItem, ...]:
        return tuple(i for g in self.groups for i in g.items)


def codex(story, store, play=None) -> Codex:
    """The codex entries found in any game (the profile in `store`) and in
    `play`, by kind (people, places, organisations, terms), then by name."""
    seen = set(store.codex_seen(story.id)) if store is not None else set()
    p = play if play is not None and play.story is story else None
    if p is not None:
        seen.update(p.unlocked)
    entries = [e for e in story.codex.values() if e.id in seen]
    reader = None
    groups = []
    for kind in sorted({e.kind for e in entries}, key=lambda k: KIND_ORDER.get(k, 9)):
        items = []
        for e in sorted((e for e in entries if e.kind == kind), key=lambda e: e.name):
            if p is not None:
                body = e.text.render(p)
            elif e.text.static is not None:
                body = e.text.static
            else:
                reader = reader or story.new_game()
                body = e.text.render(reader)
            items.append(CodexItem(e.id, inert(e.name), inert(kind), inert(body), inert(e.source)))
        groups.append(CodexGroup(inert(KIND_TITLE.get(kind, kind)), tuple(items)))
    return Codex(inert(story.title), len(entries), len(story.codex), tuple(groups))


@record
class SourceLine:
    title: str
    author: str
    detail: str | None


def sources(story) -> tuple[SourceLine, ...]:
    """The story's bibliography (§11.11), in the order it declares it."""
    return tuple(SourceLine(inert(s.title), inert(s.author), _i(s.detail)) for s in story.data.sources.values())


# ------------------------------------------------------------------ as plain lines


def route_lines(r: Route, width: int) -> list[str]:
    if not r.decisions:
        return wrap("You met none of the decisions the real people faced.", width)
    lines = wrap(f"You chose as the real people did in {r.same} of {r.decisions} decisions.", width)
    if r.diverged:
        lines += wrap("You went another way at: " + "; ".join(r.diverged) + ".", width)
    return lines


def plain_gallery(g: Gallery, width: int = 78) -> list[str]:
    """The gallery's list: each ending numbered, found or not."""
    lines = wrap(f"Endings of {g.story_title}: {g.found} of {len(g.endings)} found.", width) + [""]
    for n, e in enumerate(g.endings, 1):
        lead = f"  {n}. "
        if e.found:
            when = f", first on {e.first_date}" if e.first_date else ""
            text = f"{e.title} ({e.kind}) — reached {e.times} time{'s' if e.times != 1 else ''}{when}."
        else:
            where = f"it can happen in {e.chapter}" if e.chapter else "it can happen at any moment a line is crossed"
            text = f"??? (not found yet, {e.kind}) — {where}." + (f" Hint: {e.hint}" if e.hint else "")
        lines += wrap(text, width, lead, " " * len(lead))
    if any(e.found for e in g.endings):
        lines += [""] + wrap("Type e and a number to read a found ending (e 1).", width)
    if g.achievements:
        lines += [""] + plain_achievements(g, width)
    return lines


def plain_achievements(g: Gallery, width: int = 78) -> list[str]:
    if not g.achievements:
        return wrap("This story has no achievements.", width)
    lines = wrap(f"Achievements: {g.earned} of {len(g.achievements)}.", width)
    for a in g.achievements:
        if a.earned is not None:
            text = f"[x] {a.title} — {a.text} ({'earned in this game' if a.earned == 'this game' else a.earned})"
        elif a.hidden:
            text = "[ ] ??? (hidden)"
        else:
            text = f"[ ] {a.title} — {a.text}"
        lines += wrap(text, width, "  ", "      ")
    return lines


def plain_ending_card(e: EndingCard, width: int = 78) -> list[str]:
    """One ending of the gallery, re-read: its text, when it was first
    reached, how that route went."""
    if not e.found:
        lines = wrap(f"??? — an ending not found yet ({e.kind}).", width)
        lines += wrap(f"It can happen in {e.chapter}." if e.chapter
                       else "It can happen at any moment a line is crossed.", width)
        if e.hint:
            lines += wrap(f"Hint: {e.hint}", width)
        return lines
    lines = wrap(f"THE END: {e.title}", width) + wrap(f"({e.kind}; reached {e.times} time"
                                                       f"{'s' if e.times != 1 else ''})", width)
    if e.first_date:
        steps = f", after {e.route.steps} choices" if e.route is not None and e.route.steps else ""
        lines += wrap(f"First reached on {e.first_date}{steps}.", width)
    lines.append("")
    if e.text:
        lines += to_plain(e.text, width) + [""]
    if e.route is not None:
        lines += ["That route:"] + route_lines(e.route, width)
    return lines


def plain_codex(c: Codex, width: int = 78) -> list[str]:
    """The codex's list: the entries found, numbered, by kind."""
    lines = wrap(f"Codex of {c.story_title}: {c.found} of {c.total} entries found.", width)
    if not c.found:
        return lines + wrap("Nothing found yet: entries appear as you meet them in play.", width)
    n = 0
    for g in c.groups:
        lines += [""] + wrap(f"{g.title}:", width)
        for item in g.items:
            n += 1
            lead = f"  {n}. "
            lines += wrap(item.name, width, lead, " " * len(lead))
    return lines + [""] + wrap("Type c and a number to read an entry (c 1).", width)


def plain_codex_entry(item: CodexItem, width: int = 78) -> list[str]:
    return wrap(f"-- {item.name} ({item.kind}) --", width) + to_plain(item.text, width) + wrap(f"Source: {item.source}", width)


def plain_sources(lines_of: tuple[SourceLine, ...], width: int = 78) -> list[str]:
    if not lines_of:
        return wrap("This story declares no sources.", width)
    out = wrap("Sources: the works behind the notes.", width)
    for s in lines_of:
        out += wrap(f"- {s.title} — {s.author}" + (f". {s.detail}" if s.detail else ""), width, "", "  ")
    return out
