"""The diagnostic probe set of each stage, and the view of each answer that diagnosis compares.

A probe set is a fixed list of (probe, args) calls to autograder/worker/probes.py, seeded
and deterministic, that together exercise every rule of the stage: the same calls run on
the reference, on every catalogued bug (once, for its signature) and on a submission
that failed a test. A *view* keeps the facts of an answer that a correct submission
must share with the reference, and drops what may rightly differ (the wording of a repr,
the node names and layout of a DOT source, the order a trace lists its nodes in).

Kept free of the suites' imports: a suite's edit must not touch every stage's version.
"""

import random
import re


def program(inputs, *steps):
    return {'inputs': list(inputs), 'steps': [list(step) for step in steps]}


def C(number):
    return {'c': number}


def known(count, seed):
    """Parameter values set through parameters(): seeded, two decimals."""
    rng = random.Random(seed)
    return [round(rng.uniform(-1, 1), 2) for _ in range(count)]


def points(n, seed):
    """n fixed 2-d points with labels -1/+1, alternating."""
    rng = random.Random(seed)
    X = [[round(rng.uniform(-1.0, 2.0), 3), round(rng.uniform(-0.8, 1.2), 3)] for _ in range(n)]
    return X, [(-1) ** (i + 1) for i in range(n)]


def forward(*programs):
    return [('expression', {'program': p, 'backward': False}) for p in programs]


def backward(*programs):
    return [('expression', {'program': p, 'backward': True}) for p in programs]


def module(kind, args, count, seeds, kwargs=None, inputs=(0.5, -1.0, 2.0), grads=False,
           **more):
    return [('module_run', {'kind': kind, 'args': args, 'kwargs': kwargs,
                            'params': known(count, seed), 'inputs': list(inputs),
                            'backward': grads, **more}) for seed in seeds]


SMALL = [program([2.0, -3.0], ['add', 0, 1]), program([2.0, -3.0], ['mul', 0, 1]),
         program([1.5], ['add', 0, 0], ['mul', 1, 0]), program([2.0], ['add', 0, C(3.0)]),
         program([2.0], ['mul', 0, C(-1.5)])]
POWERS = [program([base], ['pow', 0, n]) for base, n in ((2.0, 3), (2.0, -1), (4.0, 0.5),
                                                         (-1.5, 2), (2.0, 2))]
COMPOSITE = [program([2.0], ['neg', 0]), program([5.0, 3.0], ['sub', 0, 1]),
             program([6.0, -4.0], ['div', 0, 1]),
             program([6.0], ['sub', 0, C(1.0)], ['div', 1, C(2.0)])]
REFLECTED = [program([4.0], [op, C(2.0), 0]) for op in ('add', 'sub', 'mul', 'div')]
ACTIVATIONS = [program([x], [op, 0]) for op in ('relu', 'tanh', 'exp', 'log')
               for x in (0.5, 1.5)] + [program([x], [op, 0]) for op in ('relu', 'tanh')
                                        for x in (-0.5, -1.2)]
SHARED = [program([3.0], ['mul', 0, 0]), program([3.0], ['add', 0, 0]),
          program([2.0, -1.0], ['mul', 0, 1], ['add', 2, 0]),
          program([1.5], ['mul', 0, C(2.0)], ['tanh', 1], ['mul', 2, 1], ['add', 3, 1])]
MIXED = [program([0.5, -1.5, 2.0], ['mul', 0, 1], ['add', 3, 2], ['tanh', 4], ['pow', 5, 2],
                 ['mul', 6, 2], ['sub', 7, 0], ['div', 8, 2], ['exp', 9], ['relu', 10],
                 ['add', 11, C(1.0)], ['log', 12])]
GRAPHS = [program([2.0], ['exp', 0]), program([2.0, -3.0], ['mul', 0, 1], ['add', 2, C(10.0)]),
          program([0.5, -1.5, 2.0], ['mul', 0, 1], ['add', 3, 2], ['tanh', 4], ['pow', 5, 2],
                  ['mul', 6, 2]),
          program([3.0], ['mul', 0, 0]),
          program([1.5, 2.0], ['add', 0, 1], ['mul', 2, 0], ['add', 3, 2]),
          program([5.0, 3.0], ['sub', 0, 1], ['div', 2, 1])]
