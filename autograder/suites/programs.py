"""Expression programs: drawn by Hypothesis, run on both sides, compared node by node.

A program (see `autograder.worker.probes`) names its nodes a, b, c, ... in order. When a
learner's node disagrees, the feedback shows the program as Python lines and, for
gradients, a graphviz picture of it with the learner's and the expected grads.
"""

import atexit
import functools
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, Verbosity, assume, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from autograder.judge import Fail, close, is_number, numbers, show

# Hypothesis keeps a cache folder, .hypothesis/, in the current directory; the grader
# must leave the learner's (and the instructor's) folders as it found them. A private
# folder per process (never a fixed shared path someone could plant a link at), inside
# the one `autograder grade` makes and removes (AUTOGRADER_CACHE_DIR) when there is one,
# so even a killed grading process leaves nothing behind.
_HOME = tempfile.mkdtemp(prefix='autograder-hypothesis-',
                         dir=os.environ.get('AUTOGRADER_CACHE_DIR') or None)
atexit.register(shutil.rmtree, _HOME, True)
set_hypothesis_home_dir(Path(_HOME))


def _skip_local_constants():
    """Keep Hypothesis from reading the grader's own source for "local constants".

    On a process's first draw, Hypothesis parses every loaded module outside site-packages
    (the grader, an editable micrograd) for literals to draw now and then: about 0.4 s of a
    `check`, and its disk cache of them never hits here (a private home per process, above).
    The draws cannot change: it keeps only integers at least 100 in size, floats, strings
    and bytes, and the suites draw only integers below 100 (sampled_from draws an index),
    so none of them is ever a permitted choice. There is no public switch for this
    (HypothesisWorks/hypothesis#4627): the private hook is replaced, and
    tests/test_suite_draws.py fails if a new Hypothesis parses source again or draws
    anything else."""
    try:
        from hypothesis.internal.conjecture import providers
        parse = providers._get_local_constants
    except (ImportError, AttributeError):      # renamed: slower, still right
        return None
    providers._get_local_constants = lambda: providers._local_constants
    return parse


# Hypothesis's own function, for the test that compares the draws with and without it.
_PARSE_LOCAL_CONSTANTS = _skip_local_constants()

ALL_OPS = ('add', 'sub', 'mul', 'div', 'pow', 'neg', 'relu', 'tanh', 'exp', 'log')
PRIMITIVE_OPS = ('add', 'mul', 'pow', 'relu', 'tanh', 'exp', 'log')
CONSTANTS = (-2.0, -1.5, -1.0, 0.5, 1.0, 2.0, 3.0)
EXPONENTS = (2, 3, -1, -2, 0.5, 1.5)
LIMIT = 1e6     # programs whose values grow beyond this are not drawn: overflow is not the point

SYMBOLS = {'add': '+', 'sub': '-', 'mul': '*', 'div': '/'}


def suite_settings(max_examples=60):
    """Seeded and derandomised: the same examples, in the same order, on every run."""
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                    suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
                    phases=(Phase.explicit, Phase.generate, Phase.shrink), print_blob=False)


def name(i):
    return 'abcdefghijklmnopqrstuvwxyz'[i] if i < 26 else f'n{i}'


def _operand_text(operand):
    return show(float(operand['c'])) if isinstance(operand, dict) else name(operand)


def step_text(program, i):
    """The line that makes node i, e.g. 'c = a**3'."""
    op, *operands = program['steps'][i - len(program['inputs'])]
    if op in SYMBOLS:
        left, right = (_operand_text(o) for o in operands)
        expression = f'{left} {SYMBOLS[op]} {right}'
    elif op == 'pow':
        expression = f'{name(operands[0])}**{operands[1]}'
    elif op == 'neg':
        expression = f'-{name(operands[0])}'
    else:
        expression = f'{name(operands[0])}.{op}()'
    return f'{name(i)} = {expression}'


def program_text(program):
    """'for c = a**3 at a = 2.0' style text of the whole program."""
    k = len(program['inputs'])
    lines = '; '.join(step_text(program, i) for i in range(k, k + len(program['steps'])))
    at = ', '.join(f'{name(i)} = {show(float(x))}' for i, x in enumerate(program['inputs']))
    return f'{lines} at {at}'


def operands_of(program, i):
    k = len(program['inputs'])
    if i < k:
        return []
    op, *operands = program['steps'][i - k]
    operands = operands[:1] if op == 'pow' else operands
    return [o for o in operands if not isinstance(o, dict)]


