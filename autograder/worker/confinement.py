"""Confine the sandbox worker before any learner code runs in it.

The worker's main loop calls `confine(...)` after its own imports and before the
learner's first cell. Three layers, each closing what the others leave open:

1. Landlock (Linux 5.13+), the kernel's unprivileged access control: the process
   may read only Python's standard library, the third-party packages (minus the
   course's own), and the system's shared libraries; it may write only in its
   temporary home; it may execute nothing, connect nowhere over TCP, and signal
   no process outside itself. Kernel-enforced, so it holds for C code (numpy,
   ctypes) too, and it cannot be undone by the process.
2. Capabilities dropped: when the grader runs as root, the worker keeps uid 0 but
   loses every capability (no mounting, no reading other users' files, no
   changing the limits set on it).
3. An audit hook (PEP 578), the portable layer: no subprocesses, no network, no
   writes outside the home, no reading the course's files, at the Python level.
   It also turns a blocked action into a clear PermissionError message.
"""

import os
import sys

# Landlock's ABI (include/uapi/linux/landlock.h). The syscall numbers are the
# same on every architecture that has Landlock (the generic syscall table).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2

_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1,
                     5: (1 << 16) - 1}
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | (1 << 14) | (1 << 15)  # + truncate, ioctl
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1                             # ABI 4
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1                  # ABI 6

# Outside Python's own folders, what the dynamic loader and numpy's start-up read.
SYSTEM_READABLE = ('/lib', '/lib64', '/usr/lib', '/usr/lib64', '/usr/local/lib',
                   '/etc/ld.so.cache', '/etc/localtime', '/usr/share/zoneinfo',
                   '/proc/cpuinfo', '/proc/meminfo', '/sys/devices/system/cpu')
DEVICES = ('/dev/null', '/dev/urandom')

# Audit events that start processes or talk over the network.
_FORBIDDEN_EVENTS = {
    'subprocess.Popen': 'starting programs', 'os.system': 'starting programs',
    'os.exec': 'starting programs', 'os.posix_spawn': 'starting programs',
    'os.spawn': 'starting programs', 'os.fork': 'starting processes',
    'os.forkpty': 'starting processes', 'pty.spawn': 'starting programs',
    'os.kill': 'sending signals', 'os.killpg': 'sending signals',
    'socket.connect': 'network access', 'socket.bind': 'network access',
    'socket.sendto': 'network access', 'socket.getaddrinfo': 'network access',
}
# Audit events that change the file system at args[0] (and args[1] for renames).
_FS_CHANGE_EVENTS = {'os.remove', 'os.rename', 'os.rmdir', 'os.mkdir', 'os.chmod', 'os.chown',
                     'os.truncate', 'os.link', 'os.symlink', 'os.utime', 'shutil.rmtree',
                     'shutil.copyfile', 'shutil.move'}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def confine(home, site_paths, hidden_names, hidden_dirs, viewed=False):
    """Apply every layer available; return what was applied, as plain data.

    home: the worker's temporary folder, the only writable place.
    site_paths: the third-party package folders, readable except `hidden_names`
        (the course's own packages, should they be installed there).
    hidden_dirs: folders the audit hook refuses to read (the repository and the
        course's packages); Landlock hides them by not allowing them at all.
    viewed: the worker runs in the sandbox's mount view (autograder/isolation.py), whose
        site folders hold the allowed entries and nothing else, read-only: Landlock then
        allows each folder whole instead of entry by entry (fifty rules fewer).
    """
    home = os.path.realpath(home)
    capabilities = _drop_capabilities()
    landlock_abi = _landlock(home, site_paths, hidden_names, viewed)
    readable = _python_folders() + [os.path.realpath(p) for p in site_paths]
    _install_audit_hook(home, readable, hidden_names,
                        [os.path.realpath(d) for d in hidden_dirs])     # last: hooks are forever
    return {'landlock_abi': landlock_abi, 'capabilities_dropped': capabilities,
            'audit_hook': True}


def _python_folders():
    import sysconfig

    paths = sysconfig.get_paths()
    return sorted({os.path.realpath(paths[key]) for key in ('stdlib', 'platstdlib')})


# -- layer 1: Landlock ------------------------------------------------------------------

