"""The suites' drawn programs: strategies built once draw exactly what strategies built on
every draw (the form before) drew, for the same seed, shrinking included."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.judge import Fail, reference
from autograder.suites import drawing as drawn
from autograder.suites.drawing import programs, suite_settings
from autograder.suites.programs import (
    ALL_OPS,
    CONSTANTS,
    EXPONENTS,
    PRIMITIVE_OPS,
    SYMBOLS,
    check_random_programs,
)


@st.composite
def fresh_programs(draw, ops=ALL_OPS, max_inputs=3, max_steps=6):
    """The strategy as it was: every inner strategy made anew on every draw."""
    inputs = [draw(st.integers(-30, 30)) / 10 for _ in range(draw(st.integers(1, max_inputs)))]
    steps = []
    for _ in range(draw(st.integers(1, max_steps))):
        count = len(inputs) + len(steps)
        node = st.integers(0, count - 1)
        op = draw(st.sampled_from(ops))
        if op == 'pow':
            steps.append(['pow', draw(node), draw(st.sampled_from(EXPONENTS))])
        elif op in SYMBOLS:
            constant = st.sampled_from(CONSTANTS).map(lambda c: {'c': c})
            left = draw(st.one_of(node, constant))
            right = draw(node) if isinstance(left, dict) else draw(st.one_of(node, constant))
            steps.append([op, left, right])
        else:
            steps.append([op, draw(node)])
    return {'inputs': inputs, 'steps': steps}


def drawn_by(strategy, fails_on=None, max_examples=60):
    """Every program a suite-settings run of strategy draws, and the one it ends on
    when the property fails for programs using the op `fails_on` (after shrinking)."""
    seen = []

    @suite_settings(max_examples)
    @given(strategy)
    def check(program):
        seen.append(program)
        assert not any(step[0] == fails_on for step in program['steps'])

    try:
        check()
    except AssertionError:
        return seen, seen[-1]
    return seen, None


@pytest.mark.parametrize('ops, fails_on', [(ALL_OPS, None), (ALL_OPS, 'tanh'),
                                           (PRIMITIVE_OPS, None), (PRIMITIVE_OPS, 'mul')])
def test_cached_strategies_draw_the_same_programs_in_the_same_order(ops, fails_on):
    before, shrunk_before = drawn_by(fresh_programs(ops), fails_on)
    after, shrunk_after = drawn_by(programs(ops), fails_on)
    assert after == before
    assert len(after) >= (60 if fails_on is None else 10)
    assert shrunk_after == shrunk_before
    if fails_on:
        assert shrunk_after is not None and shrunk_after['steps'][0][0] == fails_on


def test_strategies_are_built_once_per_argument():
    assert drawn._node(3) is drawn._node(3) and drawn._node(3) is not drawn._node(4)
    assert drawn._op(ALL_OPS) is drawn._op(ALL_OPS)


class WrongTanh:
    """A learner whose tanh nodes are off by one."""

    def probe(self, name, **args):
        answer = reference().probe(name, **args)
        if any(step[0] == 'tanh' for step in args['program']['steps']):
            answer = dict(answer, data=[x + 1 for x in answer['data']])
        return answer


def test_a_wrong_op_is_still_shrunk_to_the_smallest_program():
    with pytest.raises(Fail) as failed:
        check_random_programs(WrongTanh(), reference(), ALL_OPS, backward=True)
    # Shrunk to the one-step program at the smallest input, whichever check then speaks first.
    assert str(failed.value).startswith('for b = a.tanh() at a = 0.0 ')
