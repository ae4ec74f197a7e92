"""Hidden suite of stage 05-neuron: Module and Neuron(nin, nonlin=True)."""

import pytest

from autograder.judge import Fail, close, show
from autograder.suites.modules import (
    call,
    check_count,
    check_grads,
    check_identity,
    check_outputs,
    check_repr,
    check_state,
    check_zero_grad,
    known_values,
    run,
)

INPUTS = [0.5, -1.0, 2.0]


def _forward_hint(values, inputs, got, nonlin=True):
    """Name the usual mistake when the learner's output matches it."""
    if not got['out'] or type(got['out'][0]) not in (int, float):
        return ''
    w, b = values[:-1], values[-1]
    act = sum(wi * xi for wi, xi in zip(w, inputs))
    variants = {
        'the bias is not added': act,
        'parameters() must list the weights first, then the bias':
            sum(wi * xi for wi, xi in zip(values[1:], inputs)) + values[0],
        'apply relu to w . x + b (unless nonlin=False)': act + b,
        'with nonlin=False the neuron is linear: no relu': max(0.0, act + b),
    }
    if nonlin:
        variants['the bias is not added'] = max(0.0, act)
        variants.pop('with nonlin=False the neuron is linear: no relu')
        variants['parameters() must list the weights first, then the bias'] = max(
            0.0, variants['parameters() must list the weights first, then the bias'])
    else:
        variants.pop('apply relu to w . x + b (unless nonlin=False)')
    for hint, value in variants.items():
        if close(got['out'][0], value):
            return hint
    return ''


@pytest.mark.points(1, name='module-base', what='Module().parameters()')
def test_module(sub, ref):
    kind, got = call(sub, 'Module().parameters()', 'module_default')
    if kind != 'list' or got != []:
        # got holds the items of a list or tuple only; anything else is named by its type.
        shown = (f'{show(got)} (a {kind})' if kind in ('list', 'tuple')
                 else 'None' if kind == 'NoneType' else f'a {kind} object')
        raise Fail(f'Module().parameters() is {shown}, expected [], an empty '
                   'list: a Module with no parameters of its own has none')


@pytest.mark.points(2, name='neuron-parameters', what='Neuron(3).parameters()')
def test_parameters(sub, ref):
    expected, got = run(sub, ref, 'Neuron', [3], inputs=INPUTS, backward=False)
    if got['count'] == 3:
        raise Fail('Neuron(3) has 3 parameters, expected 4: the bias is missing')
    check_count(expected, got, 'Neuron(3)')


@pytest.mark.points(2, name='neuron-init', what='a new Neuron(3)')
def test_init(sub, ref):
    # Read from self.w, self.b and self.nonlin, so a wrong parameters() is not blamed on this.
    expected, got = check_state(sub, ref, 'Neuron', [3], 'Neuron(3)')
    w, b = got['w'], got['b']
    if not isinstance(w, list) or len(w) != 3:
        raise Fail(f'Neuron(3).w is {show(w)}, expected a list of 3 weights, one per input')
    if not all(type(x) in (int, float) for x in w):
        raise Fail(f'the weights of Neuron(3) are {show(w)}: each must be a Value, so that it '
                   'gets a grad')
    if w != expected['w']:
        raise Fail(f'after random.seed(0) the weights of a new Neuron(3) are {show(w)}, expected '
                   f"{show(expected['w'])}: draw each one with Value(random.uniform(-1, 1)), in "
                   'order, nothing else drawn before them')
    if b != 0 or type(b) not in (int, float):
        raise Fail(f'the bias of a new Neuron starts at {show(b)}, expected Value(0.0)')
    if got['nonlin'] is not True:
        raise Fail(f"Neuron(3).nonlin is {show(got['nonlin'])}, expected True (the default)")
    linear = call(sub, 'Neuron(3, nonlin=False)', 'module_state', kind='Neuron', args=[3],
                  kwargs={'nonlin': False})
    if linear['nonlin'] is not False:
        raise Fail(f"Neuron(3, nonlin=False).nonlin is {show(linear['nonlin'])}, expected False: "
                   'keep the flag as given')
    empty = call(sub, 'Neuron(0)', 'module_state', kind='Neuron', args=[0])
    if empty['w'] != []:
        raise Fail(f"Neuron(0).w is {show(empty['w'])}, expected []: no inputs, no weights")


@pytest.mark.points(2, name='neuron-forward', what='calling a Neuron')
def test_forward(sub, ref):
    for seed in (5, 1):      # a positive and a negative w . x + b
        expected, got = run(sub, ref, 'Neuron', [3], inputs=INPUTS, seed=seed, backward=False)
        hint = _forward_hint(known_values(4, seed), INPUTS, got)
        check_outputs(expected, got, 'Neuron(3)', INPUTS, hint)


@pytest.mark.points(1, name='neuron-linear', what='calling Neuron(3, nonlin=False)')
def test_linear(sub, ref):
    for seed in (1, 5):
        expected, got = run(sub, ref, 'Neuron', [3], {'nonlin': False}, INPUTS, seed,
                            backward=False)
        hint = _forward_hint(known_values(4, seed), INPUTS, got, nonlin=False)
        check_outputs(expected, got, 'Neuron(3, nonlin=False)', INPUTS, hint)


@pytest.mark.points(2, name='neuron-backward', what='backward() through a Neuron')
def test_backward(sub, ref):
    for seed in (5, 7, 1):
        expected, got = run(sub, ref, 'Neuron', [3], inputs=INPUTS, seed=seed)
        check_outputs(expected, got, 'Neuron(3)', INPUTS)
        check_grads(expected, got, 'Neuron(3)')


@pytest.mark.points(1, name='neuron-zero-grad', what='Neuron(3).zero_grad()')
def test_zero_grad(sub, ref):
    check_zero_grad(sub, 'Neuron', [3])


@pytest.mark.points(1, name='neuron-graph', what='the graph one call of a Neuron builds')
def test_graph(sub, ref):
    expected, got = run(sub, ref, 'Neuron', [3], inputs=INPUTS, seed=5, backward=False)
    check_outputs(expected, got, 'Neuron(3)', INPUTS)
    if got['size'] != expected['size']:
        raise Fail(f"calling Neuron(3) builds a graph of {got['size']} nodes, expected "
                   f"{expected['size']}: start the sum at the bias, sum(..., self.b), rather "
                   'than starting at 0 or adding the bias at the end')


@pytest.mark.points(1, name='neuron-inputs', what='calling a Neuron on plain numbers or no inputs')
def test_inputs(sub, ref):
    expected, got = run(sub, ref, 'Neuron', [3], inputs=INPUTS, seed=5, backward=False,
                        numbers=True)
    check_outputs(expected, got, 'Neuron(3) on plain numbers', INPUTS,
                  'the inputs may be plain numbers as well as Values')
    expected, got = run(sub, ref, 'Neuron', [0], {'nonlin': False}, inputs=[], seed=5,
                        backward=False)
    check_outputs(expected, got, 'Neuron(0, nonlin=False)', [],
                  'with no inputs the output is the bias alone')


@pytest.mark.points(1, name='neuron-parameters-own', what='the list Neuron(3).parameters() returns')
def test_parameters_own(sub, ref):
    check_identity(sub, 'Neuron', [3], 'Neuron(3)')


@pytest.mark.points(1, name='neuron-repr', what='repr of a Neuron')
def test_repr(sub, ref):
    check_repr(sub, ref, 'Neuron', [3], 'Neuron(3)')
    check_repr(sub, ref, 'Neuron', [5], 'Neuron(5, nonlin=False)', {'nonlin': False})
