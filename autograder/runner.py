"""Grade stages of notebooks: one pytest session runs a stage's hidden suite on many submissions.

`run_batch` is what every front end uses (`check` with one notebook, `grade` with a
chunk of a class, the hidden cell in-kernel); `run_stage` is its one-notebook form.
Nothing a learner hands in makes these raise: every problem becomes a status and a
message in the StageResult. A failure of the grader itself (a bug in a suite, a
broken source notebook) becomes `grader_error` with its traceback, never the learner's.
"""

import os
from pathlib import Path

import pytest

from autograder import course
from autograder.plugin import Batch, Submission
from autograder.results import GRADED, GRADER_ERROR, StageResult
from autograder.sandbox import Limits

# AUTOGRADER_DIAGNOSIS=off grades without root-cause diagnosis: for benchmarks/diagnosis.py,
# which times grading with and without it; grades that count always use it.
DIAGNOSIS = os.environ.get('AUTOGRADER_DIAGNOSIS', 'on') != 'off'
# No plugin of the environment (xdist, the project's own settings) takes part: the suites'
# pytest.ini and conftest.py are all the configuration a grading session has. The plugin
# the unraisable-exception plugin is off because its clean-up runs the cyclic collector
# five times at the end of every session (about 10 ms per submission in a chunk of 8).
# Nor are the built-in plugins that serve options, fixtures or test kinds the suites do not
# use (pdb, unittest classes, doctests, JUnit XML, tmp_path, monkeypatch, ...): loading
# them is about 25 ms CPU per session. The suites log nothing, so no log capture either
# (its handlers are set up around every phase of every test).
UNUSED_PLUGINS = ('cacheprovider', 'faulthandler', 'terminal', 'warnings',
                  'unraisableexception', 'threadexception', 'debugging', 'unittest',
                  'pastebin', 'junitxml', 'doctest', 'setuponly', 'setupplan', 'stepwise',
                  'legacypath', 'tmpdir', 'monkeypatch', 'recwarn', 'subtests', 'logging')
SESSION_ARGS = tuple(arg for name in UNUSED_PLUGINS for arg in ('-p', f'no:{name}'))


def run_batch(stage_id, submissions, *, capture='sys'):
    """Run stage_id's suite on every Submission; fill in their outcomes and statuses."""
    stage = course.stage(stage_id)
    batch = Batch(submissions)
    saved = os.environ.get('PYTEST_DISABLE_PLUGIN_AUTOLOAD')
    os.environ['PYTEST_DISABLE_PLUGIN_AUTOLOAD'] = '1'
    try:
        code = pytest.main([str(stage.suite_path), *SESSION_ARGS, f'--capture={capture}',
                            '--rootdir', str(course.SUITES)], plugins=[batch])
    finally:
        if saved is None:
            os.environ.pop('PYTEST_DISABLE_PLUGIN_AUTOLOAD', None)
        else:
            os.environ['PYTEST_DISABLE_PLUGIN_AUTOLOAD'] = saved
    for submission in submissions:      # a worker launched early whose tests never ran
        if submission.worker is not None and submission.side is None:
            submission.worker.close()
    if code == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or batch.problems:
        why = '\n'.join(batch.problems) or f'pytest ended with {code!r}'
        for submission in submissions:
            submission.stop(GRADER_ERROR, f'the hidden suite of {stage_id} could not run',
                            why)
    return [result_of(submission) for submission in submissions]


def result_of(submission):
    """The StageResult of a graded Submission: score counts only when the suite ran to the end."""
    status = submission.status or GRADED
    tests = [] if status == GRADER_ERROR else list(submission.outcomes)
    found = None
    # The diagnosis package (about 40 ms to import) only for a failure it may explain: it
    # diagnoses nothing when every test passed or no diagnostic answers were asked.
    if status == GRADED and submission.diagnostic_answers is not None \
            and any(not t.passed for t in tests):
        from autograder import diagnosis
        from autograder.diagnosis.credit import credited
        found = diagnosis.diagnose(submission.stage, submission.diagnostic_answers, tests)
        tests = credited(tests, found)
    score = sum(t.points for t in tests) if status == GRADED else 0.0
    level = (submission.confinement or {}).get('level', '')
    return StageResult(submission.stage, status, float(score),
                       float(course.stage(submission.stage).max_score), tests, submission.message,
                       confinement=level, diagnosis=found)


def submission(stage_id, notebook, *, key=None, source_dir=course.SOLUTIONS, timeout=None,
               worker=None):
    """A Submission of a notebook file, with the time budget in seconds (None: the default);
    worker: its Worker, if one was launched already (as `autograder check` does)."""
    return Submission(key or str(notebook), stage_id, Path(notebook), Path(source_dir),
                      Limits.with_budget(timeout), diagnose=DIAGNOSIS, worker=worker)


def run_stage(stage_id, notebook, *, source_dir=course.SOLUTIONS, timeout=None, worker=None):
    """Grade stage_id of the notebook at notebook (a path); `timeout` is its budget in s."""
    return run_batch(stage_id, [submission(stage_id, notebook, source_dir=source_dir,
                                           timeout=timeout, worker=worker)])[0]


def run_in_kernel(stage_id, namespace):
    """The suite on objects of this very process (a notebook's kernel): its TestOutcomes."""
    inside = Submission('kernel', stage_id, namespace=namespace)
    result = run_batch(stage_id, [inside], capture='no')
    if inside.grader_traceback:
        raise RuntimeError(f'the grader failed: {result[0].message}\n{inside.grader_traceback}')
    return result[0].tests
