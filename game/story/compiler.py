"""From a story folder to a compiled story, or every problem in it.

Files are found (never following links out of the folder), read under the
limits, validated against the schema, then compiled: ids resolved,
expressions type-checked and turned into closures, warnings computed.
"""

from __future__ import annotations

import hashlib
import os
import stat


from game.engine.files import NotRegularFile, read_regular_file
from game.engine.records import record
from game.engine.scenegraph import reachable, story_roots, successors
from game.engine.model import (INT_LIMIT, SetValue, Achievement, Check, Source, ChoiceDef, ChoiceView, CodexEntry, Ending, Goto, Note, Scene, StoryData,
                               Text, Trigger, VarDef, frozen)

from . import schema as S
from .expressions import MAX_NESTED_EFFECTS, ExprError, Scope, compile_condition, compile_effect
from .problems import Pos, Reporter, did_you_mean
from .text import TextError, TextParser, locate
from .problems import MAX_FILE_BYTES, YamlProblem

MANIFEST_NAME = "story.yaml"
# Folders inside a story that hold other things than content.
SKIPPED_DIRS = {"playthroughs"}
MAX_FILES = 2_000
MAX_ENTRIES = 20_000  # YAML files looked at before giving up on a folder
MAX_STORY_BYTES = 20 * 1000 * 1000  # the whole folder


@record(frozen=False)
class SourceFile:
    path: str  # as the user would name it
    rel: str  # relative to the story folder, '/'-separated
    data: bytes


def discover(root: str, rep: Reporter) -> tuple[SourceFile | None, list[SourceFile]]:
    """The manifest and the content files, in sorted path order."""
    manifest = None
    found: list[tuple[str, str]] = []
    real_root = os.path.realpath(root)
    seen_dirs = {real_root}

    def walk(dir_path: str, rel: str, depth: int) -> None:
        try:
            entries = sorted(os.scandir(dir_path), key=lambda e: e.name)
        except OSError as exc:
            rep.error(Pos(dir_path, 1, 1), f"cannot read folder: {exc.strerror or exc}")
            return
        for e in entries:
            if e.name.startswith("."):
                continue
            path = os.path.join(dir_path, e.name)
            rel_name = f"{rel}{e.name}"
            try:
                is_link = e.is_symlink()
                if is_link:
                    target = os.path.realpath(path)
                    if not (target == real_root or target.startswith(real_root + os.sep)):
                        if e.name.endswith((".yaml", ".yml")) or os.path.isdir(path):
                            rep.error(Pos(path, 1, 1), "symbolic link points outside the story folder; not followed")
                        continue
                is_dir = e.is_dir()
            except OSError as exc:
                rep.error(Pos(path, 1, 1), f"cannot read: {exc.strerror or exc}")
                continue
            if is_dir:
                if not rel and e.name in SKIPPED_DIRS:
                    continue
                real = os.path.realpath(path)
                if real in seen_dirs:
                    rep.error(Pos(path, 1, 1), "symbolic link loop (this folder was already read); not followed")
                    continue
                if depth >= 16:
                    rep.error(Pos(path, 1, 1), "folders nested too deep (16 levels); not read")
                    continue
                seen_dirs.add(real)
                walk(path, rel_name + "/", depth + 1)
            elif e.name.endswith((".yaml", ".yml")):
                found.append((path, rel_name))
                if len(found) > MAX_ENTRIES:
                    raise _TooMany()

    if not os.path.isdir(root):
        what = "does not exist" if not os.path.exists(root) else "is not a folder"
        rep.error(Pos(root, 1, 1), f"story folder {what}")
        return None, []
    try:
        walk(root, "", 0)
    except _TooMany:
        pass
    # story.yaml first, so that a cut never loses the manifest.
    found.sort(key=lambda f: (f[1] != MANIFEST_NAME, f[1]))
    if len(found) > MAX_FILES:
        more = f"more than {MAX_ENTRIES:,}" if len(found) > MAX_ENTRIES else f"{len(found):,}"
        rep.error(Pos(root, 1, 1), f"{more} YAML files; the limit is {MAX_FILES:,} (only the first are read)")
        found = found[:MAX_FILES]
    found.sort(key=lambda f: f[1])
    content = []
    budget = MAX_STORY_BYTES
    for path, rel in found:
        data = read_story_file(path, MAX_FILE_BYTES, rep)
        if data is None:
            continue
        budget -= len(data)
        if budget <= 0:
            rep.error(Pos(path, 1, 1), f"the story folder holds more than {MAX_STORY_BYTES // 1_000_000} MB of "
                                       "YAML; this file and the ones after it are not read")
            break
        sf = SourceFile(path, rel, data)
        if rel == MANIFEST_NAME:
            manifest = sf
        else:
            content.append(sf)
    if manifest is None:
        rep.error(Pos(os.path.join(root, MANIFEST_NAME), 1, 1), "the story folder has no story.yaml (the manifest)")
    return manifest, content


class _TooMany(Exception):
    pass


