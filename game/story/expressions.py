"""The expression language of §5: parsed once at load, run as closures.

Python's `ast` does the tokenising; everything it produces is walked against an
allow-list, type-checked against the declared variables, and compiled into
plain closures over the playthrough. Nothing is parsed, and nothing but these
closures runs, during play.

A compiled expression takes the playthrough `p` and reads `p.vars`,
`p.visits`, `p.chosen` and `p.chance(n)`.
"""

from __future__ import annotations

import ast
import operator
import re
from typing import Any, Callable

from game.engine.errors import StoryRuntimeError
from game.engine.model import EMPTY_SET, SetValue, VarDef

from .problems import did_you_mean

MAX_EXPR_CHARS = 500
MAX_LITERAL = 1_000_000_000
INT, BOOL, STR, SET = "int", "bool", "str", "set"
FUNCTIONS = ("visited", "chose", "chance", "min", "max", "abs", "random", "len")
MAX_NESTED_EFFECTS = 8

_CMP = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
    ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
}
_CMP_TEXT = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
def _div(a: int, b: int) -> int:
    """Integer division rounding toward zero."""
    if b == 0:
        raise StoryRuntimeError(f"division by zero ({a} / 0)")
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _mod(a: int, b: int) -> int:
    """The remainder with the sign of the left operand."""
    if b == 0:
        raise StoryRuntimeError(f"remainder by zero ({a} % 0)")
    r = abs(a) % abs(b)
    return -r if a < 0 else r


_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: _div, ast.Mod: _mod}
_ARITH_SYM = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}
_FORBIDDEN = {
    ast.Pow: "`**` is not part of the language (only + - * / %)",
    ast.FloorDiv: "`//` is not part of the language: `/` already divides whole numbers (rounding toward zero)",
    ast.Attribute: "attribute access (`a.b`) is not allowed",
    ast.Subscript: "indexing (`a[b]`) is not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.NamedExpr: "`:=` is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.IfExp: "`x if c else y` is not allowed (use goto branches or conditional paragraphs)",
    ast.List: "lists are not allowed, except as the value of a set (`known = ['a']`, `known == []`)",
    ast.Tuple: "tuples are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Set: "sets are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.Starred: "`*` unpacking is not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
}


class ExprError(Exception):
    """A problem in one expression; `offset` is the 0-based column inside it."""

    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.message = message
        self.offset = offset


class Scope:
    """What an expression may name, and what compiling records. A plain
    class (not a dataclass): `lint` would import dataclasses for it alone."""

    def __init__(self, variables: dict[str, VarDef], scenes: set[str], choice_ids: dict[str, set[str]],
                 incomplete: bool = False):
        self.variables = variables
        self.scenes = scenes
        self.choice_ids = choice_ids  # scene -> explicit choice ids
        self.incomplete = incomplete  # a file could not be read: ids may be missing
        self.reads: set[str] = set()  # for the never-read warning
        self.local: set[str] = set()  # reads of the expressions since the last reset
        self.count_constants: set[int] = set()
        self.counted_scenes: set[str] = set()  # named in visited()
        self.counted_choices: set[str] = set()  # named in chose()
        # For exploration: names read where they can change what happens next
        # (conditions, gotos, triggers), and what each effect's value depends on.
        self.in_text = False
        self.decision_reads: set[str] = set()
        # Read by a condition inside a text (a paragraph's `if`, `{if C: …}`):
        # these steer what the player reads, though not what happens next.
        self.text_cond_reads: set[str] = set()
        self.in_cond = False
        self.effect_deps: dict[str, set[str]] = {}
        # Set when an expression draws from the random source (chance, random)
        # or may fail at run time (a computed divisor): a scene whose offer holds
        # one decides it at entry (format §11.1), inside the step.
        self.draws = False
        self.parsed: dict = {}  # (source, mode) -> tree, for this compile only
        self.compiled: dict = {}  # see _once, for this compile only
        # Names that are not variables, each a (type, fn of the playthrough):
        # `ended` in an achievement's `when` (§11.10).
        self.specials: dict = {}

    def take_local(self) -> frozenset:
        out = frozenset(self.local)
        self.local = set()
        return out


