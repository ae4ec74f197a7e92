"""The second baseline: otter-grader's `otter run` on the same notebooks, in a venv of its own.

    benchmarks/.baseline-otter/    python -m venv + pip install otter-grader ipykernel,
                                   and this project (--no-deps) with hypothesis and pytest

Each stage becomes an otter autograder (`otter generate` on a tests folder) with one
OK-format test: the stage's hidden suite run in the notebook's own kernel
(`autograder.inkernel.check_in_kernel`), all or nothing for the stage's points, which
is exactly what nbgrader's hidden cell checks. `otter run` grades one notebook per
command, executing it in a Jupyter kernel, as nbgrader does.
"""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / '.baseline-otter'
BIN = VENV / 'bin'
PACKAGES = ('otter-grader', 'ipykernel', 'hypothesis', 'pytest', 'graphviz', 'numpy',
            'scikit-learn', 'matplotlib')

# One doctest case: the hidden suite's printed lines are swallowed, so the case passes
# exactly when the suite does (check_in_kernel raises AssertionError otherwise).
TEST = '''\
OK_FORMAT = True
test = {{'name': 'hidden-{stage}', 'points': {points}, 'suites': [{{'cases': [{{
    'code': ">>> import contextlib, io\\n"
            ">>> from autograder.inkernel import check_in_kernel\\n"
            ">>> with contextlib.redirect_stdout(io.StringIO()):\\n"
            "...     check_in_kernel('{stage}', globals())\\n",
    'hidden': False, 'locked': False}}],
    'scored': True, 'setup': '', 'teardown': '', 'type': 'doctest'}}]}}
'''


@dataclass(frozen=True)
class Run:
    seconds: float
    score: float | None     # None: otter produced no score for the notebook
    max_score: float


def ensure_venv(project_root):
    """Create benchmarks/.baseline-otter once (pip from the usual registry)."""
    if (BIN / 'otter').exists():
        return
    subprocess.run([sys.executable, '-m', 'venv', str(VENV)], check=True)
    pip = [str(BIN / 'pip'), 'install', '-q']
    subprocess.run([*pip, *PACKAGES], check=True)
    subprocess.run([*pip, '--no-deps', '-e', str(project_root)], check=True)


def version():
    if not (BIN / 'python').exists():
        return 'not installed'
    done = subprocess.run([str(BIN / 'python'), '-c',
                           'import otter; print(otter.__version__)'],
                          capture_output=True, text=True)
    return done.stdout.strip() or 'unknown'


def _env():
    env = dict(os.environ)
    # The kernel otter starts is the venv's own `python3` (ipykernel's kernelspec).
    env['PATH'] = os.pathsep.join([str(BIN), env.get('PATH', '')])
    return env


def make_autograder(root, stage, points):
    """`otter generate` for one stage: the path of its autograder zip."""
    tests = Path(root) / stage / 'tests'
    tests.mkdir(parents=True)
    (tests / 'hidden.py').write_text(TEST.format(stage=stage, points=points), encoding='utf-8')
    archive = Path(root) / stage / 'autograder.zip'
    done = subprocess.run([str(BIN / 'otter'), 'generate', '-t', str(tests), '--no-requirements',
                           '--no-environment', '--no-config', '-o', str(archive)],
                          cwd=Path(root) / stage, capture_output=True, text=True, env=_env())
    if done.returncode != 0 or not archive.exists():
        raise RuntimeError(f'otter generate {stage} failed:\n{done.stdout[-1500:]}'
                           f'{done.stderr[-1500:]}')
    return archive


def run(archive, notebook, out, max_score, wrap=None):
    """`otter run` on one notebook: its seconds and score (None when it gave none).
    `wrap` may prefix the command line (a CPU meter's cgroup)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    command = [str(BIN / 'otter'), 'run', '--no-logo', '-a', str(archive), '-o', str(out),
               str(notebook)]
    subprocess.run(wrap(command) if wrap else command, capture_output=True, env=_env(),
                   stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    try:
        results = json.loads((out / 'results.json').read_text(encoding='utf-8'))
    except (OSError, ValueError):
        return Run(seconds, None, max_score)
    scored = [t for t in results.get('tests', []) if 'score' in t]
    score = sum(t['score'] for t in scored) if scored else None
    return Run(seconds, score, max_score)
