"""The browser course's assets: Pyodide, every wheel it loads, and graphviz in WebAssembly.

Fetched at build time only, from the package registries through their ordinary clients
(`npm pack` for the npm packages, `pip download --only-binary` for the wheels, `pip wheel`
for this project), checked (npm's sha512 integrity, pinned here; each wheel's sha256 is
recorded), cached in `.cache/lite/` and laid out as a self-contained Pyodide distribution
that a static host serves. Nothing is fetched from anywhere at run time. The kernel's own
wheels (IPython and what it needs) are compiled to bytecode first, by Pyodide's Python
under node (lite/precompile.mjs), as Pyodide's own packages are: the page then starts the
kernel without compiling IPython in WebAssembly.

    python -m lite.assets DEST       # lays the assets out under DEST (re-uses the cache)

Every version is pinned in this file, nowhere else: PYODIDE, VIZ, KERNEL_EXTENSION and
WHEELS. A wheel that a pinned wheel needs (its Requires-Dist, evaluated for Pyodide) and
that is not pinned stops the build with its name.

The layout of DEST (what the JupyterLite kernel and the in-browser check read)
------------------------------------------------------------------------------

    DEST/index.json               the index, below
    DEST/pyodide/pyodide.mjs      Pyodide's ES module (`import {loadPyodide} from ...`)
    DEST/pyodide/pyodide.js       the classic script (defines globalThis.loadPyodide)
    DEST/pyodide/pyodide.asm.*, python_stdlib.zip     the interpreter and its standard library
    DEST/pyodide/pyodide-lock.json    Pyodide's lock file, rewritten to hold exactly the
                                  wheels served here (file_name, sha256, depends), so
                                  `loadPyodide({indexURL: '.../pyodide/'})` followed by
                                  `pyodide.loadPackage(['micrograd-course', 'pytest'])`
                                  (or loadPyodide's `packages` option) loads them, and
                                  their dependencies, from this folder
    DEST/pyodide/*.whl            every wheel: the kernel's, the learner's, the checker's
    DEST/pyodide/viz.js           @viz-js/viz, an ES module: `(await import(url)).instance()`

index.json:

    {"pyodide": {"version": "314.0.6", "mjs": "pyodide/pyodide.mjs", "js": "pyodide/pyodide.js",
                 "index_url": "pyodide/", "lock": "pyodide/pyodide-lock.json"},
     "viz": {"version": "3.31.0", "module": "pyodide/viz.js"},
     "groups": {"kernel": [...], "learner": [...], "check": [...]},   # lock names to load
     "wheels": {"<lock name>": {"file": "pyodide/<wheel>", "version": ..., "sha256": ...}}}

Paths in index.json are relative to DEST. The lock names are canonical project names
(`micrograd-course`, `pyodide-kernel`).
"""

import argparse
import base64
import email.parser
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / '.cache' / 'lite'


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    integrity: str           # the registry's dist.integrity of this version

    @property
    def spec(self):
        return f'{self.name}@{self.version}'


# jupyterlite-pyodide-kernel 0.8.6 is built for this Pyodide (its constants.PYODIDE_VERSION).
PYODIDE = NpmPackage('pyodide', '314.0.6',
                     'sha512-BKDTJyIqFxC4BExLqeRS3f5xvXZIjOt8C3zGLN/Cc7tFxSwvKVhVkchQQ2AG'
                     'LOtR4YrVOIFxbV8poyDOOmWwxQ==')
VIZ = NpmPackage('@viz-js/viz', '3.31.0',
                 'sha512-r7zlQdRvcwvIpjHGgs+KNWHeE/P5/Dq7k8ZAKaMCbZqomxCBJV78gVuQYaHzFVca+kB0m'
                 'X0fMW9UFevCOBG50A==')
# The JupyterLite kernel; its wheel also carries the kernel's own wheels (piplite, the
# pyodide-kernel package, an ipykernel shim), taken from it for the lock.
KERNEL_EXTENSION = ('jupyterlite-pyodide-kernel', '0.8.6')
KERNEL_WHEELS = ('piplite', 'pyodide-kernel', 'ipykernel')
JUPYTERLITE_CORE = ('jupyterlite-core', '0.8.6')

