"""Benchmark: classes of 9, 50 and 200 students, and the anchors nbgrader and otter-grader.

    python benchmarks/classes.py [--sizes 9 50 200] [--rounds 3] [--anchors-up-to 9]
                                 [--stages ...] [--anchor-stages ...] [--jobs 2]
                                 [--baseline REF]

A class of N students is made from the sample class (examples/submitted/): student i
is a copy of sample student i mod 9, named after them (`ada-017`), so every kind of
submission, right, buggy, broken and missing, recurs in the same proportion. For each
size, in rounds that alternate the graders side by side:

- `autograder grade --jobs J --force` (the sandbox as this machine allows, `full` here),
- `autograder grade --jobs 1` once per size, whose grades.csv must equal the --jobs J one,
- `autograder check` on each stage's solution notebook, five times (median), at the end,
- for sizes up to --anchors-up-to, nbgrader's `autograde` (one command per stage, one
  notebook at a time, benchmarks/nbgrader_course.py) and otter-grader's `otter run` (one
  command per notebook, benchmarks/otter_course.py) on the anchor stages, with ours
  timed on the same stages in the same round.

With --baseline REF (a commit, e.g. main), the grader of that commit (exported with `git
archive` into the temporary folder, run by this interpreter, so with the same packages) grades
the same class in every round, in alternating order with ours, and its grades.csv and every
feedback file must be byte-identical to ours; `autograder check` alternates the two too.

Reports wall seconds (medians over rounds), CPU seconds of everything the grader
started (a cpuacct cgroup, where one can be made; else not shown), per submission-stage
figures and the ratios, and whether the three graders give the hidden suite the same
verdict on every submission-stage.
"""

import argparse
import csv
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grading  # this folder's helpers: the script's folder is first on sys.path
import nbgrader_course
import otter_course

from autograder import course, isolation

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / 'examples' / 'submitted'
SOLUTIONS = ROOT / 'solutions'
ANCHOR_STAGES = [s for s in course.STAGE_IDS if s != '08-training']   # its demo: ~40 s each


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', nargs='+', type=int, default=[9, 50, 200])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--stages', nargs='+', choices=course.STAGE_IDS,
                        default=list(course.STAGE_IDS))
    parser.add_argument('--anchor-stages', nargs='+', choices=course.STAGE_IDS,
                        default=ANCHOR_STAGES)
    parser.add_argument('--anchors-up-to', type=int, default=9, metavar='N',
                        help='run nbgrader and otter on classes of at most N students')
    parser.add_argument('--no-check', dest='check', action='store_false',
                        help='leave out the latency of `autograder check` per stage')
    parser.add_argument('--serial-up-to', type=int, default=None, metavar='N',
                        help='the --jobs 1 run only for classes of at most N students '
                             '(default: every size)')
    parser.add_argument('--baseline', metavar='REF',
                        help='also time the grader of this commit, side by side (e.g. main)')
    return parser.parse_args(argv)


def make_class(folder, size):
    """SUBMITTED/<student>/... of `size` students, copies of the sample class in turn."""
    samples = sorted(p.name for p in SAMPLE.iterdir() if p.is_dir())
    for i in range(size):
        sample = samples[i % len(samples)]
        name = sample if size <= len(samples) else f'{sample}-{i:03d}'
        shutil.copytree(SAMPLE / sample, Path(folder) / name, symlinks=True)
    return Path(folder)


class CpuMeter:
    """CPU seconds of a command and everything it starts, bwrap's namespaces included:
    a cpuacct cgroup (v1) the command joins before it execs; None where none can be made."""

    ROOT = Path('/sys/fs/cgroup/cpuacct')

    def __init__(self):
        self.folder = None
        if self.ROOT.is_dir() and os.access(self.ROOT, os.W_OK):
            folder = self.ROOT / f'benchmark-{os.getpid()}-{secrets.token_hex(3)}'
            try:
                folder.mkdir()
                self.folder = folder
            except OSError:
                pass

    def wrap(self, command):
        if self.folder is None:
            return command
        return ['/bin/sh', '-c', 'echo $$ > "$1" && shift && exec "$@"', 'sh',
                str(self.folder / 'cgroup.procs'), *command]

    def read(self):
        return int((self.folder / 'cpuacct.usage').read_text()) / 1e9 if self.folder else None

    def close(self):
        if self.folder is not None:
            for _ in range(100):
                try:
                    self.folder.rmdir()
                    return
                except OSError:
                    time.sleep(0.05)


