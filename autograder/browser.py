"""The hidden check in the browser: the transport to the learner's Pyodide interpreter.

lite/check/check-worker.js, a Web Worker started by the lesson's check cell, holds two
Pyodide interpreters: the learner's, with only the worker package (autograder/worker/,
driven through worker/bridge.py), and the judge's, with this package, pytest and
hypothesis. The judge reaches the learner's interpreter through one synchronous
JavaScript function (the JS module `autograder_bridge`), JSON text both ways, so the
learner's interpreter never holds a reference to the judge's.

`BridgeWorker` is sandbox.Worker's interface over that function: in Pyodide,
sandbox.Worker *is* BridgeWorker, so plugin.py, runner.py, judge.py and check.py's report
run unchanged. What the browser cannot do, and what happens instead:

- no process limits, namespaces or Landlock: only the worker's audit hook (the
  isolation level `browser`);
- a call cannot be interrupted while it runs (one thread): a probe that overruns its
  time-out is reported as a time-out when it returns, and an endless loop is ended by
  the page, which terminates the whole check worker after the time budget;
- a learner interpreter that died (os._exit, a crash) cannot be started again while the
  judge waits: the remaining tests are not run, and the report says so.

browser_check.py is the check itself, which check-worker.js calls. This is a learning aid,
not a graded path: the suite and the reference are in the learner's own browser.
"""

import json
import secrets
import time

from autograder import isolation
from autograder.sandbox import (
    HIDDEN,
    WORKER_PACKAGE,
    BudgetExceeded,
    Limits,
    ProbeTimeout,
    StartupReport,
    WorkerDied,
)

BRIDGE = 'autograder_bridge'    # the JS module check-worker.js registers in the judge
NO_RESTART = ('your code ended its Python interpreter, which the check in the browser cannot '
              'start again: the remaining tests were not run (`autograder check` on your '
              'computer runs them)')


def _bridge():
    import importlib
    try:
        return importlib.import_module(BRIDGE)
    except ImportError:
        raise RuntimeError('the browser check runs in lite/check/check-worker.js, which '
                           f'provides the {BRIDGE} module') from None


def worker_files():
    """{file name: source} of the worker package, for the learner's interpreter."""
    return {path.name: path.read_text(encoding='utf-8')
            for path in sorted(WORKER_PACKAGE.glob('*.py'))}


class BridgeWorker:
    """One submission-stage's learner interpreter, across the bridge (sandbox.Worker's API)."""

    def __init__(self, cells, limits=None):
        self.cells, self.limits = cells, limits or Limits()
        self.spent = 0.0
        self.level = isolation.BROWSER
        self.started = self.closed = False
        self.dead = None           # the WorkerDied that every later call raises

    def start(self):
        if self.started:
            # A restart after a death: a new interpreter loads asynchronously, which the
            # judge, waiting synchronously, cannot await. The next probe ends the check.
            self.dead = self.dead if self.dead and self.dead.final else WorkerDied(
                NO_RESTART, final=True)
            return StartupReport()
        self.started = True
        limits = self.limits
        reply = self._exchange('start', {
            'paths': [], 'hide': HIDDEN,
            'cells': [[cell.label, cell.source] for cell in self.cells],
            'limits': {'memory_bytes': limits.memory_bytes, 'file_bytes': limits.file_bytes,
                       'processes': limits.processes}},
            limits.startup_seconds)
        if reply.get('ready') is not True or not isinstance(reply.get('errors'), list):
            raise WorkerDied('the worker did not start properly')
        confinement = reply.get('confinement')
        if isinstance(confinement, dict):
            confinement = dict(confinement, level=self.level, cgroup=False)
        return StartupReport(reply['errors'], confinement)

    @property
    def alive(self):
        return self.started and not self.closed and self.dead is None

    def close(self):
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, probe, args, timeout=None):
        """The probe's plain answer: ('ok', value) or ('error', {type, message, where})."""
        if self.dead is not None:
            raise self.dead
        if not self.alive:
            raise WorkerDied('the worker is not running')
        reply = self._exchange('answer', {'probe': probe, 'args': args},
                               timeout or self.limits.probe_seconds)
        if 'ok' in reply:
            return 'ok', reply['ok']
        error = reply.get('error')
        if not (isinstance(error, dict) and all(isinstance(error.get(k), str)
                                                for k in ('type', 'message', 'where'))):
            raise self._die(WorkerDied('the worker sent a malformed answer'))
        return 'error', error

    def _die(self, error):
        self.dead = WorkerDied(NO_RESTART if error.final else error.reason, final=error.final)
        return error

    def _exchange(self, kind, message, timeout):
        left = self.limits.budget_seconds - self.spent
        if left <= 0:
            raise BudgetExceeded()
        nonce = secrets.token_hex(16)
        message['nonce'] = nonce
        started = time.monotonic()
        try:
            text = getattr(_bridge(), kind)(json.dumps(message))
        finally:
            took = time.monotonic() - started
            self.spent += took
        if took > min(timeout, left):
            # Where sandbox.Worker would have killed the worker at the time-out.
            self.dead = WorkerDied('the worker is not running')
            if timeout >= left:
                raise BudgetExceeded()
            raise ProbeTimeout(timeout)
        try:
            reply = json.loads(str(text))
        except (ValueError, RecursionError):
            raise self._die(WorkerDied('the worker sent something that is not an answer')) \
                from None
        if isinstance(reply, dict) and isinstance(reply.get('died'), str):
            raise self._die(WorkerDied(f"your code ended its Python interpreter "
                                       f"({reply['died'][:300]})"))
        if not isinstance(reply, dict) or reply.get('nonce') != nonce:
            raise self._die(WorkerDied('the worker answered out of turn'))
        return reply


def render_svg(dot_source):
    """SVG of DOT source by graphviz in WebAssembly (the check worker's viz-js), or None."""
    try:
        svg = _bridge().render(dot_source)
    except Exception:       # noqa: BLE001 - no picture is never a reason to fail a check
        return None
    return str(svg) if svg else None
