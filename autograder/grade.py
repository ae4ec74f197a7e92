"""`autograder grade`: grade a whole class, in parallel, into a gradebook that survives crashes.

SUBMITTED is nbgrader's layout, SUBMITTED/<student>/<stage>/<notebook>.ipynb (with
nbgrader's timestamp.txt beside the notebook, when there is one). Every (student, stage)
gets a recorded status, whatever is wrong with the notebook; the batch goes on. With
--roster the class is the roster's; with --config the exports apply its deadlines and
late policy; with --shard K/N only a stable K-th of N slices of the students is graded
(merge the shards' gradebooks with `autograder merge`). Exit 0 when the batch finished,
1 when the grader itself failed, 2 for bad arguments.
"""

import argparse
import hashlib
import os
import sqlite3
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from autograder import course
from autograder.fingerprint import grader_version
from autograder.gradebook import Gradebook, file_sha256
from autograder.intake import NotebookProblem, read_cells
from autograder.policy import ConfigError, parse_time, read_config
from autograder.progress import Progress
from autograder.results import GRADER_ERROR, MISSING_NOTEBOOK, StageResult
from autograder.roster import RosterError, read_roster
from autograder.runner import run_batch, submission
from autograder.sandbox import Limits

CHUNK_MAX = 8    # submissions per pytest session: few enough that a crash loses little


def add_arguments(parser):
    parser.add_argument('submitted', type=Path, metavar='SUBMITTED',
                        help='folder of submissions: SUBMITTED/<student>/<stage>/<notebook>.ipynb')
    parser.add_argument('--out', type=Path, required=True, metavar='OUT',
                        help='where the gradebook, grades.csv, feedback and report go')
    parser.add_argument('--stage', action='append', dest='stages', metavar='S',
                        help='grade only this stage (repeatable); default: every stage handed in')
    parser.add_argument('--jobs', type=int, default=_cpu_count(), metavar='N',
                        help='submissions graded in parallel (default: %(default)s)')
    parser.add_argument('--timeout', type=float, default=None, metavar='SECONDS',
                        help="time budget per submission-stage (default: the runner's)")
    parser.add_argument('--source', type=Path, default=Path('solutions'), metavar='DIR',
                        help='the source notebooks, for given cells (default: %(default)s)')
    parser.add_argument('--force', action='store_true',
                        help='grade again even submissions already in the gradebook')
    parser.add_argument('--roster', type=Path, metavar='CSV',
                        help='the class list (student_id, name, email, lms_id, section): every '
                        'rostered student gets a row, other folders are reported and skipped')
    parser.add_argument('--config', type=Path, metavar='TOML',
                        help='the course config: per-stage deadlines and the late policy')
    parser.add_argument('--shard', type=parse_shard, metavar='K/N',
                        help='grade only the K-th of N stable slices of the students (1 <= K <= '
                        'N), for grading on several machines; combine with `autograder merge`')


@dataclass(frozen=True)
class Task:
    student: str
    stage: str
    notebook: Path | None     # None: nothing to grade (missing_notebook)
    sha256: str = ''          # of the notebook's bytes: what 'unchanged' means
    missing_reason: str = ''
    submitted_at: str = ''    # from nbgrader's timestamp.txt, ISO 8601; '' when there is none


class UsageError(Exception):
    """Bad arguments: reported in one line, exit code 2."""