def read_story_file(path: str, limit: int, rep: Reporter) -> bytes | None:
    """The bytes of a regular file of at most `limit` bytes, or None after a
    positioned error. A FIFO, a device or a socket is refused without a
    blocking open; the size is checked before anything is read (a sparse
    file can claim gigabytes)."""
    where = Pos(path, 1, 1)
    try:
        size = os.stat(path).st_size
        if stat.S_ISREG(os.stat(path).st_mode) and size > limit:
            rep.error(where, f"file is {size:,} bytes; the limit is {limit:,} ({limit / 1048576:g} MB)")
            return None
        data = read_regular_file(path, limit)
    except NotRegularFile:
        rep.error(where, f"not a regular file ({_file_kind(os.stat(path).st_mode)}); only plain files are read")
        return None
    except OSError as exc:
        rep.error(where, f"cannot read file: {exc.strerror or exc}")
        return None
    if len(data) > limit:
        rep.error(where, f"file is over {limit:,} bytes; the limit is {limit:,} ({limit / 1048576:g} MB)")
        return None
    return data


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a plain file"


def parse_file(sf: SourceFile, kind: S.Record, rep: Reporter):
    """Validated record of one file (or None when it could not be read)."""
    from .yamlread import Walker, compose, read_text  # PyYAML loads only when a file is read
    text = read_text(sf.path, sf.data, rep)
    if text is None:
        return None
    try:
        node = compose(sf.path, text)
        if node is None:
            if kind is S.CONTENT:
                from yaml import Mark, ScalarNode
                return S.Rec(sf.path, ScalarNode("tag:yaml.org,2002:null", "", Mark("", 0, 0, 0, None, None)))
            rep.error(Pos(sf.path, 1, 1), "story.yaml is empty")
            return None
        w = Walker(sf.path, rep, text)
        rec = kind.check(node, w, 0)
    except YamlProblem as exc:
        rep.error(exc.pos, exc.message)
        return None
    return rec if rec is not S.INVALID else None


def fingerprint(manifest: SourceFile | None, content: list[SourceFile]) -> str:
    h = hashlib.sha256()
    for sf in ([manifest] if manifest else []) + content:
        h.update(sf.rel.encode("utf-8") + b"\0")
        h.update(hashlib.sha256(sf.data).digest())
    return h.hexdigest()[:32]


def _never(p) -> bool:
    return False


def _ended(p) -> bool:
    return p.scene.ending is not None


