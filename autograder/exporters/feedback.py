"""Per-student feedback for one stage: an HTML page and its Markdown twin.

Written for the learner: when one catalogued mistake explains the failures, a lead
message naming it and its fix, with the failing tests marked as its consequences; then
each test with pass/fail, points and the message that names the behaviour; the picture
of the smallest failing graph inline in the HTML; and, when the stage could not be
graded, what went wrong and what to do about it.
Written as feedback/<student>/<stage>.html and .md.
"""

import re
from pathlib import Path

from autograder.exporters.html import escape, inline_svg, page
from autograder.policy import NO_CONTEXT
from autograder.results import (
    CRASHED,
    GRADED,
    GRADER_ERROR,
    IMPORT_ERROR,
    MALFORMED_NOTEBOOK,
    MISSING_NOTEBOOK,
    ROLE_NOTES,
    SYNTAX_ERROR,
    TIMEOUT,
    format_points,
)

NAME = 'feedback'
DESCRIPTION = 'per-student feedback, one HTML page and one Markdown file per stage'

# What each non-graded status means, and what the learner can do about it.
STATUS_EXPLANATIONS = {
    MISSING_NOTEBOOK:
        'No notebook was handed in for this stage, so it scores 0. '
        'Hand in the stage notebook (the .ipynb file) in the stage folder.',
    MALFORMED_NOTEBOOK:
        'Your notebook could not be read as a Jupyter notebook, so no test ran. '
        'Open it in Jupyter, check that it loads and that the exercise cells '
        'are still there, save it and hand it in again.',
    SYNTAX_ERROR:
        'Your code has a syntax error, so Python could not run any of it and no test ran. '
        'Run every cell of the notebook: Python points at the line to fix.',
    IMPORT_ERROR:
        'Running your cells raised an error before any test could start, so no test ran. '
        'Restart the kernel and run all cells: the first error is the one to fix.',
    TIMEOUT:
        'Your code ran longer than the time allowed, so grading was stopped. '
        'Look for a loop that never ends (for example in backward or train).',
    CRASHED:
        'Your code stopped the process that runs it (sys.exit, os._exit, running out of '
        'memory, ...), so grading could not finish. Code in the exercise cells must '
        'never exit Python.',
    GRADER_ERROR:
        'The grader itself failed on this stage. This is not your fault: your '
        'instructor will grade it again.',
}


def explain(result):
    """The learner-facing explanation of a non-graded result (empty when it was graded)."""
    if result.status == GRADED:
        return ''
    general = STATUS_EXPLANATIONS.get(result.status,
                                      f'This stage was not graded ({result.status}).')
    return f'{general}\n\n{result.message}'.strip() if result.message else general


def export(results, out, context=NO_CONTEXT):
    """Write feedback/<student>/<stage>.html and .md for every result; return the paths."""
    written = []
    for student, stage, result in results:
        folder = Path(out) / 'feedback' / student
        folder.mkdir(parents=True, exist_ok=True)
        grade = context.grade(student, stage, result)
        for path, text in ((folder / f'{stage}.html', render_html(student, result, grade)),
                           (folder / f'{stage}.md', render_markdown(student, result, grade))):
            path.write_text(text, encoding='utf-8')
            written.append(path)
    return written


def recorded(grade):
    """The line that says why the grade recorded differs from what the code earned
    (late days, an instructor's override), or '' when it does not."""
    if grade is None or not grade.note:
        return ''
    return (f'Grade recorded: {format_points(grade.score)} / {format_points(grade.max_score)}'
            f' ({grade.note}); the tests gave {format_points(grade.raw)}.')


