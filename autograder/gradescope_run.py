"""What Gradescope runs for each submission: grade the uploaded notebooks, write results.json.

Gradescope unpacks the autograder zip into /autograder/source, the student's upload
into /autograder/submission, runs /autograder/run_autograder and reads
/autograder/results/results.json. The root is $AUTOGRADER_ROOT when set (a dry run on
another machine), else /autograder. source/gradescope.json names the stages of this
assignment and the tests' visibility (written by autograder/gradescope_zip.py).

The student may upload any notebook file names: with one stage, the one notebook is
graded whatever its name; with several, each notebook goes to the stage named in its
file name, else to the stage whose exercise cells it has. Whatever goes wrong, a
results.json is written (a grader failure says so and is not the student's).
"""

import json
import os
import sys
import traceback
from pathlib import Path

from autograder import cells, course
from autograder.exporters.gradescope import dumps, student_results
from autograder.intake import NotebookProblem, exercise_ids, read_cells
from autograder.results import MISSING_NOTEBOOK, StageResult


def main(argv=None):
    root = Path(os.environ.get('AUTOGRADER_ROOT', '/autograder'))
    results_path = root / 'results' / 'results.json'
    results_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        settings = json.loads((root / 'source' / 'gradescope.json').read_text(encoding='utf-8'))
        results = grade_upload(root / 'submission', settings['stages'],
                               root / 'source' / 'solutions', settings['visibility'])
        code = 0
    except Exception:  # our bug: say so in the results, never blame the student
        trace = traceback.format_exc()
        print(trace, file=sys.stderr)
        results = {'score': 0.0, 'tests': [], 'visibility': 'visible',
                   'stdout_visibility': 'hidden',
                   'output': 'The grader itself failed on this submission (not your fault); '
                             'your instructor has been shown the error. Please tell them.'}
        code = 1
    results_path.write_text(dumps(results), encoding='utf-8')
    return code


def grade_upload(submission, stages, source_dir, visibility='visible'):
    """The results.json object for the notebooks uploaded in the folder submission."""
    from autograder.runner import run_stage  # the judge: pytest and the suites

    found = assign_notebooks(submission, stages, source_dir)
    uploaded = sorted(p.relative_to(submission).as_posix() for p in notebooks_in(submission))
    stage_results = []
    for stage in stages:
        notebook = found.get(stage)
        if notebook is None:
            names = ', '.join(uploaded) or 'no notebook at all'
            result = StageResult(stage, MISSING_NOTEBOOK, 0.0,
                                 float(course.stage(stage).max_score),
                                 message=f'No notebook for {stage} was found in your upload '
                                         f'({names}). Upload {stage}.ipynb.')
        else:
            result = run_stage(stage, notebook, source_dir=source_dir)
        stage_results.append((stage, result))
    return student_results('submission', stage_results, visibility=visibility)


def notebooks_in(folder):
    return sorted(p for p in Path(folder).rglob('*.ipynb')
                  if p.is_file() and '.ipynb_checkpoints' not in p.parts)


def assign_notebooks(submission, stages, source_dir):
    """{stage: notebook path} for the notebooks uploaded, as the module docstring says."""
    notebooks = notebooks_in(submission)
    if len(stages) == 1:
        named = [p for p in notebooks if p.stem == stages[0]]
        if len(notebooks) == 1 or len(named) == 1:
            return {stages[0]: (named or notebooks)[0]}
        return _by_content(notebooks, stages, source_dir)
    found = {}
    for stage in stages:
        named = [p for p in notebooks if stage in p.name]
        if len(named) == 1:
            found[stage] = named[0]
    rest = [p for p in notebooks if p not in found.values()]
    for stage, path in _by_content(rest, [s for s in stages if s not in found],
                                   source_dir).items():
        found[stage] = path
    return found


def _by_content(notebooks, stages, source_dir):
    """{stage: notebook} for notebooks holding exactly one stage's exercise cells."""
    wanted = {stage: set(exercise_ids(read_cells(course.stage(stage).notebook(source_dir),
                                                 whose='the source')))
              for stage in stages}
    found = {}
    for path in notebooks:
        try:
            ids = {cells.grade_id(cell) for cell in read_cells(path)}
        except NotebookProblem:
            continue
        matches = [stage for stage, exercise in wanted.items() if exercise & ids]
        if len(matches) == 1 and matches[0] not in found:
            found[matches[0]] = path
    return found


if __name__ == '__main__':
    sys.exit(main())
