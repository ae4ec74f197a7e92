"""`autograder release STAGES --release-dir DIR`: a release on a schedule touches nothing else."""

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def tree_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob('*') if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b'\0' + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.slow
def test_releasing_two_stages_elsewhere_writes_only_them(tmp_path):
    watched = ('solutions', 'lessons', 'examples/submitted')
    before = {name: tree_digest(ROOT / name) for name in watched}
    command = [str(Path(sys.executable).parent / 'autograder'), 'release', '01-value',
               '02-operations', '--release-dir', str(tmp_path / 'week2')]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob('*.ipynb'))
    assert written == ['week2/01-value/01-value.ipynb', 'week2/02-operations/02-operations.ipynb']
    for stage in ('01-value', '02-operations'):   # exactly the committed lessons
        assert (tmp_path / 'week2' / stage / f'{stage}.ipynb').read_bytes() == \
            (ROOT / 'lessons' / stage / f'{stage}.ipynb').read_bytes()
    assert 'rebuilt the sample class' not in done.stdout
    assert {name: tree_digest(ROOT / name) for name in watched} == before
