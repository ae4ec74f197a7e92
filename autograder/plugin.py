"""The pytest plugin behind the hidden suites: fixtures for the learner's code and the reference.

A hidden test is an ordinary pytest function in autograder/suites/suite_NN_name.py:

    @pytest.mark.points(2, name='backward-pow', what='the gradient of a**n')
    def test_pow(sub, ref):
        ...

`sub` runs probes on the learner's submission, in the sandbox worker (or, for
nbgrader's in-kernel autograde, on the kernel's own objects); `ref` runs the same
probes on the reference package in this process. A test fails with an assertion
message, `pytest.fail(...)` or `Fail(...)` (which may carry a picture): that message
is the learner's feedback. The marker gives the test's stable name, its points and
what it exercises (for messages about errors raised by the learner's code).

Each submission is a parameter of the session: one pytest session grades a whole
chunk of a class, one worker per submission, started when its first test runs and
stopped when pytest moves on to the next submission. The learner's code never runs
in this process (except in-kernel, which is nbgrader's trust model).

Loaded by autograder/suites/conftest.py, so an instructor can run a suite directly:

    pytest autograder/suites/suite_04_backward.py --notebook lessons/04-backward/04-backward.ipynb
"""

import json
import threading
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder import course
from autograder.intake import NotebookProblem, stage_cells
from autograder.judge import Fail, InProcess, ProbeError, ReferenceFailed, reference
from autograder.results import CRASHED, GRADER_ERROR, IMPORT_ERROR, TIMEOUT, TestOutcome
from autograder.sandbox import BudgetExceeded, Limits, ProbeTimeout, Worker, WorkerDied

MAX_RESTARTS = 3     # a worker that dies more often than this is not restarted again
# Raised by a cell at start-up, these end the process (or would, outside the sandbox).
PROCESS_DEATHS = ('SystemExit', 'KeyboardInterrupt', 'MemoryError')


@dataclass
class Submission:
    """One notebook of one stage: its worker, and what grading it has produced so far.

    status stays None while the suite runs normally; a status set by intake, start-up,
    the time budget or a grader failure ends the submission (its remaining tests are
    skipped) and decides its StageResult.
    """
    key: str                       # a label, unique in the session
    stage: str
    notebook: Path | None = None
    source_dir: Path = course.SOLUTIONS
    limits: Limits = field(default_factory=Limits)
    namespace: dict | None = None  # in-kernel: probes run on these objects, in this process
    status: str | None = None
    message: str = ''
    outcomes: list = field(default_factory=list)
    grader_traceback: str | None = None
    confinement: dict | None = None
    diagnose: bool = True          # ask for the diagnostic probe set's answers after a failure
    diagnostic_answers: list | None = None
    side: object = field(default=None, repr=False)   # Sandboxed or InProcess, while it runs
    worker: Worker | None = field(default=None, repr=False)  # launched early (`check`) or
                                                             # booted ahead, or None

    def stop(self, status, message, grader_traceback=None):
        if self.status is None:
            self.status, self.message, self.grader_traceback = status, message, grader_traceback


