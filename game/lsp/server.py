"""The language server: a thin layer over `game.authoring`.

Every open document belongs to the story whose story.yaml is nearest above
it. On each change the story is compiled again by the real compiler with the
editor's unsaved buffers laid over the files on disk, and the problems of
every file of the story are published (the lines `lint` prints, as ranges).
Navigation, completion, hover and rename read the id index of the last
compile. A broken file never stops the server: it yields diagnostics, and the
index keeps what it knew of that file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from game.authoring.editing import RenameError, completions, hover_text, rename_edits
from game.authoring.workspace import Analysis, StoryWorkspace, find_story_root

log = logging.getLogger("open-diplomacy.lsp")
_TOKEN = re.compile(r"[^\s,:\[\]{}#'\"]+")


def _u16(line: str, col: int) -> int:
    """Character column to UTF-16 units."""
    return col + sum(1 for ch in line[:col] if ord(ch) > 0xFFFF)


def _cp(line: str, units: int) -> int:
    """UTF-16 units to a character column."""
    n = 0
    for i, ch in enumerate(line):
        if n >= units:
            return i
        n += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


class StoryServer(LanguageServer):
    def __init__(self):
        super().__init__("open-diplomacy", "0.1.0", text_document_sync_kind=T.TextDocumentSyncKind.Incremental)
        self.stories: dict[str, StoryWorkspace] = {}
        self.published: dict[str, set[str]] = {}  # root -> uris with diagnostics
        self.pending: set[str] = set()
        self.scheduled = False

    # ------------------------------------------------------------ stories
    def story_of(self, path: str) -> StoryWorkspace | None:
        root = find_story_root(path)
        if root is None:
            return None
        ws = self.stories.get(root)
        if ws is None:
            ws = self.stories[root] = StoryWorkspace(root)
        return ws

    def analysis_of(self, uri: str) -> tuple[Analysis | None, str]:
        path = os.path.abspath(to_fs_path(uri) or "")
        ws = self.story_of(path)
        if ws is None:
            return None, path
        if ws.last is None:
            self.refresh(ws)
        return ws.last, path

    def refresh(self, ws: StoryWorkspace) -> None:
        try:
            analysis = ws.analyse()
        except Exception:  # noqa: BLE001 - the server must outlive any bug
            log.exception("analysis failed")
            return
        self.publish(ws.root, analysis)

    def schedule(self, ws: StoryWorkspace) -> None:
        """Compile soon; several changes arriving together give one compile."""
        self.pending.add(ws.root)
        if self.scheduled:
            return
        self.scheduled = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        loop.call_soon(self.flush)

    def flush(self) -> None:
        self.scheduled = False
        roots, self.pending = self.pending, set()
        for root in roots:
            ws = self.stories.get(root)
            if ws is not None:
                self.refresh(ws)

    def publish(self, root: str, analysis: Analysis) -> None:
        by_file: dict[str, list] = {}
        manifest = os.path.join(root, "story.yaml")
        for path, problems in analysis.problems_by_file().items():
            # A problem of the folder itself (not a file) is shown on story.yaml.
            by_file.setdefault(path if os.path.isfile(path) else manifest, []).extend(problems)
        uris = set()
        for path, problems in by_file.items():
            if not os.path.isfile(path):
                continue
            uri = from_fs_path(path)
            uris.add(uri)
            lines = analysis.texts.get(path, "").split("\n")
            diags = [self.diagnostic(p, lines) for p in problems]
            self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=diags))
        for uri in self.published.get(root, set()) - uris:
            self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        self.published[root] = uris

    @staticmethod
    def diagnostic(p, lines: list[str]) -> T.Diagnostic:
        line = max(p.line - 1, 0)
        col = max(p.column - 1, 0)
        text = lines[line] if line < len(lines) else ""
        m = _TOKEN.match(text, col) if col < len(text) else None
        end = m.end() if m else min(col + 1, max(len(text), col))
        return T.Diagnostic(
            range=T.Range(start=T.Position(line=line, character=_u16(text, col)),
                          end=T.Position(line=line, character=_u16(text, end))),
            message=p.message,
            severity=T.DiagnosticSeverity.Error if p.is_error else T.DiagnosticSeverity.Warning,
            source="open-diplomacy",
        )

    # ------------------------------------------------------------ positions
    def position(self, analysis: Analysis, path: str, pos: T.Position) -> tuple[int, int]:
        lines = analysis.texts.get(path, "").split("\n")
        text = lines[pos.line] if pos.line < len(lines) else ""
        return pos.line, _cp(text, pos.character)

    def location(self, analysis: Analysis, loc) -> T.Location:
        return T.Location(uri=from_fs_path(loc.path), range=self.range(analysis, loc.path, loc.line, loc.start,
                                                                         loc.line, loc.end))

    def range(self, analysis: Analysis, path: str, l1: int, c1: int, l2: int, c2: int) -> T.Range:
        lines = analysis.texts.get(path, "").split("\n")
        t1 = lines[l1] if l1 < len(lines) else ""
        t2 = lines[l2] if l2 < len(lines) else ""
        return T.Range(start=T.Position(line=l1, character=_u16(t1, c1)),
                       end=T.Position(line=l2, character=_u16(t2, c2)))

    def symbol(self, uri: str, pos: T.Position):
        analysis, path = self.analysis_of(uri)
        if analysis is None:
            return None, None, path
        line, col = self.position(analysis, path, pos)
        return analysis, analysis.index.at(path, line, col), path


server = StoryServer()


def _guard(fn):
    """Any failure in a request gives an empty answer, never a dead server."""
    def wrapper(ls, params):
        try:
            return fn(ls, params)
        except Exception:  # noqa: BLE001
            log.exception("request failed")
            return None
    wrapper.__name__ = fn.__name__
    return wrapper


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
@_guard
def did_open(ls: StoryServer, params: T.DidOpenTextDocumentParams):
    path = os.path.abspath(to_fs_path(params.text_document.uri) or "")
    ws = ls.story_of(path)
    if ws is not None:
        ws.set_overlay(path, params.text_document.text)
        ls.schedule(ws)


def _file_and_story(ls: StoryServer, uri: str):
    """The file a document names, and the story it belongs to (or None)."""
    path = os.path.abspath(to_fs_path(uri) or "")
    return path, ls.story_of(path)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
@_guard
def did_change(ls: StoryServer, params: T.DidChangeTextDocumentParams):
    uri = params.text_document.uri
    path, ws = _file_and_story(ls, uri)
    if ws is not None:
        ws.set_overlay(path, ls.workspace.get_text_document(uri).source)
        ls.schedule(ws)


@server.feature(T.TEXT_DOCUMENT_DID_SAVE)
@_guard
def did_save(ls: StoryServer, params: T.DidSaveTextDocumentParams):
    _, ws = _file_and_story(ls, params.text_document.uri)
    if ws is not None:
        ls.schedule(ws)


@server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
@_guard
def did_close(ls: StoryServer, params: T.DidCloseTextDocumentParams):
    path, ws = _file_and_story(ls, params.text_document.uri)
    if ws is not None:
        ws.drop_overlay(path)
        ls.schedule(ws)


@server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
@_guard
def did_change_watched(ls: StoryServer, params: T.DidChangeWatchedFilesParams):
    for ws in ls.stories.values():
        ls.schedule(ws)


@server.feature(T.TEXT_DOCUMENT_DEFINITION)
@_guard
def definition(ls: StoryServer, params: T.DefinitionParams):
    analysis, o, _ = ls.symbol(params.text_document.uri, params.position)
    if o is None:
        return None
    return [ls.location(analysis, d.loc) for d in analysis.index.defs.get((o.kind, o.key), [])] or None


@server.feature(T.TEXT_DOCUMENT_REFERENCES)
@_guard
def references(ls: StoryServer, params: T.ReferenceParams):
    analysis, o, _ = ls.symbol(params.text_document.uri, params.position)
    if o is None:
        return None
    locs = analysis.index.locations(o.kind, o.key, include_definition=params.context.include_declaration)
    return [ls.location(analysis, loc) for loc in locs]


_COMPLETION_KIND = {"scene": T.CompletionItemKind.Module, "choice": T.CompletionItemKind.EnumMember,
                    "note": T.CompletionItemKind.Reference, "codex": T.CompletionItemKind.Class,
                    "variable": T.CompletionItemKind.Variable, "source": T.CompletionItemKind.File,
                    "function": T.CompletionItemKind.Function}


@server.feature(T.TEXT_DOCUMENT_COMPLETION,
                T.CompletionOptions(trigger_characters=[":", "(", ".", "{", " ", "[", ","]))
@_guard
def completion(ls: StoryServer, params: T.CompletionParams):
    analysis, path = ls.analysis_of(params.text_document.uri)
    if analysis is None:
        return None
    doc = ls.workspace.get_text_document(params.text_document.uri)
    lines = doc.lines
    text = lines[params.position.line].rstrip("\r\n") if params.position.line < len(lines) else ""
    prefix = text[:_cp(text, params.position.character)]
    items = [T.CompletionItem(label=label, kind=_COMPLETION_KIND.get(kind), detail=detail or None)
             for label, kind, detail in completions(analysis.index, prefix)]
    return T.CompletionList(is_incomplete=False, items=items)


@server.feature(T.TEXT_DOCUMENT_HOVER)
@_guard
def hover(ls: StoryServer, params: T.HoverParams):
    analysis, o, _ = ls.symbol(params.text_document.uri, params.position)
    if o is None:
        return None
    text = hover_text(analysis.index, o.kind, o.key)
    if text is None:
        return None
    return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=text),
                   range=ls.range(analysis, o.loc.path, o.loc.line, o.loc.start, o.loc.line, o.loc.end))


@server.feature(T.TEXT_DOCUMENT_PREPARE_RENAME)
@_guard
def prepare_rename(ls: StoryServer, params: T.PrepareRenameParams):
    analysis, o, _ = ls.symbol(params.text_document.uri, params.position)
    if o is None or (o.kind, o.key) not in analysis.index.defs:
        return None
    return ls.range(analysis, o.loc.path, o.loc.line, o.loc.start, o.loc.line, o.loc.end)


@server.feature(T.TEXT_DOCUMENT_RENAME)
def rename(ls: StoryServer, params: T.RenameParams):
    try:
        analysis, o, _ = ls.symbol(params.text_document.uri, params.position)
        if o is None:
            return None
        edits = rename_edits(analysis.index, o.kind, o.key, params.new_name)
    except RenameError as exc:
        from pygls.exceptions import JsonRpcInvalidParams
        raise JsonRpcInvalidParams(str(exc)) from None
    except Exception:  # noqa: BLE001
        log.exception("rename failed")
        return None
    changes: dict[str, list[T.TextEdit]] = {}
    for e in edits:
        changes.setdefault(from_fs_path(e.path), []).append(
            T.TextEdit(range=ls.range(analysis, e.path, e.line, e.start, e.end_line, e.end), new_text=e.text))
    return T.WorkspaceEdit(changes=changes)


def run_lsp_cli(args=None) -> int:
    logging.basicConfig(level=logging.WARNING)
    server.start_io()
    return 0
