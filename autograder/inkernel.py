"""The hidden suites inside a notebook's own kernel, for nbgrader's `autograde`.

A stage's hidden test cell calls `check_in_kernel(stage, globals())`: the same
probes run on the notebook's objects, in the kernel itself. That is nbgrader's
trust model (the learner's code and the tests share one process), so it can be
fooled by code that patches the tests; `autograder grade` and `check`, which run
learner code in a sandbox process, are the hardened path.
"""

from autograder.runner import run_in_kernel


def check_in_kernel(stage, namespace):
    """Run the stage's hidden suite on `namespace`; AssertionError naming every failure."""
    outcomes = run_in_kernel(stage, namespace)
    failed = [t for t in outcomes if not t.passed]
    for t in outcomes:
        print(f"{'PASS' if t.passed else 'FAIL'}  {t.name}  {t.points:g}/{t.max_points:g}")
    if failed:
        raise AssertionError('\n'.join(f'{t.name}: {t.feedback}' for t in failed))
    print(f'all {len(outcomes)} hidden tests of {stage} pass')
