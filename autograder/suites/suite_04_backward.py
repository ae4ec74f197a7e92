"""Hidden suite of stage 04-backward: local derivatives, topological order, backward().

Every node's data and grad after `root.backward()` is compared with the reference's.
"""

import pytest

from autograder.suites.programs import ALL_OPS, check_program, check_random_programs, program

C = lambda c: {'c': c}  # noqa: E731 - a plain-number operand


def check(sub, ref, prog, hint):
    check_program(sub, ref, prog, backward=True, hint=hint)


@pytest.mark.points(1, name='backward-seed', what='c.backward() for c = a + b')
def test_seed(sub, ref):
    check(sub, ref, program([2.0, -3.0], ['add', 0, 1]),
          "backward() must first set the output's own grad to 1.0 (d c / d c = 1)")


@pytest.mark.points(2, name='backward-add-mul', what='gradients of + and *')
def test_add_mul(sub, ref):
    check(sub, ref, program([2.0, -3.0], ['add', 0, 1]), 'd(a + b)/da = 1 and d(a + b)/db = 1')
    check(sub, ref, program([2.0, -3.0], ['mul', 0, 1]), 'd(a * b)/da = b and d(a * b)/db = a')
    check(sub, ref, program([2.0, -3.0], ['mul', 0, C(4.0)], ['add', 2, 1]),
          'the chain rule multiplies the local derivative by the grad of the result')


@pytest.mark.points(2, name='backward-pow', what='the gradient of a**n')
def test_pow(sub, ref):
    for base, exponent in ((2.0, 3), (2.0, -1), (4.0, 0.5), (-1.5, 2)):
        check(sub, ref, program([base], ['pow', 0, exponent]), 'd/da a**n = n * a**(n - 1)')


@pytest.mark.points(2, name='backward-neg-sub-div', what='gradients of -a, a - b and a / b')
def test_neg_sub_div(sub, ref):
    check(sub, ref, program([2.0], ['neg', 0]), 'd(-a)/da = -1')
    check(sub, ref, program([5.0, 3.0], ['sub', 0, 1]), 'd(a - b)/da = 1 and d(a - b)/db = -1')
    check(sub, ref, program([6.0, -4.0], ['div', 0, 1]),
          'd(a / b)/da = 1/b and d(a / b)/db = -a/b**2')
    check(sub, ref, program([4.0], ['div', C(2.0), 0]), 'd(2 / a)/da = -2/a**2')


@pytest.mark.points(1, name='backward-relu', what='the gradient of relu')
def test_relu(sub, ref):
    for x in (1.5, -1.5):
        check(sub, ref, program([x], ['relu', 0]),
              'relu passes the gradient through where its input was positive, and 0 where '
              'it was negative')


@pytest.mark.points(1, name='backward-tanh', what='the gradient of tanh')
def test_tanh(sub, ref):
    for x in (0.5, -1.2):
        check(sub, ref, program([x], ['tanh', 0]),
              'd/dx tanh(x) = 1 - tanh(x)**2: square the output t = tanh(x), not the input x')


@pytest.mark.points(1, name='backward-exp-log', what='the gradients of exp and log')
def test_exp_log(sub, ref):
    check(sub, ref, program([0.5], ['exp', 0]), 'd/dx e**x = e**x')
    check(sub, ref, program([2.0], ['log', 0]), 'd/dx log(x) = 1/x')


@pytest.mark.points(2, name='backward-accumulate', what='a Value used twice')
def test_accumulate(sub, ref):
    hint = 'when a node is used twice its gradient must accumulate (+=), not be overwritten'
    check(sub, ref, program([3.0], ['mul', 0, 0]), hint)
    check(sub, ref, program([3.0], ['add', 0, 0]), hint)
    check(sub, ref, program([2.0, -1.0], ['mul', 0, 1], ['add', 2, 0]), hint)


@pytest.mark.points(2, name='backward-topological-order',
                    what='a node reached along paths of different lengths')
def test_topological_order(sub, ref):
    check(sub, ref, program([1.5], ['mul', 0, C(2.0)], ['tanh', 1], ['mul', 2, 1],
                            ['add', 3, 1]),
          "backward() must visit the nodes in reverse topological order, so that a node's grad "
          'is complete (every use has added to it) before it is passed on to its operands')


@pytest.mark.points(4, name='backward-programs', what='random expressions mixing every operation')
def test_programs(sub, ref):
    check_random_programs(sub, ref, ALL_OPS, backward=True)
