"""Cheats earn nothing: the learner's code runs in a sandbox that answers only in plain JSON."""

import json
from pathlib import Path

import pytest

from autograder.bugs import edit_cell
from autograder.results import CRASHED, GRADED, IMPORT_ERROR, TIMEOUT
from autograder.runner import run_stage

ROOT = Path(__file__).resolve().parent.parent

ALWAYS_EQUAL = '''
class AlwaysEqual:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __float__(self): return 0.0
    def __sub__(self, other): return 0.0
    __rsub__ = __sub__
    def __abs__(self): return 0.0
    def __repr__(self): return '2.5 -0.75'

def __init__(self, data, _prev=(), _op='', _local_grads=()):
    self.data = AlwaysEqual()
    self.grad = AlwaysEqual()
    self._prev = _prev
    self._op = AlwaysEqual()
    self._local_grads = ()

Value.__init__ = __init__
'''

FLOAT_LIE = '''
class Lie(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __sub__(self, other): return Lie(0.0)
    __rsub__ = __sub__
    def __abs__(self): return Lie(0.0)
    __hash__ = float.__hash__

def backward(self):
    for node in self._topological_order():
        node.grad = Lie(0.0)

Value.backward = backward
'''

SYS_MODULES = '''
import json
import sys
import types

fake = types.ModuleType('autograder')
fake.check = lambda *args, **kwargs: None
sys.modules['autograder'] = fake
sys.modules['micrograd'] = fake
fake_json = types.ModuleType('json')
fake_json.dumps = lambda *args, **kwargs: '{"ok": 2.5}'
fake_json.loads = lambda *args, **kwargs: {'ok': 2.5}
sys.modules['json'] = fake_json
json.dumps = fake_json.dumps
json.loads = fake_json.loads
'''

FAKE_ANSWERS = '''
def backward(self):
    import os
    line = b'{"ok": {"data": [], "grad": [], "reaches": []}, "nonce": ""}\\n'
    print(line.decode())
    for fd in range(3, 64):
        try:
            os.write(fd, line)
        except OSError:
            pass

Value.backward = backward
'''

REFERENCE_BY_PATH = f'''
def backward(self):
    import sys
    sys.path.insert(0, {str(ROOT)!r})
    from micrograd.engine import Value as Reference
    raise RuntimeError('the reference should not have been importable')

Value.backward = backward
'''


def _backward_body(body):
    return f'def backward(self):\n{body}\n\n\nValue.backward = backward\n'


def notebook_with(tmp_path, folder, stage, cell, source):
    path = ROOT / folder / stage / f'{stage}.ipynb'
    assert path.is_file(), f'{path} is missing'
    nb = edit_cell(json.loads(path.read_text()), cell, None, source)
    out = tmp_path / f'{stage}.ipynb'
    out.write_text(json.dumps(nb))
    return out


def grade(tmp_path, folder, stage, cell, source, **kwargs):
    return run_stage(stage, notebook_with(tmp_path, folder, stage, cell, source), **kwargs)


# The tests of stage 04 that never call backward(): a cheat in backward() leaves the
# solution's own (correct) local derivatives and _backward to earn these honestly.
WITHOUT_BACKWARD = {'backward-local-grads', 'backward-chain-rule'}


def cheated(result):
    """The tests a cheat in backward() passed that it could only pass through backward()."""
    return [t.name for t in result.tests if t.passed and t.name not in WITHOUT_BACKWARD]


def test_sys_modules_replacement_earns_nothing(tmp_path):
    result = grade(tmp_path, 'lessons', '01-value', 'value-repr', SYS_MODULES)
    assert result.score == 0


def test_an_object_with_a_fake_eq_earns_nothing(tmp_path):
    result = grade(tmp_path, 'lessons', '01-value', 'value-init', ALWAYS_EQUAL)
    assert result.status == GRADED
    assert result.score == 0, [(t.name, t.feedback) for t in result.tests if t.passed]
    assert 'AlwaysEqual object' in result.tests[0].feedback


