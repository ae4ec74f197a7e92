"""Stage 08's accuracy probe trains the learner's model with the cyclic collector paused:
the answers are those of a run with it on, and the collector is on again afterwards, whatever
the learner's code did."""

import contextlib
import gc
import weakref

import pytest

from autograder.judge import reference_namespace
from autograder.worker import probes

X = [[0.1 * i - 0.6, (-1) ** i * 0.05 * i] for i in range(12)]
Y = [1 if x1 > 0 else -1 for _, x1 in X]


def run_train(ns, steps=4):
    return probes.train(ns, [8, 8, 1], 5, X, Y, steps, held_out=[[x1, x0] for x0, x1 in X])


def test_the_answers_are_those_of_a_run_with_the_collector_on(monkeypatch):
    ns = reference_namespace()
    paused = run_train(ns)
    monkeypatch.setattr(probes, '_collector_paused', contextlib.nullcontext)
    assert run_train(ns) == paused
    assert len(paused) == 12


def test_the_collector_is_off_while_the_learner_trains_and_on_after():
    ns = dict(reference_namespace())
    seen = []
    given = ns['train']

    def train(model, X, y, steps=100):
        seen.append(gc.isenabled())
        return given(model, X, y, steps=steps)
    ns['train'] = train
    assert gc.isenabled()
    run_train(ns, steps=1)
    assert seen == [False] and gc.isenabled()


def test_the_collector_comes_back_when_the_learner_raises_or_leaves_it_off():
    ns = dict(reference_namespace())

    def raises(model, X, y, steps=100):
        raise ZeroDivisionError('the learner')
    ns['train'] = raises
    with pytest.raises(ZeroDivisionError):
        run_train(ns)
    assert gc.isenabled()
    gc.disable()             # a caller that had it off (as gc_paused() leaves it): left off
    try:
        run_train(reference_namespace(), steps=1)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_learners_own_cycles_are_collected_afterwards():
    ns = dict(reference_namespace())
    kept = []

    class Node:
        pass

    def with_cycles(model, X, y, steps=100):
        for _ in range(1000):
            a, b = Node(), Node()
            a.other, b.other = b, a          # a cycle: only the collector frees it
            kept.append(weakref.ref(a))
        alive.append(sum(ref() is not None for ref in kept))
    alive = []
    ns['train'] = with_cycles
    run_train(ns)
    assert alive == [1000]          # none collected while training
    gc.collect()
    assert all(ref() is None for ref in kept)
