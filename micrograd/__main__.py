"""`python -m micrograd demo`: train on two moons and write the figures.

Writes into the output folder: the decision boundary, the loss/accuracy curve,
a computation graph of one neuron, and the per-step numbers as CSV.
"""

import argparse
import sys
import time
from pathlib import Path

from micrograd import moons
from micrograd.engine import Value
from micrograd.nn import Neuron


def example_graph():
    """One ReLU neuron on two inputs, back-propagated: small enough to read."""
    import random

    random.seed(moons.SEED)
    neuron = Neuron(2)
    x = [Value(1.0), Value(-2.0)]
    out = neuron(x)
    out.backward()
    labels = {x[0]: 'x0', x[1]: 'x1', out: 'out', neuron.b: 'b'}
    labels.update({w: f'w{i}' for i, w in enumerate(neuron.w)})
    return out, labels


def run_demo(out_dir, steps=100):
    from micrograd.graph import save_graph
    from micrograd.plots import plot_decision_boundary, plot_training_curves

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    X, y = moons.make_data()
    model = moons.make_model()
    print(f'two moons: {len(X)} points; MLP(2, [16, 16, 1]), '
          f'{len(model.parameters())} parameters')

    def report(k, loss, accuracy):
        if k % 10 == 0 or k == steps - 1:
            print(f'step {k:3d}  loss {loss:.6f}  accuracy {accuracy:.0%}', flush=True)

    started = time.perf_counter()
    history = moons.train(model, X, y, steps=steps, on_step=report)
    seconds = time.perf_counter() - started
    print(f'trained {steps} steps in {seconds:.1f} s ({seconds / steps:.2f} s per step)')

    with open(out_dir / 'history.csv', 'w') as f:
        f.write('step,loss,accuracy\n')
        for k, (loss, acc) in enumerate(zip(history.losses, history.accuracies)):
            f.write(f'{k},{loss!r},{acc!r}\n')
    written = [
        plot_decision_boundary(model, X, y, out_dir / 'decision_boundary.png'),
        plot_training_curves(history, out_dir / 'training_curves.png'),
        save_graph(*example_graph(), path=out_dir / 'neuron_graph.svg'),
        out_dir / 'history.csv',
    ]
    print('wrote:')
    for path in written:
        print(f'  {path}')
    return history


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m micrograd',
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)
    demo = sub.add_parser('demo', help='train on two moons and write the figures')
    demo.add_argument('--out', default='out/demo', help='output folder (default: out/demo)')
    demo.add_argument('--steps', type=int, default=100, help='SGD steps (default: 100)')
    args = parser.parse_args(argv)
    try:
        run_demo(args.out, args.steps)
    except RuntimeError as error:          # e.g. graphviz's dot missing: one clear line
        print(f'error: {error}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
