"""Hidden suite of stage 08-training: loss, learning_rate, sgd_step and train on two moons.

The data sets are small two-moons samples made here with the standard library; the
model is the notebook's given MLP with known parameters.
"""

import math
import random
from functools import lru_cache

import pytest

from autograder.judge import Fail, close, numbers, show
from autograder.suites.modules import call, known_values

SIZES = [4, 1]             # MLP(2, [4, 1]): 17 parameters
COUNT = 17
TRAIN_SIZES = [8, 8, 1]    # the accuracy run: trains in about 0.3 s
TRAIN_STEPS = 25
TRAIN_POINTS = 30
ACCURACY_BAR = 0.85        # on 100 held-out points: the reference reaches 0.95, untrained 0.17
TRAIN_SEED = 5
HELD_OUT = (100, 8)        # points the model never trains on: memorising X does not help
TRAIN_SECONDS = 120


@lru_cache(maxsize=None)
def moons(n, seed, noise=0.1):
    """Two interleaved half circles, labels -1/+1, drawn with the standard library.

    The same shape as scikit-learn's make_moons, without importing it (half a second
    of latency for `check`); the points need not match scikit-learn's.
    """
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:
            x0, x1, label = math.cos(t), math.sin(t), -1
        else:
            x0, x1, label = 1 - math.cos(t), 0.5 - math.sin(t), 1
        X.append([round(x0 + rng.gauss(0, noise), 6), round(x1 + rng.gauss(0, noise), 6)])
        y.append(label)
    return X, y


def _loss(sub, ref, alpha=None):
    X, y = moons(12, 5)
    args = dict(sizes=SIZES, params=known_values(COUNT, 3), X=X, y=y)
    if alpha is not None:
        args['alpha'] = alpha
    expected = ref.probe('loss', **args)
    got = call(sub, 'loss(model, X, y)', 'loss', **args)
    return args, expected, got


@pytest.mark.points(1, name='training-learning-rate', what='learning_rate(step, steps)')
def test_learning_rate(sub, ref):
    got = call(sub, 'learning_rate(step)', 'learning_rate', steps_list=[0, 50, 100])
    if not (isinstance(got, list) and len(got) == 3 and all(type(g) is float for g in got)
            and all(close(a, e) for a, e in zip(got, [1.0, 0.55, 0.1]))):
        raise Fail(f'learning_rate(0), learning_rate(50), learning_rate(100) are {show(got)}, '
                   'expected the floats [1.0, 0.55, 0.1] = 1.0 - 0.9 * step / steps, with steps '
                   'defaulting to 100')
    for steps, at in ((100, [0, 25, 50, 99]), (10, [0, 5, 9])):
        expected = ref.probe('learning_rate', steps_list=at, steps=steps)
        got = call(sub, 'learning_rate(step, steps)', 'learning_rate', steps_list=at,
                   steps=steps)
        numbers(got, len(at), 'learning_rate')
        for step, a, e in zip(at, got, expected):
            if not close(a, e):
                raise Fail(f'learning_rate({step}, steps={steps}) is {show(a)}, expected '
                           f'{show(e)}: the rate falls linearly from 1.0 at step 0 towards 0.1 '
                           'at step `steps`: 1.0 - 0.9 * step / steps')


@pytest.mark.points(3, name='training-loss', what='loss(model, X, y)')
def test_loss(sub, ref):
    args, expected, got = _loss(sub, ref)
    if not isinstance(got, dict) or not isinstance(got.get('loss'), (int, float)):
        raise Fail('loss(model, X, y) must return (total loss as a Value, accuracy)')
    if not close(got['loss'], expected['loss']):
        hint = ''
        if close(got['loss'], ref.probe('loss', **args, alpha=0.0)['loss']):
            hint = ': the L2 regularisation alpha * sum(p * p for p in parameters) is missing'
        raise Fail(f"on 12 two-moons points your loss is {show(got['loss'])}, expected "
                   f"{show(expected['loss'])}{hint} (the mean of relu(1 - y_i * score_i) "
                   'over the points, plus alpha times the sum of squared parameters)')
    if not close(got['accuracy'], expected['accuracy']):
        raise Fail(f"on 12 two-moons points your accuracy is {show(got['accuracy'])}, expected "
                   f"{show(expected['accuracy'])}: the fraction of points whose score has the "
                   'sign of their label')


