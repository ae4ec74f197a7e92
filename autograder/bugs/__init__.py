"""A catalogue of typical honest mistakes, each made by editing one solution cell.

One module per stage (s01_value.py ... s08_training.py) holds that stage's `BUGS`;
`CATALOGUE` is all of them, in stage order. Used by the project's tests (each bug must
lose points in its own stage, with feedback that names it, and every bug a visible
check cell catches must lose points in the hidden suite), by the root-cause diagnosis
(`summary` and `fix` are what it tells the learner and the class report; a bug `same_as`
another is the same mistake written differently, named as the other) and by anyone
who needs realistic wrong submissions.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from autograder import cells, course


@dataclass(frozen=True)
class Bug:
    name: str
    stage: str
    cell: str          # grade_id of the exercise cell to edit
    old: str           # text in the solution cell ...
    new: str           # ... replaced by this (old=None: the whole cell becomes new)
    test: str          # the hidden test that must fail
    says: str          # a phrase its feedback must contain
    summary: str       # the mistake in a few words, for the class report
    fix: str           # one sentence: what to change
    same_as: str = None  # a catalogued bug that behaves the same on every input: one mistake,
    #                      diagnosed under that bug's name (it has no signature of its own)


def edit_cell(notebook, grade_id, old, new):
    """The notebook (a dict) with one cell's text edited; KeyError/ValueError if it can't be."""
    for cell in notebook['cells']:
        if cells.grade_id(cell) == grade_id:
            source = cells.source(cell)
            if old is None:
                cell['source'] = new
            elif old in source:
                cell['source'] = source.replace(old, new, 1)
            else:
                raise ValueError(f'{old!r} is not in cell {grade_id!r}')
            return notebook
    raise KeyError(f'no cell {grade_id!r}')


def write_buggy_notebook(bug, source_dir, path):
    """Write the stage's solution notebook with `bug` made in it to `path`."""
    source = course.stage(bug.stage).notebook(source_dir)
    notebook = edit_cell(json.loads(source.read_text(encoding='utf-8')), bug.cell, bug.old,
                         bug.new)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(notebook, indent=1), encoding='utf-8')
    return Path(path)


def _catalogue():
    from autograder.bugs import (
        s01_value,
        s02_operations,
        s03_graph,
        s04_backward,
        s05_neuron,
        s06_layer,
        s07_mlp,
        s08_training,
    )
    modules = (s01_value, s02_operations, s03_graph, s04_backward, s05_neuron, s06_layer,
               s07_mlp, s08_training)
    return [bug for module in modules for bug in module.BUGS]


CATALOGUE = _catalogue()
