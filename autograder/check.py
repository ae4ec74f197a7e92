"""`autograder check STAGE [NOTEBOOK]`: a learner's own run of a stage's hidden suite."""

import tempfile
import time
from pathlib import Path

from autograder import course
from autograder.results import GRADED, ROLE_NOTES
from autograder.runner import run_stage


def add_arguments(parser):
    parser.add_argument('stage', choices=course.STAGE_IDS, metavar='STAGE',
                        help=f"the stage id: {', '.join(course.STAGE_IDS)}")
    parser.add_argument('notebook', nargs='?', type=Path,
                        help='the notebook to check (default: lessons/STAGE/STAGE.ipynb)')
    parser.add_argument('--source', type=Path, default=course.SOLUTIONS, metavar='DIR',
                        help="nbgrader's source directory with the given cells (default: "
                             'the repository\'s solutions/)')
    parser.add_argument('--timeout', type=float, default=None,
                        help='time budget for the whole stage, in seconds (default: 180)')


def default_notebook(stage):
    local = course.stage(stage).notebook('lessons')
    return local if local.exists() else course.stage(stage).lesson


def report(result, seconds, figures_dir=None):
    """The printed report of one StageResult, as lines."""
    lines = [f'{result.stage}: {result.score:g}/{result.max_score:g} points'
             f'{"" if result.status == GRADED else f" ({result.status})"} in {seconds:.2f} s']
    if result.message:
        lines.append(f'  {result.message}')
    diagnosis = result.diagnosis
    if diagnosis:
        lines += [f'  {diagnosis.message()}', f'  {diagnosis.consequences()}']
    for test in result.tests:
        mark = 'PASS' if test.passed else 'FAIL'
        role = diagnosis.role(test.name) if diagnosis else None
        note = f'  ({ROLE_NOTES[role]})' if role else ''
        lines.append(f'  {mark}  {test.name}  {test.points:g}/{test.max_points:g}{note}')
        if test.feedback:
            lines.append(f'        {test.feedback}')
        if test.figure_svg and figures_dir is not None:
            path = Path(figures_dir, f'{result.stage}-{test.name}.svg')
            path.write_text(test.figure_svg, encoding='utf-8')
            lines.append(f'        the graph, with your grads and the expected ones: {path}')
    return lines


def run(args):
    notebook = args.notebook or default_notebook(args.stage)
    started = time.monotonic()
    result = run_stage(args.stage, notebook, source_dir=args.source, timeout=args.timeout)
    seconds = time.monotonic() - started
    figures = None
    if any(t.figure_svg for t in result.tests):
        figures = tempfile.mkdtemp(prefix='autograder-check-')
    print('\n'.join(report(result, seconds, figures)))
    return 0 if result.status == GRADED and result.score == result.max_score else 1
