"""Each catalogued bug's signature: its answers to its stage's probe set, where they differ
from the reference's, and the hidden tests it fails.

Computed by grading every bug's notebook (autograder.bugs.write_buggy_notebook) in the
real worker, and shipped as signatures.json beside this file, one entry per stage
under the stage's grader version (autograder.fingerprint.grader_version with the
repository's solutions/ and the default limits). A stage whose version has changed
(a suite, a probe, the catalogue, the reference, the solution notebook) has no
signatures until they are regenerated, so stale signatures never name a mistake:

    python -m autograder.diagnosis           # regenerate the stale stages
    python -m autograder.diagnosis --check   # exit 1 if any stage is stale

Grading never computes signatures: it only reads this file.
"""

import argparse
import json
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

from autograder import course

PATH = Path(__file__).with_name('signatures.json')


@lru_cache(maxsize=None)
def version(stage):
    """The grader version the stage's signatures must carry; None where the repository's
    solutions/ is not there (the grader installed as a package): the signatures cannot be
    checked against it, so none is used."""
    if sys.platform == 'emscripten':
        # The check in the browser (autograder/browser.py) ships no solutions/: it trusts
        # the signatures of the wheel, built from a checkout where CI keeps them current.
        return _stored().get(stage, {}).get('grader_version')
    if not course.stage(stage).source.is_file():
        return None
    from autograder.fingerprint import grader_version
    from autograder.sandbox import Limits
    return grader_version(stage, course.SOLUTIONS, Limits())


@lru_cache(maxsize=1)
def _stored():
    try:
        return json.loads(PATH.read_text(encoding='utf-8'))
    except (OSError, ValueError):
        return {}


@lru_cache(maxsize=None)
def for_stage(stage):
    """{bug name: {'differs': {probe index: answer}, 'failed': [test]}}, or None when stale."""
    entry = _stored().get(stage)
    if not entry or version(stage) is None or entry.get('grader_version') != version(stage):
        return None
    return {name: {'differs': {int(i): a for i, a in signature['differs'].items()},
                   'failed': signature['failed']}
            for name, signature in entry['bugs'].items()}


def stale_stages():
    return [stage for stage in course.STAGE_IDS if for_stage(stage) is None]


def compute(stage):
    """The stage's entry: every bug of the stage graded as a submission, in one session."""
    from autograder import diagnosis
    from autograder.bugs import CATALOGUE, write_buggy_notebook
    from autograder.results import GRADED
    from autograder.runner import run_batch, submission

    bugs = [bug for bug in CATALOGUE if bug.stage == stage and not bug.same_as]
    entry = {'grader_version': version(stage), 'bugs': {}}
    with tempfile.TemporaryDirectory(prefix='signatures-') as folder:
        submissions = [submission(stage, write_buggy_notebook(
            bug, course.SOLUTIONS, Path(folder, bug.name, f'{stage}.ipynb')), key=bug.name)
            for bug in bugs]
        results = run_batch(stage, submissions)
    for bug, graded, result in zip(bugs, submissions, results):
        differs = diagnosis.differences(stage, graded.diagnostic_answers)
        if result.status != GRADED or not differs:
            print(f'{stage} {bug.name}: no signature ({result.status}, '
                  f'{"no answers" if differs is None else "answers like the reference"})',
                  file=sys.stderr)
            continue
        entry['bugs'][bug.name] = {'differs': {str(i): a for i, a in differs.items()},
                                   'failed': sorted(t.name for t in result.tests
                                                    if not t.passed)}
    return entry


def regenerate(stages, jobs=2):
    """Compute the stages' entries (in parallel) and write them into signatures.json."""
    stored = dict(_stored())
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for stage, entry in zip(stages, pool.map(compute, stages)):
            stored[stage] = entry
    stored = {stage: stored[stage] for stage in course.STAGE_IDS if stage in stored}
    PATH.write_text(json.dumps(stored, indent=1, sort_keys=True) + '\n', encoding='utf-8')
    for cached in (_stored, for_stage):
        cached.cache_clear()


def main(argv=None):
    parser = argparse.ArgumentParser(description='regenerate the catalogued bugs\' signatures')
    parser.add_argument('stages', nargs='*', metavar='STAGE',
                        help='stages to regenerate (default: the stale ones)')
    parser.add_argument('--all', action='store_true', help='regenerate every stage')
    parser.add_argument('--check', action='store_true',
                        help='only report the stale stages (exit status 1 if any)')
    parser.add_argument('--jobs', type=int, default=2, metavar='N')
    args = parser.parse_args(argv)
    stale = stale_stages()
    if args.check:
        for stage in stale:
            print(f'{stage}: the signatures are out of date')
        print('run `python -m autograder.diagnosis`' if stale
              else 'every stage\'s signatures are up to date')
        return 1 if stale else 0
    stages = course.STAGE_IDS if args.all else (args.stages or stale)
    if stages:
        regenerate(list(stages), args.jobs)
    print(f'signatures of {len(stages)} stages written to {PATH}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
