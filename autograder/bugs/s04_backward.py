"""Catalogued mistakes of stage 04-backward."""

from autograder.bugs import Bug


def _bug(name, cell, old, new, test, says, summary, fix):
    return Bug(name, '04-backward', cell, old, new, test, says, summary, fix)


BFS_ORDER = '''def _topological_order(self):
    """Breadth-first from the output: not a topological order."""
    order, seen, queue = [], set(), [self]
    while queue:
        node = queue.pop(0)
        if node not in seen:
            seen.add(node)
            order.append(node)
            queue.extend(node._prev)
    return order[::-1]


Value._topological_order = _topological_order
'''

RECURSIVE_ORDER = '''def _topological_order(self):
    """Karpathy's build_topo: recursive."""
    topo, visited = [], set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)

    build_topo(self)
    return topo


Value._topological_order = _topological_order
'''

SET_ORDER = '''def _topological_order(self):
    """Operands taken from a set: a valid order, but not the same one every time."""
    order, visited = [], set()
    stack = [(self, False)]
    while stack:
        node, operands_done = stack.pop()
        if operands_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in set(node._prev))
    return order


Value._topological_order = _topological_order
'''

CLOSURE_MUL = '''def __add__(self, other):
    """self + other, recording d(result)/d(self) and d(result)/d(other)."""
    other = other if isinstance(other, Value) else Value(other)
    local_grads = (1.0, 1.0)
    return Value(self.data + other.data, (self, other), '+', local_grads)


def __mul__(self, other):
    """Karpathy's closure, which a Value with __slots__ cannot hold."""
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), '*')

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad
    out._backward = _backward
    return out


Value.__add__ = __add__
Value.__mul__ = __mul__
'''

