"""Hidden suite of stage 07-mlp: MLP(nin, nouts)."""

import pytest

from autograder.judge import Fail, close, show
from autograder.suites.modules import (
    check_grads,
    check_identity,
    check_outputs,
    check_repr,
    check_state,
    check_zero_grad,
    run,
)

INPUTS = [0.5, -1.0, 2.0]
SIZES = [4, 4, 1]
NAME = 'MLP(3, [4, 4, 1])'
NEGATIVE_SEEDS = (3, 9)     # seeds whose known parameters make the reference's output negative


@pytest.mark.points(2, name='mlp-parameters', what=f'{NAME}.parameters()')
def test_parameters(sub, ref):
    expected, got = run(sub, ref, 'MLP', [3, SIZES], inputs=INPUTS, backward=False)
    if got['count'] in (5, 16, 20):
        raise Fail(f"{NAME} has {got['count']} parameters, expected 41: collect the parameters "
                   'of every layer, in order')
    check_outputs(expected, got, NAME, INPUTS)


@pytest.mark.points(3, name='mlp-forward', what=f'calling {NAME}')
def test_forward(sub, ref):
    for seed in (1, 2, 5):
        expected, got = run(sub, ref, 'MLP', [3, SIZES], inputs=INPUTS, seed=seed,
                            backward=False)
        check_outputs(expected, got, NAME, INPUTS,
                      'every layer but the last applies relu; layer i maps sizes[i] inputs '
                      'to sizes[i + 1] outputs')


OTHER_INPUTS = ([1.0, 2.0, -0.5], [-2.0, 0.5, 1.0], [0.3, -0.7, 1.1])


@pytest.mark.points(1, name='mlp-single-output', what=f'calling {NAME}')
def test_single_output(sub, ref):
    expected, got = run(sub, ref, 'MLP', [3, SIZES], inputs=INPUTS, backward=False, seed=2,
                        more_inputs=list(OTHER_INPUTS))
    if not got['single']:
        raise Fail(f'{NAME} returned a list: with one output, the result is a single Value')
    check_outputs(expected, got, NAME, INPUTS)
    for x, a, e in zip(OTHER_INPUTS, got['more'], expected['more']):
        if len(a) != len(e) or not all(close(u, v) for u, v in zip(a, e)):
            raise Fail(f'for inputs {x}, {NAME} gives {show(a)}, expected {show(e)}: feed x to '
                       'the first layer and each layer its predecessor\'s output')


@pytest.mark.points(1, name='mlp-wide-output', what='calling MLP(2, [3, 2])')
def test_wide_output(sub, ref):
    expected, got = run(sub, ref, 'MLP', [2, [3, 2]], inputs=[1.0, -1.0], backward=False)
    check_outputs(expected, got, 'MLP(2, [3, 2])', [1.0, -1.0])


@pytest.mark.points(2, name='mlp-init', what='the layers of a new MLP')
def test_init(sub, ref):
    for args, name in (([3, SIZES], NAME), ([3, [4]], 'MLP(3, (4,))'),
                       ([2, [3, 1]], 'MLP(2, [3, 1])')):
        expected, got = check_state(sub, ref, 'MLP', args, name, tuple_sizes='(' in name[6:])
        shapes = [(len(layer[0]['w']) if layer else 0, len(layer)) for layer in got['layers']]
        want = [(len(layer[0]['w']), len(layer)) for layer in expected['layers']]
        if shapes != want:
            raise Fail(f'the layers of {name} have (inputs, neurons) = {shapes}, expected {want}: '
                       'layer i reads the size before it (nin for the first) and has sizes[i] '
                       'neurons, one layer per size')
        flags = [sorted({n['nonlin'] for n in layer}) for layer in got['layers']]
        want_flags = [sorted({n['nonlin'] for n in layer}) for layer in expected['layers']]
        if flags != want_flags:
            raise Fail(f'the layers of {name} have nonlin = {flags}, expected {want_flags}: every '
                       'layer but the last uses ReLU, and the last one is linear')
        if got['nouts'] != expected['nouts']:
            raise Fail(f"MLP changed the list of sizes it was given to {show(got['nouts'])}: do "
                       'not modify nouts')
        weights = [n['w'] for layer in got['layers'] for n in layer]
        if weights != [n['w'] for layer in expected['layers'] for n in layer]:
            raise Fail(f'after random.seed(0) the weights of {name} differ from the expected '
                       'ones: create the layers in order, first to last')


@pytest.mark.points(1, name='mlp-parameters-own', what=f'the list {NAME}.parameters() returns')
def test_parameters_own(sub, ref):
    check_identity(sub, 'MLP', [3, SIZES], NAME)
    expected, got = run(sub, ref, 'MLP', [2, [16, 16, 1]], backward=False, inputs=[0.5, -0.5])
    if got['count'] != 337:
        raise Fail(f"MLP(2, [16, 16, 1]) has {got['count']} parameters, expected 337")


@pytest.mark.points(1, name='mlp-repr', what='repr of an MLP')
def test_repr(sub, ref):
    check_repr(sub, ref, 'MLP', [2, [1, 1]], 'MLP(2, [1, 1])')
    check_repr(sub, ref, 'MLP', [3, [2, 1]], 'MLP(3, [2, 1])')


@pytest.mark.points(2, name='mlp-linear-last', what='the last layer of an MLP')
def test_linear_last(sub, ref):
    for seed in NEGATIVE_SEEDS:
        expected, got = run(sub, ref, 'MLP', [3, SIZES], inputs=INPUTS, seed=seed,
                            backward=False)
        if not expected['out'][0] < 0:
            raise RuntimeError(f'seed {seed} should give the reference a negative output')
        if got['out'] and close(got['out'][0], 0.0):
            raise Fail(f'{NAME} outputs 0.0 where the expected output is negative: the last '
                       'layer must be linear (nonlin=False), so that scores can be negative')
        check_outputs(expected, got, NAME, INPUTS)


@pytest.mark.points(2, name='mlp-backward', what=f'backward() through {NAME}')
def test_backward(sub, ref):
    for seed in (1, 2, 5):
        expected, got = run(sub, ref, 'MLP', [3, SIZES], inputs=INPUTS, seed=seed)
        check_outputs(expected, got, NAME, INPUTS)
        check_grads(expected, got, NAME)


@pytest.mark.points(1, name='mlp-zero-grad', what=f'{NAME}.zero_grad()')
def test_zero_grad(sub, ref):
    check_zero_grad(sub, 'MLP', [3, SIZES])
