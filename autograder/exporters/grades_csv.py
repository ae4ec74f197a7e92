"""grades.csv: one line per (student, stage), the table to import into a spreadsheet or an LMS."""

import csv
from pathlib import Path

from autograder.policy import NO_CONTEXT
from autograder.results import format_points

NAME = 'grades'
DESCRIPTION = 'grades.csv, one line per (student, stage): grade, raw score, lateness, status, tests'

# score is the exported grade (late penalty and overrides applied); raw_score what the code
# earned; the roster's lms_id is empty without a roster.
CSV_COLUMNS = ('student', 'stage', 'score', 'max_score', 'status', 'tests_passed', 'tests_total',
               'raw_score', 'late_days', 'submitted_at', 'lms_id', 'note')


def export(results, out, context=NO_CONTEXT):
    path = Path(out) / 'grades.csv'
    write_grades_csv(results, path, context)
    return [path]


FORMULA_PREFIXES = ('=', '+', '-', '@', '\t', '\r', '\n')


def cell_text(text):
    """Text a spreadsheet shows as text: a leading formula character gets a quote first."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_grades_csv(results, path, context=NO_CONTEXT):
    """grades.csv, one line per (student, stage), sorted, with no run-dependent column."""
    with open(path, 'w', newline='', encoding='utf-8') as file:
        writer = csv.writer(file, lineterminator='\n')
        writer.writerow(CSV_COLUMNS)
        for student, stage, result in results:
            grade = context.grade(student, stage, result)
            when = context.submitted_at.get((student, stage))
            entry = context.student(student)
            writer.writerow((cell_text(student), cell_text(stage), format_points(grade.score),
                             format_points(result.max_score), result.status,
                             sum(t.passed for t in result.tests), len(result.tests),
                             format_points(grade.raw), grade.late_days,
                             when.isoformat() if when else '',
                             entry.lms_id if entry else '', grade.note))
