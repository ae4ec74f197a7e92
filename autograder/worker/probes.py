"""Probes: small functions that exercise a stage's names and return plain data.

The same probe runs twice: inside the sandbox worker on the learner's namespace, and
in the trusted process on the reference's namespace; the hidden suites compare the
two answers. Part of the worker package: standard library only.

A probe takes `ns` (the module's globals) and JSON arguments. An *expression
program* is `{"inputs": [floats], "steps": [[op, operand, ...], ...]}`: nodes 0..k-1
are the inputs as Values, each step adds one node. An operand is a node index or
`{"c": number}`, a plain number (on the left of a binary op: a reflected op).
"""

import gc

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
        'plain_operands': [[type(child).__name__ for child in children(node)
                            if not _is_value(ns, child)] for node in nodes],
    }
    if backward:
        nodes[-1].backward()
        answer['grad'] = [node.grad for node in nodes]
    return answer


def _describe_operand(ns, child, index):
    """An operand, in one shape whatever the code built (the answer-shape check compares it
    with the reference's): 'node', a program node's index; 'plain', the type of an operand
    that is not a Value; else the Value's 'data', '_op' and its own operands in 'prev'."""
    described = {'node': None, 'plain': None, 'data': None, 'op': None, 'prev': []}
    if not _is_value(ns, child):
        described['plain'] = type(child).__name__
    elif id(child) in index:
        described['node'] = index[id(child)]
    else:
        described.update(data=child.data, op=str(child._op),
                         prev=[_describe_operand(ns, c, index) for c in children(child)])
    return described


def structure(ns, program):
    """Each program node's _op and its operands, in order: how the graph was built."""
    nodes = build(ns, program)
    index = {id(node): i for i, node in enumerate(nodes)}
    return {'ops': [str(node._op) for node in nodes],
            'prev': [[_describe_operand(ns, c, index) for c in children(node)]
                     for node in nodes],
            'inputs': [node.data for node in nodes[:len(program['inputs'])]],
            'same': [node is nodes[i] for i, node in enumerate(nodes)]}


def new_node(ns, op, number):
    """Whether `number + a` / `number * a` / `a + number` made a new node rather than a itself."""
    a = ns['Value'](2.0)
    result = {'radd': number + a, 'rmul': number * a, 'add': a + number,
              'mul': a * number}[op]
    return {'new': result is not a, 'op': str(getattr(result, '_op', None)),
            'data': getattr(result, 'data', None)}


def sum_values(ns, numbers):
    total = sum(ns['Value'](x) for x in numbers)
    return {'value': _is_value(ns, total), 'data': getattr(total, 'data', None)}


def refusals(ns, cases):
    """The exception type raised by each case, or None: [kind, base, argument]."""
    Value = ns['Value']
    exponents = {'value': lambda: Value(2.0), 'str': lambda: '2', 'bool': lambda: True}
    answer = []
    for kind, base, argument in cases:
        try:
            if kind == 'pow':
                Value(base) ** (exponents[argument]() if isinstance(argument, str) else argument)
            elif kind == 'log':
                Value(base).log()
            elif kind == 'div':
                Value(base) / Value(argument)
            answer.append([None, ''])
        except NotImplementedError:
            raise                       # an unfinished exercise, not a refusal
        except Exception as error:      # the learner's choice of exception is the answer
            answer.append([type(error).__name__, str(error)[:200]])
    return answer


def local_grads(ns, program):
    """Each program node's _local_grads as recorded in the forward pass."""
    return [list(node._local_grads) for node in build(ns, program)]


def chain_rule(ns):
    """_backward at one node built by hand, twice; and on x * x; and on a leaf."""
    Value = ns['Value']
    a, b = Value(2.0), Value(-3.0)
    c = Value(-6.0, (a, b), '*', (-3.0, 2.0))
    c.grad = 5.0
    c._backward()
    once = [a.grad, b.grad, c.grad]
    c._backward()
    twice = [a.grad, b.grad]
    x = Value(3.0)
    y = Value(9.0, (x, x), '*', (3.0, 3.0))
    y.grad = 1.0
    y._backward()
    leaf = Value(1.0)
    leaf._backward()
    return {'once': once, 'twice': twice, 'square': x.grad, 'leaf': leaf.grad}


