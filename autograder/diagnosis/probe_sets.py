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


def module(kind, args, count, seeds, kwargs=None, inputs=(0.5, -1.0, 2.0), grads=False):
    return [('module_run', {'kind': kind, 'args': args, 'kwargs': kwargs,
                            'params': known(count, seed), 'inputs': list(inputs),
                            'backward': grads}) for seed in seeds]


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
MLP = [3, [4, 4, 1]]
X, Y = points(12, 5)
TRAIN_PARAMS = {'sizes': [4, 1], 'params': known(17, 3), 'X': X, 'y': Y}


PROBE_SETS = {
    '01-value': [
        *[('value_basics', {'data': data}) for data in (2.0, 3, -1.0)],
        ('value_identity', {}),
        ('value_repr', {'data': 2.5, 'grad': -0.75}),
        *[('numerical_derivative', {'function': f, 'x': x, 'h': h})
          for f, x, h in (('cube', 2.0, 0.5), ('reciprocal', 0.5, 0.1),
                          ('square-plus-x', -1.5, 0.5), ('cube', -1.0, 0.25))],
    ],
    '02-operations': forward(*SMALL, *POWERS, *COMPOSITE, *REFLECTED, *ACTIVATIONS, *MIXED),
    '03-graph': [
        *[('trace', {'program': p}) for p in GRAPHS],
        ('draw_dot', {'program': DRAWN, 'labels': False}),
        ('draw_dot', {'program': DRAWN, 'labels': True}),
    ],
    '04-backward': backward(*SMALL, *POWERS, *COMPOSITE, *REFLECTED, *ACTIVATIONS, *SHARED,
                            *MIXED),
    '05-neuron': [
        ('module_default', {}),
        *module('Neuron', [3], 4, (5, 1)),
        *module('Neuron', [3], 4, (1, 5), kwargs={'nonlin': False}),
        *module('Neuron', [3], 4, (5, 7, 1), grads=True),
        ('module_init', {'kind': 'Neuron', 'args': [3]}),
        ('zero_grad', {'kind': 'Neuron', 'args': [3]}),
    ],
    '06-layer': [
        *module('Layer', [3, 2], 8, (1, 2)),
        *module('Layer', [3, 1], 4, (5,)),
        *module('Layer', [3, 2], 8, (1, 3), kwargs={'nonlin': False}),
        *module('Layer', [3, 2], 8, (1, 2), kwargs={'nonlin': False}, grads=True),
        ('module_init', {'kind': 'Layer', 'args': [3, 2]}),
        ('zero_grad', {'kind': 'Layer', 'args': [3, 2]}),
    ],
    '07-mlp': [
        *module('MLP', MLP, 41, (1, 2, 3, 9)),
        *module('MLP', [3, [4, 2]], 26, (1,)),
        *module('MLP', MLP, 41, (1, 5), grads=True),
        ('module_init', {'kind': 'MLP', 'args': MLP}),
        ('zero_grad', {'kind': 'MLP', 'args': MLP}),
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
    ],
}


# -- views ------------------------------------------------------------------------------------

def _node(description):
    data, op = description
    return [f'{data:.9g}' if type(data) in (int, float) else str(data), op]


def _trace(answer):
    """Which nodes and edges, in any order (a learner may return sets)."""
    return {'nodes': sorted(_node(n) for n in answer['nodes']),
            'edges': sorted([_node(c), _node(p)] for c, p in answer['edges']),
            'count': answer['count']}


def _draw_dot(answer):
    """How many nodes and edges, which labels show; not the node names or their layout."""
    source = answer['source']
    if not isinstance(source, str):
        return {'type': answer['type']}
    statements = [line for line in source.splitlines() if '[' in line or '->' in line]
    return {'edges': sum('->' in line for line in statements),
            'nodes': sum('->' not in line and not re.match(r'\s*(graph|node|edge)\b', line)
                         for line in statements),
            'labels': [name in source for name in ('alpha_in', 'omega_out')]}


def _repr(answer):
    return [isinstance(answer, str) and shown in answer for shown in ('2.5', '-0.75')]


VIEWS = {'trace': _trace, 'draw_dot': _draw_dot, 'value_repr': _repr}


def view(probe, answer):
    """What diagnosis compares of one answer (the answer itself for most probes)."""
    try:
        return VIEWS.get(probe, lambda a: a)(answer)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return {'malformed': True}