class Compiled:
    # A plain class: created for every sub-expression, and defined on the
    # start-up path (a dataclass costs ~1.3 ms to define).
    __slots__ = ("fn", "type", "const", "is_const", "uses_counts")

    def __init__(self, fn: Callable[[Any], Any], type: str, const: Any = None, is_const: bool = False,
                 uses_counts: bool = False):
        self.fn = fn
        self.type = type
        self.const = const
        self.is_const = is_const
        self.uses_counts = uses_counts


def _node_offset(node: ast.AST) -> int:
    return getattr(node, "col_offset", 0)


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
# Python's literals that §5 does not have: 0x10, 0o7, 0b1, 1_000.
_NUMBER_FORMS = re.compile(r"(?<![A-Za-z0-9_])[0-9][0-9]*[_xXoObB]")


def _check_text(src: str) -> None:
    if len(src) > MAX_EXPR_CHARS:
        raise ExprError(f"expression is {len(src)} characters long; the limit is {MAX_EXPR_CHARS}")
    bare = _QUOTED.sub(lambda m: "''".ljust(len(m.group()), " "), src) if ("'" in src or '"' in src) else src
    if "#" in bare:
        raise ExprError("`#` is not part of the expression language (expressions have no comments)", bare.index("#"))
    m = _NUMBER_FORMS.search(bare)
    if m is not None:
        raise ExprError("numbers are written in plain decimal digits (no 0x, 0o, 0b or _)", m.start())
    if src.isascii() and "\n" not in src and "\\" not in src:
        return  # the common case: nothing below can object
    quote = None
    for i, ch in enumerate(src):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif not ch.isascii():
            raise ExprError(f"character '{ch}' (U+{ord(ch):04X}) is not allowed outside quotes: names are lowercase ASCII", i)
        elif ch == "\n" or ch == "\\":
            raise ExprError("an expression must stay on one line", i)


def _parse(src: str, mode: str, scope: "Scope") -> ast.AST:
    """Stories repeat the same few expressions (`trust += 1`) hundreds of
    times; the parsed trees are only read, so each source is parsed once per
    compile (the cache belongs to the compile's Scope, not to the process)."""
    cache = scope.parsed
    tree = cache.get((src, mode))
    if tree is None:
        tree = cache[(src, mode)] = _parse_new(src, mode)
    return tree


def _parse_new(src: str, mode: str) -> ast.AST:
    _check_text(src)
    try:
        return ast.parse(src.strip(), mode=mode)
    except SyntaxError as exc:
        offset = max((exc.offset or 1) - 1, 0)
        msg = exc.msg
        if "=" in src and mode == "eval" and "==" not in src and "invalid syntax" in msg:
            msg = "invalid syntax (to compare, write ==)"
        elif "&&" in src or "||" in src:
            msg = "invalid syntax (write `and` / `or`)"
        raise ExprError(f"expression syntax: {msg}", offset) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExprError("expression could not be parsed") from None


# What compiling an expression records in its Scope: replayed, not
# recomputed, when the same source is compiled again (see _once).
_RECORDED_SETS = ("reads", "local", "decision_reads", "text_cond_reads", "count_constants", "counted_scenes",
                  "counted_choices")


def _once(scope: Scope, key: tuple, make: Callable[[], Any]):
    """`make()` once per compile for each distinct key (an expression's
    source and the context that changes what it records), its result shared
    by every place that writes the same source: the compiled functions are
    pure, and what compiling recorded in the scope (the names read, the
    visit counts named, whether it draws) is replayed at each place, as if
    compiled there. A story repeats a few dozen expressions thousands of
    times (`trust += 1`); compiling each anew was ~15% of `lint`. A result
    that needs its own place (`per_site`, see compile_effect) is not kept."""
    hit = scope.compiled.get(key)
    if hit is not None:
        value, sets, deps, draws = hit
        for name, names in zip(_RECORDED_SETS, sets):
            if names:
                getattr(scope, name).update(names)
        for target, names in deps:
            scope.effect_deps.setdefault(target, set()).update(names)
        if draws:
            scope.draws = True
        return value
    saved = [getattr(scope, name) for name in _RECORDED_SETS]
    saved_deps, saved_draws = scope.effect_deps, scope.draws
    fresh = [set() for _ in _RECORDED_SETS]
    for name, new in zip(_RECORDED_SETS, fresh):
        setattr(scope, name, new)
    scope.effect_deps, scope.draws = {}, False
    try:
        value = make()
    finally:
        fresh_deps, drew = scope.effect_deps, scope.draws
        for name, old, new in zip(_RECORDED_SETS, saved, fresh):
            old |= new
            setattr(scope, name, old)
        for target, names in fresh_deps.items():
            saved_deps.setdefault(target, set()).update(names)
        scope.effect_deps, scope.draws = saved_deps, saved_draws or drew
    if not getattr(value, "per_site", False):
        scope.compiled[key] = (value, tuple(frozenset(x) for x in fresh),
                               tuple((t, frozenset(n)) for t, n in fresh_deps.items()), drew)
    return value


