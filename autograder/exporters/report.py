"""The class report: one HTML page for the instructor, report.html, plots drawn by matplotlib.

It answers four questions: how are the scores spread in each stage, what went wrong
besides wrong answers (statuses), which mistakes the grader diagnosed and in how many
students (what to go over in class), and which tests (concepts) failed most often. The
plots are inline SVG, made reproducible (fixed hash salt, no date), so the same
gradebook always gives the same file. Figures are `matplotlib.figure.Figure` objects
saved straight to SVG: no pyplot, no global backend to choose.
"""

import io
from collections import Counter, defaultdict
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from autograder.exporters.html import escape, inline_svg, page
from autograder.policy import NO_CONTEXT
from autograder.results import GRADED, STATUSES, format_points

NAME = 'report'
DESCRIPTION = 'report.html, the class report for the instructor (scores, statuses, failed tests)'

MOST_FAILED_SHOWN = 15
DOTS_UP_TO = 60           # submissions per stage drawn as dots; more as a histogram strip
SCROLL = 'max-height: 36rem; overflow: auto'           # the student table's box, any class size
STICKY = ' style="position: sticky; top: 0; background: #fff"'
NAMES_SHOWN = 12      # students named per diagnosed mistake; the rest are counted
STATUS_COLOURS = {GRADED: '#4c72b0', 'missing_notebook': '#bbbbbb',
                  'malformed_notebook': '#dd8452', 'syntax_error': '#c44e52',
                  'import_error': '#8172b3', 'timeout': '#937860', 'crashed': '#da8bc3',
                  'grader_error': '#000000'}


def export(results, out, context=NO_CONTEXT):
    path = Path(out) / 'report.html'
    path.write_text(render_report(results), encoding='utf-8')
    return [path]


def render_report(results):
    """The report's HTML for results, a sorted list of (student, stage, StageResult)."""
    stages = sorted({stage for _, stage, _ in results})
    students = sorted({student for student, _, _ in results})
    by_stage = defaultdict(list)
    for _, stage, result in results:
        by_stage[stage].append(result)
    failures = most_failed_tests(results)

    parts = [f'<h1>Class report</h1><p>{len(students)} students, {len(stages)} stages, '
             f'{len(results)} submission-stages.</p>']
    if results:
        parts += ['<h2>Scores per stage</h2>', _svg(score_plot(stages, by_stage)),
                  _stage_table(stages, by_stage),
                  '<h2>What happened to each submission</h2>',
                  _svg(status_plot(stages, by_stage)),
                  '<h2>Mistakes diagnosed</h2>', _mistakes(results),
                  '<h2>Tests failed most often</h2>',
                  '<p>Share of graded submissions of the stage that failed each test: the '
                  'concepts to go over again in class.</p>']
        if failures:
            parts += [_svg(failure_plot(failures[:MOST_FAILED_SHOWN])), _failure_table(failures)]
        else:
            parts.append('<p>No test failed.</p>')
        parts += ['<h2>Students</h2>', _student_table(students, stages, results)]
    return page('Class report', '\n'.join(parts))


def most_failed_tests(results):
    """[(stage, test, failed, graded, an example feedback)], most failed first."""
    failed, graded, example = Counter(), Counter(), {}
    for _, stage, result in results:
        if result.status != GRADED:
            continue
        for test in result.tests:
            key = (stage, test.name)
            graded[key] += 1
            if not test.passed:
                failed[key] += 1
                example.setdefault(key, test.feedback)
    rows = [(stage, name, failed[(stage, name)], graded[(stage, name)], example[(stage, name)])
            for stage, name in failed]
    return sorted(rows, key=lambda r: (-r[2] / r[3], -r[2], r[0], r[1]))


def diagnosed_mistakes(results):
    """[(stage, summary, bug, [students])] of the diagnosed mistakes, most students first."""
    groups = defaultdict(list)
    for student, stage, result in results:
        if result.status == GRADED and result.diagnosis:
            groups[(stage, result.diagnosis.summary, result.diagnosis.bug)].append(student)
    return sorted(((*key, students) for key, students in groups.items()),
                  key=lambda row: (-len(row[3]), row[0], row[2]))


def _mistakes(results):
    mistakes = diagnosed_mistakes(results)
    failing = sum(r.status == GRADED and any(not t.passed for t in r.tests)
                  for _, _, r in results)
    undiagnosed = failing - sum(len(students) for *_, students in mistakes)
    parts = ['<p>Submissions whose failing tests one catalogued mistake explains, grouped by '
             'that mistake: what to go over in class.</p>']
    if mistakes:
        parts.append('<table><tr><th>students</th><th>stage</th><th>the mistake</th>'
                     '<th>who</th></tr>')
        for stage, summary, bug, students in mistakes:
            who = ', '.join(students[:NAMES_SHOWN])
            if len(students) > NAMES_SHOWN:
                who += f' and {len(students) - NAMES_SHOWN} more'
            count = f'{len(students)} student{"s" if len(students) > 1 else ""}'
            parts.append(f'<tr><td><b>{count}</b></td><td>{escape(stage)}</td>'
                         f'<td>{escape(summary)} <code>{escape(bug)}</code></td>'
                         f'<td>{escape(who)}</td></tr>')
        parts.append('</table>')
    else:
        parts.append('<p>No mistake was diagnosed.</p>')
    if undiagnosed:
        parts.append(f'<p>{undiagnosed} other graded submission-stage'
                     f'{"s" if undiagnosed > 1 else ""} failed tests that no single catalogued '
                     'mistake explains; their per-test feedback stands on its own.</p>')
    return '\n'.join(parts)


