"""Benchmark: `autograder check STAGE` on each solution notebook, this tree against a baseline.

    python benchmarks/check.py [--baseline REF | --baseline-tree DIR] [--rounds 5] [--stages ...]

The baseline is another checkout of the grader run with this interpreter and its packages
(by default `git archive main`, exported to a temporary folder). Both are run once per stage
first (untimed: bytecode written, as on a learner's machine after the first check), then
round by round, alternating which goes first (classes.py's `check_pair`). Wall and CPU seconds
(the check and every process it starts, through classes.py's cpuacct meter) are medians over
the rounds; the ratio is baseline / this.
"""

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import classes  # this folder's helpers: the script's folder is first on sys.path

from autograder import course


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--baseline', default='main', help='git ref of the baseline (main)')
    parser.add_argument('--baseline-tree', type=Path, help='a checkout to use as the baseline')
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--stages', nargs='+', default=list(course.STAGE_IDS))
    args = parser.parse_args()
    # Learners' machines write bytecode: so do both trees here.
    os.environ.pop('PYTHONDONTWRITEBYTECODE', None)
    meter = classes.CpuMeter()
    try:
        with tempfile.TemporaryDirectory(prefix='check-baseline-') as folder:
            baseline = args.baseline_tree or classes.export_baseline(
                args.baseline, Path(folder, 'tree'))
            tree = baseline.resolve()
            times = {stage: classes.check_pair(meter, stage, tree, runs=1 + args.rounds)
                     for stage in args.stages}
    finally:
        meter.close()
    print(f'baseline: {args.baseline_tree or args.baseline}; medians of {args.rounds} rounds; '
          f'load average at the end {os.getloadavg()[0]:.1f}')
    print('| stage | this: wall | baseline: wall | wall ratio | this: CPU | baseline: CPU |'
          ' CPU ratio |')
    print('|---|---|---|---|---|---|---|')
    for stage, pair in times.items():
        # The first pair of each stage is untimed: it writes both trees' bytecode.
        this = [statistics.median(x) for x in zip(*pair['ours'][1:])]
        base = [statistics.median(x) for x in zip(*pair['baseline'][1:])]
        cpu = (f'{this[1]:.2f} s | {base[1]:.2f} s | {base[1] / this[1]:.2f}x'
               if this[1] is not None else 'n/a | n/a | n/a')
        print(f'| {stage} | {this[0]:.2f} s | {base[0]:.2f} s | {base[0] / this[0]:.2f}x | '
              f'{cpu} |')


if __name__ == '__main__':
    sys.exit(main())
