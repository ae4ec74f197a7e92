"""Expression programs: drawn by Hypothesis, run on both sides, compared node by node.

A program (see `autograder.worker.probes`) names its nodes a, b, c, ... in order. When a
learner's node disagrees, the feedback shows the program as Python lines and, for
gradients, a graphviz picture of it with the learner's and the expected grads.
"""

import math
import shutil
import subprocess
import sys

from autograder.judge import Fail, close, is_number, numbers, show
from autograder.suites import replay

ALL_OPS = ('add', 'sub', 'mul', 'div', 'pow', 'neg', 'relu', 'tanh', 'exp', 'log')
PRIMITIVE_OPS = ('add', 'mul', 'pow', 'relu', 'tanh', 'exp', 'log')
CONSTANTS = (-2.0, -1.5, -1.0, 0.5, 1.0, 2.0, 3.0)
EXPONENTS = (2, 3, -1, -2, 0.5, 1.5)
LIMIT = 1e6     # programs whose values grow beyond this are not drawn: overflow is not the point

SYMBOLS = {'add': '+', 'sub': '-', 'mul': '*', 'div': '/'}


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


def drawn_programs(ops):
    """The strategy of programs over ops (autograder.suites.drawing): Hypothesis is imported
    only when a suite draws (a replay on record needs none of it)."""
    from autograder.suites import drawing
    return drawing.programs(ops)


def assume(condition):
    """Hypothesis's assume, imported only for a program out of domain (never in a replay:
    the examples on record are all in it)."""
    if not condition:
        from hypothesis import reject
        reject()


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
    """Hypothesis-drawn programs over `ops`; a failure is shrunk to the smallest program,
    and then told without the inputs it does not use, if it fails without them too.
    (`check`'s source seeds Hypothesis's draws: replay.py's record holds what they are.)"""
    tried = []

    def check(program):
        tried.append(program)
        expected = reference_answer(ref, program, backward)
        actual = learner_answer(sub, program, backward)
        compare_forward(program, expected, actual)
        if backward:
            compare_grads(program, expected, actual)

    try:
        replay.check(f"programs-{'backward' if backward else 'forward'}-{'-'.join(ops)}", sub,
                     check, lambda: drawn_programs(ops), max_examples)
    except Fail as failure:
        smaller = without_unused_inputs(tried[-1])
        if smaller is None:
            raise
        try:
            check(smaller)
        except Fail as same:        # Hypothesis's shrinker may leave an unused input in
            raise same from None
        except Exception:           # e.g. out of domain: the shrunk program is told
            pass
        raise failure


def without_unused_inputs(program):
    """The program without the inputs that no step uses, its nodes renamed in order
    (a, b, c, ...), or None when it uses them all."""
    k = len(program['inputs'])
    used = sorted({o for i in range(k, k + len(program['steps']))
                   for o in operands_of(program, i) if o < k})
    if len(used) == k or not used:
        return None
    new = {old: i for i, old in enumerate(used)}
    new.update({k + j: len(used) + j for j in range(len(program['steps']))})
    steps = []
    for op, *operands in program['steps']:
        if op == 'pow':
            steps.append([op, new[operands[0]], operands[1]])
        else:
            steps.append([op, *(o if isinstance(o, dict) else new[o] for o in operands)])
    return {'inputs': [program['inputs'][i] for i in used], 'steps': steps}


def program(inputs, *steps):
    """A literal program: program([2.0], ['pow', 0, 3]) is c = a**3 at a = 2.0."""
    return {'inputs': list(inputs), 'steps': [list(step) for step in steps]}