def compile_condition(src: str, scope: Scope) -> Compiled:
    return _once(scope, ("cond", src, scope.in_text, tuple(scope.specials)), lambda: _compile_condition(src, scope))


def _compile_condition(src: str, scope: Scope) -> Compiled:
    tree = _parse(src, "eval", scope)
    outer, scope.in_cond = scope.in_cond, True
    try:
        c = _compile(tree.body, scope)
    finally:
        scope.in_cond = outer
    if c.type != BOOL:
        raise ExprError(f"a condition must be true or false, but this is {_a(c.type)}")
    return c


def compile_int(src: str, scope: Scope) -> Compiled:
    tree = _parse(src, "eval", scope)
    return _compile(tree.body, scope)


def _a(t: str) -> str:
    return {"int": "a number", "bool": "true/false", "str": "text", "set": "a set"}[t]


def _const(value: Any, type_: str) -> Compiled:
    return Compiled(lambda p, v=value: v, type_, value, True)


def _compile(node: ast.AST, scope: Scope) -> Compiled:
    off = _node_offset(node)
    kind = type(node)
    if kind in _FORBIDDEN:
        raise ExprError(_FORBIDDEN[kind], off)
    if kind is ast.Constant:
        v = node.value
        if isinstance(v, bool) or v is None or isinstance(v, (float, complex, bytes)) or v is Ellipsis:
            raise ExprError(f"literal {ast.unparse(node)} is not allowed (numbers are whole, booleans are true/false)", off)
        if isinstance(v, int):
            if abs(v) > MAX_LITERAL:
                raise ExprError(f"number {v} is too large (the limit is {MAX_LITERAL:,})", off)
            return _const(v, INT)
        if isinstance(v, str):
            return _const(v, STR)
        raise ExprError("unsupported literal", off)
    if kind is ast.Name:
        name = node.id
        if name == "true":
            return _const(True, BOOL)
        if name == "false":
            return _const(False, BOOL)
        special = scope.specials.get(name)
        if special is not None:
            return Compiled(special[1], special[0])
        var = scope.variables.get(name)
        if var is None:
            hint = did_you_mean(name, list(scope.variables) + list(scope.specials) + ["true", "false"])
            if name in ("True", "False"):
                hint = f" (write {name.lower()})"
            raise ExprError(f"undeclared variable '{name}'{hint}", off)
        scope.reads.add(name)
        scope.local.add(name)
        if not scope.in_text:
            scope.decision_reads.add(name)
        elif scope.in_cond:
            scope.text_cond_reads.add(name)
        return Compiled(lambda p, n=name: p.vars[n], var.type)
    if kind is ast.UnaryOp:
        operand = _compile(node.operand, scope)
        if isinstance(node.op, ast.Not):
            if operand.type != BOOL:
                raise ExprError(f"`not` needs true/false, not {_a(operand.type)}", off)
            if operand.is_const:
                return _const(not operand.const, BOOL)
            f = operand.fn
            return Compiled(lambda p: not f(p), BOOL, uses_counts=operand.uses_counts)
        if isinstance(node.op, ast.USub):
            if operand.type != INT:
                raise ExprError(f"unary minus needs a number, not {_a(operand.type)}", off)
            if operand.is_const:
                return _const(-operand.const, INT)
            f = operand.fn
            return Compiled(lambda p: -f(p), INT, uses_counts=operand.uses_counts)
        raise ExprError(f"operator `{ast.unparse(node)[0]}` is not allowed (only -, not)", off)
    if kind is ast.BinOp:
        op = type(node.op)
        if op not in _ARITH:
            raise ExprError(_FORBIDDEN.get(op, f"operator in `{ast.unparse(node)}` is not allowed (only + - * / %)"), off)
        left, right = _compile(node.left, scope), _compile(node.right, scope)
        for side in (left, right):
            if side.type != INT:
                sym = _ARITH_SYM[op]
                raise ExprError(f"`{sym}` needs numbers on both sides, not {_a(side.type)}", off)
        fn_op = _ARITH[op]
        if op in (ast.Div, ast.Mod) and right.is_const and right.const == 0:
            raise ExprError(f"{'division' if op is ast.Div else 'remainder'} by zero: the right side of "
                            f"`{_ARITH_SYM[op]}` is 0", _node_offset(node.right))
        if left.is_const and right.is_const:
            return _const(fn_op(left.const, right.const), INT)
        if op in (ast.Div, ast.Mod) and not right.is_const:
            # May fail at run time: an offer holding it is decided on entry,
            # inside the step, where a failure is rolled back.
            scope.draws = True
        lf, rf = left.fn, right.fn
        return Compiled(lambda p: fn_op(lf(p), rf(p)), INT, uses_counts=left.uses_counts or right.uses_counts)
    if kind is ast.BoolOp:
        parts = [_compile(v, scope) for v in node.values]
        for part in parts:
            if part.type != BOOL:
                word = "and" if isinstance(node.op, ast.And) else "or"
                raise ExprError(f"`{word}` needs true/false on both sides, not {_a(part.type)}", off)
        is_and = isinstance(node.op, ast.And)
        uses = any(p.uses_counts for p in parts)
        if all(p.is_const for p in parts):
            vals = [p.const for p in parts]
            return _const(all(vals) if is_and else any(vals), BOOL)
        if is_and and any(p.is_const and not p.const for p in parts):
            return _const(False, BOOL)
        if not is_and and any(p.is_const and p.const for p in parts):
            return _const(True, BOOL)
        fns = [p.fn for p in parts if not p.is_const]
        fn = fns[0]
        for nxt in fns[1:]:
            fn = (lambda a, b: (lambda p: a(p) and b(p)))(fn, nxt) if is_and else \
                 (lambda a, b: (lambda p: a(p) or b(p)))(fn, nxt)
        return Compiled(fn, BOOL, uses_counts=uses)
    if kind is ast.Compare:
        return _compare(node, scope)
    if kind is ast.Call:
        return _call(node, scope)
    raise ExprError(f"`{_safe_unparse(node)}` is not part of the expression language", off)


