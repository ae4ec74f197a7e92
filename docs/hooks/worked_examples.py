"""The chapters' worked examples, built with the reference micrograd.

Each function returns (root, labels) for `micrograd.graph.draw_dot`. The same
numbers appear in the chapters' code examples, which the site tests run.
"""

from micrograd import MLP, Layer, Neuron, Value


def set_parameters(module, values):
    """Give a module known weights instead of random ones (the order of parameters())."""
    for parameter, value in zip(module.parameters(), values, strict=True):
        parameter.data = value
    return module


def product():
    """01-value: one operation, two operands, nothing differentiated yet."""
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    return c, {a: 'a', b: 'b', c: 'c'}


def expression(backward=False):
    """02-operations and 04-backward: L = (a*b + c) * f."""
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    if backward:
        L.backward()
    return L, {a: 'a', b: 'b', c: 'c', d: 'd', e: 'e', f: 'f', L: 'L'}


def reuse(backward=False):
    """03-graph and 04-backward: y = x*x + x uses x three times."""
    x = Value(3.0)
    y = x * x + x
    if backward:
        y.backward()
    return y, {x: 'x', y: 'y'}


def neuron():
    """05-neuron: relu(w1*x1 + w2*x2 + b) for w = (-3, 1), b = 6, x = (2, 1)."""
    n = set_parameters(Neuron(2), [-3.0, 1.0, 6.0])
    x = [Value(2.0), Value(1.0)]
    out = n(x)
    out.backward()
    w1, w2 = n.w
    return out, {x[0]: 'x1', x[1]: 'x2', w1: 'w1', w2: 'w2', n.b: 'b', out: 'out'}


def layer():
    """06-layer: two ReLU neurons on the same inputs; the second one is dead."""
    lay = set_parameters(Layer(2, 2), [1.0, -1.0, 0.5, -2.0, 1.0, 0.0])
    x = [Value(2.0), Value(1.0)]
    o1, o2 = lay(x)
    s = o1 + o2
    s.backward()
    return s, {x[0]: 'x1', x[1]: 'x2', o1: 'o1', o2: 'o2', s: 's',
               **weight_labels(lay.neurons)}


def weight_labels(neurons):
    """{parameter: name} as the chapters write them: w11, w12, b1 for neuron 1, and so on."""
    names = {}
    for j, n in enumerate(neurons, start=1):
        names.update({w: f'w{j}{i}' for i, w in enumerate(n.w, start=1)})
        names[n.b] = f'b{j}'
    return names


def mlp():
    """07-mlp: MLP(2, [2, 1]) with known weights."""
    net = set_parameters(MLP(2, [2, 1]),
                         [1.0, -1.0, 0.5, 0.5, 1.0, -1.0, 2.0, -1.0, 0.5])
    x = [Value(2.0), Value(1.0)]
    hidden = net.layers[0](x)
    out = net.layers[1](hidden)
    out.backward()
    (output,) = net.layers[1].neurons
    v1, v2 = output.w
    return out, {x[0]: 'x1', x[1]: 'x2', hidden[0]: 'h1', hidden[1]: 'h2', out: 'out',
                 **weight_labels(net.layers[0].neurons), v1: 'v1', v2: 'v2', output.b: 'c'}


# figure file name -> (the example it draws, graphviz rankdir). Top-down graphs are three to
# four times narrower than left-to-right ones (a record's fields stack), so they fit a phone
# and a text column with readable labels.
GRAPHS = {
    '01-value-product.svg': (product, 'TB'),
    '02-operations-forward.svg': (expression, 'TB'),
    '03-graph-reuse.svg': (reuse, 'TB'),
    '04-backward-expression.svg': (lambda: expression(backward=True), 'TB'),
    '04-backward-reuse.svg': (lambda: reuse(backward=True), 'TB'),
    '05-neuron.svg': (neuron, 'TB'),
    '06-layer.svg': (layer, 'TB'),
    '07-mlp.svg': (mlp, 'TB'),
}