# Pure-Python wheels from PyPI. Where Pyodide's own lock lists a package, the same version.
WHEELS = {
    # What the kernel worker installs at start-up (micropip, piplite, then ipykernel, comm,
    # pyodide-kernel, jedi and ipython: jupyterlite-pyodide-kernel's initPackageManager and
    # initKernel), with their dependencies.
    'micropip': '0.11.1',
    'comm': '0.2.3',
    'jedi': '0.19.2',
    'parso': '0.8.6',
    'ipython': '9.12.0',
    'ipython-pygments-lexers': '1.1.1',
    'asttokens': '3.0.1',
    'decorator': '5.2.1',
    'executing': '2.2.1',
    'matplotlib-inline': '0.2.1',
    'prompt-toolkit': '3.0.52',
    'pure-eval': '0.2.3',
    'pygments': '2.20.0',
    'six': '1.17.0',
    'stack-data': '0.6.3',
    'traitlets': '5.14.3',
    'wcwidth': '0.6.0',
    # The learner's: draw_dot builds a graphviz.Digraph.
    'graphviz': '0.21',
    # The hidden check's: hypothesis draws, pytest runs the suites.
    'hypothesis': '6.155.7',         # the newest release with a pure-Python wheel
    'sortedcontainers': '2.4.0',
    'attrs': '26.1.0',
    'pytest': '9.0.2',
    'pluggy': '1.6.0',
    'iniconfig': '2.3.0',
    'packaging': '26.1',
}
COURSE = 'micrograd-course'          # this project's wheel, built from the work tree

GROUPS = {
    # The names jupyterlite-pyodide-kernel skips installing when loadPyodideOptions.packages
    # holds them: preloaded with Pyodide instead, in one round of parallel fetches.
    'kernel': ['micropip', 'piplite', 'ipykernel', 'comm', 'pyodide-kernel', 'jedi', 'ipython'],
    'learner': [COURSE, 'graphviz'],
    'check': [COURSE, 'hypothesis', 'pytest'],
}

# Requires-Dist markers are evaluated as inside Pyodide.
PYODIDE_ENVIRONMENT = {**default_environment(), 'python_version': '3.14',
                       'python_full_version': '3.14.2', 'sys_platform': 'emscripten',
                       'platform_system': 'Emscripten', 'platform_machine': 'wasm32',
                       'implementation_name': 'cpython',
                       'platform_python_implementation': 'CPython', 'os_name': 'posix'}
PIP_TARGET = ['--only-binary=:all:', '--no-deps', '--python-version', '3.14',
              '--implementation', 'py', '--abi', 'none', '--platform', 'any']


class AssetError(Exception):
    """A fetch failed, a checksum differs, or a wheel needs one that is not pinned."""


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _run(command, what):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise AssetError(f'{what} failed ({" ".join(command)}):\n{done.stderr[-2000:]}')
    return done.stdout


# -- fetching (into the cache) -----------------------------------------------------------

def npm_tarball(package, cache=CACHE):
    """The package's tarball in the cache, fetched with `npm pack` and its integrity checked."""
    folder = cache / 'npm'
    name = package.name.lstrip('@').replace('/', '-')
    tarball = folder / f'{name}-{package.version}.tgz'
    if not tarball.is_file():
        if not shutil.which('npm'):
            raise AssetError(f'npm is needed to fetch {package.spec} once: '
                             'sudo apt-get install -y nodejs npm')
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as scratch:
            _run(['npm', 'pack', package.spec, '--pack-destination', scratch, '--silent'],
                 f'fetching {package.spec}')
            fetched = Path(scratch) / tarball.name
            check_integrity(fetched, package)
            os.replace(fetched, tarball)
    check_integrity(tarball, package)
    return tarball


def check_integrity(path, package):
    algorithm, _, expected = package.integrity.partition('-')
    found = base64.b64encode(hashlib.new(algorithm, path.read_bytes()).digest()).decode()
    if found != expected:
        raise AssetError(f'{path.name}: {algorithm} is {found}, the registry says {expected}')


def pypi_wheel(name, version, cache=CACHE):
    """The pinned pure-Python wheel in the cache, fetched with pip."""
    folder = cache / 'wheels'
    found = _cached_wheel(folder, name, version)
    if found:
        return found
    folder.mkdir(parents=True, exist_ok=True)
    _run([sys.executable, '-m', 'pip', 'download', '--quiet', '--disable-pip-version-check',
          *PIP_TARGET, '--dest', str(folder), f'{name}=={version}'], f'fetching {name}')
    found = _cached_wheel(folder, name, version)
    if not found:
        raise AssetError(f'pip fetched no pure-Python wheel of {name}=={version}')
    return found


