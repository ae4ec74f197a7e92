"""The two-moons demo: train an MLP to separate two interleaved half circles.

Max-margin (hinge) loss plus L2 regularisation, plain SGD with a learning rate
that decays linearly from 1.0 to 0.1 over the run.
"""

import random
from dataclasses import dataclass, field

from micrograd.engine import Value, gc_paused
from micrograd.nn import MLP

SEED = 1337
ALPHA = 1e-4          # strength of the L2 penalty


def make_data(n_samples=100, noise=0.1, seed=SEED):
    """Points X (a list of [x0, x1] floats) and labels y (-1 or +1), seeded as published."""
    import numpy as np
    from sklearn.datasets import make_moons

    np.random.seed(seed)
    X, y = make_moons(n_samples=n_samples, noise=noise)
    return X.tolist(), [2 * int(label) - 1 for label in y]


def make_model(seed=SEED, sizes=(16, 16, 1)):
    """MLP(2, sizes), its weights drawn after random.seed(seed)."""
    random.seed(seed)
    return MLP(2, list(sizes))


def loss(model, X, y, alpha=ALPHA):
    """(total loss as a Value, accuracy as a float) over the whole data set."""
    inputs = [[Value(x0), Value(x1)] for x0, x1 in X]
    scores = [model(xi) for xi in inputs]
    margins = [(1 + -yi * score).relu() for yi, score in zip(y, scores)]
    data_loss = sum(margins) * (1.0 / len(margins))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    accuracy = sum((yi > 0) == (score.data > 0) for yi, score in zip(y, scores)) / len(y)
    return data_loss + reg_loss, accuracy


def learning_rate(step, steps=100):
    return 1.0 - 0.9 * step / steps


def sgd_step(model, step, steps=100):
    for p in model.parameters():
        p.data -= learning_rate(step, steps) * p.grad


@dataclass
class History:
    losses: list = field(default_factory=list)
    accuracies: list = field(default_factory=list)


def train(model, X, y, steps=100, on_step=None):
    """Full-batch SGD; returns the loss and accuracy measured before each update."""
    history = History()
    for k in range(steps):
        with gc_paused():             # the graph has no cycles: see micrograd.engine
            total_loss, accuracy = loss(model, X, y)
            model.zero_grad()
            total_loss.backward()
            sgd_step(model, k, steps)
        history.losses.append(total_loss.data)
        history.accuracies.append(accuracy)
        if on_step:
            on_step(k, total_loss.data, accuracy)
    return history
