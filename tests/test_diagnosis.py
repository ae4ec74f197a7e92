"""Root-cause diagnosis: the probe sets, the bugs' signatures, matching, partial credit, feedback.

The measure of the issue: every catalogued bug, graded as a submission, must be named
correctly (>= 95% top-1) and no bug may ever be blamed for another's mistake.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from html import escape
from pathlib import Path

import pytest

from autograder import course, diagnosis
from autograder.bugs import CATALOGUE, write_buggy_notebook
from autograder.check import report
from autograder.diagnosis import signatures
from autograder.diagnosis.credit import CONSEQUENCE_SHARE, consequence_share, credited
from autograder.diagnosis.probe_sets import PROBE_SETS, view
from autograder.exporters import feedback, gradescope
from autograder.exporters import report as class_report
from autograder.gradebook import Gradebook
from autograder.results import GRADED, Diagnosis, StageResult
from autograder.results import TestOutcome as Outcome  # not collected by pytest
from autograder.runner import run_batch, submission
from autograder.worker.probes import PROBES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / 'examples' / 'submitted'
GOAL = 0.95


def bugs_of(stage):
    return [bug for bug in CATALOGUE if bug.stage == stage]


def accumulate_diagnosis():
    return Diagnosis('grad-assigned-not-accumulated', 'the gradient is assigned, not accumulated',
                     'Use operand.grad += local_grad * self.grad.',
                     ['backward-accumulate', 'backward-programs'], 'backward-accumulate',
                     CONSEQUENCE_SHARE)


def accumulate_result():
    tests = [Outcome('backward-pow', 2.0, 2.0, True),
             Outcome('backward-accumulate', 2.0, 0.0, False, 'a.grad is 3.0, expected 6.0'),
             Outcome('backward-programs', 4.0, 0.0, False, 'for b = a + a your a.grad is 1.0'),
             Outcome('backward-tanh', 1.0, 0.0, False, 'b.grad is 0.2, expected 0.8')]
    found = accumulate_diagnosis()
    tests = credited(tests, found)
    return StageResult('04-backward', GRADED, sum(t.points for t in tests), 9.0, tests,
                       diagnosis=found)


# -- the probe sets and the shipped signatures --------------------------------------------

def test_every_stage_has_a_probe_set_of_real_probes_with_deterministic_answers(stage):
    calls = PROBE_SETS[stage]
    assert len(calls) >= 5
    assert {probe for probe, _ in calls} <= set(PROBES)
    first = diagnosis.ask(diagnosis.reference(), stage)
    assert all(kind == 'ok' for kind, _ in first), 'the reference must answer every probe'
    assert first == diagnosis.ask(diagnosis.reference(), stage)


def test_the_shipped_signatures_belong_to_this_grader_version():
    stale = signatures.stale_stages()
    assert stale == [], f'run `python -m autograder.diagnosis` to regenerate {stale}'
    for stage in course.STAGE_IDS:
        assert set(signatures.for_stage(stage)) <= {bug.name for bug in bugs_of(stage)}


def test_a_stale_stage_has_no_signatures_and_names_no_mistake(monkeypatch):
    bug = next(b for b in CATALOGUE if b.name == 'grad-assigned-not-accumulated')
    answers = answers_of(bug)
    assert diagnosis.matching_bugs(bug.stage, answers) == [bug.name]
    monkeypatch.setattr(signatures, '_stored', lambda: {bug.stage: {'grader_version': 'old',
                                                                    'bugs': {}}})
    signatures.for_stage.cache_clear()
    try:
        assert signatures.for_stage(bug.stage) is None
        assert diagnosis.matching_bugs(bug.stage, answers) == []
    finally:
        signatures.for_stage.cache_clear()


def test_views_keep_the_facts_and_drop_what_may_rightly_differ():
    # A learner's trace may come back in another order; a drawing may name its nodes freely.
    a = {'nodes': [[2.0, '*'], [1.0, '']], 'edges': [[[1.0, ''], [2.0, '*']]], 'count': 2}
    b = {'nodes': [[1.0, ''], [2.0, '*']], 'edges': [[[1.0, ''], [2.0, '*']]], 'count': 2}
    assert view('trace', a) == view('trace', b)
    ours = ('digraph {\n\tv0 [label="{ alpha_in | data 1.0 }" shape=record]\n'
            '\tv1 [label="+" shape=circle]\n\tv1 -> v0\n}')
    theirs = ('digraph {\n\t140299 [label="+", shape=circle]\n'
              '\t140211 [label="{ alpha_in | data 1.0 }", shape=record]\n\t140299 -> 140211\n}')
    drawn = {'type': 'Digraph', 'rankdir': 'LR', 'count': 2}
    assert view('draw_dot', dict(drawn, source=ours, again=ours)) == \
        view('draw_dot', dict(drawn, source=theirs, again=theirs))
    assert view('draw_dot', dict(drawn, source=ours, again=ours)) != \
        view('draw_dot', dict(drawn, source=ours.replace('1.0', '1.00'), again=ours))
    assert view('trace', 'not a dict') == {'malformed': True}
    # Which valid topological order, or which exception message, is the learner's choice.
    program = {'inputs': [2.0], 'steps': [['mul', 0, 0], ['add', 1, 0]]}
    assert view('topological_order', {'orders': [[0, 1, 2]], 'count': 3}, {'program': program}) \
        != view('topological_order', {'orders': [[1, 0, 2]], 'count': 3}, {'program': program})
    assert view('refusals', [['ValueError', 'log of -1.0']]) == \
        view('refusals', [['ValueError', 'x must be positive']])
    assert view('refusals', [['ValueError', 'math domain error']]) != \
        view('refusals', [['ValueError', 'x must be positive']])
    # value_basics keeps the types: the lesson's grad starts at the float 0.0, not the int 0.
    basics = {'data': 2.0, 'prev': [1, 0], 'prev_type': 'tuple'}
    assert view('value_basics', dict(basics, grad=0)) != \
        view('value_basics', dict(basics, grad=0.0))
    assert view('value_basics', dict(basics, prev_type='set')) == \
        view('value_basics', dict(basics, prev=[0, 1], prev_type='set'))


def test_a_bug_the_same_as_another_names_a_catalogued_bug_of_its_stage_with_its_rule():
    bugs = {bug.name: bug for bug in CATALOGUE}
    twins = [bug for bug in CATALOGUE if bug.same_as]
    assert twins, 'the catalogue records the mistakes written two ways'
    for bug in twins:
        other = bugs[bug.same_as]
        assert other.stage == bug.stage and other.test == bug.test and not other.same_as
        assert bug.name not in signatures.for_stage(bug.stage)


# -- matching ------------------------------------------------------------------------------

def answers_of(bug, extra=None):
    """A submission's answers that differ from the reference exactly as bug's signature says."""
    answers = [list(a) for a in diagnosis.reference_answers(bug.stage)]
    for i, answer in signatures.for_stage(bug.stage)[bug.name]['differs'].items():
        answers[i] = answer
    for i, answer in (extra or {}).items():
        answers[i] = answer
    return answers


def test_each_signature_names_its_own_bug_and_no_other(stage):
    for name in signatures.for_stage(stage):
        bug = next(b for b in CATALOGUE if b.name == name)
        assert diagnosis.matching_bugs(stage, answers_of(bug)) == [name]


def test_an_extra_difference_or_two_mistakes_at_once_name_nothing():
    first, second = (next(b for b in CATALOGUE if b.name == name) for name in
                     ('pow-derivative-without-minus-one', 'relu-gradient-always-one'))
    untouched = next(i for i in range(len(PROBE_SETS['04-backward']))
                     if i not in signatures.for_stage('04-backward')[first.name]['differs'])
    assert diagnosis.matching_bugs('04-backward', answers_of(first, {
        untouched: ['error', 'ZeroDivisionError']})) == []
    both = answers_of(first, signatures.for_stage('04-backward')[second.name]['differs'])
    assert diagnosis.matching_bugs('04-backward', both) == []


def test_numbers_match_within_the_judge_s_tolerances_only():
    assert diagnosis.same([1.0, {'a': 2}], [1.0 + 1e-9, {'a': 2.0}])
    assert not diagnosis.same([1.0], [1.001])
    assert not diagnosis.same(True, 1) and not diagnosis.same('1', 1)
    assert not diagnosis.same([1.0], [1.0, 2.0])


def test_a_submission_like_the_reference_or_without_answers_gets_no_diagnosis():
    failed = [Outcome('backward-pow', 2.0, 0.0, False, 'x')]
    assert diagnosis.diagnose('04-backward', diagnosis.reference_answers('04-backward'),
                              failed) is None
    assert diagnosis.diagnose('04-backward', None, failed) is None


def test_ambiguity_names_nothing(monkeypatch):
    bug = next(b for b in CATALOGUE if b.name == 'pow-derivative-without-minus-one')
    known = dict(signatures.for_stage(bug.stage))
    known['a-twin'] = known[bug.name]
    monkeypatch.setattr(signatures, 'for_stage', lambda stage: known)
    failed = [Outcome('backward-pow', 2.0, 0.0, False, 'x')]
    assert sorted(diagnosis.matching_bugs(bug.stage, answers_of(bug))) == ['a-twin', bug.name]
    assert diagnosis.diagnose(bug.stage, answers_of(bug), failed) is None


def test_the_diagnostic_probes_are_asked_only_after_a_failure(tmp_path):
    bug = next(b for b in CATALOGUE if b.name == 'eq-by-data')
    right = submission(bug.stage, course.stage(bug.stage).notebook(course.SOLUTIONS))
    wrong = submission(bug.stage, write_buggy_notebook(bug, course.SOLUTIONS,
                                                       tmp_path / f'{bug.stage}.ipynb'))
    passed, failed = run_batch(bug.stage, [right, wrong])
    assert right.diagnostic_answers is None and passed.diagnosis is None
    assert len(wrong.diagnostic_answers) == len(PROBE_SETS[bug.stage])
    assert failed.diagnosis.bug == bug.name


# -- the measure over the catalogue --------------------------------------------------------

@pytest.mark.slow
def test_every_catalogued_bug_graded_as_a_submission_is_named_and_nothing_is_blamed(capsys):
    """Also checks the shipped signatures: regrading every bug gives the same ones."""
    named, wrong, lines, per_stage = 0, [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for stage in course.STAGE_IDS:
            bugs = bugs_of(stage)
            graded = [submission(stage, write_buggy_notebook(
                bug, course.SOLUTIONS, Path(folder, bug.name, f'{stage}.ipynb')), key=bug.name)
                for bug in bugs]
            results = run_batch(stage, graded)
            right = 0
            for bug, sub, result in zip(bugs, graded, results):
                expected = bug.same_as or bug.name
                found = result.diagnosis.bug if result.diagnosis else None
                right += found == expected
                if found not in (None, expected):
                    wrong.append((bug.name, found))
                # A bug the same as another must answer exactly as that one does.
                shipped = signatures.for_stage(stage).get(expected)
                if shipped is not None:
                    assert shipped['differs'] == diagnosis.differences(
                        stage, sub.diagnostic_answers), f'{bug.name}: regenerate the signatures'
                if found == expected:
                    assert result.diagnosis.explains and bug.test in result.diagnosis.explains
            named += right
            per_stage.append(right)
            lines.append(f'{stage}: {right}/{len(bugs)} named, '
                         f'{sum(w[0] in {b.name for b in bugs} for w in wrong)} wrong')
    with capsys.disabled():
        print('\ndiagnosis over the catalogue: ' + '; '.join(lines)
              + f'; total {named}/{len(CATALOGUE)} = {named / len(CATALOGUE):.1%}')
    assert wrong == []
    assert named / len(CATALOGUE) >= GOAL
    guide = (ROOT / 'docs' / 'grading.md').read_text(encoding='utf-8')
    row = next(line for line in guide.splitlines()
               if line.startswith('| of them named by the root-cause diagnosis'))
    assert [int(cell) for cell in row.strip('|').split('|')[1:-1]] == per_stage, \
        'update the grading guide\'s catalogue table'


# -- partial credit ------------------------------------------------------------------------

def test_a_diagnosed_mistake_costs_its_rule_and_a_share_of_its_consequences():
    result = accumulate_result()
    points = {t.name: t.points for t in result.tests}
    assert points == {'backward-pow': 2.0, 'backward-accumulate': 0.0,       # its rule: all
                      'backward-programs': 4.0 * CONSEQUENCE_SHARE,          # a consequence
                      'backward-tanh': 0.0}                                  # not explained
    assert result.score == 4.0
    assert not any(t.passed for t in result.tests[1:])
    assert credited(result.tests, None) == result.tests


def test_a_submission_that_passes_no_test_gets_no_partial_credit():
    failing = [Outcome('backward-accumulate', 2.0, 0.0, False, 'x'),
               Outcome('backward-programs', 4.0, 0.0, False, 'y')]
    assert consequence_share(failing) == 0.0
    found = accumulate_diagnosis()
    found.consequence_share = consequence_share(failing)
    assert [t.points for t in credited(failing, found)] == [0.0, 0.0]
    assert found.consequences().endswith('as no test of the stage passed, it changes no points.')
    assert consequence_share(failing + [Outcome('backward-pow', 2.0, 2.0, True)]) == \
        CONSEQUENCE_SHARE


@pytest.mark.parametrize('name', ['grad-assigned-not-accumulated', 'bias-missing-from-parameters'])
def test_partial_credit_end_to_end(name, tmp_path):
    bug = next(b for b in CATALOGUE if b.name == name)
    path = write_buggy_notebook(bug, course.SOLUTIONS, tmp_path / f'{bug.stage}.ipynb')
    result = run_batch(bug.stage, [submission(bug.stage, path)])[0]
    tests = {t.name: t for t in result.tests}
    assert result.diagnosis.rule_test == bug.test and tests[bug.test].points == 0
    for test in result.tests:
        if not test.passed and test.name != bug.test:
            assert test.points == CONSEQUENCE_SHARE * test.max_points, test.name
    assert result.score == sum(t.points for t in result.tests)


# -- results and what is rendered from them ------------------------------------------------

def test_a_diagnosis_round_trips_through_the_gradebook(tmp_path):
    result = accumulate_result()
    assert StageResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    with Gradebook(tmp_path / 'gb.sqlite') as book:
        book.record('ben', '04-backward', 'sha', 'v', result)
        assert book.results()[0][2] == result


def test_feedback_leads_with_the_mistake_then_its_consequences():
    result = accumulate_result()
    markdown = feedback.render_markdown('ben', result)
    lead = markdown.index('The mistake behind the failing tests: the gradient is assigned')
    assert lead < markdown.index('**backward-pow**')
    assert 'How to fix it: Use operand.grad += local_grad * self.grad.' in markdown
    assert '**backward-accumulate**: FAILED (the test of this rule), 0 / 2' in markdown
    assert '**backward-programs**: FAILED (a consequence of the mistake), 2 / 4' in markdown
    assert '**backward-tanh**: FAILED, 0 / 1' in markdown
    page = feedback.render_html('ben', result)
    assert page.index('class="diagnosis"') < page.index('<table>')
    assert 'a consequence of the mistake' in page
    lines = report(result, 1.0)
    assert lines[1].startswith('  The mistake behind the failing tests: the gradient is')
    assert 'The 2 failing tests below follow from this one mistake' in lines[2]
    assert '  FAIL  backward-programs  2/4  (a consequence of the mistake)' in lines


def test_without_a_diagnosis_the_feedback_is_as_before():
    result = accumulate_result()
    result.diagnosis = None
    assert 'mistake' not in feedback.render_markdown('ben', result)
    assert 'mistake' not in '\n'.join(report(result, 1.0))
    assert gradescope.student_results('ben', [('04-backward', result)])['output'].startswith(
        'ben: ')


def test_gradescope_output_leads_with_the_mistake_and_lists_the_tests_it_explains():
    output = gradescope.student_results('ben', [('04-backward', accumulate_result())])['output']
    assert output.startswith('04-backward: The mistake behind the failing tests: the gradient')
    assert '  - 04-backward: backward-programs (a consequence of the mistake)' in output
    assert output.index('backward-programs') < output.index('ben: 4 of 9 points')


def test_the_class_report_groups_students_by_mistake_and_stays_short():
    students = [f'student{i:03}' for i in range(40)]
    results = [(s, '04-backward', accumulate_result()) for s in students]
    page = class_report.render_report(results)
    assert '<b>40 students</b>' in page
    assert 'the gradient is assigned, not accumulated' in page
    assert 'student011 and 28 more' in page and 'student012' not in page.split(
        'Mistakes diagnosed')[1].split('</table>')[0]
    assert class_report.diagnosed_mistakes(results)[0][3] == students


# -- end to end ----------------------------------------------------------------------------

def test_autograder_check_leads_with_the_diagnosis():
    notebook = SAMPLE / 'cleo' / '04-backward' / '04-backward.ipynb'
    done = subprocess.run([sys.executable, '-m', 'autograder.cli', 'check', '04-backward',
                           str(notebook)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    lines = done.stdout.splitlines()
    assert done.returncode == 1
    bug = next(b for b in CATALOGUE if b.name == 'pow-derivative-without-minus-one')
    assert lines[1] == (f'  The mistake behind the failing tests: {bug.summary}. '
                        f'How to fix it: {bug.fix}')


SAMPLE_MISTAKES = {('ben', '04-backward'): 'grad-assigned-not-accumulated',
                   ('cleo', '04-backward'): 'pow-derivative-without-minus-one',
                   ('dan', '05-neuron'): 'bias-missing-from-parameters',
                   ('eve', '07-mlp'): 'nonlinear-last-layer'}


@pytest.mark.slow
def test_the_sample_class_feedback_leads_with_one_correct_diagnosis(tmp_path):
    submitted = tmp_path / 'submitted'
    for student in ('ada', 'ben', 'cleo', 'dan', 'eve'):
        shutil.copytree(SAMPLE / student, submitted / student)
    out = tmp_path / 'out'
    stages = sorted({stage for _, stage in SAMPLE_MISTAKES})
    done = subprocess.run([sys.executable, '-m', 'autograder.cli', 'grade', str(submitted),
                           '--out', str(out), '--jobs', '2', *(f'--stage={s}' for s in stages)],
                          capture_output=True, text=True, cwd=ROOT, timeout=1200,
                          env=dict(os.environ, PYTHONHASHSEED='0'))
    assert done.returncode == 0, done.stderr
    bugs = {bug.name: bug for bug in CATALOGUE}
    with Gradebook(out / 'gradebook.sqlite') as book:
        results = {(student, stage): result for student, stage, result in book.results()}
    for (student, stage), result in results.items():
        expected = SAMPLE_MISTAKES.get((student, stage))
        assert (result.diagnosis.bug if result.diagnosis else None) == expected
        if expected is None:
            continue
        bug = bugs[expected]
        markdown = (out / 'feedback' / student / f'{stage}.md').read_text()
        parts = markdown.split('\n\n')       # the title, the score, the confinement level ...
        lead = parts[parts.index('**Diagnosis**'):][:2]
        assert lead == ['**Diagnosis**', f'```text\nThe mistake behind the failing tests: '
                        f'{bug.summary}. How to fix it: {bug.fix}'], lead
        assert markdown.index('**Diagnosis**') < markdown.index(f'**{result.tests[0].name}**')
        assert markdown.count('The mistake behind') == 1
        html = (out / 'feedback' / student / f'{stage}.html').read_text()
        assert html.index(escape(bug.summary)) < html.index('What went wrong')
        output = json.loads((out / 'gradescope' / student / 'results.json').read_text())['output']
        assert output.startswith(f'{stage}: The mistake behind the failing tests: {bug.summary}')
        assert 0 < result.score < result.max_score
    page = (out / 'report.html').read_text()
    for name in SAMPLE_MISTAKES.values():
        assert escape(bugs[name].summary) in page


# Written by hand, not from the catalogue: mistakes near a catalogued one, or two at once. Each
# loses points; none may be blamed on a catalogued mistake that it is not.
NEAR_MISSES = {
    'pow-off-by-one-the-other-way': [('backward-pow', 'exponent * self.data ** (exponent - 1)',
                                      '(exponent - 1) * self.data ** exponent')],
    'tanh-derivative-forgets-the-square': [('backward-activations', 'local_grads = (1.0 - t * t,)',
                                            'local_grads = (1.0 - t,)')],
    'accumulate-and-pow-at-once': [
        ('backward-chain-rule', 'operand.grad += local_grad * self.grad',
         'operand.grad = local_grad * self.grad'),
        ('backward-pow', 'exponent * self.data ** (exponent - 1)',
         'exponent * self.data ** exponent')],
}


@pytest.mark.slow
def test_mistakes_outside_the_catalogue_lose_points_and_are_blamed_on_nothing(tmp_path):
    from autograder.bugs import edit_cell
    stage = '04-backward'
    source = json.loads(course.stage(stage).notebook(course.SOLUTIONS).read_text())
    graded = []
    for name, edits in NEAR_MISSES.items():
        notebook = json.loads(json.dumps(source))
        for cell, old, new in edits:
            edit_cell(notebook, cell, old, new)
        path = tmp_path / name / f'{stage}.ipynb'
        path.parent.mkdir()
        path.write_text(json.dumps(notebook))
        graded.append(submission(stage, path, key=name))
    for name, result in zip(NEAR_MISSES, run_batch(stage, graded)):
        assert result.status == GRADED and result.score < result.max_score, name
        assert result.diagnosis is None, (name, result.diagnosis)
