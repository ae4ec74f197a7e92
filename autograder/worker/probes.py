"""Probes: small functions that exercise a stage's names and return plain data.

The same probe runs twice: inside the sandbox worker on the learner's namespace, and
in the trusted process on the reference's namespace; the hidden suites compare the
two answers. Part of the worker package: standard library only.

A probe takes `ns` (the module's globals) and JSON arguments. An *expression
program* is `{"inputs": [floats], "steps": [[op, operand, ...], ...]}`: nodes 0..k-1
are the inputs as Values, each step adds one node. An operand is a node index or
`{"c": number}`, a plain number (on the left of a binary op: a reflected op).
"""

import random

BINARY = {
    'add': lambda x, y: x + y,
    'sub': lambda x, y: x - y,
    'mul': lambda x, y: x * y,
    'div': lambda x, y: x / y,
}
UNARY = {
    'neg': lambda x: -x,
    'relu': lambda x: x.relu(),
    'tanh': lambda x: x.tanh(),
    'exp': lambda x: x.exp(),
    'log': lambda x: x.log(),
}
NODE_LIMIT = 10000    # walking a learner's graph stops here (a cycle or a runaway graph)


def _is_value(ns, obj):
    return isinstance(obj, ns['Value'])


def _operand(nodes, operand):
    return operand['c'] if isinstance(operand, dict) else nodes[operand]


def build(ns, program):
    """The program's nodes, built with ns['Value']."""
    Value = ns['Value']
    nodes = [Value(x) for x in program['inputs']]
    for op, *operands in program['steps']:
        if op == 'pow':
            result = nodes[operands[0]] ** operands[1]
        elif op in UNARY:
            result = UNARY[op](nodes[operands[0]])
        else:
            result = BINARY[op](_operand(nodes, operands[0]), _operand(nodes, operands[1]))
        if not _is_value(ns, result):
            raise TypeError(f"the '{op}' operation returned a {type(result).__name__}, not a Value")
        nodes.append(result)
    return nodes


def children(node):
    prev = getattr(node, '_prev', ())
    try:
        return list(prev)
    except TypeError:
        raise TypeError(f'_prev is a {type(prev).__name__}, not a collection of Values') from None


def ancestors(node):
    """Every node reachable from `node` through _prev (not including itself), by identity."""
    seen, stack = {id(node): node}, [node]
    while stack:
        for child in children(stack.pop()):
            if id(child) not in seen:
                if len(seen) > NODE_LIMIT:
                    raise RuntimeError(f'the graph has more than {NODE_LIMIT} nodes (a cycle?)')
                seen[id(child)] = child
                stack.append(child)
    del seen[id(node)]
    return seen


def expression(ns, program, backward=False):
    """data (and grad after backward) of every program node; which program nodes each reaches."""
    nodes = build(ns, program)
    index = {id(node): i for i, node in enumerate(nodes)}
    answer = {
        'data': [node.data for node in nodes],
        'reaches': [sorted(index[k] for k in ancestors(node) if k in index) for node in nodes],
    }
    if backward:
        nodes[-1].backward()
        answer['grad'] = [node.grad for node in nodes]
    return answer


# -- stage 01: the Value container ------------------------------------------------------

def value_basics(ns, data):
    Value = ns['Value']
    leaf = Value(data)
    a, b = Value(1.0), Value(2.0)
    made = Value(3.0, (a, b), '+')
    found = {id(a): 0, id(b): 1}
    return {
        'data': leaf.data, 'grad': leaf.grad,
        'leaf_prev': len(children(leaf)), 'leaf_op': leaf._op,
        'prev': sorted(found.get(id(child), -1) for child in children(made)),
        'op': made._op,
    }


def value_identity(ns):
    """Two Values holding the same number: distinct nodes in a set, and not equal."""
    Value = ns['Value']
    a, b = Value(1.0), Value(1.0)
    return {'set': len({a, b}), 'equal': bool(a == b), 'data': [a.data, b.data]}


def value_repr(ns, data, grad):
    value = ns['Value'](data)
    value.grad = grad
    return repr(value)


FUNCTIONS = {
    'cube': lambda x: x ** 3,
    'square-plus-x': lambda x: x * x + x,
    'reciprocal': lambda x: 1.0 / x,
}


def numerical_derivative(ns, function, x, h=None):
    f = FUNCTIONS[function]
    if h is None:
        return ns['numerical_derivative'](f, x)
    return ns['numerical_derivative'](f, x, h=h)


# -- stage 03: seeing the graph ---------------------------------------------------------

def _describe_node(ns, node):
    if not _is_value(ns, node):
        return ['not a Value', type(node).__name__]
    return [node.data, str(node._op)]


