"""`autograder merge OUT GRADES...`: combine the gradebooks of shards into one, then export.

Each GRADES is a folder written by `autograder grade --shard K/N --out GRADES` (or a
gradebook.sqlite file). The results, history, overrides and settings (roster, config)
are copied into OUT/gradebook.sqlite, and every export is rendered in OUT: the same
files, byte for byte, as one unsharded run. Shards that disagree about a row (they
overlap, or were graded with different rosters or configs) stop the merge with exit 1,
leaving OUT as it was; exit 2 for bad arguments.
"""

import shutil
import sys
import tempfile
from pathlib import Path


def add_arguments(parser):
    parser.add_argument('out', type=Path, metavar='OUT', help='the merged grades folder')
    parser.add_argument('shards', type=Path, nargs='+', metavar='GRADES',
                        help="the shards' grades folders (or their gradebook.sqlite files)")


def run(args):
    from autograder.grade import export
    from autograder.gradebook import Gradebook, MergeConflict
    paths = [p / 'gradebook.sqlite' if p.is_dir() else p for p in args.shards]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f'autograder merge: error: no gradebook at {", ".join(missing)}', file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / 'gradebook.sqlite'
    with tempfile.TemporaryDirectory(dir=args.out) as scratch:
        merged = Path(scratch) / 'gradebook.sqlite'
        if target.is_file():
            with Gradebook(target) as book:      # checkpoints its WAL into the file
                pass
            shutil.copyfile(target, merged)
        with Gradebook(merged) as book:
            try:
                for path in paths:
                    with Gradebook(path):        # brings an older shard's schema up to date
                        pass
                    book.merge_from(path)
            except MergeConflict as error:
                print(f'autograder merge: error: {error}', file=sys.stderr)
                return 1
        shutil.copyfile(merged, target)
    with Gradebook(target) as book:
        results = book.results()
        export(results, args.out, book.context())
    students = len({student for student, _, _ in results})
    print(f'merged {len(paths)} gradebooks: {students} students, {len(results)} '
          f'submission-stages, into {args.out}')
    return 0
