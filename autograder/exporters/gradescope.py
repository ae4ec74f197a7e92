"""Gradescope's results.json, one per student, in the format of Gradescope's autograder spec.

Top level: `score` (the sum over stages), `output` (led by the diagnosed mistake of
each stage, when there is one, with the failing tests it explains beneath it),
`visibility`, `stdout_visibility`, `tests`; each test: `name`, `number`, `score`,
`max_score`, `status`, `output`, `visibility`. A stage that could not be graded becomes
one failed test carrying its whole maximum, so the student's maximum is the same
whatever happened. A late penalty or a manual override is one more test, worth 0,
whose score is the change: the tests' scores always add up to `score`. Written as
gradescope/<student>/results.json; the Gradescope autograder zip
(autograder/gradescope_zip.py) writes the same object.
"""

import json
from pathlib import Path

from autograder.exporters.feedback import explain
from autograder.policy import NO_CONTEXT
from autograder.results import GRADED, ROLE_NOTES, format_points

NAME = 'gradescope'
DESCRIPTION = "Gradescope's results.json, one per student"

VISIBILITIES = ('visible', 'hidden', 'after_due_date', 'after_published')


def export(results, out, context=NO_CONTEXT):
    """Write gradescope/<student>/results.json for every student; return the paths."""
    by_student = {}
    for student, stage, result in results:
        by_student.setdefault(student, []).append((stage, result))
    written = []
    for student, stage_results in by_student.items():
        folder = Path(out) / 'gradescope' / student
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / 'results.json'
        grades = [context.grade(student, stage, result) for stage, result in stage_results]
        path.write_text(dumps(student_results(student, stage_results, grades)),
                        encoding='utf-8')
        written.append(path)
    return written


def student_results(student, stage_results, grades=None, visibility='visible'):
    """The results.json object for one student; stage_results is a sorted [(stage, result)],
    grades the matching autograder.policy.Grade list (None: the raw scores), visibility
    that of every test (one of VISIBILITIES)."""
    if visibility not in VISIBILITIES:
        raise ValueError(f'visibility must be one of {", ".join(VISIBILITIES)}')
    tests = []
    for stage_number, (stage, result) in enumerate(stage_results, start=1):
        if result.status == GRADED:
            for test_number, test in enumerate(result.tests, start=1):
                tests.append({
                    'name': f'{stage}: {test.name}',
                    'number': f'{stage_number}.{test_number}',
                    'score': test.points,
                    'max_score': test.max_points,
                    'status': 'passed' if test.passed else 'failed',
                    'output': test.feedback,
                    'visibility': visibility,
                })
        else:
            tests.append({
                'name': f'{stage}: not graded ({result.status})',
                'number': f'{stage_number}',
                'score': 0.0,
                'max_score': result.max_score,
                'status': 'failed',
                'output': explain(result),
                'visibility': visibility,
            })
        grade = grades[stage_number - 1] if grades else None
        if grade is not None and grade.score != grade.raw:
            tests.append({
                'name': f'{stage}: {grade.note}',
                'number': f'{stage_number}.0',
                'score': round(grade.score - grade.raw, 4),
                'max_score': 0.0,
                'status': 'failed' if grade.score < grade.raw else 'passed',
                'output': f'Raw score {format_points(grade.raw)}, grade '
                          f'{format_points(grade.score)}: {grade.note}.',
                'visibility': 'visible',
            })
    score = round(sum(t['score'] for t in tests), 4)
    maximum = sum(result.max_score for _, result in stage_results)
    scores = [g.score for g in grades] if grades else [r.score for _, r in stage_results]
    summary = ', '.join(f'{stage} {format_points(points)}/{format_points(r.max_score)}'
                        for (stage, r), points in zip(stage_results, scores))
    total = (f'{student}: {format_points(score)} of {format_points(maximum)} points '
             f'({summary}).')
    return {
        'score': score,
        'output': '\n\n'.join([*diagnoses(stage_results), total]),
        'visibility': 'visible',
        'stdout_visibility': 'hidden',
        'extra_data': {'statuses': {stage: r.status for stage, r in stage_results}},
        'tests': tests,
    }


def diagnoses(stage_results):
    """One message per diagnosed stage: the mistake and its fix, then the tests it explains."""
    messages = []
    for stage, result in stage_results:
        diagnosis = result.diagnosis
        if diagnosis:
            tests = ''.join(f'\n  - {stage}: {name} ({ROLE_NOTES[diagnosis.role(name)]})'
                            for name in diagnosis.explains)
            messages.append(f'{stage}: {diagnosis.message()}\n{diagnosis.consequences()}{tests}')
    return messages


def dumps(results):
    return json.dumps(results, indent=2, sort_keys=True) + '\n'