def score_plot(stages, by_stage):
    """Each stage's scores as a percentage of its maximum: a box, and every student's dot in a
    small class or, past DOTS_UP_TO, a histogram strip (bar length: share of the class), so
    the plot reads the same at 20, 200 or 2,000 students."""
    fig = Figure(figsize=(max(6, 1.1 * len(stages)), 3.6))
    ax = fig.subplots()
    percents = [[_percent(r) for r in by_stage[stage]] for stage in stages]
    for i, values in enumerate(percents, start=1):
        if len(values) > DOTS_UP_TO:
            _histogram_strip(ax, i, values)
            continue
        # Spread equal scores sideways, evenly within the box's width, so each stays visible.
        seen, counts = Counter(), Counter(values)
        for value in values:
            offset = 0.5 * ((seen[value] + 0.5) / counts[value] - 0.5)
            seen[value] += 1
            ax.plot(i + offset, value, 'o', color='#4c72b0', alpha=0.7, markersize=5)
    ax.boxplot(percents, showfliers=False, widths=0.5)
    ax.set_xticks(range(1, len(stages) + 1), stages, rotation=30, ha='right')
    ax.set_ylabel('score (% of stage maximum)')
    ax.set_ylim(-5, 105)
    fig.tight_layout()
    return fig


def _histogram_strip(ax, x, values, bins=10):
    """Scores in bins of 100/bins %, drawn as horizontal bars centred on x, the widest 0.8."""
    counts = Counter(min(int(v * bins / 100), bins - 1) for v in values)
    widest = max(counts.values())
    for b, count in sorted(counts.items()):
        width = 0.8 * count / widest
        ax.barh(100 * (b + 0.5) / bins, width, height=100 / bins * 0.9, left=x - width / 2,
                color='#4c72b0', alpha=0.45)


def status_plot(stages, by_stage):
    fig = Figure(figsize=(max(6, 1.1 * len(stages)), 3.2))
    ax = fig.subplots()
    bottoms = [0] * len(stages)
    for status in STATUSES:
        counts = [sum(r.status == status for r in by_stage[stage]) for stage in stages]
        if any(counts):
            ax.bar(stages, counts, bottom=bottoms, label=status,
                   color=STATUS_COLOURS.get(status, '#999999'))
            bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
    ax.set_ylabel('submissions')
    ax.tick_params(axis='x', labelrotation=30)
    ax.legend(fontsize='small', loc='upper left', bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def failure_plot(failures):
    fig = Figure(figsize=(7, 0.35 * len(failures) + 1.2))
    ax = fig.subplots()
    labels = [f'{stage}: {name}' for stage, name, *_ in failures][::-1]
    shares = [100 * failed / graded for _, _, failed, graded, _ in failures][::-1]
    ax.barh(labels, shares, color='#c44e52')
    ax.set_xlabel('% of graded submissions failing')
    ax.set_xlim(0, 100)
    fig.tight_layout()
    return fig


def _svg(fig):
    buffer = io.StringIO()
    with matplotlib.rc_context({'svg.hashsalt': 'micrograd-course', 'svg.fonttype': 'none'}):
        fig.savefig(buffer, format='svg', metadata={'Date': None})
    return f'<figure>{inline_svg(buffer.getvalue())}</figure>'


def _percent(result):
    return 100 * result.score / result.max_score if result.max_score else 0.0


def _stage_table(stages, by_stage):
    rows = ['<table><tr><th>stage</th><th>submissions</th><th>graded</th><th>mean score</th>'
            '<th>full marks</th></tr>']
    for stage in stages:
        results = by_stage[stage]
        graded = [r for r in results if r.status == GRADED]
        mean = sum(_percent(r) for r in results) / len(results)
        full = sum(r.max_score > 0 and r.score == r.max_score for r in results)
        rows.append(f'<tr><td>{escape(stage)}</td><td>{len(results)}</td><td>{len(graded)}</td>'
                    f'<td>{mean:.0f}%</td><td>{full}</td></tr>')
    return '\n'.join(rows) + '</table>'


def _failure_table(failures):
    rows = ['<table><tr><th>stage</th><th>test</th><th>failed</th><th>an example of the '
            'feedback</th></tr>']
    for stage, name, failed, graded, example in failures:
        rows.append(f'<tr><td>{escape(stage)}</td><td><code>{escape(name)}</code></td>'
                    f'<td>{failed} of {graded}</td>'
                    f'<td class="feedback">{escape(example)}</td></tr>')
    return '\n'.join(rows) + '</table>'


def _student_table(students, stages, results):
    cells = {(student, stage): result for student, stage, result in results}
    rows = [f'<div style="{SCROLL}"><table><tr><th{STICKY}>student</th>'
            + ''.join(f'<th{STICKY}>{escape(s)}</th>' for s in stages)
            + f'<th{STICKY}>total</th></tr>']
    for student in students:
        row, total = [f'<td>{escape(student)}</td>'], 0.0
        for stage in stages:
            result = cells.get((student, stage))
            if result is None:
                row.append('<td></td>')
                continue
            total += result.score
            text = format_points(result.score) if result.status == GRADED else result.status
            link = f'feedback/{student}/{stage}.html'
            row.append(f'<td><a href="{escape(link)}">{escape(text)}</a></td>')
        row.append(f'<td>{format_points(total)}</td>')
        rows.append('<tr>' + ''.join(row) + '</tr>')
    return '\n'.join(rows) + '</table></div>'
