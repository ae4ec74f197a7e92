"""`autograder override`: a manual grade, kept with its reason, applied in every export.

    autograder override STUDENT STAGE --points P --reason TEXT --out DIR
    autograder override STUDENT STAGE --clear --reason TEXT --out DIR   (withdraw it)
    autograder override --list --out DIR                                (the audit trail)
    autograder override --from-nbgrader DB --out DIR   (formgrader's manual grades)

DIR is the folder `autograder grade --out` wrote. Every override is a new row in the
gradebook's audit trail (who, when, why); the latest for a (student, stage) is in force
and replaces the score (the late penalty is not applied on top). The exports in DIR are
rendered again. Exit 0 on success, 2 for bad arguments.
"""

import sys
from pathlib import Path

from autograder import course


class OverrideError(Exception):
    pass


def add_arguments(parser):
    parser.add_argument('student', nargs='?', help="the student's id (folder name)")
    parser.add_argument('stage', nargs='?', help='the stage id, such as 04-backward')
    parser.add_argument('--out', type=Path, required=True, metavar='DIR',
                        help='the grades folder (holding gradebook.sqlite)')
    parser.add_argument('--points', type=float, help='the points to give for the stage')
    parser.add_argument('--reason', help='why (kept in the audit trail, shown in exports)')
    parser.add_argument('--clear', action='store_true', help='withdraw the override in force')
    parser.add_argument('--list', action='store_true', help='print the audit trail')
    parser.add_argument('--from-nbgrader', type=Path, metavar='DB',
                        help="import the manual grades of nbgrader's formgrader from its "
                        'gradebook.db')


def run(args):
    from autograder.grade import export
    from autograder.gradebook import Gradebook
    path = args.out / 'gradebook.sqlite'
    if not path.is_file():
        return _usage(f'no gradebook at {path}: run `autograder grade ... --out {args.out}` first')
    with Gradebook(path) as book:
        if args.list:
            for student, stage, points, reason, author, at in book.override_log():
                shown = 'withdrawn' if points is None else f'{points:g} points'
                print(f'{at}  {author}  {student} {stage}: {shown}: {reason}')
            return 0
        try:
            if args.from_nbgrader:
                imported = import_nbgrader(book, args.from_nbgrader)
                print(f'imported {len(imported)} manual grade(s) from {args.from_nbgrader}')
            else:
                record(book, args)
        except OverrideError as error:
            return _usage(str(error))
        export(book.results(), args.out, book.context())
    print(f'exports in {args.out} updated')
    return 0


def record(book, args):
    if not args.student or not args.stage:
        raise OverrideError('give STUDENT and STAGE (or --list, or --from-nbgrader DB)')
    if args.stage not in course.STAGE_IDS:
        raise OverrideError(f'unknown stage {args.stage}; the stages are '
                            f'{", ".join(course.STAGE_IDS)}')
    if not args.reason:
        raise OverrideError('--reason is required: the audit trail says why')
    if args.clear == (args.points is not None):
        raise OverrideError('give either --points P or --clear')
    maximum = course.stage(args.stage).max_score
    if args.points is not None and not 0 <= args.points <= maximum:
        raise OverrideError(f'--points must be between 0 and {maximum} for {args.stage}')
    known = {(s, st) for s, st, _ in book.results()}
    if (args.student, args.stage) not in known:
        print(f'autograder override: warning: {args.student} has no graded {args.stage} in '
              'this gradebook; the override applies once they are graded', file=sys.stderr)
    book.add_override(args.student, args.stage, args.points, args.reason)


def import_nbgrader(book, db_path):
    """Record an override for every submission with a manual grade in nbgrader's gradebook:
    the submission's total score there (auto and manual grades), for the stage it is."""
    if not Path(db_path).is_file():
        raise OverrideError(f'no nbgrader gradebook at {db_path}')
    from nbgrader.api import Gradebook as NbgraderGradebook

    from autograder.release import alembic_on_path
    alembic_on_path()
    imported = []
    with NbgraderGradebook(f'sqlite:///{Path(db_path).resolve()}') as nb_book:
        for assignment in nb_book.assignments:
            if assignment.name not in course.STAGE_IDS:
                continue
            for submission in nb_book.assignment_submissions(assignment.name):
                manual = [grade for notebook in submission.notebooks for grade in notebook.grades
                          if grade.manual_score is not None]
                if not manual:
                    continue
                key = (submission.student.id, assignment.name)
                current = book.overrides().get(key)
                points = float(submission.score)
                if current is None or current.points != points:
                    book.add_override(*key, points, "manual grade in nbgrader's formgrader")
                    imported.append(key)
    return imported


def _usage(message):
    print(f'autograder override: error: {message}', file=sys.stderr)
    return 2
