"""Benchmark: grading one class in 1, 2 and 4 shards run side by side on this machine.

    python benchmarks/shards.py [--students 200] [--stages 01-value 05-neuron] [--rounds 3]

Makes a synthetic class (student k hands in the sample class's student k mod 9's
notebooks, examples/submitted/), grades it unsharded (`autograder grade --jobs J`),
then as N shards started at once (`--shard K/N --jobs max(1, J/N)`, so every
configuration uses the same J cores) followed by `autograder merge`. Reports the
median wall time of each configuration, its ratio to the unsharded run, and checks
that the merged exports are byte-identical to the unsharded ones. On one machine
sharding cannot be faster; the numbers show what the split and the merge cost.
"""

import argparse
import filecmp
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / 'examples' / 'submitted'
EXPORTS = ('grades.csv', 'canvas.csv', 'moodle.csv', 'report.html', 'feedback', 'gradescope')


def make_class(out, students=200, stages=('01-value', '05-neuron')):
    """out/<sNNN>/<stage>/...: student k copies sample student k mod 9 (what they have)."""
    sample = sorted(p.name for p in SAMPLE.iterdir() if p.is_dir())
    ids = [f's{k:03d}' for k in range(students)]
    for k, student in enumerate(ids):
        model = SAMPLE / sample[k % len(sample)]
        for stage in stages:
            if (model / stage).is_dir():
                shutil.copytree(model / stage, Path(out) / student / stage)
    return ids


def autograder(*args):
    return [str(Path(sys.executable).parent / 'autograder'), *map(str, args)]


def grade_sharded(submitted, out, shards, jobs, stages, extra=()):
    """Grade in `shards` processes at once, then merge into out; return the wall seconds."""
    stage_args = [f'--stage={s}' for s in stages]
    started = time.perf_counter()
    if shards == 1:
        subprocess.run(autograder('grade', submitted, '--out', out, '--jobs', jobs,
                                  *stage_args, *extra), check=True, capture_output=True)
    else:
        parts = [Path(f'{out}-shard{k}') for k in range(1, shards + 1)]
        running = [subprocess.Popen(autograder('grade', submitted, '--out', part, '--jobs',
                                               max(1, jobs // shards), '--shard',
                                               f'{k}/{shards}', *stage_args, *extra),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                   for k, part in enumerate(parts, start=1)]
        for process in running:
            if process.wait() != 0:
                raise RuntimeError(process.stderr.read().decode())
        subprocess.run(autograder('merge', out, *parts), check=True, capture_output=True)
    return time.perf_counter() - started


def same_exports(a, b):
    """The export files that differ between grades folders a and b (empty: identical)."""
    differ = []
    for name in EXPORTS:
        left, right = Path(a) / name, Path(b) / name
        if left.is_file():
            if not filecmp.cmp(left, right, shallow=False):
                differ.append(name)
            continue
        files = sorted(p.relative_to(left) for p in left.rglob('*') if p.is_file())
        if files != sorted(p.relative_to(right) for p in right.rglob('*') if p.is_file()):
            differ.append(name)
            continue
        differ += [f'{name}/{f}' for f in files
                   if not filecmp.cmp(left / f, right / f, shallow=False)]
    return differ


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--students', type=int, default=200)
    parser.add_argument('--stages', nargs='+', default=['01-value', '05-neuron'])
    parser.add_argument('--shards', type=int, nargs='+', default=[1, 2, 4])
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix='shards-') as scratch:
        scratch = Path(scratch)
        make_class(scratch / 'submitted', args.students, args.stages)
        seconds = {n: [] for n in args.shards}
        for round_ in range(args.rounds):
            for n in args.shards:     # interleaved, so load on the machine hits all alike
                out = scratch / f'r{round_}-n{n}'
                seconds[n].append(grade_sharded(scratch / 'submitted', out, n, args.jobs,
                                                args.stages))
                if n != args.shards[0]:
                    differ = same_exports(scratch / f'r{round_}-n{args.shards[0]}', out)
                    if differ:
                        raise SystemExit(f'{n} shards merged differ from 1: {differ[:5]}')
        subs = args.students * len(args.stages)
        print(f'{args.students} students x {len(args.stages)} stages ({subs} submission-'
              f'stages), {args.jobs} cores in total, median of {args.rounds} round(s):')
        base = statistics.median(seconds[args.shards[0]])
        for n in args.shards:
            median = statistics.median(seconds[n])
            runs = ', '.join(f'{s:.1f}' for s in seconds[n])
            print(f'  {n} shard(s): {median:6.1f} s  ({median / base:.2f}x of 1 shard; '
                  f'runs: {runs})')
        print('merged exports byte-identical to the unsharded run: yes')


if __name__ == '__main__':
    main()
