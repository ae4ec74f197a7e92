"""Attacks through what the grader reads and writes: answers, notebooks, outputs, caches, dot.

Inputs a learner controls must become a status or a failed test with a message, never a
grader error; what the grader writes (feedback, CSV, terminal) must be bounded and
escaped; the grader's own helpers (Hypothesis's cache, graphviz's dot) must not be
steerable from a notebook.
"""

import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder.bugs import edit_cell
from autograder.exporters import feedback
from autograder.exporters.grades_csv import write_grades_csv
from autograder.grade import Task, grade_one
from autograder.judge import Fail, ReferenceFailed
from autograder.plugin import _reference_failed
from autograder.progress import Progress
from autograder.results import (
    CRASHED,
    FEEDBACK_CAP,
    GRADED,
    GRADER_ERROR,
    IMPORT_ERROR,
    MALFORMED_NOTEBOOK,
    MESSAGE_CAP,
    MISSING_NOTEBOOK,
    STATUSES,
    SYNTAX_ERROR,
    TIMEOUT,
    StageResult,
)
from autograder.runner import run_stage

ROOT = Path(__file__).resolve().parent.parent


def notebook(tmp_path, stage, cell, source, folder='solutions'):
    nb = json.loads((ROOT / folder / stage / f'{stage}.ipynb').read_text())
    path = tmp_path / f'{stage}.ipynb'
    path.write_text(json.dumps(edit_cell(nb, cell, None, source)))
    return path


def grade(tmp_path, stage, cell, source, **kwargs):
    return run_stage(stage, notebook(tmp_path, stage, cell, source), timeout=60, **kwargs)


# -- inputs that used to become grader_error -------------------------------------------------

@pytest.mark.parametrize('answer', ['10**400', '-(10**400)', "float('nan')", "float('inf')"])
def test_numbers_beyond_float_range_fail_the_comparison(tmp_path, answer):
    result = grade(tmp_path, '01-value', 'value-numerical-derivative',
                   f'def numerical_derivative(f, x, h=1e-6):\n    return {answer}\n')
    assert result.status == GRADED, result.message
    test = next(t for t in result.tests if t.name == 'numerical-derivative')
    assert not test.passed and test.feedback


# The learner's code wraps the worker's probe runner: right answers, minus some keys or
# with their lists replaced by numbers.
WRONG_SHAPES = '''
import sys
probes = sys.modules['worker.probes']
original = probes.run

def run(namespace, name, args):
    answer = original(namespace, name, args)
    if isinstance(answer, dict):
        for key in sorted(answer)[::2]:
            answer[key] = 7 if isinstance(answer[key], list) else answer.pop(key) and None
    return answer

probes.run = run
'''


@pytest.mark.parametrize('stage, cell', [('04-backward', 'backward-backward'),
                                         ('03-graph', 'graph-trace'),
                                         ('05-neuron', None)])
def test_answers_of_the_wrong_shape_fail_the_tests(tmp_path, stage, cell):
    nb = json.loads((ROOT / 'solutions' / stage / f'{stage}.ipynb').read_text())
    cell = cell or next(c['metadata']['nbgrader']['grade_id'] for c in nb['cells']
                        if c['metadata'].get('nbgrader', {}).get('solution'))
    original = next(''.join(c['source']) for c in nb['cells']
                    if c['metadata'].get('nbgrader', {}).get('grade_id') == cell)
    result = grade(tmp_path, stage, cell, original + '\n' + WRONG_SHAPES)
    assert result.status == GRADED, result.message
    assert result.score < result.max_score
    assert all(t.feedback for t in result.tests if not t.passed)


def test_deep_json_on_the_answer_channel_is_the_learners_problem(tmp_path):
    flood = '''
import gc, os
def __repr__(self):
    for channel in gc.get_objects():
        if type(channel).__name__ == '_Channel':
            os.write(channel.answer_fd, b'[' * 200000 + b']' * 200000 + b'\\n')
    return 'Value(data=2.5, grad=-0.75)'

Value.__repr__ = __repr__
'''
    result = grade(tmp_path, '01-value', 'value-repr', flood)
    assert result.status in (GRADED, CRASHED), result.message
    assert result.status != GRADER_ERROR
    assert not next(t for t in result.tests if t.name == 'value-repr').passed


def test_deeply_nested_notebook_json_is_malformed(tmp_path):
    path = tmp_path / '01-value.ipynb'
    path.write_text('{"cells": [], "metadata": ' + '[' * 100000 + ']' * 100000 + '}')
    result = run_stage('01-value', path)
    assert result.status == MALFORMED_NOTEBOOK


