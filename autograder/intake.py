"""Intake: from a handed-in notebook to the stage module (the source's given cells plus the
learner's exercise cells).

The module is a list of cells `(label, source)`, executed in order in one namespace
by the sandbox worker. Given cells always come from the *source* notebook, so a
learner cannot change the scaffolding and an earlier stage's bug never follows
them into a later stage. Exercise cells are matched by their nbgrader `grade_id`.
"""

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path

from autograder import cells as contract
from autograder.results import MALFORMED_NOTEBOOK, MISSING_NOTEBOOK, SYNTAX_ERROR


class NotebookProblem(Exception):
    """The notebook cannot become a module: `status` says why, `message` tells the learner."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Cell:
    label: str        # 'given cell 3' or "your cell 'ops-add'", used in messages
    source: str
    exercise: bool


def source_notebook_path(stage, source_dir):
    return Path(source_dir) / stage / f'{stage}.ipynb'


MAX_NOTEBOOK_BYTES = 32 * 1024 ** 2   # a course notebook is well under 1 MB


def read_cells(path, *, whose='your'):
    """The code and markdown cells of a notebook file, as plain dicts (nbformat 4 only).

    A learner's notebook is never trusted: a symbolic link is refused (it could point at
    the instructor's solution or a classmate's work), its size is capped, and nesting too
    deep for the JSON parser is a malformed notebook, not a grader error.
    """
    path = Path(path)
    if whose == 'your' and path.is_symlink():
        raise NotebookProblem(MALFORMED_NOTEBOOK, f'{whose} notebook {path.name} is a symbolic '
                              'link; hand in the notebook file itself')
    if not path.is_file():
        raise NotebookProblem(MISSING_NOTEBOOK, f'no notebook at {path}')
    try:
        with open(path, 'rb', opener=_no_follow if whose == 'your' else None) as file:
            data = file.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as error:
        raise NotebookProblem(MALFORMED_NOTEBOOK,
                              f'{whose} notebook {path.name} cannot be read ({error.strerror})'
                              ) from None
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise NotebookProblem(MALFORMED_NOTEBOOK, f'{whose} notebook {path.name} is larger than '
                              f'{MAX_NOTEBOOK_BYTES // 1024 ** 2} MB; clear its outputs')
    try:
        notebook = json.loads(data.decode('utf-8'))
    except RecursionError:
        raise NotebookProblem(MALFORMED_NOTEBOOK, f'{whose} notebook {path.name} is nested too '
                              'deeply to be a notebook') from None
    except (UnicodeDecodeError, ValueError) as error:
        raise NotebookProblem(
            MALFORMED_NOTEBOOK,
            f'{whose} notebook {path.name} is not valid notebook JSON ({error}); '
            'download a fresh copy of the lesson and paste your code back in') from None
    if not isinstance(notebook, dict) or notebook.get('nbformat') != 4 \
            or not isinstance(notebook.get('cells'), list):
        raise NotebookProblem(
            MALFORMED_NOTEBOOK,
            f'{whose} notebook {path.name} is not an nbformat 4 notebook with a list of cells')
    cells = [cell for cell in notebook['cells'] if isinstance(cell, dict)]
    for cell in cells:
        try:
            cell['source'] = contract.source(cell)
        except TypeError:
            raise NotebookProblem(
                MALFORMED_NOTEBOOK, f'{whose} notebook {path.name} has a cell whose source '
                'is not text') from None
    return cells


def _no_follow(path, flags):
    return os.open(path, flags | getattr(os, 'O_NOFOLLOW', 0))


def _without_magics(source):
    """IPython-only lines (%magic, !shell) become `pass`, keeping the indentation."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(('%', '!')):
            line = line[:len(line) - len(stripped)] + 'pass  # ' + stripped
        lines.append(line)
    return '\n'.join(lines) + '\n'


def exercise_ids(source_cells):
    return [contract.grade_id(cell) for cell in source_cells if contract.is_exercise(cell)]


def stage_cells(stage, notebook_path, *, source_dir):
    """The module cells for `stage`: raises NotebookProblem for anything the learner must fix."""
    source = source_notebook_path(stage, source_dir)
    if not source.is_file():     # the grader's setup, not the learner's notebook, is wrong
        raise FileNotFoundError(f'the source notebook of stage {stage} is missing: {source}')
    try:
        stat = source.stat()
        source_cells = _source_cells(str(source), stat.st_mtime_ns, stat.st_size)
    except NotebookProblem as problem:   # likewise: never blame the learner for our notebook
        raise ValueError(f'the source notebook of stage {stage} is unusable: {problem}') from None
    student_cells = read_cells(notebook_path)
    answers = {}
    for cell in student_cells:
        grade_id = contract.grade_id(cell)
        if contract.is_code(cell) and grade_id and grade_id not in answers:
            answers[grade_id] = cell['source']

    missing = [gid for gid in exercise_ids(source_cells) if gid not in answers]
    if missing:
        raise NotebookProblem(
            MALFORMED_NOTEBOOK,
            f"your notebook has no exercise cell {', '.join(repr(m) for m in missing)} "
            '(deleted, or its metadata changed); download a fresh copy of the lesson '
            'and paste your code back into its exercise cells')

    cells = []
    for number, cell in enumerate(source_cells, start=1):
        if contract.is_given(cell):
            cells.append(Cell(f'given cell {number}', _without_magics(cell['source']), False))
        elif contract.is_exercise(cell):
            grade_id = contract.grade_id(cell)
            cells.append(Cell(f"your cell '{grade_id}'", _without_magics(answers[grade_id]), True))
    for cell in cells:
        if cell.exercise:
            _check_syntax(cell)
        else:                   # the same given cells in every submission: parsed once
            _check_given(cell)
    return cells


@functools.lru_cache(maxsize=32)
def _source_cells(path, mtime_ns, size):
    """The cells of a source notebook, read once per process while the file is unchanged
    (read-only: callers never change them)."""
    return read_cells(Path(path), whose='the source')


@functools.lru_cache(maxsize=256)
def _check_given(cell):
    _check_syntax(cell)


def _check_syntax(cell):
    # compile() only parses: nothing of the learner's code runs in this process.
    try:
        compile(cell.source, cell.label, 'exec', dont_inherit=True)
    except SyntaxError as error:
        raise NotebookProblem(
            SYNTAX_ERROR,
            f'{error.__class__.__name__} in {cell.label}, line {error.lineno}: {error.msg}'
            + (f'\n    {error.text.strip()}' if error.text else '')) from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise NotebookProblem(
            SYNTAX_ERROR, f'{cell.label} cannot be compiled: {error}') from None


def module_text(cells):
    """The stage module as one readable Python text (for people; the worker runs cells)."""
    return ''.join(f'# ---- {cell.label} ----\n{cell.source}\n' for cell in cells)
