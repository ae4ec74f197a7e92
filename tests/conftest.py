"""Shared by the project's tests: the stages come from the course manifest, never a list here.

A test that takes an argument named `stage` runs once for every stage of
autograder/course.py (unless it parametrizes `stage` itself). The fixture `site` is the
course website (the browser course in site/lite/ included), built once per test run.
"""

import fcntl
import os

import pytest
from site_helpers import mkdocs_build

from autograder import course


def pytest_generate_tests(metafunc):
    if 'stage' not in metafunc.fixturenames:
        return
    chosen = [m for m in metafunc.definition.iter_markers('parametrize')
              if 'stage' in str(m.args[0]).replace(' ', '').split(',')]
    if not chosen:
        metafunc.parametrize('stage', course.STAGE_IDS)


@pytest.fixture(scope='session')
def site(tmp_path_factory):
    """The site built with `mkdocs build --strict`, once for all workers of this run."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get('PYTEST_XDIST_WORKER'):
        shared = shared.parent            # the folder all workers of this run share
    site_dir = shared / 'site'
    with open(shared / 'site.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (site_dir / 'index.html').exists():
            build = mkdocs_build(course.REPO_ROOT / 'mkdocs.yml', site_dir)
            assert build.returncode == 0, build.stdout + build.stderr
    return site_dir
