"""Attacks on the install layout: the course installed into an interpreter's own site-packages.

python.org, pyenv and the Docker `python:*` images keep site-packages inside the standard
library folder, which the worker may read. The test builds that layout in a temporary
prefix (hard links to this interpreter's files, so it costs almost no disk), installs
the course into it as a non-editable install would (the packages copied into
site-packages), and grades with that interpreter, with namespaces and without.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from autograder import course, isolation
from autograder.bugs import edit_cell

ROOT = Path(__file__).resolve().parent.parent
VERSION = f'python{sys.version_info.major}.{sys.version_info.minor}'
SITE_SKIPPED = ('micrograd', 'autograder', '__editable__', '_micrograd')

# Reads the answer key from wherever it lies on the path or beside the standard library.
STEAL = '''
import os, sys
places = [os.path.join(p, 'micrograd', 'engine.py') for p in sys.path]
places.append(os.path.join(os.path.dirname(os.__file__), 'site-packages', 'micrograd',
                           'engine.py'))
for place in places:
    try:
        source = open(place).read()
    except OSError:
        continue
    exec(compile(source, 'stolen', 'exec'), globals())
    break
'''


def _link_tree(source, target, skip=()):
    def ignore(folder, names):
        return [n for n in names if Path(folder) == source and n in skip]
    shutil.copytree(source, target, copy_function=os.link, ignore=ignore, symlinks=True)


@pytest.fixture(scope='module')
def prefix(tmp_path_factory):
    base = Path(sys.base_prefix)
    stdlib = Path(sysconfig.get_paths()['stdlib']).resolve()
    temp = tmp_path_factory.getbasetemp()
    if sys.platform != 'linux' or os.stat(stdlib).st_dev != os.stat(temp).st_dev:
        pytest.skip('needs Linux and the interpreter on the same file system as the temp folder')
    root = tmp_path_factory.mktemp('layout') / 'prefix'
    (root / 'bin').mkdir(parents=True)
    os.link(os.path.realpath(sys.executable), root / 'bin' / VERSION)
    _link_tree(stdlib, root / 'lib' / VERSION, skip=('site-packages', 'test'))
    site = root / 'lib' / VERSION / 'site-packages'
    site.mkdir()
    here = Path(sysconfig.get_paths()['purelib'])
    for entry in here.iterdir():
        if entry.name.lower().startswith(SITE_SKIPPED) or entry.suffix == '.pth':
            continue
        if entry.is_dir():
            _link_tree(entry, site / entry.name)
        else:
            os.link(entry, site / entry.name)
    # The non-editable install: the packages themselves, in site-packages.
    for package in ('micrograd', 'autograder'):
        shutil.copytree(ROOT / package, site / package,
                        ignore=shutil.ignore_patterns('__pycache__'))
    info = site / 'micrograd_course-0.1.0.dist-info'
    info.mkdir()
    (info / 'METADATA').write_text('Metadata-Version: 2.1\nName: micrograd-course\n'
                                   'Version: 0.1.0\n')
    (info / 'top_level.txt').write_text('autograder\nmicrograd\n')
    python = root / 'bin' / VERSION
    where = subprocess.run([python, '-c', 'import autograder, numpy; print(autograder.__file__)'],
                           capture_output=True, text=True, timeout=60, cwd=root)
    assert where.returncode == 0 and where.stdout.startswith(str(site)), where
    assert base != root
    return python


def check(python, stage, notebook, namespaces, tmp_path):
    env = {'PATH': os.environ['PATH'], 'HOME': str(tmp_path), 'LANG': 'C.UTF-8'}
    if not namespaces:
        env['AUTOGRADER_NO_NAMESPACES'] = '1'
    return subprocess.run([python, '-c', 'import sys; from autograder.cli import main; '
                           'sys.exit(main())', 'check', stage, str(notebook),
                           '--source', str(ROOT / 'solutions'), '--timeout', '60'],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)


LEVELS = [pytest.param(True, id='namespaces'), pytest.param(False, id='no-namespaces')]


@pytest.mark.slow
@pytest.mark.parametrize('namespaces', LEVELS)
def test_the_answer_key_in_site_packages_is_out_of_reach(prefix, namespaces, tmp_path):
    if namespaces and isolation.level() == isolation.PROCESS:
        pytest.skip('no namespaces on this machine')
    lesson = json.loads((ROOT / 'lessons' / '04-backward' / '04-backward.ipynb').read_text())
    notebook = tmp_path / '04-backward.ipynb'
    notebook.write_text(json.dumps(edit_cell(lesson, 'backward-backward', None, STEAL)))
    run = check(prefix, '04-backward', notebook, namespaces, tmp_path)
    first = run.stdout.splitlines()[0] if run.stdout else run.stderr
    assert first.startswith('04-backward: 0/'), run.stdout + run.stderr


@pytest.mark.slow
@pytest.mark.parametrize('namespaces', LEVELS)
def test_the_allowed_packages_work_in_that_layout(prefix, namespaces, tmp_path):
    if namespaces and isolation.level() == isolation.PROCESS:
        pytest.skip('no namespaces on this machine')
    solution = ROOT / 'solutions' / '03-graph' / '03-graph.ipynb'
    run = check(prefix, '03-graph', solution, namespaces, tmp_path)
    top = course.stage('03-graph').max_score
    assert run.returncode == 0 and run.stdout.startswith(f'03-graph: {top:g}/{top:g} '), \
        run.stdout + run.stderr


@pytest.mark.slow
def test_installed_without_solutions_the_mistake_is_still_named(prefix, tmp_path):
    # Colab and the browser have the packages but not solutions/: the signatures are then
    # matched against the judging code's version alone.
    from autograder.bugs import CATALOGUE
    assert not (Path(prefix).parents[1] / 'lib' / VERSION / 'site-packages' / 'solutions').exists()
    notebook = ROOT / 'examples' / 'submitted' / 'cleo' / '04-backward' / '04-backward.ipynb'
    run = check(prefix, '04-backward', notebook, isolation.level() != isolation.PROCESS, tmp_path)
    bug = next(b for b in CATALOGUE if b.name == 'pow-derivative-without-minus-one')
    assert run.stdout.splitlines()[1] == (f'  The mistake behind the failing tests: '
                                         f'{bug.summary}. How to fix it: {bug.fix}'), run.stdout
