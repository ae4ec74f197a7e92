"""The outer walls of the sandbox on Linux: a bubblewrap namespace and a cgroup per worker.

`namespaced_command(...)` wraps the worker's command line in bubblewrap (`bwrap`):
new PID, network, IPC, UTS, user and cgroup namespaces, a non-root uid, and a mount
view holding only the interpreter, its standard library, the allowed third-party
packages (and what they depend on), the system's shared libraries, the worker
package (read-only) and a size-limited private home. The reference, the suites and
the repository are not in that view at all, whatever the install layout.

`Cgroup` puts the whole submission (every process it forks) under one memory and one
process-count limit, with cgroup v1 or v2, wherever the grader may create one.

`level()` says what this machine allows, once per process:
    full        namespaces and a cgroup
    namespaces  namespaces, per-process rlimits only (no writable cgroup)
    process     no namespaces: rlimits, Landlock where the kernel has it, the audit hook
Inside the worker, Landlock, dropped capabilities and the audit hook still apply.
"""

import csv
import functools
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

FULL, NAMESPACES, PROCESS, BROWSER = 'full', 'namespaces', 'process', 'browser'
LEVELS = (FULL, NAMESPACES, PROCESS, BROWSER)
DESCRIPTIONS = {
    FULL: 'namespaces (PID, network, mount, user) and a cgroup per submission',
    NAMESPACES: 'namespaces (PID, network, mount, user); per-process limits only (no cgroup)',
    PROCESS: 'no namespaces: per-process limits, Landlock where available and the audit hook',
    BROWSER: 'a Pyodide interpreter of its own in your browser: the audit hook only (no process, '
             'limits or Landlock there; a learning aid, not a graded check)',
}
# The third-party packages a stage module may import; their dependencies come along.
ALLOWED_DISTRIBUTIONS = ('numpy', 'scikit-learn', 'matplotlib', 'graphviz')
SANDBOX_ROOT = '/sandbox'                 # inside the view: code/worker and home
SANDBOX_UID = 1000                        # not root, inside the user namespace
SYSTEM_READ = ('/usr/lib', '/usr/lib64', '/lib', '/lib64', '/etc/ld.so.cache',
               '/etc/localtime', '/usr/share/zoneinfo', '/sys/devices/system/cpu')
_NO_ISOLATION_ENV = 'AUTOGRADER_NO_NAMESPACES'   # '1': behave as where bwrap is missing
# The private folder of an `autograder grade` run: its caches, its workers' folders and,
# for a class, the site trees (make_site_trees).
CACHE_ENV = 'AUTOGRADER_CACHE_DIR'


def bwrap():
    if os.environ.get(_NO_ISOLATION_ENV) == '1' or not sys.platform.startswith('linux'):
        return None
    return shutil.which('bwrap')


@functools.cache
def level():
    """The confinement this machine gives a worker: FULL, NAMESPACES or PROCESS (BROWSER in
    Pyodide, where the worker is a second interpreter: autograder/browser.py)."""
    if sys.platform == 'emscripten':
        return BROWSER
    tool = bwrap()
    if tool is None:
        return PROCESS
    try:
        probe = subprocess.run([tool, '--unshare-all', '--unshare-user', '--die-with-parent',
                                '--ro-bind', '/', '/', '--', '/bin/true'],
                               capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return PROCESS
    if probe.returncode != 0:
        return PROCESS
    return FULL if Cgroup.available() else NAMESPACES


def announce(stream=None):
    """Say it (once, by the front end) when the worker will run below full confinement."""
    if level() != FULL:
        print(f'autograder: note: sandbox confinement here is "{level()}": '
              f'{DESCRIPTIONS[level()]}', file=stream or sys.stderr)


# -- the mount view -----------------------------------------------------------------------

def _hidden(name):
    """The course's own entries of a site folder: micrograd/, micrograd_course-*.dist-info, ..."""
    stem = name.lower().replace('-', '_')
    return stem.startswith(('micrograd', 'autograder', '__editable__', '_micrograd')) \
        or stem.endswith('.pth') or stem == '__pycache__'


@functools.cache
def allowed_site_entries():
    """{site folder: [entry names]}: the allowed distributions and everything they require."""
    wanted, seen, entries = list(ALLOWED_DISTRIBUTIONS), set(), {}
    while wanted:
        name = _normal(re.split(r'[\s;\[<>=!~(]', wanted.pop(), maxsplit=1)[0])
        if not name or name in seen:
            continue
        seen.add(name)
        found = _distribution(name)
        if found is None:
            continue
        base, requires, tops = found
        wanted += [r for r in requires if 'extra ==' not in r]
        for top in sorted(t for t in tops if t and t != '..' and not _hidden(t)):
            if (base / top).exists():
                entries.setdefault(str(base), set()).add(top)
    return {folder: sorted(names) for folder, names in entries.items()}


def _normal(name):
    return re.sub(r'[-_.]+', '-', name).lower()


@functools.cache
def _dist_info_folders():
    """{normalised name: its .dist-info folder}, the first on sys.path winning, as
    importlib.metadata finds them."""
    found = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or '.')
        except OSError:
            continue
        for folder in names:
            if folder.endswith('.dist-info'):
                found.setdefault(_normal(folder[:-len('.dist-info')].rsplit('-', 1)[0]),
                                 Path(entry or '.', folder))
    return found


