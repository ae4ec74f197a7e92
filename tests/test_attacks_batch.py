"""A class with one attacker per class of attack, graded end to end with `autograder grade`.

The batch must finish, leave no process and no temporary folder behind, change no file
outside its output folder, and grade the honest classmates exactly as it does without
the attackers. A second test interrupts a batch with one Ctrl-C (or a SIGTERM).
"""

import csv
import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from attacks import marker, name_self, named, setsid_survivor, wait_gone

from autograder.bugs import edit_cell

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / 'examples' / 'submitted'
STAGES = ('01-value', '03-graph', '04-backward')
HONEST = ('ada', 'ben', 'cleo')


def source_cell(stage, cell):
    nb = json.loads((ROOT / 'solutions' / stage / f'{stage}.ipynb').read_text())
    return '\n' + next(''.join(c['source']) + '\n' for c in nb['cells']
                if c['metadata'].get('nbgrader', {}).get('grade_id') == cell)


def hand_in(folder, student, stage, cell=None, source=None, raw=None):
    """A notebook for `student`: the solution with one exercise cell replaced."""
    path = Path(folder, os.fsdecode(student) if isinstance(student, bytes) else student,
                stage, f'{stage}.ipynb')
    path.parent.mkdir(parents=True, exist_ok=True)
    if raw is not None:
        path.write_text(raw)
        return path
    nb = json.loads((ROOT / 'solutions' / stage / f'{stage}.ipynb').read_text())
    if cell is not None:
        nb = edit_cell(nb, cell, None, source)
    path.write_text(json.dumps(nb))
    return path


def honest_class(folder):
    for student in HONEST:
        for stage in STAGES:
            target = Path(folder, student, stage)
            target.mkdir(parents=True)
            for notebook in (SAMPLE / student / stage).glob('*.ipynb'):
                target.joinpath(notebook.name).write_bytes(notebook.read_bytes())


def attackers(folder, tag, port, victim):
    libc = 'import ctypes, os, struct, time\nlibc = ctypes.CDLL(None, use_errno=True)\n'
    survivor = setsid_survivor(tag)
    udp = libc + f'''
fd = libc.socket(2, 2, 0)
address = struct.pack('=H', 2) + struct.pack('>H', {port}) + bytes([127, 0, 0, 1]) + bytes(8)
libc.sendto(fd, b'leak', 4, 0, address, 16)
'''
    disk = 'for i in range(12):\n    open(f"f{i}", "wb").write(b"x" * (15 * 2 ** 20))\n'
    loop = 'def backward(self):\n    while True:\n        pass\n\n\nValue.backward = backward\n'
    forks = libc + f'''
for _ in range(400):
    if libc.fork() == 0:
        {name_self(tag).strip()}
        time.sleep(60)
        os._exit(0)
'''
    repr_4mb = ("def __repr__(self):\n    return 'x' * 4_000_000\n\n\n"
                'Value.__repr__ = __repr__\n')
    fence = ('def __repr__(self):\n'
             "    raise ValueError('````\\n# full marks\\n````')\n\n\nValue.__repr__ = __repr__\n")
    drawing = f'digraph {{ a [shape=box, image="{victim}/secret.png"]; a -> b }}'
    dot = ('class Drawing:\n'
           f'    source = {drawing!r}\n\n\n'
           'def draw_dot(root, labels=None, rankdir="LR"):\n    return Drawing()\n')
    steal = ("import os, sys\nfor p in sys.path:\n    try:\n"
             "        exec(open(os.path.join(p, 'micrograd', 'engine.py')).read())\n"
             '    except OSError:\n        pass\n')
    huge_number = 'def numerical_derivative(f, x, h=1e-6):\n    return 10 ** 400\n'
    wrong_shape = (source_cell('03-graph', 'graph-trace') + '\nimport sys\n'
                   "probes = sys.modules['worker.probes']\noriginal = probes.run\n"
                   'def run(ns, name, args):\n    answer = original(ns, name, args)\n'
                   "    return {'count': None} if isinstance(answer, dict) else answer\n"
                   'probes.run = run\n')
    hand_in(folder, 'm-survivor', '04-backward', 'backward-backward', survivor)
    hand_in(folder, 'm-udp', '01-value', 'value-init', source_cell('01-value', 'value-init') + udp)
    hand_in(folder, 'm-disk', '01-value', 'value-init', disk)
    hand_in(folder, 'm-loop', '04-backward', 'backward-backward', loop)
    hand_in(folder, 'm-forks', '01-value', 'value-init', forks)
    hand_in(folder, 'm-exit', '01-value', 'value-init', 'import sys\nsys.exit(0)\n')
    hand_in(folder, 'm-steal', '04-backward', 'backward-backward', steal)
    # The same notebook with no backward() at all: what the stealer must not beat (its
    # other exercises, the _backward closures, are solved and score on their own).
    hand_in(folder, 'm-steal-control', '04-backward', 'backward-backward', 'pass\n')
    hand_in(folder, 'm-number', '01-value', 'value-numerical-derivative', huge_number)
    hand_in(folder, 'm-shape', '03-graph', 'graph-trace', wrong_shape)
    hand_in(folder, 'm-dot', '03-graph', 'graph-draw-dot', dot)
    hand_in(folder, 'm-deep', '01-value', raw='{"cells": ' + '[' * 100000 + ']' * 100000 + '}')
    hand_in(folder, '=HYPERLINK("x")', '01-value', 'value-repr', repr_4mb)
    hand_in(folder, 'eve\x1b[2J\x07', '01-value', 'value-repr', fence)
    bad = Path(os.fsdecode(os.fsencode(folder) + b'/m-\xff\xfe'))    # not UTF-8
    (bad / '01-value').mkdir(parents=True)
    (bad / '01-value' / '01-value.ipynb').write_bytes(
        (SAMPLE / 'ada' / '01-value' / '01-value.ipynb').read_bytes())
    link = Path(folder, 'm-link', '04-backward')
    link.mkdir(parents=True)
    (link / '04-backward.ipynb').symlink_to(ROOT / 'solutions' / '04-backward' /
                                          '04-backward.ipynb')
    Path(folder, 'm-copycat').symlink_to(Path(folder, 'ada'))


