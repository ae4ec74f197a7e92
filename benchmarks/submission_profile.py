"""Benchmark: where the CPU of one submission-stage goes, with the sandbox as this machine allows.

    python benchmarks/submission_profile.py [--tree DIR] [--rounds 15] [--categories]

Everything runs in a cpuacct cgroup that this process joins, so the CPU seconds include
everything it starts (bubblewrap, its namespaces, the worker, `dot`). Three tables:

1. the worker's start-up, piece by piece (medians of --rounds): a bare interpreter,
   bubblewrap with one mount and with the worker's whole mount view (its site entries bound
   one by one, as for `check`, and through the site trees `grade` links for a class), the
   cgroup, and `Worker.start` with no cells, both ways; the worker's own imports and its
   confinement are timed inside an unconfined interpreter (process_time);
2. per stage, the sample class (examples/submitted/) graded in one warm process (each stage
   once before, untimed): CPU per submission-stage, split into the grading process and
   what it started, and the cyclic collector's share of the grading process;
3. with --categories, the grading process's CPU by part (cProfile, process time: the
   profiler inflates small calls, so read it as shares).

--tree DIR profiles the grader of another checkout (e.g. an export of main) with this
interpreter and its packages.
"""

import argparse
import collections
import cProfile
import gc
import os
import pstats
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Meter:
    """CPU seconds of this process and everything it starts: a cpuacct cgroup (v1)."""

    def __init__(self):
        name = f'profile-{os.getpid()}-{secrets.token_hex(3)}'
        self.folder = Path('/sys/fs/cgroup/cpuacct') / name
        self.folder.mkdir()
        (self.folder / 'cgroup.procs').write_text(str(os.getpid()))

    def read(self):
        return int((self.folder / 'cpuacct.usage').read_text()) / 1e9

    def close(self):
        # Leave the cgroup (back to the root) so that it can be removed.
        Path('/sys/fs/cgroup/cpuacct/cgroup.procs').write_text(str(os.getpid()))
        for _ in range(100):
            try:
                self.folder.rmdir()
                return
            except OSError:
                time.sleep(0.05)


def median_cpu(meter, action, rounds):
    action()
    cpu, wall = [], []
    for _ in range(rounds):
        before, started = meter.read(), time.perf_counter()
        action()
        cpu.append(meter.read() - before)
        wall.append(time.perf_counter() - started)
    return statistics.median(cpu), statistics.median(wall)


def startup_table(meter, rounds):
    from autograder import isolation, sandbox
    from autograder.sandbox import Worker

    python = os.path.realpath(sys.executable)
    bare = [python, '-I', '-S', '-c', 'pass']
    view = isolation.namespaced_command([python, '-I', '-S', '-B', '-c', 'pass'],
                                        sandbox.WORKER_PACKAGE, 64 * 1024 ** 2)
    # The same view through the site trees `autograder grade` links for a class.
    os.environ.pop(isolation.CACHE_ENV, None)
    trees = tempfile.mkdtemp(prefix='profile-trees-')
    isolation.make_site_trees(trees)
    os.environ[isolation.CACHE_ENV] = trees
    linked = isolation.namespaced_command([python, '-I', '-S', '-B', '-c', 'pass'],
                                          sandbox.WORKER_PACKAGE, 64 * 1024 ** 2)
    os.environ.pop(isolation.CACHE_ENV)

    def run(command):
        return lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def in_cgroup():
        cgroup = isolation.Cgroup(1024 ** 3, 256)
        try:
            subprocess.run(cgroup.command(linked), check=True, stdout=subprocess.DEVNULL)
        finally:
            cgroup.remove()

    def worker(trees_env=None):
        def start():
            if trees_env:
                os.environ[isolation.CACHE_ENV] = trees_env
            try:
                with Worker([]) as started:
                    started.start()
            finally:
                os.environ.pop(isolation.CACHE_ENV, None)
        return start

    def mounts(command):
        return sum(arg in ('--ro-bind', '--tmpfs') for arg in command)
    rows = [('`python -I -S -c pass`', run(bare)),
            ('bwrap, one mount, + python', run([isolation.bwrap(), '--unshare-all',
                                                 '--unshare-user', '--die-with-parent',
                                                 '--ro-bind', '/', '/', '--', *bare])),
            (f"bwrap, the worker's view, entries bound one by one ({mounts(view)} mounts), "
             '+ python', run(view)),
            (f'bwrap, the same view through the site trees ({mounts(linked)} mounts), + python',
             run(linked)),
            ('the same in a fresh cgroup', in_cgroup),
            ('`Worker.start()`, no cells, entries one by one (`check`)', worker()),
            ('`Worker.start()`, no cells, through the site trees (`grade`)', worker(trees))]
    print('| start-up piece | CPU ms | wall ms |')
    print('|---|---|---|')
    try:
        for label, action in rows:
            cpu, wall = median_cpu(meter, action, rounds)
            print(f'| {label} | {cpu * 1000:.1f} | {wall * 1000:.1f} |')
    finally:
        shutil.rmtree(trees, ignore_errors=True)
    inside = subprocess.run([python, '-I', '-S', '-c', INSIDE, str(sandbox.WORKER_PACKAGE.parent),
                             *isolation.sandbox_site_paths()], capture_output=True, text=True)
    for line in inside.stdout.splitlines():
        print(line)
    print()


