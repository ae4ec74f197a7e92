"""canvas.csv: the grades in the layout of Canvas's gradebook import.

Canvas reads the columns Student, ID, SIS User ID, SIS Login ID and Section, then one
column per assignment; a second row `Points Possible` gives each assignment's maximum.
Canvas matches a row to a student by ID (its user id) or SIS User ID, and a column to
an assignment by its name (or by `Name (assignment id)`); a column it does not know
becomes a new assignment on import. The roster fills ID (lms_id), SIS Login ID (email),
Section and Student (name); without a roster they are empty and SIS User ID is the
student's folder name. Each cell is the exported grade: late penalty and overrides
applied (the raw scores are in grades.csv).
"""

import csv
from pathlib import Path

from autograder import course
from autograder.exporters.grades_csv import cell_text
from autograder.policy import NO_CONTEXT
from autograder.results import format_points

NAME = 'canvas'
DESCRIPTION = "canvas.csv, for Canvas's gradebook import (a row per student, a column per stage)"

FIXED_COLUMNS = ('Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section')


def export(results, out, context=NO_CONTEXT):
    path = Path(out) / 'canvas.csv'
    stages, students, grades = table(results, context)
    with open(path, 'w', newline='', encoding='utf-8') as file:
        writer = csv.writer(file, lineterminator='\n')
        writer.writerow((*FIXED_COLUMNS, *stages))
        writer.writerow(('Points Possible', '', '', '', '',
                         *(str(course.stage(s).max_score) for s in stages)))
        for student in students:
            entry = context.student(student)
            fields = (entry.name if entry and entry.name else student,
                      entry.lms_id if entry else '', student,
                      entry.email if entry else '', entry.section if entry else '')
            writer.writerow((*map(cell_text, fields),
                             *(grades.get((student, stage), '') for stage in stages)))
    return [path]


def table(results, context):
    """(stages, students, {(student, stage): exported grade as text}), all sorted."""
    grades = {(student, stage): format_points(context.grade(student, stage, result).score)
              for student, stage, result in results}
    stages = sorted({stage for _, stage in grades})
    students = sorted({student for student, _ in grades})
    return stages, students, grades
