"""The site trees `autograder grade` links for a class: one bind per site folder, the same view."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import isolation, sandbox
from autograder.intake import Cell
from autograder.sandbox import Worker

needs_namespaces = pytest.mark.skipif(isolation.level() == isolation.PROCESS,
                                      reason='no bubblewrap namespaces here')
SITE = isolation.sandbox_site_paths()[0]
# What a cell sees of the site folder, and that the allowed packages import from it.
LOOK = f'''import os, numpy, sklearn.datasets, graphviz
raise RuntimeError(repr(sorted(os.listdir({SITE!r}))))'''


def seen(cells_source):
    with Worker([Cell("your cell 'c0'", cells_source, True)]) as worker:
        (error,) = worker.start().errors
    return error['type'], error['message']


def mounts(command):
    return sum(arg in ('--ro-bind', '--tmpfs') for arg in command)


@pytest.fixture
def trees(tmp_path, monkeypatch):
    made = isolation.make_site_trees(str(tmp_path))
    monkeypatch.setenv(isolation.CACHE_ENV, str(tmp_path))
    return made


def test_a_tree_holds_exactly_the_allowed_entries_as_links(trees):
    assert set(trees) == set(isolation.allowed_site_entries())
    for site, tree in trees.items():
        assert sorted(os.listdir(tree)) == isolation.allowed_site_entries()[site]
        numpy_init = Path(site, 'numpy', '__init__.py')
        linked = Path(tree, 'numpy', '__init__.py')
        assert linked.stat().st_ino == numpy_init.stat().st_ino    # a link, not a copy
        assert not Path(tree, 'pytest').exists() and not Path(tree, 'autograder').exists()


@needs_namespaces
def test_the_worker_sees_the_same_site_folder_with_far_fewer_mounts(tmp_path, monkeypatch):
    monkeypatch.delenv(isolation.CACHE_ENV, raising=False)
    bound = isolation.namespaced_command(['x'], sandbox.WORKER_PACKAGE, 1)
    one_by_one = seen(LOOK)
    isolation.make_site_trees(str(tmp_path))
    monkeypatch.setenv(isolation.CACHE_ENV, str(tmp_path))
    linked = isolation.namespaced_command(['x'], sandbox.WORKER_PACKAGE, 1)
    assert mounts(linked) <= mounts(bound) - 30
    assert seen(LOOK) == one_by_one
    assert one_by_one[0] == 'RuntimeError' and "'numpy'" in one_by_one[1]
    assert "'pytest'" not in one_by_one[1] and "'autograder'" not in one_by_one[1]


@needs_namespaces
def test_learner_code_cannot_write_through_a_link(trees):
    """A link is the installed file itself: the view must stay read-only, from C too."""
    target = Path(SITE, 'graphviz', '__init__.py')
    before = target.read_bytes()
    attempt = f'''import ctypes, os
errors = []
try:
    open({str(target)!r}, 'ab').write(b'# changed')
except OSError as error:
    errors.append(type(error).__name__)
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open({str(target).encode()!r}, os.O_WRONLY | os.O_APPEND)
errors.append('refused' if fd < 0 else 'opened')
raise RuntimeError(repr(errors))'''
    kind, message = seen(attempt)
    assert kind == 'RuntimeError' and 'opened' not in message, message
    assert target.read_bytes() == before


def test_a_folder_on_another_file_system_keeps_the_entries_bound_one_by_one(monkeypatch):
    """Hard links cannot cross file systems: nothing is made, nothing breaks."""
    other = next((d for d in ('/dev/shm', '/run') if os.path.isdir(d) and os.access(d, os.W_OK)
                  and os.stat(d).st_dev != os.stat(SITE).st_dev), None)
    if other is None:
        pytest.skip('no writable folder on another file system here')
    import tempfile
    folder = tempfile.mkdtemp(dir=other)
    try:
        assert isolation.make_site_trees(folder) == {}
        assert os.listdir(folder) == []        # the half-made tree is removed
        monkeypatch.setenv(isolation.CACHE_ENV, folder)
        command = isolation.namespaced_command(['x'], sandbox.WORKER_PACKAGE, 1)
        assert f'{SITE}/numpy' in command
    finally:
        os.rmdir(folder)


@pytest.mark.slow
@needs_namespaces
def test_a_class_large_enough_is_graded_through_the_trees_which_are_then_removed(tmp_path):
    """`autograder grade` links the trees from SITE_TREES_FROM submission-stages on, in its
    private cache, and removes them with it."""
    from autograder.grade import SITE_TREES_FROM
    root = Path(__file__).resolve().parent.parent
    solution = root / 'solutions' / '01-value' / '01-value.ipynb'
    submitted = tmp_path / 'class'
    for i in range(SITE_TREES_FROM):
        target = submitted / f'student-{i:03}' / '01-value'
        target.mkdir(parents=True)
        (target / '01-value.ipynb').write_bytes(solution.read_bytes())
    tmp = tmp_path / 'tmp'
    tmp.mkdir()
    process = subprocess.Popen(
        [sys.executable, '-m', 'autograder.cli', 'grade', str(submitted), '--out',
         str(tmp_path / 'out'), '--jobs', '2'], cwd=root, env=dict(os.environ, TMPDIR=str(tmp)),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    linked = set()
    while process.poll() is None:            # the trees exist while the class is graded
        linked |= {p.name for p in tmp.glob('autograder-cache-*/*') if p.is_dir()}
        time.sleep(0.02)
    assert process.wait(timeout=900) == 0, process.stderr.read()
    assert any(len(name) == 16 for name in linked), linked
    assert list(tmp.iterdir()) == []
    rows = (tmp_path / 'out' / 'grades.csv').read_text().splitlines()[1:]
    assert len(rows) == SITE_TREES_FROM and all(',graded,' in row for row in rows)


@needs_namespaces
def test_landlock_in_the_view_allows_the_site_folder_whole_and_nothing_more(trees):
    """In the view the site folder holds the allowed entries only, so Landlock allows it
    with one rule; what is mounted but not allowed stays unreadable, from C too."""
    probe = f'''import ctypes, os
seen = []
for path in ({SITE + '/numpy/__init__.py'!r}, '/proc/self/status',
             '/sandbox/code/worker/main.py', '/sys/devices/system/cpu/online'):
    try:
        open(path, 'rb').read(1)
        seen.append('read')
    except OSError as error:
        seen.append(type(error).__name__)
libc = ctypes.CDLL(None, use_errno=True)
seen.append('C read' if libc.open(b'/proc/self/status', os.O_RDONLY) >= 0 else 'C refused')
raise RuntimeError(repr(seen))'''
    with Worker([Cell("your cell 'c0'", probe, True)]) as worker:
        report = worker.start()
    assert report.confinement['landlock_abi'] >= 1
    (error,) = report.errors
    assert error['message'] == repr(['read', 'PermissionError', 'PermissionError', 'read',
                                     'C refused'])