# Timed inside an unconfined interpreter: the worker's imports, then confine().
INSIDE = '''
import sys, time
sys.path.insert(0, sys.argv[1])
t0 = time.process_time()
import worker.main
from worker import confinement
t1 = time.process_time()
import tempfile                  # after the timing: it imports much the worker does not
home = tempfile.mkdtemp()
t1b = time.process_time()
confinement.confine(home, sys.argv[2:], ['micrograd', 'autograder'], [])
t2 = time.process_time()
print(f'| the worker package\\'s imports (inside) | {(t1 - t0) * 1000:.1f} | |')
print(f'| `confine()`: Landlock, capabilities, audit hook (inside) | {(t2 - t1b) * 1000:.1f} | |')
'''


def stage_table(meter, categories):
    from autograder import course, runner

    sample = ROOT / 'examples' / 'submitted'
    students = sorted(p.name for p in sample.iterdir() if p.is_dir())

    def batch(stage):
        subs = [runner.submission(stage, sample / s / stage / f'{stage}.ipynb', key=s)
                for s in students]
        subs = [s for s in subs if s.notebook.exists()]
        runner.run_batch(stage, subs)
        return len(subs)

    collecting = {'cpu': 0.0, 'since': 0.0}

    def collector(phase, info):
        if phase == 'start':
            collecting['since'] = time.process_time()
        else:
            collecting['cpu'] += time.process_time() - collecting['since']

    profile = cProfile.Profile(time.process_time) if categories else None
    print('| stage | submission-stages | CPU ms each | grading process | started by it '
          '| collector (of the grading process) |')
    print('|---|---|---|---|---|---|')
    totals = collections.Counter()
    gc.callbacks.append(collector)
    for stage in course.STAGE_IDS:
        batch(stage)                                    # warm: strategies, caches, imports
        collecting['cpu'] = 0.0
        before, own = meter.read(), time.process_time()
        if profile:
            profile.enable()
        count = batch(stage)
        if profile:
            profile.disable()
        cpu, mine = meter.read() - before, time.process_time() - own
        totals.update(cpu=cpu, mine=mine, count=count, gc=collecting['cpu'])
        print(f'| {stage} | {count} | {cpu / count * 1000:.1f} | {mine / count * 1000:.1f} '
              f'| {(cpu - mine) / count * 1000:.1f} | {collecting["cpu"] / count * 1000:.1f} |')
    gc.callbacks.remove(collector)
    n = totals['count']
    print(f'| **all** | {n} | **{totals["cpu"] / n * 1000:.1f}** | {totals["mine"] / n * 1000:.1f} '
          f'| {(totals["cpu"] - totals["mine"]) / n * 1000:.1f} | {totals["gc"] / n * 1000:.1f} |')
    print()
    if profile:
        category_table(profile)


def category(filename, function):
    for needle, name in (('hypothesis', 'Hypothesis'), ('_pytest/_code', 'pytest failure reports'),
                         ('_pytest', 'pytest'), ('pluggy', 'pytest'),
                         ('autograder/diagnosis', 'diagnosis'), ('autograder/suites', 'suites'),
                         ('autograder/sandbox', 'sandbox (IPC)'), ('autograder/plugin', 'plugin'),
                         ('autograder/intake', 'intake'), ('micrograd/', 'the reference'),
                         ('/json/', 'JSON'), ('ast.py', 'ast (source parsing)'),
                         ('inspect.py', 'inspect (source lookup)')):
        if needle in filename:
            return name
    return 'other' if filename != '~' else f'built-in {function.split(" of ")[0][:30]}'


def category_table(profile):
    stats = pstats.Stats(profile).stats
    shares = collections.Counter()
    for (filename, _, function), (_, _, own, _, _) in stats.items():
        shares[category(filename, function)] += own
    total = sum(shares.values())
    print('| grading process, by part (cProfile) | share |')
    print('|---|---|')
    for name, seconds in shares.most_common(12):
        print(f'| {name} | {seconds / total * 100:.0f}% |')
    print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tree', type=Path, help='profile the grader of this checkout')
    parser.add_argument('--rounds', type=int, default=15)
    parser.add_argument('--categories', action='store_true')
    args = parser.parse_args(argv)
    if args.tree:
        sys.path.insert(0, str(args.tree.resolve()))
    from autograder import isolation

    meter = Meter()
    try:
        print(f'Sandbox: {isolation.level()}; load average {os.getloadavg()[0]:.1f}; '
              f'grader: {args.tree or ROOT}')
        print()
        startup_table(meter, args.rounds)
        stage_table(meter, args.categories)
        print(f'load average at the end {os.getloadavg()[0]:.1f}')
    finally:
        meter.close()


if __name__ == '__main__':
    sys.exit(main())
