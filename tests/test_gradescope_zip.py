"""The Gradescope autograder zip, run for real in Gradescope's folder layout.

A test root stands in for /autograder: the zip is unpacked into ROOT/source, setup.sh
runs there (without apt-get: graphviz is installed here) and makes ROOT/venv with the
pinned requirements, run_autograder is copied to ROOT/run_autograder (as Gradescope
does) and run once per upload in ROOT/submission. Every results.json is checked
against Gradescope's published format and against `autograder grade`'s scores for the
same notebooks (the sample class's reference run of tests/test_grade_class.py).
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from test_grade_class import (
    STUDENTS,
    read_csv,
    reference,  # noqa: F401  (the shared fixture)
)

from autograder import course
from autograder.gradescope_run import assign_notebooks
from autograder.gradescope_zip import build_zip, package_data

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / 'examples' / 'submitted'

# Gradescope's autograder specification: the keys results.json may hold, and their values.
TOP_KEYS = {'score', 'execution_time', 'output', 'output_format', 'test_output_format',
            'test_name_format', 'visibility', 'stdout_visibility', 'extra_data', 'tests',
            'leaderboard'}
TEST_KEYS = {'score', 'max_score', 'status', 'name', 'name_format', 'number', 'output',
             'output_format', 'tags', 'visibility', 'extra_data'}
STATUSES = {'passed', 'failed'}
VISIBILITIES = {'hidden', 'after_due_date', 'after_published', 'visible'}


def validate(results):
    """Fail unless results is a results.json Gradescope accepts, with scores adding up."""
    assert set(results) <= TOP_KEYS, set(results) - TOP_KEYS
    assert isinstance(results['score'], (int, float))
    assert results.get('visibility', 'visible') in VISIBILITIES
    assert results.get('stdout_visibility', 'visible') in VISIBILITIES
    assert isinstance(results['output'], str)
    for test in results['tests']:
        assert set(test) <= TEST_KEYS, set(test) - TEST_KEYS
        assert {'name', 'score', 'max_score', 'status'} <= set(test)
        assert test['status'] in STATUSES and test['visibility'] in VISIBILITIES
        assert isinstance(test['score'], (int, float)) and test['max_score'] >= 0
        assert test['score'] <= test['max_score'] or test['max_score'] == 0
    assert results['score'] == pytest.approx(sum(t['score'] for t in results['tests']))


def autograder(*args):
    command = [str(Path(sys.executable).parent / 'autograder'), *map(str, args)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def unpack(zip_path, root):
    """What Gradescope does with the zip: unpack into ROOT/source, keeping file modes."""
    source = root / 'source'
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(source)
        for info in archive.infolist():
            os.chmod(source / info.filename, (info.external_attr >> 16) & 0o777)
    return source


def set_up(zip_path, root):
    source = unpack(zip_path, root)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_SKIP_APT='1')
    done = subprocess.run(['bash', 'setup.sh'], cwd=source, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    shutil.copy2(source / 'run_autograder', root / 'run_autograder')


def run_upload(root, files):
    """Put files ({name in the upload: path}) in ROOT/submission, run, return results.json."""
    shutil.rmtree(root / 'submission', ignore_errors=True)
    shutil.rmtree(root / 'results', ignore_errors=True)
    (root / 'submission').mkdir()
    for name, path in files.items():
        shutil.copyfile(path, root / 'submission' / name)
    env = {'PATH': os.environ['PATH'], 'HOME': str(root), 'AUTOGRADER_ROOT': str(root)}
    done = subprocess.run([str(root / 'run_autograder')], cwd=root, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((root / 'results' / 'results.json').read_text())
    validate(results)
    return results


def stage_scores(results):
    """{stage: points} from a results.json's tests (named '<stage>: <test>')."""
    scores = {}
    for test in results['tests']:
        stage = test['name'].split(':')[0]
        scores[stage] = scores.get(stage, 0) + test['score']
    return scores


def upload_of(student):
    """The student's notebooks as they might upload them: dan's under made-up names."""
    files = {}
    for stage in course.STAGE_IDS:
        for path in sorted((SAMPLE / student / stage).glob('*.ipynb')):
            name = f'notebook-{len(files) + 1}.ipynb' if student == 'dan' else path.name
            files[name] = path
    return files


