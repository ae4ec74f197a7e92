"""grades.csv: one line per (student, stage), the table to import into a spreadsheet or an LMS."""

import csv
from pathlib import Path

from autograder.results import format_points

NAME = 'grades'
DESCRIPTION = 'grades.csv, one line per (student, stage) with score, status and tests passed'

CSV_COLUMNS = ('student', 'stage', 'score', 'max_score', 'status', 'tests_passed', 'tests_total')


def export(results, out):
    path = Path(out) / 'grades.csv'
    write_grades_csv(results, path)
    return [path]


FORMULA_PREFIXES = ('=', '+', '-', '@', '\t', '\r', '\n')


def cell_text(text):
    """Text a spreadsheet shows as text: a leading formula character gets a quote first."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_grades_csv(results, path):
    """grades.csv, one line per (student, stage), sorted, with no run-dependent column."""
    with open(path, 'w', newline='', encoding='utf-8') as file:
        writer = csv.writer(file, lineterminator='\n')
        writer.writerow(CSV_COLUMNS)
        for student, stage, result in results:
            writer.writerow((cell_text(student), cell_text(stage), format_points(result.score),
                             format_points(result.max_score), result.status,
                             sum(t.passed for t in result.tests), len(result.tests)))
