"""The worker's confinement: learner code cannot read the answer key, forge files, or escape.

Each cell below tries one escape and raises ESCAPED if it worked; every cell must
fail in the sandbox with the expected error instead, and nothing outside the
worker's folder may change.
"""

import ctypes
import socket
import sys
from pathlib import Path

import pytest

from autograder.intake import Cell
from autograder.sandbox import Limits, Worker

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / 'micrograd' / 'engine.py'


def landlock_abi():
    if not sys.platform.startswith('linux'):
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return max(0, libc.syscall(444, None, ctypes.c_size_t(0), 1))


needs_landlock = pytest.mark.skipif(landlock_abi() < 1, reason='the kernel has no Landlock')


def run_cells(*sources):
    cells = [Cell(f"your cell 'c{i}'", source, True) for i, source in enumerate(sources)]
    with Worker(cells, Limits(budget_seconds=60)) as worker:
        report = worker.start()
    errors = {int(e['cell'].split("'c")[1].rstrip("'")): e for e in report.errors}
    return report, errors


def assert_all_refused(sources, errors, expected_types):
    for i, source in enumerate(sources):
        assert i in errors, f'this escape was not stopped:\n{source}'
        assert errors[i]['message'] != 'ESCAPED', f'this escape worked:\n{source}'
        assert errors[i]['type'] in expected_types, (source, errors[i])


def test_python_code_cannot_read_the_answer_key_or_the_grader():
    sources = [
        f'open({str(REFERENCE)!r}).read(); raise RuntimeError("ESCAPED")',
        f'exec(open({str(ROOT / "autograder" / "probes.py")!r}).read()); '
        'raise RuntimeError("ESCAPED")',
        f'import pathlib; pathlib.Path({str(ROOT / "solutions" / "README.md")!r}).read_bytes(); '
        'raise RuntimeError("ESCAPED")',
    ]
    report, errors = run_cells(*sources)
    assert_all_refused(sources, errors, {'PermissionError'})
    assert "grader's sandbox does not allow" in errors[0]['message']
    assert report.confinement['audit_hook'] is True


@needs_landlock
def test_c_code_cannot_read_the_answer_key_either():
    sources = [
        # numpy reads files in C, past any Python-level hook
        f'import numpy; numpy.fromfile({str(REFERENCE)!r}, dtype=numpy.uint8); '
        'raise RuntimeError("ESCAPED")',
        # raw system calls through ctypes
        f'import ctypes, os\n'
        f'fd = ctypes.CDLL(None).open({str(REFERENCE).encode()!r}, os.O_RDONLY)\n'
        'if fd >= 0: raise RuntimeError("ESCAPED")\n'
        'raise PermissionError("refused by the kernel")',
    ]
    report, errors = run_cells(*sources)
    assert report.confinement['landlock_abi'] == landlock_abi()
    assert_all_refused(sources, errors, {'PermissionError'})


def test_nothing_outside_the_workers_folder_can_be_changed(tmp_path):
    gradebook = tmp_path / 'gradebook.sqlite'
    gradebook.write_text('original')
    sources = [
        f'open({str(gradebook)!r}, "w").write("forged"); raise RuntimeError("ESCAPED")',
        f'import os; os.remove({str(gradebook)!r}); raise RuntimeError("ESCAPED")',
        f'import sqlite3; sqlite3.connect({str(tmp_path / "new.sqlite")!r})'
        '.execute("create table t (x)"); raise RuntimeError("ESCAPED")',
        'open("scratch.txt", "w").write("fine"); raise PermissionError("home is writable")',
    ]
    _, errors = run_cells(*sources)
    assert_all_refused(sources, errors, {'PermissionError', 'OperationalError'})
    assert errors[3]['message'] == 'home is writable'
    assert gradebook.read_text() == 'original'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['gradebook.sqlite']


def test_no_programs_no_signals_no_network(tmp_path):
    marker = tmp_path / 'ran'
    listener = socket.create_server(('127.0.0.1', 0))
    port = listener.getsockname()[1]
    sources = [
        f'import subprocess; subprocess.run(["touch", {str(marker)!r}]); '
        'raise RuntimeError("ESCAPED")',
        f'import os; os.system("touch {marker}"); raise RuntimeError("ESCAPED")',
        'import os, signal; os.kill(os.getppid(), signal.SIGTERM); raise RuntimeError("ESCAPED")',
        f'import socket; socket.create_connection(("127.0.0.1", {port}), timeout=2); '
        'raise RuntimeError("ESCAPED")',
    ]
    try:
        _, errors = run_cells(*sources)
    finally:
        listener.close()
    assert_all_refused(sources, errors, {'PermissionError'})
    assert not marker.exists()


@needs_landlock
def test_raw_system_calls_cannot_start_programs_or_signal_the_grader(tmp_path):
    marker = tmp_path / 'ran'
    sources = [
        # libc's system() forks, then execs /bin/sh: the exec must fail
        f'import ctypes\nctypes.CDLL(None).system(b"touch {marker}")\n'
        'raise PermissionError("nothing ran")',
        # signal 0 only asks whether the grader's process may be signalled
        'import ctypes, os\n'
        'if ctypes.CDLL(None).kill(os.getppid(), 0) == 0: raise RuntimeError("ESCAPED")\n'
        'raise PermissionError("refused by the kernel")',
    ]
    report, errors = run_cells(*sources)
    assert_all_refused(sources, errors, {'PermissionError'})
    assert not marker.exists()


def test_root_keeps_no_capabilities():
    sources = ['import os\nopen("mine", "w").close()\nos.chown("mine", 1234, 1234)\n'
               'raise RuntimeError("ESCAPED")']
    report, errors = run_cells(*sources)
    if report.confinement['capabilities_dropped'] is not True:
        pytest.skip('capabilities could not be dropped on this system')
    import os
    if os.geteuid() != 0:
        pytest.skip('only root has capabilities to drop')
    # In a user namespace uid 1234 does not even exist (EINVAL); without one, EPERM.
    expected = {'PermissionError'} if report.confinement['level'] == 'process' else {'OSError'}
    assert_all_refused(sources, errors, expected)