def _cached_wheel(folder, name, version):
    for path in sorted(folder.glob('*.whl')) if folder.is_dir() else ():
        wheel_name, wheel_version, _, tags = parse_wheel_filename(path.name)
        if wheel_name == canonicalize_name(name) and str(wheel_version) == version \
                and any(t.platform == 'any' for t in tags):
            return path
    return None


def kernel_wheels(cache=CACHE):
    """{name: path} of the kernel's own wheels, taken from the pinned extension's wheel."""
    extension = pypi_wheel(*KERNEL_EXTENSION, cache=cache)
    folder = cache / 'kernel-wheels' / extension.stem
    if not folder.is_dir():
        scratch = Path(tempfile.mkdtemp(dir=cache, prefix='.kernel-'))
        with zipfile.ZipFile(extension) as archive:
            for member in archive.namelist():
                if '/static/pypi/' in member and member.endswith('.whl'):
                    (scratch / Path(member).name).write_bytes(archive.read(member))
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.replace(scratch, folder)
    found = {}
    for path in folder.glob('*.whl'):
        name = parse_wheel_filename(path.name)[0]
        if name in KERNEL_WHEELS:
            found[name] = path
    missing = set(KERNEL_WHEELS) - set(found)
    if missing:
        raise AssetError(f'{extension.name} carries no wheel of {", ".join(sorted(missing))}')
    return found


def course_wheel(cache=CACHE):
    """This project's wheel (micrograd + autograder), built from the work tree each time."""
    folder = cache / 'course'
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    _run([sys.executable, '-m', 'pip', 'wheel', '--quiet', '--disable-pip-version-check',
          '--no-deps', '--wheel-dir', str(folder), str(ROOT)],
         'building the course wheel')
    [wheel] = folder.glob('*.whl')
    return wheel


# -- the lock --------------------------------------------------------------------------

def wheel_metadata(path):
    with zipfile.ZipFile(path) as archive:
        [name] = [n for n in archive.namelist()
                  if n.count('/') == 1 and n.endswith('.dist-info/METADATA')]
        metadata = email.parser.Parser().parsestr(archive.read(name).decode('utf-8'))
        tops = sorted({n.split('/')[0].removesuffix('.pyc').removesuffix('.py')
                       for n in archive.namelist()
                       if not n.split('/')[0].endswith(('.dist-info', '.data'))
                       and (n.endswith(('.py', '.pyc')) or '/' in n)})
    return metadata, tops


def depends(metadata):
    """The canonical names a wheel needs inside Pyodide (no extras)."""
    out = []
    for line in metadata.get_all('Requires-Dist') or ():
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(
                {**PYODIDE_ENVIRONMENT, 'extra': ''}):
            continue
        out.append(canonicalize_name(requirement.name))
    return sorted(set(out))


def lock_entry(path):
    metadata, imports = wheel_metadata(path)
    name, version, _, _ = parse_wheel_filename(path.name)
    return {'name': name, 'version': str(version), 'file_name': path.name,
            'install_dir': 'site', 'sha256': sha256(path), 'package_type': 'package',
            'imports': imports, 'depends': depends(metadata), 'unvendored_tests': False,
            'shared_library': False}


