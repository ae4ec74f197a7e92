"""The hidden suites against the course's own notebooks and the catalogue of typical bugs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.bugs import CATALOGUE, write_buggy_notebook
from autograder.course import STAGE_IDS as STAGES
from autograder.course import stage as course_stage
from autograder.results import GRADED
from autograder.runner import run_stage

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / 'solutions'
LESSONS = ROOT / 'lessons'


def notebook(folder, stage):
    path = folder / stage / f'{stage}.ipynb'
    assert path.is_file(), f'{path} is missing'
    return path


def test_solution_scores_full_marks(stage):
    result = run_stage(stage, notebook(SOLUTIONS, stage))
    failed = {t.name: t.feedback for t in result.tests if not t.passed}
    assert (result.status, failed) == (GRADED, {})
    assert result.score == result.max_score == course_stage(stage).max_score > 0
    assert len(result.tests) >= 6


def test_untouched_lesson_scores_zero_without_crashing(stage):
    result = run_stage(stage, notebook(LESSONS, stage))
    assert result.status == GRADED, result.message
    assert result.score == 0
    assert all('not done yet' in t.feedback for t in result.tests), \
        [t.feedback for t in result.tests]


def test_the_catalogue_is_large_and_spans_every_stage():
    # Every bug is graded in tests/test_catalogue.py, one session per stage.
    assert len(CATALOGUE) >= 90
    assert {bug.stage for bug in CATALOGUE} == set(STAGES)


def test_a_wrong_gradient_comes_with_the_smallest_program_and_its_graph(tmp_path):
    bug = next(b for b in CATALOGUE if b.name == 'tanh-derivative-from-input')
    notebook(SOLUTIONS, bug.stage)
    path = write_buggy_notebook(bug, SOLUTIONS, tmp_path / f'{bug.stage}.ipynb')
    tests = {t.name: t for t in run_stage(bug.stage, path).tests}
    random = tests['backward-programs']
    assert not random.passed
    # Shrunk: one tanh on one input, the learner's and the expected grad side by side.
    assert random.feedback.startswith('for b = a.tanh() at a = ')
    assert 'your a.grad is' in random.feedback and 'expected' in random.feedback
    assert random.figure_svg.lstrip().startswith(('<?xml', '<svg'))
    assert 'your grad' in random.figure_svg and 'expected' in random.figure_svg


def test_feedback_names_the_value_the_rule_and_the_fix(tmp_path):
    bug = next(b for b in CATALOGUE if b.name == 'grad-assigned-not-accumulated')
    notebook(SOLUTIONS, bug.stage)
    path = write_buggy_notebook(bug, SOLUTIONS, tmp_path / f'{bug.stage}.ipynb')
    tests = {t.name: t for t in run_stage(bug.stage, path).tests}
    assert tests['backward-accumulate'].feedback.startswith(
        'for b = a * a at a = 3.0 your a.grad is 3.0, expected 6.0: when a node is used twice '
        'its gradient must accumulate')


def test_stage_isolation_given_cells_come_from_the_source(tmp_path):
    """A learner's broken copy of the given engine does not cost points in a later stage."""
    stage = '05-neuron'
    nb = json.loads(notebook(SOLUTIONS, stage).read_text())
    for cell in nb['cells']:
        if 'given' in cell['metadata'].get('tags', []):
            cell['source'] = 'raise RuntimeError("broken")\n'
    path = tmp_path / f'{stage}.ipynb'
    path.write_text(json.dumps(nb))
    result = run_stage(stage, path)
    assert result.score == result.max_score


def _grade_in_subprocess(stage, path, hash_seed):
    code = ('import json, sys; from autograder.runner import run_stage; '
            'print(json.dumps(run_stage(sys.argv[1], sys.argv[2]).to_dict(), sort_keys=True))')
    env = dict(os.environ, PYTHONHASHSEED=str(hash_seed))
    return subprocess.run([sys.executable, '-c', code, stage, str(path)], env=env, check=True,
                          capture_output=True, text=True).stdout


def test_same_submission_same_result_whatever_the_hash_seed(tmp_path):
    bug = next(b for b in CATALOGUE if b.name == 'pow-derivative-without-minus-one')
    notebook(SOLUTIONS, bug.stage)
    path = write_buggy_notebook(bug, SOLUTIONS, tmp_path / f'{bug.stage}.ipynb')
    first = _grade_in_subprocess(bug.stage, path, 1)
    assert first == _grade_in_subprocess(bug.stage, path, 4242)
    assert '"passed": false' in first


