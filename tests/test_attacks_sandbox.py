"""Attacks on the worker itself: surviving processes, egress, limits per submission.

Every attack runs under tests/attacks.py's BOUNDED limits (memory, disk, processes,
time), names the processes it starts so the test can find them, and is cleaned up by
pid should it ever get out.
"""

import os
import signal
import socket
import threading
import time

import pytest
from attacks import BOUNDED, LIBC, marker, name_self, named, setsid_survivor, wait_gone

from autograder.intake import Cell
from autograder.sandbox import Worker, WorkerDied


def cells(*sources):
    return [Cell(f"your cell 'c{i}'", source, True) for i, source in enumerate(sources)]


@pytest.fixture
def tag():
    """A process name for the attack; anything still carrying it afterwards is killed."""
    tag = marker()
    yield tag
    for pid in named(tag):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def errors_of(report):
    return {e['cell']: e for e in report.errors}


# -- processes outlive the worker ------------------------------------------------------------

def test_a_double_forked_setsid_survivor_dies_with_the_worker(tag):
    # The grandchild leaves the process group and keeps the worker's stdout open: the
    # worker must still close at once, and the grandchild must not outlive it.
    escape = setsid_survivor(tag) + 'time.sleep(0.5)\n'
    worker = Worker(cells(escape), BOUNDED)
    report = worker.start()
    assert report.errors == []
    cgroups = list(worker.cgroup.folders) if worker.cgroup else []
    deadline = time.monotonic() + 5
    while not named(tag) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert named(tag), 'the attack did not start'
    failures = []

    def close():
        try:
            worker.close()
        except Exception as error:
            failures.append(error)
    closing = threading.Thread(target=close, daemon=True)
    closing.start()
    closing.join(20)     # a liveness bound, not a speed measurement
    assert not closing.is_alive(), 'closing the worker hangs while a survivor holds its output'
    assert failures == []
    assert wait_gone(tag), 'a process of the submission outlived its worker'
    assert not [folder for folder in cgroups if folder.exists()], 'the cgroup was left behind'


def test_many_processes_are_capped_for_the_whole_submission(tag):
    bomb = LIBC + f'''
children = 0
for _ in range(200):
    pid = libc.fork()
    if pid == 0:
        {name_self(tag).strip()}
        time.sleep(30)
        os._exit(0)
    if pid < 0:
        break
    children += 1
if children >= 200:
    raise RuntimeError('ESCAPED')
raise OSError(f'fork refused after {{children}} children')
'''
    with Worker(cells(bomb), BOUNDED) as worker:
        report = worker.start()
        error = errors_of(report)["your cell 'c0'"]
        assert error['message'] != 'ESCAPED'
        assert len(named(tag)) < BOUNDED.processes
    assert wait_gone(tag)


# -- egress beyond TCP -----------------------------------------------------------------------

def test_udp_and_unix_sockets_do_not_leave_the_sandbox(tmp_path):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(('127.0.0.1', 0))
    udp.settimeout(0.5)
    port = udp.getsockname()[1]
    path = tmp_path / 'listener.sock'
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(str(path))
    unix.listen()
    unix.settimeout(0.5)
    abstract_name = f'\0{marker()}'
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract.bind(abstract_name)
    abstract.listen()
    abstract.settimeout(0.5)
    send_udp = LIBC + f'''
fd = libc.socket(2, 2, 0)
address = struct.pack('=H', 2) + struct.pack('>H', {port}) + bytes([127, 0, 0, 1]) + bytes(8)
libc.sendto(fd, b'leak', 4, 0, address, 16)   # may "work" inside its own network
'''

    def connect_unix(name):
        return LIBC + f'''
fd = libc.socket(1, 1, 0)
name = {name.encode()!r}
address = struct.pack('=H', 1) + name
if libc.connect(fd, address, len(address)) == 0:
    raise RuntimeError('ESCAPED')
raise OSError(ctypes.get_errno(), 'connect refused')
'''
    sources = [send_udp, connect_unix(str(path)), connect_unix(abstract_name)]
    try:
        with Worker(cells(*sources), BOUNDED) as worker:
            report = worker.start()
        errors = errors_of(report)
        for i in (1, 2):
            assert errors[f"your cell 'c{i}'"]['message'] != 'ESCAPED', sources[i]
        with pytest.raises(TimeoutError):
            udp.recvfrom(16)
        for listener in (unix, abstract):
            with pytest.raises(TimeoutError):
                listener.accept()[0].close()
    finally:
        for s in (udp, unix, abstract):
            s.close()


# -- limits per submission, not per process or file -----------------------------------------

def test_many_files_under_the_file_limit_cannot_fill_the_disk():
    fill = f'''
written = 0
try:
    for i in range(12):
        with open(f'f{{i}}', 'wb') as file:
            file.write(b'x' * {BOUNDED.file_bytes - 4096})
        written += 1
except OSError:
    pass
if written * {BOUNDED.file_bytes - 4096} > {BOUNDED.disk_bytes}:
    raise RuntimeError('ESCAPED')
'''
    with Worker(cells(fill), BOUNDED) as worker:
        report = worker.start()
    assert report.errors == []


def test_memory_is_limited_for_all_processes_together(tag):
    # Escaped means both children hold their share at the same moment, both still running:
    # a child the limit's OOM kill took after it wrote its mark does not count.
    share = BOUNDED.memory_bytes * 6 // 10     # each child alone is within the limit
    hog = LIBC + f'''
pids = []
for _ in range(2):
    pid = libc.fork()
    if pid == 0:
        {name_self(tag).strip()}
        block = bytearray({share})
        for i in range(0, len(block), 4096):
            block[i] = 1
        open(f'held-{{os.getpid()}}', 'w').close()
        time.sleep(6)
        os._exit(0)
    pids.append(pid)
running = set(pids)
for _ in range(50):
    time.sleep(0.1)
    running -= {{pid for pid in running if libc.waitpid(pid, None, 1) != 0}}   # WNOHANG
    marks = {{f'held-{{pid}}' for pid in running}}
    if len(running) == 2 and marks <= set(os.listdir('.')):
        raise RuntimeError('ESCAPED')
'''
    worker = Worker(cells(hog), BOUNDED)
    try:
        report = worker.start()
    except WorkerDied:
        pass                          # the memory limit killed the worker itself: fine
    else:
        assert all(e['message'] != 'ESCAPED' for e in report.errors), report.errors
    finally:
        worker.close()
    assert wait_gone(tag)


# -- the worker's folder and the answer channel ---------------------------------------------

def test_a_home_that_is_hard_to_delete_is_removed_anyway():
    deep = '''
import os
home = os.getcwd()
for _ in range(1200):
    os.mkdir('d')
    os.chdir('d')
os.chdir(home)
os.mkdir('locked')
open('locked/file', 'w').close()
os.chmod('locked', 0)
'''
    worker = Worker(cells(deep), BOUNDED)
    report = worker.start()
    assert report.errors == []
    root = worker.root
    worker.close()
    assert not os.path.exists(root)
