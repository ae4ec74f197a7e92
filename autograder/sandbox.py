"""The trusted side of the sandbox: start a worker process, send probes, check what comes back.

One `Worker` serves one submission and stage. On Linux with bubblewrap it runs the
worker package (autograder/worker/, the trust boundary, bound read-only) with
`python -I -S` in its own namespaces, with a mount view of only what it needs
(autograder/isolation.py), in a cgroup that limits memory and processes for the whole
submission; elsewhere it copies the package into a fresh temporary folder and relies
on the worker's own layers (rlimits, Landlock, the audit hook). Every call has a
timeout; on timeout or when the submission's time budget is spent, the worker and
everything it started are killed. The learner's output goes to a file, never a pipe
that a surviving process could hold open.
"""

import compileall
import functools
import json
import os
import secrets
import selectors
import shutil
import signal
import site
import subprocess
import sys
import sysconfig
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import autograder
import micrograd
from autograder import isolation
from autograder.course import REPO_ROOT

WORKER_PACKAGE = Path(__file__).resolve().with_name('worker')
# Imports the copied package from the folder named by argv[1]; then the main loop.
LAUNCH = 'import sys; sys.path.insert(0, sys.argv.pop(1)); from worker.main import main; main()'
# A checkout of the course (editable install), or None when the packages were installed
# into site-packages: there REPO_ROOT is the site folder itself, and only the course's
# own entries of it are hidden, by name.
CHECKOUT = REPO_ROOT if (REPO_ROOT / 'pyproject.toml').is_file() else None
# What learner code must never read: the answer key, the grader, the whole repository.
HIDDEN = {'hidden_names': ['micrograd', 'autograder', 'micrograd_course'],
          'hidden_dirs': sorted({*([str(CHECKOUT)] if CHECKOUT else []),
                                 str(Path(micrograd.__file__).parent),
                                 str(Path(autograder.__file__).parent)})}

OUTPUT_CAP = 64 * 1024             # bytes of the learner's stdout/stderr kept
ANSWER_CAP = 32 * 1024 * 1024      # a longer answer line is a misbehaving worker


@dataclass(frozen=True)
class Limits:
    startup_seconds: float = 20.0    # running the module's cells (imports of numpy etc. included)
    probe_seconds: float = 10.0      # default per probe; probes may ask for more
    budget_seconds: float = 180.0    # the whole submission-stage, wall clock
    memory_bytes: int = 1024 ** 3     # address space: numpy and friends need about 0.3 GB
    file_bytes: int = 16 * 1024 ** 2
    disk_bytes: int = 64 * 1024 ** 2  # the whole private home (a tmpfs, where namespaced)
    processes: int = 256

    @classmethod
    def with_budget(cls, seconds=None):
        """The default limits with a time budget of `seconds` (None: the default budget)."""
        return cls(budget_seconds=seconds) if seconds else cls()


class WorkerDied(Exception):
    """The worker process ended or broke the protocol; `reason` says how, for the learner."""

    def __init__(self, reason, final=False):
        super().__init__(reason)
        self.reason = reason
        self.final = final      # no restart will follow: the submission has crashed


class ProbeTimeout(Exception):
    def __init__(self, seconds):
        super().__init__(f'took longer than {seconds:g} s')
        self.seconds = seconds


class BudgetExceeded(Exception):
    """The submission used up its whole time budget."""


@dataclass
class StartupReport:
    errors: list = field(default_factory=list)   # [{cell, type, message, where}] per failing cell
    confinement: dict | None = None              # the layers the worker applied (confinement.py)


@functools.cache
def _compile_worker():
    """Byte-compile the worker package once per grading process, beside its source as any
    import would. The worker runs with -B from a read-only view, so it never writes these
    itself and would compile its own modules again on every start (about 5-10 ms CPU).
    Where the folder is not writable (an installed package: pip compiled it) nothing happens."""
    compileall.compile_dir(WORKER_PACKAGE, quiet=2)