def _safe_unparse(node: ast.AST) -> str:
    try:
        return ast.unparse(node)[:40]
    except Exception:  # pragma: no cover - defensive
        return type(node).__name__


def _set_var(node: ast.AST, scope: Scope) -> VarDef | None:
    if isinstance(node, ast.Name):
        var = scope.variables.get(node.id)
        if var is not None and var.type == SET:
            return var
    return None


def set_literal(node: ast.List, var: VarDef | None) -> SetValue:
    """`['a', 'b']` as the value of a set variable (its members in `values` order)."""
    members = []
    for elt in node.elts:
        if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
            raise ExprError("a set is written as a list of quoted values, e.g. ['ozaki', 'miyagi']", _node_offset(elt))
        if var is not None and elt.value not in var.values:
            raise ExprError(f"'{elt.value}' is not a value of '{var.name}' (its values: {', '.join(var.values)})"
                            + did_you_mean(elt.value, var.values), _node_offset(elt))
        members.append(elt.value)
    if var is None:
        return SetValue(sorted(set(members)))
    have = set(members)
    return SetValue(v for v in var.values if v in have)


def _compare(node: ast.Compare, scope: Scope) -> Compiled:
    off = _node_offset(node)
    exprs = [node.left] + list(node.comparators)
    if any(type(o) in (ast.In, ast.NotIn) for o in node.ops):
        if len(node.ops) != 1:
            raise ExprError("`in` / `not in` cannot be chained with other comparisons", off)
        return _membership(node, scope)
    if any(isinstance(e, ast.List) for e in exprs):
        if len(node.ops) != 1 or type(node.ops[0]) not in (ast.Eq, ast.NotEq):
            raise ExprError("a set compares with == or != only (e.g. `known == []`)", off)
        lit_node, other = (exprs[0], exprs[1]) if isinstance(exprs[0], ast.List) else (exprs[1], exprs[0])
        if isinstance(other, ast.List):
            raise ExprError("compare a set variable with a list of values, e.g. `known == []`", off)
        o = _compile(other, scope)
        if o.type != SET:
            raise ExprError(f"lists are not allowed here: a list of values compares only with a set, not "
                            f"{_a(o.type)}", off)
        lit = set_literal(lit_node, _set_var(other, scope))
        f = o.fn
        if type(node.ops[0]) is ast.Eq:
            return Compiled(lambda p: f(p) == lit, BOOL)
        return Compiled(lambda p: f(p) != lit, BOOL)
    items = [_compile(node.left, scope)] + [_compile(c, scope) for c in node.comparators]
    uses = any(i.uses_counts for i in items)
    for i, op in enumerate(node.ops):
        a, b = items[i], items[i + 1]
        opt = type(op)
        if opt not in _CMP:
            raise ExprError(f"`{ast.unparse(node)}`: only == != < <= > >= in, not in compare (no `is`)", off)
        if a.type != b.type:
            raise ExprError(f"cannot compare {_a(a.type)} with {_a(b.type)} using {_CMP_TEXT[opt]}", off)
        if a.type != INT and opt not in (ast.Eq, ast.NotEq):
            raise ExprError(f"{_CMP_TEXT[opt]} compares numbers, not {_a(a.type)}", off)
        if a.type == STR:
            _check_str_values(exprs[i], exprs[i + 1], a, b, scope)
        if uses:
            for side in (a, b):
                if side.is_const and side.type == INT:
                    scope.count_constants.add(side.const)
    if all(i.is_const for i in items):
        result = all(_CMP[type(op)](items[k].const, items[k + 1].const) for k, op in enumerate(node.ops))
        return _const(result, BOOL)
    if len(node.ops) == 1:
        fop = _CMP[type(node.ops[0])]
        a, b = items
        if b.is_const and isinstance(exprs[0], ast.Name) and not a.is_const:
            return Compiled(_var_vs_const(type(node.ops[0]), exprs[0].id, b.const), BOOL, uses_counts=uses)
        af, bf = a.fn, b.fn
        return Compiled(lambda p: fop(af(p), bf(p)), BOOL, uses_counts=uses)
    fns = [i.fn for i in items]
    ops = [_CMP[type(o)] for o in node.ops]

    def chained(p):
        left = fns[0](p)
        for op_, f in zip(ops, fns[1:]):
            right = f(p)
            if not op_(left, right):
                return False
            left = right
        return True

    return Compiled(chained, BOOL, uses_counts=uses)


