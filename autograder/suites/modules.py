"""Shared checks of the nn suites: set parameters to known values, compare outputs and grads."""

import random

from autograder.judge import Fail, ProbeError, close, numbers, show


def known_values(count, seed):
    """Parameter values the probes set through parameters(): seeded, two decimals, readable."""
    rng = random.Random(seed)
    return [round(rng.uniform(-1, 1), 2) for _ in range(count)]


def call(sub, label, probe, **args):
    try:
        return sub.probe(probe, **args)
    except ProbeError as error:
        raise Fail(f'{label}: your code {error.describe()}') from None


def run(sub, ref, kind, args, kwargs=None, inputs=(), seed=1, backward=True, **more):
    """(expected, got) answers of the module_run probe with known parameters."""
    base = dict(kind=kind, args=args, kwargs=kwargs, inputs=list(inputs), **more)
    count = ref.probe('module_run', **base, backward=False)['count']
    base['params'] = known_values(count, seed)
    expected = ref.probe('module_run', **base, backward=backward)
    got = call(sub, f'{label(kind, args, kwargs)}', 'module_run', **base, backward=backward)
    return expected, got


def label(kind, args, kwargs=None):
    text = ', '.join([repr(a) for a in args] + [f'{k}={v!r}' for k, v in (kwargs or {}).items()])
    return f'{kind}({text})'


def check_shared(got, name):
    """__init__ that makes one object and uses it n times ([x] * n) is __init__'s mistake."""
    shared = got.get('shared')
    if isinstance(shared, list) and len(shared) == 3 and shared[1] < shared[2]:
        what, distinct, total = shared
        one = what[:-1] if what != 'weights' else 'weight'
        raise Fail(f'{name} holds {total} {what} but only {distinct} distinct '
                   f'{"Value" if what == "weights" else one}{"s" if distinct != 1 else ""}: '
                   f'__init__ makes one {one} and uses it {total} times ([x] * n repeats the same '
                   f'object); create each {one} with its own call, e.g. a list comprehension')


def check_count(expected, got, name):
    check_shared(got, name)
    if got['count'] != expected['count']:
        raise Fail(f"{name} has {got['count']} parameters, expected {expected['count']}")
    if not got['all_values'] or got['distinct'] != got['count']:
        raise Fail(f'{name}.parameters() must list each parameter Value exactly once')


def check_outputs(expected, got, name, inputs, hint=''):
    check_count(expected, got, name)
    if got['single'] != expected['single']:
        if expected['single']:
            raise Fail(f'{name} returned a list for a single output: with one output, return '
                       'the Value itself, not a list of one Value')
        raise Fail(f'{name} returned a single Value, expected a list of '
                   f"{len(expected['out'])} Values")
    if not got['single'] and got.get('out_type') != expected.get('out_type'):
        raise Fail(f"{name} returned a {got.get('out_type')}, expected a "
                   f"{expected.get('out_type')} of Values")
    out = numbers(got['out'], len(expected['out']), f'the outputs of {name}')
    for i, (a, e) in enumerate(zip(out, expected['out'])):
        if not close(a, e):
            which = f'output {i}' if len(out) > 1 else 'the output'
            raise Fail(f'for inputs {list(inputs)}, with its parameters set to known values '
                       f'through parameters(), {name} gives {show(a)} as {which}, expected '
                       f'{show(e)}' + (f': {hint}' if hint else ''))


def check_grads(expected, got, name):
    for key, what in (('param_grads', 'parameter'), ('input_grads', 'input')):
        grads = numbers(got[key], len(expected[key]), f'the {what} grads of {name}')
        for i, (a, e) in enumerate(zip(grads, expected[key])):
            if not close(a, e):
                raise Fail(f'after backward() through {name}, the grad of {what} {i} is '
                           f'{show(a)}, expected {show(e)}')


def check_state(sub, ref, kind, args, name, kwargs=None, **more):
    """What __init__ stored, read from the attributes (not through parameters())."""
    expected = ref.probe('module_state', kind=kind, args=args, kwargs=kwargs, **more)
    got = call(sub, name, 'module_state', kind=kind, args=args, kwargs=kwargs, **more)
    check_shared(got, name)
    return expected, got


def check_identity(sub, kind, args, name):
    got = call(sub, f'{name}.parameters()', 'parameters_identity', kind=kind, args=args)
    if not got['own']:
        raise Fail(f'{name}.parameters() must list the Values the module holds themselves, in '
                   'order (training changes them in place), not copies or new Values')
    if got['after_append'] != got['count']:
        raise Fail(f'appending to the list {name}.parameters() returned added a parameter to the '
                   'module: return a new list each time')


def check_repr(sub, ref, kind, args, name, kwargs=None):
    expected = ref.probe('module_repr', kind=kind, args=args, kwargs=kwargs)
    got = call(sub, f'repr({name})', 'module_repr', kind=kind, args=args, kwargs=kwargs)
    if got != expected:
        raise Fail(f'repr({name}) is {show(got)}, expected {expected!r}')


def check_zero_grad(sub, kind, args):
    name = label(kind, args)
    got = call(sub, f'{name}.zero_grad()', 'zero_grad', kind=kind, args=args)
    if not isinstance(got, dict) or not isinstance(got.get('after'), list):
        raise Fail(f'{name}.zero_grad() could not be checked')
    if not got.get('data_kept', True):
        raise Fail(f'{name}.zero_grad() changed the data of its parameters: it resets grad only')
    if not got.get('returned', True):
        raise Fail(f'{name}.zero_grad() returned something: it returns nothing')
    left = [i for i, g in enumerate(got['after']) if not (type(g) in (int, float) and g == 0)]
    if left:
        raise Fail(f'after {name}.zero_grad(), {len(left)} of its {len(got["after"])} '
                   f'parameters still have a grad (parameter {left[0]}: '
                   f'{show(got["after"][left[0]])}): zero_grad must reset every parameter')
