"""Hidden suite of stage 02-operations: forward operations that build the graph."""

import pytest

from autograder.suites.programs import ALL_OPS, check_program, check_random_programs, program

C = lambda c: {'c': c}  # noqa: E731 - a plain-number operand


@pytest.mark.points(2, name='ops-add-mul', what='adding and multiplying Values')
def test_add_mul(sub, ref):
    check_program(sub, ref, program([2.0, -3.0], ['add', 0, 1]))
    check_program(sub, ref, program([2.0, -3.0], ['mul', 0, 1]))
    check_program(sub, ref, program([1.5], ['add', 0, 0], ['mul', 1, 0]))


@pytest.mark.points(1, name='ops-numbers', what='mixing Values with plain numbers (a + 2, a * 3)')
def test_numbers(sub, ref):
    check_program(sub, ref, program([2.0], ['add', 0, C(3.0)]))
    check_program(sub, ref, program([2.0], ['mul', 0, C(-1.5)]))


@pytest.mark.points(2, name='ops-pow', what='powers a**n')
def test_pow(sub, ref):
    for exponent in (3, 2, -1, 0.5):
        check_program(sub, ref, program([2.0], ['pow', 0, exponent]))


@pytest.mark.points(2, name='ops-neg-sub-div', what='negation, subtraction and division')
def test_neg_sub_div(sub, ref):
    check_program(sub, ref, program([2.0], ['neg', 0]))
    check_program(sub, ref, program([5.0, 3.0], ['sub', 0, 1]))
    check_program(sub, ref, program([6.0, -4.0], ['div', 0, 1]))
    check_program(sub, ref, program([6.0], ['sub', 0, C(1.0)], ['div', 1, C(2.0)]))


@pytest.mark.points(2, name='ops-reflected',
                    what='a plain number on the left (2 + a, 2 - a, 2 * a, 2 / a)')
def test_reflected(sub, ref):
    for op in ('add', 'sub', 'mul', 'div'):
        check_program(sub, ref, program([4.0], [op, C(2.0), 0]))


@pytest.mark.points(2, name='ops-activations', what='relu, tanh, exp and log')
def test_activations(sub, ref):
    for op in ('relu', 'tanh', 'exp', 'log'):
        check_program(sub, ref, program([0.5], [op, 0]))
    check_program(sub, ref, program([-0.5], ['relu', 0]))
    check_program(sub, ref, program([-0.5], ['tanh', 0], ['exp', 1]))


@pytest.mark.points(3, name='ops-programs', what='random expressions mixing every operation')
def test_programs(sub, ref):
    check_random_programs(sub, ref, ALL_OPS, backward=False)