def _membership(node: ast.Compare, scope: Scope) -> Compiled:
    off = _node_offset(node)
    left, right = _compile(node.left, scope), _compile(node.comparators[0], scope)
    if right.type != SET:
        raise ExprError(f"`in` needs a set on its right, not {_a(right.type)}", _node_offset(node.comparators[0]))
    if left.type != STR:
        raise ExprError(f"`in` needs a value (text) on its left, not {_a(left.type)}", off)
    var = _set_var(node.comparators[0], scope)
    if var is not None and left.is_const and left.const not in var.values:
        raise ExprError(f"'{left.const}' is not a value of '{var.name}' (its values: {', '.join(var.values)})"
                        + did_you_mean(left.const, var.values), off)
    rf = right.fn
    if left.is_const:
        c = left.const
        if type(node.ops[0]) is ast.In:
            return Compiled(lambda p: c in rf(p), BOOL)
        return Compiled(lambda p: c not in rf(p), BOOL)
    lf = left.fn
    if type(node.ops[0]) is ast.In:
        return Compiled(lambda p: lf(p) in rf(p), BOOL)
    return Compiled(lambda p: lf(p) not in rf(p), BOOL)


def _var_vs_const(op, name: str, c) -> Callable:
    """`name OP constant`, the commonest condition, without an operator call."""
    if op is ast.GtE:
        return lambda p: p.vars[name] >= c
    if op is ast.Gt:
        return lambda p: p.vars[name] > c
    if op is ast.LtE:
        return lambda p: p.vars[name] <= c
    if op is ast.Lt:
        return lambda p: p.vars[name] < c
    if op is ast.Eq:
        return lambda p: p.vars[name] == c
    return lambda p: p.vars[name] != c


