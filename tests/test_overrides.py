"""Manual overrides with an audit trail, submission history, and formgrader's manual grades.

The gradebook is filled directly (no grading needed); the commands run for real.
"""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course
from autograder.gradebook import Gradebook
from autograder.results import GRADED, StageResult
from autograder.results import TestOutcome as Outcome  # not collected by pytest

ROOT = Path(__file__).resolve().parent.parent
FULL = float(course.stage('04-backward').max_score)   # the manifest's maximum


def backward(score):
    return StageResult('04-backward', GRADED, score, FULL,
                       [Outcome('backward-all', FULL, score, score == FULL)])


def autograder(*args):
    command = [str(Path(sys.executable).parent / 'autograder'), *map(str, args)]
    env = dict(os.environ, PATH=f'{Path(sys.executable).parent}{os.pathsep}{os.environ["PATH"]}')
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)


def grades(out):
    with open(out / 'grades.csv', newline='') as file:
        return {(r['student'], r['stage']): r for r in csv.DictReader(file)}


@pytest.fixture
def out(tmp_path):
    with Gradebook(tmp_path / 'gradebook.sqlite') as book:
        book.record('ada', '04-backward', 'a1', 'v1', backward(FULL))
        book.record('ben', '04-backward', 'b1', 'v1', backward(10.0))
    return tmp_path


def test_an_override_reaches_every_export_with_its_reason(out):
    done = autograder('override', 'ben', '04-backward', '--points', '16', '--reason',
                      'regrade: the suite was too strict on rounding', '--out', out)
    assert done.returncode == 0, done.stderr
    row = grades(out)[('ben', '04-backward')]
    assert (row['score'], row['raw_score']) == ('16', '10')
    assert 'too strict on rounding' in row['note']
    with open(out / 'canvas.csv', newline='') as file:
        assert list(csv.reader(file))[3][-1] == '16'
    data = json.loads((out / 'gradescope' / 'ben' / 'results.json').read_text())
    assert data['score'] == 16 == sum(t['score'] for t in data['tests'])
    assert grades(out)[('ada', '04-backward')]['score'] == f'{FULL:g}'


@pytest.mark.slow
def test_overrides_are_an_audit_trail_the_latest_in_force(out):
    for args in (('--points', '16', '--reason', 'first look'),
                 ('--points', '12', '--reason', 'second look'),
                 ('--clear', '--reason', 'withdrawn after all')):
        done = autograder('override', 'ben', '04-backward', *args, '--out', out)
        assert done.returncode == 0, done.stderr
    assert grades(out)[('ben', '04-backward')]['score'] == '10'   # back to the raw score
    listed = autograder('override', '--list', '--out', out)
    lines = listed.stdout.splitlines()
    assert len(lines) == 3
    assert 'ben 04-backward: 16 points: first look' in lines[0]
    assert 'ben 04-backward: withdrawn: withdrawn after all' in lines[2]
    with Gradebook(out / 'gradebook.sqlite') as book:
        assert [row[2] for row in book.override_log()] == [16.0, 12.0, None]
        assert book.overrides() == {}


def test_bad_overrides_are_refused_with_a_reason(out):
    for args, message in (
            (('ben', '04-backward', '--points', '3'), '--reason is required'),
            (('ben', '04-backward', '--points', f'{FULL + 1:g}', '--reason', 'x'),
             f'between 0 and {FULL:g}'),
            (('ben', '04-backward', '--points', '-1', '--reason', 'x'), f'between 0 and {FULL:g}'),
            (('ben', '09-nothing', '--points', '1', '--reason', 'x'), 'unknown stage'),
            (('ben', '04-backward', '--reason', 'x'), '--points P or --clear')):
        done = autograder('override', *args, '--out', out)
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)
    done = autograder('override', 'ben', '04-backward', '--points', '1', '--reason', 'x',
                      '--out', out / 'nowhere')
    assert done.returncode == 2 and 'no gradebook' in done.stderr


def test_every_version_handed_in_is_kept(tmp_path):
    first, second = '2026-02-01T10:00:00+00:00', '2026-02-02T10:00:00+00:00'
    with Gradebook(tmp_path / 'gb.sqlite') as book:
        book.record('ben', '04-backward', 'sha-1', 'v1', backward(10.0), first)
        book.record('ben', '04-backward', 'sha-2', 'v1', backward(FULL), second)
        book.record('ben', '04-backward', 'sha-2', 'v2', backward(FULL), second)   # regraded
        assert book.history('ben', '04-backward') == [
            (first, 'sha-1', 'graded', 10.0), (second, 'sha-2', 'graded', FULL)]
        assert len(book.rows()) == 1 and book.results()[0][2].score == FULL


@pytest.mark.slow
def test_formgrader_manual_grades_become_overrides(out, monkeypatch):
    monkeypatch.setenv('PATH', f'{Path(sys.executable).parent}{os.pathsep}{os.environ["PATH"]}')
    from nbgrader.api import Gradebook as NbgraderGradebook
    db = out / 'nbgrader.db'
    with NbgraderGradebook(f'sqlite:///{db}') as nb_book:
        nb_book.add_assignment('04-backward')
        nb_book.add_notebook('04-backward', '04-backward')
        nb_book.add_grade_cell('hidden-04-backward', '04-backward', '04-backward',
                               max_score=FULL, cell_type='code')
        for student, auto, manual in (('ada', FULL, None), ('ben', 10, 15)):
            nb_book.add_student(student)
            nb_book.add_submission('04-backward', student)
            grade = nb_book.find_grade('hidden-04-backward', '04-backward', '04-backward',
                                       student)
            grade.auto_score, grade.manual_score = auto, manual
        nb_book.db.commit()
    done = autograder('override', '--from-nbgrader', db, '--out', out)
    assert done.returncode == 0, done.stderr
    assert 'imported 1 manual grade' in done.stdout
    assert grades(out)[('ben', '04-backward')]['score'] == '15'
    assert "formgrader" in grades(out)[('ben', '04-backward')]['note']
    again = autograder('override', '--from-nbgrader', db, '--out', out)
    assert 'imported 0 manual grade' in again.stdout          # nothing new: not recorded twice
