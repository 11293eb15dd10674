"""The language server, driven over stdio by pytest-lsp's client."""

from __future__ import annotations

import asyncio
import sys

import pytest
import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from game.story import schema as S
from tests.authoring.tiny import SCENES, write_tiny


@pytest.fixture
def story(tmp_path):
    return write_tiny(tmp_path)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "game", "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(T.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
    yield
    await lsp_client.shutdown_session()


def uri_of(path) -> str:
    return path.resolve().as_uri()


async def open_doc(client, path, text=None):
    uri = uri_of(path)
    client.text_document_did_open(T.DidOpenTextDocumentParams(text_document=T.TextDocumentItem(
        uri=uri, language_id="yaml", version=1, text=text if text is not None else path.read_text(encoding="utf-8"))))
    await wait_diagnostics(client, uri)
    return uri


async def wait_diagnostics(client, uri, before=None, timeout=20.0):
    """The diagnostics of `uri` once a new set (not the object `before`) has arrived."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        got = client.diagnostics.get(uri)
        if got is not None and got is not before:
            return got
        await asyncio.sleep(0.005)
    raise AssertionError(f"no new diagnostics for {uri}")


def pos_of(text: str, needle: str, nth: int = 0, offset: int = 1) -> T.Position:
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    line = text.count("\n", 0, i)
    return T.Position(line=line, character=i - (text.rfind("\n", 0, i) + 1) + offset)


async def test_diagnostics_after_an_edit_at_the_right_range(client, story):
    uri = await open_doc(client, story / "scenes.yaml")
    assert list(client.diagnostics[uri]) == []
    before = client.diagnostics[uri]
    # An unsaved edit: `goto: office` becomes `goto: offce` (the file on disk is unchanged).
    start = pos_of(SCENES, "goto: office", offset=6)
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[T.TextDocumentContentChangePartial(
            range=T.Range(start=start, end=T.Position(line=start.line, character=start.character + 6)),
            text="offce")]))
    diags = await wait_diagnostics(client, uri, before)
    errors = [d for d in diags if d.severity == T.DiagnosticSeverity.Error]
    assert [d.message for d in errors] == ["unknown scene 'offce' (did you mean 'office'?)"]
    # the same lines lint prints: the scene is now unreachable, a warning
    assert any(d.message.startswith("scene 'office' can never be reached") for d in diags)
    d = errors[0]
    assert d.severity == T.DiagnosticSeverity.Error
    assert (d.range.start.line, d.range.start.character, d.range.end.character) == (start.line, start.character,
                                                                                    start.character + 5)
    # Broken YAML: diagnostics only, and the server keeps answering.
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=3),
        content_changes=[T.TextDocumentContentChangeWholeDocument(text=SCENES + "  - [unclosed\n")]))
    diags = await wait_diagnostics(client, uri, diags)
    assert any(m.message.startswith("YAML syntax") for m in diags)
    result = await client.text_document_definition_async(T.DefinitionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=pos_of(SCENES, "goto: street", offset=8)))
    assert result and result[0].range.start.line == pos_of(SCENES, "id: street").line


async def test_definition_references_and_hover(client, story):
    uri = await open_doc(client, story / "scenes.yaml")
    # visited(office) -> the scene's id
    result = await client.text_document_definition_async(T.DefinitionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=pos_of(SCENES, "visited(office)", offset=9)))
    office = pos_of(SCENES, "id: office", offset=4)
    assert [(r.uri, r.range.start.line, r.range.start.character) for r in result] == [(uri, office.line, office.character)]
    # chose(hall.wait) -> the choice's id
    result = await client.text_document_definition_async(T.DefinitionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=pos_of(SCENES, "hall.wait", offset=6)))
    assert result[0].range.start == pos_of(SCENES, "id: wait", offset=4)
    # references of the variable `trust`: its declaration, {trust} in text, an effect
    refs = await client.text_document_references_async(T.ReferenceParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=pos_of(SCENES, "{trust}", offset=2),
        context=T.ReferenceContext(include_declaration=True)))
    got = sorted((r.uri.rsplit("/", 1)[1], r.range.start.line, r.range.start.character, r.range.end.character) for r in refs)
    assert got == [("scenes.yaml", 6, 16, 21), ("scenes.yaml", 10, 13, 18), ("story.yaml", 5, 2, 7)]
    # hover: a scene shows title, chapter, first lines; a variable its type, bounds, label
    h = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=pos_of(SCENES, "start: hall", offset=0)
        if False else pos_of(SCENES, "hall.wait", offset=1)))
    assert "The hall" in h.contents.value and "Moscow, 1925" in h.contents.value
    assert "A long corridor." in h.contents.value
    h = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=pos_of(SCENES, "trust += 1", offset=1)))
    assert "int" in h.contents.value and "[0, 5]" in h.contents.value and "Moscow's trust" in h.contents.value


async def test_completion_where_ids_are_expected(client, story):
    text = SCENES.replace("goto: street\n  - id: street", "goto: \n  - id: street")
    uri = await open_doc(client, story / "scenes.yaml", text)
    pos = pos_of(text, "goto: \n", offset=6)
    result = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=pos))
    assert {i.label for i in result.items} == {"hall", "office", "street"}
    pos = pos_of(text, "chose(hall.", offset=11)
    result = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=pos))
    assert {i.label for i in result.items} == {"wait", "leave"}
    pos = pos_of(text, "note: waiting", offset=6)
    result = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=pos))
    assert [i.label for i in result.items] == ["waiting"]
    pos = pos_of(text, "[trust", offset=1)
    result = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=pos))
    assert "trust" in {i.label for i in result.items}


async def test_rename_a_scene_and_a_choice_across_files(client, story):
    uri = await open_doc(client, story / "scenes.yaml")
    manifest_uri = uri_of(story / "story.yaml")
    edit = await client.text_document_rename_async(T.RenameParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=pos_of(SCENES, "id: hall", offset=5),
        new_name="lobby"))
    new_texts = {u: [e.new_text for e in es] for u, es in edit.changes.items()}
    assert new_texts[manifest_uri] == ["lobby"]  # start: hall
    renamed = [e for e in edit.changes[uri] if e.new_text == "lobby"]
    assert sorted(e.range.start.line for e in renamed) == [1, 21]  # its id, chose(hall.wait)
    was = [e.new_text for e in edit.changes[uri] if "was" in e.new_text]
    assert was == (["\n    was: [hall]"] if "was" in S.SCENE.fields else [])
    edit = await client.text_document_rename_async(T.RenameParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=pos_of(SCENES, "hall.wait", offset=6),
        new_name="linger"))
    lines = sorted((e.range.start.line, e.new_text) for e in edit.changes[uri])
    expected = [(8, "linger"), (21, "linger")]
    if "was" in S.CHOICE.fields:
        expected.insert(0, (8, "\n        was: [wait]"))
    assert lines == expected
