"""The lessons: every solution notebook works, and lessons/ is its faithful, solution-free release.

Parametrised over every stage folder in solutions/, so new stages are covered as they appear.
"""

import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from functools import cache

import nbformat
import pytest
from lessons_util import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    LESSONS,
    ROOT,
    errors,
    execute,
    grading,
    kind,
    lesson_path,
    module_source,
    read,
    region_lines,
    release_source,
    source_path,
    text_output,
)

from autograder.course import stage as course_stage
from autograder.release import dumps, find_stages, normalise, release_to_temp

STAGES = find_stages(ROOT)


def test_stages_are_found():
    assert STAGES[:4] == ['01-value', '02-operations', '03-graph', '04-backward']


# -- structure (fast) ----------------------------------------------------------------


NOTEBOOKS = [source_path(s) for s in STAGES] + [lesson_path(s) for s in STAGES]


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: f'{p.parent.parent.name}/{p.name}')
def test_notebook_is_valid_with_nbgrader_metadata(path):
    nb = read(path)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    stage = path.stem
    code_cells = [cell for cell in nb.cells if cell.cell_type == 'code']
    grade_ids = [grading(cell).get('grade_id') for cell in code_cells]
    assert all(grade_ids), 'every code cell needs nbgrader metadata with a grade_id'
    duplicates = [gid for gid, n in Counter(grade_ids).items() if n > 1]
    assert not duplicates, f'grade_ids must be unique within a notebook: {duplicates}'
    kinds = Counter(kind(cell) for cell in nb.cells)
    assert kinds['given'] and kinds['exercise'] and kinds['test'], kinds
    assert kinds['hidden'] == 1, f'expected exactly one hidden test cell, got {kinds["hidden"]}'
    is_source = path.is_relative_to(ROOT / 'solutions')
    for cell in code_cells:
        meta, cell_kind = grading(cell), kind(cell)
        assert meta.get('schema_version') == 3
        assert meta.get('locked') is (cell_kind != 'exercise'), (
            f'{meta["grade_id"]}: only exercise cells may be unlocked')
        if cell_kind == 'exercise':
            assert not meta.get('grade'), f'{meta["grade_id"]}: exercise cells are not graded'
            marker = BEGIN_SOLUTION if is_source else 'raise NotImplementedError()'
            assert marker in cell.source, f'{meta["grade_id"]}: no {marker!r}'
        if cell_kind == 'test':
            assert meta['grade_id'].startswith('test-') and meta.get('points', 0) > 0, meta
        if cell_kind == 'hidden':
            assert meta['grade_id'] == f'hidden-{stage}'
            assert (BEGIN_HIDDEN in cell.source) is is_source
        if cell_kind == 'given':
            assert not meta.get('solution') and not meta.get('grade'), meta


@pytest.mark.parametrize('stage', STAGES)
def test_lesson_is_the_source_without_its_answers(stage):
    source, lesson = read(source_path(stage)), read(lesson_path(stage))
    assert [c.get('id') for c in lesson.cells] == [c.get('id') for c in source.cells]
    for src, out in zip(source.cells, lesson.cells):
        assert out.cell_type == src.cell_type
        assert kind(out) == kind(src)
        if kind(src) in ('markdown', 'given', 'test', 'demo'):
            assert out.source == src.source, f'cell {src.get("id")} changed in the release'
        else:
            assert out.source == release_source(src.source), f'cell {src.get("id")}'
        for key in ('grade_id', 'solution', 'grade', 'locked', 'points'):
            assert grading(out).get(key) == grading(src).get(key), (src.get('id'), key)
    assert lesson.metadata.kernelspec.name == 'python3'


@cache
def _split_lines(stage):
    """(solution lines, public lines) of a stage's source notebook, stripped."""
    inside, outside = set(), set()
    for cell in read(source_path(stage)).cells:
        solution = {line.strip() for line in
                    region_lines(cell.source, BEGIN_SOLUTION, END_SOLUTION)}
        inside |= solution
        outside |= {line.strip() for line in cell.source.splitlines()} - solution
    return inside, outside


@cache
def _secret_lines(stage):
    """Lines only this stage's solution regions show: not public in it or an earlier stage."""
    inside, _ = _split_lines(stage)
    public = set().union(*(_split_lines(s)[1] for s in STAGES if s <= stage))
    # Lines such as `else:` or `return out` can appear anywhere; they reveal nothing.
    return {line for line in inside - public if len(line) > 12}


def _hidden_lines(stage):
    nb = read(source_path(stage))
    return {line.strip() for cell in nb.cells
            for line in region_lines(cell.source, BEGIN_HIDDEN, END_HIDDEN) if line.strip()}


def _lesson_lines(path):
    if path.suffix == '.ipynb':
        return {line.strip() for cell in read(path).cells for line in cell.source.splitlines()}
    return {line.strip() for line in path.read_text(encoding='utf-8').splitlines()}


