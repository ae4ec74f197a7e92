"""`autograder release`: regenerate the student notebooks in lessons/ from solutions/.

First the generated cells of each source notebook are brought up to date: its given
cells (earlier stages' code, generated from micrograd/ as the manifest
autograder/course.py declares) and its grader check cell (see autograder.given).
`autograder release --check` only reports the cells that are out of date.

Each stage folder `solutions/NN-name/` is one nbgrader assignment. nbgrader's own
`generate_assignment --force` (through its Python API) turns it into the student
version; we then normalise every generated notebook (no outputs, no volatile
metadata, sorted keys, indent 1, trailing newline) so that regenerating an unchanged
source gives byte-identical files and `git diff` stays readable. The source notebooks
are written the same way. Last, the sample class examples/submitted/ is rebuilt from
the new lessons (examples/make_sample_class.py).

`autograder release 01-value 02-operations --release-dir DIR` is the instructor's
release on a schedule: only the chosen stages, into DIR, and nothing else is touched
(not solutions/, lessons/ or the sample class); it refuses when the source notebooks'
generated cells are out of date, as what it wrote would not match the committed lessons.
"""

import importlib.util
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from autograder import course, given

STAGE_NAME = re.compile(r'^\d\d-[a-z0-9]+(-[a-z0-9]+)*$')   # e.g. 01-value, 02-operations

# Everything else in a notebook's or a cell's metadata is editor state (widths,
# collapsed flags, execution timings, kernel versions) that changes between machines.
NOTEBOOK_METADATA_KEPT = ('kernelspec',)
CELL_METADATA_KEPT = ('nbgrader', 'tags', 'deletable', 'editable')


class ReleaseError(Exception):
    """nbgrader could not generate a stage; the message carries its log."""


def find_root(start=None):
    """The repository root: the nearest folder (from start upwards) with nbgrader_config.py."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / 'nbgrader_config.py').is_file() and (folder / 'solutions').is_dir():
            return folder
    raise ReleaseError(f'no nbgrader_config.py with a solutions/ folder in {here} or above: '
                       'run this from the micrograd-course repository')


def find_stages(root):
    """Every stage id in root/solutions, in order: folders NN-name holding NN-name.ipynb."""
    solutions = Path(root) / 'solutions'
    return sorted(folder.name for folder in solutions.iterdir()
                  if folder.is_dir() and STAGE_NAME.match(folder.name)
                  and (folder / f'{folder.name}.ipynb').is_file())


def normalise(nb):
    """A copy of nb without outputs or volatile metadata, ready to be written stably."""
    nb = nbformat.from_dict(nb)
    nb.metadata = {key: nb.metadata[key] for key in NOTEBOOK_METADATA_KEPT if key in nb.metadata}
    # The language name is all Jupyter and nbgrader need; its version differs between machines.
    nb.metadata['language_info'] = {'name': 'python'}
    for cell in nb.cells:
        cell.metadata = {key: cell.metadata[key] for key in CELL_METADATA_KEPT
                         if key in cell.metadata}
        if cell.cell_type == 'code':
            cell.outputs = []
            cell.execution_count = None
    return nb


def dumps(nb):
    """nb as stable text: nbformat's JSON (sorted keys, indent 1) plus a trailing newline."""
    text = nbformat.writes(nbformat.from_dict(nb), version=4)
    return text if text.endswith('\n') else text + '\n'


