"""Hidden suite of stage 06-layer: Layer(nin, nout, **kwargs)."""

import pytest

from autograder.judge import Fail, show
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


OTHER_INPUTS = ([1.0, 2.0, -0.5], [-2.0, 0.5, 1.0])   # outputs that differ from INPUTS'


@pytest.mark.points(2, name='layer-single-output', what='calling Layer(3, 1)')
def test_single_output(sub, ref):
    expected, got = run(sub, ref, 'Layer', [3, 1], {'nonlin': False}, inputs=INPUTS, seed=5,
                        backward=False, more_inputs=list(OTHER_INPUTS))
    check_outputs(expected, got, 'Layer(3, 1, nonlin=False)', INPUTS)
    for x, a, e in zip(OTHER_INPUTS, got['more'], expected['more']):
        if a != e:
            raise Fail(f'for inputs {x}, Layer(3, 1, nonlin=False) gives {show(a)}, expected '
                       f'{show(e)}: every call must compute its neuron on the inputs it is given')


@pytest.mark.points(1, name='layer-init', what='the neurons of a new Layer(3, 2)')
def test_init(sub, ref):
    expected, got = check_state(sub, ref, 'Layer', [3, 2], 'Layer(3, 2)')
    if len(got['neurons']) != len(expected['neurons']):
        raise Fail(f"Layer(3, 2) holds {len(got['neurons'])} neurons, expected 2")
    weights = [n['w'] for n in got['neurons']]
    if weights != [n['w'] for n in expected['neurons']]:
        raise Fail(f'after random.seed(0) the weights of Layer(3, 2) are {show(weights)}, '
                   f"expected {show([n['w'] for n in expected['neurons']])}: create the "
                   'neurons one after the other, each Neuron(nin, **kwargs)')
    if [n['nonlin'] for n in got['neurons']] != [True, True]:
        raise Fail('the neurons of Layer(3, 2) must default to ReLU (nonlin=True)')


@pytest.mark.points(1, name='layer-parameters-own',
                    what='the list Layer(3, 2).parameters() returns')
def test_parameters_own(sub, ref):
    check_identity(sub, 'Layer', [3, 2], 'Layer(3, 2)')
    expected, got = run(sub, ref, 'Layer', [16, 16], backward=False, inputs=[0.5] * 16)
    if got['count'] != 272:
        raise Fail(f"Layer(16, 16) has {got['count']} parameters, expected 16 * (16 + 1) = 272")


@pytest.mark.points(1, name='layer-repr', what='repr of a Layer')
def test_repr(sub, ref):
    check_repr(sub, ref, 'Layer', [3, 2], 'Layer(3, 2)')
    check_repr(sub, ref, 'Layer', [4, 1], 'Layer(4, 1, nonlin=False)', {'nonlin': False})


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
