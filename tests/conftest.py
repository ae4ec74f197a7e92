"""Shared by the project's tests: the stages come from the course manifest, never a list here.

A test that takes an argument named `stage` runs once for every stage of
autograder/course.py (unless it parametrizes `stage` itself).
"""

from autograder import course


def pytest_generate_tests(metafunc):
    if 'stage' not in metafunc.fixturenames:
        return
    chosen = [m for m in metafunc.definition.iter_markers('parametrize')
              if 'stage' in str(m.args[0]).replace(' ', '').split(',')]
    if not chosen:
        metafunc.parametrize('stage', course.STAGE_IDS)
