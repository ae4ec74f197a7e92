"""The hidden check in the browser: the check worker that a lesson's check cell starts.

    lite/check/check-worker.js     one Web Worker, two Pyodide interpreters (see its header)

`install(assets)` copies it to ASSETS/check/, beside lite/assets.py's index.json, which
the worker reads (../index.json) to find Pyodide and the wheels of the "check" group.
"""

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = ('check-worker.js',)
FOLDER = 'check'          # under the assets folder: ASSETS/check/check-worker.js
WORKER = f'{FOLDER}/check-worker.js'


def install(assets):
    """Copy the check worker into the assets folder (lite/assets.py's layout)."""
    target = Path(assets, FOLDER)
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(HERE / name, target / name)
    return target / FILES[0]
