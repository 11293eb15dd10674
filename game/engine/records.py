"""`record`: a frozen value class, like `@dataclass(frozen=True)`, built
without generating code.

dataclasses compiles an `__init__`, `__eq__`, `__hash__`, ... with `exec`
for every class: ~1.3 ms each, and the game defines enough of them on its
start-up path to cost ~20 ms before the first scene is painted (see
tests/benchmarks/bench_startup.py). These generic methods cost nothing to
define. Fields are the class's annotations in order; a class attribute of
the same name is its default.
"""

from __future__ import annotations



_set = object.__setattr__


def record(cls=None, *, frozen: bool = True, order: bool = False):
    def build(cls):
        names = tuple(n for n in cls.__dict__.get("__annotations__", {}) if not n.startswith("__"))
        defaults = {n: cls.__dict__[n] for n in names if n in cls.__dict__}
        required = tuple(n for n in names if n not in defaults)
        nf = len(names)
        post_init = getattr(cls, "__post_init__", None)

        fieldset = frozenset(names)
        template = dict.fromkeys(names)  # field order, whatever order a call gives them in
        template.update(defaults)
        position = {n: i for i, n in enumerate(names)}

        def __init__(self, *args, **kw):
            # The fields go in a dict of the record's own, in field order, set
            # as its __dict__ (a frozen record refuses setattr). Not the
            # instance's shared-key dict: once materialised, CPython 3.11 reads
            # its attributes on the slow generic path every time (attribute
            # reads are specialised, LOAD_ATTR_WITH_HINT, only for a dict of
            # the object's own), about half the speed; scenes and choices are
            # read on every step of play.
            n = len(args)
            if not kw and n == nf:
                _set(self, "__dict__", dict(zip(names, args)))
            else:
                if n > nf:
                    raise TypeError(f"{cls.__name__}() takes {nf} fields, {n} given")
                for key in kw:
                    if key not in fieldset or position[key] < n:
                        raise TypeError(f"{cls.__name__}() got an unexpected or repeated field '{key}'")
                values = template.copy()
                if n:
                    values.update(zip(names, args))
                values.update(kw)
                missing = [f for f in required if position[f] >= n and f not in kw]
                if missing:
                    raise TypeError(f"{cls.__name__}() missing field(s) {', '.join(missing)}")
                _set(self, "__dict__", values)
            if post_init is not None:
                post_init(self)

        def astuple(self):
            d = self.__dict__
            return tuple(d[n] for n in names)

        def __eq__(self, other):
            if other.__class__ is not self.__class__:
                return NotImplemented
            return astuple(self) == astuple(other)

        def __repr__(self):
            d = self.__dict__
            return f"{cls.__name__}({', '.join(f'{n}={d[n]!r}' for n in names)})"

        cls.__init__ = __init__
        cls.__eq__ = __eq__
        cls.__repr__ = __repr__
        cls.__record_fields__ = names
        cls.__record_required__ = required
        if frozen:
            def __setattr__(self, name, value):
                raise AttributeError(f"cannot assign to field '{name}': a {cls.__name__} is read-only")

            def __delattr__(self, name):
                raise AttributeError(f"cannot delete field '{name}': a {cls.__name__} is read-only")

            cls.__setattr__ = __setattr__
            cls.__delattr__ = __delattr__
            cls.__hash__ = lambda self: hash(astuple(self))
        else:
            cls.__hash__ = None
        if order:
            def _cmp(op):
                def method(self, other):
                    if other.__class__ is not self.__class__:
                        return NotImplemented
                    return op(astuple(self), astuple(other))
                return method
            cls.__lt__ = _cmp(lambda a, b: a < b)
            cls.__le__ = _cmp(lambda a, b: a <= b)
            cls.__gt__ = _cmp(lambda a, b: a > b)
            cls.__ge__ = _cmp(lambda a, b: a >= b)
        return cls

    return build if cls is None else build(cls)
