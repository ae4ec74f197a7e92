"""The exporters: every output of `autograder grade` behind one interface, listed in one place."""

import ast
import importlib
import json
from pathlib import Path

from autograder import exporters
from autograder.results import GRADED, SYNTAX_ERROR, StageResult
from autograder.results import TestOutcome as Outcome  # not collected by pytest

PACKAGE = Path(exporters.__file__).resolve().parent
NOT_EXPORTERS = {'__init__', 'html'}   # the package itself and the HTML kit the exporters share


def exporter_module_names():
    return sorted(p.stem for p in PACKAGE.glob('*.py') if p.stem not in NOT_EXPORTERS)


def small_results():
    graded = StageResult('04-backward', GRADED, 2.0, 5.0, [
        Outcome('backward-pow', 2.0, 2.0, True),
        Outcome('backward-accumulate', 3.0, 0.0, False, 'x.grad is 3.0 for x*x at x = 3.0')])
    broken = StageResult('02-operations', SYNTAX_ERROR, 0.0, 4.0, message='line 3')
    return [('ada', '04-backward', StageResult('04-backward', GRADED, 5.0, 5.0, [
                 Outcome('backward-pow', 2.0, 2.0, True),
                 Outcome('backward-accumulate', 3.0, 3.0, True)])),
            ('ben', '02-operations', broken),
            ('ben', '04-backward', graded)]


def test_every_exporter_module_is_listed_once():
    listed = [module.__name__ for module in exporters.EXPORTERS]
    assert len(listed) == len(set(listed))
    on_disk = [f'autograder.exporters.{name}' for name in exporter_module_names()]
    assert sorted(listed) == sorted(on_disk), 'add the new exporter to EXPORTERS'


def test_every_exporter_has_the_same_shape():
    names = []
    for module in exporters.EXPORTERS:
        assert isinstance(module.NAME, str) and module.NAME, module
        assert isinstance(module.DESCRIPTION, str) and module.DESCRIPTION, module
        assert '\n' not in module.DESCRIPTION, module
        assert callable(module.export), module
        names.append(module.NAME)
    assert len(names) == len(set(names))


def test_export_all_writes_the_expected_files(tmp_path):
    out = tmp_path / 'out'
    written = exporters.export_all(small_results(), out)
    expected = {'grades.csv', 'report.html', 'canvas.csv', 'moodle.csv',
                'feedback/ada/04-backward.html', 'feedback/ada/04-backward.md',
                'feedback/ben/02-operations.html', 'feedback/ben/02-operations.md',
                'feedback/ben/04-backward.html', 'feedback/ben/04-backward.md',
                'gradescope/ada/results.json', 'gradescope/ben/results.json'}
    assert {p.relative_to(out).as_posix() for p in written} == expected
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob('*') if p.is_file()}
    assert on_disk == expected                       # each exporter reports what it writes
    assert len(written) == len(expected)
    assert (out / 'grades.csv').read_text().splitlines()[1:] == [
        'ada,04-backward,5,5,graded,2,2,5,0,,,',
        'ben,02-operations,0,4,syntax_error,0,0,0,0,,,',
        'ben,04-backward,2,5,graded,1,2,2,0,,,']
    assert json.loads((out / 'gradescope' / 'ben' / 'results.json').read_text())['score'] == 2.0
    assert 'href="feedback/ben/04-backward.html"' in (out / 'report.html').read_text()


def test_each_exporter_writes_only_what_it_returns(tmp_path):
    for module in exporters.EXPORTERS:
        out = tmp_path / module.NAME
        out.mkdir()
        written = module.export(small_results(), out)
        assert written and all(isinstance(p, Path) for p in written), module.NAME
        assert sorted(written) == sorted(p for p in out.rglob('*') if p.is_file()), module.NAME


def test_export_all_of_no_results_still_writes_the_class_files(tmp_path):
    written = exporters.export_all([], tmp_path)
    assert {p.name for p in written} == {'grades.csv', 'report.html', 'canvas.csv', 'moodle.csv'}


def test_no_exporter_chooses_a_matplotlib_backend():
    # pyplot and matplotlib.use() change global state: exporters draw on Figure objects only.
    for path in sorted(PACKAGE.glob('*.py')):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith('matplotlib.pyplot') for a in node.names), path
                assert not any(a.name == 'pylab' for a in node.names), path
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ''
                assert not module.startswith(('matplotlib.pyplot', 'pylab')), path
                if module == 'matplotlib':
                    assert not any(a.name in ('pyplot', 'use') for a in node.names), path
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert not (node.func.attr == 'use' and isinstance(node.func.value, ast.Name)
                            and node.func.value.id in ('matplotlib', 'mpl')), path


def test_exporter_modules_import_on_their_own():
    for name in exporter_module_names():
        module = importlib.import_module(f'autograder.exporters.{name}')
        assert module in exporters.EXPORTERS