def _site_paths():
    """Where third-party packages live, minus anything of this repository.

    Passed to the worker explicitly because -S skips `site`, and with it the .pth
    files (the editable install's finder among them).
    """
    paths = {sysconfig.get_paths()['purelib'], sysconfig.get_paths()['platlib'],
             *site.getsitepackages()}
    return sorted(p for p in paths if os.path.isdir(p) and Path(p).resolve() != CHECKOUT)


def _scrubbed_env(home):
    return {'PATH': '/usr/local/bin:/usr/bin:/bin', 'LANG': 'C.UTF-8', 'LC_ALL': 'C.UTF-8',
            'HOME': home, 'TMPDIR': home, 'MPLBACKEND': 'Agg', 'MPLCONFIGDIR': home,
            'OPENBLAS_NUM_THREADS': '1', 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1'}


class _Output:
    """The worker's stdout+stderr go to a file (never a pipe a survivor could hold open);
    the first OUTPUT_CAP bytes are kept."""

    def __init__(self, path):
        self.path = path
        self.file = open(path, 'w+b')   # noqa: SIM115 - closed by close()
        self.kept, self.dropped = b'', 0

    def close(self):
        if not self.file.closed:
            self.file.seek(0)
            self.kept = self.file.read(OUTPUT_CAP)
            self.dropped = max(0, os.fstat(self.file.fileno()).st_size - OUTPUT_CAP)
            self.file.close()

    def text(self):
        self.close()
        text = self.kept.decode('utf-8', 'replace')
        dropped = f'\n[... {self.dropped} more bytes of output dropped]' if self.dropped else ''
        return text + dropped


# Every worker still running in this process, so an interrupt can stop them all.
_LIVE = weakref.WeakSet()


def kill_all_workers():
    for worker in list(_LIVE):
        worker.close()


def _remove_tree(root):
    """Delete a worker's folder whatever the learner left in it (read-only or very deep
    folders): never the learner's problem, never a grader error."""
    def writable(function, path, _):
        try:
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
            function(path)
        except OSError:
            pass
    try:
        shutil.rmtree(root, onerror=writable)
    except (OSError, RecursionError):
        pass
    if os.path.exists(root) and shutil.which('rm'):
        subprocess.run(['rm', '-rf', '--', root], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


class Worker:
    def __init__(self, cells, limits=Limits()):
        """cells: the module's cells; None for a worker booted ahead (`ahead`), which is
        given its cells when it is taken for a submission."""
        self.cells, self.limits = cells, limits
        self.process = self.cgroup = None
        self.spent = 0.0
        self.level = None
        self._pending = None       # (nonce, time sent) of a start-up not yet answered
        self._waiting = False      # booted, and nothing sent to it yet

    @classmethod
    def ahead(cls, limits=Limits()):
        """A worker process booted now for cells given later: a grading process boots the
        next submission's worker while it grades the current one, so that the boot's
        waits overlap work (moving a process into its cgroup waits for the kernel, about
        10 ms of a 50 ms start). Nothing is charged to a submission until its cells are
        sent."""
        worker = cls(None, limits)
        worker.boot()
        return worker

    # -- lifecycle -------------------------------------------------------------------

    def start(self):
        """Run the module's cells: a StartupReport, or WorkerDied/ProbeTimeout/BudgetExceeded.

        Continues a launch() made earlier, or launches now."""
        if self._pending is None:
            self.launch()
        nonce, sent = self._pending
        self._pending = None
        try:
            reply = self._await(nonce, sent, self.limits.startup_seconds)
            if reply.get('ready') is not True or not isinstance(reply.get('errors'), list):
                raise WorkerDied('the worker did not start properly')
        except BaseException:       # a worker that did not start leaves nothing behind
            self.close()
            raise
        confinement = reply.get('confinement')
        if isinstance(confinement, dict):
            confinement = dict(confinement, level=self.level, cgroup=self.cgroup is not None)
        return StartupReport(reply['errors'], confinement)

    def launch(self):
        """Send the process its cells, booting it first unless a booted one is waiting,
        without waiting for its answer: the worker runs them while the caller goes on
        (`autograder check` imports pytest meanwhile). start() then waits for it; close()
        stops it either way. The time counts from here."""
        if not (self._waiting and self.alive):
            self.boot()
        self._waiting = False
        limits = self.limits
        cpu = int(limits.budget_seconds) + 5
        try:
            self._pending = self._post({
                'paths': self._paths, 'hide': HIDDEN, 'viewed': self.level != isolation.PROCESS,
                'cells': [[cell.label, cell.source] for cell in self.cells],
                'limits': {'memory_bytes': limits.memory_bytes, 'cpu_seconds': cpu,
                           'file_bytes': limits.file_bytes, 'processes': limits.processes}})
        except BaseException:
            self.close()
            raise

    def boot(self):
        """Start a fresh process (ending any earlier one), which waits for its cells."""
        self.close()
        limits = self.limits
        self.level = isolation.level()
        _compile_worker()
        # Inside the private folder of `autograder grade` when there is one: a killed run's
        # next run sweeps it, worker folders included.
        self.root = tempfile.mkdtemp(prefix='autograder-',
                                     dir=os.environ.get(isolation.CACHE_ENV) or None)
        request_r, self._request_w = os.pipe()
        self._answer_r, answer_w = os.pipe()
        fds = [str(request_r), str(answer_w)]
        if self.level == isolation.PROCESS:
            code, home = Path(self.root, 'code'), os.path.join(self.root, 'home')
            shutil.copytree(WORKER_PACKAGE, code / 'worker')    # its byte-code included
            os.mkdir(home)
            command = [sys.executable, '-I', '-S', '-c', LAUNCH, str(code), *fds]
            paths, cwd = _site_paths(), home
        else:
            home = f'{isolation.SANDBOX_ROOT}/home'
            command = isolation.namespaced_command(
                [os.path.realpath(sys.executable), '-I', '-S', '-B', '-c', LAUNCH,
                 f'{isolation.SANDBOX_ROOT}/code', *fds], WORKER_PACKAGE, limits.disk_bytes)
            paths, cwd = isolation.sandbox_site_paths(), self.root
        self.cgroup = None
        if isolation.Cgroup.available():
            try:
                self.cgroup = isolation.Cgroup(limits.memory_bytes, limits.processes)
                command = self.cgroup.command(command)
            except OSError:      # e.g. the hierarchy went read-only: rlimits still apply
                self.cgroup = None
        self.output = _Output(Path(self.root, 'output'))
        try:
            self.process = subprocess.Popen(
                command, cwd=cwd, env=_scrubbed_env(home), stdin=subprocess.DEVNULL,
                stdout=self.output.file, stderr=subprocess.STDOUT,
                pass_fds=(request_r, answer_w), start_new_session=True)
        except OSError:
            for fd in (self._request_w, self._answer_r):
                os.close(fd)
            self.output.close()
            if self.cgroup is not None:
                self.cgroup.remove()
            _remove_tree(self.root)
            raise
        finally:
            os.close(request_r)
            os.close(answer_w)
        _LIVE.add(self)
        self._buffer = b''
        self._paths = paths
        self._waiting = True

    def close(self):
        self._pending = None
        self._waiting = False
        if self.process is not None:
            self._kill()
            self.process = None
            _remove_tree(self.root)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def alive(self):
        return self.process is not None and self.process.poll() is None

    # -- probes ----------------------------------------------------------------------

    def call(self, probe, args, timeout=None):
        """The probe's plain answer: ('ok', value) or ('error', {type, message, where})."""
        if not self.alive:
            raise WorkerDied('the worker is not running')
        reply = self._exchange({'probe': probe, 'args': args}, timeout or self.limits.probe_seconds)
        return self._answer(reply)

    def call_batch(self, calls, timeout=None):
        """Several probes in one round trip ([[probe, args], ...]): their answers, in order,
        as call() gives them. The timeout is the whole batch's."""
        if not self.alive:
            raise WorkerDied('the worker is not running')
        reply = self._exchange({'batch': calls}, timeout or self.limits.probe_seconds)
        answers = reply.get('batch')
        if not isinstance(answers, list) or len(answers) != len(calls):
            self._kill()
            raise WorkerDied('the worker sent a malformed answer')
        return [self._answer(item) for item in answers]

    def _answer(self, reply):
        if isinstance(reply, dict) and 'ok' in reply:
            return 'ok', reply['ok']
        error = reply.get('error') if isinstance(reply, dict) else None
        if not (isinstance(error, dict) and all(isinstance(error.get(k), str)
                                                for k in ('type', 'message', 'where'))):
            self._kill()
            raise WorkerDied('the worker sent a malformed answer')
        return 'error', error

    # -- the protocol ----------------------------------------------------------------

    def _exchange(self, message, timeout):
        nonce, sent = self._post(message)
        return self._await(nonce, sent, timeout)

    def _post(self, message):
        """Send a request: (its nonce, when it was sent)."""
        if self.limits.budget_seconds - self.spent <= 0:
            raise BudgetExceeded()
        nonce = secrets.token_hex(16)
        message['nonce'] = nonce
        sent = time.monotonic()
        self._send(json.dumps(message).encode() + b'\n')
        return nonce, sent

    def _await(self, nonce, sent, timeout):
        """The answer to the request sent at `sent`: its timeout and the budget count from
        then, whatever this process did in between."""
        left = self.limits.budget_seconds - self.spent
        try:
            reply = self._receive(min(timeout, left), since=sent)
        except ProbeTimeout:
            self._kill()
            if timeout >= left:
                raise BudgetExceeded() from None
            raise
        finally:
            self.spent += time.monotonic() - sent
        if not isinstance(reply, dict) or reply.get('nonce') != nonce:
            self._kill()
            raise WorkerDied('the worker answered out of turn (did something write to its '
                             'answer channel?)')
        return reply

    def _send(self, data):
        # The worker reads whole lines before running anything, so a blocking write is safe.
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._request_w, view):]
        except OSError:
            raise WorkerDied(self._death_reason()) from None

    def _receive(self, timeout, since):
        deadline = since + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self._answer_r, selectors.EVENT_READ)
            while b'\n' not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise ProbeTimeout(timeout)
                chunk = os.read(self._answer_r, 1 << 20)
                if not chunk:
                    raise WorkerDied(self._death_reason())
                self._buffer += chunk
                if len(self._buffer) > ANSWER_CAP:
                    self._kill()
                    raise WorkerDied('the worker sent an answer that is far too long')
        line, self._buffer = self._buffer.split(b'\n', 1)
        try:
            return json.loads(line)
        except (ValueError, RecursionError):     # RecursionError: nested far too deeply
            self._kill()
            raise WorkerDied('the worker sent something that is not an answer') from None

    def _death_reason(self):
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._kill()
            return 'the worker stopped answering'
        if self.level != isolation.PROCESS and code > 128:
            code = 128 - code             # bubblewrap passes a signal on as 128 + its number
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f'signal {-code}'
            if self.cgroup is not None and self.cgroup.memory_exceeded():
                return ('the Python process was killed for using more than '
                        f'{self.limits.memory_bytes // 1024 ** 2} MB of memory')
            hint = {'SIGXCPU': ' (CPU time limit)', 'SIGKILL': ' (killed, perhaps out of memory)',
                    'SIGSEGV': ' (a crash, often a very deep recursion)',
                    'SIGXFSZ': ' (file size limit)'}.get(name, '')
            return f'the Python process was killed by {name}{hint}'
        return f'the Python process exited with code {code} (sys.exit or os._exit in your code?)'

    def _kill(self):
        process = self.process
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.cgroup is not None:
            self.cgroup.kill_all()
        process.wait()
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
        for fd in (self._request_w, self._answer_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self._request_w = self._answer_r = -1
        self.output.close()
        _LIVE.discard(self)


if sys.platform == 'emscripten':
    def Worker(cells, limits=Limits()):  # noqa: F811, N802 - the class's stand-in
        """In the browser (Pyodide) the worker is a second interpreter behind a JavaScript
        function, not a process: the same interface, from browser.py (imported here, as
        it imports this module)."""
        from autograder.browser import BridgeWorker
        return BridgeWorker(cells, limits)
