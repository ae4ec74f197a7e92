"""`autograder grade` end to end on the sample class, through the real command line.

One uninterrupted run (the reference) is shared by every test in the session, even
across pytest-xdist workers (a file lock decides who makes it); the other runs are
compared with it.
"""

import csv
import fcntl
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import course

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / 'examples' / 'submitted'
STAGES = course.STAGE_IDS
STUDENTS = ['ada', 'ben', 'cleo', 'dan', 'eve', 'finn', 'gus', 'hana', 'ivy']

# The stages where each student does not get full marks, with the status they get there.
EXPECTED_LOSSES = {
    'ada': {},
    'ben': {'04-backward': 'graded'},
    'cleo': {'04-backward': 'graded'},
    'dan': {'05-neuron': 'graded'},
    'eve': {'07-mlp': 'graded'},
    'finn': {stage: 'graded' for stage in STAGES},
    'gus': {'02-operations': 'syntax_error'},
    'hana': {'03-graph': 'malformed_notebook'},
    'ivy': {'06-layer': 'missing_notebook', '08-training': 'missing_notebook'},
}

# Words the feedback must use to name each bug.
EXPECTED_FEEDBACK = {
    ('ben', '04-backward'): 'accumulate',
    ('cleo', '04-backward'): '**',
    ('dan', '05-neuron'): 'bias',
    ('eve', '07-mlp'): 'last layer',
    ('gus', '02-operations'): 'syntax error',
    ('hana', '03-graph'): 'could not be read',
    ('ivy', '06-layer'): 'no folder 06-layer',
    ('ivy', '08-training'): 'holds no notebook',
}


def autograder_command():
    script = Path(sys.executable).parent / 'autograder'
    return [str(script)] if script.exists() else [sys.executable, '-m', 'autograder.cli']


def grade(submitted, out, *options, seed='0', tmp=None, **popen):
    """`autograder grade SUBMITTED --out OUT --jobs 2`, run from the repository root
    (with TMPDIR=tmp when given)."""
    command = [*autograder_command(), 'grade', str(submitted), '--out', str(out),
               '--jobs', '2', *options]
    env = dict(os.environ, PYTHONHASHSEED=seed, **({'TMPDIR': str(tmp)} if tmp else {}))
    if popen:
        return subprocess.Popen(command, cwd=ROOT, env=env, text=True, **popen)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1800)


def read_csv(path):
    with open(path, newline='') as file:
        return list(csv.DictReader(file))


def gradebook_rows(path):
    with sqlite3.connect(path) as db:
        return db.execute('SELECT * FROM results ORDER BY student, stage').fetchall()


def count_rows(path):
    try:
        with sqlite3.connect(f'file:{path}?mode=ro', uri=True) as db:
            return db.execute('SELECT count(*) FROM results').fetchone()[0]
    except sqlite3.OperationalError:   # not created yet
        return 0


