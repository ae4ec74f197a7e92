"""The sandbox worker: isolation, limits, the protocol and the plain-data boundary."""

import ast
import sys
import time
from pathlib import Path

import pytest
from attacks import marker, name_self, named, wait_gone

from autograder.intake import Cell
from autograder.judge import close
from autograder.sandbox import Limits, ProbeTimeout, Worker, WorkerDied
from autograder.worker.plain import plain

ROOT = Path(__file__).resolve().parent.parent


def start(*sources, limits=None):
    cells = [Cell(f"your cell 'c{i}'", source, True) for i, source in enumerate(sources)]
    worker = Worker(cells, limits or Limits())
    return worker, worker.start()


def test_the_worker_is_isolated_from_the_repository_and_the_environment():
    checks = f'''
import os, sys
assert sys.flags.isolated and sys.flags.no_site, sys.flags
assert '' not in sys.path and os.getcwd() not in sys.path, sys.path
assert not any(p.rstrip('/') == {str(ROOT)!r} for p in sys.path), sys.path
assert os.getcwd() != {str(ROOT)!r} and os.listdir('.') == [], os.listdir('.')
assert os.path.basename(sys.path[0]) == 'code', sys.path   # the shipped worker package
assert not any(name.startswith('PYTHON') for name in os.environ), dict(os.environ)
assert os.environ['HOME'] == os.getcwd()
assert not any(os.path.exists(os.path.join(p, 'micrograd')) for p in sys.path)
assert not any('editable' in repr(finder).lower() for finder in sys.meta_path), sys.meta_path
'''
    worker, report = start(checks, 'import micrograd', 'import autograder',
                           'import numpy, sklearn.datasets, matplotlib.pyplot, graphviz')
    with worker:
        assert [e['cell'] for e in report.errors] == ["your cell 'c1'", "your cell 'c2'"]
        assert all(e['type'] in ('ImportError', 'ModuleNotFoundError') for e in report.errors)


def test_resource_limits_are_set_before_learner_code_runs():
    limits = Limits(memory_bytes=900 * 1024 ** 2, file_bytes=1024 ** 2, processes=64,
                    budget_seconds=30)
    worker, report = start(f'''
import resource
assert resource.getrlimit(resource.RLIMIT_AS) == ({limits.memory_bytes}, {limits.memory_bytes})
assert resource.getrlimit(resource.RLIMIT_FSIZE) == ({limits.file_bytes}, {limits.file_bytes})
assert resource.getrlimit(resource.RLIMIT_NPROC) == (64, 64)
assert resource.getrlimit(resource.RLIMIT_CPU)[0] == 35
''', 'open("big", "wb").write(b"x" * 2 * 1024 ** 2)', limits=limits)
    with worker:
        assert [e['type'] for e in report.errors] == ['OSError']   # EFBIG: file too large


def test_one_worker_answers_many_probes_and_captures_output():
    engine = (ROOT / 'micrograd' / 'engine.py').read_text()
    worker, report = start('print("hello " * 100000)\n' + engine)
    with worker:
        assert report.errors == []
        program = {'inputs': [3.0], 'steps': [['mul', 0, 0]]}
        pid = worker.process.pid
        for _ in range(20):
            kind, answer = worker.call('expression', {'program': program, 'backward': True})
            assert kind == 'ok' and answer['grad'] == [6.0, 1.0]
        assert worker.process.pid == pid
        kind, error = worker.call('expression', {'program': {'inputs': [-1.0], 'steps': [
            ['log', 0]]}, 'backward': False})
        assert kind == 'error' and error['type'] == 'ValueError'
        worker.close()
        text = worker.output.text()
        assert text.startswith('hello hello') and 'more bytes of output dropped' in text


def test_a_probe_timeout_kills_the_process_group():
    # Starting programs is refused, but a raw fork() through ctypes is not: its child
    # must die with the worker.
    tag = marker()
    worker, report = start('import ctypes, time\n'
                           'child = ctypes.CDLL(None).fork()\n'
                           'while child == 0:\n'
                           f'    {name_self(tag)}'
                           '    time.sleep(1)\n'
                           'class Value:\n'
                           '    def __init__(self, data):\n'
                           '        while True:\n'
                           '            pass\n',
                           limits=Limits(probe_seconds=0.5))
    with worker:
        assert report.errors == []
        deadline = time.monotonic() + 5
        while not named(tag) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert named(tag)
        with pytest.raises(ProbeTimeout):
            worker.call('value_repr', {'data': 1.0, 'grad': 0.0})
        assert not worker.alive
    assert wait_gone(tag)


