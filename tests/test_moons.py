"""The two-moons demo reproduces the published run."""

import subprocess
import sys

import pytest

from micrograd import moons


def test_step_zero_loss_and_accuracy_are_exact():
    X, y = moons.make_data()
    model = moons.make_model()
    assert len(model.parameters()) == 337
    total_loss, accuracy = moons.loss(model, X, y)
    assert total_loss.data == 0.8958441028683222
    assert accuracy == 0.5


def test_learning_rate_decays_linearly():
    assert moons.learning_rate(0) == 1.0
    assert moons.learning_rate(50) == pytest.approx(0.55)
    assert moons.learning_rate(99) == pytest.approx(0.109)


def test_a_few_steps_reduce_the_loss():
    X, y = moons.make_data()
    history = moons.train(moons.make_model(), X, y, steps=3)
    assert history.losses[0] == 0.8958441028683222
    assert history.losses[2] < history.losses[0]
    assert history.accuracies[2] > 0.5


@pytest.mark.slow
def test_demo_trains_to_full_accuracy_and_writes_figures(tmp_path):
    """The README's demo, end to end: 100 steps, the figures, the history."""
    result = subprocess.run([sys.executable, '-m', 'micrograd', 'demo', '--out', str(tmp_path)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    rows = (tmp_path / 'history.csv').read_text().splitlines()[1:]
    losses = [float(r.split(',')[1]) for r in rows]
    accuracies = [float(r.split(',')[2]) for r in rows]
    assert len(rows) == 100
    assert losses[0] == 0.8958441028683222
    assert accuracies[-1] >= 0.99
    assert losses[-1] == pytest.approx(0.010978, abs=2e-3)
    for name in ('decision_boundary.png', 'training_curves.png'):
        assert (tmp_path / name).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert (tmp_path / 'neuron_graph.svg').read_text().lstrip().startswith('<?xml')
    assert str(tmp_path / 'decision_boundary.png') in result.stdout
