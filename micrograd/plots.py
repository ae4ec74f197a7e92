"""Figures for the two-moons demo, drawn with matplotlib's Agg backend (no display needed)."""

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from micrograd.engine import Value  # noqa: E402


def decision_grid(model, X, h=0.25, margin=1.0):
    """The model's score on a grid covering X: (xs, ys, scores as rows of the grid)."""
    x_min = min(p[0] for p in X) - margin
    x_max = max(p[0] for p in X) + margin
    y_min = min(p[1] for p in X) - margin
    y_max = max(p[1] for p in X) + margin
    xs = [x_min + i * h for i in range(int((x_max - x_min) / h) + 1)]
    ys = [y_min + j * h for j in range(int((y_max - y_min) / h) + 1)]
    scores = [[model([Value(x), Value(y)]).data for x in xs] for y in ys]
    return xs, ys, scores


def plot_decision_boundary(model, X, y, path, h=0.1):
    xs, ys, scores = decision_grid(model, X, h)
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.contourf(xs, ys, [[s > 0 for s in row] for row in scores],
                levels=[-0.5, 0.5, 1.5], colors=['#a6c8f4', '#f4a6a6'], alpha=0.8)
    ax.scatter([p[0] for p in X], [p[1] for p in X], c=y, cmap='coolwarm',
               edgecolors='k', s=30)
    ax.set_title('Decision boundary of the trained MLP')
    ax.set_xlabel('$x_0$')
    ax.set_ylabel('$x_1$')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_training_curves(history, path):
    fig, ax_loss = plt.subplots(figsize=(5.5, 3.5))
    steps = range(len(history.losses))
    ax_loss.plot(steps, history.losses, color='tab:red', label='loss')
    ax_loss.set_xlabel('step')
    ax_loss.set_ylabel('loss', color='tab:red')
    ax_acc = ax_loss.twinx()
    ax_acc.plot(steps, history.accuracies, color='tab:blue', label='accuracy')
    ax_acc.set_ylabel('accuracy', color='tab:blue')
    ax_acc.set_ylim(0, 1.05)
    ax_loss.set_title('Training on two moons')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