def closure(names, entries):
    """The names and, recursively, every name they depend on in entries (lock entries)."""
    found, todo = set(), [canonicalize_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(entries[name]['depends'])
    return found


def precompiled(wheels, pyodide_folder, cache=CACHE):
    """The wheels with their modules compiled to bytecode by Pyodide's Python, cached.

    Pyodide's own packages ship so; a plain PyPI wheel would be compiled in the page at
    every kernel start (IPython and its dependencies: seconds of WebAssembly)."""
    folder = cache / 'precompiled' / PYODIDE.version
    todo = [path for path in wheels if not (folder / path.name).is_file()]
    if todo:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as scratch:
            scratch = Path(scratch)
            (scratch / 'in').mkdir()
            (scratch / 'out').mkdir()
            for path in todo:
                shutil.copyfile(path, scratch / 'in' / path.name)
            _run(['node', str(Path(__file__).with_name('precompile.mjs')), str(pyodide_folder),
                  str(scratch / 'in'), str(scratch / 'out')], 'compiling the kernel\'s wheels')
            for path in todo:
                os.replace(scratch / 'out' / path.name, folder / path.name)
    return [folder / path.name for path in wheels]


def lock(pyodide_lock, wheels):
    """Pyodide's lock with its packages replaced by exactly the wheels served here."""
    entries = {canonicalize_name(lock_entry(path)['name']): lock_entry(path) for path in wheels}
    for name, entry in entries.items():
        missing = [d for d in entry['depends'] if d not in entries]
        if missing:
            raise AssetError(f'{name} needs {", ".join(missing)}: pin it in lite/assets.py '
                             'WHEELS')
    return {**pyodide_lock, 'packages': dict(sorted(entries.items()))}


# -- the layout --------------------------------------------------------------------------

def _extract(tarball, member_prefix, dest, names=None):
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            if not member.isfile() or not member.name.startswith(member_prefix):
                continue
            relative = member.name[len(member_prefix):]
            if names is not None and relative not in names:
                continue
            target = dest / (names[relative] if names else relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.extractfile(member).read())


PYODIDE_FILES = ('pyodide.mjs', 'pyodide.js', 'pyodide.asm.mjs', 'pyodide.asm.wasm',
                 'python_stdlib.zip', 'pyodide-lock.json')


def build(dest, cache=CACHE, precompile=True):
    """Lay every asset out under dest (see the module docstring); returns the index.
    precompile=False serves the kernel's wheels as PyPI ships them (a benchmark's baseline)."""
    dest = Path(dest)
    shutil.rmtree(dest, ignore_errors=True)
    folder = dest / 'pyodide'
    folder.mkdir(parents=True)
    _extract(npm_tarball(PYODIDE, cache), 'package/', folder,
             {name: name for name in PYODIDE_FILES})
    _extract(npm_tarball(VIZ, cache), 'package/dist/', folder, {'viz.js': 'viz.js'})
    wheels = [pypi_wheel(name, version, cache) for name, version in WHEELS.items()]
    wheels += [*kernel_wheels(cache).values(), course_wheel(cache)]
    # The kernel's packages as bytecode; the learner's and the checker's keep their source
    # (pytest rewrites the suites' asserts from it, tracebacks show it).
    entries = {canonicalize_name(lock_entry(path)['name']): path for path in wheels}
    kernel = closure(GROUPS['kernel'], {n: lock_entry(p) for n, p in entries.items()})
    kernel -= {canonicalize_name(n) for n in GROUPS['learner'] + GROUPS['check']}
    compiled = dict(zip(sorted(kernel), precompiled([entries[n] for n in sorted(kernel)],
                                                    folder, cache))) if precompile else {}
    wheels = [compiled.get(name, path) for name, path in entries.items()]
    lockfile = folder / 'pyodide-lock.json'
    served = lock(json.loads(lockfile.read_text()), wheels)
    lockfile.write_text(json.dumps(served, indent=1, sort_keys=True) + '\n')
    for path in wheels:
        shutil.copyfile(path, folder / path.name)
    index = {
        'pyodide': {'version': PYODIDE.version, 'mjs': 'pyodide/pyodide.mjs',
                    'js': 'pyodide/pyodide.js', 'index_url': 'pyodide/',
                    'lock': 'pyodide/pyodide-lock.json'},
        'viz': {'version': VIZ.version, 'module': 'pyodide/viz.js'},
        'groups': GROUPS,
        'wheels': {name: {'file': f'pyodide/{entry["file_name"]}', 'version': entry['version'],
                          'sha256': entry['sha256']}
                   for name, entry in served['packages'].items()},
    }
    (dest / 'index.json').write_text(json.dumps(index, indent=1) + '\n')
    return index


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m lite.assets', description=__doc__.split(
        '\n\n')[0])
    parser.add_argument('dest', type=Path, help='the folder to lay the assets out in')
    parser.add_argument('--cache', type=Path, default=CACHE, help=f'default: {CACHE}')
    args = parser.parse_args(argv)
    try:
        index = build(args.dest, args.cache)
    except AssetError as error:
        parser.exit(1, f'error: {error}\n')
    size = sum(p.stat().st_size for p in args.dest.rglob('*') if p.is_file())
    print(f'{args.dest}: Pyodide {index["pyodide"]["version"]}, {len(index["wheels"])} wheels, '
          f'{size / 1e6:.1f} MB')


if __name__ == '__main__':
    main()
