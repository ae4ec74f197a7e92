"""Benchmark: grading the sample class with `autograder grade` and with nbgrader's `autograde`.

    python benchmarks/grading.py [--stages 01-value ... 08-training] [--jobs 2]

Both graders mark the same submissions (examples/submitted/, nbgrader's layout) for the
same stages, in one run, in temporary folders. Ours runs every notebook's code in a
sandboxed worker process, N submissions at a time; nbgrader executes every notebook,
demo cells included, in a Jupyter kernel, one after the other, with the hidden suite
running inside that kernel (autograder.inkernel). Reports wall-clock seconds of each,
the ratio, the time of a second `autograder grade` with nothing to regrade, the latency
of `autograder check` per stage, and every (student, stage) whose scores differ.

The default leaves out 08-training: its demo trains for 100 steps, about 40 s per
notebook under nbgrader. Add it with --stages.
"""

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbgrader_course  # this folder's helper: the script's folder is first on sys.path

from autograder.course import STAGE_IDS as STAGES

ROOT = Path(__file__).resolve().parent.parent
SUBMITTED = ROOT / 'examples' / 'submitted'
SOLUTIONS = ROOT / 'solutions'
DEFAULT_STAGES = [s for s in STAGES if s != '08-training']
CHECK_RUNS = 5
OUR_ROUNDS = 3


class BenchmarkError(Exception):
    """A grader failed where it must not: the numbers would mean nothing."""


@dataclass(frozen=True)
class Ours:
    score: float
    max_score: float
    status: str

    @property
    def full_marks(self):
        return self.status == 'graded' and self.score == self.max_score


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be at least 1, not {value}')
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--stages', nargs='+', choices=STAGES, default=DEFAULT_STAGES,
                        metavar='STAGE', help='stages to grade with both graders (default: '
                        '01-value to 07-mlp; 08-training adds ~40 s per notebook to nbgrader)')
    parser.add_argument('--jobs', type=positive_int, default=2, metavar='N',
                        help='submissions `autograder grade` grades in parallel (default: 2)')
    args = parser.parse_args(argv)
    args.stages = [s for s in STAGES if s in args.stages]   # course order, no repeats
    return args


def autograder_command():
    """The `autograder` program of this interpreter's environment."""
    program = Path(sys.executable).parent / 'autograder'
    if not program.exists():
        raise BenchmarkError(f'no {program}: install the project into this environment first')
    return str(program)


def timed(command):
    """Run command; (seconds, CompletedProcess with text output)."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started, done


def grade_ours(out, stages, jobs):
    """Run `autograder grade` into out: (wall-clock seconds, its stderr, which says what it did)."""
    command = [autograder_command(), 'grade', str(SUBMITTED), '--out', str(out),
               '--jobs', str(jobs), *(f'--stage={stage}' for stage in stages)]
    seconds, done = timed(command)
    if done.returncode != 0:
        raise BenchmarkError(f'autograder grade exited {done.returncode}:\n{done.stderr[-2000:]}')
    return seconds, done.stderr


def our_grades(out):
    with open(Path(out) / 'grades.csv', newline='', encoding='utf-8') as file:
        return {(row['student'], row['stage']):
                Ours(float(row['score']), float(row['max_score']), row['status'])
                for row in csv.DictReader(file)}


def check_latency(stage):
    """Median seconds of `autograder check STAGE` on the stage's solution notebook."""
    notebook = SOLUTIONS / stage / f'{stage}.ipynb'
    times = []
    for _ in range(CHECK_RUNS):
        seconds, done = timed([autograder_command(), 'check', stage, str(notebook)])
        if done.returncode != 0:
            raise BenchmarkError(f'autograder check {stage} on the solution did not give full '
                                 f'marks:\n{done.stdout[-2000:]}{done.stderr[-2000:]}')
        times.append(seconds)
    return statistics.median(times)


def compare(ours, theirs):
    """Every (student, stage) whose scores differ, as shares of each grader's maximum.

    Returns rows (student, stage, ours, nbgrader Grade or None, verdicts_agree), where
    verdicts_agree says whether nbgrader's hidden test cell (the same suite, all or
    nothing) passed exactly when ours gave full marks; None when nbgrader graded nothing.
    """
    rows = []
    for (student, stage), mine in sorted(ours.items()):
        grade = theirs.get((student, stage))
        if grade is None or not grade.graded:
            rows.append((student, stage, mine, grade, None))
            continue
        agree = mine.full_marks == (grade.hidden_score == grade.hidden_max)
        if not agree or abs(mine.score / mine.max_score - grade.score / grade.max_score) > 1e-9:
            rows.append((student, stage, mine, grade, agree))
    return rows


def describe_ours(mine):
    return f'{mine.score:g}/{mine.max_score:g} {mine.status}'


def describe_nbgrader(grade):
    if grade is None:
        return 'no submission recorded'
    if not grade.graded:
        return f'not graded (0/{grade.max_score:g})'
    return (f'{grade.score:g}/{grade.max_score:g} '
            f'(hidden cell {grade.hidden_score:g}/{grade.hidden_max:g})')


def log(message):
    print(message, file=sys.stderr, flush=True)


