"""Ten more mistakes per stage, written by hand the way a learner would, apart from the catalogue.

The catalogue (autograder/bugs/) was written together with the suites; these were written
afterwards, as a check that the suites catch mistakes nobody planned for: each one must lose
points in its stage, and the test it fails must say what is wrong.
"""

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from autograder import course
from autograder.bugs import CATALOGUE, edit_cell
from autograder.results import GRADED
from autograder.runner import run_batch, submission

# (stage, exercise cell, text in the solution, the learner's version, failing test, it says)
MISTAKES = [
    # 01-value
    ('01-value', 'value-init', 'self.grad = 0.0', 'self.grad = data', 'value-grad',
     'starts at 0.0'),
    ('01-value', 'value-init', 'self._prev = _prev', 'self._prev = list(_prev)',
     'value-children', 'expected the tuple'),
    ('01-value', 'value-init', 'self.data = data', 'self.data = abs(data)', 'value-data',
     'store data unchanged'),
    ('01-value', 'value-init', 'self._op = _op', "self._op = _op or '?'", 'value-children',
     "expected none and ''"),
    ('01-value', 'value-init', 'self._local_grads = _local_grads',
     'self._local_grads = _local_grads[::-1]', 'value-children', 'store _local_grads as given'),
    ('01-value', 'value-init', 'self._prev = _prev', 'self._prev = _prev if _prev else None',
     'value-children', '_prev is a NoneType'),
    ('01-value', 'value-repr', "return f'Value(data={self.data}, grad={self.grad})'",
     "return f'Value({self.data}, {self.grad})'", 'value-repr', 'expected exactly'),
    ('01-value', 'value-repr', "return f'Value(data={self.data}, grad={self.grad})'",
     "return 'Value(data=%s, grad=%s)' % (self.grad, self.data)", 'value-repr',
     'expected exactly'),
    ('01-value', 'value-numerical-derivative', 'return (f(x + h) - f(x - h)) / (2 * h)',
     'return (f(x + h) - f(x - h)) / 2 * h', 'numerical-derivative', 'expected about'),
    ('01-value', 'value-numerical-derivative', 'return (f(x + h) - f(x - h)) / (2 * h)',
     'return (f(x) - f(x - h)) / h', 'numerical-derivative', 'with the h you are given'),
    ('01-value', 'value-numerical-derivative', 'return (f(x + h) - f(x - h)) / (2 * h)',
     'return round((f(x + h) - f(x - h)) / (2 * h), 3)', 'numerical-derivative', 'unrounded'),
    # 02-operations
    ('02-operations', 'ops-add-mul', "(self.data * other.data, (self, other), '*')",
     "(self.data * other.data, (other, self), '*')", 'ops-structure', 'in that order'),
    ('02-operations', 'ops-add-mul',
     "    other = other if isinstance(other, Value) else Value(other)\n"
     "    return Value(self.data + other.data",
     "    other = Value(other) if type(other) is int else other\n"
     "    return Value(self.data + other.data", 'ops-numbers', 'AttributeError'),
    ('02-operations', 'ops-pow', "return Value(data, (self,), f'**{exponent}')",
     "return Value(data, (self, exponent), f'**{exponent}')", 'ops-pow', 'holds a plain int'),
    ('02-operations', 'ops-pow',
     'if not isinstance(exponent, (int, float)) or isinstance(exponent, bool):',
     'if not isinstance(exponent, int) or isinstance(exponent, bool):', 'ops-pow',
     'raised TypeError'),
    ('02-operations', 'ops-neg-sub-div', 'return self * -1',
     "return Value(-self.data, (self,), 'neg')", 'ops-structure', 'built as a * -1'),
    ('02-operations', 'ops-neg-sub-div', 'return self * other**-1', 'return self * (1 / other)',
     'ops-structure', 'built as a * b**-1'),
    ('02-operations', 'ops-reflected', 'return other + (-self)', 'return self - other',
     'ops-reflected', 'b = 2.0 - a'),
    ('02-operations', 'ops-reflected', 'Value.__rmul__ = __rmul__\n', '', 'ops-reflected',
     'TypeError'),
    ('02-operations', 'ops-activations', "Value(math.log(self.data), (self,), 'log')",
     "Value(math.log10(self.data), (self,), 'log')", 'ops-activations', 'b = a.log()'),
    ('02-operations', 'ops-activations', "Value(math.exp(self.data), (self,), 'exp')",
     "Value(math.exp(self.data), (), 'exp')", 'ops-activations', 'is not linked to a'),
    # 03-graph
    ('03-graph', 'graph-trace', 'for child in dict.fromkeys(node._prev):',
     'for child in dict.fromkeys(node._prev[:1]):', 'graph-trace-nodes', 'misses'),
    ('03-graph', 'graph-trace', '        if node in seen:\n            continue\n'
     '        seen.add(node)',
     '        if node.data in seen:\n            continue\n        seen.add(node.data)',
     'graph-trace-programs', 'misses'),
    ('03-graph', 'graph-trace', None,
     'def trace(root):\n'
     '    nodes, edges = [root], []\n'
     '    for child in dict.fromkeys(root._prev):\n'
     '        edges.append((child, root))\n'
     '        more_nodes, more_edges = trace(child)\n'
     '        nodes += [n for n in more_nodes if n not in nodes]\n'
     '        edges += [e for e in more_edges if e not in edges]\n'
     '    return nodes, edges\n', 'graph-trace-shape', 'keep your own stack'),
    ('03-graph', 'graph-trace', '    return nodes, edges', '    return edges, nodes',
     'graph-trace-nodes', 'must be (operand, result) pairs'),
    ('03-graph', 'graph-trace', 'for child in dict.fromkeys(node._prev):',
     'for child in set(node._prev):', 'graph-trace-deterministic', 'iterating over a set'),
    ('03-graph', 'graph-draw-dot', "name = labels.get(node, '')",
     "name = labels.get(node.data, '')", 'graph-draw-labels', 'does not show the label'),
    ('03-graph', 'graph-draw-dot',
     "label=f'{{ {title}data {node.data:.4f} | grad {node.grad:.4f} }}')",
     "label=f'{{ data {node.data:.4f} | grad {node.grad:.4f} | {title}}}')",
     'graph-draw-labels', 'the records'),
    ('03-graph', 'graph-draw-dot', '        if node._op:\n            dot.node(',
     '        if True:\n            dot.node(', 'graph-draw-dot', 'circles'),
    ('03-graph', 'graph-draw-dot', "dot.edge(ids[child], ids[parent] + '_op')",
     "dot.edge(ids[parent] + '_op', ids[child])", 'graph-draw-dot', 'edge'),
    ('03-graph', 'graph-draw-dot', "graph_attr={'rankdir': rankdir}",
     "graph_attr={'rankdir': 'LR'}", 'graph-draw-stable', 'pass rankdir on'),
    # 04-backward
    ('04-backward', 'backward-add-mul', 'local_grads = (other.data, self.data)',
     'local_grads = (other.data, other.data)', 'backward-add-mul', 'd(a * b)/db = a'),
    ('04-backward', 'backward-add-mul', 'local_grads = (1.0, 1.0)', 'local_grads = (1.0, -1.0)',
     'backward-add-mul', 'd(a + b)/db = 1'),
    ('04-backward', 'backward-pow', 'exponent * self.data ** (exponent - 1)',
     'exponent * self.data ** exponent - 1', 'backward-pow', 'n * a**(n - 1)'),
    ('04-backward', 'backward-activations', 'local_grads = (1.0 - t * t,)',
     'local_grads = (1.0 - math.tanh(t) ** 2,)', 'backward-tanh', 'not the input'),
    ('04-backward', 'backward-activations', 'local_grads = (1.0 / self.data,)',
     'local_grads = (-1.0 / self.data ** 2,)', 'backward-exp-log', '1/x'),
    ('04-backward', 'backward-activations', 'local_grads = (float(data > 0),)',
     'local_grads = (float(self.data != 0),)', 'backward-relu', 'where it was negative'),
    ('04-backward', 'backward-chain-rule',
     'for operand, local_grad in zip(self._prev, self._local_grads):',
     'for operand, local_grad in zip(self._prev, reversed(self._local_grads)):',
     'backward-chain-rule', 'expected -15.0 and 10.0'),
    ('04-backward', 'backward-topological-order', None,
     'def _topological_order(self):\n'
     '    order, seen, stack = [], set(), [self]\n'
     '    while stack:\n'
     '        node = stack.pop()\n'
     '        if node not in seen:\n'
     '            seen.add(node)\n'
     '            order.append(node)\n'
     '            stack.extend(node._prev)\n'
     '    return order[::-1]\n\n\n'
     'Value._topological_order = _topological_order\n',
     'backward-topological-order', 'after all of its operands'),
    ('04-backward', 'backward-backward', None,
     'def backward(self):\n'
     '    self.grad = 1.0\n'
     '    self._backward()\n\n\n'
     'Value.backward = backward\n', 'backward-topological-order',
     'on every node of _topological_order()'),
    ('04-backward', 'backward-backward',
     '    for node in order:\n        if node._prev:\n            node.grad = 0.0\n'
     '    self.grad = 1.0\n',
     '    self.grad = 1.0\n'
     '    for node in order:\n        if node._prev:\n            node.grad = 0.0\n',
     'backward-seed', 'grad to 1.0'),
    # 05-neuron
    ('05-neuron', 'neuron-module', '    return []\n', '    return ()\n', 'module-base',
     'an empty list'),
    ('05-neuron', 'neuron-module', 'for p in self.parameters():', 'for p in self.parameters:',
     'neuron-zero-grad', 'TypeError'),
    ('05-neuron', 'neuron-init', 'for _ in range(nin)]', 'for _ in range(nin)][::-1]',
     'neuron-init', 'in order'),
    ('05-neuron', 'neuron-init', 'self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]',
     'self.w = [random.uniform(-1, 1) for _ in range(nin)]', 'neuron-init',
     'must be a Value'),
    ('05-neuron', 'neuron-init', 'self.b = Value(0.0)', 'self.b = 0.0', 'neuron-init',
     'expected Value(0.0)'),
    ('05-neuron', 'neuron-call', 'zip(self.w, x)', 'zip(self.w, x[1:])', 'neuron-forward',
     'expected'),
    ('05-neuron', 'neuron-call', 'return act.relu() if self.nonlin else act',
     'return act if self.nonlin else act.relu()', 'neuron-forward', 'apply relu'),
    ('05-neuron', 'neuron-call', 'return act.relu() if self.nonlin else act',
     'return act.relu() if self.nonlin else act.tanh()', 'neuron-linear',
     'Neuron(3, nonlin=False) gives'),
    ('05-neuron', 'neuron-parameters', 'return self.w + [self.b]', 'return self.w + self.b',
     'neuron-parameters', 'TypeError'),
    ('05-neuron', 'neuron-parameters', 'return self.w + [self.b]',
     'return [self.b, *self.w][::-1]', 'neuron-parameters-own', 'in order'),
    ('05-neuron', 'neuron-repr', 'Neuron({len(self.w)})', 'Neuron({len(self.w) + 1})',
     'neuron-repr', 'expected'),
    # 06-layer
    ('06-layer', 'layer-init', 'self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]',
     'self.neurons = [Neuron(nin, **kwargs)] + [Neuron(nin, **kwargs) for _ in range(nout)]',
     'layer-init', 'expected 2'),
    ('06-layer', 'layer-init', '[Neuron(nin, **kwargs) for', '[Neuron(nin, kwargs) for',
     'layer-init', 'default to ReLU'),
    ('06-layer', 'layer-init', 'self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]',
     'neuron = Neuron(nin, **kwargs)\n    self.neurons = [neuron for _ in range(nout)]',
     'layer-init', 'uses it 2 times'),
    ('06-layer', 'layer-init', '[Neuron(nin, **kwargs) for', '[Neuron(nout, **kwargs) for',
     'layer-init', 'after random.seed(0)'),
    ('06-layer', 'layer-call', 'return out[0] if len(out) == 1 else out',
     'return self.neurons[0] if len(out) == 1 else out', 'layer-single-output', 'TypeError'),
    ('06-layer', 'layer-call', 'out = [n(x) for n in self.neurons]',
     'out = [self.neurons[0](x) for n in self.neurons]', 'layer-forward', 'output 1'),
    ('06-layer', 'layer-call', 'return out[0] if len(out) == 1 else out',
     'return out[0] if len(out) == 1 else tuple(out)', 'layer-forward', 'returned a tuple'),
    ('06-layer', 'layer-parameters', 'return [p for n in self.neurons for p in n.parameters()]',
     'params = []\n    for n in self.neurons:\n        params = n.parameters()\n'
     '    return params', 'layer-parameters', 'every neuron'),
    ('06-layer', 'layer-parameters', 'return [p for n in self.neurons for p in n.parameters()]',
     'params = self.neurons[0].w\n    for n in self.neurons[1:]:\n'
     '        params += n.parameters()\n    return params', 'layer-parameters', 'expected 8'),
    ('06-layer', 'layer-repr', "', '.join(str(n) for n in self.neurons)",
     "'; '.join(str(n) for n in self.neurons)", 'layer-repr', 'expected'),
    # 07-mlp
    ('07-mlp', 'mlp-init', 'sizes = [nin] + list(nouts)', 'sizes = [nin] + nouts', 'mlp-init',
     'TypeError'),
    ('07-mlp', 'mlp-init', 'nonlin=i != len(nouts) - 1', 'nonlin=i < len(nouts) - 2',
     'mlp-init', 'every layer but the last'),
    ('07-mlp', 'mlp-init', 'for i in range(len(nouts))]', 'for i in range(len(nouts) - 1)]',
     'mlp-init', '(inputs, neurons)'),
    ('07-mlp', 'mlp-init',
     "    self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1)\n"
     "                   for i in range(len(nouts))]",
     "    for i in range(len(nouts)):\n"
     "        self.layers.append(Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1))",
     'mlp-init', 'AttributeError'),
    ('07-mlp', 'mlp-call', '    for layer in self.layers:\n        x = layer(x)\n    return x',
     '    return [layer(x) for layer in self.layers][-1]', 'mlp-forward', 'gives'),
    ('07-mlp', 'mlp-call', '        x = layer(x)', '        return layer(x)', 'mlp-forward',
     'returned a list for a single output'),
    ('07-mlp', 'mlp-call', '    return x', '    return x[0]', 'mlp-forward', 'TypeError'),
    ('07-mlp', 'mlp-parameters', 'return [p for layer in self.layers for p in layer.parameters()]',
     'return [layer.parameters() for layer in self.layers]', 'mlp-parameters',
     'expected 41'),
    ('07-mlp', 'mlp-parameters', 'return [p for layer in self.layers for p in layer.parameters()]',
     'ps = []\n    for layer in self.layers:\n        ps.extend(layer.neurons[0].parameters())\n'
     '    return ps', 'mlp-parameters', 'expected 41'),
    ('07-mlp', 'mlp-repr', "', '.join(str(layer) for layer in self.layers)",
     "', '.join(repr(layer.neurons) for layer in self.layers)", 'mlp-repr', 'expected'),
    # 08-training
    ('08-training', 'training-loss', 'data_loss = sum(margins) * (1.0 / len(margins))',
     'data_loss = sum(margins) * (1.0 / len(X[0]))', 'training-loss', 'your loss is'),
    ('08-training', 'training-loss', 'for yi, score in zip(y, scores)) / len(y)',
     'for yi, score in zip(y, scores))', 'training-loss', 'accuracy is'),
    ('08-training', 'training-loss', 'sum(p * p for p in model.parameters())',
     'sum(p.data * p.data for p in model.parameters())', 'training-loss-grads', 'has grad'),
    ('08-training', 'training-loss', 'def loss(model, X, y, alpha=ALPHA):',
     'def loss(model, X, y, alpha=0.001):', 'training-loss', 'your loss is'),
    ('08-training', 'training-learning-rate', 'return 1.0 - 0.9 * step / steps',
     'return 1.0 - 0.9 * (step + 1) / steps', 'training-learning-rate',
     '1.0 - 0.9 * step / steps'),
    ('08-training', 'training-learning-rate', 'return 1.0 - 0.9 * step / steps',
     'return max(0.1, 1.0 - step / steps)', 'training-learning-rate',
     '1.0 - 0.9 * step / steps'),
    ('08-training', 'training-sgd-step', 'p.data -= learning_rate(step, steps) * p.grad',
     'p.data -= learning_rate(step, steps) * p.data', 'training-sgd-step', 'after sgd_step'),
    ('08-training', 'training-sgd-step', 'p.data -= learning_rate(step, steps) * p.grad',
     'p = p - learning_rate(step, steps) * p.grad', 'training-sgd-step', 'after sgd_step'),
    ('08-training', 'training-train', 'for k in range(steps):', 'for k in range(1, steps + 1):',
     'training-train-steps', 'each step k'),
    ('08-training', 'training-train', '        history.accuracies.append(accuracy)\n', '',
     'training-history', 'accuracies'),
    ('08-training', 'training-train',
     '        model.zero_grad()\n        total_loss.backward()\n',
     '        total_loss.backward()\n        model.zero_grad()\n',
     'training-train-steps', 'zero_grad'),
]