# -- drawing programs ----------------------------------------------------------------------

# Strategies are built once, per argument, not on every draw: building one costs more than
# drawing from it, and a cached strategy draws exactly what a fresh one would.
_INPUT = st.integers(-30, 30)
_CONSTANT = st.sampled_from(CONSTANTS).map(lambda c: {'c': c})
_EXPONENT = st.sampled_from(EXPONENTS)


@functools.cache
def _up_to(count):
    return st.integers(1, count)


@functools.cache
def _node(count):
    """Any of the first `count` nodes."""
    return st.integers(0, count - 1)


@functools.cache
def _node_or_constant(count):
    return st.one_of(_node(count), _CONSTANT)


@functools.cache
def _op(ops):
    return st.sampled_from(ops)


@st.composite
def programs(draw, ops=ALL_OPS, max_inputs=3, max_steps=6):
    inputs = [draw(_INPUT) / 10 for _ in range(draw(_up_to(max_inputs)))]
    steps = []
    for _ in range(draw(_up_to(max_steps))):
        count = len(inputs) + len(steps)
        op = draw(_op(ops))
        if op == 'pow':
            steps.append(['pow', draw(_node(count)), draw(_EXPONENT)])
        elif op in SYMBOLS:
            left = draw(_node_or_constant(count))
            right = draw(_node(count)) if isinstance(left, dict) else draw(_node_or_constant(count))
            steps.append([op, left, right])
        else:
            steps.append([op, draw(_node(count))])
    return {'inputs': inputs, 'steps': steps}


def reference_answer(ref, program, backward):
    """The reference's answer, or a Hypothesis rejection when the program is out of domain.

    Out of domain: the reference raises (log of a non-positive number, division by
    zero, a fractional power of a negative number), values beyond LIMIT, or a kink
    (relu at exactly 0) where a learner's equally right choice of derivative differs.
    """
    from autograder.judge import ProbeError
    try:
        answer = ref.probe('expression', program=program, backward=backward)
    except ProbeError:
        assume(False)
    values = answer['data'] + answer.get('grad', [])
    assume(all(is_number(v) and math.isfinite(v) and abs(v) <= LIMIT for v in values))
    for op, *operands in program['steps']:
        if op == 'relu':
            assume(answer['data'][operands[0]] != 0)
        if op == 'pow' or op == 'div':
            base = operands[0] if op == 'pow' else operands[1]
            assume(isinstance(base, dict) or abs(answer['data'][base]) > 1e-3)
    return answer


# -- comparing --------------------------------------------------------------------------------

def compare_forward(program, expected, actual):
    n = len(expected['data'])
    if not isinstance(actual, dict):
        raise Fail(f'for {program_text(program)}: got {show(actual)} instead of the nodes')
    data = numbers(actual.get('data'), n, f'for {program_text(program)}')
    k = len(program['inputs'])
    for i in range(k):
        if not close(data[i], expected['data'][i]):
            raise Fail(f'for {program_text(program)} the input {name(i)} holds {show(data[i])} '
                       f'afterwards, expected {show(expected["data"][i])}: an operation must not '
                       'change its operands; it returns a new Value')
    for i, plain in enumerate(actual.get('plain_operands') or []):
        if plain and i >= k:
            raise Fail(f'for {program_text(program)}, {step_text(program, i)} holds a plain '
                       f'{plain[0]} in its _prev: wrap a plain number in a Value first, so that '
                       'every operand in the graph is a Value (backward() gives each operand '
                       'a grad)')
    for i in range(k, n):
        if not close(data[i], expected['data'][i]):
            raise Fail(f'for {program_text(program)} your {name(i)}.data is {show(data[i])}, '
                       f'expected {show(expected["data"][i])} ({step_text(program, i)})')
    reaches = actual.get('reaches')
    for i in range(k, n):
        missing = sorted(set(expected['reaches'][i]) - set(reaches[i]))
        if missing:
            raise Fail(
                f'for {program_text(program)}, {step_text(program, i)} is not linked to '
                f"{', '.join(name(m) for m in missing)}: its _prev does not lead back to its "
                'operands, so backward() could never reach them. Every operation must record '
                'the Values it was made from')