def write_normalised(path):
    """Rewrite the notebook at path in normalised form."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    path.write_text(dumps(normalise(nb)), encoding='utf-8')


def _source_path(root, stage_id):
    return Path(root) / 'solutions' / stage_id / f'{stage_id}.ipynb'


def _manifest_stage(stage_id):
    try:
        return course.stage(stage_id)
    except ValueError as error:
        raise ReleaseError(f'{error}: add it to autograder/course.py') from None


def stale_cells(stages=None, root=None):
    """{stage: [grade_id, ...]} of the source notebooks' generated cells that are out of
    date (given cells and the check cell), without writing anything."""
    root = Path(root).resolve() if root else find_root()
    out = {}
    for stage_id in _stages(root, stages):
        nb = nbformat.read(_source_path(root, stage_id), as_version=4)
        try:
            ids = given.stale(nb, _manifest_stage(stage_id))
        except given.GivenError as error:
            raise ReleaseError(str(error)) from None
        if ids:
            out[stage_id] = ids
    return out


def write_given_cells(stages=None, root=None):
    """Write the generated given and check cells into the source notebooks (normalised);
    return the notebooks whose bytes changed."""
    root = Path(root).resolve() if root else find_root()
    changed = []
    for stage_id in _stages(root, stages):
        path = _source_path(root, stage_id)
        nb = nbformat.read(path, as_version=4)
        try:
            given.sync(nb, _manifest_stage(stage_id))
        except given.GivenError as error:
            raise ReleaseError(str(error)) from None
        text = dumps(normalise(nb))
        if path.read_text(encoding='utf-8') != text:
            path.write_text(text, encoding='utf-8')
            changed.append(path)
    return changed


def _stages(root, stages):
    known = find_stages(root)
    stages = list(stages) if stages else known
    unknown = [stage for stage in stages if stage not in known]
    if unknown:
        raise ReleaseError(f'no such stage in {root / "solutions"}: {", ".join(unknown)} '
                           f'(stages: {", ".join(known)})')
    return stages


def make_sample_class(root):
    """Rebuild root/examples/submitted/ with root/examples/make_sample_class.py, if present."""
    script = Path(root) / 'examples' / 'make_sample_class.py'
    if not script.is_file():
        return None
    spec = importlib.util.spec_from_file_location('make_sample_class', script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = Path(root) / 'examples' / 'submitted'
    module.make_class(out)
    return out


def alembic_on_path():
    """nbgrader runs the `alembic` program to check its gradebook's schema; it lives next
    to this interpreter, which is not on PATH when the venv is not activated."""
    if shutil.which('alembic') is None:
        os.environ['PATH'] = os.pathsep.join([str(Path(sys.executable).parent),
                                              os.environ.get('PATH', '')])


def _nbgrader_api(root, release_dir, db_url):
    # Imported here: nbgrader is an instructor dependency, and slow to import.
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    alembic_on_path()
    config = PyFileConfigLoader('nbgrader_config.py', path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.release_directory = str(release_dir)
    config.CourseDirectory.db_url = db_url
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir, config=config)


def release(stages=None, root=None, release_dir=None, db_url=None, write_given=True):
    """Generate every stage (or the given ones) into release_dir; return the notebooks written.

    Defaults: all stages in root/solutions, release_dir = root/lessons and the
    git-ignored gradebook root/.nbgrader/gradebook.db. With write_given (the default)
    the source notebooks' generated cells are brought up to date first.
    """
    root = Path(root).resolve() if root else find_root()
    release_dir = Path(release_dir).resolve() if release_dir else root / 'lessons'
    if db_url is None:
        (root / '.nbgrader').mkdir(exist_ok=True)
        db_url = f'sqlite:///{root / ".nbgrader" / "gradebook.db"}'
    stages = _stages(root, stages)
    if write_given:
        write_given_cells(stages, root)

    api = _nbgrader_api(root, release_dir, db_url)
    written = []
    for stage in stages:
        result = api.generate_assignment(stage, force=True, create=True)
        if not result['success']:
            raise ReleaseError(f'nbgrader generate_assignment {stage} failed:\n'
                               f'{result.get("log", "")}{result.get("error", "")}')
        for path in sorted((release_dir / stage).glob('*.ipynb')):
            write_normalised(path)
            written.append(path)
    return written


def release_to_temp(stages=None, root=None):
    """Generate the lessons into a fresh temporary folder (with its own gradebook); return it.

    The caller owns the folder (delete it when done). Used by the tests to compare
    a fresh release with the committed lessons/; the source notebooks are read as they
    are, never written (tests/test_given.py checks their generated cells).
    """
    out = Path(tempfile.mkdtemp(prefix='lessons-'))
    release(stages, root=root, release_dir=out / 'lessons',
            db_url=f'sqlite:///{out / "gradebook.db"}', write_given=False)
    return out / 'lessons'


def add_arguments(parser):
    parser.add_argument('stages', nargs='*', metavar='STAGE',
                        help='stage ids such as 01-value (default: every stage in solutions/)')
    parser.add_argument('--release-dir', metavar='DIR',
                        help='where to write the lessons (default: lessons/ in the repository, '
                        'which also updates solutions/ and rebuilds the sample class); '
                        'elsewhere, only the chosen stages are written and nothing else changes')
    parser.add_argument('--check', action='store_true',
                        help="only report the source notebooks' given and check cells that "
                        'are out of date (exit status 1 if any); write nothing')


def run(args):
    try:
        root = find_root()
        if args.check:
            stale = stale_cells(args.stages, root)
            for stage, ids in stale.items():
                print(f'solutions/{stage}/{stage}.ipynb: out of date: {", ".join(ids)}')
            if stale:
                print('run `autograder release` to regenerate them', file=sys.stderr)
                return 1
            print('every given and check cell is up to date')
            return 0
        in_repository = args.release_dir is None or \
            Path(args.release_dir).resolve() == root / 'lessons'
        if in_repository:
            sources = write_given_cells(args.stages, root)
        else:   # an instructor's release: read solutions/, never write it
            sources, stale = [], stale_cells(args.stages, root)
            if stale:
                raise ReleaseError('the generated cells of ' + ', '.join(stale) + ' are out of '
                                   'date: run `autograder release` (without --release-dir) first')
        written = release(args.stages, root=root, release_dir=args.release_dir,
                          write_given=False)
        sample = make_sample_class(root) if in_repository else None
    except ReleaseError as error:
        print(f'autograder release: {error}', file=sys.stderr)
        return 1

    def shown(path):
        return path.relative_to(root) if path.is_relative_to(root) else path
    for path in sources:
        print(f'updated the generated cells of {shown(path)}')
    for path in written:
        print(f'wrote {shown(path)}')
    if sample is not None:
        print(f'rebuilt the sample class {shown(sample)}')
    return 0
