"""The hidden check in the browser (lite/check/, autograder/browser.py), in Debian's chromium.

The built site (test_site.py's fixtures: `mkdocs build`, served on 127.0.0.1, every other
host refused) holds the check worker at lite/assets/check/check-worker.js. A page of the
site starts it as a lesson's check cell does, with a notebook's saved text; its report is
compared with `autograder check`'s on the same notebook, and the progress it records is
read back from the lesson index.
"""

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import test_site

from autograder import course
from lite.browser import wait_for_kernel

ROOT = Path(__file__).resolve().parent.parent
BROWSER_STAGES = [s.id for s in course.STAGES if s.id != '08-training']
WORKER = 'lite/assets/check/check-worker.js'

pytestmark = pytest.mark.slow
# The site is conftest.py's session fixture (built once for all modules); the server and the
# browser are test_site.py's.
server, browser = test_site.server, test_site.browser

START = '''([url, stage, notebook]) => new Promise((resolve) => {
  const worker = new Worker(url, { type: 'module' });
  const done = (message) => { worker.terminate(); resolve(message); };
  worker.onmessage = ({ data }) => done(data);
  worker.onerror = (event) => done({ kind: 'error', message: event.message });
  worker.postMessage({ stage, notebook });
})'''


@pytest.fixture(scope='module')
def page(browser, server):
    page = browser.new_page()
    page.goto(f'{server.url}/index.html')
    yield page
    page.close()
    assert browser.outside_requests == []


def browser_check(page, server, stage, notebook):
    message = page.evaluate(START, [f'{server.url}/{WORKER}', stage,
                                    Path(notebook).read_text(encoding='utf-8')])
    assert message['kind'] == 'report', message
    return message['report']


