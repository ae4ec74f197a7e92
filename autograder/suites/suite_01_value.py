"""Hidden suite of stage 01-value: the Value container and the numerical derivative."""

import pytest

from autograder.judge import Fail, close, is_number, show


@pytest.mark.points(1, name='value-data', what='making Value(data)')
def test_data(sub, ref):
    for data in (2.5, -1.0, 3):
        got = sub.probe('value_basics', data=data)['data']
        if got != data or type(got) is not type(data):
            raise Fail(f'Value({data!r}).data is {show(got)}, expected {data!r}: '
                       'store data unchanged')


@pytest.mark.points(1, name='value-grad', what='a new Value')
def test_grad(sub, ref):
    answer = sub.probe('value_basics', data=2.0)
    for got, what in ((answer['grad'], 'a new Value'),
                      (answer['made_grad'], 'a computed Value(3.0, (a, b), "+")')):
        if not (is_number(got) and got == 0):
            raise Fail(f'{what} has grad {show(got)}, expected 0.0: nothing has flowed back '
                       'into it yet, so its gradient starts at 0.0')
        if type(got) is not float:
            raise Fail(f'{what} has grad {show(got)}, an {type(got).__name__}: the gradient '
                       'starts at the float 0.0, not the int 0')


@pytest.mark.points(2, name='value-children', what='making Value(3.0, (a, b), "+")')
def test_children(sub, ref):
    got = sub.probe('value_basics', data=2.0)
    if got['leaf_prev'] != 0 or got['leaf_op'] != '':
        raise Fail(f"a leaf Value(2.0) has {got['leaf_prev']} operands in _prev and _op "
                   f"{show(got['leaf_op'])}, expected none and ''")
    if got['prev_type'] != 'tuple' or got['leaf_prev_type'] != 'tuple':
        raise Fail(f"for c = Value(3.0, (a, b), '+'), c._prev is a {got['prev_type']} (a leaf's: "
                   f"a {got['leaf_prev_type']}), expected the tuple it was given: store _prev "
                   'unchanged')
    if sorted(got['prev']) == [0, 1] and got['prev'] != [0, 1]:
        raise Fail('for c = Value(3.0, (a, b), "+"), c._prev holds b before a: store the '
                   'operands unchanged, in the order given, (a, b)')
    if got['prev'] != [0, 1]:
        raise Fail('for c = Value(3.0, (a, b), "+"), c._prev must hold the operands a and b '
                   f"themselves; it holds {len(got['prev'])} objects"
                   + (' (some of them not a or b)' if -1 in got['prev'] else ''))
    if got['leaf_local_grads'] != [] or got['local_grads'] != [1.0, 2.0]:
        raise Fail("for c = Value(3.0, (a, b), '+', (1.0, 2.0)), c._local_grads is "
                   f"{show(got['local_grads'])} (a leaf's: {show(got['leaf_local_grads'])}), "
                   'expected (1.0, 2.0) and (): store _local_grads as given')
    if got['op'] != '+':
        raise Fail(f"for c = Value(3.0, (a, b), '+'), c._op is {show(got['op'])}, expected '+'")


@pytest.mark.points(1, name='value-identity', what='putting Values in a set')
def test_identity(sub, ref):
    got = sub.probe('value_identity')
    data = got.get('data') if isinstance(got, dict) else None
    if not (isinstance(data, list) and all(type(x) is float and x == 1.0 for x in data)):
        raise Fail(f'Value(1.0).data is {show(data[0] if data else data)}, expected 1.0')
    if got.get('set') != 2 or got.get('equal') is not False:
        raise Fail('Value(1.0) == Value(1.0) must be False and a set of the two must hold 2 '
                   'elements: each Value is its own node in the graph, whatever number it '
                   'holds, so leave __eq__ and __hash__ alone (defining __eq__ also removes '
                   '__hash__, and then Values no longer fit in sets)')


@pytest.mark.points(1, name='value-repr', what='repr of a Value')
def test_repr(sub, ref):
    for data, grad in ((2.5, -0.75), (3, 0.5), (2.0, 0.0)):
        got = sub.probe('value_repr', data=data, grad=grad)
        expected = ref.probe('value_repr', data=data, grad=grad)
        if got != expected:
            raise Fail(f'repr of a Value with data {data!r} and grad {grad!r} is {show(got)}, '
                       f'expected exactly {expected!r}: show data and grad as Python prints '
                       'them, and return the text')


@pytest.mark.points(2, name='numerical-derivative', what='numerical_derivative(f, x)')
def test_numerical_derivative(sub, ref):
    for function, text, x in (('cube', 'x**3', 2.0), ('reciprocal', '1/x', 0.5),
                              ('square-plus-x', 'x*x + x', -1.5), ('sin', 'sin(x)', 0)):
        expected = ref.probe('numerical_derivative', function=function, x=x)
        got = sub.probe('numerical_derivative', function=function, x=x)
        if not (is_number(got) and abs(got - expected) <= 1e-4 * max(1, abs(expected))):
            raise Fail(f'numerical_derivative(f, {x}) for f(x) = {text} is {show(got)}, '
                       f'expected about {show(expected)}')
    expected = ref.probe('numerical_derivative', function='cube', x=1.0, h=1e-3)
    got = sub.probe('numerical_derivative', function='cube', x=1.0, h=1e-3)
    if not (is_number(got) and abs(got - expected) < 1e-9):
        raise Fail(f'numerical_derivative(f, 1.0, h=1e-3) for f(x) = x**3 is {show(got)}, '
                   f'expected {expected!r}: return the central difference itself, unrounded, '
                   'computed with the h you are given')
    expected = ref.probe('numerical_derivative', function='cube', x=2.0, h=0.5)
    got = sub.probe('numerical_derivative', function='cube', x=2.0, h=0.5)
    if not close(got, expected):
        hint = ''
        if is_number(got) and close(got, 15.25):
            hint = ': that is the one-sided (f(x + h) - f(x)) / h; use the central difference'
        elif is_number(got) and abs(got - 12.0) < 1e-3:
            hint = ': the h you are given must be used, not your own'
        raise Fail(f'numerical_derivative(f, 2.0, h=0.5) for f(x) = x**3 is {show(got)}, '
                   f'expected {show(expected)} = ((x + h)**3 - (x - h)**3) / (2h){hint}')
