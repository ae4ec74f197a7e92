"""The learner's path: set-up, `autograder progress`, `check` without a path, the
in-notebook check (unsaved cells, inline pictures, no temp folders, Colab), one course URL."""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from lessons_util import ROOT

from autograder import course, given, in_notebook
from autograder.bugs import CATALOGUE, write_buggy_notebook
from autograder.progress_report import IN_PROGRESS, NOT_STARTED, PASSING, progress

PYPROJECT = (ROOT / 'pyproject.toml').read_text()


def pages_url(repo_url):
    """GitHub Pages' address of a project repository: https://OWNER.github.io/NAME/."""
    owner, name = repo_url.removeprefix('https://github.com/').split('/')
    return f'https://{owner}.github.io/{name}/'


def autograder(*args, cwd=ROOT):
    return subprocess.run([sys.executable, '-m', 'autograder.cli', *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


# -- one course address -----------------------------------------------------------------

def test_site_and_lessons_use_the_course_address():
    config = yaml.safe_load((ROOT / 'mkdocs.yml').read_text().replace('!!python', '#'))
    site = pages_url(course.REPO_URL)
    assert config['site_url'] == site
    assert any(link['link'] == course.REPO_URL for link in config['extra']['social'])
    owner_repo = course.REPO_URL.removeprefix('https://github.com/')
    for stage in course.STAGES:
        for folder in (course.SOLUTIONS, course.LESSONS):
            title = json.loads(stage.notebook(folder).read_text())['cells'][0]
            text = ''.join(title['source'])
            assert f'({site}chapters/{stage.id}/)' in text, f'{stage.id}: chapter link'
            assert (f'(https://colab.research.google.com/github/{owner_repo}/blob/main/'
                    f'lessons/{stage.id}/{stage.id}.ipynb)') in text, f'{stage.id}: Colab link'
            assert '127.0.0.1' not in text
    assert f'git+{course.REPO_URL}' in given.check_cell('01-value')


def test_the_learner_install_has_no_instructor_tools():
    learner = PYPROJECT.split('\nlearner = [', 1)[1].split('\n]', 1)[0]
    assert 'nbgrader' not in learner          # no "Create Assignment" menus in JupyterLab
    assert 'pytest' in learner                # what `autograder check` runs the suites with
    script = (ROOT / 'scripts' / 'learn.sh').read_text()
    assert 'setup_venv learner' in script and '/lab/tree/lessons/01-value/01-value.ipynb' in script


# -- autograder progress and check --------------------------------------------------------

def learner_folder(tmp_path):
    """Stages 1-2 solved, stage 3 with a bug, stage 4 untouched, the rest missing."""
    folder = tmp_path / 'mine'
    for stage in course.STAGES[:4]:
        origin = stage.source if stage.number <= 2 else stage.lesson
        (folder / stage.id).mkdir(parents=True)
        shutil.copy(origin, stage.notebook(folder))
    bug = next(b for b in CATALOGUE if b.stage == '03-graph')
    write_buggy_notebook(bug, course.SOLUTIONS, course.stage('03-graph').notebook(folder))
    return folder


def test_progress_shows_every_stage_with_status_and_points(tmp_path):
    rows = progress(learner_folder(tmp_path))
    statuses = {stage.id: status for stage, _, status, _ in rows}
    assert [stage.id for stage, *_ in rows] == list(course.STAGE_IDS)
    assert statuses == {'01-value': PASSING, '02-operations': PASSING,
                        '03-graph': IN_PROGRESS, '04-backward': NOT_STARTED,
                        **{s: NOT_STARTED for s in course.STAGE_IDS[4:]}}
    graph = rows[2][3]
    assert 0 < graph.score < graph.max_score


def test_progress_command_names_the_files_it_checked(tmp_path):
    folder = learner_folder(tmp_path)
    done = autograder('progress', str(folder))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f'Your notebooks in {folder}:'
    assert any(line.startswith('01-value') and 'passing' in line and '8/8' in line
               and str(folder / '01-value' / '01-value.ipynb') in line for line in lines)
    assert any(line.startswith('08-training') and 'not started' in line and '(missing)' in line
               for line in lines)
    assert lines[-1].startswith('2/8 stages passing, ')


def test_progress_of_the_untouched_lessons_says_not_started(tmp_path):
    done = autograder('progress', cwd=tmp_path)      # no lessons/ here: the repository's
    assert done.returncode == 0, done.stderr
    assert done.stdout.count('not started') == len(course.STAGES)
    assert str(course.LESSONS) in done.stdout


def test_check_without_a_path_says_which_file_it_used(tmp_path):
    done = autograder('check', '01-value', cwd=tmp_path)
    first = done.stdout.splitlines()[0]
    assert first.startswith(f'Checking {course.stage("01-value").lesson} (the default')
    assert 'autograder check 01-value PATH' in first


# -- the in-notebook check ------------------------------------------------------------------

def exercise(grade_id, text):
    return {'cell_type': 'code', 'source': text,
            'metadata': {'nbgrader': {'grade_id': grade_id, 'solution': True, 'grade': False,
                                      'locked': False, 'schema_version': 3}}}


def test_unsaved_exercise_cells_are_named():
    saved = [exercise('ops-add', 'def __add__(self, other):\n    return 1\n'),
             exercise('ops-mul', 'def __mul__(self, other):\n    return 2\n')]
    ran_saved = ['def __add__(self, other):\n    return 1\n', 'print(1)',
                 'def __mul__(self, other):\n    return 2\n']
    assert in_notebook.unsaved_exercises(saved, ran_saved) == []
    # The learner fixed __mul__ and ran it, but did not save: the file still has the old one.
    ran_newer = ran_saved + ['def __mul__(self, other):\n    return 3\n']
    assert in_notebook.unsaved_exercises(saved, ran_newer) == ['ops-mul']
    # An older run that was later saved is no reason to warn.
    ran_older = ['def __add__(self, other):\n    return 0\n'] + ran_saved
    assert in_notebook.unsaved_exercises(saved, ran_older) == []


def test_the_check_shows_the_failing_graph_inline_and_leaves_no_temp_folder(
        tmp_path, monkeypatch, capsys):
    bug = next(b for b in CATALOGUE if b.name == 'tanh-derivative-from-input')
    path = write_buggy_notebook(bug, course.SOLUTIONS, tmp_path / f'{bug.stage}.ipynb')
    monkeypatch.setenv('JPY_SESSION_NAME', str(path))
    scratch = tmp_path / 'tmp'
    scratch.mkdir()
    monkeypatch.setenv('TMPDIR', str(scratch))
    monkeypatch.setattr(tempfile, 'tempdir', None)       # re-read TMPDIR
    shown = []
    monkeypatch.setattr(in_notebook, '_show_svg', shown.append)
    in_notebook.check_my_work(bug.stage)
    out = capsys.readouterr().out
    assert f'Checking {path} as last saved:' in out
    assert 'FAIL  backward-programs' in out
    assert 'backward-programs: the graph, with your grads and the expected ones:' in out
    assert str(scratch) not in out                       # no path the learner cannot open
    assert len(shown) == out.count('the graph, with your grads and the expected ones:') >= 1
    assert all('your grad' in svg and svg.lstrip().startswith('<') for svg in shown)
    # Nothing left behind but the hidden suites' one fixed Hypothesis cache folder.
    assert [p.name for p in scratch.iterdir()] in ([], ['autograder-hypothesis'])


def test_the_check_grades_without_solutions_folder(tmp_path, monkeypatch, capsys):
    """As in Colab: the grader installed as a package, no solutions/ beside it."""
    path = tmp_path / '01-value.ipynb'
    shutil.copy(course.stage('01-value').source, path)
    monkeypatch.setenv('JPY_SESSION_NAME', str(path))
    monkeypatch.setattr(course, 'SOLUTIONS', tmp_path / 'nowhere')
    monkeypatch.setattr(course.Stage, 'source', property(lambda s: tmp_path / 'nowhere' / 'x'))
    in_notebook.check_my_work('01-value')
    assert '01-value: 8/8 points' in capsys.readouterr().out


@pytest.mark.slow
def test_colab_cell_installs_the_grader_from_a_built_wheel_and_checks(tmp_path):
    """The check cell in a fresh environment, as Colab runs it: it installs the course (here
    from a wheel built from this checkout instead of the repository URL) and checks."""
    dist, venv = tmp_path / 'dist', tmp_path / 'venv'
    build = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '-q', str(ROOT),
                            '-w', str(dist)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob('micrograd_course-*.whl'))
    subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True, timeout=120)
    fake = tmp_path / 'fake' / 'google' / 'colab'           # what Colab's kernel has imported
    fake.mkdir(parents=True)
    (fake.parent / '__init__.py').write_text('')
    (fake / '__init__.py').write_text('')
    lesson = tmp_path / 'content' / '01-value.ipynb'
    lesson.parent.mkdir()
    shutil.copy(course.stage('01-value').source, lesson)     # solved
    cell = given.check_cell('01-value').replace(
        f'git+{course.REPO_URL}', wheel.resolve().as_uri())
    program = 'import google.colab\n' + cell
    env = {**os.environ, 'PYTHONPATH': str(fake.parent.parent), 'JPY_SESSION_NAME': str(lesson)}
    env.pop('VIRTUAL_ENV', None)
    done = subprocess.run([str(venv / 'bin' / 'python'), '-c', program], cwd=lesson.parent,
                          env=env, capture_output=True, text=True, timeout=900)
    assert '01-value: 8/8 points' in done.stdout, done.stdout + done.stderr
    assert not list(venv.glob('lib/*/site-packages/nbgrader'))   # no instructor tools