def dist_info_folder(name):
    """An installed distribution's .dist-info folder (the first on sys.path), or None."""
    return _dist_info_folders().get(_normal(name))


def _distribution(name):
    """(site folder, Requires-Dist lines, top entries) of an installed distribution, or None.

    Read straight from its .dist-info (METADATA's header lines and RECORD, a CSV file of
    path, hash, size): importlib.metadata, which reads the same files, costs `check` about
    0.15 s before the worker can start (its import parses with the email package, and
    `dist.files` makes a path object for each of the 9,000 files of scikit-learn, scipy and
    numpy). Other install formats (.egg-info) go through importlib.metadata."""
    folder = _dist_info_folders().get(name)
    if folder is None:
        return _distribution_by_metadata(name)
    try:
        metadata = (folder / 'METADATA').read_text(encoding='utf-8')
        record = (folder / 'RECORD').read_text(encoding='utf-8')
    except OSError:
        return _distribution_by_metadata(name)
    requires = []
    for line in metadata.split('\n\n', 1)[0].splitlines():
        key, _, value = line.partition(':')
        if key.lower() == 'requires-dist':
            requires.append(value.strip())
    tops = {row[0].split('/', 1)[0] for row in csv.reader(record.splitlines()) if row and row[0]}
    return folder.parent.resolve(), requires, tops


def _distribution_by_metadata(name):
    import importlib.metadata
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return None
    return (Path(dist.locate_file('')).resolve(), list(dist.requires or ()),
            {f.parts[0] for f in dist.files or () if f.parts})


def _python_files():
    """The interpreter, its shared library and its standard library (real paths)."""
    paths = {os.path.realpath(sys.executable)}
    libdir, library = sysconfig.get_config_var('LIBDIR'), sysconfig.get_config_var('LDLIBRARY')
    if libdir and library and os.path.exists(os.path.join(libdir, library)):
        paths.add(os.path.realpath(os.path.join(libdir, library)))
    paths.add(os.path.realpath(sysconfig.get_paths()['stdlib']))     # lib-dynload is inside
    return sorted(paths)


def _inside(path, folder):
    return path == folder or path.startswith(folder.rstrip('/') + '/')


# -- one tree per site folder, for a class -------------------------------------------------

def make_site_trees(folder):
    """In `folder`, a tree of hard links to the allowed entries of each site folder, so
    that bubblewrap binds one tree instead of some forty entries: each bind reads the
    mount table again, and the 55 mounts of the view cost a worker about 5 ms of CPU more
    than 14 (benchmarks/submission_profile.py). Made once by `autograder grade` in its
    private folder (AUTOGRADER_CACHE_DIR, which its grading processes inherit), removed with
    it at the end; a site folder whose entries cannot be linked there (another file system,
    links refused) keeps its entries bound one by one. Returns {site folder: tree}."""
    trees = {}
    for site, names in allowed_site_entries().items():
        tree = _site_tree_path(folder, site)
        building = f'{tree}.part'
        try:
            os.mkdir(building)
            for name in names:
                _link_tree(os.path.join(site, name), os.path.join(building, name))
            os.rename(building, tree)
            trees[site] = tree
        except OSError:
            shutil.rmtree(building, ignore_errors=True)
    return trees