def local_check(stage, notebook):
    done = subprocess.run([sys.executable, '-m', 'autograder.cli', 'check', stage, str(notebook)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    return done.stdout


def comparable(text):
    """A report without what may rightly differ: the confinement note, timings, figures' paths."""
    lines = [line for line in text.splitlines()
             if not line.startswith('autograder: note:') and 'with your grads and the ' not in line]
    return re.sub(r' in \d+\.\d\d s$', ' in N s', '\n'.join(lines), flags=re.M).strip()


@pytest.mark.parametrize('stage', BROWSER_STAGES)
def test_solution_gets_full_marks_in_the_browser(page, server, stage):
    report = browser_check(page, server, stage, course.stage(stage).source)
    result = report['result']
    assert (result['status'], result['score']) == ('graded', course.stage(stage).max_score), \
        report['text']
    assert report['text'].startswith('autograder: note: sandbox confinement here is "browser"')


@pytest.mark.parametrize('stage', BROWSER_STAGES)
def test_untouched_lesson_gets_zero_in_the_browser(page, server, stage):
    report = browser_check(page, server, stage, course.stage(stage).lesson)
    result = report['result']
    assert (result['status'], result['score']) == ('graded', 0), report['text']
    assert all(t['status'] == 'failed' for t in result['tests'])


@pytest.mark.parametrize('notebook', [
    'solutions/04-backward/04-backward.ipynb',
    'lessons/03-graph/03-graph.ipynb',
    'examples/submitted/ben/04-backward/04-backward.ipynb',
    'examples/submitted/cleo/02-operations/02-operations.ipynb',
    'examples/submitted/dan/06-layer/06-layer.ipynb',
])
def test_the_report_is_the_one_of_autograder_check(page, server, notebook):
    stage = Path(notebook).parent.name
    report = browser_check(page, server, stage, ROOT / notebook)
    assert comparable(report['text']) == comparable(local_check(stage, ROOT / notebook))


def test_stage_08_says_it_needs_a_local_install(page, server):
    report = browser_check(page, server, '08-training', course.stage('08-training').source)
    assert report['result'] is None
    assert 'numpy' in report['text'] and 'autograder check 08-training' in report['text']


def run_new_cell(page, code, timeout=300_000):
    """Type code into a new cell at the notebook's end, run it once the kernel is idle, and
    return its output.

    JupyterLab silently leaves a cell unrun (its prompt stays "[ ]") when it is run before the
    session has a kernel, so the kernel's start is waited for first: on a loaded machine the
    notebook is shown long before that."""
    wait_for_kernel(page, timeout)
    cells = page.locator('.jp-Notebook .jp-Cell')
    count = cells.count()
    cells.nth(count - 1).click()
    page.keyboard.press('Escape')
    page.keyboard.press('b')
    page.keyboard.press('Enter')
    page.keyboard.insert_text(code)
    cell = page.locator('.jp-Notebook .jp-Cell').nth(count)
    assert code.splitlines()[-1] in cell.inner_text(), cell.inner_text()
    page.keyboard.press('Shift+Enter')
    page.wait_for_function('(cell) => /\\[\\d+\\]/.test(cell.querySelector('
                           '".jp-InputPrompt").textContent)', arg=cell.element_handle(),
                           timeout=timeout)
    return cell.locator('.jp-Cell-outputWrapper').inner_text()


@pytest.mark.parametrize('stage', ['01-value', '04-backward'])
def test_the_check_cell_in_jupyterlite(browser, server, stage):
    """The lesson in the browser course: its check cell on the untouched lesson (0), then on
    the solution written over the saved notebook (full marks)."""
    page = browser.new_page()
    try:
        page.goto(f'{server.url}/{course.stage(stage).lite_path}')
        page.wait_for_selector('.jp-Notebook .jp-Cell', timeout=120_000)
        maximum = course.stage(stage).max_score
        # The kernel works in the lesson's folder, with it first on the import path, as in
        # JupyterLab (the kernel itself is imported elsewhere: lite/build.py).
        where = run_new_cell(page, 'import os, sys\nprint(os.getcwd(), repr(sys.path[0]))')
        assert where.strip() == f"/drive/{stage} ''", where
        untouched = run_new_cell(page, 'from autograder.in_notebook import check_my_work\n'
                                       f'check_my_work({stage!r})')
        assert f'{stage}: 0/{maximum} points' in untouched, untouched
        assert 'FAIL' in untouched and 'PASS' not in untouched
        solved = base64.b64encode(course.stage(stage).source.read_bytes()).decode()
        output = run_new_cell(page, 'import base64\n'
                                    f'open({stage + ".ipynb"!r}, "wb").write(base64.b64decode('
                                    f'{solved!r}))\ncheck_my_work({stage!r})')
        assert f'{stage}: {maximum}/{maximum} points' in output, output
        assert 'FAIL' not in output
    finally:
        page.close()
    assert browser.outside_requests == []


def test_the_lesson_index_shows_the_progress_kept_in_the_browser(page, server):
    browser_check(page, server, '01-value', course.stage('01-value').source)
    browser_check(page, server, '02-operations', course.stage('02-operations').lesson)
    page.goto(f'{server.url}/index.html')
    page.wait_for_selector('td.progress[data-stage="08-training"]')
    shown = page.evaluate('''() => Object.fromEntries([...document.querySelectorAll(
        'td.progress')].map((td) => [td.dataset.stage, td.textContent]))''')
    assert list(shown) == list(course.STAGE_IDS)
    assert shown['01-value'] == 'passing (8/8)'
    assert shown['02-operations'] == 'in progress (0/18)'
    assert shown['08-training'] == 'not started'
    stored = page.evaluate('''() => new Promise((resolve) => {
        const open = indexedDB.open('micrograd-course', 1);
        open.onsuccess = () => { const get = open.result.transaction('progress').objectStore(
            'progress').get('01-value'); get.onsuccess = () => resolve(get.result); };
    })''')
    assert json.loads(json.dumps(stored))['passing'] is True
