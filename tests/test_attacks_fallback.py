"""Where namespaces are missing (macOS, Windows, unprivileged containers) the grader says so,
records the confinement level with every grade, and can refuse to grade at all."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import isolation

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / 'examples' / 'submitted'


def one_student(folder):
    target = folder / 'ada' / '01-value'
    target.mkdir(parents=True)
    source = SAMPLE / 'ada' / '01-value' / '01-value.ipynb'
    (target / '01-value.ipynb').write_bytes(source.read_bytes())
    return folder


def grade(tmp_path, *extra, namespaces=True):
    env = dict(os.environ, TMPDIR=str(tmp_path))
    env.pop('AUTOGRADER_NO_NAMESPACES', None)
    if not namespaces:
        env['AUTOGRADER_NO_NAMESPACES'] = '1'       # as on a machine without bubblewrap
    return subprocess.run([sys.executable, '-m', 'autograder.cli', 'grade',
                           str(one_student(tmp_path / 'class')), '--out', str(tmp_path / 'out'),
                           '--jobs', '1', *extra], capture_output=True, text=True, env=env,
                          timeout=300, cwd=ROOT)


def recorded(tmp_path):
    with sqlite3.connect(tmp_path / 'out' / 'gradebook.sqlite') as db:
        return db.execute('SELECT status, confinement FROM results').fetchall()


def test_without_namespaces_grading_says_so_and_records_the_level(tmp_path):
    run = grade(tmp_path, namespaces=False)
    assert run.returncode == 0, run.stderr
    assert run.stderr.count('sandbox confinement here is "process"') == 1
    assert recorded(tmp_path) == [('graded', 'process')]
    markdown = (tmp_path / 'out' / 'feedback' / 'ada' / '01-value.md').read_text()
    assert 'Sandbox confinement: `process`' in markdown


def test_require_isolation_refuses_to_grade_without_namespaces(tmp_path):
    run = grade(tmp_path, '--require-isolation', namespaces=False)
    assert run.returncode == 2
    assert '--require-isolation' in run.stderr and '"process"' in run.stderr
    assert not (tmp_path / 'out' / 'gradebook.sqlite').exists()


@pytest.mark.skipif(isolation.level() != isolation.FULL, reason='no full isolation here')
def test_with_full_isolation_the_level_is_recorded(tmp_path):
    run = grade(tmp_path, '--require-isolation')
    assert run.returncode == 0, run.stderr
    assert 'sandbox confinement here' not in run.stderr
    assert recorded(tmp_path) == [('graded', 'full')]
