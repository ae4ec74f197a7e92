"""The examples Hypothesis draws for the suites, on record, replayed in one round trip.

A suite's Hypothesis test is seeded by its source and draws without a database, so for a
learner whose code passes, it draws the very examples it draws for the reference: the
reference's answers alone decide which ones are rejected. drawn.json holds them, with
the probes each one asks of the learner's code, for this Hypothesis and this Python.
check() first sends all those probes to the worker at once and judges the answers with
the test's own code; only when an answer fails (or does not come) does the test run
under Hypothesis as it would have without the record, which then finds the failure
again and shrinks it. Either way the outcome and the feedback are Hypothesis's.

The record is used only where it is known to be Hypothesis's own draws: the Hypothesis
version and the Python version it was made with, and the sources that decide the draws
(the suites, the probes, the reference) unchanged since. Elsewhere Hypothesis runs.

    python -m autograder.suites.replay           # writes drawn.json (after changing a suite)
    python -m autograder.suites.replay --check   # exit 1 when it is out of date
"""

import argparse
import functools
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
RECORD = HERE / 'drawn.json'
# What the draws depend on, besides Hypothesis and Python: the tests' and strategies' source
# (it seeds them) and the reference's answers (they decide which examples are rejected).
SOURCES = sorted([*(HERE / name for name in (
    'programs.py', 'drawing.py', 'suite_02_operations.py', 'suite_03_graph.py',
    'suite_04_backward.py')), PACKAGE / 'judge.py', PACKAGE / 'worker' / 'probes.py',
    PACKAGE / 'worker' / 'plain.py', *(PACKAGE.parent / 'micrograd').glob('*.py')])

_recording = None        # {key: [{example, calls}]} while make() runs the suites


def check(key, sub, test, strategy, max_examples):
    """test(example) on the examples Hypothesis draws from strategy() (a function, so that
    Hypothesis is imported only when it runs): replayed from the record when one fits."""
    if _recording is None and _replayed(key, sub, test):
        return
    from autograder.suites import drawing
    drawing.run(test if _recording is None else _recorder(key, sub, test), strategy(),
                max_examples)


def _replayed(key, sub, test):
    """True when the learner's code passes every example on record for key."""
    if not hasattr(sub, 'answers'):       # in-kernel and in-browser sides: Hypothesis only
        return False
    examples = recorded().get(key)
    if not examples:
        return False
    calls = [call for example in examples for call in example['calls']]
    answers = sub.answers(calls)
    if answers is None:
        return False
    try:
        with sub.serving(calls, answers):
            for example in examples:
                test(example['example'])
    except Exception:        # a failure, or a record that does not fit: Hypothesis decides
        return False
    return True


@functools.cache
def recorded():
    """{key: examples} of the record, or {} when it was not made here (other versions) or
    is out of date."""
    try:
        record = json.loads(RECORD.read_text(encoding='utf-8'))
        tests = record['tests'] if record.get('made_with') == made_with() else {}
        if all(isinstance(e['example'], dict) and isinstance(e['calls'], list)
               for examples in tests.values() for e in examples):
            return tests
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return {}         # none, or not in its shape: Hypothesis runs, as without a record


def made_with():
    """What the record's draws hold for: Hypothesis's version, Python's, the sources'."""
    digest = hashlib.sha256()
    for path in SOURCES:
        digest.update(path.name.encode() + b'\0' + path.read_bytes() + b'\0')
    return {'hypothesis': hypothesis_version(), 'python': '%d.%d' % sys.version_info[:2],
            'sources': digest.hexdigest()}


def hypothesis_version():
    """The installed Hypothesis's version, from its .dist-info folder's name (importing
    Hypothesis or importlib.metadata costs more than the replay saves), or None."""
    from autograder import isolation
    folder = isolation.dist_info_folder('hypothesis')
    return folder.name[:-len('.dist-info')].rsplit('-', 1)[1] if folder else None


# -- making the record ---------------------------------------------------------------------

class _Recorder:
    """The learner's side while the record is made: the reference, with a log of the
    probes asked (`ref` runs them on the reference as for any learner)."""

    def __init__(self):
        from autograder.judge import reference
        self.reference, self.calls = reference(), []

    def probe(self, name, timeout=None, **args):
        self.calls.append([name, args])
        return self.reference.probe(name, **args)


def _recorder(key, sub, test):
    @functools.wraps(test)      # the same source, so the same seed and the same draws
    def recording(**drawn):     # Hypothesis passes the example by its parameter's name
        start = len(sub.calls)
        test(**drawn)
        _recording.setdefault(key, []).append(
            {'example': next(iter(drawn.values())), 'calls': sub.calls[start:]})
    return recording


def tests_that_draw():
    """The suites' Hypothesis tests."""
    from autograder.suites import suite_02_operations, suite_03_graph, suite_04_backward
    return [suite_02_operations.test_programs, suite_03_graph.test_trace_programs,
            suite_04_backward.test_programs]


def make():
    """The record, drawn now: each drawing test run with the reference as the learner."""
    global _recording
    from autograder.judge import reference
    _recording = {}
    try:
        for test in tests_that_draw():
            test(_Recorder(), reference())
        tests = _recording
    finally:
        _recording = None
    return {'about': 'made by `python -m autograder.suites.replay` (see replay.py); '
                     'do not edit', 'made_with': made_with(), 'tests': tests}


def text(record):
    return json.dumps(record, indent=0, sort_keys=True) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m autograder.suites.replay',
                                     description=__doc__.split('\n\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='exit 1 when drawn.json is not what the suites draw now')
    args = parser.parse_args(argv)
    new = text(make())
    if args.check:
        current = RECORD.read_text(encoding='utf-8') if RECORD.exists() else ''
        if current != new:
            parser.exit(1, f'{RECORD} is out of date: run python -m autograder.suites.replay\n')
        print(f'{RECORD.name} is up to date')
        return
    RECORD.write_text(new, encoding='utf-8')
    counts = {key: len(examples) for key, examples in json.loads(new)['tests'].items()}
    print(f'wrote {RECORD}: {counts}')


if __name__ == '__main__':      # the suites' own module, not this __main__ copy
    from autograder.suites.replay import main
    main()