class Sandboxed:
    """The learner's side of the probes: one worker, restarted if a test kills it.

    After a timeout or a crash the rest of that test fails fast with the same error,
    so Hypothesis's shrinking does not wait for a timeout on every example.
    """

    def __init__(self, cells, limits, launched=None):
        """launched: a Worker of these limits, already launched with these very cells or
        booted ahead for any (Worker.ahead), or None."""
        fits = launched is not None and launched.limits == limits \
            and launched.cells in (None, cells)
        if launched is not None and not fits:
            launched.close()
        self.worker = launched if fits else Worker(cells, limits)
        self.worker.cells = cells
        self.restarts = 0
        self.broken = self.noted = None
        self._served = None      # while a replay runs: the answers probe() serves, in order

    def start(self):
        return self.worker.start()

    def start_test(self):
        self.broken = self.noted = None
        if not self.worker.alive:
            if self.restarts >= MAX_RESTARTS:
                self.broken = WorkerDied(f'your code ended the Python process {MAX_RESTARTS + 1} '
                                         'times; the remaining tests were not run', final=True)
                return
            self.restarts += 1
            self.worker.start()

    def probe(self, name, timeout=None, **args):
        if self._served is not None:
            return self._serve(name, args)
        if self.broken is not None:
            raise self.broken
        # A slow reference answer is worked out while the worker works on the learner's.
        meanwhile = None
        if name in _SLOW_REFERENCE and not reference().knows(name, args):
            meanwhile = threading.Thread(target=_reference_answer, args=(name, args))
            meanwhile.start()
        try:
            kind, value = self.worker.call(name, args, timeout)
        except (ProbeTimeout, WorkerDied, BudgetExceeded) as error:
            self.broken = error
            raise
        finally:
            if meanwhile is not None:
                meanwhile.join()
        return self._judged(name, args, kind, value)

    def _judged(self, name, args, kind, value):
        if kind == 'error':
            raise ProbeError(value)
        expected, text = _reference_answer(name, args)
        if value == expected and text is not None and json.dumps(value) == text:
            return value    # the reference's very answer (same kinds of number): its shape too
        problem = answer_problem(value, expected)
        if problem:
            raise BadAnswer(problem)
        # Leaves of the wrong kind are left to the suite, whose messages say more; should
        # the suite trip over one, this is what the learner is told.
        self.noted = self.noted or answer_problem(value, expected, leaves=True)
        return value

    # -- replays (autograder/suites/replay.py) --------------------------------------------

    def answers(self, calls):
        """The worker's answers to these probes ([[name, args], ...]) in one round trip, or
        None when it gave none (a timeout, a crash, the budget): the worker is then started
        afresh, as after a crash but not counted as one, and the time is not charged to the
        submission, so that the test can run as if the batch had never been sent."""
        if self.broken is not None or not self.worker.alive:
            return None
        spent = self.worker.spent
        try:
            return self.worker.call_batch(calls)
        except (ProbeTimeout, WorkerDied, BudgetExceeded):
            self.worker.spent = spent
            self.worker.start()           # a new process: launch() ends the old one
            self.worker.spent = spent
            return None

    @contextmanager
    def serving(self, calls, answers):
        """Within: probe() answers from `answers`, which must be asked in the order of
        `calls` (a probe asked out of order raises Unserved). Answers are judged as probe()
        judges the worker's."""
        self._served = iter(zip(calls, answers))
        try:
            yield
        finally:
            self._served, self.noted = None, None

    def _serve(self, name, args):
        call, (kind, value) = next(self._served, (None, (None, None)))
        if call != [name, args]:
            raise Unserved(name)
        return self._judged(name, args, kind, value)

    def close(self):
        self.worker.close()


class Unserved(Exception):
    """A replay asked a probe that is not on record next: the record does not fit."""


class BadAnswer(ProbeError):
    """The learner's answer does not have the shape of the reference's: a failed test."""

    def __init__(self, problem):
        super().__init__({'type': 'BadAnswer', 'message': problem, 'where': ''})

    def describe(self):
        return f"returned {self.error['message']}"


# The probes whose reference answer takes long: stage 08's training run (about 0.5 s, as
# long as the learner's), which `probe` computes in a thread while it waits for the worker.
_SLOW_REFERENCE = frozenset({'train'})


def _reference_answer(name, args):
    """The reference's answer to the same probe and its JSON text (remembered, for reading
    only: judge.Reference), or (None, None) when the reference has none (a probe outside its
    domain: the suite decides what that means)."""
    try:
        return reference().remembered(name, args)
    except ProbeError:
        return None, None


def answer_problem(got, expected, leaves=False, depth=0):
    """Why `got` cannot stand where `expected` stands, or '' when it has the same shape.

    Containers must match (a dict has the reference's keys, a list holds items shaped
    like the reference's), and inside them numbers stand where the reference has numbers
    and text where it has text when `leaves` is true; a number beyond float range never
    passes.
    """
    if expected is None or depth > 40:
        return ''
    if isinstance(expected, bool):
        return ''
    if isinstance(expected, str):
        return '' if not leaves or isinstance(got, str) else f'{_kind(got)} where text was expected'
    if isinstance(expected, (int, float)):
        if leaves and type(got) not in (int, float):
            return f'{_kind(got)} where a number was expected'
        if type(got) is int and not -2 ** 1023 < got < 2 ** 1023:
            return 'an integer beyond the range of floats'
        return ''
    if isinstance(expected, dict):
        if not isinstance(got, dict) or '__unplain__' in got and '__unplain__' not in expected:
            return f'{_kind(got)} where a mapping with {_keys(expected)} was expected'
        missing = [k for k in expected if k not in got]
        if missing:
            return f'a mapping without {_keys(missing)}'
        for key in expected:
            problem = answer_problem(got[key], expected[key], leaves, depth + 1)
            if problem:
                return problem
        return ''
    if isinstance(expected, list):
        if not isinstance(got, list):
            return f'{_kind(got)} where a list was expected'
        if not expected:
            return ''
        for i, item in enumerate(got):
            problem = answer_problem(item, expected[i] if i < len(expected) else expected[-1],
                                     leaves, depth + 1)
            if problem:
                return problem
    return ''