class Compiler:
    def __init__(self, root: str, rep: Reporter, cache=None):
        self.root = root
        self.rep = rep
        self.cache = cache  # a ParseCache, or None to read every file
        self.file_data: dict[str, bytes] = {}  # for positions inside texts, decoded when needed
        self._decoded: dict[str, str] = {}

    def parse(self, sf: SourceFile, kind: S.Record):
        self.file_data[sf.path] = sf.data
        if self.cache is None:
            return parse_file(sf, kind, self.rep)
        return self.cache.parse(sf, kind, self.rep, parse_file)

    # -------------------------------------------------------------- entry
    def run(self) -> StoryData | None:
        rep = self.rep
        manifest_file, files = discover(self.root, rep)
        manifest = self.parse(manifest_file, S.MANIFEST) if manifest_file else None
        contents = [(sf, self.parse(sf, S.CONTENT)) for sf in files]
        # A file that could not be read at all would make every id it defines
        # look unknown elsewhere: skip those cross-file checks then.
        self.incomplete = any(rec is None for _, rec in contents)
        self.fingerprint = fingerprint(manifest_file, files)
        self.files = tuple(sf.path for sf in ([manifest_file] if manifest_file else []) + files)
        if manifest is None:
            # Still check content files on their own for structure errors.
            return None
        return self.compile(manifest, [rec for _, rec in contents if rec is not None])

    # -------------------------------------------------------------- manifest
    def compile(self, m: S.Rec, contents: list[S.Rec]) -> StoryData | None:
        rep = self.rep
        fmt = m.get("format")
        if fmt is not None and fmt != 1:
            rep.error(m.at("format"), f"format {fmt} is not supported; only format 1 exists")
        self.variables = self.compile_variables(m.get("variables"))

        scene_recs: dict[str, S.Rec] = {}
        notes: dict[str, tuple[S.Rec, Pos]] = {}
        codex: dict[str, tuple[S.Rec, Pos]] = {}
        for rec in contents:
            for sc in rec.get("scenes", ()):
                sid = sc.get("id")
                if sid is None:
                    continue
                if sid in scene_recs:
                    first = scene_recs[sid].at("id")
                    rep.error(sc.at("id"), f"duplicate scene id '{sid}' (first defined at {first})")
                    continue
                scene_recs[sid] = sc
            for table, store, what in ((rec.get("notes"), notes, "note"), (rec.get("codex"), codex, "codex entry")):
                if not table:
                    continue
                for key, value in table.items():
                    if key in store:
                        rep.error(table.kpos[key], f"duplicate {what} id '{key}' (first defined at {store[key][1]})")
                        continue
                    store[key] = (value, table.kpos[key])
        self.scene_recs = scene_recs
        self.note_recs = notes
        self.codex_recs = codex

        choice_ids: dict[str, set[str]] = {}
        for sid, sc in scene_recs.items():
            ids: dict[str, Pos] = {}
            for i, ch in enumerate(sc.get("choices", ())):
                if "id" in ch:
                    cid = ch["id"]
                    if cid in ids:
                        rep.error(ch.at("id"), f"duplicate choice id '{cid}' in scene '{sid}' "
                                               f"(first at line {ids[cid].line})")
                    ids[cid] = ch.at("id")
            choice_ids[sid] = set(ids)
        self.scope = Scope(self.variables, set(scene_recs), choice_ids, incomplete=self.incomplete)

        start = m.get("start")
        if start is not None and start not in scene_recs and not self.incomplete:
            rep.error(m.at("start"), f"start scene '{start}' does not exist" + did_you_mean(start, scene_recs))

        self.used_notes: set[str] = set()
        self.used_codex: set[str] = set()
        self.thens: dict[str, Goto] = {}
        self.then_reads: dict[str, frozenset] = {}
        self.returning: list[ChoiceDef] = []
        self.text_reads: dict[str, frozenset] = {}
        self.choice_conds: dict[str, str] = {}
        scenes = {sid: self.compile_scene(sc) for sid, sc in scene_recs.items()}
        self.fix_returns()
        self.check_pass_cycles(scenes)
        scene_aliases = self.scene_aliases()
        triggers = self.compile_triggers(m.get("triggers", ()))
        checks = self.compile_checks(m.get("checks", ()))
        sources = self.compile_sources(m.get("sources"))
        notes_c = {nid: Note(nid, r.get("title"), self.text(r.get("text", ""), r.at("text")), r.get("source", ""),
                             self.note_cites(r, sources))
                   for nid, (r, _) in notes.items()}
        achievements = self.compile_achievements(m.get("achievements"))
        codex_c = {cid: CodexEntry(cid, r.get("name", cid), r.get("kind", "term"),
                                   self.text(r.get("text", ""), r.at("text")), r.get("source", ""))
                   for cid, (r, _) in codex.items()}
        self.warn(m, scenes, start, triggers)
        self.warn_sources(m.get("sources"))
        if rep.has_errors:
            return None
        cap = max(self.scope.count_constants, default=0) + 2
        return StoryData(
            id=m["id"], title=m["title"], subtitle=m.get("subtitle"), blurb=m.get("blurb"),
            start=start, variables=frozen(self.variables), triggers=tuple(triggers),
            scenes=frozen(scenes), notes=frozen(notes_c), codex=frozen(codex_c),
            fingerprint=self.fingerprint, root=self.root, count_cap=max(cap, 1), files=self.files,
            counted_scenes=tuple(sorted(self.scope.counted_scenes)),
            counted_choices=tuple(sorted(self.scope.counted_choices)),
            relevant_vars=self.relevant_vars(), steering_vars=self.steering_vars(), thens=frozen(dict(self.thens)),
            scene_aliases=frozen(scene_aliases),
            checks=tuple(checks), text_reads=frozen(self.text_reads), choice_conds=frozen(self.choice_conds),
            effect_deps=frozen({n: frozenset(d) for n, d in self.scope.effect_deps.items()}),
            sources=frozen(sources), note_heading=m.get("note_heading") or "What really happened",
            achievements=frozen(achievements),
        )

    def relevant_vars(self) -> frozenset:
        """Variables whose values can change what happens next: read by a
        condition, goto or trigger, or feeding an effect on such a variable.
        A variable only ever shown or adjusted (`strain += 1`) is not one."""
        deps = self.scope.effect_deps
        out = {n for n in self.scope.decision_reads if n in self.variables}
        todo = list(out)
        while todo:
            for n in deps.get(todo.pop(), ()):
                if n in self.variables and n not in out:
                    out.add(n)
                    todo.append(n)
        return frozenset(out)

    def steering_vars(self) -> frozenset:
        """The relevant variables, and those that decide what the player reads
        or earns: read by a text's condition or an achievement, or feeding an
        effect on such a variable. Any other variable changes nothing seen."""
        deps = self.scope.effect_deps
        out = set(self.relevant_vars()) | {n for n in self.scope.text_cond_reads if n in self.variables}
        todo = list(out)
        while todo:
            for n in deps.get(todo.pop(), ()):
                if n in self.variables and n not in out:
                    out.add(n)
                    todo.append(n)
        return frozenset(out)

    def compile_variables(self, table) -> dict[str, VarDef]:
        out: dict[str, VarDef] = {}
        if not table:
            return out
        rep = self.rep
        for name, v in table.items():
            t = v.get("type")
            if t is None:
                continue
            has_min, has_max = "min" in v, "max" in v
            lo = v.get("min", -INT_LIMIT)
            hi = v.get("max", INT_LIMIT)
            values = tuple(v.get("values", ()))
            if t != "int":
                for key in ("min", "max"):
                    if key in v.kpos:
                        rep.error(v.kpos[key], f"'{key}' applies only to int variables; '{name}' is {t}")
            if t not in ("str", "set") and "values" in v.kpos:
                rep.error(v.kpos["values"], f"'values' applies only to str and set variables; '{name}' is {t}")
            if t in ("str", "set") and "values" not in v.kpos:
                rep.error(v.pos, f"missing required key 'values' in variable '{name}' (a {t} variable lists its values)")
            if len(set(values)) != len(values):
                rep.error(v.at("values"), f"'values' of '{name}' lists a value twice")
            if t == "int" and lo > hi:
                rep.error(v.at("min"), f"min {lo} is greater than max {hi}")
            if v.get("meter") and not (t == "int" and has_min and has_max):
                rep.error(v.kpos["meter"], f"'meter' needs an int variable with both min and max; '{name}' "
                          + ("is " + t if t != "int" else "lacks " + " and ".join(k for k in ("min", "max") if k not in v)))
            default = v.get("default")
            dpos = v.at("default")
            if "default" in v.kpos and "default" not in v.bad:
                if t != "set" and isinstance(default, list):
                    rep.error(dpos, f"default of '{name}' must be a single value, not a list")
                elif t == "int" and (isinstance(default, bool) or not isinstance(default, int)):
                    rep.error(dpos, f"default of '{name}' must be a whole number, not {default!r}")
                elif t == "bool" and not isinstance(default, bool):
                    rep.error(dpos, f"default of '{name}' must be true or false, not {default!r}")
                elif t == "str":
                    if default is None or isinstance(default, (bool, float)):
                        rep.error(dpos, f"default of '{name}' must be text, not {default!r}")
                    else:
                        default = str(default)
                        if values and default not in values:
                            rep.error(dpos, f"default '{default}' of '{name}' is not among its values ({', '.join(values)})"
                                      + did_you_mean(default, values))
                elif t == "int" and not lo <= default <= hi:
                    rep.error(dpos, f"default {default} of '{name}' is outside its range [{lo}, {hi}]")
                elif t == "set":
                    if not isinstance(default, list):
                        rep.error(dpos, f"default of the set '{name}' must be a list of its values ([] for none), "
                                        f"not {default!r}")
                        default = []
                    members = []
                    for i, item in enumerate(default):
                        item = str(item) if not isinstance(item, bool) and item is not None else item
                        if item not in values:
                            rep.error(default.ipos[i], f"'{item}' is not among the values of '{name}' "
                                      f"({', '.join(values)})" + did_you_mean(str(item), values))
                        else:
                            members.append(item)
                    default = SetValue(x for x in values if x in set(members))
            out[name] = VarDef(name=name, type=t, default=default, lo=lo, hi=hi, has_min=has_min, has_max=has_max,
                               values=values, label=v.get("label"), meter=bool(v.get("meter")),
                               hidden=bool(v.get("hidden")))
        self.var_pos = {name: table.kpos[name] for name in out}
        return out

    # -------------------------------------------------------------- pieces
    def where(self, pos: Pos) -> str:
        return f"{pos.path}:{pos.line}"

    def cond(self, src: str, pos: Pos):
        try:
            return compile_condition(src, self.scope)
        except ExprError as exc:
            self.rep.error(pos, exc.message)
            return None

    def effects(self, rec: S.Rec, key: str = "do") -> tuple:
        items = rec.get(key, ())
        return tuple(self._effect_list(items, 0, []))

    def _effect_list(self, items, depth: int, targets: list) -> list:
        out = []
        for i, src in enumerate(items):
            pos = items.ipos[i]
            if isinstance(src, S.Rec):
                fn = self._cond_effect(src, pos, depth + 1, targets)
                if fn is not None:
                    out.append(fn)
                continue
            try:
                eff = compile_effect(src, self.scope, self.where(pos))
            except ExprError as exc:
                self.rep.error(pos, exc.message)
                continue
            targets.append(eff.target)
            out.append(eff.apply)
        return out

    def _cond_effect(self, rec: S.Rec, pos: Pos, depth: int, targets: list):
        """`{if: COND, do: [...], else: [...]}` (§11.5)."""
        if depth > MAX_NESTED_EFFECTS:
            self.rep.error(pos, f"conditional effects nested more than {MAX_NESTED_EFFECTS} deep")
            return None
        scope = self.scope
        outer_local, outer_decisions = scope.local, scope.decision_reads
        scope.local, scope.decision_reads = set(), set()
        try:
            c = self.cond(rec["if"], rec.at("if")) if "if" in rec else None
        finally:
            cond_reads = scope.local
            scope.local, scope.decision_reads = outer_local | cond_reads, outer_decisions
        inner: list = []
        then_fns = tuple(self._effect_list(rec.get("do", ()), depth, inner))
        else_fns = tuple(self._effect_list(rec.get("else", ()), depth, inner))
        for t in inner:
            scope.effect_deps.setdefault(t, set()).update(cond_reads)
        targets.extend(inner)
        if c is None:
            return None
        if c.is_const:
            chosen = then_fns if c.const else else_fns

            def const_effect(p):
                for e in chosen:
                    e(p)
            const_effect.parts = chosen  # the explorer looks through it (see expressions._effect_fn)
            return const_effect
        cf = c.fn

        def cond_effect(p):
            for e in (then_fns if cf(p) else else_fns):
                e(p)
        return cond_effect

    def text(self, value, pos: Pos, node=None, counter=None, owner: str = "") -> Text:
        """`node`: the value's YAML node (for exact positions inside it);
        `counter`: what N counts for its forms (see model.Text); `owner`
        salts `{shuffle}` (with the form's position in the text)."""
        outer = self.scope.in_text
        self.scope.in_text = True
        try:
            return self._text(value, pos, node, counter, owner)
        finally:
            self.scope.in_text = outer

    def _text(self, value, pos: Pos, node, counter, owner) -> Text:
        if isinstance(value, str):
            paragraphs = [(None, value, pos, node)]
        else:
            paragraphs = []
            for i, item in enumerate(value):
                ipos = value.ipos[i]
                if isinstance(item, str):
                    paragraphs.append((None, item, ipos, list.__getitem__(value.ipos, i)))
                else:
                    c = self.cond(item["if"], item.at("if")) if "if" in item else None
                    paragraphs.append((c, item.get("text", ""), item.at("text"), dict.get(item.vpos, "text")))
        compiled = []
        static = True
        forms = 0
        for c, body, ppos, pnode in paragraphs:
            src = body.strip("\n") if not isinstance(value, str) else body.rstrip("\n")
            if "{" not in src and "}" not in src:  # most paragraphs: nothing to parse
                compiled.append((c.fn if c is not None and not c.is_const else None, (src,)))
                if c is not None and not c.is_const:
                    static = False
                elif c is not None and not c.const:
                    compiled.pop()
                continue
            parser = TextParser(src, self.variables, self.scope, owner, forms)
            try:
                parts = parser.parse()
            except TextError as exc:
                self.rep.error(self.text_pos(ppos, pnode, body, src, exc), exc.message)
                parts = (body,)
            forms = parser.forms
            for name in parser.reads:
                self.scope.reads.add(name)
                self.scope.local.add(name)
            for part in parts:
                if part.__class__ is not str:
                    static = False
            if c is not None:
                if c.is_const:
                    if not c.const:
                        continue
                    c = None
                else:
                    static = False
            compiled.append((c.fn if c is not None else None, parts))
        rendered = "\n\n".join("".join(parts) for _, parts in compiled) if static else None
        return Text(tuple(compiled), rendered, counter, "" if rendered is not None else self.where(pos))

    def text_pos(self, pos: Pos, node, body: str, src: str, exc: TextError) -> Pos:
        """Where a text's problem stands: inside the text for a 1.1 form (as
        far as the YAML source can be followed), else at the text's start."""
        if not getattr(exc, "exact", False):
            return pos
        offset = exc.offset + (len(body) - len(body.lstrip("\n")) if body.startswith("\n") and src != body else 0)
        data = self.file_data.get(pos.path)
        source = None
        if data is not None:
            source = self._decoded.get(pos.path)
            if source is None:
                source = self._decoded[pos.path] = data.decode("utf-8", "replace")
        at = locate(source, node, body, offset)
        return Pos(pos.path, at[0], at[1]) if at else pos

    def goto(self, value, pos: Pos, owner: str) -> Goto | None:
        rep = self.rep
        if isinstance(value, str):
            self.check_scene_ref(value, pos)
            return Goto(value)
        branches = []
        last = len(value) - 1
        for i, br in enumerate(value):
            target = br.get("to")
            if target is not None:
                self.check_scene_ref(target, br.at("to"))
            has_if = "if" in br.kpos
            if i == last and has_if:
                rep.error(br.kpos["if"], f"the last branch of a goto list must have no 'if' (it is the default) in {owner}")
            if i < last and not has_if:
                rep.error(br.pos, f"only the last branch of a goto list may omit 'if'; the branches after this one "
                                  f"could never be taken ({owner})")
            c = self.cond(br["if"], br.at("if")) if "if" in br else None
            branches.append((c.fn if c is not None and not c.is_const else
                             (None if c is None or c.const else (lambda p: False)), target))
        return Goto(None, tuple(branches))

    def check_scene_ref(self, sid: str, pos: Pos) -> None:
        if sid not in self.scene_recs and not self.incomplete:
            self.rep.error(pos, f"unknown scene '{sid}'" + did_you_mean(sid, self.scene_recs))

    def exit_kinds(self, rec: S.Rec, keys: tuple) -> list[str]:
        return [k for k in keys if k in rec.kpos]

    def check_call(self, rec: S.Rec, owner: str, key: str) -> tuple:
        """(call target, then Goto, returns) of a choice or choice-less scene."""
        rep = self.rep
        call = rec.get("call")
        then = None
        if call is not None:
            self.check_scene_ref(call, rec.at("call"))
            if "then" not in rec.kpos:
                rep.error(rec.kpos["call"], f"'call' needs 'then' (where to go when the call returns) in {owner}")
        if "then" in rec.kpos and "call" not in rec.kpos:
            rep.error(rec.kpos["then"], f"'then' applies only with 'call' in {owner}")
        if "then" in rec:
            self.scope.take_local()
            then = self.goto(rec["then"], rec.at("then"), owner)
            self.then_reads[key] = self.scope.take_local()
            if then is not None and call is not None:
                self.thens[key] = then
        returns = False
        if "return" in rec:
            if rec["return"] is not True:
                rep.error(rec.at("return"), f"'return' can only be true (leave it out otherwise) in {owner}")
            else:
                returns = True
        return call, then, returns

    def compile_scene(self, sc: S.Rec) -> Scene:
        rep = self.rep
        sid = sc["id"]
        where = self.where(sc.pos)
        kinds = self.exit_kinds(sc, ("choices", "goto", "call", "return", "ending"))
        if len(kinds) == 0:
            rep.error(sc.pos, f"scene '{sid}' needs exactly one of choices, goto or ending (or call or return), "
                              "and has none")
        elif len(kinds) > 1:
            rep.error(sc.kpos[kinds[1]], f"scene '{sid}' has both {kinds[0]} and {kinds[1]}; "
                                         "a scene has exactly one of choices, goto, call, return or ending")
        pause = sc.get("pause", True) is not False
        if not pause and not any(k in sc.kpos for k in ("goto", "call", "return")):
            pause = True  # reported below, or with the scene's missing exit
        if sc.get("pause", True) is False and ("choices" in sc.kpos or "ending" in sc.kpos):
            rep.error(sc.kpos["pause"], f"'pause: false' applies only to a scene without choices (one with goto, "
                                        f"call or return); scene '{sid}' has {'choices' if 'choices' in sc.kpos else 'an ending'}")
        ending_rec = sc.get("ending")
        if "text" not in sc.kpos and not (ending_rec is not None and "text" in ending_rec) and pause:
            if "text" not in sc.bad:
                rep.error(sc.pos, f"missing required key 'text' in scene '{sid}' (only an ending with its own text, "
                                  "or a scene with `pause: false`, may omit it)")
        counter = ("v", sid)
        self.scope.draws = False
        text = self.text(sc["text"], sc.at("text"), dict.get(sc.vpos, "text"), counter, sid) \
            if "text" in sc else Text((), "")
        offer_draws = self.scope.draws
        text_reads = set(self.scope.take_local())
        effects = self.effects(sc)
        enter_reads = self.scope.take_local()
        unlock = tuple(sc.get("unlock", ()))
        for i, cid in enumerate(unlock):
            self.used_codex.add(cid)
            if cid not in self.codex_recs and not self.incomplete:
                rep.error(sc["unlock"].ipos[i], f"unknown codex id '{cid}'" + did_you_mean(cid, self.codex_recs))
        choices = []
        if "choices" in sc and not sc["choices"] and "choices" not in sc.bad:
            rep.error(sc.at("choices"), f"scene '{sid}' has an empty choices list: nothing would be on offer")
        for i, ch in enumerate(sc.get("choices", ())):
            self.scope.draws = False
            choices.append(self.compile_choice(sid, i, ch))
            offer_draws = offer_draws or self.offer_drew
            text_reads |= self.choice_text_reads
        aliases = self.choice_aliases(sid, sc, choices)
        goto = self.goto(sc["goto"], sc.at("goto"), f"scene '{sid}'") if "goto" in sc else None
        goto_reads = self.scope.take_local()
        call, then, returns = self.check_call(sc, f"scene '{sid}'", f"{sid}.continue")
        ending = None
        if ending_rec is not None:
            self.scope.draws = False
            etext = self.text(ending_rec["text"], ending_rec.at("text"), dict.get(ending_rec.vpos, "text"), counter,
                              sid + ":ending") if "text" in ending_rec else None
            offer_draws = offer_draws or self.scope.draws
            text_reads |= self.scope.take_local()
            ending = Ending(ending_rec.get("title", sid), ending_rec.get("kind", "ending"), etext,
                            ending_rec.get("hint"))
        self.text_reads[sid] = frozenset(text_reads)
        cont = None
        if not choices and (goto is not None or call is not None or returns):
            if goto is None:
                goto = self.approx_goto(call, then)
            cont = ChoiceDef(id="continue", key=f"{sid}.continue", text=Text(((None, ("Continue",)),), "Continue"),
                             cond=None, locked=None, once=False, effects=(), note=None, historical=False,
                             goto=goto, explicit_id=False, where=where, reads=goto_reads, call=call, returns=returns,
                             jumps=bool(call or returns))
            if returns:
                self.returning.append(cont)
        return Scene(id=sid, title=sc.get("title"), chapter=sc.get("chapter"), pov=sc.get("pov"), text=text,
                     effects=effects, unlock=unlock, choices=tuple(choices), goto=goto, ending=ending,
                     where=where, continue_choice=cont, enter_reads=enter_reads, offer_draws=offer_draws,
                     pause=pause, choice_aliases=frozen(aliases), has_fallback=any(c.fallback for c in choices))

    def approx_goto(self, call, then) -> Goto:
        """A call's or return's successors, for the analyses that follow gotos
        (reachability, liveness, the graph); never resolved in play. A
        return's are filled in once every call is known (see fix_returns)."""
        targets = ([call] if call else []) + (list(then.targets()) if then is not None else [])
        if not targets:
            return Goto(None, ())
        return Goto(None, tuple((_never, t) for t in targets[1:]) + ((None, targets[0]),))

    def fix_returns(self) -> None:
        targets = []
        reads: set = set()
        for key, then in self.thens.items():
            targets.extend(t for t in then.targets() if t not in targets)
            reads |= self.then_reads.get(key, frozenset())
        goto = Goto(None, tuple((_never, t) for t in targets[1:]) + ((None, targets[0]),)) if targets else Goto(None, ())
        for c in self.returning:
            object.__setattr__(c, "goto", goto)  # set once, before the story is handed out
            object.__setattr__(c, "reads", c.reads | reads)

    def choice_aliases(self, sid: str, sc: S.Rec, choices: list) -> dict:
        """old id -> id, from the choices' `was:` (§11.8)."""
        live = {c.id for c in choices}
        out: dict[str, str] = {}
        for ch, c in zip(sc.get("choices", ()), choices):
            was = ch.get("was", ())
            for i, old in enumerate(was):
                pos = was.ipos[i]
                if not (S.ID_RE.match(old) or old.isdigit()):
                    self.rep.error(pos, S.id_problem(old) or f"'{old}' is not a valid choice id")
                elif old in live:
                    self.rep.error(pos, f"'{old}' in 'was' of choice '{c.id}' is a live choice id in scene '{sid}': "
                                        "an old id must not name a choice that exists")
                elif old in out:
                    self.rep.error(pos, f"'{old}' is named in 'was' of both choice '{out[old]}' and choice "
                                        f"'{c.id}' in scene '{sid}'")
                else:
                    out[old] = c.id
        return out

    def scene_aliases(self) -> dict:
        out: dict[str, str] = {}
        for sid, sc in self.scene_recs.items():
            was = sc.get("was", ())
            for i, old in enumerate(was):
                pos = was.ipos[i]
                if old in self.scene_recs:
                    self.rep.error(pos, f"'{old}' in 'was' of scene '{sid}' is a live scene id: an old id must not "
                                        "name a scene that exists")
                elif old in out:
                    self.rep.error(pos, f"'{old}' is named in 'was' of both scene '{out[old]}' and scene '{sid}'")
                else:
                    out[old] = sid
        return out

    def check_pass_cycles(self, scenes: dict[str, Scene]) -> None:
        """A cycle of `pause: false` scenes with no condition on the way."""
        succ = {}
        for sid, sc in scenes.items():
            c = sc.continue_choice
            if sc.pause or c is None:
                continue
            if c.call is not None:
                succ[sid] = c.call
            elif not c.returns and c.goto.target is not None:
                succ[sid] = c.goto.target
        done: set = set()
        for start in succ:
            if start in done:
                continue
            path, on_path = [], {}
            cur = start
            while cur in succ and cur not in done and cur not in on_path:
                on_path[cur] = len(path)
                path.append(cur)
                cur = succ[cur]
            if cur in on_path:
                cycle = path[on_path[cur]:]
                first = min(cycle, key=lambda x: (self.scene_recs[x].pos.path, self.scene_recs[x].pos.line))
                rec = self.scene_recs[first]
                i = cycle.index(first)
                shown = " → ".join(cycle[i:] + cycle[:i] + [first])
                self.rep.error(rec.kpos.get("pause") or rec.pos,
                               f"scenes with 'pause: false' form a cycle with no condition on the way ({shown}): "
                               "the game would pass through them forever")
            done.update(path)

    def compile_choice(self, sid: str, index: int, ch: S.Rec) -> ChoiceDef:
        rep = self.rep
        cid = ch.get("id", str(index + 1))
        key = f"{sid}.{cid}"
        owner = f"choice '{cid}' of scene '{sid}'"
        where = self.where(ch.pos)
        text = self.text(ch["text"], ch.at("text"), dict.get(ch.vpos, "text"), ("v", sid), key + ":text") \
            if "text" in ch else Text((), "")
        self.choice_text_reads = self.scope.take_local()
        cond = None
        if "if" in ch:
            self.choice_conds[f"{sid}.{cid}"] = ch["if"]
            c = self.cond(ch["if"], ch.at("if"))
            if c is not None:
                if c.is_const and not c.const:
                    rep.warning(ch.at("if"), f"choice '{cid}' in scene '{sid}' has a condition that is always false: "
                                             "it is never offered")
                    cond = lambda p: False  # noqa: E731
                elif not c.is_const:
                    cond = c.fn
        self.offer_drew = self.scope.draws  # its text and condition are part of the offer
        if "locked" in ch and "if" not in ch.kpos:
            rep.warning(ch.kpos["locked"], "'locked' has no effect without 'if'")
        fallback = bool(ch.get("fallback"))
        if fallback:
            for bad in ("once", "locked"):
                if bad in ch.kpos and (bad != "once" or ch.get("once")):
                    rep.error(ch.kpos[bad], f"a fallback choice cannot also have '{bad}' ({owner})")
        note = ch.get("note")
        if note is not None:
            self.used_notes.add(note)
            if note not in self.note_recs and not self.incomplete:
                rep.error(ch.at("note"), f"unknown note id '{note}'" + did_you_mean(note, self.note_recs))
        kinds = self.exit_kinds(ch, ("goto", "call", "return"))
        if not kinds and not ch.bad.intersection(("goto", "call", "return")):
            rep.error(ch.pos, f"{owner} needs exactly one of goto, call or return, and has none")
        elif len(kinds) > 1:
            rep.error(ch.kpos[kinds[1]], f"{owner} has both {kinds[0]} and {kinds[1]}; a choice has exactly one "
                                         "of goto, call or return")
        goto = self.goto(ch["goto"], ch.at("goto"), owner) if "goto" in ch else None
        effects = self.effects(ch)
        call, then, returns = self.check_call(ch, owner, key)
        if goto is None:
            goto = self.approx_goto(call, then) if (call or returns) else Goto(sid)
        reply = None
        if "reply" in ch:
            reply = self.text(ch["reply"], ch.at("reply"), dict.get(ch.vpos, "reply"), ("c", key), key + ":reply")
        static = text.static
        view = ChoiceView(cid, static) if static is not None else None
        locked = ch.get("locked")
        view_locked = ChoiceView(cid, static, False, locked) if static is not None and locked is not None else None
        out = ChoiceDef(view=view, view_locked=view_locked, id=cid, key=key, text=text, cond=cond, locked=ch.get("locked"),
                        once=bool(ch.get("once")), effects=effects, note=note,
                        historical=bool(ch.get("historical")), goto=goto, explicit_id="id" in ch, where=where,
                        reads=self.scope.take_local(), reply=reply, call=call, returns=returns, fallback=fallback,
                        jumps=bool(call or returns))
        if returns:
            self.returning.append(out)
        return out

    def compile_triggers(self, items) -> list[Trigger]:
        out = []
        for i, tr in enumerate(items):
            target = tr.get("goto")
            if target is not None:
                self.check_scene_ref(target, tr.at("goto"))
            self.scope.take_local()
            c = self.cond(tr["if"], tr.at("if")) if "if" in tr else None
            if c is None or target is None:
                continue
            fn = c.fn if not c.is_const else ((lambda p: True) if c.const else (lambda p: False))
            out.append(Trigger(fn, target, self.where(items.ipos[i]), self.scope.take_local()))
        return out

    def compile_checks(self, items) -> list[Check]:
        """Story checks (§11.9): exactly one of always/never, and a message."""
        out = []
        for i, ck in enumerate(items):
            kinds = [k for k in ("always", "never") if k in ck.kpos]
            if len(kinds) != 1:
                what = "neither" if not kinds else "both"
                self.rep.error(ck.kpos[kinds[1]] if kinds else ck.pos,
                               f"a check needs exactly one of 'always' or 'never', and this one has {what}")
                continue
            kind = kinds[0]
            if kind not in ck:
                continue  # its value was already reported
            self.scope.take_local()
            self.scope.draws = False
            c = self.cond(ck[kind], ck.at(kind))
            reads = self.scope.take_local()
            if c is None:
                continue
            if self.scope.draws:
                self.rep.error(ck.at(kind), "a check cannot call chance(): it must be true or false in a state")
                continue
            fn = c.fn if not c.is_const else (lambda p, v=c.const: v)
            out.append(Check(fn, kind, ck.get("message", ""), self.where(items.ipos[i]), ck[kind], reads))
        return out

    def compile_sources(self, table) -> dict[str, Source]:
        """The bibliography (§11.11), in the order written."""
        self.used_sources: set[str] = set()
        if not table:
            return {}
        return {sid: Source(sid, r.get("title", sid), r.get("author", ""), r.get("detail"))
                for sid, r in table.items()}

    def note_cites(self, r: S.Rec, sources: dict) -> tuple[str, ...]:
        """A note's `cites:`: every id must name a source of story.yaml."""
        cites = r.get("cites", ())
        out = []
        for i, cid in enumerate(cites):
            self.used_sources.add(cid)
            if cid not in sources:
                known = f" (story.yaml declares: {', '.join(sources)})" if sources and not did_you_mean(cid, sources) \
                    else "" if sources else " (story.yaml declares no `sources`)"
                self.rep.error(cites.ipos[i], f"unknown source id '{cid}'" + did_you_mean(cid, sources) + known)
            elif cid in out:
                self.rep.warning(cites.ipos[i], f"source '{cid}' is cited twice in this note")
            else:
                out.append(cid)
        return tuple(out)

    def warn_sources(self, table) -> None:
        if not table or self.incomplete:
            return
        for sid in table:
            if sid not in self.used_sources:
                self.rep.warning(table.kpos[sid], f"source '{sid}' is never cited (no note's `cites` names it)")

    def compile_achievements(self, table) -> dict[str, Achievement]:
        """§11.10: `when` is a condition in which `ended` is also known."""
        out: dict[str, Achievement] = {}
        if not table:
            return out
        scope = self.scope
        for aid, r in table.items():
            if "when" not in r:
                continue  # missing or already reported
            pos = r.at("when")
            scope.take_local()
            scope.draws = False
            scope.specials = {"ended": ("bool", _ended)}
            # What an achievement reads steers no step: it must not make a
            # variable part of the explorer's state (see explore.StateSpace).
            steering = set(scope.decision_reads)
            try:
                c = self.cond(r["when"], pos)
            finally:
                scope.specials = {}
                scope.decision_reads = steering
            reads = scope.take_local()
            scope.text_cond_reads.update(n for n in reads if n in self.variables)  # shown: not dead
            if c is None:
                continue
            if scope.draws:
                self.rep.error(pos, "an achievement's `when` cannot call chance() or random(), nor divide by a "
                                    "computed number: it must be true or false in a state")
                continue
            if c.is_const:
                if not c.const:
                    self.rep.warning(pos, f"achievement '{aid}' has a `when` that is always false: it can never "
                                          "be earned")
                fn = (lambda p, v=c.const: v)
            else:
                fn = c.fn
            out[aid] = Achievement(aid, r.get("title", aid), r.get("text", ""), fn, bool(r.get("hidden")),
                                   self.where(table.kpos[aid]), r["when"], reads)
        return out

    # -------------------------------------------------------------- warnings
    def warn(self, m: S.Rec, scenes: dict[str, Scene], start, triggers: list[Trigger]) -> None:
        rep = self.rep
        if self.incomplete:
            return
        if start in scenes:
            seen = reachable(successors(scenes), story_roots(start, triggers))
            for sid, sc in self.scene_recs.items():
                if sid not in seen:
                    rep.warning(sc.at("id"), f"scene '{sid}' can never be reached from the start scene '{start}'")
        for name in self.variables:
            if name not in self.scope.reads:
                rep.warning(self.var_pos[name], f"variable '{name}' is declared but never read")
        for nid, (_, pos) in self.note_recs.items():
            if nid not in self.used_notes:
                rep.warning(pos, f"note '{nid}' is never shown (no choice names it)")
        for cid, (_, pos) in self.codex_recs.items():
            if cid not in self.used_codex:
                rep.warning(pos, f"codex entry '{cid}' is never unlocked")


def compile_story(root: str, cache=None) -> tuple[StoryData | None, list]:
    """(compiled story or None, problems sorted by file and line). `cache`: a
    ParseCache to take unchanged, problem-free files from (play uses one)."""
    rep = Reporter()
    data = None
    try:
        data = Compiler(root, rep, cache).run()
    except RecursionError:
        rep.error(Pos(root, 1, 1), "the story is nested too deeply to read")
    return data, rep.all_problems()
