"""Benchmark: our engine against micrograd 0.1.0 on the two-moons training loop.

    python benchmarks/engine.py [--steps 100] [--rounds 1]

Both engines run the same loop on the same data and seed, each in its own
process (their import names clash), alternating, in one run. Reports seconds per
step (median), the speed-up, that the losses agree to 1e-12, and the time to
back-propagate a 1,000,000-node chain.
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


def run_engine(engine_path, data, steps, chain):
    request = {'engine_path': str(engine_path), 'data': data, 'steps': steps, 'seed': 1337,
               'chain': chain}
    result = subprocess.run([sys.executable, str(HERE / 'engine_worker.py')],
                            input=json.dumps(request), capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=100)
    parser.add_argument('--rounds', type=int, default=1, help='alternating runs per engine')
    args = parser.parse_args(argv)
    ensure_baseline()
    data = shared_data()

    runs = {'ours': [], 'micrograd 0.1.0': []}
    for round_ in range(args.rounds):
        for name, path in (('micrograd 0.1.0', BASELINE_DIR), ('ours', ROOT)):
            chain = CHAIN_LENGTH if round_ == 0 else 0
            result = run_engine(path, data, args.steps, chain)
            assert Path(result['module']).resolve().is_relative_to(Path(path).resolve()), result
            runs[name].append(result)
            print(f'{name:16s} round {round_ + 1}: '
                  f'{statistics.median(result["seconds"]):.3f} s/step', file=sys.stderr)

    ours = [s for r in runs['ours'] for s in r['seconds']]
    base = [s for r in runs['micrograd 0.1.0'] for s in r['seconds']]
    ours_step, base_step = statistics.median(ours), statistics.median(base)
    loss_gap = max(abs(a - b) for a, b in zip(runs['ours'][0]['losses'],
                                              runs['micrograd 0.1.0'][0]['losses']))
    chain_ours = runs['ours'][0]['chain_seconds']
    chain_base = runs['micrograd 0.1.0'][0]['chain_seconds']
    final = runs['ours'][0]['losses'][-1]

    print(f'| engine | seconds per step (median of {len(ours)}) | 1,000,000-node chain backward |')
    print('|---|---|---|')
    print(f'| micrograd 0.1.0 | {base_step:.3f} | '
          f'{"RecursionError" if chain_base is None else f"{chain_base:.2f} s"} |')
    print(f'| micrograd-course | {ours_step:.3f} | {chain_ours:.2f} s |')
    print()
    print(f'speed-up: {base_step / ours_step:.2f}x; largest loss difference over {args.steps} '
          f'steps: {loss_gap:.1e} (agree to 1e-12: {loss_gap <= 1e-12}); final loss {final:.6f}')
    return 0 if loss_gap <= 1e-12 else 1


if __name__ == '__main__':
    sys.exit(main())