def test_no_lesson_contains_solution_or_hidden_test_text():
    # Stage N's answers may appear in a later lesson (as given code: stage isolation),
    # never in lesson N or an earlier one. Hidden tests never appear anywhere.
    hidden = set().union(*(_hidden_lines(stage) for stage in STAGES))
    markers = {BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN}
    files = [p for p in sorted(LESSONS.rglob('*')) if p.is_file()]
    assert files
    for path in files:
        lines = _lesson_lines(path)
        stage = path.relative_to(LESSONS).parts[0]
        leaked = lines & hidden
        assert not leaked, f'{path}: hidden-test text {sorted(leaked)}'
        assert not any(m in line for line in lines for m in markers), f'{path}: a marker line'
        for later in STAGES:
            if stage in STAGES and later < stage:
                continue
            leaked = lines & _secret_lines(later)
            assert not leaked, f'{path}: solution lines of {later}: {sorted(leaked)}'


@pytest.mark.parametrize('stage', STAGES)
def test_solution_engine_matches_the_reference(stage):
    """The solution's Value (given + exercise cells) builds the same graph, bit for bit."""
    from micrograd.engine import Value as Reference
    from micrograd.graph import trace

    namespace = {'__name__': f'stage_{stage.replace("-", "_")}'}
    exec(compile(module_source(stage), stage, 'exec'), namespace)
    value = namespace.get('Value')
    if value is None or getattr(value, '__add__', None) is None:
        pytest.skip('no Value operations in this stage')
    with_grads = hasattr(value, 'backward')

    def program(cls, seed):
        rnd = random.Random(seed)
        pool = [cls(rnd.uniform(-2, 2)) for _ in range(3)]
        steps = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b,
                 lambda a, b: a / (b * b + 1), lambda a, b: (a * a + 0.5) ** -1.5,
                 lambda a, b: (a * a + 0.5) ** 3, lambda a, b: a.relu() * b,
                 lambda a, b: a.tanh(), lambda a, b: (a * 0.3).exp(),
                 lambda a, b: (a * a + 1).log(), lambda a, b: 2.5 - a / 4, lambda a, b: -a + 3 * b]
        for _ in range(25):
            a, b = rnd.choice(pool).tanh() * 2, rnd.choice(pool)
            pool.append(rnd.choice(steps)(a, b))
        return sum(pool[-5:], cls(0.0))

    def described(root):
        nodes, _ = trace(root)
        index = {id(node): i for i, node in enumerate(nodes)}
        return [(node.data, node._op, tuple(index[id(p)] for p in node._prev),
                 node.grad if with_grads else None) for node in nodes]

    for seed in range(50):
        ours, reference = program(value, seed), program(Reference, seed)
        if with_grads:
            ours.backward()
            reference.backward()
        assert described(ours) == described(reference), f'program {seed} differs'


def check_cell(nb):
    """The demo cell near the end that runs `autograder check` on the notebook's file."""
    cells = [cell for cell in nb.cells if grading(cell).get('grade_id', '').endswith('-demo-check')]
    assert len(cells) == 1, 'expected one check cell (grade_id ending in -demo-check)'
    return cells[0]


def check_output(stage, text):
    """The check's summary line (`STAGE: score/max points ...`) and its test lines."""
    summary = [line for line in text.splitlines() if line.startswith(f'{stage}: ')]
    assert len(summary) == 1, f'no summary line of `autograder check` in:\n{text}'
    tests = [line.split()[0] for line in text.splitlines() if line.startswith('  ') and
             line.split()[0] in ('PASS', 'FAIL')]
    return summary[0], tests


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: f'{p.parent.parent.name}/{p.name}')
def test_check_cell_comes_after_the_hidden_tests_before_whats_next(path):
    nb = read(path)
    stage = path.stem
    cell = check_cell(nb)
    at = nb.cells.index(cell)
    heading, following = nb.cells[at - 1], nb.cells[at + 1]
    assert kind(cell) == 'demo' and grading(cell)['locked'] and not grading(cell).get('grade')
    assert kind(nb.cells[at - 2]) == 'hidden'
    assert heading.source.startswith('## Check your work with the grader')
    assert 'Save the notebook first' in heading.source
    assert following.source.startswith("## What's next")
    assert cell.source.rstrip().endswith(f"check_my_work('{stage}')")


@pytest.mark.parametrize('stage', STAGES)
def test_check_cell_without_the_course_installed_says_how_to_get_it(stage, tmp_path):
    # -I -S: no site-packages (so no autograder) and no working folder on sys.path; an
    # empty PATH hides the `autograder` program: a notebook downloaded on its own.
    empty = tmp_path / 'bin'
    empty.mkdir()
    source = check_cell(read(lesson_path(stage))).source
    done = subprocess.run([sys.executable, '-I', '-S', '-c', source], cwd=tmp_path,
                          env={'PATH': str(empty)}, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, '')
    assert done.stdout.count('\n') == 1, done.stdout
    assert "bash scripts/learn.sh" in done.stdout
    assert "pip install -e '.[learner]'" in done.stdout