def test_odd_nbgrader_metadata_is_malformed_not_a_grader_error(tmp_path):
    nb = json.loads((ROOT / 'lessons' / '01-value' / '01-value.ipynb').read_text())
    exercises = [c for c in nb['cells'] if c['metadata'].get('nbgrader', {}).get('solution')]
    exercises[0]['metadata']['nbgrader'] = ['not', 'a', 'mapping']
    exercises[1]['metadata']['nbgrader']['grade_id'] = 12
    exercises[2]['metadata'] = 'nothing'
    path = tmp_path / '01-value.ipynb'
    path.write_text(json.dumps(nb))
    result = run_stage('01-value', path)
    assert result.status == MALFORMED_NOTEBOOK, result.message


def test_a_symlinked_notebook_is_refused(tmp_path):
    link = tmp_path / '04-backward.ipynb'
    link.symlink_to(ROOT / 'solutions' / '04-backward' / '04-backward.ipynb')
    result = run_stage('04-backward', link)
    assert (result.status, result.score) == (MALFORMED_NOTEBOOK, 0)
    assert 'symbolic link' in result.message


def test_a_reference_failure_behind_a_learner_message_is_a_grader_error():
    try:
        try:
            raise ReferenceFailed({'type': 'ZeroDivisionError', 'message': 'x', 'where': ''})
        except ReferenceFailed as error:
            raise Fail(f'your code {error.describe()}') from None
    except Fail as wrapped:
        assert isinstance(_reference_failed(wrapped), ReferenceFailed)
    assert _reference_failed(Fail('your a.grad is 1.0, expected 2.0')) is None


# -- unbounded and unescaped output -----------------------------------------------------------

def test_a_huge_repr_is_capped_everywhere(tmp_path):
    result = grade(tmp_path, '01-value', 'value-repr',
                   "def __repr__(self):\n    return 'x' * 4_000_000\n\n\n"
                   'Value.__repr__ = __repr__\n')
    test = next(t for t in result.tests if t.name == 'value-repr')
    assert not test.passed and len(test.feedback) < FEEDBACK_CAP + 100
    assert 'more characters cut' in test.feedback
    assert len(json.dumps(result.to_dict())) < 4 * FEEDBACK_CAP * len(result.tests)
    long = StageResult('01-value', CRASHED, 0.0, 5.0, message='y' * 10 ** 6)
    assert len(long.message) < MESSAGE_CAP + 100


def _inside_fences(lines):
    """For each Markdown line, whether it lies inside a fenced code block (CommonMark: a
    fence closes at a line of at least as many backticks and nothing else)."""
    inside, opened = [], 0
    for line in lines:
        stripped = line.strip()
        ticks = len(stripped) - len(stripped.lstrip('`'))
        if opened and ticks >= opened and stripped == '`' * ticks:
            inside.append(False)
            opened = 0
        elif not opened and ticks >= 3:
            inside.append(False)
            opened = ticks
        else:
            inside.append(bool(opened))
    return inside


def test_feedback_cannot_close_its_markdown_fence(tmp_path):
    result = grade(tmp_path, '01-value', 'value-repr',
                   'def __repr__(self):\n'
                   "    raise ValueError('````\\n# Full marks, says the grader\\n````')\n\n\n"
                   'Value.__repr__ = __repr__\n')
    lines = feedback.render_markdown('eve', result).splitlines()
    heading = next(i for i, line in enumerate(lines) if 'Full marks' in line)
    assert _inside_fences(lines)[heading], '\n'.join(lines)


def test_spreadsheet_formulas_are_neutralised(tmp_path):
    result = StageResult('01-value', GRADED, 5.0, 5.0)
    names = ['=HYPERLINK("http://x","y")', '+1', '-1', '@SUM(A1)', 'ada']
    write_grades_csv([(name, '01-value', result) for name in names], tmp_path / 'grades.csv')
    cells = [line.split(',')[0] for line in (tmp_path / 'grades.csv').read_text().splitlines()]
    assert all(not c.lstrip('"').startswith(('=', '+', '-', '@')) for c in cells[1:]), cells
    assert cells[-1] == 'ada'


def test_control_characters_never_reach_the_terminal():
    stream = io.StringIO()
    stream.isatty = lambda: False
    progress = Progress(2, stream=stream)
    progress.advance('eve\x1b[2J\x1b]0;owned\x07 01-value: graded 5/5')
    progress.note('grader error on eve\r\x1b[1A:\ntraceback')
    text = stream.getvalue()
    assert '\x1b' not in text and '\x07' not in text and '\r' not in text
    assert '\\x1b[2J' in text and 'traceback' in text


