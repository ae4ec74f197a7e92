"""The sandbox worker's main loop: run one learner's stage module and answer probe requests.

It runs in a separate interpreter (`python -I -S`), imported as the top-level package
`worker` from a read-only copy of this folder (see autograder/sandbox.py), so neither
the `autograder` package nor the reference `micrograd` is on its path. Requests and
answers are JSON lines on two dedicated pipes (fds REQ and ANS), never stdin/stdout,
so what the learner prints cannot pose as an answer; each answer echoes the
request's nonce. Results leave the process only as plain JSON data.

`start` and `answer` are the protocol without the pipes: in the browser (bridge.py) the
same two steps are called across a JavaScript function instead.
"""

import os
import sys

try:
    import resource
except ImportError:         # Pyodide (the browser) has no process limits
    resource = None

from . import confinement, probes, wire
from .plain import plain

_loads, _dumps = wire.loads, wire.dumps    # held before any learner code can patch them
_BLOCKED = ('micrograd', 'autograder', 'hypothesis', 'pytest')


class _Blocker:
    """Refuses the course's own packages, should a path to them be added at run time."""

    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in _BLOCKED:
            raise ImportError(f'{name} is not available to submissions')
        return None


def _where(error):
    """The innermost frame in a notebook cell: "your cell 'ops-add', line 4". (The frames
    are walked by hand: the traceback module is a tenth of a worker's start-up.)"""
    where, frame = '', error.__traceback__
    while frame is not None:
        name = frame.tb_frame.f_code.co_filename
        if name.startswith(('your cell', 'given cell')):
            where = f'{name}, line {frame.tb_lineno}'
        frame = frame.tb_next
    return where


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
        self.send_line(_dumps(message))

    def send_line(self, text):
        data = (text + '\n').encode()
        while data:
            written = os.write(self.answer_fd, data)
            data = data[written:]


def _limit(kind, amount):
    if amount:
        resource.setrlimit(kind, (amount, amount))


def _limits(limits):
    if resource is None:
        return
    _limit(resource.RLIMIT_AS, limits.get('memory_bytes'))
    _limit(resource.RLIMIT_CPU, limits.get('cpu_seconds'))
    _limit(resource.RLIMIT_FSIZE, limits.get('file_bytes'))
    _limit(resource.RLIMIT_NPROC, limits.get('processes'))


def _startup(message):
    sys.path[:] = [p for p in sys.path if p] + list(message['paths'])
    sys.meta_path.insert(0, _Blocker())
    _limits(message['limits'])
    applied = confinement.confine(os.getcwd(), message['paths'], **message['hide'],
                                  viewed=message.get('viewed', False))
    namespace = {'__name__': '__main__', '__builtins__': __builtins__}
    errors = []
    for label, source in message['cells']:
        try:
            exec(compile(source, label, 'exec', dont_inherit=True), namespace)
        except BaseException as error:     # noqa: B036 - sys.exit in a cell is the learner's
            errors.append(dict(_describe(error), cell=label))
    return namespace, errors, applied


def start(message):
    """Run the start-up message's cells: (namespace, the ready answer)."""
    namespace, errors, applied = _startup(message)
    return namespace, {'nonce': message['nonce'], 'ready': True, 'errors': plain(errors),
                       'confinement': applied}


def _run(namespace, probe, args):
    try:
        return {'ok': plain(probes.run(namespace, probe, args))}
    except BaseException as error:     # noqa: B036 - SystemExit in a probe is an answer too
        return {'error': _describe(error)}


def answer(namespace, request):
    """The answer to one probe request, as a line of JSON text (without the newline).
    A batch ({'batch': [[probe, args], ...]}) is answered in one line, in order: the
    replay of the examples a suite has on record (autograder/suites/replay.py)."""
    if 'batch' in request:
        reply = {'batch': [_run(namespace, probe, args) for probe, args in request['batch']]}
    else:
        reply = _run(namespace, request['probe'], request['args'])
    reply['nonce'] = request['nonce']
    try:
        return _dumps(reply)
    except (TypeError, ValueError) as error:   # e.g. a str subclass with a broken encoder
        return _dumps({'nonce': request['nonce'], 'error': _describe(error)})


def main():
    channel = _Channel(int(sys.argv[1]), int(sys.argv[2]))
    namespace, ready = start(channel.receive())
    channel.send(ready)
    while True:
        channel.send_line(answer(namespace, channel.receive()))
