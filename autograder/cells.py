"""The cell contract: what each cell of a course notebook is, read from its nbgrader metadata.

The one reader of cell kinds for the grader, the release, the bug catalogue, the
sample class and the tests (solutions/README.md explains the contract to authors).
Cells are plain dicts (json) or nbformat nodes; nothing here trusts their shape:
metadata that is not a mapping counts as absent, a grade_id that is not text as none.

    markdown / raw   prose
    given            locked code tagged `given`: earlier stages' reference code and scaffolding
    exercise         `solution: true`, not graded: the learner's code, matched by grade_id
    test             a visible check (`grade: true`, grade_id `test-...`)
    hidden           the stage's hidden test cell (grade_id `hidden-<stage>`)
    demo             any other code cell: drawings, plots, printing, the grader check
"""

import re

BEGIN_SOLUTION, END_SOLUTION = '### BEGIN SOLUTION', '### END SOLUTION'
BEGIN_HIDDEN, END_HIDDEN = '### BEGIN HIDDEN TESTS', '### END HIDDEN TESTS'
STUB = ('# YOUR CODE HERE', 'raise NotImplementedError()')   # nbgrader_config.py's code stub
HIDDEN_PREFIX = 'hidden-'


def _mapping(value):
    return value if isinstance(value, dict) else {}


def metadata(cell):
    return _mapping(cell.get('metadata')) if isinstance(cell, dict) else {}


def nbgrader(cell):
    """The cell's nbgrader metadata, {} when absent or not a mapping."""
    return _mapping(metadata(cell).get('nbgrader'))


def grade_id(cell):
    """The cell's grade_id, or None when it has none (or one that is not text)."""
    value = nbgrader(cell).get('grade_id')
    return value if isinstance(value, str) and value else None


def tags(cell):
    value = metadata(cell).get('tags')
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def source(cell):
    """The cell's text: nbformat allows a string or a list of lines. TypeError otherwise."""
    text = cell.get('source', '') if isinstance(cell, dict) else None
    if isinstance(text, list) and all(isinstance(line, str) for line in text):
        return ''.join(text)
    if not isinstance(text, str):
        raise TypeError('cell source is neither text nor a list of lines')
    return text


def is_code(cell):
    return isinstance(cell, dict) and cell.get('cell_type') == 'code'


def is_given(cell):
    return is_code(cell) and nbgrader(cell).get('locked') is True and 'given' in tags(cell)


def is_exercise(cell):
    meta = nbgrader(cell)
    return is_code(cell) and meta.get('solution') is True and not meta.get('grade')


def is_hidden(cell):
    return is_code(cell) and bool(nbgrader(cell).get('grade')) \
        and (grade_id(cell) or '').startswith(HIDDEN_PREFIX)


def kind(cell):
    """'markdown', 'raw', 'given', 'exercise', 'test', 'hidden' or 'demo'."""
    if not is_code(cell):
        return cell.get('cell_type') if isinstance(cell, dict) else None
    if is_given(cell):
        return 'given'
    if is_exercise(cell):
        return 'exercise'
    if is_hidden(cell):
        return 'hidden'
    if nbgrader(cell).get('grade'):
        return 'test'
    return 'demo'


def hidden_id(stage_id):
    return f'{HIDDEN_PREFIX}{stage_id}'


def region_lines(text, begin, end):
    """The lines strictly between each begin marker and the next end marker."""
    inside, lines = False, []
    for line in text.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            lines.append(line)
    return lines


def solution_lines(text):
    return region_lines(text, BEGIN_SOLUTION, END_SOLUTION)


def release_source(text):
    """What nbgrader makes of a source cell: solution regions replaced by the indented
    stub, hidden-test regions dropped (our own statement of its rules, for the tests)."""
    out, skipping = [], False
    for line in text.split('\n'):
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


def without_solution_markers(text):
    """The solution's text with the BEGIN/END SOLUTION marker lines removed."""
    return re.sub(r'^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n', '', text, flags=re.M)
