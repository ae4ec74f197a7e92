"""The hidden check in the browser: `autograder check` on a notebook's text, in the judge's
Pyodide interpreter (lite/check/check-worker.js calls check_json; the learner's code runs
in the other interpreter, across browser.BridgeWorker, which sandbox.Worker is there).
"""

import io
import json
import tempfile
import time
from pathlib import Path

from autograder import course, isolation


def local_only(stage):
    """The message for a stage the browser cannot check (the manifest's not_in_browser), or
    None: its module imports packages the browser course does not serve."""
    if not course.stage(stage).not_in_browser:
        return None
    return (f'{stage} needs numpy, scikit-learn and matplotlib, which the course in the browser '
            f'does not provide: check it on your computer with `autograder check {stage}` (see '
            'the README for the local install).')


def check(stage, notebook_text, timeout=None):
    """`autograder check STAGE` on a notebook's saved text, in this (the judge's) interpreter.

    A dict: 'text' (the report as the command prints it, the note on confinement first),
    'result' (check.json_report's object) and 'figures' ([name, svg] of failing graphs).
    """
    from autograder.check import json_report, report
    from autograder.in_notebook import source_dir
    from autograder.progress import terminal_text
    from autograder.runner import run_stage

    refused = local_only(stage)
    if refused:
        return {'text': refused, 'result': None, 'figures': []}
    note = io.StringIO()
    isolation.announce(note)
    with tempfile.TemporaryDirectory(prefix='autograder-check-') as scratch:
        notebook = Path(scratch, f'{stage}.ipynb')
        notebook.write_text(notebook_text, encoding='utf-8')
        source = source_dir(stage, notebook, scratch)
        started = time.monotonic()
        result = run_stage(stage, notebook, source_dir=source, timeout=timeout)
        seconds = time.monotonic() - started
        figures = Path(scratch, 'figures')
        figures.mkdir()
        lines = [line for line in report(result, seconds, figures) if str(figures) not in line]
        drawn = [[svg.stem[len(stage) + 1:], svg.read_text(encoding='utf-8')]
                 for svg in sorted(figures.glob('*.svg'))]
    return {'text': note.getvalue() + terminal_text('\n'.join(lines)),
            'result': json_report(result, seconds), 'figures': drawn}


def check_json(stage, notebook_text, timeout=None):
    """check() as JSON text: what check-worker.js posts back to the page."""
    return json.dumps(check(stage, notebook_text, timeout))
