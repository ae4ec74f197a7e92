"""`autograder check --json`: the machine-readable result and the documented exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.diagnosis.credit import CONSEQUENCE_SHARE

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / 'examples' / 'submitted'


def check(*args):
    command = [str(Path(sys.executable).parent / 'autograder'), 'check', *map(str, args)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_full_marks_exit_0_with_every_test_in_the_json():
    done = check('01-value', SAMPLE / 'ada' / '01-value' / '01-value.ipynb', '--json')
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data['stage'], data['status'], data['score'], data['max_score']) == \
        ('01-value', 'graded', 8.0, 8.0)
    assert {t['status'] for t in data['tests']} == {'passed'}
    assert data['diagnosis'] is None and {t['role'] for t in data['tests']} == {None}
    assert sum(t['max_points'] for t in data['tests']) == 8.0


def test_lost_points_exit_1_and_each_failure_says_why():
    done = check('04-backward', SAMPLE / 'ben' / '04-backward' / '04-backward.ipynb', '--json')
    assert done.returncode == 1
    data = json.loads(done.stdout)
    failed = [t for t in data['tests'] if t['status'] == 'failed']
    assert failed and all(t['message'] for t in failed)
    # ben's one mistake is diagnosed: the test of its rule scores 0, a failure that follows
    # from it keeps its share of the points (autograder.diagnosis.credit), any other 0.
    diagnosis = data['diagnosis']
    assert diagnosis and diagnosis['rule_test'] in diagnosis['explains']
    assert diagnosis['consequence_share'] == CONSEQUENCE_SHARE        # some tests passed
    for test in failed:
        role = 'rule' if test['name'] == diagnosis['rule_test'] else \
            'consequence' if test['name'] in diagnosis['explains'] else None
        assert test['role'] == role, test
        kept = CONSEQUENCE_SHARE * test['max_points'] if role == 'consequence' else 0
        assert test['points'] == pytest.approx(kept), test
    assert any(t['role'] == 'consequence' and t['points'] > 0 for t in failed)
    assert all(t['role'] is None and t['points'] == t['max_points']
               for t in data['tests'] if t['status'] == 'passed')
    assert data['score'] == pytest.approx(sum(t['points'] for t in data['tests']))
    assert data['score'] < data['max_score']


def test_a_notebook_that_cannot_be_graded_exit_1_with_its_status(tmp_path):
    done = check('03-graph', SAMPLE / 'hana' / '03-graph' / '03-graph.ipynb', '--json')
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data['status'] == 'malformed_notebook' and data['message'] and data['tests'] == []
    assert check('09-nothing', '--json').returncode == 2          # bad arguments
