"""Everything rendered from the gradebook, one exporter per output, listed in EXPORTERS.

Every exporter is a module of this package with the same shape:

    NAME = 'report'                      # short name of the output
    DESCRIPTION = 'report.html, ...'     # one line: what it writes
    def export(results, out): ...        # write into the folder out; return the Paths written

where `results` is the gradebook's list of (student, stage, StageResult), sorted by
student then stage (`Gradebook.results()`). Adding an output is one new module here
and one line in EXPORTERS; `html` is the HTML kit the exporters share, not an exporter.
"""

from pathlib import Path

from autograder.exporters import feedback, grades_csv, gradescope, report

EXPORTERS = (grades_csv, feedback, report, gradescope)


def export_all(results, out, exporters=EXPORTERS):
    """Run every exporter, in order, into the folder out; return every Path written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for exporter in exporters:
        written += exporter.export(results, out)
    return written