def _check_str_values(x: ast.AST, y: ast.AST, a: Compiled, b: Compiled, scope: Scope) -> None:
    for var_node, lit in ((x, b), (y, a)):
        if isinstance(var_node, ast.Name) and lit.is_const and var_node.id in scope.variables:
            var = scope.variables[var_node.id]
            if var.values and lit.const not in var.values:
                raise ExprError(f"'{lit.const}' is not a value of '{var.name}' (its values: "
                                f"{', '.join(var.values)}){did_you_mean(lit.const, var.values)}", _node_offset(var_node))


def _call(node: ast.Call, scope: Scope) -> Compiled:
    off = _node_offset(node)
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        name = node.func.id if isinstance(node.func, ast.Name) else _safe_unparse(node.func)
        raise ExprError(f"unknown function '{name}' (only {', '.join(FUNCTIONS)}){did_you_mean(name, FUNCTIONS)}", off)
    fname = node.func.id
    if node.keywords:
        raise ExprError(f"{fname}() takes no keyword arguments", off)
    if fname in ("min", "max", "random"):
        return _int_function(node, fname, scope)
    if len(node.args) != 1:
        raise ExprError(f"{fname}() takes exactly one argument", off)
    arg = node.args[0]
    if fname == "abs":
        a = _compile(arg, scope)
        if a.type != INT:
            raise ExprError(f"abs() takes a number, not {_a(a.type)}", off)
        if a.is_const:
            return _const(abs(a.const), INT)
        f = a.fn
        return Compiled(lambda p: abs(f(p)), INT, uses_counts=a.uses_counts)
    if fname == "len":
        a = _compile(arg, scope)
        if a.type != SET:
            raise ExprError(f"len() takes a set, not {_a(a.type)}", off)
        f = a.fn
        return Compiled(lambda p: len(f(p)), INT)
    if fname == "visited":
        if not isinstance(arg, ast.Name):
            raise ExprError("visited() takes a scene id, e.g. visited(prague_offer)", off)
        sid = arg.id
        if sid not in scope.scenes and not scope.incomplete:
            raise ExprError(f"unknown scene '{sid}' in visited(){did_you_mean(sid, scope.scenes)}", _node_offset(arg))
        scope.counted_scenes.add(sid)
        scope.local.add("@v:" + sid)  # for liveness: a read of the visit count
        return Compiled(lambda p: p.visits.get(sid, 0), INT, uses_counts=True)
    if fname == "chose":
        if not (isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name)):
            raise ExprError("chose() takes SCENE.CHOICE, e.g. chose(blagoveshchensk_safe.refuse)", off)
        sid, cid = arg.value.id, arg.attr
        if sid not in scope.scenes and not scope.incomplete:
            raise ExprError(f"unknown scene '{sid}' in chose(){did_you_mean(sid, scope.scenes)}", _node_offset(arg))
        ids = scope.choice_ids.get(sid, set())
        if cid not in ids and not scope.incomplete:
            extra = " (chose() needs the choice to have an explicit `id`)" if not ids else did_you_mean(cid, ids)
            raise ExprError(f"scene '{sid}' has no choice with id '{cid}'{extra}", _node_offset(arg))
        key = f"{sid}.{cid}"
        scope.counted_choices.add(key)
        scope.local.add("@c:" + key)
        return Compiled(lambda p: p.chosen.get(key, 0), INT, uses_counts=True)
    # chance(N)
    scope.draws = True
    n = _compile(arg, scope)
    if n.type != INT:
        raise ExprError(f"chance() takes a percentage (a number), not {_a(n.type)}", off)
    if n.is_const:
        if not 0 <= n.const <= 100:
            raise ExprError(f"chance({n.const}): the percentage must be between 0 and 100", off)
        pct = n.const
        return Compiled(lambda p: p.chance(pct), BOOL)
    nf = n.fn
    return Compiled(lambda p: p.chance(nf(p)), BOOL)