@pytest.fixture(scope='session')
def reference(tmp_path_factory):
    """The OUT folder of one uninterrupted run on the sample class, made once per session."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get('PYTEST_XDIST_WORKER'):
        shared = shared.parent   # this session's folder, the same for all xdist workers
    out = shared / 'grade-reference'
    with open(shared / 'grade-reference.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / 'done.json').exists():
            shutil.rmtree(out, ignore_errors=True)
            started = time.perf_counter()
            done = grade(SAMPLE, out)
            seconds = time.perf_counter() - started
            (out / 'done.json').write_text(json.dumps(
                {'returncode': done.returncode, 'stdout': done.stdout, 'stderr': done.stderr,
                 'seconds': seconds}))
    return out


def reference_run(reference):
    return json.loads((reference / 'done.json').read_text())


@pytest.mark.slow
def test_the_batch_finishes_and_says_where_everything_is(reference):
    run = reference_run(reference)
    assert run['returncode'] == 0, run['stderr']
    for name in ('grades.csv', 'report.html', 'gradebook.sqlite', 'feedback', 'gradescope'):
        assert str(reference / name) in run['stdout']
    assert 'Graded 72 submission-stages (0 unchanged' in run['stdout']


@pytest.mark.slow
def test_every_student_gets_the_expected_status_and_score(reference):
    rows = read_csv(reference / 'grades.csv')
    assert [(r['student'], r['stage']) for r in rows] == [
        (student, stage) for student in STUDENTS for stage in STAGES]
    maxima = {}
    for row in rows:
        maxima.setdefault(row['stage'], set()).add(row['max_score'])
    assert all(len(m) == 1 and float(m.pop()) > 0 for m in maxima.values()), maxima
    for row in rows:
        expected_status = EXPECTED_LOSSES[row['student']].get(row['stage'], 'graded')
        where = f"{row['student']} {row['stage']}"
        assert row['status'] == expected_status, where
        if row['stage'] in EXPECTED_LOSSES[row['student']]:
            assert float(row['score']) < float(row['max_score']), where
        else:
            assert row['score'] == row['max_score'], where
    # Handing in the untouched lessons is not a crash, and it scores nothing.
    assert {float(r['score']) for r in rows if r['student'] == 'finn'} == {0.0}


@pytest.mark.slow
def test_feedback_names_the_bug(reference):
    for student in STUDENTS:
        for stage in STAGES:
            for suffix in ('.html', '.md'):
                assert (reference / 'feedback' / student / f'{stage}{suffix}').is_file()
    for (student, stage), words in EXPECTED_FEEDBACK.items():
        text = (reference / 'feedback' / student / f'{stage}.md').read_text()
        assert words in text, f'{student} {stage}: {text}'
    # A wrong gradient comes with a picture of the graph, inline in the HTML.
    assert '<svg' in (reference / 'feedback' / 'ben' / '04-backward.html').read_text()


@pytest.mark.slow
def test_class_report_and_gradescope_results(reference):
    page = (reference / 'report.html').read_text()
    assert page.count('<svg') == 3
    assert 'Tests failed most often' in page
    rows = read_csv(reference / 'grades.csv')
    for student in STUDENTS:
        data = json.loads((reference / 'gradescope' / student / 'results.json').read_text())
        mine = [r for r in rows if r['student'] == student]
        assert data['score'] == pytest.approx(sum(float(r['score']) for r in mine))
        assert sum(t['max_score'] for t in data['tests']) == pytest.approx(
            sum(float(r['max_score']) for r in mine))


@pytest.mark.slow
def test_same_grades_whatever_the_hash_seed(reference, tmp_path):
    run = grade(SAMPLE, tmp_path / 'out', seed='4242')
    assert run.returncode == 0, run.stderr
    assert (tmp_path / 'out' / 'grades.csv').read_bytes() == \
        (reference / 'grades.csv').read_bytes()
    assert gradebook_rows(tmp_path / 'out' / 'gradebook.sqlite') == \
        gradebook_rows(reference / 'gradebook.sqlite')


@pytest.mark.slow
def test_unchanged_submissions_are_not_graded_again(reference, tmp_path):
    submitted, out = tmp_path / 'submitted', tmp_path / 'out'
    shutil.copytree(SAMPLE, submitted)
    shutil.copytree(reference, out)
    run = grade(submitted, out)
    assert run.returncode == 0, run.stderr
    assert 'Graded 0 submission-stages (72 unchanged' in run.stdout
    assert gradebook_rows(out / 'gradebook.sqlite') == \
        gradebook_rows(reference / 'gradebook.sqlite')
    # One changed notebook: that one alone is graded again.
    notebook = submitted / 'ada' / '01-value' / '01-value.ipynb'
    notebook.write_text(notebook.read_text() + '\n')
    run = grade(submitted, out)
    assert 'Graded 1 submission-stages (71 unchanged' in run.stdout, run.stdout


@pytest.mark.slow
def test_a_killed_run_resumes_where_it_stopped(reference, tmp_path):
    out, tmp = tmp_path / 'out', tmp_path / 'tmp'
    tmp.mkdir()
    process = grade(SAMPLE, out, tmp=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True)
    deadline = time.monotonic() + 600
    while count_rows(out / 'gradebook.sqlite') < 10 and time.monotonic() < deadline:
        assert process.poll() is None, 'the run ended before it could be killed'
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)   # the grader and its workers, with no warning
    process.wait()
    committed = count_rows(out / 'gradebook.sqlite')
    assert 10 <= committed < 72
    # Everything it made is in one private folder named after it, worker folders included.
    assert [p.name.split('-')[2] for p in tmp.iterdir()] == [str(process.pid)]

    run = grade(SAMPLE, out, tmp=tmp)
    assert run.returncode == 0, run.stderr
    assert f'({committed} unchanged' in run.stdout
    assert list(tmp.iterdir()) == []      # the killed run's cache is swept, this run's removed
    assert gradebook_rows(out / 'gradebook.sqlite') == \
        gradebook_rows(reference / 'gradebook.sqlite')
    assert (out / 'grades.csv').read_bytes() == (reference / 'grades.csv').read_bytes()


@pytest.mark.slow
def test_bad_arguments_exit_2_with_a_clear_message(tmp_path):
    empty, source = tmp_path / 'empty', broken_source(tmp_path / 'instructor')
    empty.mkdir()
    cases = [
        ([str(tmp_path / 'nowhere'), '--out', str(tmp_path / 'o')], 'is not a folder'),
        ([str(SAMPLE), '--out', str(tmp_path / 'o'), '--stage', '99-nope'],
         'unknown stage 99-nope'),
        ([str(SAMPLE), '--out', str(tmp_path / 'o'), '--jobs', '0'], '--jobs must be'),
        ([str(SAMPLE)], '--out'),
        ([str(empty), '--out', str(tmp_path / 'o')], 'holds no student folders'),
        ([str(SAMPLE), '--out', str(tmp_path / 'o'), '--source', str(source)],
         'cannot use the source notebook'),
    ]
    for arguments, message in cases:
        run = subprocess.run([*autograder_command(), 'grade', *arguments], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 2, (arguments, run.stderr)
        assert message in run.stderr, run.stderr
        assert 'Traceback' not in run.stderr
    assert not (tmp_path / 'o').exists()


def broken_source(tmp_path):
    """A --source folder whose 01-value notebook is not JSON: the instructor's mistake."""
    source = tmp_path / 'source'
    for stage in STAGES:
        (source / stage).mkdir(parents=True)
        shutil.copy(ROOT / 'solutions' / stage / f'{stage}.ipynb', source / stage)
    (source / '01-value' / '01-value.ipynb').write_text('not a notebook')
    return source