def _chain(ns, length):
    """Every node of a chain of `length` steps, the output last (see _release)."""
    Value = ns['Value']
    nodes = [Value(0.0)]
    for _ in range(length):
        nodes.append(Value(nodes[-1].data + 1, (nodes[-1],), 'step', (1.0,)))
    return nodes


def _release(nodes):
    """Drop a long chain output first, each node while its operand is still held, so that
    freeing it never nests: in Pyodide (the check in the browser) freeing a few thousand
    nested nodes at once overflows the JavaScript engine's stack and ends the interpreter."""
    while nodes:
        nodes.pop()


def _spread(ns, program, padding):
    """The program built with `padding` spare Values between its nodes, so that their
    addresses, and with them the iteration order of any set of them, differ."""
    Value = ns['Value']
    keep, nodes = [], []
    for x in program['inputs']:
        keep.extend(Value(0.0) for _ in range(padding))
        nodes.append(Value(x))
    for op, *operands in program['steps']:
        keep.extend(Value(0.0) for _ in range(padding))
        if op == 'pow':
            nodes.append(nodes[operands[0]] ** operands[1])
        elif op in UNARY:
            nodes.append(UNARY[op](nodes[operands[0]]))
        else:
            nodes.append(BINARY[op](_operand(nodes, operands[0]), _operand(nodes, operands[1])))
    return nodes, keep


def topological_order(ns, program=None, chain=None, paddings=(0,)):
    """_topological_order() as program indices (others -1), under several memory layouts;
    or, for a chain, its length and whether it ends with the output."""
    if chain is not None:
        nodes = _chain(ns, chain)
        order = nodes[-1]._topological_order()
        answer = {'count': len(order), 'last': order[-1] is nodes[-1] if order else False,
                  'distinct': len({id(n) for n in order})}
        del order
        _release(nodes)
        return answer
    orders = []
    for padding in paddings:
        nodes, _ = _spread(ns, program, padding)
        index = {id(node): i for i, node in enumerate(nodes)}
        order = list(nodes[-1]._topological_order())
        orders.append([index.get(id(node), -1) for node in order])
    return {'orders': orders, 'count': 1 + len(ancestors(nodes[-1]))}


def trace_layouts(ns, program, paddings):
    """trace(root)'s node and edge lists as program indices, under several memory layouts."""
    answers = []
    for padding in paddings:
        nodes, _ = _spread(ns, program, padding)
        index = {id(node): i for i, node in enumerate(nodes)}
        found, edges = ns['trace'](nodes[-1])
        answers.append({'nodes': [index.get(id(n), -1) for n in found],
                        'edges': [[index.get(id(c), -1), index.get(id(p), -1)]
                                  for c, p in edges]})
    return answers


def trace_shape(ns, chain=None, leaf=False):
    """The types and sizes of what trace returns: for a leaf, or a chain of additions."""
    Value = ns['Value']
    if leaf:
        x = Value(3.0)
        nodes, edges = ns['trace'](x)
        return {'types': [type(nodes).__name__, type(edges).__name__],
                'nodes': len(nodes), 'edges': len(edges),
                'root': bool(len(nodes) == 1 and list(nodes)[0] is x)}
    chained = [Value(0.0)]
    for _ in range(chain):
        chained.append(chained[-1] + 1)
    nodes, edges = ns['trace'](chained[-1])
    answer = {'types': [type(nodes).__name__, type(edges).__name__],
              'nodes': len(nodes), 'edges': len(edges)}
    del nodes, edges
    _release(chained)
    return answer


def backward_twice(ns):
    """The lesson's L = (a*b + c) * f, back-propagated twice: every grad after each pass."""
    Value = ns['Value']
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    L.backward()
    first = [node.grad for node in (a, b, c, f, e, d, L)]
    L.backward()
    second = [node.grad for node in (a, b, c, f, e, d, L)]
    return {'first': first, 'second': second}