def compare_grads(program, expected, actual, hint=''):
    n = len(expected['data'])
    grads = numbers(actual.get('grad'), n, f'the grads for {program_text(program)}')
    wrong = [i for i in range(n) if not close(grads[i], expected['grad'][i])]
    if not wrong:
        return
    # Name the wrong node nearest the output: errors flow from there back to the inputs.
    i = wrong[-1]
    message = (f'for {program_text(program)} your {name(i)}.grad is {show(grads[i])}, '
               f'expected {show(expected["grad"][i])}')
    raise Fail(message + (f': {hint}' if hint else ''),
               figure_svg=graph_svg(program, expected, grads))


def graph_svg(program, expected, grads):
    """The program's graph: each node's data, your grad and the expected grad (wrong ones red)."""
    if shutil.which('dot') is None and sys.platform != 'emscripten':
        return None
    lines = ['digraph program {', '  rankdir=LR;', '  node [shape=record, fontsize=11];']
    for i, data in enumerate(expected['data']):
        good = close(grads[i], expected['grad'][i])
        title = step_text(program, i) if i >= len(program['inputs']) else name(i)
        title = title.replace('>', '\\>').replace('<', '\\<').replace('|', '\\|')
        label = (f'{{ {title} | data {show(data)} | your grad {show(grads[i])} | '
                 f'expected {show(expected["grad"][i])} }}')
        color = '' if good else ', color=red, fontcolor=red'
        lines.append(f'  n{i} [label="{label}"{color}];')
        for operand in dict.fromkeys(operands_of(program, i)):
            lines.append(f'  n{operand} -> n{i};')
    lines.append('}')
    return render_svg('\n'.join(lines))


def render_svg(dot_source, timeout=20):
    """SVG text from DOT source via the `dot` program, or None when it cannot be rendered.
    A picture drawn before in this process is not drawn again (one `dot` is about 20 ms CPU;
    the same mistake gives the same picture)."""
    if sys.platform == 'emscripten':      # in the browser: graphviz in WebAssembly
        from autograder.browser import render_svg as render
        return render(dot_source)
    if dot_source in _DRAWN:
        return _DRAWN[dot_source]
    try:
        result = subprocess.run(['dot', '-Tsvg'], input=dot_source.encode(), capture_output=True,
                                timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    svg = result.stdout.decode('utf-8', 'replace')
    if len(svg) <= _DRAWN_TEXT:
        if len(_DRAWN) >= _DRAWN_MAX:
            _DRAWN.pop(next(iter(_DRAWN)))
        _DRAWN[dot_source] = svg
    return svg


# DOT source -> SVG text, for pictures of a usual size; the oldest is dropped first.
_DRAWN, _DRAWN_MAX, _DRAWN_TEXT = {}, 256, 256 * 1024


def slots_hint(error):
    """Why assigning a closure to a node fails, for the learner who tried (a ProbeError)."""
    if error.error['type'] == 'AttributeError' and 'read-only' in error.error['message']:
        return (': Value has __slots__, so a node cannot hold a closure in _backward; record '
                'the local derivatives in _local_grads, for _backward to read')
    return ''


def learner_answer(sub, program, backward):
    """The learner's answer; their exception becomes a Fail naming the program."""
    from autograder.judge import ProbeError
    try:
        return sub.probe('expression', program=program, backward=backward)
    except ProbeError as error:
        raise Fail(f'for {program_text(program)} your code {error.describe()}'
                   f'{slots_hint(error)}') from None


def check_program(sub, ref, program, backward=False, hint=''):
    """Compare every node's data (and grad after backward), and the graph's links."""
    expected = ref.probe('expression', program=program, backward=backward)
    actual = learner_answer(sub, program, backward)
    compare_forward(program, expected, actual)
    if backward:
        compare_grads(program, expected, actual, hint)


def check_random_programs(sub, ref, ops, backward, max_examples=60):
    """Hypothesis-drawn programs over `ops`; a failure is shrunk to the smallest program."""
    from hypothesis import given

    @suite_settings(max_examples)
    @given(programs(ops))
    def check(program):
        expected = reference_answer(ref, program, backward)
        actual = learner_answer(sub, program, backward)
        compare_forward(program, expected, actual)
        if backward:
            compare_grads(program, expected, actual)

    check()


def program(inputs, *steps):
    """A literal program: program([2.0], ['pow', 0, 3]) is c = a**3 at a = 2.0."""
    return {'inputs': list(inputs), 'steps': [list(step) for step in steps]}
