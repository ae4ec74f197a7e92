"""MkDocs hook: the check worker of the browser course, after docs/hooks/lite.py built it.

lite/check/check-worker.js goes beside the deployment's assets (site/lite/assets/check/),
where the lessons' check cell starts it (autograder/in_notebook.py).
"""

import sys
from pathlib import Path

from autograder import course

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))   # the lite package
from lite import build as lite_build  # noqa: E402
from lite import check  # noqa: E402


def on_post_build(config):
    assets = Path(config.site_dir) / course.LITE / lite_build.ASSETS
    if assets.is_dir():
        check.install(assets)
