"""The reference nn: parameter counts and order, output shapes, linear last layer."""

import random

import pytest

from micrograd.engine import Value
from micrograd.nn import MLP, Layer, Module, Neuron


def test_neuron_parameters_are_weights_then_bias():
    random.seed(0)
    n = Neuron(3)
    assert n.parameters() == n.w + [n.b]
    assert len(n.parameters()) == 4
    assert n.b.data == 0.0
    assert all(-1 <= w.data <= 1 for w in n.w)


def test_neuron_computes_relu_of_affine_map():
    n = Neuron(2)
    n.w[0].data, n.w[1].data, n.b.data = 2.0, -1.0, 0.5
    assert n([1.0, 3.0]).data == 0.0           # relu(2 - 3 + 0.5) = 0
    assert n([3.0, 1.0]).data == 5.5
    linear = Neuron(2, nonlin=False)
    linear.w[0].data, linear.w[1].data, linear.b.data = 2.0, -1.0, 0.5
    assert linear([1.0, 3.0]).data == -0.5


def test_weights_are_drawn_with_random_uniform():
    random.seed(42)
    expected = [random.uniform(-1, 1) for _ in range(3)]
    random.seed(42)
    assert [w.data for w in Neuron(3).w] == expected


def test_layer_order_and_single_output():
    layer = Layer(3, 2)
    assert layer.parameters() == layer.neurons[0].parameters() + layer.neurons[1].parameters()
    assert isinstance(layer([1.0, 2.0, 3.0]), list)
    single = Layer(3, 1)
    assert isinstance(single([1.0, 2.0, 3.0]), Value)


def test_mlp_parameter_count_order_and_linear_last_layer():
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337
    assert model.parameters() == [p for layer in model.layers for p in layer.parameters()]
    assert [n.nonlin for layer in model.layers for n in layer.neurons] == [True] * 32 + [False]
    assert isinstance(model([1.0, -1.0]), Value)
    assert str(model).startswith('MLP of [Layer of [ReLUNeuron(2), ')
    assert str(model).endswith('Layer of [LinearNeuron(16)]]')


def test_mlp_gradients_match_finite_differences():
    random.seed(4)                 # a seed where most neurons are active at x
    model = MLP(3, [4, 4, 1])
    for neuron in (n for layer in model.layers for n in layer.neurons):
        neuron.b.data = random.uniform(0.1, 0.5)   # keep pre-activations off ReLU's kink at 0
    x = [0.5, -1.5, 2.0]
    model.zero_grad()
    model(x).backward()
    assert sum(p.grad != 0.0 for p in model.parameters()) > len(model.parameters()) // 2
    h = 1e-6
    for p in model.parameters():
        original = p.data
        p.data = original + h
        up = model(x).data
        p.data = original - h
        down = model(x).data
        p.data = original
        assert p.grad == pytest.approx((up - down) / (2 * h), abs=1e-5)


def test_zero_grad_resets_every_parameter():
    model = MLP(2, [3, 1])
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    assert Module().parameters() == []
