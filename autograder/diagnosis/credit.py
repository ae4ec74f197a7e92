"""Partial credit that follows the mistake: the one place where a diagnosis changes points.

A diagnosed mistake costs the points of the test that checks its rule (the catalogued
bug's own test). A failing test that the mistake explains, but that checks another
rule, fails only as its consequence: it keeps CONSEQUENCE_SHARE of its points, provided
the submission passes at least one test of the stage (a submission that passes none
has shown nothing that works, whatever its mistake: a backward() that never seeds the
output's grad computes no gradient at all). Failures the mistake does not explain, and
every undiagnosed submission, score as before: a failed test scores 0. Stated for
learners in docs/grading.md.
"""

from dataclasses import replace

CONSEQUENCE_SHARE = 0.5


def consequence_share(tests):
    """The share of its points a consequence keeps in this submission (recorded in its
    Diagnosis, so the feedback states what applied)."""
    return CONSEQUENCE_SHARE if any(t.passed for t in tests) else 0.0


def credited(tests, diagnosis):
    """The tests with a diagnosed mistake's consequences given their share of the points."""
    if diagnosis is None:
        return list(tests)
    return [replace(t, points=diagnosis.consequence_share * t.max_points)
            if diagnosis.role(t.name) == 'consequence' else t for t in tests]
