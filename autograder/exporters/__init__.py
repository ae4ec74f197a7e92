"""Everything rendered from the gradebook, one exporter per output, listed in EXPORTERS.

Every exporter is a module of this package with the same shape:

    NAME = 'report'                      # short name of the output
    DESCRIPTION = 'report.html, ...'     # one line: what it writes
    def export(results, out, context=NO_CONTEXT): ...
                                         # write into the folder out; return the Paths written

where `results` is the gradebook's list of (student, stage, StageResult), sorted by
student then stage (`Gradebook.results()`), and `context` an
`autograder.policy.ExportContext`: the roster, deadlines and late policy, overrides and
hand-in times. `context.grade(student, stage, result)` is the exported grade (raw score
beside it); export_all has already applied `context.select` (the roster's students
only, non-submitters included). Adding an output is one new module here and one line
in EXPORTERS; `html` is the HTML kit the exporters share, not an exporter.
"""

from pathlib import Path

from autograder.exporters import canvas, feedback, grades_csv, gradescope, moodle, report
from autograder.policy import NO_CONTEXT

EXPORTERS = (grades_csv, feedback, report, gradescope, canvas, moodle)


def export_all(results, out, context=None, exporters=EXPORTERS):
    """Run every exporter, in order, into the folder out; return every Path written."""
    context = context or NO_CONTEXT
    results = context.select(results)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for exporter in exporters:
        written += exporter.export(results, out, context)
    return written
