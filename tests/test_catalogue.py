"""Every catalogued bug, graded as a submission and run through the lesson's own check cells.

Hidden ⊇ visible: each bug loses points in its own stage and its named test fails with
feedback that names it, so a bug that a visible check cell catches is always caught by
the hidden suite too (the failure message says which check cells caught it). One grading
session per stage (autograder.runner.run_batch) and one subprocess per stage for the
visible checks keep this to a few minutes.
"""

import json
import subprocess
import sys
from collections import Counter
from functools import lru_cache

import pytest
from test_autograder_suites import _grading_row

from autograder import course
from autograder.bugs import CATALOGUE, write_buggy_notebook
from autograder.results import GRADED
from autograder.runner import run_batch, submission

STAGES = course.STAGE_IDS
MIN_PER_STAGE = 8

# Runs a notebook's given, exercise and visible check cells in order, in a fresh namespace per
# notebook; prints {path: [grade_id of every check cell that failed]} as JSON.
VISIBLE_CHECKS = r'''
import contextlib, io, json, sys
from autograder import cells

failed = {}
for path in sys.argv[1:]:
    notebook = json.load(open(path, encoding='utf-8'))
    namespace, failures = {'__name__': '__main__'}, []
    for cell in notebook['cells']:
        kind = cells.kind(cell)
        if kind not in ('given', 'exercise', 'test'):
            continue
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(cells.source(cell), cells.grade_id(cell) or 'cell', 'exec'),
                     namespace)
        except BaseException as error:
            if kind == 'test':
                failures.append(cells.grade_id(cell))
    failed[path] = failures
print(json.dumps(failed))
'''


@lru_cache(maxsize=None)
def graded(stage, folder):
    """{bug name: StageResult} for every catalogued bug of the stage, in one session."""
    from pathlib import Path
    bugs = [b for b in CATALOGUE if b.stage == stage]
    subs = [submission(stage, write_buggy_notebook(
        b, course.SOLUTIONS, Path(folder) / b.name / stage / f'{stage}.ipynb'), key=b.name)
        for b in bugs]
    return dict(zip((b.name for b in bugs), run_batch(stage, subs)))


@lru_cache(maxsize=None)
def visible(stage, folder):
    """{bug name: failing visible check cells}, plus the solution's under the key None."""
    from pathlib import Path
    bugs = [b for b in CATALOGUE if b.stage == stage]
    paths = {b.name: str(Path(folder) / b.name / stage / f'{stage}.ipynb') for b in bugs}
    for bug in bugs:
        write_buggy_notebook(bug, course.SOLUTIONS, paths[bug.name])
    paths[None] = str(course.stage(stage).source)
    out = subprocess.run([sys.executable, '-c', VISIBLE_CHECKS, *paths.values()],
                         capture_output=True, text=True, timeout=900, check=True).stdout
    failed = json.loads(out)
    return {name: failed[path] for name, path in paths.items()}


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    return str(tmp_path_factory.mktemp('catalogue'))


def test_the_catalogue_has_at_least_eight_honest_mistakes_per_stage():
    counts = Counter(bug.stage for bug in CATALOGUE)
    assert len(CATALOGUE) >= 90
    assert all(counts[stage] >= MIN_PER_STAGE for stage in STAGES), counts
    assert len({bug.name for bug in CATALOGUE}) == len(CATALOGUE)
    assert [bug.stage for bug in CATALOGUE] == sorted(bug.stage for bug in CATALOGUE)
    for bug in CATALOGUE:
        assert bug.summary and bug.fix and bug.says, bug.name
        assert len(bug.summary) <= 80, bug.name


@pytest.mark.slow
@pytest.mark.parametrize('stage', STAGES)
def test_every_bug_loses_points_and_every_visible_catch_is_a_hidden_catch(stage, folder):
    results, checks = graded(stage, folder), visible(stage, folder)
    problems = []
    for name, result in results.items():
        bug = next(b for b in CATALOGUE if b.name == name)
        failed = {t.name: t.feedback for t in result.tests if not t.passed}
        if result.status != GRADED or not result.score < result.max_score:
            problems.append(f'{name}: {result.status} {result.score}/{result.max_score}'
                            + (f' although {checks[name]} fail' if checks[name] else ''))
        elif bug.test not in failed or bug.says not in failed[bug.test]:
            problems.append(f'{name}: {bug.test} says {failed.get(bug.test, "(passed)")!r}')
        elif any('Traceback' in text for text in failed.values()):
            problems.append(f'{name}: a traceback in the feedback')
    assert problems == []
    assert checks.pop(None) == [], 'the solution must pass its own check cells'
    # The visible checks catch some bugs; the hidden suite catches every one of them, and more.
    caught = sum(bool(failed) for failed in checks.values())
    assert caught > 0
    assert caught == _grading_row('of them caught by the visible check cells')[
        STAGES.index(stage)], 'update the catalogue table in docs/grading.md'
