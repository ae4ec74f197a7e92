"""A catalogue of typical honest mistakes, each made by editing one solution cell.

Used by the project's tests (each bug must lose points in its own stage, with
feedback that names it) and by anyone who needs realistic wrong submissions, such
as the sample class.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from autograder import cells, course

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


@dataclass(frozen=True)
class Bug:
    name: str
    stage: str
    cell: str          # grade_id of the exercise cell to edit
    old: str           # text in the solution cell ...
    new: str           # ... replaced by this (old=None: the whole cell becomes new)
    test: str          # the hidden test that must fail
    says: str          # a phrase its feedback must contain


CATALOGUE = [
    Bug('grad-starts-at-none', '01-value', 'value-init', 'self.grad = 0.0', 'self.grad = None',
        'value-grad', 'starts at 0.0'),
    Bug('operands-not-stored', '01-value', 'value-init', 'self._prev = _prev',
        'self._prev = ()', 'value-children', 'must hold the operands'),
    Bug('eq-by-data', '01-value', 'value-init', 'Value.__init__ = __init__',
        'Value.__init__ = __init__\nValue.__eq__ = lambda self, other: '
        "self.data == getattr(other, 'data', other)", 'value-identity', 'leave __eq__'),
    Bug('one-sided-difference', '01-value', 'value-numerical-derivative',
        'return (f(x + h) - f(x - h)) / (2 * h)', 'return (f(x + h) - f(x)) / h',
        'numerical-derivative', 'central difference'),
    Bug('mul-forgets-operand', '02-operations', 'ops-add-mul',
        "(self, other), '*')", "(self,), '*')", 'ops-add-mul', 'is not linked to b'),
    Bug('detached-sub', '02-operations', 'ops-neg-sub-div', 'return self + (-other)',
        'return Value(self.data - (other.data if isinstance(other, Value) else other))',
        'ops-neg-sub-div', 'must record the Values'),
    Bug('detached-truediv', '02-operations', 'ops-neg-sub-div', 'return self * other**-1',
        'return Value(self.data / (other.data if isinstance(other, Value) else other))',
        'ops-neg-sub-div', 'is not linked'),
    Bug('missing-radd', '02-operations', 'ops-reflected', 'Value.__radd__ = __radd__\n', '',
        'ops-reflected', 'TypeError'),
    Bug('rsub-wrong-way-round', '02-operations', 'ops-reflected', 'return other + (-self)',
        'return self + (-other)', 'ops-reflected', 'b = 2.0 - a'),
    Bug('relu-lets-negatives-through', '02-operations', 'ops-activations',
        "Value(0.0 if self.data < 0 else self.data, (self,), 'ReLU')",
        "Value(self.data, (self,), 'ReLU')", 'ops-activations', 'b = a.relu()'),
    Bug('trace-edges-reversed', '03-graph', 'graph-trace', 'edges.append((child, node))',
        'edges.append((node, child))', 'graph-trace-nodes', 'from result to operand'),
    Bug('trace-stops-early', '03-graph', 'graph-trace', 'stack.append(child)',
        'stack.append(child) if node is root else None', 'graph-trace-deep', 'misses'),
    Bug('trace-repeats-shared-nodes', '03-graph', 'graph-trace',
        'if node in seen:\n            continue', 'pass', 'graph-trace-shared',
        'must appear once'),
    Bug('draw-dot-ignores-labels', '03-graph', 'graph-draw-dot', "name = labels.get(node, '')",
        "name = ''", 'graph-draw-labels', 'does not show the label'),
    Bug('grad-assigned-not-accumulated', '04-backward', 'backward-chain-rule',
        'operand.grad += local_grad * self.grad', 'operand.grad = local_grad * self.grad',
        'backward-accumulate', 'must accumulate'),
    Bug('pow-derivative-without-minus-one', '04-backward', 'backward-pow',
        'exponent * self.data ** (exponent - 1)', 'exponent * self.data ** exponent',
        'backward-pow', 'n * a**(n - 1)'),
    Bug('tanh-derivative-from-input', '04-backward', 'backward-activations',
        'local_grads = (1.0 - t * t,)', 'local_grads = (1.0 - self.data ** 2,)',
        'backward-tanh', 'not the input'),
    Bug('relu-gradient-always-one', '04-backward', 'backward-activations',
        'local_grads = (float(data > 0),)', 'local_grads = (1.0,)', 'backward-relu',
        'where its input was positive'),
    Bug('mul-local-grads-swapped', '04-backward', 'backward-add-mul',
        'local_grads = (other.data, self.data)', 'local_grads = (self.data, other.data)',
        'backward-add-mul', 'd(a * b)/da = b'),
    Bug('no-topological-order', '04-backward', 'backward-topological-order', None, BFS_ORDER,
        'backward-topological-order', 'reverse topological order'),
    Bug('output-grad-not-seeded', '04-backward', 'backward-backward', 'self.grad = 1.0', 'pass',
        'backward-seed', 'grad to 1.0'),
    Bug('zero-grad-resets-data', '05-neuron', 'neuron-module', 'p.grad = 0.0', 'p.data = 0.0',
        'neuron-zero-grad', 'still have a grad'),
    Bug('bias-missing-from-parameters', '05-neuron', 'neuron-parameters',
        'return self.w + [self.b]', 'return self.w', 'neuron-parameters', 'the bias is missing'),
    Bug('bias-not-added', '05-neuron', 'neuron-call', 'zip(self.w, x)), self.b)',
        'zip(self.w, x)), Value(0.0))', 'neuron-forward', 'the bias is not added'),
    Bug('bias-listed-first', '05-neuron', 'neuron-parameters', 'return self.w + [self.b]',
        'return [self.b] + self.w', 'neuron-forward', 'weights first, then the bias'),
    Bug('nonlin-ignored', '05-neuron', 'neuron-call', 'return act.relu() if self.nonlin else act',
        'return act.relu()', 'neuron-linear', 'no relu'),
    Bug('layer-returns-list-for-one-output', '06-layer', 'layer-call',
        'return out[0] if len(out) == 1 else out', 'return out', 'layer-single-output',
        'returned a list for a single output'),
    Bug('layer-drops-kwargs', '06-layer', 'layer-init', '[Neuron(nin, **kwargs) for',
        '[Neuron(nin) for',
        'layer-kwargs', 'pass **kwargs on'),
    Bug('layer-parameters-of-one-neuron', '06-layer', 'layer-parameters',
        'return [p for n in self.neurons for p in n.parameters()]',
        'return self.neurons[0].parameters()', 'layer-parameters', 'every neuron'),
    Bug('nonlinear-last-layer', '07-mlp', 'mlp-init', 'nonlin=i != len(nouts) - 1', 'nonlin=True',
        'mlp-linear-last', 'must be linear'),
    Bug('mlp-parameters-of-last-layer', '07-mlp', 'mlp-parameters',
        'return [p for layer in self.layers for p in layer.parameters()]',
        'return self.layers[-1].parameters()', 'mlp-parameters', 'every layer'),
    Bug('learning-rate-without-steps', '08-training', 'training-learning-rate',
        'return 1.0 - 0.9 * step / steps',
        'return 1.0 - 0.9 * step', 'training-learning-rate', '1.0 - 0.9 * step / steps'),
    Bug('sgd-climbs-the-gradient', '08-training', 'training-sgd-step',
        'p.data -= learning_rate(step, steps) * p.grad',
        'p.data += learning_rate(step, steps) * p.grad', 'training-sgd-step',
        'against the gradient'),
    Bug('loss-without-regularisation', '08-training', 'training-loss',
        'return data_loss + reg_loss, accuracy', 'return data_loss, accuracy', 'training-loss',
        'L2 regularisation'),
    Bug('train-without-zero-grad', '08-training', 'training-train',
        '        model.zero_grad()\n', '',
        'training-train-steps', 'zero_grad'),
]


def edit_cell(notebook, grade_id, old, new):
    """The notebook (a dict) with one cell's text edited; KeyError/ValueError if it can't be."""
    for cell in notebook['cells']:
        if cells.grade_id(cell) == grade_id:
            source = cells.source(cell)
            if old is None:
                cell['source'] = new
            elif old in source:
                cell['source'] = source.replace(old, new, 1)
            else:
                raise ValueError(f'{old!r} is not in cell {grade_id!r}')
            return notebook
    raise KeyError(f'no cell {grade_id!r}')


def write_buggy_notebook(bug, source_dir, path):
    """Write the stage's solution notebook with `bug` made in it to `path`."""
    source = course.stage(bug.stage).notebook(source_dir)
    notebook = edit_cell(json.loads(source.read_text(encoding='utf-8')), bug.cell, bug.old,
                         bug.new)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(notebook, indent=1), encoding='utf-8')
    return Path(path)
