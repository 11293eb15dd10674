"""The guide's examples of the authoring tools print what the guide says."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys

from tests.test_docs import blocks


def _write_guide_stories(tmp_path):
    for lang, attrs, body in blocks():
        if "file" in attrs and "expect-error" not in attrs:
            path = tmp_path / attrs["file"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8")


def test_stats_and_migrate_check_examples(tmp_path):
    _write_guide_stories(tmp_path)
    # what the guide tells the author to do before migrate-check
    shutil.copytree(tmp_path / "courier", tmp_path / "courier_v2")
    scenes = tmp_path / "courier_v2" / "scenes.yaml"
    scenes.write_text(scenes.read_text(encoding="utf-8").replace("- id: take_letter", "- id: accept_letter"),
                      encoding="utf-8")
    examples = [(attrs["output-of"], body) for lang, attrs, body in blocks() if "output-of" in attrs]
    assert {cmd.split()[1] for cmd, _ in examples} == {"stats", "migrate-check"}
    for cmd, expected in examples:
        argv = shlex.split(cmd)
        assert argv[0] == "open-diplomacy"
        out = subprocess.run([sys.executable, "-m", "game", *argv[1:]], capture_output=True, text=True,
                             cwd=tmp_path, timeout=60)
        assert out.stdout == expected, out.stderr
        assert out.returncode == (1 if argv[1] == "migrate-check" else 0)


def test_lsp_client_settings_are_valid_json():
    settings = next(body for lang, attrs, body in blocks() if lang == "json" and attrs.get("client") == "vscode-glspc")
    assert json.loads(settings)["glspc.server.commandArguments"] == ["lsp"]