def backward_deep(ns, length):
    """x.grad after backward() through `length` multiplications by 1.0, and a leaf's own."""
    Value = ns['Value']
    chained = [Value(3.0)]
    for _ in range(length):
        chained.append(chained[-1] * 1.0)
    chained[-1].backward()
    grad = chained[0].grad
    _release(chained)
    leaf = Value(3.0)
    leaf.backward()
    return {'grad': grad, 'leaf': leaf.grad}


# -- stage 01: the Value container ------------------------------------------------------

def value_basics(ns, data):
    Value = ns['Value']
    leaf = Value(data)
    a, b = Value(1.0), Value(2.0)
    made = Value(3.0, (a, b), '+', (1.0, 2.0))
    found = {id(a): 0, id(b): 1}
    return {
        'data': leaf.data, 'grad': leaf.grad,
        'leaf_prev': len(children(leaf)), 'leaf_op': leaf._op,
        'leaf_local_grads': list(leaf._local_grads),
        'prev': [found.get(id(child), -1) for child in children(made)],
        'op': made._op, 'made_grad': made.grad, 'prev_type': type(made._prev).__name__,
        'leaf_prev_type': type(leaf._prev).__name__,
        'local_grads': list(made._local_grads),
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
    f = FUNCTIONS[function] if function in FUNCTIONS else getattr(__import__('math'), function)
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
    for edge in edges:
        if not (isinstance(edge, (tuple, list)) and len(edge) == 2):
            raise TypeError(f'the edges trace returns must be (operand, result) pairs; one of '
                            f'them is a {type(edge).__name__}')
    return {
        'nodes': [_describe_node(ns, node) for node in nodes],
        'edges': [[_describe_node(ns, child), _describe_node(ns, parent)]
                  for child, parent in edges],
        'count': 1 + len(ancestors(root)),
    }


def draw_dot(ns, program, labels=False, rankdir=None):
    """The DOT source of draw_dot(root) (read by the trusted side), the graph's size and
    rankdir, and the source of the same graph made again and drawn: the first of four
    layouts (_spread) whose drawing differs, so that a drawing that depends on id()s or on
    a set's order differs whatever the memory held before, or the last one."""
    nodes = build(ns, program)
    args = {'rankdir': rankdir} if rankdir else {}

    def drawn(nodes):
        if labels:
            args['labels'] = {nodes[0]: 'alpha_in', nodes[-1]: 'omega_out'}
        return ns['draw_dot'](nodes[-1], **args)

    dot = drawn(nodes)
    source = getattr(dot, 'source', None)
    for padding in range(4):         # other Values, other id()s, other set orders
        rebuilt, _ = _spread(ns, program, padding)
        again = str(getattr(drawn(rebuilt), 'source', None))
        if again != str(source):
            break
    attrs = getattr(dot, 'graph_attr', None)
    return {'source': str(source) if source is not None else None, 'again': again,
            'rankdir': str(attrs.get('rankdir')) if isinstance(attrs, dict) else None,
            'type': type(dot).__name__, 'count': 1 + len(ancestors(nodes[-1]))}


# -- stages 05-07: modules --------------------------------------------------------------

def _seed(seed):
    """Seed the random module, which the learner's modules draw their weights from
    (imported here, not at the top: stages 01-04 never need it)."""
    import random
    random.seed(seed)


def make_model(ns, kind, args, kwargs=None):
    _seed(0)
    return ns[kind](*args, **(kwargs or {}))


def _as_values(ns, inputs):
    return [ns['Value'](x) for x in inputs]


def _outputs(ns, out):
    return [out] if _is_value(ns, out) else list(out)


def shared_parts(ns, kind, model):
    """How many distinct objects the module holds where __init__ should have made new ones:
    [what, distinct, total] (a Neuron's weights, a Layer's neurons, an MLP's layers)."""
    part, name = {'Neuron': ('w', 'weights'), 'Layer': ('neurons', 'neurons'),
                  'MLP': ('layers', 'layers')}[kind]
    items = getattr(model, part, None)
    if not isinstance(items, list):
        return None
    return [name, len({id(item) for item in items}), len(items)]


def module_run(ns, kind, args, kwargs=None, params=None, inputs=(), backward=True,
               numbers=False, more_inputs=()):
    """Build a module, set its parameters through parameters(), run it on inputs, backward.

    Parameter count and order, output shape, output data and every gradient.
    """
    model = make_model(ns, kind, args, kwargs)
    parameters = list(model.parameters())
    answer = {'count': len(parameters),
              'all_values': all(_is_value(ns, p) for p in parameters),
              'distinct': len({id(p) for p in parameters}),
              'shared': shared_parts(ns, kind, model)}
    if params is not None and len(params) == len(parameters):
        for p, value in zip(parameters, params):
            p.data = value
    x = list(inputs) if numbers else _as_values(ns, inputs)
    out = model(x)
    answer['single'] = _is_value(ns, out)
    answer['out_type'] = type(out).__name__
    outputs = _outputs(ns, out)
    answer['out'] = [o.data for o in outputs]
    answer['size'] = 1 + len(ancestors(outputs[0])) if outputs else 0
    answer['more'] = [[o.data for o in _outputs(ns, model(_as_values(ns, more)))]
                      for more in more_inputs]
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


def _neuron_state(ns, neuron):
    w = getattr(neuron, 'w', None)
    b = getattr(neuron, 'b', None)
    return {'w': [x.data if _is_value(ns, x) else {'plain': type(x).__name__} for x in w]
            if isinstance(w, list) else {'plain': type(w).__name__},
            'b': b.data if _is_value(ns, b) else {'plain': type(b).__name__},
            'nonlin': getattr(neuron, 'nonlin', None)}


def module_state(ns, kind, args, kwargs=None, tuple_sizes=False):
    """What __init__ stored (seeded), read from the attributes the lesson names, not through
    parameters(): a Neuron's w, b and nonlin; a Layer's neurons; an MLP's layers."""
    if tuple_sizes:
        args = [args[0], tuple(args[1])]
    model = make_model(ns, kind, args, kwargs)
    answer = {'shared': shared_parts(ns, kind, model)}
    if kind == 'Neuron':
        answer.update(_neuron_state(ns, model))
    elif kind == 'Layer':
        answer['neurons'] = [_neuron_state(ns, n) for n in model.neurons]
    else:
        answer['layers'] = [[_neuron_state(ns, n) for n in layer.neurons]
                            for layer in model.layers]
    if kind == 'MLP':
        answer['nouts'] = list(args[1])
    return answer


def parameters_identity(ns, kind, args):
    """Whether parameters() lists the module's own Values, and returns a new list each time."""
    model = make_model(ns, kind, args)
    own = {'Neuron': lambda m: list(m.w) + [m.b],
           'Layer': lambda m: [p for n in m.neurons for p in list(n.w) + [n.b]],
           'MLP': lambda m: [p for layer in m.layers for n in layer.neurons
                             for p in list(n.w) + [n.b]]}[kind](model)
    first = model.parameters()
    same = len(first) == len(own) and all(p is q for p, q in zip(first, own))
    try:
        first.append(ns['Value'](9.0))
    except AttributeError:
        pass
    return {'own': same, 'count': len(own), 'after_append': len(model.parameters())}


def module_repr(ns, kind, args, kwargs=None):
    return repr(make_model(ns, kind, args, kwargs))


def zero_grad(ns, kind, args):
    """Every parameter's grad after setting them all to 1.5 and calling zero_grad()."""
    model = make_model(ns, kind, args)
    for p in model.parameters():
        p.grad = 1.5
    before = [p.grad for p in model.parameters()]
    data = [p.data for p in model.parameters()]
    result = model.zero_grad()
    return {'before': before, 'after': [p.grad for p in model.parameters()],
            'data_kept': data == [p.data for p in model.parameters()],
            'returned': result is None}


def module_default(ns):
    """Module().parameters(): its type's name and its items, always a list (empty unless it
    is a list or tuple), so that the answer has one shape whatever the code returns."""
    got = ns['Module']().parameters()
    return [type(got).__name__, list(got) if isinstance(got, (list, tuple)) else []]


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


def learning_rate(ns, steps_list, steps=None):
    if steps is None:
        return [ns['learning_rate'](step) for step in steps_list]
    return [ns['learning_rate'](step, steps) for step in steps_list]


def loss_constant(ns, c, X, y, alpha):
    """loss() of a model whose score is the parameter c for every point: (loss, accuracy,
    whether the loss is a Value, the accuracy's type, c's grad after backward)."""
    Value, Module = ns['Value'], ns['Module']

    class Constant(Module):
        def __init__(self):
            self.c = Value(c)

        def __call__(self, x):
            return self.c

        def parameters(self):
            return [self.c]

    model = Constant()
    total, accuracy = ns['loss'](model, X, y, alpha=alpha)
    answer = {'value': _is_value(ns, total), 'accuracy': accuracy,
              'accuracy_type': type(accuracy).__name__}
    if answer['value']:
        answer['loss'] = total.data
        total.backward()
        answer['grad'] = model.c.grad
    return answer


def sgd_step(ns, sizes, params, grads, step, steps=None, returned=False):
    model = _mlp(ns, sizes, params)
    for p, g in zip(model.parameters(), grads):
        p.grad = g
    if steps is None:
        result = ns['sgd_step'](model, step)
    else:
        result = ns['sgd_step'](model, step, steps)
    if returned:
        return {'returned': result is None, 'grads': [p.grad for p in model.parameters()]}
    return [p.data for p in model.parameters()]


class _collector_paused:  # noqa: N801 - used as a function: `with _collector_paused():`
    """The learner's training with the cyclic collector off, as stage 08 teaches
    (gc_paused): the given engine's graphs hold no cycles, so the collector would only walk
    them (a fifth of the accuracy run); cycles of the learner's own wait until the end,
    within the worker's memory limit. The answers are the same either way. (A class, not
    contextlib's decorator: importing contextlib is a tenth of a worker's start-up.)"""

    def __enter__(self):
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was_enabled:
            gc.enable()


def train(ns, sizes, seed, X, y, steps, params_only=False, held_out=None):
    """Train a freshly seeded model with the learner's loop: its parameters, or its scores
    on held_out (points it did not train on; X when None)."""
    _seed(seed)
    model = ns['MLP'](2, sizes)
    with _collector_paused():
        ns['train'](model, X, y, steps=steps)
    if params_only:
        return [p.data for p in model.parameters()]
    Value = ns['Value']
    return [model([Value(x0), Value(x1)]).data for x0, x1 in (held_out or X)]


def train_history(ns, sizes, seed, X, y, steps):
    """What train returns and reports: the History's lists, and every on_step call."""
    _seed(seed)
    model = ns['MLP'](2, sizes)
    calls = []
    history = ns['train'](model, X, y, steps=steps, on_step=lambda *args: calls.append(
        [a.data if _is_value(ns, a) else a for a in args]))
    losses = getattr(history, 'losses', None)
    accuracies = getattr(history, 'accuracies', None)
    return {'type': type(history).__name__,
            'losses': list(losses) if isinstance(losses, list) else None,
            'loss_types': sorted({type(v).__name__ for v in losses})
            if isinstance(losses, list) else [],
            'accuracies': list(accuracies) if isinstance(accuracies, list) else None,
            'calls': calls}


PROBES = {f.__name__: f for f in (
    expression, structure, new_node, sum_values, refusals, local_grads, chain_rule,
    topological_order, trace_layouts, trace_shape, backward_twice, backward_deep,
    value_basics, value_identity, value_repr, numerical_derivative,
    trace, draw_dot, module_run, module_init, module_state, parameters_identity, module_repr,
    zero_grad, module_default, loss, loss_constant, learning_rate, sgd_step, train,
    train_history)}


def run(ns, name, args):
    return PROBES[name](ns, **args)