def _landlock(home, site_paths, hidden_names, viewed=False):
    """Restrict this process with Landlock; the ABI version applied, or 0 if unavailable."""
    import ctypes
    import struct

    if not sys.platform.startswith('linux'):
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    abi = syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    if abi < 1:
        return 0
    fs_rights = _FS_RIGHTS_BY_ABI.get(abi, _FS_RIGHTS_BY_ABI[5])
    net_rights = _NET_BIND_TCP | _NET_CONNECT_TCP if abi >= 4 else 0
    scopes = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0
    attr = ctypes.create_string_buffer(struct.pack('=QQQ', fs_rights, net_rights, scopes))
    ruleset = syscall(_CREATE_RULESET, attr, ctypes.c_size_t(len(attr.raw)), 0)
    if ruleset < 0:
        return 0

    def allow(path, rights):
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return                          # absent on this system: nothing to allow
        try:
            if not os.path.isdir(path):
                rights &= _FILE_RIGHTS
            rule = ctypes.create_string_buffer(struct.pack('=Qi', rights & fs_rights, fd))
            if syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, rule, 0) != 0:
                raise OSError(ctypes.get_errno(), f'landlock_add_rule failed for {path}')
        finally:
            os.close(fd)

    read = _READ_FILE | _READ_DIR
    sites = [os.path.realpath(p) for p in site_paths]

    def allow_except_sites(path):
        """Read access to path, minus any site folder inside it (python.org, pyenv and
        Docker interpreters keep site-packages inside the standard library): Landlock
        cannot take a right back, so such a folder is allowed entry by entry."""
        real = os.path.realpath(path)
        inner = [s for s in sites if s != real and s.startswith(real.rstrip('/') + '/')]
        if real in sites:
            return                          # handled below, entry by entry
        if viewed or not inner or not os.path.isdir(real):
            allow(path, read)
            return
        allow(path, _READ_DIR)
        for entry in os.scandir(real):
            allow_except_sites(entry.path)

    try:
        allow(home, fs_rights & ~_EXECUTE)
        for path in _python_folders() + list(SYSTEM_READABLE):
            allow_except_sites(path)
        for device in DEVICES:
            allow(device, _READ_FILE | _WRITE_FILE)
        for folder in site_paths:
            if viewed:
                allow(folder, read)
                continue
            allow(folder, _READ_DIR)      # list it (imports do), but read only what follows
            for entry in os.scandir(folder):
                if not _is_hidden(entry.name, hidden_names):
                    allow(entry.path, read)
        if syscall(_RESTRICT_SELF, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), 'landlock_restrict_self failed')
    finally:
        os.close(ruleset)
    return abi


def _is_hidden(name, hidden_names):
    """micrograd/, micrograd_course-0.1.0.dist-info, __editable___micrograd_course_finder.py, ..."""
    stem = name.lower().replace('-', '_')
    return any(stem == hidden or stem.startswith(hidden + '_') or stem.startswith(hidden + '.')
               or hidden in stem and stem.startswith('__editable__') for hidden in hidden_names)


# -- layer 2: capabilities -----------------------------------------------------------------

def _drop_capabilities():
    """No new privileges, an empty bounding set and no capabilities; True if it all worked."""
    import ctypes
    import struct

    if not sys.platform.startswith('linux'):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_no_new_privs, pr_capbset_drop = 38, 24
    libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0)
    for capability in range(64):
        libc.prctl(pr_capbset_drop, capability, 0, 0, 0)   # EINVAL past the last one
    header = ctypes.create_string_buffer(struct.pack('=Ii', 0x20080522, 0))   # version 3
    data = ctypes.create_string_buffer(bytes(24))       # effective, permitted, inheritable: none
    return libc.capset(header, data) == 0


# -- layer 3: the audit hook ---------------------------------------------------------------

def _install_audit_hook(home, readable, hidden_names, hidden_dirs):
    def inside(path, folder):
        return path == folder or path.startswith(folder.rstrip('/') + '/')

    def real(path):
        if isinstance(path, int):
            return None                     # an already-open descriptor
        try:
            return os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return None

    # Most specific first: a site folder inside the standard library is judged as a site
    # folder, and every component below it is checked, not only the first.
    readable = sorted(readable, key=len, reverse=True)

    def may_read(path):
        for folder in readable:
            if inside(path, folder):
                rest = path[len(folder):].lstrip('/')
                return not any(_is_hidden(part, hidden_names) for part in rest.split('/'))
        return not any(inside(path, folder) for folder in hidden_dirs)

    def refuse(what):
        raise PermissionError(f"the grader's sandbox does not allow {what}")

    busy = []          # realpath() may itself raise events: don't recurse into the hook

    def hook(event, args):
        if busy:
            return
        if event in _FORBIDDEN_EVENTS:
            refuse(_FORBIDDEN_EVENTS[event])
        if event == 'open' or event in _FS_CHANGE_EVENTS:
            busy.append(True)
            try:
                targets = args[:2] if event in ('os.rename', 'shutil.copyfile', 'shutil.move',
                                                'os.link', 'os.symlink') else args[:1]
                paths = [p for p in (real(t) for t in targets) if p]
            finally:
                busy.pop()
            if event == 'open':
                mode, flags = args[1], args[2]
                writing = (any(c in mode for c in 'wax+') if isinstance(mode, str)
                           else bool(flags & _WRITE_FLAGS))
            else:
                writing = True
            for path in paths:
                if path in DEVICES:
                    continue
                if writing and not inside(path, home):
                    refuse(f'changing files outside its own folder ({path})')
                if not writing and not inside(path, home) and not may_read(path):
                    refuse(f"reading the course's files ({path})")

    sys.addaudithook(hook)