def render_markdown(student, result, grade=None):
    lines = [f'# {result.stage}: feedback for {student}', '',
             f'**Score: {format_points(result.score)} / {format_points(result.max_score)}**'
             f' (status: `{result.status}`)', '']
    if recorded(grade):
        lines += [f'**{recorded(grade)}**', '']
    if result.status != GRADED:
        lines += [_quote(explain(result)), '']
    diagnosis = result.diagnosis
    if diagnosis:
        # fenced, as the tests' messages are: `a**n` in a summary is not Markdown emphasis
        lines += ['**Diagnosis**', '', '```text', diagnosis.message(), '',
                  diagnosis.consequences(), '```', '']
    if result.tests:
        passed = sum(t.passed for t in result.tests)
        lines += [f'{passed} of {len(result.tests)} tests passed.', '']
    for test in result.tests:
        mark = 'passed' if test.passed else 'FAILED'
        role = diagnosis.role(test.name) if diagnosis else None
        if role:
            mark += f' ({ROLE_NOTES[role]})'
        lines.append(f'- **{test.name}**: {mark}, '
                     f'{format_points(test.points)} / {format_points(test.max_points)} points')
        if test.feedback:  # fenced: feedback such as `a**3` is not Markdown emphasis
            fence = _fence(test.feedback)
            lines += ['', f'  {fence}text', _indent(test.feedback, '  '), f'  {fence}', '']
        if test.figure_svg:
            lines += ['  (the HTML feedback shows a picture of this graph)', '']
    if result.confinement:      # how it was graded: a footnote, after what the learner must read
        lines += ['', f'Sandbox confinement: `{result.confinement}`.']
    return '\n'.join(lines).rstrip() + '\n'


def _fence(text):
    """A backtick fence longer than any run of backticks in text, so text cannot close it."""
    longest = max((len(run) for run in re.findall('`+', text)), default=0)
    return '`' * max(3, longest + 1)


def render_html(student, result, grade=None):
    title = f'{result.stage}: feedback for {student}'
    parts = [f'<h1>{escape(title)}</h1>',
             f'<p class="score">Score: <b>{format_points(result.score)} / '
             f'{format_points(result.max_score)}</b> '
             f'(status: <code>{escape(result.status)}</code>)</p>']
    if recorded(grade):
        parts.append(f'<p class="score recorded"><b>{escape(recorded(grade))}</b></p>')
    if result.status != GRADED:
        parts.append(f'<div class="status feedback">{escape(explain(result))}</div>')
    diagnosis = result.diagnosis
    if diagnosis:
        parts.append(f'<div class="diagnosis"><p><b>{escape(diagnosis.message())}</b></p>'
                     f'<p>{escape(diagnosis.consequences())}</p></div>')
    if result.tests:
        passed = sum(t.passed for t in result.tests)
        parts.append(f'<p>{passed} of {len(result.tests)} tests passed.</p>')
        parts.append('<table><tr><th>test</th><th>result</th><th>points</th></tr>')
        for test in result.tests:
            mark = '<span class="pass">passed</span>' if test.passed \
                else f'<a class="fail" href="#{escape(test.name)}">failed</a>'
            role = diagnosis.role(test.name) if diagnosis else None
            if role:
                mark += f' ({escape(ROLE_NOTES[role])})'
            parts.append(
                f'<tr><td><code>{escape(test.name)}</code></td><td>{mark}</td>'
                f'<td>{format_points(test.points)} / {format_points(test.max_points)}</td></tr>')
        parts.append('</table>')
    failed = [t for t in result.tests if not t.passed]
    if failed:
        parts.append('<h2>What went wrong</h2>')
    for test in failed:
        points = f'{format_points(test.points)} of {format_points(test.max_points)} points'
        parts.append(f'<section id="{escape(test.name)}">'
                     f'<h3><code>{escape(test.name)}</code> ({points})</h3>'
                     f'<p class="feedback">{escape(test.feedback)}</p>')
        if test.figure_svg:
            parts.append(f'<figure>{inline_svg(test.figure_svg)}<figcaption>The graph of this '
                         'example, with your values and the expected ones.</figcaption></figure>')
        parts.append('</section>')
    if result.confinement:      # how it was graded: a footnote, after what the learner must read
        parts.append(f'<p>Sandbox confinement: <code>{escape(result.confinement)}</code>.</p>')
    return page(title, '\n'.join(parts))


def _indent(text, prefix):
    return '\n'.join(prefix + line if line else '' for line in text.splitlines())


def _quote(text):
    return '\n'.join('> ' + line if line else '>' for line in text.splitlines())