def _site_tree_path(folder, site):
    return os.path.join(folder, hashlib.sha256(site.encode()).hexdigest()[:16])


def _link_tree(source, target):
    """Hard links of source's files at target, its folders made anew, its symlinks copied."""
    if os.path.islink(source):
        os.symlink(os.readlink(source), target)
    elif not os.path.isdir(source):
        os.link(source, target)
    else:
        os.mkdir(target)
        with os.scandir(source) as entries:
            for entry in entries:
                _link_tree(entry.path, os.path.join(target, entry.name))


def _site_tree(site):
    """The tree made for this site folder by make_site_trees in this run's private
    folder, or None."""
    folder = os.environ.get(CACHE_ENV)
    tree = _site_tree_path(folder, site) if folder else None
    return tree if tree and os.path.isdir(tree) else None


def namespaced_command(command, worker_package, home_bytes):
    """bwrap's argument list around `command`; the worker package appears read-only at
    /sandbox/code/worker, the home (a tmpfs of home_bytes) at /sandbox/home."""
    args = [bwrap(), '--unshare-all', '--unshare-user', '--disable-userns',
            '--uid', str(SANDBOX_UID), '--gid', str(SANDBOX_UID), '--hostname', 'sandbox',
            '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
            '--proc', '/proc', '--dev', '/dev']
    read = [p for p in SYSTEM_READ if os.path.exists(p)] + _python_files()
    for path in read:
        args += ['--ro-bind', path, path]
    sites = allowed_site_entries()
    # A site folder inside something already bound (site-packages inside the standard
    # library, /usr/local/lib/python3.X/...) is covered by an empty tmpfs first, so only
    # the allowed entries appear in it.
    for folder, names in sites.items():
        tree = _site_tree(folder)
        if tree is not None:        # the same entries, in one bind over the whole folder
            args += ['--ro-bind', tree, folder]
            continue
        if any(_inside(folder, p) for p in read):
            args += ['--tmpfs', folder]
        for name in names:
            args += ['--ro-bind', os.path.join(folder, name), os.path.join(folder, name)]
        if any(_inside(folder, p) for p in read):
            args += ['--remount-ro', folder]
    args += ['--ro-bind', str(worker_package), f'{SANDBOX_ROOT}/code/worker',
             '--size', str(home_bytes), '--perms', '0700', '--tmpfs', f'{SANDBOX_ROOT}/home',
             '--chdir', f'{SANDBOX_ROOT}/home']
    # The view's root is a tmpfs too: remount it read-only so only the home is writable.
    return args + ['--remount-ro', '/', '--', *command]


def sandbox_site_paths():
    return sorted(allowed_site_entries())


# -- cgroups ------------------------------------------------------------------------------

def _own_cgroups():
    """{controller: folder of this process's cgroup} for memory and pids (v1), or 'v2'."""
    found = {}
    try:
        lines = Path('/proc/self/cgroup').read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        _, controllers, path = line.split(':', 2)
        for controller in controllers.split(','):
            if controller in ('memory', 'pids'):
                found[controller] = Path('/sys/fs/cgroup', controller, path.lstrip('/'))
        if controllers == '':
            for root in (Path('/sys/fs/cgroup/unified'), Path('/sys/fs/cgroup')):
                if (root / 'cgroup.controllers').exists():
                    found['v2'] = root / path.lstrip('/')
                    break
    return found


