"""The sandbox worker: runs one learner's stage module and answers probe requests.

This file runs as a script in a separate interpreter (`python -I -S worker.py REQ ANS`)
from an empty temporary directory; it imports nothing of the course, so neither the
`autograder` package nor the reference `micrograd` is on its path. Requests and
answers are JSON lines on two dedicated pipes (fds REQ and ANS), never stdin/stdout,
so what the learner prints cannot pose as an answer; each answer echoes the
request's nonce. Results leave the process only as plain JSON data.
"""

import json
import os
import resource
import sys
import traceback

_loads, _dumps = json.loads, json.dumps    # held before any learner code can patch json
_BLOCKED = ('micrograd', 'autograder', 'hypothesis', 'pytest')
_MAX_DEPTH = 32


class _Blocker:
    """Refuses the course's own packages, should a path to them be added at run time."""

    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in _BLOCKED:
            raise ImportError(f'{name} is not available to submissions')
        return None


def plain(value, depth=0):
    """Only JSON's own types leave: exact floats/ints/strs/bools/None, lists and str-keyed dicts.

    A float subclass is reduced to the float it really holds (numpy's float64 is
    one); any other object becomes a marker naming its type, which never equals
    an expected value.
    """
    if depth > _MAX_DEPTH:
        return {'__unplain__': 'structure nested too deeply'}
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__int__(value)
    if kind.__module__ == 'numpy' and hasattr(value, 'item') and getattr(value, 'ndim', 1) == 0:
        return plain(value.item(), depth + 1)
    if kind in (list, tuple):
        return [plain(item, depth + 1) for item in value]
    if kind is dict and all(type(key) is str for key in value):
        return {key: plain(item, depth + 1) for key, item in value.items()}
    return {'__unplain__': kind.__name__}


def _where(error):
    """The innermost frame in a notebook cell: "your cell 'ops-add', line 4"."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.startswith(('your cell', 'given cell')):
            return f'{frame.filename}, line {frame.lineno}'
    return ''


def _describe(error):
    message = str(error)
    if len(message) > 500:
        message = message[:500] + '...'
    return {'type': type(error).__name__, 'message': message, 'where': _where(error)}


class _Channel:
    def __init__(self, request_fd, answer_fd):
        # Move the pipes to fds the learner's code has no reason to touch.
        self.request_fd = os.dup(request_fd)
        self.answer_fd = os.dup(answer_fd)
        os.close(request_fd)
        os.close(answer_fd)
        self.buffer = b''

    def receive(self):
        while b'\n' not in self.buffer:
            chunk = os.read(self.request_fd, 1 << 20)
            if not chunk:
                raise SystemExit(0)
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b'\n', 1)
        return _loads(line)

    def send(self, message):
        data = (_dumps(message) + '\n').encode()
        while data:
            written = os.write(self.answer_fd, data)
            data = data[written:]


def _limit(kind, amount):
    if amount:
        resource.setrlimit(kind, (amount, amount))


def _startup(message):
    sys.path[:] = [p for p in sys.path if p] + list(message['paths'])
    sys.meta_path.insert(0, _Blocker())
    limits = message['limits']
    _limit(resource.RLIMIT_AS, limits.get('memory_bytes'))
    _limit(resource.RLIMIT_CPU, limits.get('cpu_seconds'))
    _limit(resource.RLIMIT_FSIZE, limits.get('file_bytes'))
    _limit(resource.RLIMIT_NPROC, limits.get('processes'))
    probes = {'__name__': 'probes', '__builtins__': __builtins__}
    exec(compile(message['probes'], 'probes', 'exec'), probes)
    confinement = {'__name__': 'confinement', '__builtins__': __builtins__}
    exec(compile(message['confinement'], 'confinement', 'exec'), confinement)
    applied = confinement['confine'](os.getcwd(), message['paths'], **message['hide'])
    namespace = {'__name__': '__main__', '__builtins__': __builtins__}
    errors = []
    for label, source in message['cells']:
        try:
            exec(compile(source, label, 'exec', dont_inherit=True), namespace)
        except BaseException as error:     # noqa: B036 - sys.exit in a cell is the learner's
            errors.append(dict(_describe(error), cell=label))
    return probes, namespace, errors, applied


def main():
    channel = _Channel(int(sys.argv[1]), int(sys.argv[2]))
    message = channel.receive()
    nonce = message['nonce']
    probes, namespace, errors, confinement = _startup(message)
    channel.send({'nonce': nonce, 'ready': True, 'errors': plain(errors),
                  'confinement': confinement})
    run = probes['run']
    while True:
        request = channel.receive()
        try:
            answer = {'ok': plain(run(namespace, request['probe'], request['args']))}
        except BaseException as error:     # noqa: B036 - SystemExit in a probe is an answer too
            answer = {'error': _describe(error)}
        answer['nonce'] = request['nonce']
        try:
            channel.send(answer)
        except (TypeError, ValueError) as error:   # e.g. a str subclass with a broken encoder
            channel.send({'nonce': request['nonce'], 'error': _describe(error)})


if __name__ == '__main__':
    main()
