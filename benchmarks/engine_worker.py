"""One engine's side of the benchmark; run by benchmarks/engine.py in its own process.

Imports whichever `micrograd` comes first on sys.path (ours, or micrograd 0.1.0
installed into benchmarks/.baseline), trains on the shared data and prints JSON.
"""

import json
import random
import sys
import time


def train(data, steps, seed):
    from micrograd.engine import Value
    from micrograd.nn import MLP

    X, y = data['X'], data['y']
    random.seed(seed)
    model = MLP(2, [16, 16, 1])
    losses, seconds = [], []
    for k in range(steps):
        started = time.perf_counter()
        inputs = [[Value(x0), Value(x1)] for x0, x1 in X]
        scores = [model(xi) for xi in inputs]
        margins = [(1 + -yi * score).relu() for yi, score in zip(y, scores)]
        data_loss = sum(margins) * (1.0 / len(margins))
        total = data_loss + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        seconds.append(time.perf_counter() - started)
        losses.append(total.data)
    return losses, seconds


def chain_backward_seconds(length):
    from micrograd.engine import Value

    x = Value(1.0)
    y = x
    for _ in range(length):
        y = y + 1.0
    started = time.perf_counter()
    try:
        y.backward()
    except RecursionError:
        return None
    return time.perf_counter() - started


def main():
    request = json.loads(sys.stdin.read())
    sys.path.insert(0, request['engine_path'])
    import micrograd

    losses, seconds = train(request['data'], request['steps'], request['seed'])
    chain = chain_backward_seconds(request['chain']) if request['chain'] else None
    json.dump({'module': micrograd.__file__, 'losses': losses, 'seconds': seconds,
               'chain_seconds': chain}, sys.stdout)


if __name__ == '__main__':
    main()
