"""The gradebook and everything rendered from it, on hand-made results (no grading run)."""

import csv
import json
from pathlib import Path

from autograder.exporters import feedback, gradescope, report
from autograder.exporters.grades_csv import write_grades_csv
from autograder.grade import Task, find_notebook, grade_one
from autograder.gradebook import Gradebook
from autograder.results import GRADED, GRADER_ERROR, SYNTAX_ERROR, StageResult
from autograder.results import TestOutcome as Outcome  # not collected by pytest

SAMPLE = Path(__file__).resolve().parent.parent / 'examples' / 'submitted'
SVG = ('<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg">'
       '<script>alert(1)</script><text>x.grad</text></svg>')


def backward_result(accumulates=True):
    tests = [Outcome('backward-pow', 2.0, 2.0, True),
             Outcome('backward-accumulate', 3.0, 3.0 if accumulates else 0.0, accumulates,
                         '' if accumulates else
                         'x.grad is 3.0 for x*x at x = 3.0: when a node is used twice its '
                         'gradient must accumulate', None if accumulates else SVG)]
    score = sum(t.points for t in tests)
    return StageResult('04-backward', GRADED, score, 5.0, tests)


def syntax_result():
    return StageResult('02-operations', SYNTAX_ERROR, 0.0, 4.0,
                       message='line 3: invalid syntax in cell ops-add')


def test_gradebook_knows_what_it_has_graded(tmp_path):
    with Gradebook(tmp_path / 'gb.sqlite') as book:
        assert not book.is_current('ada', '04-backward', 'sha1', 'v1')
        book.record('ada', '04-backward', 'sha1', 'v1', backward_result())
        assert book.is_current('ada', '04-backward', 'sha1', 'v1')
        assert not book.is_current('ada', '04-backward', 'sha2', 'v1')   # notebook changed
        assert not book.is_current('ada', '04-backward', 'sha1', 'v2')   # grader changed
        book.record('ben', '04-backward', 's', 'v1',
                    StageResult('04-backward', GRADER_ERROR, 0.0, 5.0))
        assert not book.is_current('ben', '04-backward', 's', 'v1')       # always retried
    # Reopened, as a resumed run does: the rows are there and round-trip exactly.
    with Gradebook(tmp_path / 'gb.sqlite') as book:
        stored = book.results()
    assert [(s, st) for s, st, _ in stored] == [('ada', '04-backward'), ('ben', '04-backward')]
    assert stored[0][2] == backward_result()


def test_recording_again_replaces_the_row(tmp_path):
    with Gradebook(tmp_path / 'gb.sqlite') as book:
        book.record('ben', '04-backward', 'sha1', 'v1', backward_result(accumulates=False))
        book.record('ben', '04-backward', 'sha2', 'v1', backward_result())
        assert len(book.rows()) == 1
        assert book.results()[0][2].score == 5.0


def test_grades_csv_is_sorted_and_plain(tmp_path):
    results = [('ada', '02-operations', syntax_result()),
               ('ada', '04-backward', backward_result()),
               ('ben', '04-backward', backward_result(accumulates=False))]
    write_grades_csv(results, tmp_path / 'grades.csv')
    with open(tmp_path / 'grades.csv', newline='') as file:
        rows = list(csv.DictReader(file))
    assert [(r['student'], r['stage'], r['score'], r['max_score'], r['status']) for r in rows] == [
        ('ada', '02-operations', '0', '4', 'syntax_error'),
        ('ada', '04-backward', '5', '5', 'graded'),
        ('ben', '04-backward', '2', '5', 'graded')]
    assert rows[2]['tests_passed'] == '1' and rows[2]['tests_total'] == '2'


