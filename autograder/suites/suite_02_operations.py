"""Hidden suite of stage 02-operations: forward operations that build the graph."""

import pytest

from autograder.judge import Fail, ProbeError, show
from autograder.suites.programs import (
    ALL_OPS,
    check_program,
    check_random_programs,
    name,
    program,
    program_text,
)

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


def _node(desc):
    """An operand of a structure answer as text: a program name, a Value, or a plain number."""
    if not isinstance(desc, dict):
        return show(desc)
    if type(desc.get('node')) is int:
        return name(desc['node'])
    if desc.get('plain') is not None:
        return f"a plain {desc['plain']}"
    op, prev = desc.get('op'), desc.get('prev')
    made = (f" = {op!r} of ({', '.join(_node(p) for p in prev)})"
            if op and isinstance(prev, list) else '')
    return f"Value({show(desc.get('data'))}{made})"


# (program, how the lesson says to build its last node); order-free where the lesson allows it
STRUCTURES = (
    (program([2.0, -3.0], ['mul', 0, 1]), "a * b has _op '*' and _prev (a, b), in that order"),
    (program([2.0, -3.0], ['add', 0, 1]), "a + b has _op '+' and _prev (a, b), in that order"),
    (program([2.0], ['add', 0, 0]), 'a + a has _prev (a, a)'),
    (program([2.0], ['add', 0, C(1.0)]), 'a + 1 wraps the 1 in a new Value operand'),
    (program([3.0], ['pow', 0, 2]),
     "a**2 has _op '**2' and _prev (a,); the exponent is not a node"),
    (program([4.0], ['pow', 0, -1]), "a**-1 has _op '**-1'"),
    (program([2.0], ['neg', 0]), "-a is built as a * -1: _op '*', first operand a"),
    (program([2.0, -3.0], ['sub', 0, 1]),
     "a - b is built as a + (-b): _op '+', operands a and the node -b = b * -1"),
    (program([2.0, -3.0], ['div', 0, 1]),
     "a / b is built as a * b**-1: _op '*', operands a and the node b**-1"),
    (program([2.0], ['sub', 0, C(3.0)]), 'a - 3 is a + (-3): negate the plain number itself'),
    (program([2.0], ['div', 0, C(4.0)]), 'a / 4 is a * 0.25: invert the plain number itself'),
    (program([2.0], ['sub', C(5.0), 0]), "5 - a is built as 5 + (-a): _op '+'"),
    (program([2.0], ['div', C(1.0), 0]), "1 / a is built as 1 * a**-1: _op '*'"),
    (program([0.5], ['relu', 0]), "relu is labelled 'ReLU'"),
    (program([0.5], ['tanh', 0]), "tanh is labelled 'tanh'"),
    (program([0.5], ['exp', 0]), "exp is labelled 'exp'"),
    (program([2.0], ['log', 0]), "log is labelled 'log'"),
)
COMMUTING = ('add', 'mul')


@pytest.mark.points(2, name='ops-structure', what='how each operation builds its node')
def test_structure(sub, ref):
    for prog, rule in STRUCTURES:
        expected = ref.probe('structure', program=prog)
        try:
            got = sub.probe('structure', program=prog)
        except ProbeError as error:
            raise Fail(f'for {program_text(prog)} your code {error.describe()}') from None
        op, *operands = prog['steps'][-1]
        reflected = isinstance(operands[0], dict) and op in COMMUTING
        want, have = expected['prev'][-1], got['prev'][-1]
        if reflected:
            want, have = sorted(map(repr, want)), sorted(map(repr, have))
        if got['ops'][-1] != expected['ops'][-1] or want != have:
            shown = ', '.join(_node(p) for p in got['prev'][-1])
            raise Fail(f"for {program_text(prog)} your result has _op {show(got['ops'][-1])} "
                       f'and _prev ({shown}), expected _op {expected["ops"][-1]!r} and _prev '
                       f"({', '.join(_node(p) for p in expected['prev'][-1])}): {rule}")


@pytest.mark.points(1, name='ops-new-node', what='0 + a, 1 * a and sum() of Values')
def test_new_node(sub, ref):
    for op, number in (('radd', 0), ('rmul', 1), ('add', 0), ('mul', 1)):
        got = sub.probe('new_node', op=op, number=number)
        text = {'radd': f'{number} + a', 'rmul': f'{number} * a', 'add': f'a + {number}',
                'mul': f'a * {number}'}[op]
        if not got['new']:
            raise Fail(f'{text} returned a itself: every operation makes a new node, even '
                       'when the number changes nothing (no shortcuts)')
    got = sub.probe('sum_values', numbers=[2.0, 3.0, 4.0])
    if not got['value'] or got['data'] != 9.0:
        raise Fail(f"sum() of Values 2.0, 3.0, 4.0 gives {show(got['data'])}, expected a Value "
                   'holding 9.0: sum starts at the int 0, so 0 + Value needs __radd__')


REFUSALS = (
    (['pow', 2.0, 'value'], 'TypeError', 'a ** Value(2.0)', 'only int or float exponents'),
    (['pow', 2.0, 'str'], 'TypeError', "a ** '2'", 'only int or float exponents'),
    (['pow', 2.0, 'bool'], 'TypeError', 'a ** True',
     'only int or float exponents (a bool is an int to isinstance, so check it first)'),
    (['pow', -8.0, 0.5], 'ValueError', 'Value(-8.0) ** 0.5',
     'a negative base with a fractional exponent has no real value'),
    (['log', 0.0, None], 'ValueError', 'Value(0.0).log()', 'the logarithm of x <= 0'),
    (['log', -1.0, None], 'ValueError', 'Value(-1.0).log()', 'the logarithm of x <= 0'),
    (['div', 1.0, 0.0], 'ZeroDivisionError', 'Value(1.0) / Value(0.0)',
     'division by a zero Value'),
)


@pytest.mark.points(1, name='ops-refusals', what='what ** and log refuse')
def test_refusals(sub, ref):
    got = sub.probe('refusals', cases=[case for case, *_ in REFUSALS])
    for (case, kind, text, rule), (raised, message) in zip(REFUSALS, got):
        if raised != kind:
            did = f'raised {raised}' if raised else 'raised nothing'
            raise Fail(f'{text} {did}, expected {kind}: {rule}')
        if case[0] == 'log' and 'math domain error' in message:
            raise Fail(f"{text} raised math.log's 'math domain error': raise your own "
                       'ValueError with a message that shows the offending value')