class Cgroup:
    """A memory and a process-count limit for every process of one submission.

    v1 (separate memory and pids hierarchies) when both are writable, else v2 with the
    memory and pids controllers. `command(cmd)` prefixes a command so that it joins
    the cgroup before it execs: nothing it starts can be outside it.
    """

    def __init__(self, memory_bytes, processes):
        self.folders = []
        name = f'autograder-{os.getpid()}-{secrets.token_hex(4)}'
        places = _writable_places()
        if places is None:
            raise OSError('no writable cgroup')
        kind, roots = places
        _sweep(roots)
        try:
            for root in roots:
                folder = root / name
                folder.mkdir()
                self.folders.append(folder)
            if kind == 'v1':
                memory, pids = self.folders
                _write(memory / 'memory.limit_in_bytes', memory_bytes)
                _write_optional(memory / 'memory.memsw.limit_in_bytes', memory_bytes)
                _write(pids / 'pids.max', processes)
            else:
                (folder,) = self.folders
                _write(folder / 'memory.max', memory_bytes)
                _write_optional(folder / 'memory.swap.max', 0)
                _write(folder / 'pids.max', processes)
        except OSError:
            self.remove()
            raise

    @staticmethod
    def available():
        return _writable_places() is not None

    def command(self, command):
        procs = [str(f / 'cgroup.procs') for f in self.folders]
        join = ' && '.join(f'echo $$ > "${i + 1}"' for i in range(len(procs)))
        return ['/bin/sh', '-c', f'{join} && shift {len(procs)} && exec "$@"', 'sh',
                *procs, *command]

    def kill_all(self):
        """SIGKILL every process still in the cgroup (in a loop: a fork may race a kill)."""
        for _ in range(50):
            pids = set()
            for folder in self.folders:
                try:
                    pids |= {int(p) for p in (folder / 'cgroup.procs').read_text().split()}
                except OSError:
                    pass
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, 9)
                except (ProcessLookupError, PermissionError):
                    pass
            os.sched_yield()

    def remove(self):
        self.kill_all()
        for folder in self.folders:
            for _ in range(300):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:          # busy for a moment while the last process is reaped
                    time.sleep(0.01)
                    self.kill_all()
        self.folders = []

    def memory_exceeded(self):
        for folder in self.folders:
            for name in ('memory.failcnt', 'memory.events'):
                try:
                    text = (folder / name).read_text()
                except OSError:
                    continue
                if name == 'memory.failcnt' and text.strip() not in ('', '0'):
                    return True
                if name == 'memory.events' and re.search(r'^oom_kill [1-9]', text, re.M):
                    return True
        return False


@functools.cache
def _sweep(roots):
    """Once per process: remove empty cgroups left by grading processes that were killed
    (named autograder-<pid>-..., the pid no longer running)."""
    for root in roots:
        for folder in root.glob('autograder-*-*'):
            pid = folder.name.split('-')[1]
            if pid.isdigit() and not os.path.exists(f'/proc/{pid}'):
                try:
                    folder.rmdir()
                except OSError:
                    pass


def _write(path, value):
    path.write_text(str(value))


def _write_optional(path, value):
    try:
        path.write_text(str(value))
    except OSError:
        pass


@functools.cache
def _writable_places():
    if not sys.platform.startswith('linux') or os.environ.get(_NO_ISOLATION_ENV) == '1':
        return None
    own = _own_cgroups()
    if 'memory' in own and 'pids' in own and all(os.access(own[c], os.W_OK)
                                                 for c in ('memory', 'pids')):
        return 'v1', (own['memory'], own['pids'])
    v2 = own.get('v2')
    if v2 is not None and os.access(v2, os.W_OK):
        try:
            controllers = (v2 / 'cgroup.subtree_control').read_text().split()
        except OSError:
            controllers = []
        if {'memory', 'pids'} <= set(controllers):
            return 'v2', (v2,)
    return None


# -- other programs on learner data -------------------------------------------------------

def run_confined(command, data, timeout=20, memory_bytes=256 * 1024 ** 2):
    """Run a system program (graphviz's `dot`) on learner-made input, in namespaces of its
    own with no network, a read-only /usr and no home; a CompletedProcess, or None when
    this machine cannot confine it (the caller then must not run it on that input)."""
    program = shutil.which(command[0], path='/usr/local/bin:/usr/bin:/bin')
    if program is None or level() == PROCESS:
        return None
    args = [bwrap(), '--unshare-all', '--unshare-user', '--disable-userns',
            '--uid', str(SANDBOX_UID), '--gid', str(SANDBOX_UID), '--die-with-parent',
            '--new-session', '--cap-drop', 'ALL', '--dev', '/dev', '--tmpfs', '/tmp',
            '--setenv', 'HOME', '/tmp']
    for path in ('/usr', '/lib', '/lib64', '/bin', '/etc/ld.so.cache', '/etc/fonts'):
        if os.path.exists(path):
            args += ['--ro-bind', path, path]
    args += ['--remount-ro', '/', '--', program, *command[1:]]
    cgroup = Cgroup(memory_bytes, 16) if Cgroup.available() else None
    try:
        return subprocess.run(cgroup.command(args) if cgroup else args, input=data,
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -9, b'', b'timed out')
    finally:
        if cgroup is not None:
            cgroup.remove()
