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



def record(cls=None, *, frozen: bool = True, order: bool = False):
    def build(cls):
        names = tuple(n for n in cls.__dict__.get("__annotations__", {}) if not n.startswith("__"))
        defaults = {n: cls.__dict__[n] for n in names if n in cls.__dict__}
        required = tuple(n for n in names if n not in defaults)
        nf = len(names)
        post_init = getattr(cls, "__post_init__", None)

        fieldset = frozenset(names)

        def __init__(self, *args, **kw):
            d = self.__dict__  # written directly: a frozen record refuses setattr
            if not kw and len(args) == nf:
                d.update(zip(names, args))
            else:
                if len(args) > nf:
                    raise TypeError(f"{cls.__name__}() takes {nf} fields, {len(args)} given")
                values = dict(defaults)
                values.update(zip(names, args))
                for key in kw:
                    if key not in fieldset or key in names[:len(args)]:
                        raise TypeError(f"{cls.__name__}() got an unexpected or repeated field '{key}'")
                values.update(kw)
                missing = [n for n in required if n not in values]
                if missing:
                    raise TypeError(f"{cls.__name__}() missing field(s) {', '.join(missing)}")
                d.update(values)
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
