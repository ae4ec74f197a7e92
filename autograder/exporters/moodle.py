"""moodle.csv: the grades in the layout of Moodle's grade import (Import > CSV file).

Moodle maps one identifier column to its users and each other column to a grade item,
chosen on its import page. We write `Email address` (the roster's email) and
`ID number` (the student's folder name, Moodle's idnumber), then one column per stage,
named by the stage id, holding the exported grade: late penalty and overrides applied
(the raw scores are in grades.csv). Map `Email address` to "email address" (or
`ID number` to "ID number") and each stage column to its grade item.
"""

import csv
from pathlib import Path

from autograder.exporters.canvas import table
from autograder.exporters.grades_csv import cell_text
from autograder.policy import NO_CONTEXT

NAME = 'moodle'
DESCRIPTION = "moodle.csv, for Moodle's CSV grade import (email and idnumber, one column per stage)"

FIXED_COLUMNS = ('Email address', 'ID number')


def export(results, out, context=NO_CONTEXT):
    path = Path(out) / 'moodle.csv'
    stages, students, grades = table(results, context)
    with open(path, 'w', newline='', encoding='utf-8') as file:
        writer = csv.writer(file, lineterminator='\n')
        writer.writerow((*FIXED_COLUMNS, *stages))
        for student in students:
            entry = context.student(student)
            writer.writerow((cell_text(entry.email if entry else ''), cell_text(student),
                             *(grades.get((student, stage), '') for stage in stages)))
    return [path]
