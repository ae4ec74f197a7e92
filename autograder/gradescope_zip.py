"""The Gradescope autograder zip: what `autograder export gradescope` uploads for you.

The zip holds Gradescope's two scripts, setup.sh (run once when Gradescope builds the
image: system packages, a venv with the pinned requirements) and run_autograder (run
per submission: autograder/gradescope_run.py), and, as the course's source, the
grading package (autograder/, micrograd/: their modules and every data file that
pyproject.toml's [tool.setuptools.package-data] declares, as an install would have them:
the suites' pytest.ini, the diagnosis signatures), the chosen stages' source notebooks
(their given cells) and gradescope.json (the stages, the tests' visibility). Both
scripts read $AUTOGRADER_ROOT (default /autograder), so the zip can be tried in
Gradescope's folder layout anywhere. The zip is byte-for-byte reproducible.
"""

import json
import zipfile
from importlib import metadata
from pathlib import Path

from autograder import course
from autograder.exporters.gradescope import VISIBILITIES

# What grading needs in the container: the judge (pytest, hypothesis) and what the
# stage modules may import. Pinned to the versions this machine grades with.
REQUIREMENTS = ('pytest', 'hypothesis', 'numpy', 'scikit-learn', 'matplotlib', 'graphviz')
PACKAGES = ('autograder', 'micrograd')
EPOCH = (1980, 1, 1, 0, 0, 0)

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the image (choose Ubuntu 22.04 or newer:
# Python 3.10+). AUTOGRADER_SKIP_APT=1 skips the system packages (a dry run elsewhere).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
if [ -z "${AUTOGRADER_SKIP_APT:-}" ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
        python3 python3-venv python3-pip graphviz
fi
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --no-input --disable-pip-version-check \\
    -r "$ROOT/source/requirements.txt"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes $ROOT/results/results.json.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export AUTOGRADER_ROOT="$ROOT" PYTHONPATH="$ROOT/source"
cd "$ROOT/source"
exec "$ROOT/venv/bin/python" -m autograder.gradescope_run
"""


def requirements():
    """requirements.txt: each of REQUIREMENTS pinned to the version installed here."""
    return ''.join(f'{name}=={metadata.version(name)}\n' for name in REQUIREMENTS)


def package_data(root):
    """The data files of PACKAGES that root/pyproject.toml declares, as {zip name: path}.

    A declared pattern that matches no file is an error: the container would grade
    without it (no signatures.json: no diagnosis, no partial credit)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the instructor extra installs tomli
        import tomli as tomllib
    with open(root / 'pyproject.toml', 'rb') as file:
        declared = tomllib.load(file).get('tool', {}).get('setuptools', {}).get(
            'package-data', {})
    files = {}
    for package, patterns in declared.items():
        if package != '*' and package.split('.')[0] not in PACKAGES:
            continue
        folders = [root / p for p in PACKAGES] if package == '*' else \
            [root / package.replace('.', '/')]
        for pattern in patterns:
            found = [f for folder in folders for f in folder.glob(pattern) if f.is_file()]
            if not found:
                raise FileNotFoundError(f'pyproject.toml declares the package data {pattern!r} '
                                        f'of {package}, but no such file exists')
            files.update((f.relative_to(root).as_posix(), f) for f in found)
    return files


def build_zip(path, stages, visibility='visible', root=course.REPO_ROOT):
    """Write the autograder zip for stages (ids, in course order) to path; return path."""
    if visibility not in VISIBILITIES:
        raise ValueError(f'visibility must be one of {", ".join(VISIBILITIES)}')
    stages = [s for s in course.STAGE_IDS if s in stages]
    root = Path(root)
    entries = {
        'setup.sh': (SETUP_SH, 0o755),
        'run_autograder': (RUN_AUTOGRADER, 0o755),
        'requirements.txt': (requirements(), 0o644),
        'gradescope.json': (json.dumps({'stages': stages, 'visibility': visibility},
                                       indent=2) + '\n', 0o644),
    }
    for package in PACKAGES:
        for file in sorted((root / package).rglob('*.py')):
            if file.is_file() and '__pycache__' not in file.parts:
                entries[file.relative_to(root).as_posix()] = (file.read_bytes(), 0o644)
    for name, file in package_data(root).items():
        entries[name] = (file.read_bytes(), 0o644)
    for stage in stages:
        notebook = course.stage(stage).notebook(root / 'solutions')
        entries[notebook.relative_to(root).as_posix()] = (notebook.read_bytes(), 0o644)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            data, mode = entries[name]
            info = zipfile.ZipInfo(name, EPOCH)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path
