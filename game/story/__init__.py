"""The story compiler: YAML with positions, schema, expressions, lint."""

import re as _re
import sys as _sys


def _import_pyyaml() -> None:
    """Import PyYAML with the regexes its modules compile at import time made
    lazy. The compiler reads YAML with libyaml's C parser and its own
    resolver, so PyYAML's pure-Python reader and resolver patterns are never
    used; compiling them (the reader's Unicode class above all) cost ~11 ms
    of every start."""
    if "yaml" in _sys.modules:
        return
    real = _re.compile

    class LazyPattern:
        __slots__ = ("_args", "_pattern")

        def __init__(self, *args):
            self._args = args
            self._pattern = None

        def __getattr__(self, name):
            pattern = self._pattern
            if pattern is None:
                pattern = real(*self._args)
                object.__setattr__(self, "_pattern", pattern)
            return getattr(pattern, name)

    _re.compile = LazyPattern
    try:
        import yaml  # noqa: F401
    finally:
        _re.compile = real


_import_pyyaml()