def time_ours(stages, jobs, tmp):
    """Our grades, and the median seconds of cold runs, of runs with nothing to regrade and
    of cold runs with --jobs 1 (runs of a few seconds on a noisy machine: a few of each)."""
    cold, again, serial = [], [], []
    for round_ in range(OUR_ROUNDS):
        out, out_serial = tmp / f'ours-{round_}', tmp / f'ours-serial-{round_}'
        cold.append(grade_ours(out, stages, jobs)[0])
        seconds, stderr = grade_ours(out, stages, jobs)
        if ': 0 to grade' not in stderr:
            raise BenchmarkError(f'the second run graded something again:\n{stderr[-2000:]}')
        again.append(seconds)
        serial.append(grade_ours(out_serial, stages, 1)[0])
        if our_grades(out) != our_grades(out_serial):
            raise BenchmarkError('autograder grade gave other grades with --jobs 1')
        log(f'autograder grade round {round_ + 1}: --jobs {jobs} cold {cold[-1]:.1f} s, '
            f'nothing to regrade {again[-1]:.2f} s, --jobs 1 cold {serial[-1]:.1f} s')
    return our_grades(tmp / 'ours-0'), *map(statistics.median, (cold, again, serial))


def time_nbgrader(stages, tmp):
    """nbgrader's grades, its autograde commands and the seconds its setup took."""
    course = nbgrader_course.make_course(tmp / 'nbgrader', SOLUTIONS, SUBMITTED)
    setup = sum(nbgrader_course.generate(course, stage).seconds for stage in stages)
    log(f'nbgrader generate_assignment (setup, not timed below): {setup:.1f} s')
    commands = []
    for stage in stages:
        commands.append(nbgrader_course.autograde(course, stage))
        log(f'nbgrader autograde {stage}: {commands[-1].seconds:.1f} s '
            f'(exit {commands[-1].returncode})')
    return nbgrader_course.grades(course, stages), commands, setup


def print_timings(stages, jobs, count, nbgrader, ours, again, serial, setup, checks):
    median = f'median of {OUR_ROUNDS} runs'
    rows = [('nbgrader autograde (in-kernel, one notebook at a time, one command per stage)',
             nbgrader),
            (f'autograder grade --jobs {jobs} (sandboxed), cold, {median}', ours),
            (f'autograder grade --jobs 1 (sandboxed), cold, {median}', serial),
            (f'autograder grade --jobs {jobs}, again with nothing to regrade, {median}', again)]
    print(f'Grading the sample class: {count} submission-stages '
          f'({count // len(stages)} students x stages {", ".join(stages)})')
    if '08-training' not in stages:
        print('08-training is not included: under nbgrader its demo trains for about 40 s per '
              'notebook (add it with --stages).')
    print()
    print('| grader | submission-stages | wall seconds | seconds per submission-stage '
          '| nbgrader / this |')
    print('|---|---|---|---|---|')
    for name, seconds in rows:
        print(f'| {name} | {count} | {seconds:.2f} | {seconds / count:.3f} | '
              f'{nbgrader / seconds:.1f}x |')
    print()
    print(f'nbgrader setup (generate_assignment per stage, not counted above): {setup:.1f} s')
    print()
    print(f'| stage | autograder check on the solution (seconds, median of {CHECK_RUNS}) |')
    print('|---|---|')
    for stage, seconds in checks.items():
        print(f'| {stage} | {seconds:.2f} |')


def print_differences(count, differences, commands):
    print()
    for command in commands:
        for line in command.errors():
            print(f'nbgrader autograde {command.stage}: {line}')
    print()
    print(f'Scores: {count - len(differences)} of {count} submission-stages get the same share '
          'of the points from both graders; the others:' if differences else
          f'Scores: all {count} submission-stages get the same share of the points from both.')
    if not differences:
        return
    print()
    print('| student | stage | ours | nbgrader | same suite verdict |')
    print('|---|---|---|---|---|')
    for student, stage, mine, grade, agree in differences:
        verdict = 'n/a' if agree is None else ('yes' if agree else '**NO**')
        print(f'| {student} | {stage} | {describe_ours(mine)} | {describe_nbgrader(grade)} '
              f'| {verdict} |')


def run(args, tmp):
    stages = args.stages
    log(f'stages: {", ".join(stages)}')
    ours, seconds_ours, seconds_again, seconds_serial = time_ours(stages, args.jobs, tmp)
    checks = {stage: check_latency(stage) for stage in stages}
    log('autograder check: ' + ', '.join(f'{s} {t:.2f} s' for s, t in checks.items()))
    theirs, commands, setup = time_nbgrader(stages, tmp)

    count = len(ours)
    print_timings(stages, args.jobs, count, sum(c.seconds for c in commands),
                  seconds_ours, seconds_again, seconds_serial, setup, checks)
    differences = compare(ours, theirs)
    print_differences(count, differences, commands)
    disagreements = [row for row in differences if row[4] is False]
    if disagreements:
        print(f'\n{len(disagreements)} submission-stage(s) where the hidden suite passed under '
              'one grader and not under the other: a bug to look into.')
        return 1
    return 0


def main(argv=None):
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix='grading-benchmark-') as tmp:
        try:
            return run(args, Path(tmp))
        except (BenchmarkError, RuntimeError) as error:
            print(f'benchmarks/grading.py: error: {error}', file=sys.stderr)
            return 1


if __name__ == '__main__':
    sys.exit(main())