def test_the_zip_has_what_gradescope_needs_and_is_reproducible(tmp_path):
    for name in ('a', 'b'):
        assert autograder('export', 'gradescope', tmp_path / name, '--stage', '04-backward',
                          '--visibility', 'after_published').returncode == 0
    first = (tmp_path / 'a' / 'autograder.zip').read_bytes()
    assert first == (tmp_path / 'b' / 'autograder.zip').read_bytes()
    with zipfile.ZipFile(tmp_path / 'a' / 'autograder.zip') as archive:
        names = set(archive.namelist())
        settings = json.loads(archive.read('gradescope.json'))
        requirements = archive.read('requirements.txt').decode().split()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
    assert {'setup.sh', 'run_autograder', 'requirements.txt', 'autograder/runner.py',
            'autograder/suites/suite_04_backward.py', 'autograder/suites/pytest.ini',
            'autograder/diagnosis/signatures.json', 'micrograd/engine.py',
            'solutions/04-backward/04-backward.ipynb'} <= names
    assert 'solutions/01-value/01-value.ipynb' not in names       # only the chosen stages
    assert not any('__pycache__' in n or n.startswith(('lessons/', 'examples/')) for n in names)
    assert settings == {'stages': ['04-backward'], 'visibility': 'after_published'}
    assert all('==' in line for line in requirements) and any(
        line.startswith('pytest==') for line in requirements)
    assert modes['run_autograder'] == modes['setup.sh'] == 0o755


def test_the_zip_carries_the_package_data_pyproject_declares(tmp_path):
    """What an install would have (signatures.json: the diagnosis, partial credit), or an error."""
    with zipfile.ZipFile(build_zip(tmp_path / 'a.zip', ['01-value'])) as archive:
        names = set(archive.namelist())
    assert {'autograder/suites/pytest.ini', 'autograder/suites/drawn.json',
            'autograder/diagnosis/signatures.json'} <= \
        set(package_data(ROOT)) <= names
    (tmp_path / 'autograder').mkdir()
    (tmp_path / 'pyproject.toml').write_text(
        '[tool.setuptools.package-data]\nautograder = ["data/*.json"]\n')
    with pytest.raises(FileNotFoundError, match='data/'):
        package_data(tmp_path)


def test_notebooks_are_found_by_name_or_by_their_cells(tmp_path):
    for i, stage in enumerate(('02-operations', '05-neuron', '07-mlp')):
        shutil.copyfile(SAMPLE / 'ada' / stage / f'{stage}.ipynb', tmp_path / f'upload{i}.ipynb')
    shutil.copyfile(SAMPLE / 'ada' / '01-value' / '01-value.ipynb', tmp_path / 'my 01-value.ipynb')
    found = assign_notebooks(tmp_path, list(course.STAGE_IDS), course.SOLUTIONS)
    assert {stage: p.name for stage, p in found.items()} == {
        '01-value': 'my 01-value.ipynb', '02-operations': 'upload0.ipynb',
        '05-neuron': 'upload1.ipynb', '07-mlp': 'upload2.ipynb'}
    # One stage: the one notebook uploaded, whatever its name.
    only = tmp_path / 'only'
    only.mkdir()
    shutil.copyfile(SAMPLE / 'ada' / '01-value' / '01-value.ipynb', only / 'Untitled.ipynb')
    assert assign_notebooks(only, ['04-backward'], course.SOLUTIONS) == {
        '04-backward': only / 'Untitled.ipynb'}


@pytest.mark.slow
def test_the_zip_in_gradescopes_layout(tmp_path, reference):  # noqa: F811
    """One test, so the image is set up once (setup.sh: a venv and a pip install)."""
    done = autograder('export', 'gradescope', tmp_path / 'zip')
    assert done.returncode == 0, done.stderr
    root = tmp_path / 'root'
    set_up(tmp_path / 'zip' / 'autograder.zip', root)

    # The sample class (correct, buggy, malformed, missing): the scores of `autograder grade`.
    rows = read_csv(reference / 'grades.csv')
    for student in STUDENTS:
        results = run_upload(root, upload_of(student))
        expected = {r['stage']: float(r['score']) for r in rows if r['student'] == student}
        assert stage_scores(results) == pytest.approx(expected), student
        statuses = {r['stage']: r['status'] for r in rows if r['student'] == student}
        assert results['extra_data']['statuses'] == statuses, student
        assert results['score'] == pytest.approx(sum(expected.values()))

    # Nothing uploaded: zero, every stage says what is missing, the maximum is the same.
    results = run_upload(root, {})
    assert results['score'] == 0
    assert set(results['extra_data']['statuses'].values()) == {'missing_notebook'}
    assert 'No notebook for 01-value was found' in results['tests'][0]['output']
    assert sum(t['max_score'] for t in results['tests']) == sum(
        s.max_score for s in course.STAGES)

    # A broken autograder is a grader failure, said so in a valid results.json.
    (root / 'source' / 'gradescope.json').write_text('{not json')
    env = {'PATH': os.environ['PATH'], 'AUTOGRADER_ROOT': str(root)}
    done = subprocess.run([str(root / 'run_autograder')], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 1
    results = json.loads((root / 'results' / 'results.json').read_text())
    validate(results)
    assert 'not your fault' in results['output']