@pytest.mark.points(2, name='training-loss-grads', what='loss(model, X, y).backward()')
def test_loss_grads(sub, ref):
    _, expected, got = _loss(sub, ref)
    grads = numbers(got.get('grads') if isinstance(got, dict) else None, COUNT,
                    'the parameter grads after loss(...).backward()')
    for i, (a, e) in enumerate(zip(grads, expected['grads'])):
        if not close(a, e):
            raise Fail(f'after loss(model, X, y)[0].backward(), parameter {i} has grad '
                       f'{show(a)}, expected {show(e)}: the loss must be built from Value '
                       'operations all the way, so that backward() reaches every parameter')


@pytest.mark.points(2, name='training-sgd-step', what='sgd_step(model, step, steps)')
def test_sgd_step(sub, ref):
    params, grads = known_values(COUNT, 4), known_values(COUNT, 6)
    for step, steps in ((0, 100), (30, 100), (5, 10)):
        args = dict(sizes=SIZES, params=params, grads=grads, step=step, steps=steps)
        expected = ref.probe('sgd_step', **args)
        got = numbers(call(sub, 'sgd_step(model, step, steps)', 'sgd_step', **args), COUNT,
                      'the parameters after sgd_step')
        for i, (a, e) in enumerate(zip(got, expected)):
            if not close(a, e):
                rate = 1.0 - 0.9 * step / steps
                hint = ''
                if close(a, params[i] + rate * grads[i]):
                    hint = ': step against the gradient, p.data -= rate * p.grad'
                raise Fail(f'after sgd_step(model, {step}, {steps}) parameter {i} is {show(a)}, '
                           f'expected {show(e)} = {show(params[i])} - '
                           f'learning_rate({step}, {steps}) * {show(grads[i])}{hint}')
    args = dict(sizes=SIZES, params=params, grads=grads, step=50)
    got = numbers(call(sub, 'sgd_step(model, 50)', 'sgd_step', **args), COUNT,
                  'the parameters after sgd_step')
    if not all(close(a, e) for a, e in zip(got, ref.probe('sgd_step', **args))):
        raise Fail('sgd_step(model, 50) must use learning_rate(50, 100) = 0.55: steps defaults '
                   'to 100')
    got = call(sub, 'sgd_step(model, 50)', 'sgd_step', **args, returned=True)
    if not got['returned']:
        raise Fail('sgd_step returned something: it updates the parameters in place and returns '
                   'nothing')
    if got['grads'] != grads:
        raise Fail("sgd_step changed the gradients: it changes data only (resetting grads is "
                   "zero_grad's job)")


@pytest.mark.points(2, name='training-train-steps', what='train(model, X, y, steps=3)')
def test_train_steps(sub, ref):
    X, y = moons(12, 5)
    args = dict(sizes=SIZES, seed=11, X=X, y=y, steps=3)
    expected = ref.probe('train', **args, params_only=True)
    got = numbers(call(sub, 'train(model, X, y, steps=3)', 'train', **args, params_only=True),
                  COUNT, 'the parameters after train')
    for i, (a, e) in enumerate(zip(got, expected)):
        if not close(a, e):
            raise Fail(f'after train(model, X, y, steps=3) parameter {i} is {show(a)}, expected '
                       f'{show(e)}: each step k computes the loss, resets the grads with '
                       'model.zero_grad(), calls backward() and then sgd_step(model, k, steps)')


@pytest.mark.points(3, name='training-accuracy',
                    what=f'train(model, X, y, steps={TRAIN_STEPS}) on {TRAIN_POINTS} points')
def test_accuracy(sub, ref):
    X, y = moons(TRAIN_POINTS, 7)
    held_out, labels = moons(*HELD_OUT)
    scores = numbers(call(sub, 'train', 'train', sizes=TRAIN_SIZES, seed=TRAIN_SEED, X=X, y=y,
                          steps=TRAIN_STEPS, held_out=held_out, timeout=TRAIN_SECONDS),
                     len(held_out), 'the scores after training')
    accuracy = sum((s > 0) == (label > 0) for s, label in zip(scores, labels)) / len(labels)
    if accuracy < ACCURACY_BAR:
        raise Fail(f'after train(MLP(2, {TRAIN_SIZES}), X, y, steps={TRAIN_STEPS}) on '
                   f'{TRAIN_POINTS} two-moons points the accuracy on {HELD_OUT[0]} new points '
                   f'is {accuracy:.2f}, expected at least {ACCURACY_BAR}: check that each step '
                   'lowers the loss')


