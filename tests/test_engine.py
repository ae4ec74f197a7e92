"""The reference Value: known answers, finite differences, accumulation, deep graphs."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd.engine import Value
from micrograd.gradcheck import numerical_derivative


def test_known_answer_sanity_check():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0
    assert x.grad == 46.0


def test_known_answer_more_ops():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, abs=1e-12)
    assert a.grad == pytest.approx(138.83381924198252, abs=1e-10)
    assert b.grad == pytest.approx(645.5772594752186, abs=1e-10)


def test_graph_structure_and_labels():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    assert (c.data, c._prev, c._op) == (-6.0, (a, b), '*')
    assert (a + b)._op == '+'
    assert (a**3)._op == '**3'
    assert a.relu()._op == 'ReLU'
    assert a.tanh()._op == 'tanh'
    assert a.exp()._op == 'exp'
    assert a.log()._op == 'log'
    assert a.grad == 0.0 and a._prev == () and a._op == ''
    assert repr(c) == 'Value(data=-6.0, grad=0.0)'


@pytest.mark.parametrize('expression, expected', [
    (lambda v: 2 + v, 5.0), (lambda v: v + 2, 5.0),
    (lambda v: 2 - v, -1.0), (lambda v: v - 2, 1.0),
    (lambda v: 2 * v, 6.0), (lambda v: v * 2, 6.0),
    (lambda v: 3 / v, 1.0), (lambda v: v / 2, 1.5),
    (lambda v: -v, -3.0), (lambda v: v**2, 9.0), (lambda v: v**0.5, math.sqrt(3.0)),
])
def test_plain_numbers_mix_with_values(expression, expected):
    out = expression(Value(3.0))
    assert isinstance(out, Value)
    assert out.data == pytest.approx(expected, rel=1e-15)


def test_value_exponent_is_a_clear_type_error():
    with pytest.raises(TypeError, match='only int or float exponents'):
        Value(2.0) ** Value(3.0)


def test_log_of_non_positive_is_a_clear_value_error():
    for x in (0.0, -1.0):
        with pytest.raises(ValueError, match='log of a non-positive number'):
            Value(x).log()


def test_fractional_power_of_negative_is_a_clear_value_error():
    with pytest.raises(ValueError, match='not a real number'):
        Value(-2.0) ** 0.5


# -- gradients against finite differences -----------------------------------------------

finite = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)
positive = st.floats(min_value=0.1, max_value=3.0)
away_from_zero = finite.filter(lambda x: abs(x) > 0.1)

UNARY = {
    'neg': (lambda v: -v, finite),
    'relu': (lambda v: v.relu(), away_from_zero),     # not differentiable at 0
    'tanh': (lambda v: v.tanh(), finite),
    'exp': (lambda v: v.exp(), finite),
    'log': (lambda v: v.log(), positive),
    'pow2': (lambda v: v**2, finite),
    'pow3': (lambda v: v**3, finite),
    'pow-1': (lambda v: v**-1, away_from_zero),
    'pow0.5': (lambda v: v**0.5, positive),
    'radd': (lambda v: 1.5 + v, finite),
    'rsub': (lambda v: 1.5 - v, finite),
    'rmul': (lambda v: 1.5 * v, finite),
    'rdiv': (lambda v: 1.5 / v, away_from_zero),
}

BINARY = {
    'add': lambda a, b: a + b,
    'sub': lambda a, b: a - b,
    'mul': lambda a, b: a * b,
    'div': lambda a, b: a / b,
}


def check_gradient(f, *xs):
    """Back-propagated gradients of f at xs against central differences."""
    values = [Value(x) for x in xs]
    out = f(*values)
    out.backward()
    for i, v in enumerate(values):
        def partial(t, i=i):
            args = list(xs)
            args[i] = t
            return f(*(Value(a) for a in args)).data
        expected = numerical_derivative(partial, xs[i])
        assert v.grad == pytest.approx(expected, rel=1e-4, abs=1e-5), (i, xs)


@pytest.mark.parametrize('name', sorted(UNARY))
def test_unary_gradients_match_finite_differences(name):
    f, inputs = UNARY[name]

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(inputs)
    def check(x):
        check_gradient(f, x)
    check()


@pytest.mark.parametrize('name', sorted(BINARY))
def test_binary_gradients_match_finite_differences(name):
    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(finite, away_from_zero)
    def check(a, b):
        check_gradient(BINARY[name], a, b)
    check()


@settings(max_examples=100, deadline=None, derandomize=True)
@given(finite, finite, positive)
def test_composite_expression_gradients(a, b, c):
    check_gradient(lambda a, b, c: ((a * b).tanh() + c.log() * a - (b**2).exp() / c).relu()
                   + (a - c) ** 3, a, b, c)


# -- accumulation -----------------------------------------------------------------------

def test_reused_node_accumulates():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0            # d/dx x^2, not 3.0 from the last use only
    a = Value(-2.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_backward_twice_accumulates_in_leaves():
    x = Value(3.0)
    y = (x * 2) * x                 # 2x^2, derivative 4x = 12
    y.backward()
    y.backward()
    assert x.grad == 24.0           # exactly two gradients, as in PyTorch


def test_deep_chain_of_a_million_nodes_backpropagates():
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()                    # the recursive version dies near 1,000 nodes
    assert y.data == 1_000_001.0
    assert x.grad == 1.0


def _postorder_by_hand(root):
    """The order the lesson defines: operands in order, depth first, each node once."""
    order, seen = [], set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for operand in node._prev:
            visit(operand)
        order.append(node)

    visit(root)
    return order


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.sampled_from('+*t')),
                min_size=1, max_size=40))
def test_topological_order_is_the_depth_first_postorder(steps):
    nodes = [Value(0.5), Value(-1.5), Value(2.0)]
    for i, j, op in steps:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(a + b if op == '+' else a * b if op == '*' else a.tanh())
    order = nodes[-1]._topological_order()
    assert order == _postorder_by_hand(nodes[-1])
    position = {id(node): k for k, node in enumerate(order)}
    assert all(position[id(operand)] < position[id(node)]
               for node in order for operand in node._prev)


def test_gc_paused_restores_the_collector_even_when_the_block_raises():
    import gc

    from micrograd.engine import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gc_paused():
        raise ZeroDivisionError
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled(), 'a collector that was off stays off'
    finally:
        gc.enable()
