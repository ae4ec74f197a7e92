"""Reading and running the course notebooks, for tests/test_lessons.py and tests/test_given.py.

The cell kinds follow the contract in solutions/README.md, read by autograder.cells.
"""

from pathlib import Path

import nbclient
import nbformat

from autograder import cells
from autograder.cells import (  # noqa: F401  (re-exported for the tests)
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    STUB,
    region_lines,
    release_source,
    solution_lines,
)

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / 'solutions'
LESSONS = ROOT / 'lessons'


def source_path(stage):
    return SOLUTIONS / stage / f'{stage}.ipynb'


def lesson_path(stage):
    return LESSONS / stage / f'{stage}.ipynb'


def read(path):
    return nbformat.read(path, as_version=4)


def grading(cell):
    return cells.nbgrader(cell)


def kind(cell):
    """'markdown', 'given', 'exercise', 'test', 'hidden' or 'demo' (autograder.cells.kind)."""
    return cells.kind(cell)


def execute(nb, workdir, allow_errors=False, env=None, timeout=600):
    """Run nb top to bottom in a fresh python3 kernel (the venv's), in workdir; return nb."""
    client = nbclient.NotebookClient(
        nb, kernel_name='python3', timeout=timeout, allow_errors=allow_errors,
        resources={'metadata': {'path': str(workdir)}})
    client.execute(**({'env': env} if env is not None else {}))
    return nb


def errors(cell):
    """(ename, evalue) of every error output of an executed code cell."""
    return [(out.ename, out.evalue) for out in cell.get('outputs', [])
            if out.output_type == 'error']


def text_output(cell):
    return ''.join(out.get('text', '') for out in cell.get('outputs', [])
                   if out.output_type == 'stream')


def module_source(stage):
    """The solution's stage module, built by the autograder's own extraction."""
    try:
        from autograder.intake import stage_cells
    except ImportError:          # before the grader's notebook reader was renamed
        from autograder.intake import stage_cells

    module = stage_cells(stage, source_path(stage), source_dir=SOLUTIONS)
    return '\n\n'.join(cell.source for cell in module)