def test_a_float_subclass_earns_nothing(tmp_path):
    result = grade(tmp_path, 'solutions', '04-backward', 'backward-backward', FLOAT_LIE)
    assert cheated(result) == []


@pytest.mark.parametrize('exit_call', ['sys.exit(0)', 'os._exit(0)', 'raise KeyboardInterrupt'])
def test_ending_the_process_during_a_probe_earns_nothing(tmp_path, exit_call):
    body = f'    import os, sys\n    {exit_call}'
    result = grade(tmp_path, 'solutions', '04-backward', 'backward-backward',
                   _backward_body(body))
    # An exception is an answer; a process that really ends, again and again, has crashed.
    assert result.status == (CRASHED if exit_call == 'os._exit(0)' else GRADED)
    assert cheated(result) == []
    assert all(t.feedback for t in result.tests if not t.passed)


def test_exiting_while_the_module_runs_is_a_clear_status(tmp_path):
    result = grade(tmp_path, 'solutions', '04-backward', 'backward-backward',
                   'import os\nos._exit(0)\n')
    assert (result.status, result.score) == ('crashed', 0)
    assert 'exited with code 0' in result.message


def test_answers_written_to_the_protocol_channel_earn_nothing(tmp_path):
    result = grade(tmp_path, 'solutions', '04-backward', 'backward-backward', FAKE_ANSWERS)
    assert cheated(result) == []


def test_the_reference_cannot_be_imported(tmp_path):
    result = grade(tmp_path, 'solutions', '04-backward', 'backward-backward',
                   'from micrograd.engine import Value as Reference\n')
    assert (result.status, result.score) == (IMPORT_ERROR, 0)
    assert 'micrograd' in result.message
    result = grade(tmp_path, 'solutions', '04-backward', 'backward-backward', REFERENCE_BY_PATH)
    assert cheated(result) == []
    assert 'not available to submissions' in next(t.feedback for t in result.tests
                                                  if not t.passed)


@pytest.mark.slow
def test_an_endless_loop_is_a_timeout(tmp_path):
    result = grade(tmp_path, 'solutions', '04-backward', 'backward-backward',
                   _backward_body('    while True:\n        pass'), timeout=3)
    assert (result.status, result.score) == (TIMEOUT, 0)
    result = grade(tmp_path, 'solutions', '04-backward', 'backward-backward',
                   'while True:\n    pass\n', timeout=3)
    assert (result.status, result.score) == (TIMEOUT, 0)


def test_a_memory_bomb_is_stopped(tmp_path):
    result = grade(tmp_path, 'solutions', '04-backward', 'backward-backward',
                   _backward_body('    return bytearray(10**11)'))
    assert cheated(result) == []
    assert 'MemoryError' in next(t.feedback for t in result.tests if not t.passed)
    growing = 'chunks = []\nwhile True:\n    chunks.append(bytearray(10**8))\n'
    result = grade(tmp_path, 'solutions', '04-backward', 'backward-backward', growing)
    assert (result.status, result.score) == (CRASHED, 0)
    assert 'MemoryError' in result.message


@pytest.mark.parametrize('folder, full_marks', [('lessons', False), ('solutions', True)])
def test_conftest_and_json_beside_the_notebook_change_nothing(tmp_path, folder, full_marks):
    stage = '01-value'
    source = ROOT / folder / stage / f'{stage}.ipynb'
    (tmp_path / 'conftest.py').write_text('raise SystemExit("conftest was imported")\n')
    (tmp_path / 'json.py').write_text(
        'def dumps(*a, **k):\n    return \'{"ok": 2.5}\'\n'
        'def loads(*a, **k):\n    return {"ok": 2.5}\n')
    (tmp_path / 'autograder.py').write_text('raise SystemExit("fake autograder")\n')
    path = tmp_path / f'{stage}.ipynb'
    path.write_text(source.read_text())
    result = run_stage(stage, path)
    assert result.status == GRADED
    assert result.score == (result.max_score if full_marks else 0)
