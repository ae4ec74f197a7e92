"""Student data in the instructor's usual folders is one `git add -A` away from nothing."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

STUDENT_DATA = ['submitted/ada/01-value/01-value.ipynb', 'autograded/ada/01-value/01-value.ipynb',
                'feedback/ada/01-value/01-value.html', 'release/01-value/01-value.ipynb',
                'downloaded/01-value/archive/submissions.zip', 'exchange/inbound/x.ipynb',
                'grades/gradebook.sqlite', 'grades/grades.csv', 'grades-shard1/canvas.csv',
                'gradebook.db', '.nbgrader/gradebook.db', 'roster.csv']
TRACKED = ['examples/submitted/ada/01-value/01-value.ipynb', 'lessons/01-value/01-value.ipynb',
           'solutions/01-value/01-value.ipynb']


@pytest.mark.skipif(shutil.which('git') is None or not (ROOT / '.git').exists(),
                    reason='not a git checkout')
def test_student_data_is_ignored_and_the_course_is_not():
    def ignored(paths):
        done = subprocess.run(['git', 'check-ignore', '--no-index', *paths], cwd=ROOT,
                              capture_output=True, text=True)
        return set(done.stdout.split())
    assert ignored(STUDENT_DATA) == set(STUDENT_DATA)
    assert ignored(TRACKED) == set()
