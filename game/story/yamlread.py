"""Reading YAML safely, keeping every node's position.

libyaml composes the node graph (fast, no object construction); we then walk it
ourselves with YAML 1.2 core-schema scalars, so `no` stays a string. Limits
guard against hostile files: size, nesting depth, alias expansion, tags.
"""

from __future__ import annotations

import re

import yaml
from yaml.nodes import Node, ScalarNode, SequenceNode

from game.engine.safetext import FORBIDDEN, FORBIDDEN_IN_FILE as _RAW_FORBIDDEN, char_name

from .problems import MAX_FILE_BYTES, Pos, Reporter, YamlProblem, pos_of  # noqa: F401 (re-exported)

try:  # libyaml when present, the pure-Python parser otherwise
    from yaml.cyaml import CParser as _Parser
    from yaml.cyaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml.parser import Parser as _Parser  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 64
MAX_NODES = 500_000  # per file, counting every alias expansion
MAX_INT_DIGITS = 18  # beyond any bound the format has; int() of 4,300+ digits raises

_STD = "tag:yaml.org,2002:"
# What our resolver gives an untagged plain scalar: resolved later by YAML 1.2
# core rules (PyYAML's own resolver is YAML 1.1, where `no` is false).
PLAIN = "!plain"
# Tags a plain scalar may carry from implicit resolution; we re-resolve those.
_EXPLICIT_SCALAR = {_STD + "str", _STD + "int", _STD + "bool", _STD + "null", _STD + "float"}
_ALLOWED_TAGS = _EXPLICIT_SCALAR | {_STD + "map", _STD + "seq", "!", "!plain"}
_INT = re.compile(r"[-+]?[0-9]+$")
_INT_OCT = re.compile(r"0o[0-7]+$")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_FLOAT_SPECIAL = re.compile(r"[-+]?\.(inf|Inf|INF)$|\.(nan|NaN|NAN)$")


