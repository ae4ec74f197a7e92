"""Reading and running the course notebooks, for tests/test_lessons.py.

The cell kinds follow the contract in solutions/README.md.
"""

import re
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / 'solutions'
LESSONS = ROOT / 'lessons'

BEGIN_SOLUTION, END_SOLUTION = '### BEGIN SOLUTION', '### END SOLUTION'
BEGIN_HIDDEN, END_HIDDEN = '### BEGIN HIDDEN TESTS', '### END HIDDEN TESTS'
STUB = ('# YOUR CODE HERE', 'raise NotImplementedError()')


def source_path(stage):
    return SOLUTIONS / stage / f'{stage}.ipynb'


def lesson_path(stage):
    return LESSONS / stage / f'{stage}.ipynb'


def read(path):
    return nbformat.read(path, as_version=4)


def grading(cell):
    return cell.metadata.get('nbgrader', {})


def kind(cell):
    """'markdown', 'given', 'exercise', 'test', 'hidden' or 'demo' (see solutions/README.md)."""
    if cell.cell_type != 'code':
        return cell.cell_type
    meta = grading(cell)
    if 'given' in cell.metadata.get('tags', []):
        return 'given'
    if meta.get('solution'):
        return 'exercise'
    if meta.get('grade'):
        return 'hidden' if meta.get('grade_id', '').startswith('hidden-') else 'test'
    return 'demo'


def region_lines(source, begin, end):
    """The lines strictly between each begin marker and the next end marker."""
    inside, lines = False, []
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            lines.append(line)
    return lines


def release_source(source):
    """What nbgrader should make of a source cell: solution regions replaced by the
    indented stub, hidden-test regions dropped (our own rendering of its rules)."""
    out, skipping = [], False
    for line in source.split('\n'):
        if BEGIN_SOLUTION in line:
            indent = re.match(r'\s*', line).group(0)
            out.extend(indent + stub for stub in STUB)
            skipping = True
        elif BEGIN_HIDDEN in line:
            skipping = True
        elif END_SOLUTION in line or END_HIDDEN in line:
            skipping = False
        elif not skipping:
            out.append(line)
    return '\n'.join(out)


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
    from autograder.notebook import stage_cells

    cells = stage_cells(stage, source_path(stage), source_dir=SOLUTIONS)
    return '\n\n'.join(cell.source for cell in cells)
