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
    summary: str       # the mistake in a few words, for feedback and the class report
    fix: str           # one sentence: what to change


CATALOGUE = [
    Bug('grad-starts-at-none', '01-value', 'value-init', 'self.grad = 0.0', 'self.grad = None',
        'value-grad', 'starts at 0.0',
        summary="a new Value's grad starts at None, not 0.0",
        fix='In __init__, start every Value with self.grad = 0.0.'),
    Bug('operands-not-stored', '01-value', 'value-init', 'self._prev = _prev',
        'self._prev = ()', 'value-children', 'must hold the operands',
        summary='_prev does not keep the operands',
        fix='In __init__, store the operands: self._prev = _prev.'),
    Bug('eq-by-data', '01-value', 'value-init', 'Value.__init__ = __init__',
        'Value.__init__ = __init__\nValue.__eq__ = lambda self, other: '
        "self.data == getattr(other, 'data', other)", 'value-identity', 'leave __eq__',
        summary='__eq__ compares Values by their data',
        fix='Delete your __eq__: two Values are the same node only if they are the same object.'),
    Bug('one-sided-difference', '01-value', 'value-numerical-derivative',
        'return (f(x + h) - f(x - h)) / (2 * h)', 'return (f(x + h) - f(x)) / h',
        'numerical-derivative', 'central difference',
        summary='the numerical derivative is one-sided',
        fix='Use the central difference (f(x + h) - f(x - h)) / (2 * h).'),
    Bug('mul-forgets-operand', '02-operations', 'ops-add-mul',
        "(self, other), '*')", "(self,), '*')", 'ops-add-mul', 'is not linked to b',
        summary='a * b records only a as its operand',
        fix="Record both operands: Value(..., (self, other), '*')."),
    Bug('detached-sub', '02-operations', 'ops-neg-sub-div', 'return self + (-other)',
        'return Value(self.data - (other.data if isinstance(other, Value) else other))',
        'ops-neg-sub-div', 'must record the Values',
        summary='a - b makes a new Value detached from the graph',
        fix='Build subtraction from existing operations: return self + (-other).'),
    Bug('detached-truediv', '02-operations', 'ops-neg-sub-div', 'return self * other**-1',
        'return Value(self.data / (other.data if isinstance(other, Value) else other))',
        'ops-neg-sub-div', 'is not linked',
        summary='a / b makes a new Value detached from the graph',
        fix='Build division from existing operations: return self * other**-1.'),
    Bug('missing-radd', '02-operations', 'ops-reflected', 'Value.__radd__ = __radd__\n', '',
        'ops-reflected', 'TypeError',
        summary='__radd__ is missing, so 2 + a fails',
        fix='Define __radd__ (return self + other) and attach it: Value.__radd__ = __radd__.'),
    Bug('rsub-wrong-way-round', '02-operations', 'ops-reflected', 'return other + (-self)',
        'return self + (-other)', 'ops-reflected', 'b = 2.0 - a',
        summary='2 - a computes a - 2',
        fix='In __rsub__, other is on the left: return other + (-self).'),
    Bug('relu-lets-negatives-through', '02-operations', 'ops-activations',
        "Value(0.0 if self.data < 0 else self.data, (self,), 'ReLU')",
        "Value(self.data, (self,), 'ReLU')", 'ops-activations', 'b = a.relu()',
        summary='relu passes negative inputs through',
        fix='Return 0.0 when self.data < 0 and self.data otherwise.'),
    Bug('trace-edges-reversed', '03-graph', 'graph-trace', 'edges.append((child, node))',
        'edges.append((node, child))', 'graph-trace-nodes', 'from result to operand',
        summary="trace's edges point from result to operand",
        fix='Append each edge as (child, node): operand first, then the result.'),
    Bug('trace-stops-early', '03-graph', 'graph-trace', 'stack.append(child)',
        'stack.append(child) if node is root else None', 'graph-trace-deep', 'misses',
        summary="trace stops after the root's operands",
        fix="Push every child onto the stack, not only the root's: walk down to the leaves."),
    Bug('trace-repeats-shared-nodes', '03-graph', 'graph-trace',
        'if node in seen:\n            continue', 'pass', 'graph-trace-shared',
        'must appear once',
        summary='trace lists a shared node more than once',
        fix='Skip a node that is already in `seen` before adding it again.'),
    Bug('draw-dot-ignores-labels', '03-graph', 'graph-draw-dot', "name = labels.get(node, '')",
        "name = ''", 'graph-draw-labels', 'does not show the label',
        summary='draw_dot ignores the labels',
        fix="Show labels.get(node, '') in each node's record."),
    Bug('grad-assigned-not-accumulated', '04-backward', 'backward-chain-rule',
        'operand.grad += local_grad * self.grad', 'operand.grad = local_grad * self.grad',
        'backward-accumulate', 'must accumulate',
        summary='the gradient is assigned, not accumulated',
        fix='In the chain rule, add to the grad: operand.grad += local_grad * self.grad.'),
    Bug('pow-derivative-without-minus-one', '04-backward', 'backward-pow',
        'exponent * self.data ** (exponent - 1)', 'exponent * self.data ** exponent',
        'backward-pow', 'n * a**(n - 1)',
        summary='the derivative of a**n is n * a**n, without the - 1',
        fix='Use n * a**(n - 1) as the local derivative of a**n.'),
    Bug('tanh-derivative-from-input', '04-backward', 'backward-activations',
        'local_grads = (1.0 - t * t,)', 'local_grads = (1.0 - self.data ** 2,)',
        'backward-tanh', 'not the input',
        summary="tanh's derivative squares the input, not the output",
        fix='Use 1 - t**2 with t = tanh(x), the output.'),
    Bug('relu-gradient-always-one', '04-backward', 'backward-activations',
        'local_grads = (float(data > 0),)', 'local_grads = (1.0,)', 'backward-relu',
        'where its input was positive',
        summary="relu's gradient is always 1",
        fix='Pass the gradient only where the input was positive: float(data > 0).'),
    Bug('mul-local-grads-swapped', '04-backward', 'backward-add-mul',
        'local_grads = (other.data, self.data)', 'local_grads = (self.data, other.data)',
        'backward-add-mul', 'd(a * b)/da = b',
        summary='the local gradients of a * b are swapped',
        fix='d(a * b)/da = b and d(a * b)/db = a: local_grads = (other.data, self.data).'),
    Bug('no-topological-order', '04-backward', 'backward-topological-order', None, BFS_ORDER,
        'backward-topological-order', 'reverse topological order',
        summary='backward() walks breadth-first, not in topological order',
        fix='Build a topological order (a node after all its operands) and walk it in reverse.'),
    Bug('output-grad-not-seeded', '04-backward', 'backward-backward', 'self.grad = 1.0', 'pass',
        'backward-seed', 'grad to 1.0',
        summary="backward() never sets the output's grad to 1.0",
        fix='Start backward() with self.grad = 1.0.'),
    Bug('zero-grad-resets-data', '05-neuron', 'neuron-module', 'p.grad = 0.0', 'p.data = 0.0',
        'neuron-zero-grad', 'still have a grad',
        summary='zero_grad resets the data, not the grad',
        fix='In zero_grad, set p.grad = 0.0 for every parameter; leave p.data alone.'),
    Bug('bias-missing-from-parameters', '05-neuron', 'neuron-parameters',
        'return self.w + [self.b]', 'return self.w', 'neuron-parameters', 'the bias is missing',
        summary='the bias is missing from Neuron.parameters()',
        fix='Return the weights and then the bias: self.w + [self.b].'),
    Bug('bias-not-added', '05-neuron', 'neuron-call', 'zip(self.w, x)), self.b)',
        'zip(self.w, x)), Value(0.0))', 'neuron-forward', 'the bias is not added',
        summary='the neuron does not add its bias',
        fix='Start the sum from the bias: sum((wi * xi ...), self.b).'),
    Bug('bias-listed-first', '05-neuron', 'neuron-parameters', 'return self.w + [self.b]',
        'return [self.b] + self.w', 'neuron-forward', 'weights first, then the bias',
        summary='parameters() lists the bias before the weights',
        fix='List the weights first, then the bias: self.w + [self.b].'),
    Bug('nonlin-ignored', '05-neuron', 'neuron-call', 'return act.relu() if self.nonlin else act',
        'return act.relu()', 'neuron-linear', 'no relu',
        summary='the neuron applies relu even with nonlin=False',
        fix='Apply relu only when self.nonlin is true; otherwise return the sum.'),
    Bug('layer-returns-list-for-one-output', '06-layer', 'layer-call',
        'return out[0] if len(out) == 1 else out', 'return out', 'layer-single-output',
        'returned a list for a single output',
        summary='a one-neuron Layer returns a list',
        fix='Return out[0] when the layer has a single neuron.'),
    Bug('layer-drops-kwargs', '06-layer', 'layer-init', '[Neuron(nin, **kwargs) for',
        '[Neuron(nin) for',
        'layer-kwargs', 'pass **kwargs on',
        summary='Layer does not pass **kwargs on to its neurons',
        fix='Create each neuron with Neuron(nin, **kwargs).'),
    Bug('layer-parameters-of-one-neuron', '06-layer', 'layer-parameters',
        'return [p for n in self.neurons for p in n.parameters()]',
        'return self.neurons[0].parameters()', 'layer-parameters', 'every neuron',
        summary="Layer.parameters() lists only one neuron's parameters",
        fix='Collect the parameters of every neuron, in order.'),
    Bug('nonlinear-last-layer', '07-mlp', 'mlp-init', 'nonlin=i != len(nouts) - 1', 'nonlin=True',
        'mlp-linear-last', 'must be linear',
        summary="the MLP's last layer applies relu too",
        fix='Make the last layer linear: nonlin=i != len(nouts) - 1.'),
    Bug('mlp-parameters-of-last-layer', '07-mlp', 'mlp-parameters',
        'return [p for layer in self.layers for p in layer.parameters()]',
        'return self.layers[-1].parameters()', 'mlp-parameters', 'every layer',
        summary="MLP.parameters() lists only the last layer's parameters",
        fix='Collect the parameters of every layer, in order.'),
    Bug('learning-rate-without-steps', '08-training', 'training-learning-rate',
        'return 1.0 - 0.9 * step / steps',
        'return 1.0 - 0.9 * step', 'training-learning-rate', '1.0 - 0.9 * step / steps',
        summary='learning_rate forgets to divide by steps',
        fix='Use 1.0 - 0.9 * step / steps.'),
    Bug('sgd-climbs-the-gradient', '08-training', 'training-sgd-step',
        'p.data -= learning_rate(step, steps) * p.grad',
        'p.data += learning_rate(step, steps) * p.grad', 'training-sgd-step',
        'against the gradient',
        summary='sgd_step climbs the gradient instead of descending it',
        fix='Step against the gradient: p.data -= learning_rate(step, steps) * p.grad.'),
    Bug('loss-without-regularisation', '08-training', 'training-loss',
        'return data_loss + reg_loss, accuracy', 'return data_loss, accuracy', 'training-loss',
        'L2 regularisation',
        summary='the loss leaves out the L2 regularisation',
        fix='Add alpha * sum(p * p for p in model.parameters()) to the data loss.'),
    Bug('train-without-zero-grad', '08-training', 'training-train',
        '        model.zero_grad()\n', '',
        'training-train-steps', 'zero_grad',
        summary='train() never resets the grads between steps',
        fix='Call model.zero_grad() before loss.backward() in every step.'),
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
