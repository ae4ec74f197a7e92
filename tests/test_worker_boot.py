"""A worker's start-up: its own JSON codec, what it imports, and workers booted ahead."""

import json
import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder import course, sandbox
from autograder.gradebook import Gradebook
from autograder.intake import Cell
from autograder.plugin import Sandboxed
from autograder.runner import run_batch, submission
from autograder.sandbox import Limits, Worker
from autograder.worker import wire

# -- the wire: json.loads and json.dumps, without importing json ---------------------------

plain_data = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


def same(a, b):
    """Equal as JSON data, NaN included."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@settings(max_examples=300, deadline=None)
@given(plain_data)
def test_the_wire_writes_and_reads_what_json_does(value):
    text = json.dumps(value)
    assert wire.dumps(value) == text
    assert same(wire.loads(text), json.loads(text))
    assert same(wire.loads(text.encode()), value)
    assert same(wire.loads(f' \n{text}\t\r\n'), value)


def test_the_wire_reads_json_constants_and_big_numbers():
    value = wire.loads('{"a": [NaN, Infinity, -Infinity, 1e400, 12345678901234567890]}')
    assert math.isnan(value['a'][0]) and value['a'][1:4] == [math.inf, -math.inf, math.inf]
    assert value['a'][4] == 12345678901234567890 and type(value['a'][4]) is int


@pytest.mark.parametrize('text', ['', '   ', '{', '[1] 2', '{"a": 1}}', "{'a': 1}", 'nan',
                                  '[1,]', '"\\x"', b'\xff'])
def test_the_wire_refuses_what_is_not_one_json_document(text):
    with pytest.raises(ValueError):
        wire.loads(text)


def test_the_wire_refuses_what_json_cannot_write_and_recovers():
    class Thing:
        pass

    with pytest.raises(TypeError, match='Thing is not JSON serializable'):
        wire.dumps({'a': [1, Thing()]})
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError):
        wire.dumps(loop)
    # A failed document leaves nothing behind: the same lists encode afterwards.
    shared = [1.5]
    assert wire.dumps([shared, shared]) == '[[1.5], [1.5]]'
    with pytest.raises(TypeError):
        wire.dumps({1j: 1})


# -- what a worker imports before the learner's code --------------------------------------

HEAVY = ('json', 're', 'enum', 'traceback', 'linecache', 'tokenize', 'contextlib', 'random')


def test_the_worker_imports_no_heavy_modules_of_its_own():
    """json (with re and enum), traceback, contextlib and random were a third of a worker's
    start-up; it needs none of them, so a stage whose cells import none never pays for
    them. (The cell reports what is loaded as its error message.)"""
    cells = [Cell("your cell 'c0'", f'import sys\nraise RuntimeError(repr([m for m in {HEAVY!r} '
                  'if m in sys.modules]))', True)]
    with Worker(cells) as worker:
        report = worker.start()
        assert [(e['type'], e['message']) for e in report.errors] == [('RuntimeError', '[]')]
        # The probes that seed the learner's random module import it when they need it.
        worker.call('make_model', {'kind': 'int', 'args': [3]})
        kind, answer = worker.call('value_identity', {})
        assert kind == 'error' and answer['type'] == 'KeyError'     # no Value: still answers


def test_an_error_names_the_innermost_line_of_the_learners_cells():
    cells = [Cell("given cell 1", 'def helper(x):\n    return 1 / x\n', False),
             Cell("your cell 'c0'", 'def f():\n    return helper(0)\nf()', True)]
    with Worker(cells) as worker:
        (error,) = worker.start().errors
    assert (error['type'], error['where'], error['cell']) == \
        ('ZeroDivisionError', 'given cell 1, line 2', "your cell 'c0'")


# -- workers booted ahead -----------------------------------------------------------------

ENGINE = (course.REPO_ROOT / 'micrograd' / 'engine.py').read_text()
SQUARE = {'program': {'inputs': [3.0], 'steps': [['mul', 0, 0]]}, 'backward': True}


def test_a_worker_booted_ahead_waits_uncharged_and_then_serves_one_submission():
    ahead = Worker.ahead(Limits())
    time.sleep(0.3)                       # the grading of the submission before
    assert ahead.alive and ahead.spent == 0
    cells = [Cell("your cell 'c0'", ENGINE, True)]
    side = Sandboxed(cells, Limits(), launched=ahead)
    assert side.worker is ahead and ahead.cells == cells
    try:
        assert side.start().errors == []
        assert ahead.spent < 0.3           # the wait before its cells came is not charged
        kind, answer = ahead.call('expression', SQUARE)
        assert kind == 'ok' and answer['grad'] == [6.0, 1.0]
    finally:
        side.close()
    assert ahead.process is None


def test_workers_booted_ahead_share_nothing():
    """Each submission's worker is a process of its own, booted while another runs."""
    first = Worker([Cell("your cell 'c0'", 'import math\nmath.left_behind = 1', True)])
    second = Worker.ahead()
    second.cells = [Cell("your cell 'c0'", 'import math\nraise RuntimeError('
                         'str(hasattr(math, "left_behind")))', True)]
    with first, second:
        assert first.start().errors == []
        assert [e['message'] for e in second.start().errors] == ['False']
        assert first.process.pid != second.process.pid