def run(args):
    try:
        stages, tasks = plan(args)
    except UsageError as error:
        print(f'autograder grade: error: {error}', file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    limits = Limits(budget_seconds=args.timeout) if args.timeout else Limits()
    versions = {stage: grader_version(stage, args.source, limits) for stage in stages}
    started = time.perf_counter()
    try:
        with Gradebook(args.out / 'gradebook.sqlite') as book:
            for key, setting in (('roster', args.roster_data), ('config', args.config_data)):
                if setting is not None:
                    book.set_setting(key, setting.text)
            todo = [t for t in tasks if args.force or not book.is_current(
                t.student, t.stage, t.sha256, versions[t.stage], t.submitted_at)]
            print(f'{len(tasks)} submission-stages ({len(stages)} stages): {len(todo)} to grade, '
                  f'{len(tasks) - len(todo)} unchanged since the last run', file=sys.stderr)
            failed = grade_all(todo, args, versions, book)
            export(book.results(), args.out, book.context())
    except (sqlite3.Error, OSError) as error:
        # Everything committed so far is safe; the same command resumes once this is fixed.
        print(f'autograder grade: error: cannot write to {args.out}: {error}', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print('\nautograder grade: interrupted; the results so far are in the gradebook: '
              'run the same command to go on', file=sys.stderr)
        return 130
    seconds = time.perf_counter() - started
    print_summary(args.out, len(todo), len(tasks) - len(todo), failed, seconds)
    return 1 if failed else 0


def plan(args):
    """Check the arguments and list every (student, stage) to account for, sorted."""
    if args.jobs < 1:
        raise UsageError(f'--jobs must be at least 1, not {args.jobs}')
    if not args.submitted.is_dir():
        raise UsageError(f'{args.submitted} is not a folder of submissions')
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f'--out {args.out} exists and is not a folder')
    args.source = resolve_source(args.source)
    known = course.STAGE_IDS
    students = _subfolders(args.submitted)
    args.roster_data = args.config_data = None
    try:
        if getattr(args, 'config', None):
            args.config_data = read_config(args.config)
        if getattr(args, 'roster', None):
            args.roster_data = read_roster(args.roster)
    except (ConfigError, RosterError) as error:
        raise UsageError(str(error)) from None
    if args.roster_data is not None:
        rostered = args.roster_data.ids
        unknown = [s for s in students if s not in rostered]
        if unknown:
            print(f'autograder grade: warning: {len(unknown)} folder(s) of students not on the '
                  f'roster, not graded: {", ".join(unknown)}', file=sys.stderr)
        students = rostered
    if not students:
        raise UsageError(f'{args.submitted} holds no student folders '
                         '(expected SUBMITTED/<student>/<stage>/<notebook>.ipynb)')
    handed_in = {stage for student in students if (args.submitted / student).is_dir()
                 for stage in _subfolders(args.submitted / student)}
    for stray in sorted(handed_in - set(known)):
        print(f'autograder grade: warning: ignoring folders named {stray!r}: '
              'not a stage of this course', file=sys.stderr)
    if args.stages:
        unknown = [s for s in args.stages if s not in known]
        if unknown:
            raise UsageError(f'unknown stage {", ".join(unknown)}; the stages are '
                             f'{", ".join(known)}')
        stages = [s for s in known if s in args.stages]
    else:
        stages = [s for s in known if s in handed_in]
        if not stages:
            raise UsageError(f'no stage folders in {args.submitted}/<student>/ '
                             f'(the stages are {", ".join(known)})')
    for stage in stages:
        # A broken source notebook is the instructor's to fix: never blame it on every student.
        source = course.stage(stage).notebook(args.source)
        try:
            read_cells(source, whose='the source')
        except NotebookProblem as problem:
            raise UsageError(f'cannot use the source notebook {source} ({problem.status}); '
                             '--source is the folder of the solution notebooks') from None
    if getattr(args, 'shard', None):
        students = [s for s in students if in_shard(s, *args.shard)]
    tasks = [with_timestamp(find_notebook(args.submitted, student, stage), args.submitted)
             for student in students for stage in stages]
    return stages, tasks


def parse_shard(text):
    """'2/4' -> (2, 4), for argparse."""
    try:
        k, n = (int(part) for part in text.split('/'))
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not K/N, such as 1/4') from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f'{text!r}: K/N needs 1 <= K <= N')
    return k, n


def in_shard(student, k, n):
    """Whether student is in slice k of n: by a hash of the id alone, the same on any machine."""
    digest = hashlib.sha256(student.encode('utf-8')).digest()
    return int.from_bytes(digest[:8], 'big') % n == k - 1


def with_timestamp(task, submitted):
    """task with the time of nbgrader's timestamp.txt beside the notebook, if there is one."""
    path = Path(submitted) / task.student / task.stage / 'timestamp.txt'
    if not path.is_file():
        return task
    when = parse_time(path.read_text(encoding='utf-8', errors='replace'))
    if when is None:
        print(f'autograder grade: warning: {path} does not hold a time; treated as on time',
              file=sys.stderr)
        return task
    return replace(task, submitted_at=when.isoformat())


def resolve_source(source_dir):
    """The source folder as given, else (when relative) the one in the course repository."""
    if source_dir.is_dir() or source_dir.is_absolute():
        return source_dir
    return course.REPO_ROOT / source_dir


def find_notebook(submitted, student, stage):
    folder = submitted / student / stage
    if not folder.is_dir():
        return _missing(student, stage, f'There is no folder {stage}/ in your submission.')
    notebooks = sorted(p for p in folder.glob('*.ipynb') if p.is_file())
    expected = folder / f'{stage}.ipynb'
    if expected in notebooks or len(notebooks) == 1:
        notebook = expected if expected in notebooks else notebooks[0]
        return Task(student, stage, notebook, file_sha256(notebook))
    if not notebooks:
        return _missing(student, stage, f'The folder {stage}/ holds no notebook (.ipynb file).')
    names = ', '.join(p.name for p in notebooks)
    return _missing(student, stage,
                    f'The folder {stage}/ holds several notebooks ({names}) and none is named '
                    f'{stage}.ipynb, so it is not clear which one to grade.')


def _missing(student, stage, reason):
    return Task(student, stage, None, missing_reason=reason)


def grade_all(tasks, args, versions, book):
    """Grade tasks in chunks (in parallel when jobs > 1), recording each result as it arrives.

    Returns the number of grader failures (not student failures).
    """
    progress = Progress(len(tasks))
    failed = 0

    def record(task, result, error):
        nonlocal failed
        book.record(task.student, task.stage, task.sha256, versions[task.stage], result,
                    task.submitted_at)
        if error:
            failed += 1
            progress.note(f'grader error on {task.student} {task.stage}:\n{error}')
        progress.advance(f'{task.student} {task.stage}: {result.status} '
                         f'{result.score:g}/{result.max_score:g}')

    for task in tasks:
        if task.notebook is None:
            record(task, _missing_result(task), None)
    options = {'source_dir': args.source, 'timeout': args.timeout}
    chunks = make_chunks([t for t in tasks if t.notebook is not None], args.jobs)
    if args.jobs == 1 or len(chunks) <= 1:
        for chunk in chunks:
            for task, (result, error) in zip(chunk, grade_chunk(chunk, options)):
                record(task, result, error)
    else:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(grade_chunk, chunk, options): chunk for chunk in chunks}
            try:
                for future in as_completed(futures):
                    for task, (result, error) in zip(futures[future], future.result()):
                        record(task, result, error)
            except BrokenProcessPool:
                # A pool worker died under us (killed, out of memory): everything recorded so
                # far is safe; the next run picks up the rest.
                progress.note('a grading process died; run the same command again to finish')
                pool.shutdown(cancel_futures=True)
                failed += 1
    progress.close()
    return failed


