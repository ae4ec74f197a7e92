"""`autograder check STAGE [NOTEBOOK]`: a learner's own run of a stage's hidden suite.

Exit status: 0 full marks, 1 any point lost (or the notebook could not be graded),
2 bad arguments, 3 the grader itself failed (grader_error: not the learner's fault).
`--json` prints the result as one JSON object (json_report) instead of the text report.
"""

import json
import shutil
import tempfile
import time
from pathlib import Path

from autograder import course, isolation
from autograder.intake import stage_cells
from autograder.progress import terminal_text
from autograder.results import GRADED, GRADER_ERROR, ROLE_NOTES
from autograder.sandbox import Limits, Worker


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
    parser.add_argument('--figures', type=Path, default=None, metavar='DIR',
                        help='where to write the pictures of failing graphs (default: one '
                             'folder per stage under the temporary folder, replaced each run)')
    parser.add_argument('--json', action='store_true',
                        help='print the result as JSON (per-test points, status, messages)')


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


def figures_folder(stage):
    """The default folder for a stage's pictures: the same one every run, emptied first,
    so checking again and again leaves one folder behind, not one per run."""
    folder = Path(tempfile.gettempdir(), 'autograder-check', stage)
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def run(args):
    notebook = args.notebook
    if notebook is None:
        notebook = default_notebook(args.stage)
        print(f'Checking {notebook} (the default; name another notebook after the stage: '
              f'autograder check {args.stage} PATH)')
    isolation.announce()
    started = time.monotonic()
    worker = launch_early(args.stage, notebook, args.source, args.timeout)
    from autograder.runner import run_stage  # pytest and the suite: imported while it boots
    result = run_stage(args.stage, notebook, source_dir=args.source, timeout=args.timeout,
                       worker=worker)
    seconds = time.monotonic() - started
    if getattr(args, 'json', False):
        print(json.dumps(json_report(result, seconds), indent=2, sort_keys=True))
    else:
        figures = None
        if any(t.figure_svg for t in result.tests):
            figures = args.figures or figures_folder(args.stage)
            Path(figures).mkdir(parents=True, exist_ok=True)
        print(terminal_text('\n'.join(report(result, seconds, figures))))
    if result.status == GRADER_ERROR:
        return 3
    return 0 if result.status == GRADED and result.score == result.max_score else 1


def launch_early(stage, notebook, source_dir, timeout):
    """The notebook's worker, launched before the grader imports pytest and the suite, so
    that the two start at once (about 0.1 s sooner done); None when the notebook cannot run
    as it is: the grading run then finds out why, and says so, as without it."""
    try:
        cells = stage_cells(stage, Path(notebook), source_dir=Path(source_dir))
    except Exception:          # noqa: BLE001 - reported by the grading run itself
        return None
    worker = Worker(cells, Limits.with_budget(timeout))
    try:
        worker.launch()
    except Exception:          # noqa: BLE001 - likewise: the run starts its own worker
        worker.close()
        return None
    return worker


def json_report(result, seconds):
    """The machine-readable result: what CI (GitHub Classroom, GitLab) reads.

    With a diagnosed mistake, `diagnosis` holds it (else null) and each test its `role`:
    'rule' (the test of the mistake's rule: no points), 'consequence' (a failure that
    follows from it: it keeps diagnosis.consequence_share of its points) or null."""
    diagnosis = result.diagnosis
    return {
        'stage': result.stage, 'status': result.status, 'score': result.score,
        'max_score': result.max_score, 'message': result.message,
        'seconds': round(seconds, 3),
        'diagnosis': dict(vars(diagnosis)) if diagnosis else None,
        'tests': [{'name': t.name, 'points': t.points, 'max_points': t.max_points,
                   'status': 'passed' if t.passed else 'failed', 'message': t.feedback,
                   'role': diagnosis.role(t.name) if diagnosis else None}
                  for t in result.tests],
    }