def tree_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob('*')):
        digest.update(os.fsencode(path))
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def grade(submitted, out, temp, *extra, timeout=900):
    env = dict(os.environ, TMPDIR=str(temp))
    env.pop('AUTOGRADER_CACHE_DIR', None)
    return subprocess.run([sys.executable, '-m', 'autograder.cli', 'grade', str(submitted),
                           '--out', str(out), '--jobs', '2', '--timeout', '60', *extra],
                          capture_output=True, env=env, timeout=timeout, cwd=ROOT)


def rows(out, students):
    with sqlite3.connect(out / 'gradebook.sqlite') as db:
        return {(s, st): (status, score, result)
                for s, st, status, score, result in db.execute(
                    'SELECT student, stage, status, score, result_json FROM results')
                if s in students}


@pytest.mark.slow
def test_a_class_of_attackers_cannot_stall_or_skew_the_batch(tmp_path):
    tag = marker()
    temp = tmp_path / 'tmp'
    temp.mkdir()
    victim = tmp_path / 'victim'
    victim.mkdir()
    os.mkfifo(victim / 'secret.png')
    (temp / 'autograder-hypothesis').symlink_to(victim)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(('127.0.0.1', 0))
    udp.settimeout(0.2)
    honest, mixed = tmp_path / 'honest', tmp_path / 'class'
    honest_class(honest)
    honest_class(mixed)
    attackers(mixed, tag, udp.getsockname()[1], victim)
    before = tree_digest(mixed), tree_digest(ROOT / 'solutions'), tree_digest(ROOT / 'lessons')
    try:
        alone = grade(honest, tmp_path / 'out-honest', temp)
        assert alone.returncode == 0, alone.stderr.decode(errors='replace')
        run = grade(mixed, tmp_path / 'out', temp)
        stderr = run.stderr.decode(errors='replace')
        assert run.returncode == 0, stderr
        assert wait_gone(tag), 'a process of an attacker outlived the batch'
    finally:
        for pid in named(tag):
            os.kill(pid, signal.SIGKILL)
        udp_got = []
        try:
            udp_got.append(udp.recvfrom(16))
        except TimeoutError:
            pass
        udp.close()
    assert udp_got == [], 'a UDP datagram left the sandbox'
    assert '\x1b' not in stderr and '\x07' not in stderr
    # Nothing outside the output folders changed; no temporary folder is left.
    assert (tree_digest(mixed), tree_digest(ROOT / 'solutions'),
            tree_digest(ROOT / 'lessons')) == before
    assert [p.name for p in temp.iterdir()] == ['autograder-hypothesis']
    assert [p.name for p in victim.iterdir()] == ['secret.png']
    # The honest classmates are graded exactly as without the attackers.
    assert rows(tmp_path / 'out', HONEST) == rows(tmp_path / 'out-honest', HONEST)
    statuses = {(s, st): status for (s, st), (status, _, _) in
                rows(tmp_path / 'out', {'m-loop', 'm-exit', 'm-deep', 'm-link', 'm-copycat',
                                        'm-steal', 'm-number', 'm-shape', 'm-dot'}).items()}
    assert statuses[('m-loop', '04-backward')] == 'timeout'
    assert statuses[('m-exit', '01-value')] == 'crashed'
    assert statuses[('m-deep', '01-value')] == 'malformed_notebook'
    assert statuses[('m-link', '04-backward')] == 'malformed_notebook'
    assert all(status == 'malformed_notebook' for (s, _), status in statuses.items()
               if s == 'm-copycat')
    assert 'grader_error' not in set(statuses.values())
    with sqlite3.connect(tmp_path / 'out' / 'gradebook.sqlite') as db:
        results = db.execute('SELECT student, stage, status, score, max_score, result_json, '
                             'confinement FROM results').fetchall()
    assert all(status != 'grader_error' for _, _, status, *_ in results)
    assert all(len(result) < 200_000 for *_, result, _ in results)
    scores = {(s, st): (score, top) for s, st, _, score, top, _, _ in results}
    assert scores[('m-steal', '04-backward')] == scores[('m-steal-control', '04-backward')]
    assert scores[('m-steal', '04-backward')][0] < scores[('m-steal', '04-backward')][1]
    assert scores[('m-number', '01-value')][0] < scores[('m-number', '01-value')][1]
    assert scores[('m-\\xff\\xfe', '01-value')] == scores[('ada', '01-value')]
    assert {level for *_, level in results} <= {'full', 'namespaces', 'process', ''}
    with open(tmp_path / 'out' / 'grades.csv', newline='') as file:
        names = {row['student'] for row in csv.DictReader(file)}
    assert '\'=HYPERLINK("x")' in names and not any(n.startswith('=') for n in names)


