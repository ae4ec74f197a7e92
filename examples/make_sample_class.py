"""Make the sample class: a small set of hand-ins in nbgrader's submitted layout.

    python examples/make_sample_class.py            # writes examples/submitted/

Every notebook starts from the released lesson (lessons/<stage>/<stage>.ipynb, what a
learner really receives) with the exercise cells filled in from the instructor's
solutions (solutions/<stage>/<stage>.ipynb); then each student changes it in their own
way. The output is deterministic, so the committed class can be checked against it.

    ada    every stage right
    ben    04-backward: assigns gradients (=) instead of accumulating them (+=)
    cleo   04-backward: the derivative of x**n without the -1 (n * x**n)
    dan    05-neuron: the bias is missing from Neuron.parameters()
    eve    07-mlp: the nonlinearity is applied on the last layer too
    finn   handed in the untouched lessons
    gus    02-operations: a syntax error (a missing closing parenthesis)
    hana   03-graph: the notebook is not JSON (cut off half way)
    ivy    no 06-layer folder at all; an 08-training folder without a notebook
"""

import argparse
import json
import shutil
from pathlib import Path

from autograder import cells, course

ROOT = Path(__file__).resolve().parent.parent


# (student, stage, grade_id of the exercise cell, text to replace, its buggy version)
BUGS = [
    ('ben', '04-backward', 'backward-chain-rule',
     'operand.grad += local_grad * self.grad', 'operand.grad = local_grad * self.grad'),
    ('cleo', '04-backward', 'backward-pow',
     'self.data ** (exponent - 1)', 'self.data ** exponent'),
    ('dan', '05-neuron', 'neuron-parameters', 'return self.w + [self.b]', 'return self.w'),
    ('eve', '07-mlp', 'mlp-init', 'nonlin=i != len(nouts) - 1', 'nonlin=True'),
    ('gus', '02-operations', 'ops-add-mul',
     "(self, other), '+')", "(self, other), '+'"),
]
CORRECT = ['ada', 'ben', 'cleo', 'dan', 'eve', 'gus', 'hana', 'ivy']
UNTOUCHED = 'finn'
MALFORMED = ('hana', '03-graph')
MISSING_FOLDER = ('ivy', '06-layer')
EMPTY_FOLDER = ('ivy', '08-training')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', type=Path, default=ROOT / 'examples' / 'submitted')
    args = parser.parse_args(argv)
    make_class(args.out)
    print(f'sample class written to {args.out}')


def make_class(out):
    """Write the class into a fresh folder, then swap it in: a failure leaves `out` as it was."""
    staging = out.with_name(out.name + '.new')
    shutil.rmtree(staging, ignore_errors=True)
    write_class(staging)
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)


def write_class(out):
    stages = [stage.id for stage in course.STAGES]
    for stage in stages:
        lesson = read_notebook(course.stage(stage).notebook(ROOT / 'lessons'))
        solved = solve(lesson, read_notebook(course.stage(stage).notebook(ROOT / 'solutions')))
        for student in CORRECT:
            if (student, stage) in (MISSING_FOLDER, EMPTY_FOLDER):
                continue
            notebook = solved
            for who, where, grade_id, old, new in BUGS:
                if (who, where) == (student, stage):
                    notebook = introduce_bug(notebook, grade_id, old, new)
            path = out / student / stage / f'{stage}.ipynb'
            if (student, stage) == MALFORMED:
                text = dump(notebook)
                write(path, text[:len(text) // 2])   # as if the upload was cut off
            else:
                write(path, dump(notebook))
        write(out / UNTOUCHED / stage / f'{stage}.ipynb', dump(lesson))
    if EMPTY_FOLDER[1] in stages:
        write(out / EMPTY_FOLDER[0] / EMPTY_FOLDER[1] / 'notes.txt',
              'I ran out of time for this one.\n')


def solve(lesson, solution):
    """The lesson with every exercise cell as the solution wrote it (markers removed)."""
    answers = {cells.grade_id(c): cells.source(c) for c in solution['cells']
               if cells.is_exercise(c)}
    solved = json.loads(json.dumps(lesson))
    for cell in solved['cells']:
        if cells.is_exercise(cell):
            cell['source'] = cells.without_solution_markers(answers[cells.grade_id(cell)])
    return solved


def introduce_bug(notebook, grade_id, old, new):
    """A copy of notebook where exercise cell grade_id has `old` replaced by `new`, once."""
    changed = json.loads(json.dumps(notebook))
    for cell in changed['cells']:
        if cells.grade_id(cell) == grade_id:
            text = cells.source(cell)
            if text.count(old) != 1:
                raise SystemExit(f'cell {grade_id}: expected {old!r} exactly once; '
                                 'the solution changed, update BUGS')
            cell['source'] = text.replace(old, new)
            return changed
    raise SystemExit(f'no exercise cell {grade_id!r}; the solution changed, update BUGS')


def read_notebook(path):
    return json.loads(path.read_text(encoding='utf-8'))


def dump(notebook):
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + '\n'


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding='utf-8')


if __name__ == '__main__':
    main()
