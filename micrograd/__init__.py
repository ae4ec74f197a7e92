"""micrograd: the course's reference autograd engine and neural-net library."""

from micrograd.engine import Value
from micrograd.nn import MLP, Layer, Module, Neuron

__all__ = ['Value', 'Module', 'Neuron', 'Layer', 'MLP']
