"""Hidden suite of stage 04-backward: local derivatives, topological order, backward().

Every node's data and grad after `root.backward()` is compared with the reference's.
"""

import pytest

from autograder.judge import Fail, ProbeError, close, is_number, show
from autograder.suites.programs import (
    ALL_OPS,
    check_program,
    check_random_programs,
    name,
    program,
    program_text,
    slots_hint,
)

C = lambda c: {'c': c}  # noqa: E731 - a plain-number operand


def check(sub, ref, prog, hint):
    check_program(sub, ref, prog, backward=True, hint=hint)


def probe(sub, what, name_, **args):
    try:
        return sub.probe(name_, **args)
    except ProbeError as error:
        hint = slots_hint(error)
        if error.error['type'] == 'RecursionError':
            hint = (': keep your own stack instead of calling a function recursively; Python '
                    'allows about 1000 nested calls and graphs get far deeper')
        raise Fail(f'{what}: your code {error.describe()}{hint}') from None


@pytest.mark.points(1, name='backward-seed', what='c.backward() for c = a + b')
def test_seed(sub, ref):
    got = probe(sub, 'Value(3.0).backward()', 'backward_deep', length=0)
    if got['leaf'] != 1.0:
        raise Fail(f"after Value(3.0).backward() its grad is {show(got['leaf'])}, expected 1.0: "
                   "backward() must first set the output's own grad to 1.0 (d c / d c = 1)")
    check(sub, ref, program([2.0, -3.0], ['add', 0, 1]),
          "backward() must first set the output's own grad to 1.0 (d c / d c = 1)")


LOCAL = (
    (program([2.0, -3.0], ['add', 0, 1]), 'd(a + b)/da = 1 and d(a + b)/db = 1'),
    (program([2.0, -3.0], ['mul', 0, 1]), 'd(a * b)/da = b.data and d(a * b)/db = a.data'),
    (program([2.0], ['mul', 0, C(4.0)]), 'd(a * 4)/da = 4 and d(a * 4)/d4 = a.data'),
    (program([2.0], ['pow', 0, 3]), 'd/dx x**n = n * x**(n - 1)'),
    (program([4.0], ['pow', 0, -1]), 'd/dx x**n = n * x**(n - 1)'),
    (program([4.0], ['pow', 0, 0.5]), 'd/dx x**n = n * x**(n - 1)'),
    (program([-2.0], ['relu', 0]), "relu's local derivative is 0.0 where its input is negative"),
    (program([0.0], ['relu', 0]), "relu's local derivative at exactly 0 is 0.0 (take 0.0 at the "
                                  'kink: the output is not positive)'),
    (program([3.0], ['relu', 0]), "relu's local derivative is 1.0 where its input is positive"),
    (program([0.5], ['tanh', 0]), 'd/dx tanh(x) = 1 - tanh(x)**2'),
    (program([1.0], ['exp', 0]), 'd/dx e**x = e**x'),
    (program([2.0], ['log', 0]), 'd/dx log(x) = 1/x'),
)


@pytest.mark.points(2, name='backward-local-grads', what='the local derivatives of each operation')
def test_local_grads(sub, ref):
    for prog, rule in LOCAL:
        expected = ref.probe('local_grads', program=prog)[-1]
        got = probe(sub, f'for {program_text(prog)}', 'local_grads', program=prog)[-1]
        if not isinstance(got, list) or len(got) != len(expected):
            raise Fail(f'for {program_text(prog)} the result has _local_grads {show(got)}, '
                       f'expected {len(expected)} numbers, one per operand: {rule}')
        for g, e in zip(got, expected):
            if not is_number(g):
                raise Fail(f'for {program_text(prog)} the result has _local_grads {show(got)}: '
                           'a local derivative is a plain number (b.data), not a Value (b)')
            if not close(g, e):
                raise Fail(f'for {program_text(prog)} the result has _local_grads '
                           f'{show(got)}, expected {show(expected)}: {rule}')


@pytest.mark.points(2, name='backward-chain-rule', what='_backward() at one node')
def test_chain_rule(sub, ref):
    expected = ref.probe('chain_rule')
    got = probe(sub, '_backward() on c = a * b built by hand', 'chain_rule')
    if got['once'][:2] != expected['once'][:2]:
        raise Fail(f"for c = a * b at a = 2.0, b = -3.0 with c.grad = 5.0, c._backward() gives "
                   f"a.grad = {show(got['once'][0])} and b.grad = {show(got['once'][1])}, "
                   'expected -15.0 and 10.0: add local derivative times self.grad to each operand')
    if got['twice'] != expected['twice']:
        raise Fail(f"a second c._backward() leaves a.grad at {show(got['twice'][0])}, expected "
                   '-30.0: _backward must add (+=) to operand.grad, never assign (=)')
    if got['square'] != expected['square']:
        raise Fail(f"for y = x * x at x = 3.0, y._backward() gives x.grad = {show(got['square'])}"
                   ', expected 6.0: x is used twice, so both contributions must add up (+=)')


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
    got = probe(sub, 'for b = a.relu() at a = 0.0', 'local_grads',
                program=program([0.0], ['relu', 0]))[-1]
    if got != [0.0]:
        raise Fail(f'for b = a.relu() at a = 0.0 the local derivative is {show(got)}, expected '
                   '[0.0]: relu passes the gradient only where its output is positive, and at '
                   'exactly 0 it is 0.0')
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


