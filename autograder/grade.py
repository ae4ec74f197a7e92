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
import functools
import gc
import hashlib
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from autograder import course, isolation
from autograder.fingerprint import grader_version
from autograder.gradebook import Gradebook, file_sha256
from autograder.intake import NotebookProblem, read_cells
from autograder.policy import ConfigError, parse_time, read_config
from autograder.progress import Progress
from autograder.results import GRADER_ERROR, MALFORMED_NOTEBOOK, MISSING_NOTEBOOK, StageResult
from autograder.roster import RosterError, read_roster
from autograder.runner import run_batch, submission
from autograder.sandbox import Limits, kill_all_workers

SITE_TREES_FROM = 100  # submission-stages: from here the site trees (~0.3 s to link and remove) pay
CHUNK_MAX = 16   # submissions per pytest session: few enough that a crash loses little, enough
                 # that the session (collection, set-up: about 50 ms) is paid rarely


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
    parser.add_argument('--require-isolation', action='store_true',
                        help='refuse to grade unless the sandbox has its full confinement '
                             '(namespaces and a cgroup per submission, Linux only)')
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
    student: str              # the folder's name as text anyone can read (student_label)
    stage: str
    notebook: Path | None     # None: nothing to grade (missing_notebook, or refused)
    sha256: str = ''          # of the notebook's bytes: what 'unchanged' means
    missing_reason: str = ''
    status: str = MISSING_NOTEBOOK   # for a task with no notebook to grade
    submitted_at: str = ''    # from nbgrader's timestamp.txt, ISO 8601; '' when there is none


class UsageError(Exception):
    """Bad arguments: reported in one line, exit code 2."""