def test_a_worker_booted_ahead_that_died_is_booted_again_not_blamed():
    ahead = Worker.ahead(Limits())
    ahead.process.kill()
    ahead.process.wait()
    side = Sandboxed([Cell("your cell 'c0'", ENGINE, True)], Limits(), launched=ahead)
    try:
        assert side.start().errors == []
        assert ahead.call('expression', SQUARE)[0] == 'ok'
    finally:
        side.close()


def test_a_worker_booted_ahead_for_other_limits_is_not_used():
    ahead = Worker.ahead(Limits(memory_bytes=512 * 1024 ** 2))
    process = ahead.process
    side = Sandboxed([Cell("your cell 'c0'", 'x = 1', True)], Limits(), launched=ahead)
    assert side.worker is not ahead and process.poll() is not None
    side.close()


def test_a_batch_boots_each_next_worker_ahead_and_leaves_nothing_running(tmp_path, monkeypatch):
    booted = []
    real = Worker.ahead.__func__

    def counted(cls, *limits):
        booted.append(real(cls, *limits))
        return booted[-1]
    monkeypatch.setattr(Worker, 'ahead', classmethod(counted))
    stage = '01-value'
    solution = course.stage(stage).source
    broken = tmp_path / 'broken.ipynb'
    broken.write_text('{"cells": [}')
    subs = [submission(stage, solution, key='a'), submission(stage, broken, key='b'),
            submission(stage, solution, key='c'), submission(stage, tmp_path / 'gone.ipynb',
                                                             key='d')]
    results = run_batch(stage, subs)
    assert [r.status for r in results] == ['graded', 'malformed_notebook', 'graded',
                                           'missing_notebook']
    assert results[0].score == results[2].score == results[0].max_score
    assert len(booted) == 3                # for b, c and d: each booted while the one before ran
    assert all(w.process is None for w in booted) and not sandbox._LIVE


# -- the gradebook records a chunk in one transaction -------------------------------------

def test_a_batch_of_records_is_committed_together_or_not_at_all(tmp_path):
    from autograder.results import GRADED, StageResult
    result = StageResult('01-value', GRADED, 3.0, 8.0, [], '')
    with Gradebook(tmp_path / 'book.sqlite') as book:
        with book.batch():
            book.record('ada', '01-value', 'sha-a', 'v1', result)
            book.record('ben', '01-value', 'sha-b', 'v1', result)
        with pytest.raises(KeyboardInterrupt), book.batch():
            book.record('cleo', '01-value', 'sha-c', 'v1', result)
            raise KeyboardInterrupt
        book.record('dan', '01-value', 'sha-d', 'v1', result)     # outside a batch, as before
        assert [student for student, _, _ in book.results()] == ['ada', 'ben', 'dan']
