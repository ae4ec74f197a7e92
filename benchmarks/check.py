"""Benchmark: `autograder check STAGE` on each solution notebook, this tree against a baseline.

    python benchmarks/check.py [--baseline REF | --baseline-tree DIR] [--rounds 5] [--stages ...]

The baseline is another checkout of the grader run with this interpreter and its packages
(by default `git archive main`, exported to a temporary folder). Both are run once per stage
first (untimed: bytecode written, as on a learner's machine after the first check), then
round by round, alternating which goes first. Wall and CPU seconds (the check and every
process it started and waited for) are medians over the rounds; the ratio is baseline / this.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import course  # noqa: E402


def export(ref, folder):
    archive = subprocess.run(['git', '-C', str(ROOT), 'archive', '--format=tar', ref],
                             check=True, capture_output=True).stdout
    tar = Path(folder, 'tree.tar')
    tar.write_bytes(archive)
    with tarfile.open(tar) as opened:
        opened.extractall(folder, filter='data')
    tar.unlink()
    return Path(folder)


def check_once(tree, stage):
    """(wall, cpu) seconds of one `autograder check` of the stage's solution notebook."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop('PYTHONDONTWRITEBYTECODE', None)
    notebook = tree / 'solutions' / stage / f'{stage}.ipynb'
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, '-m', 'autograder.cli', 'check', stage, str(notebook),
                           '--source', str(tree / 'solutions')], cwd=tree, env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f'check {stage} failed in {tree}:\n{done.stdout}{done.stderr}')
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--baseline', default='main', help='git ref of the baseline (main)')
    parser.add_argument('--baseline-tree', type=Path, help='a checkout to use as the baseline')
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--stages', nargs='+', default=list(course.STAGE_IDS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='check-baseline-') as folder:
        baseline = args.baseline_tree or export(args.baseline, folder)
        trees = {'baseline': baseline.resolve(), 'this': ROOT}
        times = {(name, stage): [] for name in trees for stage in args.stages}
        for stage in args.stages:
            for tree in trees.values():
                check_once(tree, stage)
        for round_ in range(args.rounds):
            order = list(trees) if round_ % 2 == 0 else list(trees)[::-1]
            for stage in args.stages:
                for name in order:
                    times[name, stage].append(check_once(trees[name], stage))
    print(f'baseline: {args.baseline_tree or args.baseline}; medians of {args.rounds} rounds; '
          f'load average at the end {os.getloadavg()[0]:.1f}')
    print('| stage | this: wall | baseline: wall | wall ratio | this: CPU | baseline: CPU |'
          ' CPU ratio |')
    print('|---|---|---|---|---|---|---|')
    for stage in args.stages:
        this = [statistics.median(x) for x in zip(*times['this', stage])]
        base = [statistics.median(x) for x in zip(*times['baseline', stage])]
        print(f'| {stage} | {this[0]:.2f} s | {base[0]:.2f} s | {base[0] / this[0]:.2f}x | '
              f'{this[1]:.2f} s | {base[1]:.2f} s | {base[1] / this[1]:.2f}x |')


if __name__ == '__main__':
    main()
