"""One engine's side of the engine benchmark; run by benchmarks/engine.py in its own process.

Imports whichever `micrograd` comes first on sys.path (ours, or micrograd 0.1.0
installed into benchmarks/.baseline), runs the measurement named in the JSON request
on stdin and prints JSON. The training step is the two-moons loop of the course.
"""

import gc
import json
import random
import resource
import sys
import time
import tracemalloc
from functools import partial


def build_loss(model, X, y, Value):
    inputs = [[Value(x0), Value(x1)] for x0, x1 in X]
    scores = [model(xi) for xi in inputs]
    margins = [(1 + -yi * score).relu() for yi, score in zip(y, scores)]
    data_loss = sum(margins) * (1.0 / len(margins))
    return data_loss + 1e-4 * sum(p * p for p in model.parameters())


def count_nodes(root):
    seen, stack = {id(root)}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def steps(request):
    """Per-step seconds of the forward pass, the backward pass and the whole step."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    X, y = request['X'][:request['batch']], request['y'][:request['batch']]
    random.seed(request['seed'])
    model = MLP(2, request['sizes'])
    if request['gc'] == 'off':
        gc.disable()
    forward, backward, total, losses = [], [], [], []
    for k in range(request['steps']):
        if request['gc'] == 'paused':     # as the course's demo trains: gc_paused per step
            gc.disable()
        started = time.perf_counter()
        loss = build_loss(model, X, y, Value)
        built = time.perf_counter()
        model.zero_grad()
        loss.backward()
        done = time.perf_counter()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        losses.append(loss.data)
        del loss               # the graph goes here: its freeing belongs to the step
        ended = time.perf_counter()
        if request['gc'] == 'paused':
            gc.enable()
        forward.append(built - started)
        backward.append(done - built)
        total.append(ended - started)
    gc.enable()
    return {'forward': forward, 'backward': backward, 'step': total, 'losses': losses}


def memory(request):
    """Bytes per node of one step's graph (tracemalloc), and the node count."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    X, y = request['X'][:request['batch']], request['y'][:request['batch']]
    random.seed(request['seed'])
    model = MLP(2, request['sizes'])
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = build_loss(model, X, y, Value)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    nodes = count_nodes(loss)
    return {'bytes_per_node': used / nodes, 'nodes': nodes}


def chain(request):
    """Seconds and peak memory to back-propagate a chain of `length` additions, with the
    collector as it is (`gc: on`) or paused around backward() as the engine documents."""
    from micrograd import engine
    from micrograd.engine import Value

    y = x = Value(1.0)
    for _ in range(request['length']):
        y = y + 1.0
    paused = request.get('gc') == 'paused' and hasattr(engine, 'gc_paused')
    started = time.perf_counter()
    try:
        if paused:
            with engine.gc_paused():
                y.backward()
        else:
            y.backward()
    except RecursionError:
        return {'seconds': None}
    seconds = time.perf_counter() - started
    return {'seconds': seconds, 'grad': x.grad,
            'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def floor(request):
    """Ours against the pure-Python floor, per node, on one step's graph (GC off).

    Forward floor: a minimal operator node (four slots, one constructor call per
    operation) building the same number of nodes. Backward floor: the same algorithm
    (the depth-first sort, the reset of interior grads, the chain rule) written as
    fast as pure Python allows: one function, every method call inlined, every name
    local. Also the chain rule alone, inlined over a precomputed order: no algorithm
    that has to find the order can beat that bound.
    """
    from micrograd.engine import Value
    from micrograd.nn import MLP

    class Node:
        __slots__ = ('data', 'grad', '_prev', '_local_grads')

        def __init__(self, data, prev=(), local_grads=()):
            self.data, self.grad, self._prev, self._local_grads = data, 0.0, prev, local_grads

        def __mul__(self, other):
            return Node(self.data * other.data, (self, other), (other.data, self.data))

        def __add__(self, other):
            return Node(self.data + other.data, (self, other), (1.0, 1.0))

    def chain_of(kind, n):
        a, b = kind(0.5), kind(1.5)
        out = a
        for _ in range(n // 2):
            out = out * b + a
        return out

    gc.disable()
    n, result = 200_000, {}
    for name, kind in (('forward_floor', Node), ('forward_ours', Value)):
        times = []
        for _ in range(5):
            started = time.perf_counter()
            chain_of(kind, n)
            times.append((time.perf_counter() - started) / n)
        result[name] = sorted(times)[2]

    X, y = request['X'], request['y']
    random.seed(request['seed'])
    model = MLP(2, request['sizes'])
    times = {'ours': [], 'floor': [], 'bound': [], 'sort': []}
    for _ in range(5):
        for name in times:            # each on a graph of its own, built just before
            loss = build_loss(model, X, y, Value)
            order = loss._topological_order() if name == 'bound' else None
            run = {'ours': loss.backward, 'floor': partial(fastest_backward, loss),
                   'sort': loss._topological_order,
                   'bound': partial(chain_rule_only, loss, order)}[name]
            nodes = count_nodes(loss)
            started = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - started) / nodes)
            del loss, order, run
    result.update({f'backward_{name}': sorted(values)[2] for name, values in times.items()})
    return result


def fastest_backward(root):
    """backward() as fast as pure Python writes it: same sort, same order, same sums."""
    order, visited = [], {root}
    stack = [(root, iter(root._prev))]
    push, pop, add, append = stack.append, stack.pop, visited.add, order.append
    while stack:
        node, operands = stack[-1]
        for operand in operands:
            if operand not in visited:
                add(operand)
                if operand._prev:
                    push((operand, iter(operand._prev)))
                    break
                append(operand)
        else:
            pop()
            append(node)
    for node in order:
        if node._prev:
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        prev = node._prev
        if prev:
            grad = node.grad
            for operand, local_grad in zip(prev, node._local_grads):
                operand.grad += local_grad * grad


def chain_rule_only(root, order):
    root.grad = 1.0
    for node in reversed(order):
        grad = node.grad
        for operand, local_grad in zip(node._prev, node._local_grads):
            operand.grad += local_grad * grad


def main():
    request = json.loads(sys.stdin.read())
    sys.path.insert(0, request['engine_path'])
    import micrograd

    answer = {'steps': steps, 'memory': memory, 'chain': chain, 'floor': floor}[
        request['measure']](request)
    answer['module'] = micrograd.__file__
    json.dump(answer, sys.stdout)


if __name__ == '__main__':
    main()
