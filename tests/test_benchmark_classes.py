"""benchmarks/classes.py and otter_course.py: the synthetic classes, the otter test file and
the verdict comparison (the timed runs are not tests)."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / 'benchmarks'


@pytest.fixture
def classes(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))   # as when run as a script: finds its helpers
    spec = importlib.util.spec_from_file_location('benchmark_classes', BENCHMARKS / 'classes.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_large_class_repeats_the_sample_class_in_turn(classes, tmp_path):
    folder = classes.make_class(tmp_path / 'class', 20)
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 20
    assert names[:3] == ['ada-000', 'ada-009', 'ada-018'] and 'ivy-017' in names
    # a copy, notebook for notebook, missing stages still missing
    for name in names:
        sample = classes.SAMPLE / name.split('-')[0]
        assert sorted(p.relative_to(folder / name) for p in (folder / name).rglob('*')) == \
            sorted(p.relative_to(sample) for p in sample.rglob('*'))


def test_the_sample_class_size_keeps_its_names(classes, tmp_path):
    folder = classes.make_class(tmp_path / 'class', 9)
    assert sorted(p.name for p in folder.iterdir()) == \
        sorted(p.name for p in classes.SAMPLE.iterdir() if p.is_dir())


def test_the_otter_test_passes_exactly_when_the_hidden_suite_does(classes, tmp_path):
    otter = classes.otter_course
    text = otter.TEST.format(stage='04-backward', points=18)
    namespace = {}
    exec(compile(text, 'hidden.py', 'exec'), namespace)
    assert namespace['OK_FORMAT'] is True
    test = namespace['test']
    assert test['name'] == 'hidden-04-backward' and test['points'] == 18
    code = test['suites'][0]['cases'][0]['code']
    assert "check_in_kernel('04-backward', globals())" in code
    # The doctest runs it with the notebook's globals and its printout swallowed.
    import doctest
    parsed = doctest.DocTestParser().get_doctest(code, {}, 'hidden', None, 0)
    assert [e.want for e in parsed.examples] == ['', '', '']


def test_verdicts_list_only_submission_stages_where_a_grader_disagrees(classes):
    Grade = classes.nbgrader_course.Grade
    ours = {('ada', '04-backward'): ('graded', '18', '18'),
            ('ben', '04-backward'): ('graded', '14', '18'),
            ('eve', '04-backward'): ('syntax_error', '0', '18'),
            ('zoe', '04-backward'): ('graded', '18', '18')}
    nbgrader = {('ada', '04-backward'): Grade(31, 31, 18, 18, True),
                ('ben', '04-backward'): Grade(9, 31, 0, 18, True),
                ('eve', '04-backward'): Grade(0, 31, 0, 18, False),
                ('zoe', '04-backward'): Grade(31, 31, 18, 18, True)}
    otter = {('ada', '04-backward'): 18.0, ('ben', '04-backward'): 0.0,
             ('eve', '04-backward'): None, ('zoe', '04-backward'): 0.0}
    assert classes.verdicts(ours, nbgrader, otter) == [(('zoe', '04-backward'), True, True,
                                                        False)]


def test_the_cpu_meter_counts_a_child_process(classes):
    meter = classes.CpuMeter()
    if meter.folder is None:
        pytest.skip('no writable cpuacct cgroup here')
    try:
        wall, cpu, done = classes.timed(meter, [sys.executable, '-c',
                                                'sum(i * i for i in range(3_000_000))'])
        assert done.returncode == 0
        assert cpu > 0.05        # the child's own CPU, seen from outside it
    finally:
        meter.close()
    assert not meter.folder.exists()