def test_a_gradebook_that_cannot_be_written_is_a_grader_failure(tmp_path):
    (tmp_path / 'out' / 'gradebook.sqlite').mkdir(parents=True)   # a folder in its place
    run = grade(SAMPLE, tmp_path / 'out', '--stage', '01-value')
    assert run.returncode == 1
    assert 'cannot write to' in run.stderr and 'Traceback' not in run.stderr


def test_a_class_of_bad_notebooks_still_finishes_with_exit_0(tmp_path):
    submitted = tmp_path / 'submitted'
    (submitted / 'zoe' / '01-value').mkdir(parents=True)
    (submitted / 'zoe' / '01-value' / '01-value.ipynb').write_text('{"cells": [')
    (submitted / 'yan' / '02-operations').mkdir(parents=True)
    run = grade(submitted, tmp_path / 'out', '--stage', '01-value', '--stage', '02-operations')
    assert run.returncode == 0, run.stderr
    rows = read_csv(tmp_path / 'out' / 'grades.csv')
    assert [(r['student'], r['stage'], r['status'], r['score']) for r in rows] == [
        ('yan', '01-value', 'missing_notebook', '0'),
        ('yan', '02-operations', 'missing_notebook', '0'),
        ('zoe', '01-value', 'malformed_notebook', '0'),
        ('zoe', '02-operations', 'missing_notebook', '0')]
    text = (tmp_path / 'out' / 'feedback' / 'yan' / '01-value.md').read_text()
    assert 'no folder 01-value' in text


def test_the_committed_sample_class_is_what_the_script_makes(tmp_path):
    made = tmp_path / 'submitted'
    run = subprocess.run([sys.executable, str(ROOT / 'examples' / 'make_sample_class.py'),
                          '--out', str(made)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr

    def files(folder):
        return {p.relative_to(folder): p.read_bytes() for p in folder.rglob('*') if p.is_file()}

    assert files(made) == files(SAMPLE), 'run python examples/make_sample_class.py'