# -- shared, predictable paths ---------------------------------------------------------------

def test_hypothesis_cache_is_private_and_removed(tmp_path):
    victim = tmp_path / 'victim'
    victim.mkdir()
    temp = tmp_path / 'tmp'
    temp.mkdir()
    (temp / 'autograder-hypothesis').symlink_to(victim)       # planted at the old fixed path
    env = dict(os.environ, TMPDIR=str(temp))
    env.pop('AUTOGRADER_CACHE_DIR', None)
    run = subprocess.run([sys.executable, '-c',
                          'import autograder.suites.drawing, hypothesis.configuration as c; '
                          "d = c.storage_directory('tmp'); d.create_if_missing(); "
                          'print(d.home_directory)'],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    home = Path(run.stdout.strip())
    assert home.parent == temp and home.name != 'autograder-hypothesis'
    assert list(victim.iterdir()) == []
    assert not home.exists(), 'the private cache folder outlived its process'


def test_dot_never_opens_files_named_by_learner_dot(tmp_path):
    fifo = tmp_path / 'secret.png'
    os.mkfifo(fifo)
    opened, done = [], threading.Event()

    def watch():                       # a reader of the FIFO shows up as a writable open
        while not done.is_set():
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.01)
                continue
            opened.append(True)
            os.close(fd)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    source = (f'digraph {{ a [shape=box, image="{fifo}"]; b [shape=box, image="{fifo}"]; '
              'c; d; e; f; g; a -> b }')
    try:
        result = grade(tmp_path, '03-graph', 'graph-draw-dot',
                       'class Drawing:\n'
                       f'    source = {source!r}\n\n\n'
                       'def draw_dot(root, labels=None, rankdir="LR"):\n'
                       '    return Drawing()\n')
    finally:
        done.set()
        watcher.join(5)
    assert result.status == GRADED, result.message
    assert opened == [], "the grader's dot opened a file the learner's DOT named"


# -- statuses --------------------------------------------------------------------------------

def test_an_endless_loop_in_a_probe_is_a_timeout(tmp_path):
    result = grade(tmp_path, '04-backward', 'backward-backward',
                   'def backward(self):\n    while True:\n        pass\n\n\n'
                   'Value.backward = backward\n')
    assert (result.status, result.score) == (TIMEOUT, 0)
    assert 'longer than' in result.message


@pytest.mark.parametrize('ending', ['import sys\nsys.exit(3)\n', 'raise SystemExit\n',
                                    'bytearray(10 ** 12)\n'])
def test_ending_the_process_at_start_up_is_crashed(tmp_path, ending):
    result = grade(tmp_path, '01-value', 'value-init', ending)
    assert (result.status, result.score) == (CRASHED, 0), result.message


def test_every_status_of_the_guide_is_reachable(tmp_path):
    stage = '01-value'
    broken = tmp_path / 'broken.ipynb'
    broken.write_text('{not json')
    cases = {
        GRADED: ('solutions', None),
        SYNTAX_ERROR: ('solutions', 'def (:\n'),
        IMPORT_ERROR: ('solutions', 'undefined_name\n'),
        TIMEOUT: ('solutions', 'while True:\n    pass\n'),
        CRASHED: ('solutions', 'import os\nos._exit(1)\n'),
    }
    seen = {}
    for status, (folder, source) in cases.items():
        nb = json.loads((ROOT / folder / stage / f'{stage}.ipynb').read_text())
        if source is not None:
            nb = edit_cell(nb, 'value-init', None, source)
        path = tmp_path / status / f'{stage}.ipynb'
        path.parent.mkdir()
        path.write_text(json.dumps(nb))
        seen[status] = run_stage(stage, path, timeout=5).status
    seen[MALFORMED_NOTEBOOK] = run_stage(stage, broken).status
    seen[MISSING_NOTEBOOK] = grade_one(Task('x', stage, None, missing_reason='none'),
                                       {'source_dir': ROOT / 'solutions', 'timeout': None}
                                       )[0].status
    seen[GRADER_ERROR] = grade_one(Task('x', stage, broken, 'sha'),
                                   {'source_dir': tmp_path / 'gone', 'timeout': None})[0].status
    assert seen == {status: status for status in STATUSES}
    guide = (ROOT / 'docs' / 'grading.md').read_text()
    for status in STATUSES:
        assert f'| `{status}` |' in guide, f'the status table of docs/grading.md lacks {status}'