@pytest.mark.points(2, name='training-history', what='what train(model, X, y, steps=3) returns')
def test_history(sub, ref):
    X, y = moons(12, 5)
    args = dict(sizes=SIZES, seed=11, X=X, y=y, steps=3)
    expected = ref.probe('train_history', **args)
    got = call(sub, 'train(model, X, y, steps=3, on_step=...)', 'train_history', **args)
    if got['type'] != expected['type'] or got['losses'] is None or got['accuracies'] is None:
        raise Fail(f"train returned a {got['type']}, expected a History with its losses and "
                   'accuracies lists')
    if len(got['losses']) != 3 or len(got['accuracies']) != 3:
        raise Fail(f"after 3 steps the History holds {len(got['losses'])} losses and "
                   f"{len(got['accuracies'])} accuracies, expected 3 of each: one per step")
    if got['loss_types'] != ['float']:
        raise Fail(f"history.losses holds {', '.join(got['loss_types'])} items, expected floats: "
                   'append total_loss.data, not the Value')
    for k, (a, e) in enumerate(zip(got['losses'], expected['losses'])):
        if not close(a, e):
            raise Fail(f'history.losses[{k}] is {show(a)}, expected {show(e)}: record the loss '
                       'of step k before that step\'s update')
    if got['accuracies'] != expected['accuracies']:
        raise Fail(f"history.accuracies is {show(got['accuracies'])}, expected "
                   f"{show(expected['accuracies'])}: the accuracy of each step, before its update")
    if [c[0] for c in got['calls']] != [0, 1, 2]:
        raise Fail(f"on_step was called with k = {[c[0] for c in got['calls']]}, expected "
                   '[0, 1, 2]: once at the end of every step')
    if got['calls'] != [[k, loss, acc] for k, (loss, acc) in
                        enumerate(zip(got['losses'], got['accuracies']))]:
        raise Fail('on_step(k, loss_value, accuracy) must get the step\'s loss value and '
                   'accuracy, the same numbers the History records')
    empty = call(sub, 'train(model, X, y, steps=0)', 'train_history', **dict(args, steps=0))
    if empty['losses'] != [] or empty['accuracies'] != []:
        raise Fail('train(model, X, y, steps=0) must train nothing and return an empty History')


@pytest.mark.points(2, name='training-loss-rules', what='loss() on a constant model')
def test_loss_rules(sub, ref):
    cases = ((0.5, [[0.0, 0.0], [1.0, 1.0]], [1, -1], 0.0,
              'the margins are relu(1 - 0.5) = 0.5 and relu(1 + 0.5) = 1.5; their mean is 1.0'),
             (2.0, [[0.0, 0.0]], [1], 0.25,
              'the hinge is 0 beyond the margin and the L2 term is 0.25 * 2.0**2 = 1.0'),
             (0.0, [[0.0, 0.0], [1.0, 1.0]], [-1, -1], 0.0,
              'a score of exactly 0 counts as the class -1: right when the label is -1'))
    for c, X, y, alpha, rule in cases:
        expected = ref.probe('loss_constant', c=c, X=X, y=y, alpha=alpha)
        got = call(sub, 'loss(model, X, y, alpha)', 'loss_constant', c=c, X=X, y=y, alpha=alpha)
        where = f'for a model whose score is {c} on every point, labels {y}, alpha={alpha}'
        if not got['value']:
            raise Fail(f'{where}, loss returned a total that is not a Value: build it from Value '
                       'operations so that it can backward()')
        if not close(got['loss'], expected['loss']):
            raise Fail(f"{where}, the loss is {show(got['loss'])}, expected "
                       f"{show(expected['loss'])}: {rule}")
        if got['accuracy_type'] != 'float' or not close(got['accuracy'], expected['accuracy']):
            raise Fail(f"{where}, the accuracy is {show(got['accuracy'])}, expected the float "
                       f"{show(expected['accuracy'])}: {rule}")
        if not close(got['grad'], expected['grad']):
            raise Fail(f"{where}, backward() gives the score's parameter the grad "
                       f"{show(got['grad'])}, expected {show(expected['grad'])}: {rule}")