def read_text(path: str, data: bytes, rep: Reporter) -> str | None:
    """Bytes to text, or a positioned problem (size, UTF-8)."""
    if len(data) > MAX_FILE_BYTES:
        rep.error(Pos(path, 1, 1), f"file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,} (5 MB)")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        rep.error(Pos(path, line, col), f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return _refuse_raw_controls(path, text, rep)




def _refuse_raw_controls(path: str, text: str, rep: Reporter) -> str:
    """Each control or bidi character written into the file is an error at
    its own line and column. The file is still read (each one read as a
    space), so every other problem in it is reported too."""
    found = _RAW_FORBIDDEN.search(text)
    if found is None:
        return text
    for m in _RAW_FORBIDDEN.finditer(text):
        i = m.start()
        line = text.count("\n", 0, i) + 1
        col = i - (text.rfind("\n", 0, i) + 1) + 1
        rep.error(Pos(path, line, col), f"character {char_name(m.group())} is not allowed in a story file "
                                        "(control and text-direction characters could act on the player's terminal)")
    return _RAW_FORBIDDEN.sub(" ", text)


_DEEP_INDENT = re.compile(r"^ {%d,}\S" % MAX_DEPTH, re.MULTILINE)


def _depth_suspect(text: str) -> bool:
    """Cheap over-estimate of nesting: deep indentation, or bracket pairs
    that still nest after peeling the innermost ones MAX_DEPTH times."""
    if _DEEP_INDENT.search(text):
        return True
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    brackets = re.sub(r"[^\[\]{}]+", "", text)
    for _ in range(MAX_DEPTH + 1):
        peeled = brackets.replace("[]", "").replace("{}", "")
        if peeled == brackets:
            return False
        brackets = peeled
    return True


def _check_depth_by_events(path: str, text: str) -> None:
    """Exact nesting check on the event stream (iterative: libyaml's composer
    recurses in C and would crash on a 100,000-deep document)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                m = event.start_mark
                raise YamlProblem(Pos(path, m.line + 1, m.column + 1), f"nesting deeper than {MAX_DEPTH} levels")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


class _PlainResolver:
    """Tags untagged nodes by kind only; explicit tags are kept as written."""

    def descend_resolver(self, *args):
        pass

    def ascend_resolver(self, *args):
        pass

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            return PLAIN if implicit[0] else _STD + "str"
        return _STD + ("seq" if kind is SequenceNode else "map")


if "_yaml" in getattr(_Parser, "__module__", ""):  # libyaml's CParser
    class _ComposeLoader(_Parser, _PlainResolver):  # type: ignore[misc, valid-type]
        def __init__(self, stream):
            _Parser.__init__(self, stream)
else:  # pragma: no cover - pure-Python PyYAML
    from yaml.composer import Composer
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _ComposeLoader(Reader, Scanner, _Parser, Composer, _PlainResolver):  # type: ignore[no-redef]
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _Parser.__init__(self)
            Composer.__init__(self)


def _check_size_by_events(path: str, text: str) -> None:
    """Count values on the event stream before any node is built: composing
    a 5 MB file of `[1,1,1,…]` would hold 2.5 million nodes (~750 MB)."""
    n = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)):
            n += 1
            if n > MAX_NODES:
                m = event.start_mark
                raise YamlProblem(Pos(path, m.line + 1, m.column + 1),
                                  f"the file holds more than {MAX_NODES:,} values; split it or shorten it")


def compose(path: str, text: str) -> Node | None:
    """The document's root node (None for an empty file), or YamlProblem."""
    try:
        if _depth_suspect(text):
            _check_depth_by_events(path, text)
        # Every value needs a separator of some kind: few of them, few values.
        if text.count(",") + text.count("\n") + text.count(":") > MAX_NODES:
            _check_size_by_events(path, text)
        loader = _ComposeLoader(text)
        try:
            return loader.get_single_node()
        finally:
            getattr(loader, "dispose", lambda: None)()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Pos(path, mark.line + 1, mark.column + 1) if mark else Pos(path, 1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            what = f"{exc.context}, {exc.problem}"
        raise YamlProblem(where, f"YAML syntax: {what}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Pos(path, 1, 1), f"YAML syntax: {exc}") from None


class Walker:
    """Turns nodes into Python values under the limits, YAML 1.2 core schema."""

    def __init__(self, path: str, rep: Reporter, text: str = ""):
        self.path = path
        self.rep = rep
        self.text = text  # the file's text, to place characters that escapes produce
        self.nodes = 0

    def budget(self, node: Node, depth: int) -> bool:
        if node.tag not in _ALLOWED_TAGS:
            raise YamlProblem(pos_of(self.path, node), f"tag {_short_tag(node.tag)} is not allowed "
                                                       "(only plain YAML: no !!python or custom tags)")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlProblem(pos_of(self.path, node), f"document expands to more than {MAX_NODES:,} values (alias bomb?)")
        if depth > MAX_DEPTH:
            raise YamlProblem(pos_of(self.path, node), f"nesting deeper than {MAX_DEPTH} levels")
        return True

    def scalar(self, node: ScalarNode):
        """The scalar's value: str, int, float, bool or None."""
        tag = node.tag
        value = node.value
        if node.style == '"' and FORBIDDEN.search(value):
            self._refuse_escaped_controls(node)
        if "\t" in value:
            value = value.expandtabs(4)  # tabs become spaces: a terminal would obey them
        if tag is PLAIN or tag == PLAIN:
            return self._plain(node, value)
        if tag == _STD + "str" or tag == "!":
            return value
        if tag in _EXPLICIT_SCALAR:
            resolved = self._plain(node, value)
            want = tag[len(_STD):]
            ok = {"int": int, "bool": bool, "null": type(None), "float": (float, int)}[want]
            if isinstance(resolved, ok) and not (want == "int" and isinstance(resolved, bool)):
                return resolved
            raise YamlProblem(pos_of(self.path, node), f"value {value!r} is not a valid !!{want}")
        raise YamlProblem(pos_of(self.path, node), f"tag {_short_tag(tag)} is not allowed (only plain YAML: no !!python or custom tags)")

    def _plain(self, node: ScalarNode, value: str):
        try:
            return resolve_plain(value)
        except OverflowError as exc:
            raise YamlProblem(pos_of(self.path, node), str(exc)) from None

    def _refuse_escaped_controls(self, node: ScalarNode) -> None:
        """A double-quoted escape (`"\\e[2J"`, `"\\u202e"`) that yields a
        forbidden character: an error at the escape, naming the character."""
        start, end = node.start_mark.index, node.end_mark.index
        src = self.text[start:end]
        reported = False
        for m in _ESCAPE.finditer(src):
            ch = _unescape(m.group(1))
            if ch is not None and FORBIDDEN.match(ch):
                i = start + m.start()
                line = self.text.count("\n", 0, i) + 1
                col = i - (self.text.rfind("\n", 0, i) + 1) + 1
                self.rep.error(Pos(self.path, line, col), f"character {char_name(ch)} (written `{m.group()}`) is not "
                               "allowed in story text (control and text-direction characters could act on the "
                               "player's terminal)")
                reported = True
        if not reported:  # cannot place it (no source text): at the value
            ch = FORBIDDEN.search(node.value).group()
            self.rep.error(pos_of(self.path, node), f"character {char_name(ch)} is not allowed in story text")

    def check_collection_tag(self, node: Node) -> None:
        if node.tag not in (_STD + "map", _STD + "seq", _STD + "omap", "!"):
            raise YamlProblem(pos_of(self.path, node), f"tag {_short_tag(node.tag)} is not allowed (only plain YAML: no !!python or custom tags)")


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_STD):] if tag.startswith(_STD) else tag


_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
                   "e": "\x1b", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}


def _unescape(body: str) -> str | None:
    if body[0] in "xuU" and len(body) > 1:
        try:
            return chr(int(body[1:], 16))
        except (ValueError, OverflowError):
            return None
    return _SIMPLE_ESCAPES.get(body)


def resolve_plain(value: str):
    """YAML 1.2 core schema for a plain scalar (OverflowError for a number
    with more digits than any value of the format needs)."""
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    low = value.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    if _INT.match(value) or _INT_OCT.match(value) or _INT_HEX.match(value):
        digits = value.lstrip("+-")
        if len(digits) > MAX_INT_DIGITS + (2 if digits[:2] in ("0o", "0x") else 0):
            raise OverflowError(f"number {value[:12]}… ({len(digits):,} digits) is too large; "
                                f"numbers in a story have at most {MAX_INT_DIGITS} digits")
        if _INT.match(value):
            return int(value)
        return int(value[2:], 8 if value[1] == "o" else 16)
    if _FLOAT.match(value) and any(ch.isdigit() for ch in value):
        return float(value)
    if _FLOAT_SPECIAL.match(value):
        return float(value.replace(".", "", 1))
    return value