@pytest.mark.slow
@pytest.mark.parametrize('how', ['ctrl-c', 'sigterm'])
def test_one_interrupt_stops_the_batch_and_keeps_what_finished(tmp_path, how):
    tag = marker()
    temp = tmp_path / 'tmp'
    temp.mkdir()
    submitted = tmp_path / 'class'
    slow = name_self(tag) + 'import time\ntime.sleep(120)\n'
    for i in range(6):
        hand_in(submitted, f's{i}', '01-value', 'value-init',
                source_cell('01-value', 'value-init') + (slow if i >= 2 else ''))
    env = dict(os.environ, TMPDIR=str(temp))
    env.pop('AUTOGRADER_CACHE_DIR', None)
    command = [sys.executable, '-m', 'autograder.cli', 'grade', str(submitted),
               '--out', str(tmp_path / 'out'), '--jobs', '2', '--timeout', '150']
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(named(tag)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(named(tag)) >= 2, 'the slow submissions never started'
        family = descendants(process.pid)
        if how == 'ctrl-c':
            os.killpg(process.pid, signal.SIGINT)     # what a terminal sends: the whole group
        else:
            process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid in named(tag):
            os.kill(pid, signal.SIGKILL)
    err = err.decode(errors='replace')
    assert process.returncode == 130, err
    assert 'run the same command' in err
    assert wait_gone(tag), 'a worker outlived the interrupted batch'
    assert not [pid for pid in family if alive(pid)], 'a grading process outlived the batch'
    assert [p.name for p in temp.iterdir()] == []
    with sqlite3.connect(tmp_path / 'out' / 'gradebook.sqlite') as db:
        kept = db.execute('SELECT count(*) FROM results').fetchone()[0]
    assert kept >= 2          # s0 and s1 finished before the interrupt and were kept


def descendants(pid):
    children, found = {}, []
    for entry in Path('/proc').iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / 'stat').read_text().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def alive(pid):
    try:
        state = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0]
    except OSError:
        return False
    return state != 'Z'
