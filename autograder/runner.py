"""Grade one stage of one notebook: extract, start the sandbox, run the hidden suite, score.

`run_stage` is the one entry point every front end uses (`check`, `grade`). It never
raises for anything a learner can hand in: every problem becomes a status and a
message in the StageResult. Only a bug or misconfiguration of the grader raises.
"""

import importlib
from pathlib import Path

from autograder.judge import Fail, ProbeError, reference, tests_of
from autograder.notebook import NotebookProblem, stage_cells
from autograder.results import CRASHED, GRADED, IMPORT_ERROR, TIMEOUT, StageResult, TestOutcome
from autograder.sandbox import REPO_ROOT, BudgetExceeded, Limits, ProbeTimeout, Worker, WorkerDied

STAGES = ('01-value', '02-operations', '03-graph', '04-backward',
          '05-neuron', '06-layer', '07-mlp', '08-training')
MAX_RESTARTS = 3     # a worker that dies more often than this is not restarted again


def suite(stage):
    """The hidden suite module of a stage, e.g. autograder.suites.suite_04_backward."""
    if stage not in STAGES:
        raise ValueError(f'unknown stage {stage!r}; the stages are {", ".join(STAGES)}')
    number, name = stage.split('-', 1)
    return importlib.import_module(f'autograder.suites.suite_{number}_{name.replace("-", "_")}')


def max_score(stage):
    return float(sum(t.points for t in tests_of(suite(stage))))


class Sandboxed:
    """The learner's side of the probes: one worker, restarted if a test kills it.

    After a timeout or a crash the rest of that test fails fast with the same error,
    so Hypothesis's shrinking does not wait for a timeout on every example.
    """

    def __init__(self, cells, limits):
        self.worker = Worker(cells, limits)
        self.restarts = 0
        self.broken = None

    def start(self):
        return self.worker.start()

    def start_test(self):
        self.broken = None
        if not self.worker.alive:
            if self.restarts >= MAX_RESTARTS:
                self.broken = WorkerDied(f'your code ended the Python process {MAX_RESTARTS + 1} '
                                         'times; the remaining tests were not run')
                return
            self.restarts += 1
            self.worker.start()

    def probe(self, name, timeout=None, **args):
        if self.broken is not None:
            raise self.broken
        try:
            kind, value = self.worker.call(name, args, timeout)
        except (ProbeTimeout, WorkerDied, BudgetExceeded) as error:
            self.broken = error
            raise
        if kind == 'error':
            raise ProbeError(value)
        return value

    def close(self):
        self.worker.close()


def _first_leaf(error):
    """Hypothesis may group several failures; the first one speaks for them."""
    while isinstance(getattr(error, 'exceptions', None), (list, tuple)) and error.exceptions:
        error = error.exceptions[0]
    return error


def run_test(function, sub, ref):
    """One TestOutcome; BudgetExceeded propagates (the whole submission is out of time)."""
    outcome = TestOutcome(function.test_name, float(function.points), 0.0, False)
    sub.start_test()
    try:
        function(sub, ref)
    except BaseException as caught:   # noqa: B036 - Hypothesis may wrap anything in a group
        error = _first_leaf(caught)
        if isinstance(error, BudgetExceeded):
            raise error from None
        if isinstance(error, Fail):
            outcome.feedback, outcome.figure_svg = error.message, error.figure_svg
        elif isinstance(error, ProbeError):
            outcome.feedback = f'{function.what}: your code {error.describe()}'
        elif isinstance(error, ProbeTimeout):
            outcome.feedback = (f'{function.what}: your code took longer than '
                                f'{error.seconds:g} s (an endless loop?)')
        elif isinstance(error, WorkerDied):
            outcome.feedback = f'{function.what}: {error.reason}'
        else:
            raise
        return outcome
    outcome.passed, outcome.points = True, outcome.max_points
    return outcome


def run_suite(stage, sub, ref=None):
    """Every test of the stage's suite against `sub`: a list of TestOutcomes."""
    ref = ref or reference()
    return [run_test(function, sub, ref) for function in tests_of(suite(stage))]


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


def _resolve(source_dir):
    source_dir = Path(source_dir)
    if not source_dir.is_dir() and not source_dir.is_absolute():
        source_dir = REPO_ROOT / source_dir
    return source_dir


def run_stage(stage, notebook_path, *, source_dir=Path('solutions'), timeout=None):
    """Grade `stage` of the notebook at notebook_path; `timeout` is the submission's budget in s."""
    total = max_score(stage)

    def result(status, message='', tests=()):
        tests = list(tests)
        score = sum(t.points for t in tests) if status == GRADED else 0.0
        return StageResult(stage, status, float(score), total, tests, message)

    source_dir = _resolve(source_dir)
    try:
        cells = stage_cells(stage, notebook_path, source_dir=source_dir)
    except NotebookProblem as problem:
        return result(problem.status, problem.message)

    limits = Limits(budget_seconds=timeout) if timeout else Limits()
    sub = Sandboxed(cells, limits)
    outcomes = []
    try:
        report = sub.start()
        problem = _startup_problem(report.errors)
        if problem:
            return result(IMPORT_ERROR, problem)
        for function in tests_of(suite(stage)):
            outcomes.append(run_test(function, sub, reference()))
    except (ProbeTimeout, BudgetExceeded):
        return result(TIMEOUT, f'your notebook took longer than its time budget '
                               f'({limits.budget_seconds:g} s) to run; is there an endless loop '
                               'or a very long computation in a cell?', outcomes)
    except WorkerDied as died:
        return result(CRASHED, f'running your notebook failed: {died.reason}')
    finally:
        sub.close()
    return result(GRADED, tests=outcomes)
