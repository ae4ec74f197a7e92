"""Per-student feedback for one stage: an HTML page and its Markdown twin.

Written for the learner: each test with pass/fail, points and the message that names
the behaviour; the picture of the smallest failing graph inline in the HTML; and, when
the stage could not be graded, what went wrong and what to do about it.
"""

import html
import re

from autograder import results
from autograder.gradebook import format_points

# What each non-graded status means, and what the learner can do about it.
STATUS_EXPLANATIONS = {
    results.MISSING_NOTEBOOK:
        'No notebook was handed in for this stage, so it scores 0. '
        'Hand in the stage notebook (the .ipynb file) in the stage folder.',
    results.MALFORMED_NOTEBOOK:
        'Your notebook could not be read as a Jupyter notebook, so no test ran. '
        'Open it in Jupyter, check that it loads and that the exercise cells '
        'are still there, save it and hand it in again.',
    results.SYNTAX_ERROR:
        'Your code has a syntax error, so Python could not run any of it and no test ran. '
        'Run every cell of the notebook: Python points at the line to fix.',
    results.IMPORT_ERROR:
        'Running your cells raised an error before any test could start, so no test ran. '
        'Restart the kernel and run all cells: the first error is the one to fix.',
    results.TIMEOUT:
        'Your code ran longer than the time allowed, so grading was stopped. '
        'Look for a loop that never ends (for example in backward or train).',
    results.CRASHED:
        'Your code stopped the process that runs it (sys.exit, os._exit, running out of '
        'memory, ...), so grading could not finish. Code in the exercise cells must '
        'never exit Python.',
    results.GRADER_ERROR:
        'The grader itself failed on this stage. This is not your fault: your '
        'instructor will grade it again.',
}

CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; }
.score { font-size: 1.4rem; }
.status { padding: .8rem 1rem; background: #fff4e0; border-left: 4px solid #e69500; }
table { border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem;
         border-bottom: 1px solid #ddd; }
.pass { color: #1a7f37; font-weight: bold; }
.fail { color: #c62828; font-weight: bold; }
.feedback { white-space: pre-wrap; }
figure { margin: .6rem 0 1.4rem 0; overflow-x: auto; }
figcaption { color: #555; font-size: .9rem; }
section { border-top: 1px solid #ddd; }
"""


def explain(result):
    """The learner-facing explanation of a non-graded result (empty when it was graded)."""
    if result.status == results.GRADED:
        return ''
    general = STATUS_EXPLANATIONS.get(result.status,
                                      f'This stage was not graded ({result.status}).')
    return f'{general}\n\n{result.message}'.strip() if result.message else general


def render_markdown(student, result):
    lines = [f'# {result.stage}: feedback for {student}', '',
             f'**Score: {format_points(result.score)} / {format_points(result.max_score)}**'
             f' (status: `{result.status}`)', '']
    if result.status != results.GRADED:
        lines += [_quote(explain(result)), '']
    if result.tests:
        passed = sum(t.passed for t in result.tests)
        lines += [f'{passed} of {len(result.tests)} tests passed.', '']
    for test in result.tests:
        mark = 'passed' if test.passed else 'FAILED'
        lines.append(f'- **{test.name}**: {mark}, '
                     f'{format_points(test.points)} / {format_points(test.max_points)} points')
        if test.feedback:  # fenced: feedback such as `a**3` is not Markdown emphasis
            lines += ['', '  ```text', _indent(test.feedback, '  '), '  ```', '']
        if test.figure_svg:
            lines += ['  (the HTML feedback shows a picture of this graph)', '']
    return '\n'.join(lines).rstrip() + '\n'


def render_html(student, result):
    title = f'{result.stage}: feedback for {student}'
    parts = [f'<h1>{escape(title)}</h1>',
             f'<p class="score">Score: <b>{format_points(result.score)} / '
             f'{format_points(result.max_score)}</b> '
             f'(status: <code>{escape(result.status)}</code>)</p>']
    if result.status != results.GRADED:
        parts.append(f'<div class="status feedback">{escape(explain(result))}</div>')
    if result.tests:
        passed = sum(t.passed for t in result.tests)
        parts.append(f'<p>{passed} of {len(result.tests)} tests passed.</p>')
        parts.append('<table><tr><th>test</th><th>result</th><th>points</th></tr>')
        for test in result.tests:
            mark = '<span class="pass">passed</span>' if test.passed \
                else f'<a class="fail" href="#{escape(test.name)}">failed</a>'
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
    return page(title, '\n'.join(parts))


def page(title, body):
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<title>{escape(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n'
            f'</body></html>\n')


def inline_svg(svg):
    """An SVG document as an element to put inside HTML: no XML prolog, no scripts."""
    start = svg.find('<svg')
    svg = svg[start:] if start >= 0 else ''
    return re.sub(r'<script\b.*?</script\s*>', '', svg, flags=re.S | re.I)


def escape(text):
    return html.escape(str(text))


def _indent(text, prefix):
    return '\n'.join(prefix + line if line else '' for line in text.splitlines())


def _quote(text):
    return '\n'.join('> ' + line if line else '>' for line in text.splitlines())