LAYOUTS = (0, 1, 3, 7, 16)    # spare Values between the nodes: different addresses, same graph
ORDER_PROGRAMS = (
    program([2.0, -3.0], ['mul', 0, 1], ['add', 2, 0]),
    program([1.5], ['mul', 0, C(2.0)], ['tanh', 1], ['mul', 2, 1], ['add', 3, 1]),
    program([0.5, -1.5, 2.0], ['mul', 0, 1], ['add', 3, 2], ['mul', 4, 0], ['tanh', 5],
            ['add', 6, 4], ['mul', 7, 1]),
)


def check_order(sub, ref):
    """_topological_order() itself: every node once, after its operands, the same every time."""
    for prog in ORDER_PROGRAMS:
        what = f'_topological_order() for {program_text(prog)}'
        expected = ref.probe('topological_order', program=prog, paddings=[0])
        got = probe(sub, what, 'topological_order', program=prog, paddings=list(LAYOUTS))
        order = got['orders'][0]
        if len(order) != expected['count'] or len(set(order)) != len(order):
            raise Fail(f"{what} lists {len(order)} nodes, expected each of the graph's "
                       f"{expected['count']} nodes exactly once")
        if order[-1] != len(prog['inputs']) + len(prog['steps']) - 1:
            raise Fail(f'{what} does not end with the output: every node comes after all of its '
                       'operands, so self is last')
        position = {node: i for i, node in enumerate(order)}
        steps = prog['steps']
        for i, (op, *operands) in enumerate(steps):
            node = len(prog['inputs']) + i
            for operand in operands[:1] if op == 'pow' else operands:
                if isinstance(operand, int) and position.get(operand, -1) > position[node]:
                    raise Fail(f'{what} puts {name(node)} before its operand {name(operand)}: '
                               'every node must come after all of its operands (a topological '
                               'order)')
        if any(o != got['orders'][0] for o in got['orders'][1:]):
            raise Fail(f'{what} comes out in a different order when the same graph is built '
                       'again: build it from _prev order, never by iterating over a set')
    got = probe(sub, '_topological_order() on a chain of 10000 nodes', 'topological_order',
                chain=10000)
    if got['count'] != 10001 or not got['last']:
        raise Fail(f"_topological_order() on a chain of 10000 steps gives {got['count']} nodes, "
                   'expected 10001 ending with the output')


@pytest.mark.points(2, name='backward-topological-order',
                    what='a node reached along paths of different lengths')
def test_topological_order(sub, ref):
    check_order(sub, ref)
    # The order is right, so a wrong grad here is not the order's fault: name what is wrong.
    try:
        chain = sub.probe('chain_rule')
        adds = chain == ref.probe('chain_rule')
    except ProbeError:
        adds = False
    hint = ('backward() must call _backward() on every node of _topological_order(), from the '
            'output back to the inputs (reversed), each once' if adds else
            'your _topological_order() is right, but _backward() does not add local derivative '
            'times grad into each operand (+=), so a node used on several paths loses some of '
            'its gradient')
    check(sub, ref, program([1.5], ['mul', 0, C(2.0)], ['tanh', 1], ['mul', 2, 1],
                            ['add', 3, 1]), hint)


@pytest.mark.points(2, name='backward-twice', what='calling backward() a second time')
def test_twice(sub, ref):
    expected = ref.probe('backward_twice')
    got = probe(sub, 'L.backward() twice', 'backward_twice')
    names = ('a', 'b', 'c', 'f', 'e = a * b', 'd = e + c', 'L = d * f')
    where = 'for L = (a*b + c) * f at a = 2, b = -3, c = 10, f = -2'
    for pass_, key in (('the first', 'first'), ('a second', 'second')):
        grads = got[key]
        for i, (g, e) in enumerate(zip(grads, expected[key])):
            if not close(g, e):
                if key == 'second' and i >= 4:
                    rule = ('reset the grad of every node that has operands to 0.0 before each '
                            'pass, so that interior nodes start again from zero')
                elif key == 'second':
                    rule = ('a second backward() adds exactly one more gradient to each leaf: '
                            'leaves accumulate, but interior grads must be reset to 0.0 first')
                else:
                    rule = 'see the other backward tests'
                raise Fail(f'{where}, after {pass_} L.backward() the grad of {names[i]} is '
                           f'{show(g)}, expected {show(e)}: {rule}')


@pytest.mark.points(1, name='backward-deep', what='backward() through 10000 nodes')
def test_deep(sub, ref):
    got = probe(sub, 'backward() through a chain of 10000 multiplications', 'backward_deep',
                length=10000)
    if got['grad'] != 1.0:
        raise Fail(f"after backward() through x * 1.0 * ... * 1.0 (10000 times) x.grad is "
                   f"{show(got['grad'])}, expected 1.0")


@pytest.mark.points(4, name='backward-programs', what='random expressions mixing every operation')
def test_programs(sub, ref):
    check_random_programs(sub, ref, ALL_OPS, backward=True)
