"""Benchmark: what the namespaced worker adds to the start-up of one submission-stage.

    python benchmarks/sandbox.py [--rounds 15] [--stage 04-backward]

Starts and stops the worker for one stage module (the solution's cells: given cells,
exercises, imports) with the namespaces and the cgroup (`full`), and without them (the
worker of before: per-process limits, Landlock and the audit hook, `process`),
alternating in one run, and reports the median seconds of each, the difference and
the ratio. One probe is answered in each round, so the worker is known to work.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import course, isolation  # noqa: E402
from autograder.intake import stage_cells  # noqa: E402
from autograder.sandbox import Worker  # noqa: E402

PROGRAM = {'inputs': [2.0, -3.0], 'steps': [['mul', 0, 1], ['tanh', 2]]}


def use(namespaces):
    if namespaces:
        os.environ.pop('AUTOGRADER_NO_NAMESPACES', None)
    else:
        os.environ['AUTOGRADER_NO_NAMESPACES'] = '1'
    isolation.level.cache_clear()
    isolation._writable_places.cache_clear()
    return isolation.level()


def one_start(cells):
    started = time.perf_counter()
    with Worker(cells) as worker:
        report = worker.start()
        kind, _ = worker.call('expression', {'program': PROGRAM, 'backward': True})
    seconds = time.perf_counter() - started
    assert report.errors == [] and kind == 'ok', (report.errors, kind)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=15)
    parser.add_argument('--stage', default='04-backward', choices=course.STAGE_IDS)
    args = parser.parse_args()
    cells = stage_cells(args.stage, course.stage(args.stage).notebook(course.SOLUTIONS),
                        source_dir=course.SOLUTIONS)
    levels = {True: use(True), False: use(False)}
    if levels[True] == isolation.PROCESS:
        sys.exit('no namespaces on this machine: nothing to compare')
    times = {True: [], False: []}
    for namespaces in (True, False):          # warm the caches of both once, unmeasured
        use(namespaces)
        one_start(cells)
    for _ in range(args.rounds):
        for namespaces in (True, False):
            use(namespaces)
            times[namespaces].append(one_start(cells))
    with_ns, without = statistics.median(times[True]), statistics.median(times[False])
    print(f'stage {args.stage}, {args.rounds} rounds, worker start + one probe + stop, median:')
    print(f'  {levels[True]:<10} {with_ns:.3f} s   (min {min(times[True]):.3f}, '
          f'max {max(times[True]):.3f})')
    print(f'  {levels[False]:<10} {without:.3f} s   (min {min(times[False]):.3f}, '
          f'max {max(times[False]):.3f})')
    print(f'  added by namespaces and cgroup: {with_ns - without:+.3f} s per submission-stage '
          f'({with_ns / without:.2f}x)')


if __name__ == '__main__':
    main()