BUGS = [
    _bug('mul-local-grads-swapped', 'backward-add-mul', 'local_grads = (other.data, self.data)',
         'local_grads = (self.data, other.data)', 'backward-add-mul', 'd(a * b)/da = b',
         'the local derivatives of * are swapped',
         'd(a * b)/da is b.data: local_grads = (other.data, self.data)'),
    _bug('mul-local-grads-are-values', 'backward-add-mul',
         'local_grads = (other.data, self.data)', 'local_grads = (other, self)',
         'backward-local-grads', 'plain number', 'the local derivatives of * are Values',
         'record numbers, not Values: local_grads = (other.data, self.data)'),
    _bug('add-local-grads-zero', 'backward-add-mul', 'local_grads = (1.0, 1.0)',
         'local_grads = (0.0, 0.0)', 'backward-add-mul', 'd(a + b)/da = 1',
         'the local derivatives of + are 0', 'd(a + b)/da = d(a + b)/db = 1: (1.0, 1.0)'),
    _bug('add-one-local-grad', 'backward-add-mul', 'local_grads = (1.0, 1.0)',
         'local_grads = (1.0,)', 'backward-add-mul', 'd(a + b)/da = 1',
         '+ records one local derivative for two operands',
         'record one local derivative per operand: (1.0, 1.0)'),
    _bug('closure-backward', 'backward-add-mul', None, CLOSURE_MUL, 'backward-add-mul',
         'cannot hold a closure', 'a closure is assigned to _backward',
         'record the local derivatives in _local_grads; Value has __slots__ and holds no '
         'closure'),
    _bug('pow-derivative-without-minus-one', 'backward-pow',
         'exponent * self.data ** (exponent - 1)', 'exponent * self.data ** exponent',
         'backward-pow', 'n * a**(n - 1)', 'the power rule keeps the exponent n',
         'the local derivative of x**n is n * x**(n - 1)'),
    _bug('pow-derivative-without-n', 'backward-pow', 'exponent * self.data ** (exponent - 1)',
         'self.data ** (exponent - 1)', 'backward-pow', 'n * a**(n - 1)',
         'the power rule forgets the factor n', 'multiply by the exponent: n * x**(n - 1)'),
    _bug('pow-derivative-no-tuple', 'backward-pow',
         'local_grads = (exponent * self.data ** (exponent - 1),)',
         'local_grads = (exponent * self.data ** (exponent - 1))', 'backward-pow',
         'raised TypeError', 'the local derivative of ** is not a tuple',
         'a one-element tuple needs a comma: (g,)'),
    _bug('tanh-derivative-from-input', 'backward-activations', 'local_grads = (1.0 - t * t,)',
         'local_grads = (1.0 - self.data ** 2,)', 'backward-tanh', 'not the input',
         'tanh\'s derivative squares the input',
         'square the output: 1 - t * t with t = tanh(x)'),
    _bug('relu-gradient-always-one', 'backward-activations', 'local_grads = (float(data > 0),)',
         'local_grads = (1.0,)', 'backward-relu',
         'passes the gradient only where its output is positive',
         'relu passes every gradient through', 'the local derivative of relu is 0.0 where x <= 0'),
    _bug('relu-gradient-one-at-zero', 'backward-activations',
         'local_grads = (float(data > 0),)', 'local_grads = (float(self.data >= 0),)',
         'backward-relu', 'at exactly 0 it is 0.0', "relu'(0) is taken as 1",
         'take 0.0 at exactly 0: float(data > 0)'),
    _bug('exp-derivative-is-x', 'backward-activations', 'local_grads = (e,)',
         'local_grads = (self.data,)', 'backward-exp-log', 'e**x', "exp's derivative is x",
         'the derivative of e**x is e**x itself: (e,)'),
    _bug('log-derivative-is-log', 'backward-activations', 'local_grads = (1.0 / self.data,)',
         'local_grads = (math.log(self.data),)', 'backward-exp-log', '1/x',
         "log's derivative is log x", 'the derivative of log x is 1 / x'),
    _bug('grad-assigned-not-accumulated', 'backward-chain-rule',
         'operand.grad += local_grad * self.grad', 'operand.grad = local_grad * self.grad',
         'backward-accumulate', 'must accumulate', 'the gradient is assigned, not accumulated',
         'in _backward, add to operand.grad with += so that a node used twice receives both '
         'contributions'),
    _bug('chain-rule-without-grad', 'backward-chain-rule',
         'operand.grad += local_grad * self.grad', 'operand.grad += local_grad',
         'backward-chain-rule', 'local derivative times self.grad',
         'the chain rule forgets self.grad',
         'multiply each local derivative by self.grad before adding it'),
    _bug('chain-rule-divides', 'backward-chain-rule',
         'operand.grad += local_grad * self.grad', 'operand.grad += self.grad / local_grad',
         'backward-chain-rule', 'expected -15.0 and 10.0', 'the chain rule divides',
         'add local_grad * self.grad to each operand'),
    _bug('no-topological-order', 'backward-topological-order', None, BFS_ORDER,
         'backward-topological-order', 'after all of its operands',
         'breadth-first order instead of a topological one',
         'append a node only after all of its operands: a depth-first walk with a '
         '"done" flag on the stack'),
    _bug('topological-order-recursive', 'backward-topological-order', None, RECURSIVE_ORDER,
         'backward-deep', 'keep your own stack', 'the topological sort recurses',
         'sort with your own stack; Python allows about 1000 nested calls'),
    _bug('topological-order-from-set', 'backward-topological-order', None, SET_ORDER,
         'backward-topological-order', 'never by iterating over a set',
         'the topological order iterates over a set',
         'push the operands in _prev order, never from a set'),
    _bug('topological-order-output-first', 'backward-topological-order', '    return order',
         '    return order[::-1]', 'backward-topological-order', 'does not end with the output',
         'the topological order is reversed',
         'return the order with every node after its operands, self last'),
    _bug('output-grad-not-seeded', 'backward-backward', 'self.grad = 1.0', 'pass',
         'backward-seed', 'grad to 1.0', 'the output is not seeded with 1.0',
         'set self.grad = 1.0 before walking the order'),
    _bug('interior-grads-not-reset', 'backward-backward',
         '    for node in order:\n        if node._prev:\n            node.grad = 0.0\n', '',
         'backward-twice', 'interior grads must be reset',
         'interior grads are not reset before a pass',
         'set grad = 0.0 on every node that has operands before each pass'),
    _bug('all-grads-reset', 'backward-backward', '        if node._prev:\n            node.grad',
         '        if True:\n            node.grad', 'backward-twice', 'adds exactly one more',
         'the leaves are reset too', 'reset only the nodes that have operands; leaves '
         'accumulate'),
    _bug('backward-not-reversed', 'backward-backward', 'for node in reversed(order):',
         'for node in order:', 'backward-add-mul', 'the chain rule multiplies',
         'backward walks from the inputs to the output',
         'call _backward() on reversed(order), from the output back to the inputs'),
]
