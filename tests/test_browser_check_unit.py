"""browser.BridgeWorker, the browser check's transport, against a stand-in for the JS bridge.

In the browser the bridge is check-worker.js calling worker/bridge.py in the learner's
Pyodide interpreter (tests/test_browser_check.py runs that in chromium); here a module
that answers as it would, so the mapping of its answers onto sandbox.Worker's outcomes
(answers, errors, deaths, time-outs, the budget) is checked without a browser.
"""

import json
import sys
import types

import pytest

from autograder import browser, browser_check, isolation
from autograder.intake import Cell
from autograder.sandbox import BudgetExceeded, Limits, ProbeTimeout, WorkerDied


class FakeBridge(types.ModuleType):
    """Answers each request with reply(request) (a dict, or text sent as it is)."""

    def __init__(self, reply, took=0.0):
        super().__init__(browser.BRIDGE)
        self.reply, self.took, self.requests = reply, took, []

    def _answer(self, text):
        request = json.loads(text)
        self.requests.append(request)
        browser.time.monotonic.advance(self.took)   # the stand-in clock
        answer = self.reply(request)
        return answer if isinstance(answer, str) else json.dumps(answer)

    def start(self, text):
        return self._answer(text)

    def answer(self, text):
        return self._answer(text)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


def ready(request):
    return {'nonce': request['nonce'], 'ready': True, 'errors': [],
            'confinement': {'landlock_abi': 0, 'capabilities_dropped': False, 'audit_hook': True}}


@pytest.fixture
def bridge(monkeypatch):
    monkeypatch.setattr(browser, 'time', types.SimpleNamespace(monotonic=Clock()))

    def install(answer, took=0.0):
        def reply(request):
            return ready(request) if 'cells' in request else answer(request)
        fake = FakeBridge(reply, took)
        monkeypatch.setitem(sys.modules, browser.BRIDGE, fake)
        return fake
    return install


CELLS = [Cell("your cell 'x'", 'x = 1', True)]


def test_start_sends_the_cells_and_reports_the_browser_level(bridge):
    fake = bridge(lambda r: {'nonce': r['nonce'], 'ok': 1})
    worker = browser.BridgeWorker(CELLS)
    report = worker.start()
    assert fake.requests[0]['cells'] == [["your cell 'x'", 'x = 1']]
    assert report.errors == [] and report.confinement['level'] == isolation.BROWSER
    assert worker.call('value', {'x': 1}) == ('ok', 1)
    assert fake.requests[1]['probe'] == 'value' and fake.requests[1]['args'] == {'x': 1}


def test_an_error_of_the_learner_code_is_an_answer(bridge):
    error = {'type': 'ValueError', 'message': 'no', 'where': "your cell 'x', line 1"}
    bridge(lambda r: {'nonce': r['nonce'], 'error': error})
    worker = browser.BridgeWorker(CELLS)
    worker.start()
    assert worker.call('value', {}) == ('error', error)
    assert worker.alive


def test_a_dead_interpreter_ends_the_check_as_no_restart_can_follow(bridge):
    bridge(lambda r: {'died': 'RangeError: Maximum call stack size exceeded'})
    worker = browser.BridgeWorker(CELLS)
    worker.start()
    with pytest.raises(WorkerDied, match='ended its Python interpreter') as died:
        worker.call('value', {})
    assert not died.value.final and not worker.alive
    worker.start()         # what plugin.Sandboxed does next: a restart, which cannot be
    with pytest.raises(WorkerDied) as again:
        worker.call('value', {})
    assert again.value.final and 'cannot start again' in again.value.reason


@pytest.mark.parametrize('answer', [lambda r: 'not json', lambda r: {'nonce': 'other', 'ok': 1},
                                    lambda r: {'nonce': r['nonce'], 'error': 'text'}])
def test_a_broken_answer_kills_the_worker(bridge, answer):
    bridge(answer)
    worker = browser.BridgeWorker(CELLS)
    worker.start()
    with pytest.raises(WorkerDied):
        worker.call('value', {})
    assert not worker.alive


def test_a_probe_that_overran_its_time_out_is_a_time_out_when_it_returns(bridge):
    bridge(lambda r: {'nonce': r['nonce'], 'ok': 1}, took=11.0)
    worker = browser.BridgeWorker(CELLS, Limits(startup_seconds=20, probe_seconds=10))
    worker.start()
    with pytest.raises(ProbeTimeout):
        worker.call('value', {})
    assert not worker.alive


def test_the_budget_is_spent_across_calls(bridge):
    bridge(lambda r: {'nonce': r['nonce'], 'ok': 1}, took=4.0)
    worker = browser.BridgeWorker(CELLS, Limits(budget_seconds=10, probe_seconds=5))
    worker.start()                            # 4 s
    assert worker.call('value', {}) == ('ok', 1)  # 8 s
    with pytest.raises(BudgetExceeded):
        worker.call('value', {})              # 12 s: over the budget when it returned


def test_stage_08_is_refused_with_the_local_command():
    assert browser_check.local_only('07-mlp') is None
    message = browser_check.local_only('08-training')
    assert 'numpy' in message and '`autograder check 08-training`' in message
    assert browser_check.check('08-training', '{}') == {
        'text': message, 'result': None, 'figures': []}


def test_the_worker_package_goes_to_the_learner_interpreter_whole():
    files = browser.worker_files()
    assert {'main.py', 'bridge.py', 'probes.py', 'plain.py', 'confinement.py'} <= set(files)
    assert 'def start(' in files['main.py'] and 'def answer(' in files['bridge.py']