def trace(ns, program):
    """What the learner's trace(root) returns, as (data, op) descriptions of nodes and edges."""
    root = build(ns, program)[-1]
    nodes, edges = ns['trace'](root)
    return {
        'nodes': [_describe_node(ns, node) for node in nodes],
        'edges': [[_describe_node(ns, child), _describe_node(ns, parent)]
                  for child, parent in edges],
        'count': 1 + len(ancestors(root)),
    }


def draw_dot(ns, program, labels=False):
    """The DOT source of draw_dot(root) (rendered by the trusted side) and the graph's size."""
    nodes = build(ns, program)
    if labels:
        dot = ns['draw_dot'](nodes[-1], labels={nodes[0]: 'alpha_in', nodes[-1]: 'omega_out'})
    else:
        dot = ns['draw_dot'](nodes[-1])
    source = getattr(dot, 'source', None)
    return {'source': str(source) if source is not None else None,
            'type': type(dot).__name__, 'count': 1 + len(ancestors(nodes[-1]))}


# -- stages 05-07: modules --------------------------------------------------------------

def make_model(ns, kind, args, kwargs=None):
    random.seed(0)
    return ns[kind](*args, **(kwargs or {}))


def _as_values(ns, inputs):
    return [ns['Value'](x) for x in inputs]


def _outputs(ns, out):
    return [out] if _is_value(ns, out) else list(out)


def module_run(ns, kind, args, kwargs=None, params=None, inputs=(), backward=True):
    """Build a module, set its parameters through parameters(), run it on inputs, backward.

    Parameter count and order, output shape, output data and every gradient.
    """
    model = make_model(ns, kind, args, kwargs)
    parameters = list(model.parameters())
    answer = {'count': len(parameters),
              'all_values': all(_is_value(ns, p) for p in parameters),
              'distinct': len({id(p) for p in parameters})}
    if params is not None and len(params) == len(parameters):
        for p, value in zip(parameters, params):
            p.data = value
    x = _as_values(ns, inputs)
    out = model(x)
    answer['single'] = _is_value(ns, out)
    outputs = _outputs(ns, out)
    answer['out'] = [o.data for o in outputs]
    if backward:
        total = outputs[0]
        for o in outputs[1:]:
            total = total + o
        total.backward()
        answer['param_grads'] = [p.grad for p in parameters]
        answer['input_grads'] = [xi.grad for xi in x]
    return answer


def module_init(ns, kind, args, kwargs=None):
    """Initial parameter values (seeded), for the ranges of weights and biases."""
    return [p.data for p in make_model(ns, kind, args, kwargs).parameters()]


def zero_grad(ns, kind, args):
    """Every parameter's grad after setting them all to 1.5 and calling zero_grad()."""
    model = make_model(ns, kind, args)
    for p in model.parameters():
        p.grad = 1.5
    before = [p.grad for p in model.parameters()]
    model.zero_grad()
    return {'before': before, 'after': [p.grad for p in model.parameters()]}


def module_default(ns):
    return list(ns['Module']().parameters())


# -- stage 08: training -----------------------------------------------------------------

def _mlp(ns, sizes, params):
    model = make_model(ns, 'MLP', [2, sizes])
    for p, value in zip(model.parameters(), params):
        p.data = value
    return model


def loss(ns, sizes, params, X, y, alpha=None):
    model = _mlp(ns, sizes, params)
    if alpha is None:
        total, accuracy = ns['loss'](model, X, y)
    else:
        total, accuracy = ns['loss'](model, X, y, alpha=alpha)
    model.zero_grad()
    total.backward()
    return {'loss': total.data, 'accuracy': accuracy,
            'grads': [p.grad for p in model.parameters()]}


def learning_rate(ns, steps_list, steps):
    return [ns['learning_rate'](step, steps) for step in steps_list]


def sgd_step(ns, sizes, params, grads, step, steps):
    model = _mlp(ns, sizes, params)
    for p, g in zip(model.parameters(), grads):
        p.grad = g
    ns['sgd_step'](model, step, steps)
    return [p.data for p in model.parameters()]


def train(ns, sizes, seed, X, y, steps, params_only=False):
    """Train a freshly seeded model with the learner's loop: its parameters, or its scores on X."""
    random.seed(seed)
    model = ns['MLP'](2, sizes)
    ns['train'](model, X, y, steps=steps)
    if params_only:
        return [p.data for p in model.parameters()]
    Value = ns['Value']
    return [model([Value(x0), Value(x1)]).data for x0, x1 in X]


PROBES = {f.__name__: f for f in (
    expression, value_basics, value_identity, value_repr, numerical_derivative,
    trace, draw_dot, module_run, module_init, zero_grad, module_default, loss, learning_rate,
    sgd_step, train)}


def run(ns, name, args):
    return PROBES[name](ns, **args)
