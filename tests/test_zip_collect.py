"""`nbgrader zip_collect` with the repository's nbgrader_config.py, for real.

The sample class's 01-value notebooks are zipped under Canvas's download names (one
late) and nbgrader sorts them into the submitted layout `autograder grade` reads.
"""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / 'examples' / 'submitted'
STUDENTS = ('ada', 'ben', 'cleo', 'dan')


@pytest.mark.slow
def test_zip_collect_sorts_a_canvas_download_into_submitted(tmp_path):
    shutil.copyfile(ROOT / 'nbgrader_config.py', tmp_path / 'nbgrader_config.py')
    archive = tmp_path / 'downloaded' / '01-value' / 'archive'
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / 'submissions.zip', 'w') as zipped:
        for i, student in enumerate(STUDENTS):
            late = 'LATE_' if student == 'ben' else ''
            zipped.write(SAMPLE / student / '01-value' / '01-value.ipynb',
                         f'{student}_{late}{1001 + i}_{5550 + i}_01-value.ipynb')
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}')
    done = subprocess.run([str(bin_dir / 'nbgrader'), 'zip_collect', '01-value'], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'Regular expression not provided' not in done.stdout + done.stderr
    for student in STUDENTS:
        collected = tmp_path / 'submitted' / student / '01-value' / '01-value.ipynb'
        assert collected.read_bytes() == \
            (SAMPLE / student / '01-value' / '01-value.ipynb').read_bytes(), student
