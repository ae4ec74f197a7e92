"""Hidden suite of stage 06-layer: Layer(nin, nout, **kwargs)."""

import pytest

from autograder.judge import Fail
from autograder.suites.modules import check_grads, check_outputs, check_zero_grad, run

INPUTS = [0.5, -1.0, 2.0]


@pytest.mark.points(2, name='layer-parameters', what='Layer(3, 2).parameters()')
def test_parameters(sub, ref):
    expected, got = run(sub, ref, 'Layer', [3, 2], inputs=INPUTS, backward=False)
    if got['count'] in (4, 3):
        raise Fail(f"Layer(3, 2) has {got['count']} parameters, expected 8: collect the "
                   'parameters of every neuron, not just one')
    if got['count'] == 6:
        raise Fail('Layer(3, 2) has 6 parameters, expected 8: the biases are missing')
    check_outputs(expected, got, 'Layer(3, 2)', INPUTS)


@pytest.mark.points(2, name='layer-forward', what='calling Layer(3, 2)')
def test_forward(sub, ref):
    for seed in (1, 2, 3):
        expected, got = run(sub, ref, 'Layer', [3, 2], inputs=INPUTS, seed=seed, backward=False)
        check_outputs(expected, got, 'Layer(3, 2)', INPUTS)


@pytest.mark.points(2, name='layer-single-output', what='calling Layer(3, 1)')
def test_single_output(sub, ref):
    expected, got = run(sub, ref, 'Layer', [3, 1], inputs=INPUTS, seed=5, backward=False)
    check_outputs(expected, got, 'Layer(3, 1)', INPUTS)


@pytest.mark.points(1, name='layer-kwargs', what='Layer(3, 2, nonlin=False)')
def test_kwargs(sub, ref):
    for seed in (1, 2, 3):
        expected, got = run(sub, ref, 'Layer', [3, 2], {'nonlin': False}, INPUTS, seed,
                            backward=False)
        check_outputs(expected, got, 'Layer(3, 2, nonlin=False)', INPUTS,
                      'pass **kwargs on to every Neuron, so nonlin=False makes them linear')


@pytest.mark.points(2, name='layer-backward', what='backward() through a Layer')
def test_backward(sub, ref):
    for seed in (1, 2, 3):
        expected, got = run(sub, ref, 'Layer', [3, 2], {'nonlin': False}, INPUTS, seed)
        check_outputs(expected, got, 'Layer(3, 2, nonlin=False)', INPUTS)
        check_grads(expected, got, 'Layer(3, 2, nonlin=False)')


@pytest.mark.points(1, name='layer-zero-grad', what='Layer(3, 2).zero_grad()')
def test_zero_grad(sub, ref):
    check_zero_grad(sub, 'Layer', [3, 2])
