"""Helpers of the attack tests: bounded limits, and finding processes an attack left behind.

An attacking cell names its processes with prctl(PR_SET_NAME) so a test can find
them in /proc whatever PID namespace they live in; tests only ever look, never kill.
"""

import os
import secrets
import time
from pathlib import Path

from autograder.sandbox import Limits

# Small enough that an attack that escapes its limits still cannot hurt the machine.
BOUNDED = Limits(startup_seconds=20, probe_seconds=3, budget_seconds=30,
                 memory_bytes=512 * 1024 ** 2, file_bytes=4 * 1024 ** 2,
                 disk_bytes=16 * 1024 ** 2, processes=32)


def marker():
    return 'atk' + secrets.token_hex(5)      # 13 characters: fits a process name (15)


def name_self(tag):
    """Learner code that names the calling process `tag`."""
    return f'import ctypes; ctypes.CDLL(None).prctl(15, {tag.encode()!r}, 0, 0, 0)\n'


# Learner-side C calls that the audit hook never sees.
LIBC = '''
import ctypes, os, struct, time
libc = ctypes.CDLL(None, use_errno=True)
'''


def setsid_survivor(tag):
    """Learner code whose grandchild leaves the process group, names itself `tag` and keeps
    writing to the worker's stdout for a minute: the worker must still close at once."""
    return LIBC + f'''
if libc.fork() == 0:
    libc.setsid()
    if libc.fork() == 0:
        {name_self(tag).strip()}
        for _ in range(600):
            try:
                os.write(1, b'still here')
            except OSError:
                pass
            time.sleep(0.1)
        os._exit(0)
    os._exit(0)
'''


def named(tag):
    pids = []
    for entry in Path('/proc').iterdir():
        if entry.name.isdigit():
            try:
                if (entry / 'comm').read_text().strip() == tag:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def wait_gone(tag, seconds=5.0):
    """True once no process is named `tag` (processes take a moment to be reaped)."""
    deadline = time.monotonic() + seconds
    while named(tag):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def temp_entries():
    tmp = Path(os.environ.get('TMPDIR', '/tmp'))
    return {p.name for p in tmp.iterdir() if p.name.startswith('autograder-')}
