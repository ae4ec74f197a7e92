"""`autograder export`: outputs made on demand, beside those `autograder grade` writes.

    autograder export gradescope DIR [--stage S]... [--per-stage] [--visibility V]
        the Gradescope autograder zip: DIR/autograder.zip for the chosen stages (default:
        all) as one assignment, or DIR/<stage>/autograder.zip per stage with --per-stage
    autograder export grades DIR
        render every export again from DIR/gradebook.sqlite (after changing an override,
        or to refresh outputs), with the roster and config stored there

Exit 0 on success, 2 for bad arguments.
"""

import sys
from pathlib import Path

from autograder import course
from autograder.exporters.gradescope import VISIBILITIES


def add_arguments(parser):
    parser.add_argument('target', choices=('gradescope', 'grades'),
                        help='gradescope: the autograder zip; grades: every export from the '
                        'gradebook in DIR')
    parser.add_argument('folder', type=Path, metavar='DIR', help='where to write / the grades')
    parser.add_argument('--stage', action='append', dest='stages', choices=course.STAGE_IDS,
                        metavar='S', help='gradescope: only this stage (repeatable)')
    parser.add_argument('--per-stage', action='store_true',
                        help='gradescope: one zip (one Gradescope assignment) per stage')
    parser.add_argument('--visibility', choices=VISIBILITIES, default='visible',
                        help="gradescope: when students see each test's result "
                        '(default: %(default)s)')


def run(args):
    if args.target == 'grades':
        return export_grades(args.folder)
    from autograder.gradescope_zip import build_zip
    stages = args.stages or list(course.STAGE_IDS)
    if args.per_stage:
        zips = [build_zip(args.folder / stage / 'autograder.zip', [stage], args.visibility)
                for stage in stages]
    else:
        zips = [build_zip(args.folder / 'autograder.zip', stages, args.visibility)]
    for path in zips:
        print(f'wrote {path}')
    return 0


def export_grades(folder):
    from autograder.grade import export
    from autograder.gradebook import Gradebook
    path = Path(folder) / 'gradebook.sqlite'
    if not path.is_file():
        print(f'autograder export: error: no gradebook at {path}', file=sys.stderr)
        return 2
    with Gradebook(path) as book:
        written = export(book.results(), folder, book.context())
    print(f'wrote {len(written)} files into {folder}')
    return 0
