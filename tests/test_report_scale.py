"""The class report stays readable at 20, 200 and 2,000 students: looked at in Chromium.

Synthetic results (no grading) for every stage; the report is opened in headless
Chromium (Debian's, driven by Playwright, no network) and measured: the score plot
keeps its size and its number of marks bounded, and the student table stays in a
scrolling box with its header in view. The screenshots are kept in the test's folder
(and in $REPORT_SCREENSHOTS, when set, to look at).
"""

import os
import random
import shutil
from pathlib import Path

import pytest

from autograder import course
from autograder.exporters import report
from autograder.results import GRADED, MISSING_NOTEBOOK, StageResult
from autograder.results import TestOutcome as Outcome  # not collected by pytest

CHROMIUM = Path('/usr/bin/chromium')
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']


def synthetic(students, seed=0):
    rng = random.Random(seed)
    results = []
    for k in range(students):
        for stage in course.STAGES:
            if rng.random() < 0.05:
                results.append((f's{k:04d}', stage.id, StageResult(
                    stage.id, MISSING_NOTEBOOK, 0.0, float(stage.max_score))))
                continue
            score = float(min(stage.max_score, max(0, round(rng.gauss(0.75, 0.25)
                                                             * stage.max_score))))
            tests = [Outcome('all', float(stage.max_score), score, score == stage.max_score)]
            results.append((f's{k:04d}', stage.id,
                            StageResult(stage.id, GRADED, score, float(stage.max_score), tests)))
    return results


@pytest.fixture(scope='module')
def page():
    if not CHROMIUM.exists():
        pytest.fail(f'{CHROMIUM} is missing: apt-get install chromium')
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={'width': 1280, 'height': 900})
        context.route('**/*', lambda route: route.continue_()
                      if route.request.url.startswith('file:') else route.abort())
        yield context.new_page()
        browser.close()


@pytest.mark.slow
def test_the_report_reads_the_same_at_any_class_size(page, tmp_path):
    measured = {}
    for students in (20, 200, 2000):
        path = tmp_path / f'report-{students}.html'
        path.write_text(report.render_report(synthetic(students)), encoding='utf-8')
        page.goto(path.as_uri())
        figure = page.locator('figure').first                 # the scores per stage
        table_box = page.locator('table').last.locator('xpath=..')   # the student table's box
        measured[students] = {
            'figure': figure.bounding_box(),
            'marks': figure.locator('path, use').count(),
            'table_height': table_box.bounding_box()['height'],
            'page_height': page.evaluate('document.documentElement.scrollHeight'),
        }
        shot = tmp_path / f'report-{students}.png'
        page.screenshot(path=str(shot), full_page=True)
        if os.environ.get('REPORT_SCREENSHOTS'):
            shutil.copy(shot, Path(os.environ['REPORT_SCREENSHOTS']) / shot.name)
        # Scrolled to its end, the table's header row is still in view.
        table_box.evaluate('box => box.scrollTo(0, box.scrollHeight)')
        header = page.locator('table').last.locator('th').first.bounding_box()
        box = table_box.bounding_box()
        assert box['y'] - 1 <= header['y'] <= box['y'] + 5, students
    small, large, huge = measured[20], measured[200], measured[2000]
    for size in (large, huge):
        assert size['figure']['height'] == pytest.approx(small['figure']['height'], abs=2)
        assert size['table_height'] <= 36 * 16 + 2                 # the box, not 2,000 rows
    assert huge['marks'] <= large['marks'] * 1.2 < small['marks'] + 200
    assert huge['page_height'] < 2 * large['page_height']