def test_check_cell_without_the_notebook_file_names_the_command(tmp_path):
    # The course is installed, but nothing says where this notebook is saved.
    env = {key: value for key, value in os.environ.items() if key != 'JPY_SESSION_NAME'}
    source = check_cell(read(lesson_path('01-value'))).source
    done = subprocess.run([sys.executable, '-c', source], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, '')
    assert 'run `autograder check 01-value PATH` in a terminal' in done.stdout


# -- execution (slow) -----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize('stage', STAGES)
def test_solution_notebook_runs_and_passes_its_checks(stage, tmp_path):
    folder = source_path(stage).parent
    before = sorted(p.name for p in folder.iterdir())
    # The kernel runs beside a saved copy of the notebook, as Jupyter starts it.
    shutil.copy(source_path(stage), tmp_path)
    env = {key: value for key, value in os.environ.items() if key != 'JPY_SESSION_NAME'}
    nb = execute(read(source_path(stage)), tmp_path, env=env)
    for cell in nb.cells:
        if cell.cell_type != 'code':
            continue
        assert not errors(cell), f'{grading(cell)["grade_id"]} failed: {errors(cell)}'
        if kind(cell) == 'test':
            assert '✓' in text_output(cell), f'{grading(cell)["grade_id"]} printed no ✓ line'
    # The check cell ran the real `autograder check` on the saved copy: all tests pass.
    output = text_output(check_cell(nb))
    total = course_stage(stage).max_score
    summary, tests = check_output(stage, output)
    assert f'Checking {tmp_path / f"{stage}.ipynb"} as last saved:' in output
    assert summary.startswith(f'{stage}: {total:g}/{total:g} points in '), output
    assert tests and set(tests) == {'PASS'}, output
    # Anything written into the stage folder would be copied into the release.
    assert sorted(p.name for p in folder.iterdir()) == before


@pytest.mark.slow
@pytest.mark.parametrize('stage', STAGES)
def test_untouched_lesson_fails_only_where_the_learner_works(stage, tmp_path):
    # Jupyter names the notebook's file in JPY_SESSION_NAME; the check cell reads it.
    env = {**os.environ, 'JPY_SESSION_NAME': str(lesson_path(stage))}
    nb = execute(read(lesson_path(stage)), tmp_path, allow_errors=True, env=env)
    for cell in nb.cells:
        if cell.cell_type != 'code':
            continue
        grade_id, cell_kind, raised = grading(cell)['grade_id'], kind(cell), errors(cell)
        if cell_kind in ('given', 'hidden'):
            assert not raised, f'{cell_kind} cell {grade_id} failed: {raised}'
        for ename, evalue in raised:
            assert ename == 'NotImplementedError', (
                f'{grade_id} failed with {ename}: {evalue} (expected only NotImplementedError)')
        if cell_kind == 'test':
            assert raised, (
                f'visible test {grade_id} passes on the untouched lesson: it checks nothing')
    # The check cell reports the missing points as output; it raises nothing.
    cell = check_cell(nb)
    assert not errors(cell)
    total = course_stage(stage).max_score
    summary, tests = check_output(stage, text_output(cell))
    assert summary.startswith(f'{stage}: 0/{total:g} points in '), text_output(cell)
    assert tests and set(tests) == {'FAIL'}, text_output(cell)


@pytest.mark.slow
@pytest.mark.parametrize('stage', [s for s in STAGES
                                   if 'ExecutableNotFound' in source_path(s).read_text()])
def test_graph_demo_explains_a_missing_dot_program(stage, tmp_path):
    # An empty PATH: the kernel still starts (jupyter_client uses this interpreter's path).
    empty = tmp_path / 'bin'
    empty.mkdir()
    nb = execute(read(source_path(stage)), tmp_path, env={**os.environ, 'PATH': str(empty)})
    drawings = [cell for cell in nb.cells if 'show(draw_dot' in cell.source]
    assert drawings
    for cell in drawings:
        assert not errors(cell)
        assert "'dot' program is not installed" in text_output(cell)
        assert 'digraph {' in text_output(cell)


@pytest.mark.slow
def test_committed_lessons_are_what_release_generates():
    fresh = release_to_temp(root=ROOT)
    try:
        assert sorted(p.name for p in fresh.iterdir()) == STAGES
        committed = sorted(p.name for p in LESSONS.iterdir() if p.is_dir())
        assert committed == STAGES, 'lessons/ and solutions/ hold different stages'
        for stage in STAGES:
            names = sorted(p.name for p in (fresh / stage).iterdir())
            assert names == sorted(p.name for p in (LESSONS / stage).iterdir()), stage
            for name in names:
                new, old = fresh / stage / name, LESSONS / stage / name
                if name.endswith('.ipynb'):
                    assert dumps(normalise(read(old))) == dumps(normalise(read(new))), (
                        f'lessons/{stage}/{name} is stale: run `autograder release`')
                else:
                    assert old.read_bytes() == new.read_bytes(), f'lessons/{stage}/{name}'
    finally:
        shutil.rmtree(fresh.parent)