def timed(meter, command, **kwargs):
    """(wall seconds, CPU seconds or None, CompletedProcess)."""
    before = meter.read()
    started = time.perf_counter()
    with subprocess.Popen(meter.wrap(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, text=True, **kwargs) as process:
        try:
            stdout, stderr = process.communicate()
        except BaseException:
            # Stopped (Ctrl-C, or SIGTERM below): let the grader stop its own workers
            # (it handles SIGTERM), then make sure it is gone.
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
            raise
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    wall = time.perf_counter() - started
    cpu = meter.read() - before if before is not None else None
    return wall, cpu, done


def autograder(tree=None):
    """The command line of `autograder`: this checkout's, or the one exported at tree."""
    if tree is None:
        return [str(Path(sys.executable).parent / 'autograder')]
    return [sys.executable, '-c', 'import sys; sys.path.insert(0, sys.argv.pop(1)); '
            'from autograder.cli import main; sys.exit(main())', str(tree)]


def export_baseline(ref, folder):
    """The files of commit ref, exported into folder (nothing of this checkout is touched)."""
    folder.mkdir(parents=True)
    archive = subprocess.run(['git', '-C', str(ROOT), 'archive', ref], capture_output=True,
                             check=True).stdout
    subprocess.run(['tar', '-x', '-C', str(folder)], input=archive, check=True)
    return folder


def grade_ours(meter, submitted, out, stages, jobs, tree=None):
    command = [*autograder(tree), 'grade', str(submitted), '--out', str(out), '--jobs', str(jobs),
               '--force', *(f'--stage={s}' for s in stages)]
    wall, cpu, done = timed(meter, command)
    if done.returncode != 0:
        raise RuntimeError(f'autograder grade exited {done.returncode}:\n{done.stderr[-2000:]}')
    return wall, cpu


def outputs(out):
    """{relative path: bytes} of grades.csv and every feedback file: what learners see."""
    out = Path(out)
    files = [out / 'grades.csv', *sorted((out / 'feedback').rglob('*'))]
    return {str(f.relative_to(out)): f.read_bytes() for f in files if f.is_file()}


def check_pair(meter, stage, tree, runs=grading.CHECK_RUNS):
    """(ours, baseline's) wall and CPU seconds of `autograder check` on the solution, each a
    list of (wall, cpu), the two run in turn."""
    notebook = SOLUTIONS / stage / f'{stage}.ipynb'
    times = {'ours': [], 'baseline': []}
    for i in range(runs):
        order = (('ours', None), ('baseline', tree)) if i % 2 == 0 else \
            (('baseline', tree), ('ours', None))
        for name, which in order:
            wall, cpu, done = timed(meter, [*autograder(which), 'check', stage, str(notebook)])
            if done.returncode != 0:
                raise RuntimeError(f'check {stage} ({name}) exited {done.returncode}:\n'
                                   f'{done.stdout[-2000:]}{done.stderr[-2000:]}')
            times[name].append((wall, cpu))
    return times


def grades_csv(out):
    with open(Path(out) / 'grades.csv', newline='', encoding='utf-8') as file:
        return {(r['student'], r['stage']): (r['status'], r['score'], r['max_score'])
                for r in csv.DictReader(file)}


def time_nbgrader(meter, submitted, stages, root):
    """Wall and CPU seconds of `nbgrader autograde` over the stages, and its grades."""
    course_dir = nbgrader_course.make_course(root, SOLUTIONS, submitted)
    for stage in stages:
        nbgrader_course.generate(course_dir, stage)      # set-up, not timed
    wall = cpu = 0.0
    for stage in stages:
        before = meter.read()
        command = nbgrader_course.autograde(course_dir, stage, wrap=meter.wrap)
        wall += command.seconds
        cpu = cpu + meter.read() - before if before is not None else None
    return wall, cpu, nbgrader_course.grades(course_dir, stages)


def time_otter(meter, submitted, stages, root):
    """Wall and CPU seconds of `otter run` on every notebook of the stages, and its scores."""
    archives = {s: otter_course.make_autograder(root, s, course.stage(s).max_score)
                for s in stages}
    wall, cpu, scores = 0.0, 0.0, {}
    for student in sorted(p.name for p in Path(submitted).iterdir()):
        for stage in stages:
            notebook = Path(submitted, student, stage, f'{stage}.ipynb')
            if not notebook.is_file():
                continue
            before = meter.read()
            run = otter_course.run(archives[stage], notebook, root / 'out' / student / stage,
                                   course.stage(stage).max_score, wrap=meter.wrap)
            wall += run.seconds
            cpu = cpu + meter.read() - before if before is not None else None
            scores[student, stage] = run.score
    return wall, cpu, scores


def verdicts(ours, nbgrader, otter):
    """Submission-stages where the hidden suite's verdict differs between the graders.

    Ours passes when the stage is graded with full marks; nbgrader's and otter's when
    their hidden test (the same suite, all or nothing) got its points.
    """
    differ = []
    for key, (status, score, max_score) in sorted(ours.items()):
        mine = status == 'graded' and float(score) == float(max_score)
        grade = nbgrader.get(key)
        theirs = bool(grade and grade.graded and grade.hidden_max
                      and grade.hidden_score == grade.hidden_max)
        other = otter.get(key)
        otters = other is not None and float(other) == float(max_score)
        if not (mine == theirs == otters):
            differ.append((key, mine, theirs, otters))
    return differ


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def show(seconds):
    return '-' if seconds is None else f'{seconds:.1f}'


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(args, tmp):
    meter = CpuMeter()
    rows, agreement, baseline = [], [], {}
    tree = export_baseline(args.baseline, tmp / 'baseline') if args.baseline else None
    try:
        for size in args.sizes:
            submitted = make_class(tmp / f'class-{size}', size)
            anchors = size <= args.anchors_up_to
            times = {k: [] for k in ('ours', 'ours-anchor', 'nbgrader', 'otter', 'baseline')}
            identical = True
            for round_ in range(args.rounds):
                out = tmp / f'ours-{size}-{round_}'
                base_out = tmp / f'baseline-{size}-{round_}'
                # Alternate which grader goes first, so a trend in the load favours neither.
                if tree is not None and round_ % 2 == 1:
                    times['baseline'].append(grade_ours(meter, submitted, base_out, args.stages,
                                                        args.jobs, tree))
                times['ours'].append(grade_ours(meter, submitted, out, args.stages, args.jobs))
                if tree is not None and round_ % 2 == 0:
                    times['baseline'].append(grade_ours(meter, submitted, base_out, args.stages,
                                                        args.jobs, tree))
                if tree is not None:
                    identical &= outputs(out) == outputs(base_out)
                log(f'{size} students, round {round_ + 1}: ours --jobs {args.jobs} '
                    f'{times["ours"][-1][0]:.1f} s (CPU {show(times["ours"][-1][1])} s)' + (
                        f', baseline {times["baseline"][-1][0]:.1f} s (CPU '
                        f'{show(times["baseline"][-1][1])} s), grades and feedback '
                        f'identical: {identical}' if tree is not None else '')
                    + f' (load {os.getloadavg()[0]:.1f})')
                if anchors:
                    stages = args.anchor_stages
                    anchor_out = tmp / f'ours-anchor-{size}-{round_}'
                    times['ours-anchor'].append(grade_ours(meter, submitted, anchor_out, stages,
                                                           args.jobs))
                    wall, cpu, nb = time_nbgrader(meter, submitted, stages,
                                                  tmp / f'nbgrader-{size}-{round_}')
                    times['nbgrader'].append((wall, cpu))
                    wall, cpu, ot = time_otter(meter, submitted, stages,
                                               tmp / f'otter-{size}-{round_}')
                    times['otter'].append((wall, cpu))
                    log(f'  anchors: ours {times["ours-anchor"][-1][0]:.1f} s, nbgrader '
                        f'{times["nbgrader"][-1][0]:.1f} s, otter {times["otter"][-1][0]:.1f} s')
                    if round_ == 0:
                        agreement.append((size, len(stages), verdicts(
                            grades_csv(anchor_out), nb, ot)))
            if tree is not None:
                baseline[size] = identical
            serial, same = (None, None), None
            if args.serial_up_to is None or size <= args.serial_up_to:
                serial_out = tmp / f'ours-serial-{size}'
                serial = grade_ours(meter, submitted, serial_out, args.stages, 1)
                same = all(grades_csv(tmp / f'ours-{size}-{r}') == grades_csv(serial_out)
                           for r in range(args.rounds))
                if tree is not None:
                    same &= outputs(serial_out) == outputs(tmp / f'ours-{size}-0')
            if same is not None:
                log(f'{size} students: --jobs 1 {serial[0]:.1f} s, same grades: {same}')
            rows.append((size, args.stages, times, serial, same))
        if tree is not None and args.check:
            checks = {s: check_pair(meter, s, tree) for s in course.STAGE_IDS}
            print_check_pairs(args.baseline, checks)
            checks = {}
        else:
            checks = {s: grading.check_latency(s) for s in course.STAGE_IDS} if args.check \
                else {}
    finally:
        meter.close()
    print_report(args, rows, agreement, baseline)
    if checks:
        print()
        print(f'`autograder check` on each solution notebook (wall seconds, median of '
              f'{grading.CHECK_RUNS}):')
        print()
        print('| ' + ' | '.join(checks) + ' |')
        print('|' + '---|' * len(checks))
        print('| ' + ' | '.join(f'{t:.2f}' for t in checks.values()) + ' |')
    return 0 if all(row[4] is not False for row in rows) \
        and not any(d for _, _, d in agreement) \
        and all(baseline.values()) else 1


def print_check_pairs(ref, checks):
    print(f'`autograder check` on each solution notebook, this checkout and {ref} in turn '
          f'(medians of {grading.CHECK_RUNS}; wall / CPU seconds):')
    print()
    print('| grader | ' + ' | '.join(checks) + ' |')
    print('|---|' + '---|' * len(checks))
    for name, label in (('baseline', ref), ('ours', 'this checkout')):
        cells = [f'{median([t[0] for t in c[name]]):.2f} / {median([t[1] for t in c[name]]):.2f}'
                 if c[name][0][1] is not None else f'{median([t[0] for t in c[name]]):.2f}'
                 for c in checks.values()]
        print(f'| {label} | ' + ' | '.join(cells) + ' |')
    print()


def print_report(args, rows, agreement, baseline=None):
    print(f'Sandbox confinement: {isolation.level()}; otter-grader {otter_course.version()}; '
          f'medians of {args.rounds} rounds (--jobs 1: one run)')
    print()
    print('| students | stages | grader | submission-stages | wall s | CPU s '
          '| wall s per submission-stage | grades = --jobs 1 |')
    print('|---|---|---|---|---|---|---|---|')
    for size, stages, times, serial, same in rows:
        count = size * len(stages)
        wall, cpu = median([t[0] for t in times['ours']]), median([t[1] for t in times['ours']])
        verdict = {True: 'yes', False: '**NO**', None: 'not run'}[same]
        print(f'| {size} | {len(stages)} | autograder grade --jobs {args.jobs} | {count} | '
              f'{show(wall)} | {show(cpu)} | {wall / count:.3f} | {verdict} |')
        if serial[0] is not None:
            print(f'| {size} | {len(stages)} | autograder grade --jobs 1 | {count} | '
                  f'{show(serial[0])} | {show(serial[1])} | {serial[0] / count:.3f} | |')
        if times['baseline']:
            bwall = median([t[0] for t in times['baseline']])
            bcpu = median([t[1] for t in times['baseline']])
            print(f'| {size} | {len(stages)} | {args.baseline}: autograder grade --jobs '
                  f'{args.jobs} ({bwall / wall:.2f}x ours) | {count} | {show(bwall)} | '
                  f'{show(bcpu)} | {bwall / count:.3f} | '
                  f'{"identical to ours" if baseline.get(size) else "**DIFFERENT**"} |')
        if times['nbgrader']:
            anchors = len(args.anchor_stages)
            base = median([t[0] for t in times['ours-anchor']])
            for name, key in (('autograder grade --jobs ' + str(args.jobs), 'ours-anchor'),
                              ('nbgrader autograde', 'nbgrader'), ('otter run', 'otter')):
                wall = median([t[0] for t in times[key]])
                cpu = median([t[1] for t in times[key]])
                ratio = '' if key == 'ours-anchor' else f' ({wall / base:.1f}x ours)'
                print(f'| {size} | {anchors} | {name}{ratio} | {size * anchors} | {show(wall)} '
                      f'| {show(cpu)} | {wall / (size * anchors):.3f} | |')
    for size, stages, differ in agreement:
        print()
        if not differ:
            print(f'{size} students x {stages} stages: the three graders give the hidden suite '
                  'the same verdict on every submission-stage.')
        for (student, stage), mine, theirs, otters in differ:
            print(f'verdicts differ on {student} {stage}: ours {mine}, nbgrader {theirs}, '
                  f'otter {otters}')


def main(argv=None):
    args = parse_args(argv)
    # SIGTERM ends the run like Ctrl-C, so the command being timed is stopped with it.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if any(size <= args.anchors_up_to for size in args.sizes):
        otter_course.ensure_venv(ROOT)
    with tempfile.TemporaryDirectory(prefix='classes-benchmark-') as tmp:
        return run(args, Path(tmp))


if __name__ == '__main__':
    sys.exit(main())
