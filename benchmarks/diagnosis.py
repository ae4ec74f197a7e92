"""Benchmark: `autograder grade --force` on the sample class with root-cause diagnosis on and off.

    python benchmarks/diagnosis.py [--rounds 3] [--jobs 2] [--stages ...]

Diagnosis costs one extra round of probes (the stage's diagnostic set) for every
submission that failed a test. Both modes grade the same class (examples/submitted/)
into their own gradebook, alternately (off, on, off, on, ...), so that a busy
machine slows both alike; the baseline is "off" (AUTOGRADER_DIAGNOSIS=off: grading as
before diagnosis existed), measured side by side. Reports the median wall-clock
seconds of each, per submission-stage, the ratio (the goal: at most 1.25) and how
many submission-stages were diagnosed; then, measured on its own, the median time of
the diagnostic round alone on each diagnosed submission's worker.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder import diagnosis
from autograder.course import STAGE_IDS as STAGES
from autograder.diagnosis.probe_sets import PROBE_SETS
from autograder.gradebook import Gradebook
from autograder.plugin import open_submission
from autograder.runner import submission

ROOT = Path(__file__).resolve().parent.parent
SUBMITTED = ROOT / 'examples' / 'submitted'
GOAL = 1.25


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=3, help='runs of each mode (default: 3)')
    parser.add_argument('--jobs', type=int, default=2, help='grade --jobs (default: 2)')
    parser.add_argument('--stages', nargs='+', choices=STAGES, default=list(STAGES),
                        metavar='STAGE', help='stages to grade (default: all)')
    return parser.parse_args(argv)


def grade(out, mode, args):
    """Seconds of one `autograder grade --force` with diagnosis `mode` ('on' or 'off')."""
    command = [str(Path(sys.executable).parent / 'autograder'), 'grade', str(SUBMITTED),
               '--out', str(out), '--jobs', str(args.jobs), '--force',
               *(f'--stage={stage}' for stage in args.stages)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env=dict(os.environ, AUTOGRADER_DIAGNOSIS=mode), cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f'autograder grade ({mode}) exited {done.returncode}:\n'
                         f'{done.stderr[-2000:]}')
    return seconds


def probe_round(student, stage, runs=5):
    """Median seconds of one diagnostic round on the student's stage, in a started worker."""
    graded = submission(stage, SUBMITTED / student / stage / f'{stage}.ipynb')
    side = open_submission(graded)
    try:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            diagnosis.ask(side, stage)
            times.append(time.perf_counter() - started)
    finally:
        side.close()
    return statistics.median(times)


def main(argv=None):
    args = parse_args(argv)
    times = {'off': [], 'on': []}
    with tempfile.TemporaryDirectory(prefix='diagnosis-benchmark-') as tmp:
        for round_ in range(args.rounds):
            for mode in times:
                times[mode].append(grade(Path(tmp, mode), mode, args))
            print(f'round {round_ + 1}: off {times["off"][-1]:.1f} s, on {times["on"][-1]:.1f} s',
                  file=sys.stderr, flush=True)
        with Gradebook(Path(tmp, 'on', 'gradebook.sqlite')) as book:
            rows = book.results()
    results = [result for _, _, result in rows]
    count = len(results)
    failing = sum(r.status == 'graded' and any(not t.passed for t in r.tests) for r in results)
    diagnosed = sum(r.diagnosis is not None for r in results)
    off, on = (statistics.median(times[mode]) for mode in ('off', 'on'))
    print(f'Grading the sample class with `autograder grade --force --jobs {args.jobs}`: {count} '
          f'submission-stages, {failing} graded with a failing test, {diagnosed} diagnosed.')
    print()
    print(f'| diagnosis | wall seconds (median of {args.rounds}) | seconds per submission-stage |')
    print('|---|---|---|')
    for name, seconds in (('off (the baseline: grading as before)', off), ('on', on)):
        print(f'| {name} | {seconds:.2f} | {seconds / count:.3f} |')
    print()
    print(f'Ratio on / off: {on / off:.2f}x (goal: at most {GOAL}x); '
          f'every run: off {", ".join(f"{t:.1f}" for t in times["off"])} s, '
          f'on {", ".join(f"{t:.1f}" for t in times["on"])} s.')
    print()
    print('| submission | stage | probes | diagnostic round alone (ms, median of 5) |')
    print('|---|---|---|---|')
    for student, stage, result in rows:
        if result.diagnosis:
            print(f'| {student} | {stage} | {len(PROBE_SETS[stage])} | '
                  f'{1000 * probe_round(student, stage):.1f} |')
    return 0 if on / off <= GOAL else 1


if __name__ == '__main__':
    sys.exit(main())