def ids():
    return [f'{m[0]}:{m[4]}:{i}' for i, m in enumerate(MISTAKES)]


def test_ten_per_stage_none_of_them_from_the_catalogue():
    counts = Counter(m[0] for m in MISTAKES)
    assert all(counts[stage] >= 10 for stage in course.STAGE_IDS), counts
    catalogued = {(b.cell, b.old, b.new) for b in CATALOGUE}
    assert not [m for m in MISTAKES if (m[1], m[2], m[3]) in catalogued]


@lru_cache(maxsize=None)
def graded(stage, folder):
    subs = []
    for i, (st, cell, old, new, _, _) in enumerate(MISTAKES):
        if st != stage:
            continue
        notebook = json.loads(course.stage(stage).source.read_text(encoding='utf-8'))
        path = Path(folder) / str(i) / stage / f'{stage}.ipynb'
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(edit_cell(notebook, cell, old, new)), encoding='utf-8')
        subs.append((i, submission(stage, path, key=str(i))))
    return dict(zip((i for i, _ in subs), run_batch(stage, [s for _, s in subs])))


@pytest.mark.slow
@pytest.mark.parametrize('stage', course.STAGE_IDS)
def test_each_hand_written_mistake_loses_points_with_a_message_that_names_it(
        stage, tmp_path_factory):
    results = graded(stage, str(tmp_path_factory.mktemp(stage)))
    problems = []
    for i, result in results.items():
        _, cell, _, new, test, says = MISTAKES[i]
        failed = {t.name: t.feedback for t in result.tests if not t.passed}
        if result.status != GRADED or not result.score < result.max_score:
            problems.append(f'{i} ({new!r}): {result.status} {result.score}/{result.max_score}')
        elif test not in failed or says not in failed[test]:
            problems.append(f'{i} ({new!r}): {test} says {failed.get(test, "(passed)")!r}')
    assert problems == []
