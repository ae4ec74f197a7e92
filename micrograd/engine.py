"""A scalar-valued automatic differentiation engine.

Every arithmetic operation on `Value`s builds one node of a computation graph.
Each node remembers its operands (`_prev`) and how much it changes when each
operand changes (`_local_grads`, the partial derivatives, computed during the
forward pass). `backward()` then applies the chain rule from the output back to
every input:

    d(out)/d(x) = sum over the paths x -> ... -> out of the products of local grads.

Two choices keep the engine fast without making it harder to read:

* no closures: a node holds numbers, not a function that refers back to the
  node itself, so the graph has no reference cycles and Python frees it by
  reference counting instead of waiting for the cyclic garbage collector;
* no recursion: the topological sort uses an explicit stack, so a chain of a
  million nodes back-propagates without hitting Python's recursion limit.
"""

import gc
import math
from contextlib import contextmanager


class Value:
    """One scalar in a computation graph, with the gradient of the output w.r.t. it."""

    __slots__ = ('data', 'grad', '_prev', '_op', '_local_grads')

    def __init__(self, data, _prev=(), _op='', _local_grads=()):
        self.data = data
        self.grad = 0.0                   # d(output)/d(self), filled in by backward()
        self._prev = _prev                # the operands, in order (a tuple)
        self._op = _op                    # the operation that made this node, for display
        self._local_grads = _local_grads  # d(self)/d(operand), one per operand

    # -- operations that build the graph -------------------------------------------

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), '+', (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), '*', (other.data, self.data))

    def __pow__(self, exponent):
        if not isinstance(exponent, (int, float)) or isinstance(exponent, bool):
            raise TypeError(
                f'Value ** {type(exponent).__name__}: only int or float exponents are supported')
        data = self.data ** exponent
        if isinstance(data, complex):
            raise ValueError(f'{self.data} ** {exponent} is not a real number '
                             '(a negative base with a fractional exponent)')
        # d/dx x**n = n * x**(n-1)
        return Value(data, (self,), f'**{exponent}', (exponent * self.data ** (exponent - 1),))

    def relu(self):
        data = 0.0 if self.data < 0 else self.data
        return Value(data, (self,), 'ReLU', (float(data > 0),))

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), 'tanh', (1.0 - t * t,))     # d/dx tanh x = 1 - tanh(x)^2

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), 'exp', (e,))                # d/dx e^x = e^x

    def log(self):
        if self.data <= 0:
            raise ValueError(f'log of a non-positive number: Value(data={self.data})')
        return Value(math.log(self.data), (self,), 'log', (1.0 / self.data,))

    # The rest are built from the operations above, so they need no derivatives of their own.

    def __neg__(self):                  # -self
        return self * -1

    def __sub__(self, other):           # self - other
        return self + (-other)

    def __truediv__(self, other):       # self / other
        return self * other**-1

    def __radd__(self, other):          # other + self
        return self + other

    def __rsub__(self, other):          # other - self
        return other + (-self)

    def __rmul__(self, other):          # other * self
        return self * other

    def __rtruediv__(self, other):      # other / self
        return other * self**-1

    # -- back-propagation ----------------------------------------------------------

    def _backward(self):
        """The chain rule at one node: pass this node's gradient on to its operands."""
        grad = self.grad
        for operand, local_grad in zip(self._prev, self._local_grads):
            operand.grad += local_grad * grad

    def backward(self):
        """Compute d(self)/d(node) for every node the graph of `self` reaches.

        Gradients accumulate (+=) in the leaves, as in PyTorch: call zero_grad()
        between steps. Intermediate nodes start again from zero on every pass, so a
        second backward() adds exactly one more gradient to each leaf.
        """
        order = self._topological_order()
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            if node._prev:                # a leaf has nothing to pass on
                node._backward()

    def _topological_order(self):
        """Every node reachable from self, each after all of its operands.

        An iterative depth-first search: the stack holds each unfinished node with an
        iterator over its operands, so a node is appended once all of them have been.
        The order depends only on the graph, never on hashes.
        """
        order, visited = [], {self}
        stack = [(self, iter(self._prev))]
        while stack:
            node, operands = stack[-1]
            for operand in operands:
                if operand not in visited:
                    visited.add(operand)
                    if operand._prev:     # go deeper first
                        stack.append((operand, iter(operand._prev)))
                        break
                    order.append(operand)  # a leaf is done at once
            else:                         # every operand is done: so is this node
                stack.pop()
                order.append(node)
        return order

    def __repr__(self):
        return f'Value(data={self.data}, grad={self.grad})'


@contextmanager
def gc_paused():
    """Keep Python's cyclic garbage collector out of a block, such as one training step.

    The graph holds no reference cycles, so reference counting frees every node as
    soon as the loss goes out of scope; the cyclic collector would only walk the
    growing graph again and again (a third of a step at batch 100). It runs again
    after the block, even if the block raises, so code with cycles of its own is safe.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

