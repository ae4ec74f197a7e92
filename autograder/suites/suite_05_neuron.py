"""Hidden suite of stage 05-neuron: Module and Neuron(nin, nonlin=True)."""

import pytest

from autograder.judge import Fail, close, show
from autograder.suites.modules import (
    call,
    check_count,
    check_grads,
    check_outputs,
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
    got = call(sub, 'Module().parameters()', 'module_default')
    if got != []:
        raise Fail(f'Module().parameters() is {show(got)}, expected []: a Module with no '
                   'parameters of its own has none')


@pytest.mark.points(2, name='neuron-parameters', what='Neuron(3).parameters()')
def test_parameters(sub, ref):
    expected, got = run(sub, ref, 'Neuron', [3], inputs=INPUTS, backward=False)
    if got['count'] == 3:
        raise Fail('Neuron(3) has 3 parameters, expected 4: the bias is missing')
    check_count(expected, got, 'Neuron(3)')


@pytest.mark.points(1, name='neuron-init', what='a new Neuron(3)')
def test_init(sub, ref):
    values = call(sub, 'Neuron(3)', 'module_init', kind='Neuron', args=[3])
    if not isinstance(values, list) or len(values) != 4:
        raise Fail('Neuron(3).parameters() must hold 3 weights and a bias')
    w, b = values[:3], values[3]
    if not all(type(x) in (int, float) and -1 <= x <= 1 for x in w) or len(set(w)) < 3:
        raise Fail(f'the weights of a new Neuron(3) are {show(w)}: draw each one with '
                   'random.uniform(-1, 1)')
    if b != 0:
        raise Fail(f'the bias of a new Neuron starts at {show(b)}, expected 0.0')


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
