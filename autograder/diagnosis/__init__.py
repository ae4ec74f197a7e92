"""Root-cause diagnosis: which catalogued mistake, if exactly one, explains a submission's failures.

After a submission's suite has run and some test failed, the plugin asks the same
worker for the answers to its stage's diagnostic probe set (probe_sets.py). Each
catalogued bug's answers to that set were computed once per grader version, by
grading the buggy notebook in the real worker (signatures.py, signatures.json).

The rule: a bug explains a submission when the submission differs from the reference
on exactly the probes where the bug does, and agrees with the bug there (within the
judge's tolerances). Several bugs matching, or none, is no diagnosis: the per-test
messages then stand alone, as they did before. A matched bug explains the failing
tests that its own graded notebook failed; the others are listed as they are.
"""

from functools import lru_cache

from autograder.bugs import CATALOGUE
from autograder.diagnosis import signatures
from autograder.diagnosis.credit import consequence_share
from autograder.diagnosis.probe_sets import PROBE_SETS, view
from autograder.judge import ProbeError, close, is_number, reference
from autograder.results import Diagnosis
from autograder.sandbox import BudgetExceeded, ProbeTimeout, WorkerDied

BUGS = {bug.name: bug for bug in CATALOGUE}


def ask(side, stage):
    """The side's answers to the stage's probe set: ['ok', view] or ['error', type] each.

    None when the worker cannot answer (timed out, died, out of budget): no diagnosis.
    """
    side.start_test()
    answers = []
    for probe, args in PROBE_SETS[stage]:
        try:
            answers.append(['ok', view(probe, side.probe(probe, **args), args)])
        except ProbeError as error:
            answers.append(['error', error.error['type']])
        except (ProbeTimeout, WorkerDied, BudgetExceeded):
            return None
    return answers


@lru_cache(maxsize=None)
def reference_answers(stage):
    return ask(reference(), stage)


def same(a, b):
    """Equal as answers: numbers within the judge's tolerances, everything else exactly."""
    if is_number(a) and is_number(b):
        return close(a, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def differences(stage, answers):
    """{probe index: answer} where answers differ from the reference's."""
    expected = reference_answers(stage)
    if answers is None or len(answers) != len(expected):
        return None
    return {i: a for i, (a, e) in enumerate(zip(answers, expected)) if not same(a, e)}


def matching_bugs(stage, answers):
    """The names of the catalogued bugs whose signature is exactly the submission's."""
    known = signatures.for_stage(stage)
    differs = differences(stage, answers)
    if not known or not differs:
        return []
    return [name for name, signature in known.items()
            if signature['differs'].keys() == differs.keys()
            and all(same(differs[i], a) for i, a in signature['differs'].items())]


def diagnose(stage, answers, tests):
    """The Diagnosis of a graded submission's failures, or None."""
    failed = [t.name for t in tests if not t.passed]
    if not failed or answers is None:
        return None
    try:
        names = matching_bugs(stage, answers)
    except RecursionError:      # answers nested absurdly deep: not a catalogued mistake
        return None
    if len(names) != 1 or names[0] not in BUGS:
        return None
    bug, explained = BUGS[names[0]], set(signatures.for_stage(stage)[names[0]]['failed'])
    explains = [name for name in failed if name in explained]
    if not explains:
        return None
    return Diagnosis(bug.name, bug.summary, bug.fix, explains, bug.test,
                     consequence_share(tests))
