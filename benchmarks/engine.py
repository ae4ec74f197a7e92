"""Benchmark: our engine against micrograd 0.1.0 and against the pure-Python floor.

    python benchmarks/engine.py [--steps 5] [--rounds 3] [--quick]

Both engines run the course's two-moons training step (max-margin loss plus L2, SGD)
on the same data and seed, each in its own process (their import names clash),
alternating config by config in one run: three model sizes, two batch sizes, the
cyclic garbage collector on and off. Reported: medians of the forward pass, the
backward pass and the whole step, the speed-ups, that the losses agree, bytes per
node, our per-node cost against the floor (a minimal operator node; the chain rule
inlined over a precomputed order), and a 1,000,000-node chain's backward.
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASELINE_DIR = HERE / '.baseline'
BASELINE_SPEC = 'micrograd==0.1.0'
CHAIN_LENGTH = 1_000_000
MODELS = ([8, 8, 1], [16, 16, 1], [32, 32, 1])
BATCHES = (10, 100)
ENGINES = (('micrograd 0.1.0', BASELINE_DIR), ('ours', ROOT))
# 'paused': the collector off during each step only, as micrograd.engine.gc_paused does in the
# course's training loop; for micrograd 0.1.0 that is the same as 'off' within a step.
GC_MODES = ('on', 'off', 'paused')


def ensure_baseline():
    if not (BASELINE_DIR / 'micrograd' / 'engine.py').exists():
        print(f'installing {BASELINE_SPEC} into {BASELINE_DIR} ...', file=sys.stderr)
        subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
                        '--target', str(BASELINE_DIR), BASELINE_SPEC], check=True)


def shared_data():
    sys.path.insert(0, str(ROOT))
    from micrograd.moons import make_data
    X, y = make_data()
    return {'X': X, 'y': y}


def measure(engine_path, **request):
    request['engine_path'] = str(engine_path)
    result = subprocess.run([sys.executable, str(HERE / 'engine_worker.py')],
                            input=json.dumps(request), capture_output=True, text=True, check=True)
    answer = json.loads(result.stdout)
    assert Path(answer['module']).resolve().is_relative_to(Path(engine_path).resolve()), answer
    return answer


def median(runs, key):
    return statistics.median(s for run in runs for s in run[key])


def label(sizes):
    return f'MLP(2, {sizes})'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=5, help='training steps per run')
    parser.add_argument('--rounds', type=int, default=3, help='alternating runs per config')
    parser.add_argument('--quick', action='store_true', help='the 16-16-1 model only')
    args = parser.parse_args(argv)
    ensure_baseline()
    data = shared_data()
    models = MODELS[1:2] if args.quick else MODELS
    seed = 1337

    print('| model, batch, GC | engine | forward s | backward s | step s | step speed-up '
          '| backward speed-up |')
    print('|---|---|---|---|---|---|---|')
    worst_gap = 0.0
    defaults = {(str(sizes), batch): {} for sizes in models for batch in BATCHES}
    for sizes in models:
        for batch in BATCHES:
            for gc_mode in GC_MODES:
                runs = {name: [] for name, _ in ENGINES}
                for _ in range(args.rounds):
                    for name, path in ENGINES:
                        runs[name].append(measure(path, measure='steps', sizes=sizes, batch=batch,
                                                  gc=gc_mode, steps=args.steps, seed=seed, **data))
                base, ours = runs['micrograd 0.1.0'], runs['ours']
                worst_gap = max(worst_gap, max(abs(a - b) for a, b in zip(base[0]['losses'],
                                                                        ours[0]['losses'])))
                where = f'{label(sizes)}, {batch}, GC {gc_mode}'
                for name in ('micrograd 0.1.0', 'ours'):
                    f, b, s = (median(runs[name], k) for k in ('forward', 'backward', 'step'))
                    extra = ' | |'
                    if name == 'ours':
                        extra = (f' | {median(base, "step") / s:.1f}x | '
                                 f'{median(base, "backward") / b:.1f}x |')
                        defaults[(str(sizes), batch)][gc_mode] = s
                    elif gc_mode == 'on':
                        defaults[(str(sizes), batch)]['base'] = s
                    print(f'| {where} | {name} | {f:.4f} | {b:.4f} | {s:.4f}{extra}')
                    where = ''
    print(f'\nlargest loss difference between the engines: {worst_gap:.1e}')
    print('\n| model, batch | step speed-up, each engine as it trains (0.1.0: GC on; ours: '
          'gc_paused) |\n|---|---|')
    for (sizes, batch), d in defaults.items():
        print(f'| MLP(2, {sizes}), {batch} | {d["base"] / d["paused"]:.1f}x |')

    print('\n| engine | bytes per node (MLP(2, [16, 16, 1]), batch 100) |\n|---|---|')
    for name, path in ENGINES:
        mem = measure(path, measure='memory', sizes=[16, 16, 1], batch=100, seed=seed, **data)
        print(f'| {name} | {mem["bytes_per_node"]:.0f} ({mem["nodes"]} nodes) |')

    floors = [measure(ROOT, measure='floor', sizes=[16, 16, 1], seed=seed, **data)
              for _ in range(args.rounds)]
    fl = {key: statistics.median(f[key] for f in floors) * 1e9 for key in floors[0]
          if key != 'module'}
    print('\n| per node, MLP(2, [16, 16, 1]) at batch 100, GC off | ours | floor | ratio |')
    print('|---|---|---|---|')
    print(f'| forward (a minimal operator node) | {fl["forward_ours"]:.0f} ns | '
          f'{fl["forward_floor"]:.0f} ns | {fl["forward_ours"] / fl["forward_floor"]:.2f}x |')
    print(f'| backward (the same algorithm, fastest pure Python) | {fl["backward_ours"]:.0f} ns '
          f'| {fl["backward_floor"]:.0f} ns | {fl["backward_ours"] / fl["backward_floor"]:.2f}x |')
    print(f'| backward against the chain rule alone (a bound) | {fl["backward_ours"]:.0f} ns | '
          f'{fl["backward_bound"]:.0f} ns | {fl["backward_ours"] / fl["backward_bound"]:.2f}x |')
    print(f'| of which the topological sort | {fl["backward_sort"]:.0f} ns | | |')

    print(f'\n| engine | {CHAIN_LENGTH:,}-node chain backward, GC on | with gc_paused() '
          '| peak memory |\n|---|---|---|---|')
    for name, path in ENGINES:
        modes = ('on', 'paused') if path == ROOT else ('on',)     # 0.1.0 has no gc_paused
        runs = {mode: [measure(path, measure='chain', length=CHAIN_LENGTH, gc=mode)
                       for _ in range(args.rounds)] for mode in modes}
        if runs['on'][0]['seconds'] is None:
            print(f'| {name} | RecursionError | | |')
            continue
        seconds = {m: f'{statistics.median(r["seconds"] for r in runs[m]):.2f} s' for m in runs}
        print(f'| {name} | {seconds["on"]} | {seconds.get("paused", "")} | '
              f'{runs["on"][0]["peak_mb"]:.0f} MB |')
    return 0 if worst_gap <= 1e-12 else 1


if __name__ == '__main__':
    sys.exit(main())