def test_feedback_names_each_test_and_the_bug():
    result = backward_result(accumulates=False)
    markdown = feedback.render_markdown('ben', result)
    assert 'Score: 2 / 5' in markdown
    assert '**backward-pow**: passed, 2 / 2 points' in markdown
    assert '**backward-accumulate**: FAILED, 0 / 3 points' in markdown
    assert 'gradient must accumulate' in markdown
    page = feedback.render_html('ben', result)
    assert '<svg xmlns' in page and '<?xml' not in page       # the figure, inline
    assert '<script' not in page
    assert 'gradient must accumulate' in page


def test_feedback_for_a_stage_that_was_not_graded_says_why():
    result = syntax_result()
    for text in (feedback.render_markdown('cleo', result), feedback.render_html('cleo', result)):
        assert 'syntax error' in text
        assert 'line 3: invalid syntax in cell ops-add' in text
        assert 'syntax_error' in text


def test_feedback_escapes_html():
    result = StageResult('01-value', GRADED, 0.0, 1.0,
                         [Outcome('value-repr', 1.0, 0.0, False, "repr was '<b>hi</b>'")])
    assert '&lt;b&gt;hi&lt;/b&gt;' in feedback.render_html('x', result)


def test_report_is_reproducible_and_lists_the_most_failed_tests():
    results = [('ada', '04-backward', backward_result()),
               ('ben', '04-backward', backward_result(accumulates=False)),
               ('cleo', '02-operations', syntax_result())]
    first, second = report.render_report(results), report.render_report(results)
    assert first == second
    assert first.count('<svg') == 3                  # scores, statuses, failed tests
    assert 'backward-accumulate' in first and '1 of 2' in first
    assert 'href="feedback/ben/04-backward.html"' in first


def test_gradescope_results_follow_the_spec():
    data = gradescope.student_results('ben', [('02-operations', syntax_result()),
                                              ('04-backward', backward_result(False))])
    data = json.loads(gradescope.dumps(data))
    assert data['score'] == 2.0
    assert {t['name'] for t in data['tests']} == {
        '02-operations: not graded (syntax_error)', '04-backward: backward-pow',
        '04-backward: backward-accumulate'}
    for test in data['tests']:
        assert set(test) >= {'name', 'score', 'max_score', 'output', 'visibility'}
        assert test['visibility'] in ('hidden', 'after_due_date', 'after_published', 'visible')
    assert sum(t['max_score'] for t in data['tests']) == 9.0
    assert sum(t['score'] for t in data['tests']) == data['score']


def test_a_grader_exception_is_recorded_as_grader_error_not_raised(tmp_path):
    # The source folder vanished after planning: run_stage raises, the batch must not.
    task = Task('ada', '01-value', SAMPLE / 'ada' / '01-value' / '01-value.ipynb', 'sha')
    result, error = grade_one(task, {'source_dir': tmp_path / 'gone', 'timeout': None})
    assert result.status == GRADER_ERROR and result.score == 0.0 and result.max_score > 0
    assert 'Traceback' in error
    assert 'not your fault' in feedback.render_markdown('ada', result)


def test_missing_notebooks_are_told_apart(tmp_path):
    (tmp_path / 'ada' / '02-operations').mkdir(parents=True)
    (tmp_path / 'ada' / '03-graph').mkdir(parents=True)
    for name in ('mine.ipynb', 'copy.ipynb'):
        (tmp_path / 'ada' / '03-graph' / name).write_text('{}')
    (tmp_path / 'ada' / '04-backward').mkdir(parents=True)
    (tmp_path / 'ada' / '04-backward' / 'whatever.ipynb').write_text('{}')
    assert 'no folder 01-value' in find_notebook(tmp_path, 'ada', '01-value').missing_reason
    assert 'holds no notebook' in find_notebook(tmp_path, 'ada', '02-operations').missing_reason
    assert 'several notebooks' in find_notebook(tmp_path, 'ada', '03-graph').missing_reason
    only = find_notebook(tmp_path, 'ada', '04-backward')         # one notebook: whatever its name
    assert only.notebook.name == 'whatever.ipynb' and only.sha256