@pytest.mark.slow
def test_the_hidden_cell_runs_the_same_suite_in_nbgrader_s_kernel(tmp_path):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    bug = next(b for b in CATALOGUE if b.name == 'pow-derivative-without-minus-one')
    path = write_buggy_notebook(bug, SOLUTIONS, tmp_path / f'{bug.stage}.ipynb')
    nb = nbformat.read(path, as_version=4)
    # Only the module cells and the hidden cell: the visible tests would stop at the bug first.
    keep = [c for c in nb.cells if c.cell_type == 'code' and (
        'given' in c.metadata.get('tags', []) or c.metadata['nbgrader'].get('solution')
        or c.metadata['nbgrader']['grade_id'] == f'hidden-{bug.stage}')]
    nb.cells = keep
    with pytest.raises(CellExecutionError) as caught:
        NotebookClient(nb, timeout=120, resources={'metadata': {'path': str(tmp_path)}}).execute()
    assert 'backward-pow: for b = a**3 at a = 2.0 your a.grad is 24.0, expected 12.0' \
        in str(caught.value)


def test_hidden_suites_are_never_collected_nor_released():
    suites = ROOT / 'autograder' / 'suites'
    names = [p.name for p in suites.glob('*.py')]
    assert sum(name.startswith('suite_') for name in names) == len(STAGES)
    # pytest's default python_files are test_*.py and *_test.py; testpaths is tests/ only.
    assert not [n for n in names if n.startswith('test_') or n.endswith('_test.py')]
    released = '\n'.join(p.read_text(encoding='utf-8') for p in LESSONS.rglob('*')
                         if p.is_file())
    for secret in ('check_in_kernel', 'autograder.suites', 'autograder.inkernel', '@test('):
        assert secret not in released


def _grading_row(title):
    """The numbers of one row of the grading guide's catalogue table, per stage."""
    text = (ROOT / 'docs' / 'grading.md').read_text(encoding='utf-8')
    line = next(line for line in text.splitlines() if line.startswith(f'| {title} |'))
    return [int(cell) for cell in line.strip('|').split('|')[1:-1]]


def test_the_grading_guide_lists_every_hidden_test_and_the_catalogue_sizes():
    import re
    from collections import Counter

    from test_learner_mistakes import MISTAKES

    from autograder.course import STAGES as STAGE_LIST

    text = (ROOT / 'docs' / 'grading.md').read_text(encoding='utf-8')
    for stage in STAGE_LIST:
        row = next(line for line in text.splitlines() if line.startswith(f'| {stage.id} |'))
        assert f'| {stage.max_score} |' in row, stage.id
        for name in re.findall(r"name='([^']+)'", stage.suite_path.read_text()):
            assert f'`{name}`' in row, (stage.id, name)
    catalogued = Counter(bug.stage for bug in CATALOGUE)
    assert _grading_row('catalogued bugs') == [catalogued[s] for s in STAGES]
    written = Counter(m[0] for m in MISTAKES)
    assert _grading_row('hand-written mistakes') == [written[s] for s in STAGES]


@pytest.mark.parametrize('bug_name, test, says, never', [
    # The order is right: the topological-order test names _backward, not the order.
    ('grad-assigned-not-accumulated', 'backward-topological-order',
     '_topological_order() is right', 'reverse topological order'),
    # One weight used nin times is __init__'s mistake, wherever it shows.
    ('shared-weight', 'neuron-parameters', '__init__ makes one weight', 'parameters() must'),
    ('layer-shared-neuron', 'layer-parameters', '__init__ makes one neuron', 'parameters() must'),
])
def test_feedback_does_not_blame_a_function_that_is_right(bug_name, test, says, never,
                                                          tmp_path):
    bug = next(b for b in CATALOGUE if b.name == bug_name)
    path = write_buggy_notebook(bug, SOLUTIONS, tmp_path / f'{bug.stage}.ipynb')
    tests = {t.name: t for t in run_stage(bug.stage, path).tests}
    assert says in tests[test].feedback
    assert not any(never in t.feedback for t in tests.values())


def test_a_parameters_order_mistake_does_not_fail_the_init_test(tmp_path):
    bug = next(b for b in CATALOGUE if b.name == 'bias-listed-first')
    path = write_buggy_notebook(bug, SOLUTIONS, tmp_path / f'{bug.stage}.ipynb')
    tests = {t.name: t for t in run_stage(bug.stage, path).tests}
    assert tests['neuron-init'].passed
    assert not tests['neuron-forward'].passed
