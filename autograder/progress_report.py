"""`autograder progress [FOLDER]`: every stage of a learner's notebooks, its status and points.

A stage is *not started* while its notebook is missing or every exercise cell still holds
the lesson's stub; otherwise its notebook is graded with the hidden suite, as `check`
does, and the stage is *passing* with full points, *in progress* below them.
"""

import time
from pathlib import Path

from autograder import cells, course
from autograder.intake import NotebookProblem, read_cells
from autograder.results import GRADED, format_points
from autograder.runner import run_batch, submission

NOT_STARTED, IN_PROGRESS, PASSING = 'not started', 'in progress', 'passing'
STUB = ('# YOUR CODE HERE', 'raise NotImplementedError()')   # what nbgrader leaves in a cell


def add_arguments(parser):
    parser.add_argument('folder', nargs='?', type=Path,
                        help='the folder with your notebooks in the lessons\' layout, '
                             'FOLDER/STAGE/STAGE.ipynb (default: lessons/ here, or the '
                             "course repository's lessons/)")
    parser.add_argument('--source', type=Path, default=course.SOLUTIONS, metavar='DIR',
                        help="nbgrader's source directory with the given cells (default: "
                             "the repository's solutions/)")


def default_folder():
    return Path('lessons') if Path('lessons').is_dir() else course.LESSONS


def untouched(cell):
    """True for an exercise cell that still holds the stub where the learner's code goes."""
    lines = [line.strip() for line in cells.source(cell).splitlines()]
    return any(lines[i:i + 2] == list(STUB) for i in range(len(lines) - 1))


def started(notebook):
    """Whether the learner has written anything into the notebook's exercise cells."""
    try:
        exercises = [cell for cell in read_cells(notebook) if cells.is_exercise(cell)]
    except NotebookProblem:
        return True        # a damaged file is work in progress: grading names the problem
    return not all(untouched(cell) for cell in exercises)


def status_of(result):
    if result.status == GRADED and result.score == result.max_score:
        return PASSING
    return IN_PROGRESS


def progress(folder, source_dir=course.SOLUTIONS):
    """[(stage, notebook, status, StageResult or None)] for every stage in course order."""
    rows = []
    for stage in course.STAGES:
        notebook = stage.notebook(folder)
        if not notebook.is_file() or not started(notebook):
            rows.append((stage, notebook, NOT_STARTED, None))
            continue
        result = run_batch(stage.id, [submission(stage.id, notebook,
                                                 source_dir=source_dir)])[0]
        rows.append((stage, notebook, status_of(result), result))
    return rows


def report(rows, seconds):
    """The printed table, as lines."""
    width = max(len(stage.id) for stage, *_ in rows)
    lines = []
    for stage, notebook, status, result in rows:
        score = format_points(result.score) if result else '0'
        points = f'{score}/{stage.max_score}'
        why = '' if result is None or result.status == GRADED else f' ({result.status})'
        where = notebook if notebook.is_file() else f'{notebook} (missing)'
        lines.append(f'{stage.id:<{width}}  {status:<11}  {points:>5}{why}  {where}')
    total = sum(result.score for *_, result in rows if result)
    passing = sum(1 for _, _, status, _ in rows if status == PASSING)
    lines.append(f'{passing}/{len(rows)} stages passing, '
                 f'{format_points(total)}/{sum(s.max_score for s in course.STAGES)} points '
                 f'in {seconds:.1f} s; `autograder check STAGE` shows what a stage still misses')
    return lines


def run(args):
    folder = args.folder or default_folder()
    print(f'Your notebooks in {folder}:')
    started_at = time.monotonic()
    rows = progress(folder, args.source)
    print('\n'.join(report(rows, time.monotonic() - started_at)))
    return 0
