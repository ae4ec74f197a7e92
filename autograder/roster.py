"""The class roster: who is in the class, and how the LMS knows them.

A CSV file with a header row; the columns (in any order, extra columns ignored):

    student_id   the student's folder name in submitted/ (required, unique)
    name         full name, as the LMS shows it            (optional)
    email        login or e-mail address                   (optional; Moodle's identifier)
    lms_id       the LMS's own user id (Canvas's "ID")     (optional)
    section      section name                              (optional)

With a roster, every rostered student gets a row in every export (a student who
handed in nothing gets `missing_notebook`), folders of students not on it are
reported and left out, and exports carry the LMS columns.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ('student_id', 'name', 'email', 'lms_id', 'section')


class RosterError(Exception):
    """The roster cannot be used; the message says which line and why."""


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str = ''
    email: str = ''
    lms_id: str = ''
    section: str = ''


@dataclass(frozen=True)
class Roster:
    students: tuple          # of Student, sorted by student_id
    text: str = ''           # the CSV it was read from: stored in the gradebook as is

    @property
    def ids(self):
        return [s.student_id for s in self.students]

    def get(self, student_id):
        return next((s for s in self.students if s.student_id == student_id), None)


def read_roster(path):
    path = Path(path)
    try:
        text = path.read_text(encoding='utf-8-sig')
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError(f'cannot read the roster {path}: {error}') from None
    return parse_roster(text, str(path))


def parse_roster(text, where='the roster'):
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    if 'student_id' not in header:
        raise RosterError(f'{where}: the header row must name a student_id column '
                          f'(columns: {", ".join(COLUMNS)}); found {", ".join(header) or "none"}')
    reader.fieldnames = header
    students, seen = [], set()
    for line, row in enumerate(reader, start=2):
        values = {key: (row.get(key) or '').strip() for key in COLUMNS}
        if not values['student_id']:
            raise RosterError(f'{where}, line {line}: empty student_id')
        if values['student_id'] in seen:
            raise RosterError(f'{where}, line {line}: student_id {values["student_id"]!r} '
                              'appears twice')
        seen.add(values['student_id'])
        students.append(Student(**values))
    return Roster(tuple(sorted(students, key=lambda s: s.student_id)), text)