def _int_function(node: ast.Call, fname: str, scope: Scope) -> Compiled:
    off = _node_offset(node)
    if fname == "random":
        if len(node.args) != 2:
            raise ExprError("random() takes two numbers, the bounds: random(1, 6)", off)
        scope.draws = True
    elif len(node.args) < 2:
        raise ExprError(f"{fname}() takes two or more numbers, e.g. {fname}(a, b)", off)
    args = [_compile(a, scope) for a in node.args]
    for a, anode in zip(args, node.args):
        if a.type != INT:
            raise ExprError(f"{fname}() takes numbers, not {_a(a.type)}", _node_offset(anode))
    uses = any(a.uses_counts for a in args)
    if fname == "random":
        lo, hi = args
        lf, hf = lo.fn, hi.fn
        if lo.is_const and hi.is_const:
            a, b = lo.const, hi.const
            return Compiled(lambda p: p.random(a, b), INT, uses_counts=uses)
        return Compiled(lambda p: p.random(lf(p), hf(p)), INT, uses_counts=uses)
    pick = min if fname == "min" else max
    if all(a.is_const for a in args):
        return _const(pick(a.const for a in args), INT)
    fns = [a.fn for a in args]
    if len(fns) == 2:
        f, g = fns
        return Compiled(lambda p: pick(f(p), g(p)), INT, uses_counts=uses)
    return Compiled(lambda p: pick([f(p) for f in fns]), INT, uses_counts=uses)


# ------------------------------------------------------------------ effects

class Effect:
    """One compiled `NAME op EXPR`. `per_site`: its function names the
    place it is written (`where`), in the errors it can raise at run time."""

    __slots__ = ("target", "apply", "rhs_reads", "source", "per_site")

    def __init__(self, target: str, apply: Callable[[Any], None], rhs_reads: set[str], source: str,
                 per_site: bool = False):
        self.target = target
        self.apply = apply
        self.rhs_reads = rhs_reads
        self.source = source
        self.per_site = per_site


def compile_effect(src: str, scope: Scope, where: str) -> Effect:
    """`where` (file:line) goes into runtime errors."""
    key = ("effect", src, scope.in_text, scope.in_cond, tuple(scope.specials))
    return _once(scope, key, lambda: _compile_effect(src, scope, where))


def _compile_effect(src: str, scope: Scope, where: str) -> Effect:
    tree = _parse(src, "exec", scope)
    body = tree.body
    if len(body) != 1 or not isinstance(body[0], (ast.Assign, ast.AugAssign)):
        raise ExprError("an effect is `NAME = EXPR`, `NAME += EXPR` or `NAME -= EXPR`")
    stmt = body[0]
    if isinstance(stmt, ast.Assign):
        if len(stmt.targets) != 1:
            raise ExprError("assign one variable at a time")
        target, op = stmt.targets[0], None
    else:
        target, op = stmt.target, type(stmt.op)
        if op not in (ast.Add, ast.Sub):
            raise ExprError("only `=`, `+=` and `-=` assign", _node_offset(stmt))
    if not isinstance(target, ast.Name):
        raise ExprError("only a variable name can be assigned", _node_offset(target))
    name = target.id
    var = scope.variables.get(name)
    if var is None:
        raise ExprError(f"undeclared variable '{name}'{did_you_mean(name, scope.variables)}", _node_offset(target))
    before = set(scope.reads)
    outer_local, outer_decisions = scope.local, scope.decision_reads
    scope.local, scope.decision_reads = set(), set()
    try:
        if var.type == SET and isinstance(stmt.value, ast.List):
            rhs = _const(set_literal(stmt.value, var), SET)
        else:
            rhs = _compile(stmt.value, scope)
    finally:
        rhs_local = scope.local
        scope.local, scope.decision_reads = outer_local | rhs_local, outer_decisions
    deps = scope.effect_deps.setdefault(name, set())
    deps.update(rhs_local)
    if op is not None:
        deps.add(name)
    rhs_reads = scope.reads - before
    if name in rhs_reads and name not in before:
        # `x = x + 1` is the same as `x += 1`: not a read of x.
        scope.reads.discard(name)
    if op is not None:
        scope.local.add(name)  # `x += 1` depends on x: live for exploration, not a read for lint
    if var.type == SET:
        if op is not None and rhs.type not in (STR, SET):
            sym = "+=" if op is ast.Add else "-="
            raise ExprError(f"`{sym}` on the set '{name}' takes a value (text), not {_a(rhs.type)}",
                            _node_offset(stmt.value))
        if op is None and rhs.type != SET:
            raise ExprError(f"'{name}' is a set: assign it a list of values (`{name} = []`, `{name} = ['a']`), "
                            f"or add one with `{name} += 'a'`", _node_offset(stmt.value))
        if rhs.type == STR and rhs.is_const and rhs.const not in var.values:
            raise ExprError(f"'{rhs.const}' is not a value of '{name}' (its values: {', '.join(var.values)})"
                            + did_you_mean(rhs.const, var.values), _node_offset(stmt.value))
        return Effect(name, _set_effect_fn(var, op, rhs, where, src), rhs_reads, src, per_site=True)
    if op is not None and var.type != INT:
        sym = "+=" if op is ast.Add else "-="
        raise ExprError(f"`{sym}` needs a number variable; '{name}' is {_a(var.type)}", _node_offset(stmt))
    if rhs.type != var.type:
        raise ExprError(f"'{name}' is {_a(var.type)} but the value is {_a(rhs.type)}", _node_offset(stmt.value))
    if var.type == STR and rhs.is_const and rhs.const not in var.values:
        raise ExprError(f"'{rhs.const}' is not a value of '{name}' (its values: {', '.join(var.values)})"
                        + did_you_mean(rhs.const, var.values), _node_offset(stmt.value))
    # Only a text variable set from a computed value can fail (a value it
    # does not have) and name its place; the rest are shared (see _once).
    return Effect(name, _effect_fn(var, op, rhs, where, src), rhs_reads, src,
                  per_site=var.type == STR and not rhs.is_const)