def _kind(value):
    if isinstance(value, dict) and '__unplain__' in value:
        return f"a {value['__unplain__']} object"
    return {dict: 'a mapping', list: 'a list', str: 'a string', bool: 'a bool',
            type(None): 'None'}.get(type(value), 'a number')


def _keys(keys):
    return ', '.join(repr(k) for k in list(keys)[:6])


def _startup_problem(errors):
    """A message when executing the module failed for a reason other than unfinished exercises."""
    real = [e for e in errors if e['type'] != 'NotImplementedError']
    if not real:
        return None
    lines = []
    for error in real:
        where = error['where'] or error['cell']
        message = f": {error['message']}" if error['message'] else ''
        lines.append(f"running {where} raised {error['type']}{message}")
    return '; '.join(lines)


def open_submission(submission):
    """The probe side of a submission, or None when it ended before any test (status set)."""
    if submission.namespace is not None:
        return InProcess(submission.namespace)
    try:
        cells = stage_cells(submission.stage, submission.notebook,
                            source_dir=submission.source_dir)
    except NotebookProblem as problem:
        submission.stop(problem.status, problem.message)
        if submission.worker is not None:     # booted ahead for it: no longer needed
            submission.worker.close()
        return None
    side = Sandboxed(cells, submission.limits, submission.worker)
    try:
        report = side.start()
    except (ProbeTimeout, BudgetExceeded):
        side.close()
        submission.stop(TIMEOUT, budget_message(submission.limits))
        return None
    except WorkerDied as died:
        side.close()
        submission.stop(CRASHED, f'running your notebook failed: {died.reason}')
        return None
    submission.confinement = report.confinement
    died = [e for e in report.errors if e['type'] in PROCESS_DEATHS]
    if died:
        side.close()
        submission.stop(CRASHED, 'running your notebook ended its Python process: '
                        f"{died[0]['where'] or died[0]['cell']} raised {died[0]['type']}"
                        + (f": {died[0]['message']}" if died[0]['message'] else ''))
        return None
    problem = _startup_problem(report.errors)
    if problem:
        side.close()
        submission.stop(IMPORT_ERROR, problem)
        return None
    return side


def budget_message(limits):
    return (f'your notebook took longer than its time budget ({limits.budget_seconds:g} s) '
            'to run; is there an endless loop or a very long computation in a cell?')


# -- options, markers, parameters ----------------------------------------------------------

def pytest_addoption(parser):
    group = parser.getgroup('autograder', 'grading a notebook with a hidden suite')
    group.addoption('--notebook', action='append', default=[], metavar='PATH',
                    help='a notebook to grade with the suite (repeatable)')
    group.addoption('--source-dir', default=str(course.SOLUTIONS), metavar='DIR',
                    help='the source notebooks, for the given cells (default: solutions/)')


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'points(n, name, what): a hidden test worth n points, with its stable name '
                   'and what it exercises')


def stage_of(module):
    """The stage a suite module grades, from its file name (suite_04_backward.py)."""
    name = Path(module.__file__).stem
    for stage in course.STAGES:
        if stage.suite_name == name:
            return stage.id
    raise pytest.UsageError(f'{module.__file__} is not the suite of any stage in the manifest')


class Batch:
    """Given to pytest.main by the runner: the submissions, and collection failures (ours)."""

    def __init__(self, submissions):
        self.submissions = submissions
        self.problems = []

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config):
        # The plugin reads each failure from its exception; pytest's own report of it is
        # made in the cheapest style, `native` (the default, `long`, reads and parses the
        # source of every frame: about a fifth of a grading process's CPU).
        config.option.tbstyle = 'native'

    def pytest_collectreport(self, report):
        if report.failed:
            self.problems.append(str(report.longrepr))


def _batch(config):
    """The runner's Batch in this session, or None (pytest run on --notebook paths)."""
    return next((p for p in config.pluginmanager.get_plugins() if isinstance(p, Batch)), None)


def _submissions(config, stage):
    batch = _batch(config)
    if batch is not None:
        return batch.submissions
    notebooks = config.getoption('notebook')
    if not notebooks:
        raise pytest.UsageError('name the notebook to grade: --notebook PATH')
    source_dir = Path(config.getoption('source_dir'))
    return [Submission(str(path), stage, Path(path), source_dir) for path in notebooks]


def pytest_generate_tests(metafunc):
    if 'submission' in metafunc.fixturenames:
        submissions = _submissions(metafunc.config, stage_of(metafunc.module))
        metafunc.parametrize('submission', submissions, ids=[s.key for s in submissions],
                             indirect=True, scope='session')


