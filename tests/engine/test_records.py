"""`record`, the frozen value classes of the compiled story."""

from __future__ import annotations

import pytest

from game.engine.records import record


@record
class R:
    a: int
    b: int = 2
    c: tuple = ()


def test_positional_keyword_and_mixed_calls_give_the_same_record():
    assert R(1, 2, ()) == R(1) == R(a=1) == R(c=(), a=1) == R(1, c=())
    assert R(1, c=(5,)) == R(a=1, b=2, c=(5,))
    assert R(1, c=(5,)) != R(1)
    assert repr(R(0, c=(1,))) == "R(a=0, b=2, c=(1,))"
    assert hash(R(1)) == hash(R(a=1))


def test_fields_are_kept_in_field_order_whatever_the_call_gives():
    # one layout for every instance (attribute reads on the step path rely on it)
    for r in (R(1, 2, ()), R(c=(), a=1), R(b=3, a=1), R(1)):
        assert list(vars(r)) == ["a", "b", "c"]


@pytest.mark.parametrize("call, message", [
    (lambda: R(), "missing field(s) a"),
    (lambda: R(1, a=2), "unexpected or repeated field 'a'"),
    (lambda: R(1, d=2), "unexpected or repeated field 'd'"),
    (lambda: R(1, 2, (), 4), "takes 3 fields, 4 given"),
])
def test_bad_calls_say_what_is_wrong(call, message):
    with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_a_record_is_read_only():
    r = R(1)
    with pytest.raises(AttributeError, match="read-only"):
        r.a = 2
    with pytest.raises(AttributeError, match="read-only"):
        del r.b
    assert r.a == 1 and r.b == 2
