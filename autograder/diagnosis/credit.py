"""Partial credit that follows the mistake: the one place where a diagnosis changes points.

A diagnosed mistake costs the points of the test that checks its rule (the catalogued
bug's own test). A failing test that the mistake explains, but that checks another
rule, fails only as its consequence: it keeps CONSEQUENCE_SHARE of its points. Failures
the mistake does not explain, and every undiagnosed submission, score as before: a
failed test scores 0. Stated for learners in docs/grading.md.
"""

from dataclasses import replace

CONSEQUENCE_SHARE = 0.5     # recorded in each Diagnosis, so its feedback states what applied


def credited(tests, diagnosis):
    """The tests with a diagnosed mistake's consequences given their share of the points."""
    if diagnosis is None:
        return list(tests)
    return [replace(t, points=diagnosis.consequence_share * t.max_points)
            if diagnosis.role(t.name) == 'consequence' else t for t in tests]
