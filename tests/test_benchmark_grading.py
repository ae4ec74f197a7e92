"""benchmarks/grading.py: its arguments and its score comparison (the timed run is not a test)."""

import importlib.util
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / 'benchmarks'


@pytest.fixture
def grading(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))   # as when run as a script: finds its helper
    spec = importlib.util.spec_from_file_location('benchmark_grading', BENCHMARKS / 'grading.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_default_stages_leave_out_the_slow_training_demo(grading):
    args = grading.parse_args([])
    assert args.stages == ['01-value', '02-operations', '03-graph', '04-backward',
                           '05-neuron', '06-layer', '07-mlp']
    assert args.jobs == 2


def test_stages_are_put_in_course_order_once(grading):
    args = grading.parse_args(['--stages', '08-training', '01-value', '08-training'])
    assert args.stages == ['01-value', '08-training']


@pytest.mark.parametrize('argv, complaint', [
    (['--jobs', '0'], 'must be at least 1, not 0'),
    (['--jobs', 'two'], "invalid positive_int value: 'two'"),
    (['--stages', '09-attention'], "invalid choice: '09-attention'"),
    (['--stages'], 'expected at least one argument'),
])
def test_bad_arguments_exit_2_before_grading_anything(grading, capsys, argv, complaint):
    with pytest.raises(SystemExit) as exit_:
        grading.main(argv)
    assert exit_.value.code == 2
    assert complaint in capsys.readouterr().err


def test_compare_lists_every_difference_and_flags_only_suite_disagreements(grading):
    Ours, Grade = grading.Ours, grading.nbgrader_course.Grade
    ours = {
        ('ada', '04-backward'): Ours(18, 18, 'graded'),
        ('ben', '04-backward'): Ours(14, 18, 'graded'),
        ('finn', '04-backward'): Ours(0, 18, 'graded'),
        ('hana', '03-graph'): Ours(0, 11, 'malformed_notebook'),
        ('ivy', '06-layer'): Ours(0, 10, 'missing_notebook'),
        ('zoe', '04-backward'): Ours(18, 18, 'graded'),
    }
    theirs = {
        ('ada', '04-backward'): Grade(31, 31, 18, 18, graded=True),    # same share: not listed
        ('ben', '04-backward'): Grade(9, 31, 0, 18, graded=True),      # partial vs all-or-nothing
        ('finn', '04-backward'): Grade(0, 31, 0, 18, graded=True),     # same share: not listed
        ('hana', '03-graph'): Grade(0, 17, 0, 11, graded=False),       # nbgrader could not run it
        ('zoe', '04-backward'): Grade(13, 31, 0, 18, graded=True),     # the suites disagree
    }
    rows = grading.compare(ours, theirs)
    assert [(student, agree) for student, _, _, _, agree in rows] == [
        ('ben', True), ('hana', None), ('ivy', None), ('zoe', False)]
    assert grading.describe_nbgrader(rows[0][3]) == '9/31 (hidden cell 0/18)'
    assert grading.describe_nbgrader(rows[1][3]) == 'not graded (0/17)'
    assert grading.describe_nbgrader(rows[2][3]) == 'no submission recorded'
