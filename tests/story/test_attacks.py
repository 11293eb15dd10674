"""Scene files may come from strangers: every attack gets a positioned error,
exit status 1 from `lint`, and never a traceback, a hang or a crash."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import CONTENT, MANIFEST, ROOT


def lint_cli(path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "game", "lint", str(path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)


def errors_of(story_dir) -> list[str]:
    return [str(p) for p in story_dir.check()[1] if p.is_error]


@pytest.mark.parametrize("payload, fragment", [
    ("!!python/object/apply:os.system ['echo pwned']", "tag !!python/object/apply:os.system is not allowed"),
    ("!!python/name:os.system", "is not allowed"),
    ("!custom thing", "tag !custom is not allowed"),
])
def test_tags_are_refused(base_story, payload, fragment, tmp_path):
    base_story.write("scenes.yaml", CONTENT.replace("text: Go", f"text: {payload}"))
    errs = errors_of(base_story)
    assert len(errs) == 1
    assert errs[0].startswith(base_story.at("scenes.yaml", payload.split()[0])) and fragment in errs[0]


def test_python_tag_on_a_whole_mapping(story_dir):
    story_dir.write("story.yaml", MANIFEST)
    story_dir.write("scenes.yaml", "scenes: !!python/object:os.PathLike {a: 1}\n")
    errs = errors_of(story_dir)
    assert any("is not allowed" in e for e in errs)


def test_invalid_utf8(base_story):
    path = base_story.root / "scenes.yaml"
    path.write_bytes(b"scenes:\n  - id: a\n    text: caf\xe9\n")
    errs = errors_of(base_story)
    assert errs == [f"{path}:3:14: error: invalid UTF-8 (byte 0xe9); save the file as UTF-8"]


def test_file_over_5mb(base_story):
    path = base_story.root / "big.yaml"
    path.write_bytes(b"# " + b"x" * (5 * 1024 * 1024) + b"\n")
    errs = errors_of(base_story)
    assert len(errs) == 1 and errs[0].startswith(f"{path}:1:1: error: file is") and "5 MB" in errs[0]


def test_deep_flow_nesting_does_not_crash(base_story):
    # libyaml's composer recurses in C: 100,000 levels would crash the process.
    base_story.write("deep.yaml", "scenes: " + "[" * 100_000 + "]" * 100_000 + "\n")
    t = time.perf_counter()
    result = lint_cli(base_story.root)
    assert time.perf_counter() - t < 20
    assert result.returncode == 1
    assert "deep.yaml:1:" in result.stdout and "nesting" in result.stdout
    assert "Traceback" not in result.stderr


def test_deep_block_nesting(base_story):
    lines = ["codex:"]
    for i in range(70):
        lines.append("  " * (i + 1) + f"k{i}:")
    base_story.write("deep.yaml", "\n".join(lines) + " 1\n")
    errs = errors_of(base_story)
    assert any("nesting deeper than 64" in e for e in errs)


def test_billion_laughs_is_rejected_fast(base_story):
    doc = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        doc.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    doc.append("codex: {boom: {name: *a9, kind: term, text: t, source: s}}")
    base_story.write("bomb.yaml", "\n".join(doc) + "\n")
    t = time.perf_counter()
    errs = errors_of(base_story)
    assert time.perf_counter() - t < 1.0
    assert any("alias bomb" in e or "unknown key" in e for e in errs)
    assert any("bomb.yaml" in e for e in errs)


def test_alias_bomb_inside_a_valid_key(base_story):
    doc = ['notes:', '  n: &n0 {text: "x", source: "y"}']
    base_story.write("bomb.yaml", "\n".join(doc) + "\n")
    # A legitimate alias is fine; the expansion budget only stops bombs.
    assert not errors_of(base_story)


def test_recursive_alias(base_story):
    base_story.write("loop.yaml", "scenes: &a [*a]\n")
    errs = errors_of(base_story)
    assert errs and all("loop.yaml" in e for e in errs)


@pytest.mark.parametrize("inner, fragment", [
    ("{x.__class__}", "only a bare variable name"),
    ("{x:>999999999}", "only a bare variable name"),
    ("{x!r}", "only a bare variable name"),
    ("{0}", "only a bare variable name"),
    ("{}", "only a bare variable name"),
    ("{x", "never closed"),
    ("x}", "lone '}'"),
])
def test_interpolation_only_bare_names(base_story, inner, fragment):
    base_story.write("scenes.yaml", CONTENT.replace('"A {x}"', f'"A {inner}"'))
    errs = errors_of(base_story)
    assert len(errs) == 1, errs
    assert errs[0].startswith(base_story.at("scenes.yaml", f'"A {inner}"')) and fragment in errs[0]


def test_literal_braces(base_story):
    base_story.write("scenes.yaml", CONTENT.replace('"A {x}"', '"{{x}} is {x}"'))
    story, _ = base_story.check()
    assert story.new_game().text == "{x} is 0"


def test_cyrillic_letter_in_an_id(base_story):
    base_story.write("scenes.yaml", CONTENT.replace("id: go", "id: gо"))  # о is U+043E
    errs = errors_of(base_story)
    assert len(errs) == 1
    assert errs[0].startswith(base_story.at("scenes.yaml", "gо")) and "U+043E CYRILLIC SMALL LETTER O" in errs[0]


@pytest.mark.parametrize("bad", ["Go", "2go", "go-on", "go on", "_go"])
def test_ids_outside_the_pattern(base_story, bad):
    base_story.write("scenes.yaml", CONTENT.replace("id: go", f"id: '{bad}'"))
    errs = errors_of(base_story)
    assert len(errs) == 1 and "is not a valid id" in errs[0]


def test_non_ascii_name_in_expression(base_story):
    base_story.write("scenes.yaml", CONTENT.replace("if: x >= 0", "if: ｘ >= 0"))
    errs = errors_of(base_story)
    assert len(errs) == 1 and "not allowed outside quotes" in errs[0]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_loop_and_escape(base_story, tmp_path):
    os.symlink(base_story.root, base_story.root / "loop")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("scenes: []\n")
    os.symlink(outside, base_story.root / "escape")
    os.symlink(outside / "secret.yaml", base_story.root / "leak.yaml")
    t = time.perf_counter()
    errs = errors_of(base_story)
    assert time.perf_counter() - t < 5
    assert any("loop" in e and "symbolic link loop" in e for e in errs)
    assert any("escape" in e and "outside the story folder" in e for e in errs)
    assert any("leak.yaml" in e and "outside the story folder" in e for e in errs)


def test_lint_cli_exit_status_and_summary(base_story):
    ok = lint_cli(base_story.root)
    assert ok.returncode == 0 and ok.stdout.strip().endswith("0 errors, 0 warnings in 2 files")
    base_story.write("scenes.yaml", CONTENT.replace("goto: b", "goto: q"))
    bad = lint_cli(base_story.root)
    assert bad.returncode == 1
    lines = bad.stdout.strip().splitlines()
    # The broken goto also leaves scene b unreachable: reported too.
    assert lines[-1] == "1 error, 1 warning in 2 files"
    assert "Traceback" not in bad.stderr


def test_lint_strict_counts_warnings(base_story):
    base_story.write("story.yaml", MANIFEST + "  unused: {type: int, default: 0}\n")
    normal = lint_cli(base_story.root)
    assert normal.returncode == 0
    strict = subprocess.run([sys.executable, "-m", "game", "lint", "--strict", str(base_story.root)],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert strict.returncode == 1 and "warning: variable 'unused'" in strict.stdout


def test_relative_paths_stay_relative(base_story):
    base_story.write("scenes.yaml", CONTENT.replace("goto: b", "goto: q"))
    rel = os.path.relpath(base_story.root, ROOT)
    out = subprocess.run([sys.executable, "-m", "game", "lint", rel], capture_output=True, text=True,
                         cwd=ROOT, timeout=60).stdout
    assert out.startswith(os.path.join(rel, "scenes.yaml") + ":8:15: error: unknown scene 'q'")


def test_missing_folder_and_manifest(tmp_path):
    r = lint_cli(tmp_path / "nope")
    assert r.returncode == 1 and "story folder does not exist" in r.stdout
    (tmp_path / "empty").mkdir()
    r = lint_cli(tmp_path / "empty")
    assert r.returncode == 1 and "no story.yaml" in r.stdout
