"""From notebooks to the stage module, and the statuses of notebooks that cannot be graded."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.intake import NotebookProblem, module_text, stage_cells
from autograder.results import MALFORMED_NOTEBOOK, MISSING_NOTEBOOK, SYNTAX_ERROR
from autograder.runner import run_stage

ROOT = Path(__file__).resolve().parent.parent


def cell(source, grade_id=None, *, given=False, solution=False, grade=False):
    code = new_code_cell(source)
    if grade_id:
        code.metadata['nbgrader'] = {'grade_id': grade_id, 'solution': solution, 'grade': grade,
                                     'locked': not solution, 'schema_version': 3}
    if given:
        code.metadata['tags'] = ['given']
    return code


def write(path, cells):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=cells), str(path))
    return path


@pytest.fixture
def source_dir(tmp_path):
    """A stage '01-value' following the cell contract of solutions/README.md."""
    write(tmp_path / 'source' / '01-value' / '01-value.ipynb', [
        new_markdown_cell('# Stage 1'),
        cell('class Value:\n    pass\n', 'given-value', given=True),
        cell('def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n',
             'ex-double', solution=True),
        cell('assert double(2) == 4\n', 'test-double', grade=True),
        cell('print(double(21))\n', 'demo'),
        cell('HALF = 0.5\n', 'given-half', given=True),
        cell('def triple(x):\n    return 3 * x\n', 'ex-triple', solution=True),
    ])
    return tmp_path / 'source'


def test_module_is_given_cells_from_the_source_and_exercises_from_the_learner(
        source_dir, tmp_path):
    learner = write(tmp_path / 'learner.ipynb', [
        cell('def triple(x):\n    %time pass\n    return x + x + x\n', 'ex-triple',
             solution=True),                        # reordered, with an IPython magic
        cell('class Value:\n    HACKED = True\n', 'given-value', given=True),
        cell('def double(x):\n    return x * 2\n', 'ex-double', solution=True),
        cell('assert True\n', 'test-double', grade=True),
    ])
    cells = stage_cells('01-value', learner, source_dir=source_dir)
    assert [c.label for c in cells] == ['given cell 2', "your cell 'ex-double'", 'given cell 6',
                                        "your cell 'ex-triple'"]
    text = module_text(cells)
    assert 'HACKED' not in text and 'class Value:\n    pass' in text
    assert 'return x * 2' in text and 'print(' not in text and 'assert' not in text
    assert '    pass  # %time pass' in text


def problem(stage, path, source_dir):
    with pytest.raises(NotebookProblem) as caught:
        stage_cells(stage, path, source_dir=source_dir)
    return caught.value


def test_notebooks_that_cannot_become_a_module(source_dir, tmp_path):
    assert problem('01-value', tmp_path / 'nope.ipynb', source_dir).status == MISSING_NOTEBOOK
    broken = tmp_path / 'broken.ipynb'
    broken.write_text('{"cells": [')
    assert problem('01-value', broken, source_dir).status == MALFORMED_NOTEBOOK
    old = tmp_path / 'old.ipynb'
    old.write_text(json.dumps({'nbformat': 3, 'worksheets': []}))
    assert problem('01-value', old, source_dir).status == MALFORMED_NOTEBOOK
    partial = write(tmp_path / 'partial.ipynb', [cell('x = 1\n', 'ex-double', solution=True)])
    found = problem('01-value', partial, source_dir)
    assert found.status == MALFORMED_NOTEBOOK and "'ex-triple'" in found.message
    bad = write(tmp_path / 'bad.ipynb', [
        cell('def double(x):\n    return 2 * x\n', 'ex-double', solution=True),
        cell('def triple(x):\n    return 3 * x +\n', 'ex-triple', solution=True)])
    found = problem('01-value', bad, source_dir)
    assert found.status == SYNTAX_ERROR
    assert found.message.startswith("SyntaxError in your cell 'ex-triple', line 2")


def test_run_stage_turns_every_notebook_problem_into_a_status(tmp_path):
    assert run_stage('01-value', tmp_path / 'missing.ipynb').status == MISSING_NOTEBOOK
    garbage = tmp_path / 'garbage.ipynb'
    garbage.write_bytes(b'\xff\xfe not a notebook')
    result = run_stage('01-value', garbage)
    assert (result.status, result.score, result.max_score) == (MALFORMED_NOTEBOOK, 0, 8)
    nb = json.loads((ROOT / 'solutions/01-value/01-value.ipynb').read_text())
    for c in nb['cells']:
        if c['metadata'].get('nbgrader', {}).get('grade_id') == 'value-repr':
            c['source'] = 'def __repr__(self)\n    return "?"\n'
    broken = tmp_path / 'syntax.ipynb'
    broken.write_text(json.dumps(nb))
    result = run_stage('01-value', broken)
    assert result.status == SYNTAX_ERROR and "'value-repr', line 1" in result.message
    with pytest.raises(ValueError):
        run_stage('09-nothing', broken)


def check(*args):
    return subprocess.run([sys.executable, '-m', 'autograder.cli', 'check', *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)


@pytest.mark.slow
def test_check_prints_each_test_and_exits_0_only_when_all_pass(tmp_path):
    passing = check('01-value', ROOT / 'solutions/01-value/01-value.ipynb')
    assert passing.returncode == 0, passing.stderr
    assert passing.stdout.startswith('01-value: 8/8 points')
    assert '  PASS  value-grad  1/1' in passing.stdout
    failing = check('01-value')                    # the untouched lesson, by default
    assert failing.returncode == 1
    assert '01-value: 0/8 points' in failing.stdout
    assert '  FAIL  numerical-derivative  0/2' in failing.stdout
    assert 'this exercise is not done yet' in failing.stdout
    missing = check('01-value', tmp_path / 'none.ipynb')
    assert missing.returncode == 1 and '(missing_notebook)' in missing.stdout


def test_check_leaves_the_learners_folder_as_it_found_it(tmp_path):
    notebook = tmp_path / '04-backward.ipynb'
    notebook.write_bytes((ROOT / 'solutions/04-backward/04-backward.ipynb').read_bytes())
    result = subprocess.run([sys.executable, '-m', 'autograder.cli', 'check', '04-backward',
                             notebook.name], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ['04-backward.ipynb']   # no .hypothesis/