DRAWN = program([2.0, -3.0], ['mul', 0, 1], ['add', 2, C(1.0)], ['tanh', 3])
DRAWN_TWICE = program([2.0, -3.0], ['mul', 0, 1], ['add', 2, C(1.0)], ['tanh', 3], ['add', 4, 0])
LAYOUTS = [0, 1, 3, 7, 16]      # spare Values between the nodes: other addresses, same graph
SPREAD = program([0.5, -1.5, 2.0, 3.0], ['mul', 0, 1], ['add', 4, 2], ['mul', 5, 3],
                 ['add', 6, 0], ['tanh', 7], ['mul', 8, 1], ['add', 9, 2])
# How each operation builds its node: plain operands, composites, reflected ops, labels.
STRUCTURES = [program([2.0, -3.0], ['mul', 0, 1]), program([2.0, -3.0], ['add', 0, 1]),
              program([2.0], ['add', 0, 0]), program([2.0], ['add', 0, C(1.0)]),
              program([3.0], ['pow', 0, 2]), program([4.0], ['pow', 0, -1]),
              program([2.0], ['neg', 0]), program([2.0, -3.0], ['sub', 0, 1]),
              program([2.0, -3.0], ['div', 0, 1]), program([2.0], ['sub', 0, C(3.0)]),
              program([2.0], ['div', 0, C(4.0)]), program([2.0], ['sub', C(5.0), 0]),
              program([2.0], ['div', C(1.0), 0]), program([2.0], ['add', C(1.0), 0]),
              *[program([0.5], [op, 0]) for op in ('relu', 'tanh', 'exp')],
              program([2.0], ['log', 0])]
REFUSED = [['pow', 2.0, 'value'], ['pow', 2.0, 'str'], ['pow', 2.0, 'bool'],
           ['pow', -8.0, 0.5], ['log', 0.0, None], ['log', -1.0, None], ['div', 1.0, 0.0]]
ORDERED = [program([2.0, -3.0], ['mul', 0, 1], ['add', 2, 0]),
           program([1.5], ['mul', 0, C(2.0)], ['tanh', 1], ['mul', 2, 1], ['add', 3, 1]),
           program([0.5, -1.5, 2.0], ['mul', 0, 1], ['add', 3, 2], ['mul', 4, 0], ['tanh', 5],
                   ['add', 6, 4], ['mul', 7, 1])]
OTHER_INPUTS = [[1.0, 2.0, -0.5], [-2.0, 0.5, 1.0]]
CONSTANT_MODELS = [{'c': 0.5, 'X': [[0.0, 0.0], [1.0, 1.0]], 'y': [1, -1], 'alpha': 0.0},
                   {'c': 2.0, 'X': [[0.0, 0.0]], 'y': [1], 'alpha': 0.25},
                   {'c': 0.0, 'X': [[0.0, 0.0], [1.0, 1.0]], 'y': [-1, -1], 'alpha': 0.0}]


def modules(kind, args, other_args, kwargs_other=None):
    """What __init__ stored, repr, and whether parameters() lists the module's own Values."""
    return [('module_state', {'kind': kind, 'args': args}),
            ('module_state', {'kind': kind, 'args': other_args, 'kwargs': kwargs_other}),
            ('module_repr', {'kind': kind, 'args': args}),
            ('module_repr', {'kind': kind, 'args': other_args, 'kwargs': kwargs_other}),
            ('parameters_identity', {'kind': kind, 'args': args})]
MLP = [3, [4, 4, 1]]
X, Y = points(12, 5)
TRAIN_PARAMS = {'sizes': [4, 1], 'params': known(17, 3), 'X': X, 'y': Y}