def run(args):
    try:
        stages, tasks = plan(args)
        if args.require_isolation and isolation.level() != isolation.FULL:
            level = isolation.level()
            raise UsageError(f'--require-isolation: the sandbox here is only "{level}" '
                             f'({isolation.DESCRIPTIONS[level]}); grade on Linux with '
                             'bubblewrap and a writable cgroup')
    except UsageError as error:
        print(f'autograder grade: error: {error}', file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    isolation.announce()
    limits = Limits(budget_seconds=args.timeout) if args.timeout else Limits()
    versions = {stage: grader_version(stage, args.source, limits) for stage in stages}
    started = time.perf_counter()
    previous = signal.signal(signal.SIGTERM, _interrupt) \
        if threading.current_thread() is threading.main_thread() else None
    # Caches of the grading processes (Hypothesis's) go in one private folder, removed at
    # the end whatever happened to the processes.
    cache = _private_cache()
    saved_cache = os.environ.get(isolation.CACHE_ENV)
    os.environ[isolation.CACHE_ENV] = cache
    try:
        with Gradebook(args.out / 'gradebook.sqlite') as book:
            for key, setting in (('roster', args.roster_data), ('config', args.config_data)):
                if setting is not None:
                    book.set_setting(key, setting.text)
            todo = [t for t in tasks if args.force or not book.is_current(
                t.student, t.stage, t.sha256, versions[t.stage], t.submitted_at)]
            print(f'{len(tasks)} submission-stages ({len(stages)} stages): {len(todo)} to grade, '
                  f'{len(tasks) - len(todo)} unchanged since the last run', file=sys.stderr)
            if isolation.level() != isolation.PROCESS and len(todo) >= SITE_TREES_FROM:
                isolation.make_site_trees(cache)      # the grading processes' mount views
            failed = grade_all(todo, args, versions, book)
            export(book.results(), args.out, book.context())
    except (sqlite3.Error, OSError) as error:
        # Everything committed so far is safe; the same command resumes once this is fixed.
        print(f'autograder grade: error: cannot write to {args.out}: {error}', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        kill_all_workers()
        print('\nautograder grade: interrupted; the results so far are in the gradebook: '
              'run the same command to go on', file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(cache, ignore_errors=True)
        if saved_cache is None:
            os.environ.pop(isolation.CACHE_ENV, None)
        else:
            os.environ[isolation.CACHE_ENV] = saved_cache
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
    handed_in = {stage for student in students
                 if (args.submitted / student).is_dir()
                 and not (args.submitted / student).is_symlink()
                 for stage in _subfolders(args.submitted / student)}
    for stray in sorted(handed_in - set(known)):
        print(f'autograder grade: warning: ignoring folders named {student_label(stray)!r}: '
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
    if task.notebook is None or path.is_symlink() or not path.is_file() \
            or path.stat().st_size > 1024:      # a time is one short line: nothing else is read
        return task
    when = parse_time(path.read_text(encoding='utf-8', errors='replace'))
    if when is None:
        print(f'autograder grade: warning: {student_label(str(path))} does not hold a time; '
              'treated as on time',
              file=sys.stderr)
        return task
    return replace(task, submitted_at=when.isoformat())


def resolve_source(source_dir):
    """The source folder as given, else (when relative) the one in the course repository."""
    if source_dir.is_dir() or source_dir.is_absolute():
        return source_dir
    return course.REPO_ROOT / source_dir


def student_label(name):
    """A folder name as printable text: bytes that are not UTF-8 and control characters
    become escapes, so any name can be stored, printed and exported (and stays unique)."""
    text = os.fsencode(name).decode('utf-8', 'backslashreplace')
    return ''.join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def find_notebook(submitted, student, stage):
    """The task of one (student, stage); `student` is the folder's real name."""
    label, folder = student_label(student), submitted / student / stage
    for linked, what in ((submitted / student, 'your submission folder'),
                         (folder, f'the folder {stage}/')):
        if linked.is_symlink():
            return _missing(label, stage, f'{what[0].upper()}{what[1:]} is a symbolic link, '
                            'not a folder of your own work: it was not graded.',
                            MALFORMED_NOTEBOOK)
    if not folder.is_dir():
        return _missing(label, stage, f'There is no folder {stage}/ in your submission.')
    notebooks = sorted(p for p in folder.glob('*.ipynb') if p.is_file() or p.is_symlink())
    expected = folder / f'{stage}.ipynb'
    if expected in notebooks or len(notebooks) == 1:
        notebook = expected if expected in notebooks else notebooks[0]
        if notebook.is_symlink():
            return _missing(label, stage, f'{notebook.name} is a symbolic link, not a notebook '
                            'file: hand in the notebook itself.', MALFORMED_NOTEBOOK)
        try:
            return Task(label, stage, notebook, file_sha256(notebook))
        except OSError as error:
            return _missing(label, stage, f'{notebook.name} cannot be read ({error.strerror}).',
                            MALFORMED_NOTEBOOK)
    student = label
    if not notebooks:
        return _missing(student, stage, f'The folder {stage}/ holds no notebook (.ipynb file).')
    names = ', '.join(p.name for p in notebooks)
    return _missing(student, stage,
                    f'The folder {stage}/ holds several notebooks ({names}) and none is named '
                    f'{stage}.ipynb, so it is not clear which one to grade.')


def _missing(student, stage, reason, status=MISSING_NOTEBOOK):
    return Task(student, stage, None, missing_reason=reason, status=status)


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
            results = grade_chunk(chunk, options)
            with book.batch():
                for task, (result, error) in zip(chunk, results):
                    record(task, result, error)
    else:
        pool = ProcessPoolExecutor(max_workers=args.jobs, initializer=_pool_process)
        try:        # from the first submit on: a SIGTERM may come at any moment
            futures = {pool.submit(grade_chunk, chunk, options): chunk for chunk in chunks}
            for future in as_completed(futures):
                with book.batch():
                    for task, (result, error) in zip(futures[future], future.result()):
                        record(task, result, error)
            pool.shutdown(cancel_futures=True)
        except BrokenProcessPool:
            # A pool worker died under us (killed, out of memory): everything recorded so
            # far is safe; the next run picks up the rest.
            progress.note('a grading process died; run the same command again to finish')
            failed += 1
            pool.shutdown(cancel_futures=True)
        except KeyboardInterrupt:
            progress.close()
            _stop_pool(pool)
            raise
    progress.close()
    return failed


def _private_cache():
    """A new private folder for this run's caches (the site trees among them), named
    after this process; folders left by runs that were killed are removed first."""
    if sys.platform.startswith('linux'):        # where /proc says which runs are gone
        for old in Path(tempfile.gettempdir()).glob('autograder-cache-*-*'):
            pid = old.name.split('-')[2]
            if pid.isdigit() and not os.path.exists(f'/proc/{pid}'):
                shutil.rmtree(old, ignore_errors=True)
    return tempfile.mkdtemp(prefix=f'autograder-cache-{os.getpid()}-')


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _pool_process():
    """In each grading process: Ctrl-C is the parent's to handle (it reaches the whole
    process group); SIGTERM from the parent stops this process's workers, then it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def stop(signum, frame):
        kill_all_workers()
        os._exit(130)
    signal.signal(signal.SIGTERM, stop)


def _stop_pool(pool, grace=3.0):
    """Stop every grading process (and so every worker) within a few seconds."""
    processes = list((pool._processes or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(1)
    pool.shutdown(wait=False, cancel_futures=True)


def make_chunks(tasks, jobs):
    """Tasks in runs of one stage, about two runs per job per stage, at most CHUNK_MAX long.

    The later stages come first: they cost the most (stage 08 trains a network, about 0.2 s
    a submission), so what is left at the end, when the other grading processes have
    nothing more to take, is a short run of an early stage."""
    by_stage = {}
    for task in tasks:
        by_stage.setdefault(task.stage, []).append(task)
    chunks = []
    for stage_tasks in (by_stage[stage] for stage in sorted(by_stage, reverse=True)):
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
    _settle()
    return [(result, s.grader_traceback) for result, s in zip(results, submissions)]


@functools.cache
def _settle():
    """Once per grading process, after its first chunk: what it holds then it keeps for good
    (modules, the suites' strategies, the reference's answers), so it is taken out of the
    cyclic collector's sight, which then walks only what each chunk makes (the collector
    took about 15% of a grading process's CPU, 5 ms per submission-stage)."""
    gc.collect()
    gc.freeze()


def grade_one(task, options):
    """Grade one (student, stage): (StageResult, grader traceback or None). Never raises."""
    if task.notebook is None:
        return _missing_result(task), None
    return grade_chunk([task], options)[0]


def _missing_result(task):
    return StageResult(task.stage, task.status, 0.0,
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
    """Folder names (symbolic links included, to be refused by name, not followed)."""
    return sorted(p.name for p in Path(folder).iterdir()
                  if (p.is_dir() or p.is_symlink()) and not p.name.startswith('.'))


def _cpu_count():
    return len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
