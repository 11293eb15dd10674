"""The parse cache that makes starting to play quick must never change what
a story is, hide a problem, or trust a damaged entry."""

import json

import pytest

from game.story.compiler import compile_story
from game.story.parsecache import ParseCache
from game.story.problems import StoryError
from game.story.loader import load_story

from tests.conftest import CONTENT, MANIFEST


def summary(data):
    return (data.fingerprint, sorted(data.scenes), {k: str(v) for k, v in data.variables.items()},
            [(s.id, s.title, s.text.static, [c.id for c in s.choices], s.where) for s in data.scenes.values()])


def test_a_cached_story_is_the_same_story(story_dir, tmp_path):
    story_dir.write("story.yaml", MANIFEST).write("scenes.yaml", CONTENT)
    cache = ParseCache(tmp_path / "cache")
    plain, p1 = compile_story(str(story_dir.root))
    first, p2 = compile_story(str(story_dir.root), cache)  # fills the cache
    assert len(list((tmp_path / "cache").glob("*.json"))) == 2
    again, p3 = compile_story(str(story_dir.root), cache)  # reads it
    assert summary(plain) == summary(first) == summary(again)
    assert p1 == p2 == p3


def test_problems_are_reported_with_positions_from_the_cache(story_dir, tmp_path):
    story_dir.write("story.yaml", MANIFEST).write("scenes.yaml", CONTENT)
    cache = ParseCache(tmp_path / "cache")
    compile_story(str(story_dir.root), cache)
    # Another file now names a scene that does not exist: the error is found
    # in the new file, and the unchanged file still comes from the cache.
    story_dir.write("more.yaml", "scenes:\n  - id: c\n    text: C\n    goto: nowhere\n")
    _, fresh = compile_story(str(story_dir.root))
    _, cached = compile_story(str(story_dir.root), cache)
    assert [str(p) for p in cached] == [str(p) for p in fresh]
    assert any("nowhere" in str(p) and "more.yaml:4:" in str(p) for p in cached)


def test_a_file_with_problems_is_never_cached(story_dir, tmp_path):
    story_dir.write("story.yaml", MANIFEST).write("scenes.yaml", CONTENT + "    colour: red\n")
    cache = ParseCache(tmp_path / "cache")
    _, problems = compile_story(str(story_dir.root), cache)
    assert any("unknown key 'colour'" in str(p) for p in problems)
    names = [p.name for p in (tmp_path / "cache").glob("*.json")]
    assert len(names) == 1  # the manifest only
    _, again = compile_story(str(story_dir.root), cache)
    assert [str(p) for p in again] == [str(p) for p in problems]


def _signed(payload: str) -> str:
    import hashlib
    return hashlib.sha256(payload.encode()).hexdigest() + "\n" + payload


@pytest.mark.parametrize("junk", ["{not json", '["R", 0]', _signed('["X", 1, 2, []]'), _signed("[]"),
                                  _signed('"text"'), _signed('["R", 0, 0, {"scenes": ["S"]}]'), ""])
def test_a_damaged_entry_is_ignored_and_rewritten(story_dir, tmp_path, junk):
    story_dir.write("story.yaml", MANIFEST).write("scenes.yaml", CONTENT)
    cache = ParseCache(tmp_path / "cache")
    plain, _ = compile_story(str(story_dir.root))
    compile_story(str(story_dir.root), cache)
    for entry in (tmp_path / "cache").glob("*.json"):
        entry.write_text(junk, encoding="utf-8")
    data, problems = compile_story(str(story_dir.root), cache)
    assert problems == [] and summary(data) == summary(plain)
    for entry in (tmp_path / "cache").glob("*.json"):
        digest, _, payload = entry.read_text(encoding="utf-8").partition("\n")
        json.loads(payload)  # rewritten whole


def test_an_edit_is_never_hidden_by_the_cache(story_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    story_dir.write("story.yaml", MANIFEST).write("scenes.yaml", CONTENT)
    assert load_story(str(story_dir.root), cache=True).scenes["a"].text.static is None  # "A {x}"
    story_dir.write("scenes.yaml", CONTENT.replace('"A {x}"', '"edited"'))
    assert load_story(str(story_dir.root), cache=True).scenes["a"].text.static == "edited"
    story_dir.write("scenes.yaml", CONTENT.replace("goto: b", "goto: nowhere"))
    with pytest.raises(StoryError):
        load_story(str(story_dir.root), cache=True)


def test_the_key_changes_with_the_compiler_code(tmp_path, monkeypatch):
    """A schema or reader change must not serve records cached by the old code."""
    from game.story import parsecache, schema as S
    from game.story.compiler import SourceFile

    cache = parsecache.ParseCache(tmp_path)
    sf = SourceFile("x.yaml", "x.yaml", b"scenes: []\n")
    before = cache.key(sf, S.CONTENT)
    monkeypatch.setattr(parsecache, "_code_digest", b"another compiler")
    assert cache.key(sf, S.CONTENT) != before