PROBE_SETS = {
    '01-value': [
        *[('value_basics', {'data': data}) for data in (2.0, 3, -1.0, 2.5)],
        ('value_identity', {}),
        *[('value_repr', {'data': data, 'grad': grad})
          for data, grad in ((2.5, -0.75), (3, 0.5), (2.0, 0.0), (1.125, 0.0625))],
        *[('numerical_derivative', {'function': f, 'x': x, 'h': h})
          for f, x, h in (('cube', 2.0, 0.5), ('reciprocal', 0.5, 0.1),
                          ('square-plus-x', -1.5, 0.5), ('cube', -1.0, 0.25),
                          ('cube', 1.0, 1e-3))],
        *[('numerical_derivative', {'function': f, 'x': x})
          for f, x in (('cube', 2.0), ('sin', 0))],
    ],
    '02-operations': [
        *forward(*SMALL, *POWERS, *COMPOSITE, *REFLECTED, *ACTIVATIONS, *MIXED),
        *[('structure', {'program': p}) for p in STRUCTURES],
        *[('new_node', {'op': op, 'number': number})
          for op, number in (('radd', 0), ('rmul', 1), ('add', 0), ('mul', 1))],
        ('sum_values', {'numbers': [2.0, 3.0, 4.0]}),
        ('refusals', {'cases': REFUSED}),
    ],
    '03-graph': [
        *[('trace', {'program': p}) for p in GRAPHS],
        ('draw_dot', {'program': DRAWN, 'labels': False}),
        ('draw_dot', {'program': DRAWN, 'labels': True}),
        ('draw_dot', {'program': DRAWN_TWICE, 'labels': False}),
        ('draw_dot', {'program': DRAWN_TWICE, 'labels': True, 'rankdir': 'TB'}),
        ('trace_shape', {'leaf': True}),
        ('trace_shape', {'chain': 5000}),
        ('trace_layouts', {'program': SPREAD, 'paddings': LAYOUTS}),
    ],
    '04-backward': [
        *backward(*SMALL, *POWERS, *COMPOSITE, *REFLECTED, *ACTIVATIONS, *SHARED, *MIXED),
        *[('local_grads', {'program': p}) for p in (
            program([0.0], ['relu', 0]), program([2.0, -3.0], ['mul', 0, 1]),
            program([2.0, -3.0], ['add', 0, 1]), program([2.0], ['pow', 0, 3]),
            program([0.5], ['tanh', 0]))],
        ('chain_rule', {}),
        *[('topological_order', {'program': p, 'paddings': [0]}) for p in ORDERED[:2]],
        # Stability under many layouts, on the largest graph only: an order read from a set
        # then differs on every run, not just on some (a signature must be reproducible).
        ('topological_order', {'program': ORDERED[2], 'paddings': list(range(0, 34, 2))}),
        ('backward_twice', {}),
        ('backward_deep', {'length': 0}),
        ('backward_deep', {'length': 10000}),
    ],
    '05-neuron': [
        ('module_default', {}),
        *module('Neuron', [3], 4, (5, 1)),
        *module('Neuron', [3], 4, (1, 5), kwargs={'nonlin': False}),
        *module('Neuron', [3], 4, (5, 7, 1), grads=True),
        ('module_init', {'kind': 'Neuron', 'args': [3]}),
        ('zero_grad', {'kind': 'Neuron', 'args': [3]}),
        *modules('Neuron', [3], [5], {'nonlin': False}),
        *module('Neuron', [3], 4, (5,), numbers=True),
    ],
    '06-layer': [
        *module('Layer', [3, 2], 8, (1, 2)),
        *module('Layer', [3, 1], 4, (5,)),
        *module('Layer', [3, 2], 8, (1, 3), kwargs={'nonlin': False}),
        *module('Layer', [3, 2], 8, (1, 2), kwargs={'nonlin': False}, grads=True),
        ('module_init', {'kind': 'Layer', 'args': [3, 2]}),
        ('zero_grad', {'kind': 'Layer', 'args': [3, 2]}),
        *modules('Layer', [3, 2], [4, 1], {'nonlin': False}),
        *module('Layer', [3, 1], 4, (5,), more_inputs=OTHER_INPUTS),
    ],
    '07-mlp': [
        *module('MLP', MLP, 41, (1, 2, 3, 9)),
        *module('MLP', [3, [4, 2]], 26, (1,)),
        *module('MLP', MLP, 41, (1, 5), grads=True),
        ('module_init', {'kind': 'MLP', 'args': MLP}),
        ('zero_grad', {'kind': 'MLP', 'args': MLP}),
        *modules('MLP', [2, [1, 1]], [3, [2, 1]]),
        ('module_state', {'kind': 'MLP', 'args': [3, [4, 2]], 'tuple_sizes': True}),
        *module('MLP', MLP, 41, (1,), more_inputs=OTHER_INPUTS),
    ],
    '08-training': [
        ('learning_rate', {'steps_list': [0, 25, 50, 99], 'steps': 100}),
        ('learning_rate', {'steps_list': [0, 5, 9], 'steps': 10}),
        ('loss', TRAIN_PARAMS),
        ('loss', dict(TRAIN_PARAMS, alpha=0.0)),
        *[('sgd_step', {'sizes': [4, 1], 'params': known(17, 4), 'grads': known(17, 6),
                        'step': step, 'steps': steps}) for step, steps in ((0, 100), (30, 100),
                                                                           (5, 10))],
        ('train', {'sizes': [4, 1], 'seed': 11, 'X': X, 'y': Y, 'steps': 3,
                   'params_only': True}),
        ('learning_rate', {'steps_list': [0, 50, 99]}),
        ('sgd_step', {'sizes': [4, 1], 'params': known(17, 4), 'grads': known(17, 6),
                      'step': 50}),
        ('sgd_step', {'sizes': [4, 1], 'params': known(17, 4), 'grads': known(17, 6),
                      'step': 50, 'returned': True}),
        *[('loss_constant', case) for case in CONSTANT_MODELS],
        *[('train_history', {'sizes': [4, 1], 'seed': 11, 'X': X, 'y': Y, 'steps': steps})
          for steps in (3, 0)],
    ],
}