def make_chunks(tasks, jobs):
    """Tasks in runs of one stage, about two runs per job per stage, at most CHUNK_MAX long."""
    by_stage = {}
    for task in tasks:
        by_stage.setdefault(task.stage, []).append(task)
    chunks = []
    for stage_tasks in by_stage.values():
        size = max(1, min(CHUNK_MAX, -(-len(stage_tasks) // max(1, 2 * jobs))))
        chunks += [stage_tasks[i:i + size] for i in range(0, len(stage_tasks), size)]
    return chunks


def grade_chunk(tasks, options):
    """Grade tasks of one stage in one pytest session: [(StageResult, grader traceback or None)].

    Never raises: a bug of ours becomes grader_error on each task, and the batch goes on.
    """
    stage = tasks[0].stage
    submissions = [submission(stage, task.notebook, key=task.student, timeout=options['timeout'],
                              source_dir=options['source_dir']) for task in tasks]
    try:
        results = run_batch(stage, submissions)
    except Exception as error:  # a bug of ours: record it, say so, and go on with the batch
        trace = traceback.format_exc()
        return [(_grader_error(stage, error), trace) for _ in tasks]
    return [(result, s.grader_traceback) for result, s in zip(results, submissions)]


def grade_one(task, options):
    """Grade one (student, stage): (StageResult, grader traceback or None). Never raises."""
    if task.notebook is None:
        return _missing_result(task), None
    return grade_chunk([task], options)[0]


def _missing_result(task):
    return StageResult(task.stage, MISSING_NOTEBOOK, 0.0,
                       float(course.stage(task.stage).max_score), message=task.missing_reason)


def _grader_error(stage, error):
    return StageResult(stage, GRADER_ERROR, 0.0, float(course.stage(stage).max_score),
                       message=f'{type(error).__name__}: {error}')


def export(results, out, context=None):
    """Render everything from the gradebook: every exporter in autograder.exporters.EXPORTERS."""
    # matplotlib (the report): imported only when needed, so `autograder` starts fast
    from autograder import exporters
    return exporters.export_all(results, out, context)


def print_summary(out, graded, unchanged, failed, seconds):
    per = f', {seconds / graded:.2f} s per submission-stage' if graded else ''
    print(f'Graded {graded} submission-stages ({unchanged} unchanged, not graded again) '
          f'in {seconds:.1f} s{per}.')
    if failed:
        print(f'The grader failed {failed} time(s): see the errors above; '
              'run the same command again once fixed.')
    print(f'  grades:     {out / "grades.csv"}')
    print(f'  feedback:   {out / "feedback"}/<student>/<stage>.html (and .md)')
    print(f'  report:     {out / "report.html"}')
    print(f'  gradescope: {out / "gradescope"}/<student>/results.json')
    print(f'  lms:        {out / "canvas.csv"}, {out / "moodle.csv"}')
    print(f'  gradebook:  {out / "gradebook.sqlite"}')


def _subfolders(folder):
    return sorted(p.name for p in Path(folder).iterdir()
                  if p.is_dir() and not p.name.startswith('.'))


def _cpu_count():
    return len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