def _effect_fn(var: VarDef, op, rhs: Compiled, where: str, src: str) -> Callable[[Any], None]:
    """The effect as a function of the playthrough. Two kinds carry what they
    do for the exhaustive explorer, which then passes values through them
    without running them: `.shift` (name, delta) on `x += N`/`x -= N`, and
    `.sets` (the name) on an assignment of a constant."""
    name, lo, hi = var.name, var.lo, var.hi
    if var.type == INT:
        if rhs.is_const and op is not None:
            delta = rhs.const if op is ast.Add else -rhs.const

            def add_const(p):
                v = p.vars
                old = v[name]
                new = old + delta
                v[name] = lo if new < lo else hi if new > hi else new
                p.log.append((name, old))
            add_const.shift = (name, delta)
            return add_const
        f = rhs.fn
        sign = 0 if op is None else (1 if op is ast.Add else -1)

        def assign_int(p):
            v = p.vars
            old = v[name]
            val = f(p)
            new = val if sign == 0 else old + sign * val
            v[name] = lo if new < lo else hi if new > hi else new
            p.log.append((name, old))
        if rhs.is_const and sign == 0:
            assign_int.sets = name
        return assign_int
    f = rhs.fn
    values = frozenset(var.values) if var.type == STR else None
    check = values is not None and not rhs.is_const

    def assign(p):
        v = p.vars
        new = f(p)
        if check and new not in values:
            raise StoryRuntimeError(f"`{src}` sets '{name}' to '{new}', which is not among its values "
                                    f"({', '.join(sorted(values))})", where)
        p.log.append((name, v[name]))
        v[name] = new
    if rhs.is_const:
        assign.sets = name
    return assign


def _set_effect_fn(var: VarDef, op, rhs: Compiled, where: str, src: str) -> Callable[[Any], None]:
    name = var.name
    index = {v: i for i, v in enumerate(var.values)}
    f = rhs.fn

    def members(value) -> tuple:
        items = (value,) if value.__class__ is str else tuple(value)
        for x in items:
            if x not in index:
                raise StoryRuntimeError(f"`{src}`: '{x}' is not among the values of '{name}' "
                                        f"({', '.join(var.values)})", where)
        return items

    def effect(p):
        v = p.vars
        old = v[name]
        items = members(f(p))
        if op is None:
            have = set(items)
        elif op is ast.Add:
            have = set(old).union(items)
        else:
            have = set(old).difference(items)
        new = SetValue(sorted(have, key=index.__getitem__)) if have else EMPTY_SET
        p.log.append((name, old))
        v[name] = new
    if op is None and rhs.is_const:
        effect.sets = name
    return effect