# -- views ------------------------------------------------------------------------------------

def _node(description):
    data, op = description
    return [f'{data:.9g}' if type(data) in (int, float) else str(data), op]


def _trace(answer, args):
    """Which nodes and edges, in any order (a learner may return sets)."""
    return {'nodes': sorted(_node(n) for n in answer['nodes']),
            'edges': sorted([_node(c), _node(p)] for c, p in answer['edges']),
            'count': answer['count']}


EDGE = re.compile(r'(\S+) -> (\S+)')
NODE = re.compile(r'(\S+) \[(.*)\]')
LABEL = re.compile(r'label=(?:"((?:[^"\\]|\\.)*)"|(\S+))')
SHAPE = re.compile(r'shape=(\w+)')


def drawing(source):
    """A DOT text as the drawing tests read it: records, circles and the edges between them,
    each by its label (not by the node names a learner chose)."""
    nodes, edges = {}, []
    for line in source.splitlines():
        line = line.strip()
        edge, node = EDGE.fullmatch(line), NODE.fullmatch(line)
        if edge:
            edges.append(edge.groups())
        elif node and node.group(1) not in ('graph', 'node', 'edge'):
            label, shape = LABEL.search(node.group(2)), SHAPE.search(node.group(2))
            nodes[node.group(1)] = (label and (label.group(1) or label.group(2)) or '',
                                    shape and shape.group(1))
    return {'records': sorted(label for label, shape in nodes.values() if shape == 'record'),
            'circles': sorted(label for label, shape in nodes.values() if shape == 'circle'),
            'links': sorted([nodes[t][0], nodes[h][0]] for t, h in edges
                            if t in nodes and h in nodes),
            'unlinked': sum(t not in nodes or h not in nodes for t, h in edges)}


def _draw_dot(answer, args):
    """The drawing, by labels; whether it is the same when drawn again; its rankdir."""
    source = answer['source']
    if not isinstance(source, str):
        return {'type': answer['type']}
    return dict(drawing(source), type=answer['type'], rankdir=answer['rankdir'],
                stable=answer['again'] == source)


def _typed(answer, args):
    """value_basics with the type of each number: 0 and 0.0 differ here (the lesson says so)."""
    typed = dict(answer, types={key: type(value).__name__ for key, value in answer.items()
                                if key in ('data', 'grad', 'made_grad')})
    if answer['prev_type'] in ('set', 'frozenset'):     # its order is the memory layout's
        typed['prev'] = sorted(answer['prev'])
    return typed


def _refusals(answer, args):
    """Which exception each case raised; of the message, only math.log's own wording."""
    return [[raised, 'math domain error' in message] for raised, message in answer]


def _layouts(answer, args):
    """Whether the order is the same under every memory layout (a learner's may be another)."""
    return {'stable': all(a == answer[0] for a in answer[1:]),
            'sizes': [[len(a['nodes']), len(a['edges'])] for a in answer]}


def _topological(answer, args):
    """A topological order's facts: each node once, operands first, output last, stable;
    not which of the valid orders it is."""
    if 'orders' not in answer:
        return answer
    program, order = args['program'], answer['orders'][0]
    position = {node: i for i, node in enumerate(order)}
    after = all(position.get(operand, -1) < position.get(len(program['inputs']) + i, -1)
                for i, (op, *operands) in enumerate(program['steps'])
                for operand in (operands[:1] if op == 'pow' else operands)
                if isinstance(operand, int))
    return {'count': answer['count'], 'listed': len(order), 'distinct': len(set(order)),
            'last': bool(order) and order[-1] == len(program['inputs'])
            + len(program['steps']) - 1,
            'after': after, 'stable': all(o == order for o in answer['orders'][1:])}


VIEWS = {'trace': _trace, 'draw_dot': _draw_dot, 'value_basics': _typed,
         'refusals': _refusals, 'trace_layouts': _layouts, 'topological_order': _topological}


def view(probe, answer, args=None):
    """What diagnosis compares of one answer (the answer itself for most probes)."""
    try:
        return VIEWS[probe](answer, args or {}) if probe in VIEWS else answer
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return {'malformed': True}