def test_exit_during_startup_is_reported():
    with pytest.raises(WorkerDied, match='exited with code 3'):
        start('import os\nos._exit(3)')


class Sneaky(float):
    def __eq__(self, other):
        return True


class Anything:
    def __eq__(self, other):
        return True


def test_only_plain_data_leaves_the_worker():
    import numpy as np
    assert type(plain(Sneaky(0.5))) is float and plain(Sneaky(0.5)) == 0.5
    assert plain(np.float64(1.5)) == 1.5 and type(plain(np.float64(1.5))) is float
    assert plain(np.int64(3)) == 3 and type(plain(np.int64(3))) is int
    assert plain(Anything()) == {'__unplain__': 'Anything'}
    assert plain({'a': (1, [2.0, 'x', None, True])}) == {'a': [1, [2.0, 'x', None, True]]}
    assert plain({1: 2}) == {'__unplain__': 'dict'}
    nested = []
    nested.append(nested)
    assert 'too deeply' in str(plain(nested))
    assert not close(plain(Anything()), 0.0) and not close(True, 1.0) and close(1, 1.0)


def test_the_worker_package_imports_only_the_standard_library():
    """The trust boundary: what runs inside the worker needs nothing of the course."""
    package = ROOT / 'autograder' / 'worker'
    files = sorted(package.glob('*.py'))
    assert {f.name for f in files} >= {'main.py', 'probes.py', 'plain.py', 'confinement.py'}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module]
            else:
                continue
            for name in names:
                assert name.split('.')[0] in sys.stdlib_module_names, f'{path.name} imports {name}'


def test_the_worker_starts_from_valid_byte_code_of_its_own_package():
    import importlib.util

    from autograder.sandbox import WORKER_PACKAGE
    worker, report = start('import sys\nloaded = sys.modules["worker.main"].__cached__')
    try:
        assert report.errors == []
    finally:
        worker.close()
    # The grader compiled the package once, so the worker (read-only, -B) need not.
    for source in WORKER_PACKAGE.glob('*.py'):
        cached = Path(importlib.util.cache_from_source(str(source)))
        data = cached.read_bytes()
        assert data[:4] == importlib.util.MAGIC_NUMBER
        stat = source.stat()
        assert int.from_bytes(data[8:12], 'little') == int(stat.st_mtime) & 0xFFFFFFFF
        assert int.from_bytes(data[12:16], 'little') == stat.st_size & 0xFFFFFFFF


def test_a_launched_worker_boots_while_the_caller_works_and_counts_that_time():
    """launch() then start(), as `autograder check` does: the same report as start() alone,
    and the time in between is charged to the submission's budget."""
    engine = (ROOT / 'micrograd' / 'engine.py').read_text()
    cells = [Cell("your cell 'c0'", engine, True),
             Cell("your cell 'c1'", 'raise ValueError("no")', True)]
    worker = Worker(cells, Limits())
    worker.launch()
    time.sleep(0.3)                       # the caller's own imports
    with worker:
        report = worker.start()
        assert [(e['type'], e['message']) for e in report.errors] == [('ValueError', 'no')]
        assert worker.spent >= 0.3
        program = {'inputs': [3.0], 'steps': [['mul', 0, 0]]}
        kind, answer = worker.call('expression', {'program': program, 'backward': True})
        assert kind == 'ok' and answer['grad'] == [6.0, 1.0]


def test_a_launched_worker_that_is_never_started_leaves_nothing_behind():
    from autograder.plugin import Sandboxed

    cells = [Cell("your cell 'c0'", 'x = 1', True)]
    worker = Worker(cells, Limits())
    worker.launch()
    process, cgroup = worker.process, worker.cgroup
    # A launched worker of other cells is not used: it is stopped, and a fresh one made.
    side = Sandboxed([Cell("your cell 'c0'", 'x = 2', True)], Limits(), launched=worker)
    assert side.worker is not worker
    assert worker.process is None and process.poll() is not None
    assert cgroup is None or all(not folder.exists() for folder in cgroup.folders)
    same = Worker(cells, Limits())
    same.launch()
    assert Sandboxed(cells, Limits(), launched=same).worker is same
    same.close()
    assert same.process is None