# -- the whole path, in a real browser --------------------------------------------------------

CHROMIUM = Path('/usr/bin/chromium')
OUT = ROOT / 'out'
SETTINGS = {     # every cell in the page, so the test finds them all (JupyterLab windows them)
    '@jupyterlab/notebook-extension/tracker.jupyterlab-settings': {'windowingMode': 'none'},
    # No save but the test's Ctrl+S: an autosave (every 2 minutes) on a slow machine would
    # save the filled-in cells before the check that must find the saved file stale.
    '@jupyterlab/docmanager-extension/plugin.jupyterlab-settings': {'autosave': False}}
KERNEL_READY = 'Python 3 (ipykernel) | Idle'      # the status bar once the kernel is connected


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def solved(cell):
    """An exercise cell of the source notebook as a learner would type it: no markers."""
    return '\n'.join(line for line in ''.join(cell['source']).splitlines()
                     if '### BEGIN SOLUTION' not in line and '### END SOLUTION' not in line)


PASTE = """([index, text]) => {
  const editor = document.querySelectorAll('.jp-Notebook .jp-Cell')[index]
    .querySelector('.cm-content');
  editor.focus();
  const data = new DataTransfer();
  data.setData('text/plain', text);
  editor.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
}"""


@pytest.mark.slow
def test_fresh_clone_to_a_passing_check_of_stage_1_in_jupyterlab(tmp_path):
    """README's learner path, timed: clone, `bash scripts/learn.sh`, open lesson 1 in
    JupyterLab in Chromium, Run All (it reaches the grader's cell), fill in the exercises,
    see the unsaved-file warning, save, run the check cell: 8/8. (The committed state.)"""
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    clone = tmp_path / 'clone'
    subprocess.run(['git', 'clone', '-q', str(ROOT), str(clone)], check=True, timeout=120)
    settings = tmp_path / 'lab-settings'
    for name, value in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value))
    port, token = free_port(), secrets.token_hex(16)
    log = open(tmp_path / 'learn.log', 'w')
    env = {key: value for key, value in os.environ.items() if key != 'VIRTUAL_ENV'}
    lab = subprocess.Popen(
        ['bash', 'scripts/learn.sh', '--no-browser', '--ServerApp.ip=127.0.0.1',
         f'--ServerApp.port={port}', f'--IdentityProvider.token={token}',
         f'--LabApp.user_settings_dir={settings}'],
        cwd=clone, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        url = f'http://127.0.0.1:{port}'
        deadline = time.monotonic() + 900
        while True:
            assert lab.poll() is None, (tmp_path / 'learn.log').read_text()
            assert time.monotonic() < deadline, 'JupyterLab did not start in 15 minutes'
            try:
                urllib.request.urlopen(f'{url}/api/status?token={token}', timeout=5)
                break
            except OSError:
                time.sleep(1)
        set_up = time.monotonic() - started
        source = json.loads(course.stage('01-value').source.read_text())['cells']
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                 args=['--no-sandbox', '--disable-gpu'])
            page = browser.new_page(viewport={'width': 1280, 'height': 900})
            try:
                page.goto(f'{url}/lab/tree/lessons/01-value/01-value.ipynb?token={token}')
                page.wait_for_selector('.jp-Notebook .jp-Cell', timeout=300_000)
                # The kernel connected and idle: the toolbar's execution indicator says "idle"
                # before there is a kernel at all, and Run All then asks to select a kernel.
                page.locator('#jp-main-statusbar', has_text=KERNEL_READY).wait_for(
                    timeout=300_000)
                checked = next(i for i, c in enumerate(source)
                               if c.get('id', '').endswith('-demo-check'))

                def run_all():
                    page.click('.jp-Notebook')
                    page.keyboard.press('Escape')
                    page.click('text=Run', timeout=30_000)
                    page.click('text=Run All Cells', timeout=30_000)

                def output(index, wanted):
                    cell = page.locator('.jp-Notebook .jp-Cell').nth(index)
                    cell.locator('.jp-OutputArea-output', has_text=wanted).first.wait_for(
                        timeout=180_000)
                    return cell.locator('.jp-OutputArea').inner_text()

                run_all()      # the untouched lesson: the visible checks fail, Run All goes on
                first = output(checked, '01-value: 0/8 points')
                for index, cell in enumerate(source):
                    if cell.get('metadata', {}).get('nbgrader', {}).get('solution'):
                        page.locator('.jp-Notebook .jp-Cell').nth(index).locator(
                            '.cm-content').click()
                        page.keyboard.press('Control+a')          # the whole cell: replaced
                        page.evaluate(PASTE, [index, solved(cell)])
                run_all()      # filled in but not saved: the grader sees the old file and says so
                output(checked, 'Warning: the saved file differs')
                unsaved = output(checked, '01-value: 0/8 points')      # and the report after it
                page.keyboard.press('Control+s')       # saved when the tab is no longer dirty
                page.wait_for_selector('.lm-DockPanel-tabBar .jp-mod-dirty', state='detached',
                                       timeout=60_000)
                page.locator('.jp-Notebook .jp-Cell').nth(checked).click()
                page.keyboard.press('Shift+Enter')
                passed = output(checked, '01-value: 8/8 points')
                page.screenshot(path=str(OUT / 'screenshots' / 'jupyterlab-01-value-passing.png'))
                menus = page.locator('text=Create Assignment').count()
            except Exception:       # what the page showed (the server's log is learn.log)
                page.screenshot(path=str(OUT / 'screenshots' / 'jupyterlab-failure.png'))
                raise
            browser.close()
        seconds = time.monotonic() - started
    finally:
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGTERM)     # the server this test started
            lab.wait(timeout=60)
        log.close()
    (OUT / 'learner-path.json').write_text(json.dumps(
        {'set_up_seconds': round(set_up, 1), 'total_seconds': round(seconds, 1)}))
    assert '0/8 points' in first
    assert 'value-init' in unsaved and '0/8 points' in unsaved
    assert '8/8 points' in passed and 'Warning' not in passed
    assert menus == 0, 'the learner sees nbgrader\'s instructor menus'


def test_every_chapter_opens_its_lesson_in_colab():
    owner_repo = course.REPO_URL.removeprefix('https://github.com/')
    for stage in course.STAGES:
        exercise = stage.chapter.read_text().split('\n## Your exercise\n', 1)[1]
        assert (f'(https://colab.research.google.com/github/{owner_repo}/blob/main/'
                f'lessons/{stage.id}/{stage.id}.ipynb)') in exercise, stage.id
