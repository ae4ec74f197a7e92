"""Hidden suite of stage 07-mlp: MLP(nin, nouts)."""

import pytest

from autograder.judge import Fail, close
from autograder.suites.modules import check_grads, check_outputs, check_zero_grad, run

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


@pytest.mark.points(1, name='mlp-single-output', what=f'calling {NAME}')
def test_single_output(sub, ref):
    expected, got = run(sub, ref, 'MLP', [3, SIZES], inputs=INPUTS, backward=False)
    if not got['single']:
        raise Fail(f'{NAME} returned a list: with one output, the result is a single Value')


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