def marker(item):
    mark = item.get_closest_marker('points')
    if mark is None or not mark.args or 'name' not in mark.kwargs:
        raise pytest.UsageError(f'{item.nodeid}: a hidden test needs '
                                "@pytest.mark.points(n, name='...', what='...')")
    return float(mark.args[0]), mark.kwargs['name'], mark.kwargs.get('what', mark.kwargs['name'])


# -- fixtures ------------------------------------------------------------------------------

@pytest.fixture(scope='session')
def submission(request):
    """The submission this test runs on; its worker lives as long as its tests do."""
    submission = request.param
    submission.side = open_submission(submission)
    _boot_next(request.config, submission)
    yield submission
    if submission.side is not None:
        try:
            if submission.diagnose and submission.status is None \
                    and any(not t.passed for t in submission.outcomes):
                from autograder import diagnosis  # only after a failure: ~40 ms to import
                submission.diagnostic_answers = diagnosis.ask(submission.side, submission.stage)
        finally:
            submission.side.close()


def _boot_next(config, current):
    """Boot the worker of the submission after `current` (in the runner's batch, which
    pytest follows) while `current` is graded."""
    batch = _batch(config)
    order = [id(s) for s in batch.submissions] if batch is not None else []
    if id(current) not in order:
        return
    later = batch.submissions[order.index(id(current)) + 1:]
    upcoming = next((s for s in later if s.status is None and s.notebook is not None), None)
    if upcoming is not None and upcoming.worker is None and upcoming.namespace is None:
        upcoming.worker = Worker.ahead(upcoming.limits)


@pytest.fixture
def sub(submission):
    """Probes on the learner's code."""
    if submission.status is not None or submission.side is None:
        pytest.skip(f'not graded: {submission.status}')
    submission.side.start_test()
    return submission.side


@pytest.fixture(scope='session')
def ref():
    """Probes on the reference, in this process."""
    return reference()


# -- turning reports into outcomes ---------------------------------------------------------

def _first_leaf(error):
    """Hypothesis may group several failures; the first one speaks for them."""
    while isinstance(getattr(error, 'exceptions', None), (list, tuple)) and error.exceptions:
        error = error.exceptions[0]
    return error


def feedback(error, what):
    """(message, figure) for a learner-caused failure, or None when the grader failed."""
    if isinstance(error, ReferenceFailed):
        return None
    if isinstance(error, Fail):
        return error.message, error.figure_svg
    if isinstance(error, ProbeError):
        return f'{what}: your code {error.describe()}', None
    if isinstance(error, ProbeTimeout):
        return f'{what}: your code took longer than {error.seconds:g} s (an endless loop?)', None
    if isinstance(error, WorkerDied):
        return f'{what}: {error.reason}', None
    if isinstance(error, pytest.fail.Exception):
        return error.msg, None
    if isinstance(error, AssertionError):
        # With pytest's assertion rewriting the message is followed by its explanation.
        return str(error).split('\nassert ', 1)[0], None
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    submission = getattr(item, 'callspec', None) and item.callspec.params.get('submission')
    if not isinstance(submission, Submission):
        return report
    if call.when == 'setup' and call.excinfo is not None \
            and not call.excinfo.errisinstance(pytest.skip.Exception):
        submission.stop(GRADER_ERROR, _error_text(call.excinfo.value),
                        ''.join(traceback.format_exception(call.excinfo.value)))
    if call.when != 'call' or submission.status is not None:
        return report
    points, name, what = marker(item)
    outcome = TestOutcome(name, points, 0.0, False)
    if call.excinfo is None:
        outcome.passed, outcome.points = True, points
    else:
        error = _first_leaf(call.excinfo.value)
        if isinstance(error, BudgetExceeded):
            submission.stop(TIMEOUT, budget_message(submission.limits))
            return report
        if isinstance(error, ProbeTimeout):
            submission.stop(TIMEOUT, f'{what}: your code took longer than {error.seconds:g} s '
                            '(an endless loop?)')
            return report
        if isinstance(error, WorkerDied) and error.final:
            submission.stop(CRASHED, f'{what}: {error.reason}')
            return report
        if _reference_failed(error):
            error = _reference_failed(error)
        explained = feedback(error, what)
        noted = getattr(submission.side, 'noted', None)
        if explained is None and noted and not isinstance(error, ReferenceFailed):
            explained = f'{what}: your code returned {noted}', None
        if explained is None:
            submission.stop(GRADER_ERROR, _error_text(error),
                            ''.join(traceback.format_exception(error)))
            return report
        outcome.feedback, outcome.figure_svg = explained
    submission.outcomes.append(outcome)
    return report


def _reference_failed(error):
    """The reference's own failure behind a test's error (a suite may have wrapped it as
    if the learner's code raised it), or None."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, ReferenceFailed):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _error_text(error):
    return f'{type(error).__name__}: {error}'
