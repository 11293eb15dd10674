"""Language server: an edit to one Nero file (scenes/izumi) -> its new
diagnostics, measured at the client over stdio. Target: median under 200 ms.

Run with: .venv/bin/python -m pytest -q -s tests/benchmarks/bench_lsp.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.conftest import ROOT

NERO_FILE = ROOT / "scenes" / "izumi" / "c06_prague.yaml"  # the largest file


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "game", "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(T.InitializeParams(capabilities=client_capabilities("neovim")))
    yield
    await lsp_client.shutdown_session()


async def _new_diagnostics(client, uri, before):
    while client.diagnostics.get(uri) is before:
        await asyncio.sleep(0.001)
    return client.diagnostics[uri]


async def test_diagnostics_after_an_edit(client):
    uri = NERO_FILE.resolve().as_uri()
    text = NERO_FILE.read_text(encoding="utf-8")
    client.text_document_did_open(T.DidOpenTextDocumentParams(text_document=T.TextDocumentItem(
        uri=uri, language_id="yaml", version=1, text=text)))
    diags = await _new_diagnostics(client, uri, None)
    assert list(diags) == []
    line = next(i for i, ln in enumerate(text.split("\n")) if ln.strip().startswith("goto: "))
    col = text.split("\n")[line].index("goto: ") + 6
    target = text.split("\n")[line][col:]
    times = []
    current = target
    for i in range(31):
        # alternately break a goto (an error appears at its range) and mend it; every
        # text is new (a counter in a comment), so the edited file is read afresh each time
        new = f"no_such_scene_{i}" if i % 2 == 0 else f"{target}  # edit {i}"
        old_len = len(current)
        current = new
        before = client.diagnostics.get(uri)
        t = time.perf_counter()
        client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=i + 2),
            content_changes=[T.TextDocumentContentChangePartial(
                range=T.Range(start=T.Position(line=line, character=col),
                              end=T.Position(line=line, character=col + old_len)), text=new)]))
        diags = await _new_diagnostics(client, uri, before)
        times.append(time.perf_counter() - t)
        errors = [d for d in diags if d.severity == T.DiagnosticSeverity.Error]
        assert bool(errors) == (i % 2 == 0)
        if errors:
            assert errors[0].range.start == T.Position(line=line, character=col)
    median = statistics.median(times[1:])
    print(f"\nNero, {NERO_FILE.name}: edit -> diagnostics median {median * 1000:.0f} ms "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}; target < 200)")
    assert median < 0.2
