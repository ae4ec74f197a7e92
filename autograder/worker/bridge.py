"""The learner's side of the hidden check in the browser: main.py's protocol, called from JS.

In the browser (autograder/browser.py, lite/check/check-worker.js) the learner's cells run
in a Pyodide interpreter of their own, which holds only this package; the judge runs in
another. Instead of JSON lines on pipes, the check worker calls `start` once with the
start-up message and then `answer` for each probe request, both with JSON text in and
JSON text out, so only plain data crosses between the interpreters.
"""

from . import main, wire

_loads, _dumps = wire.loads, wire.dumps    # held before any learner code can patch them
_namespace = {}


def start(text):
    namespace, ready = main.start(_loads(text))
    _namespace.clear()
    _namespace['ns'] = namespace
    return _dumps(ready)


def answer(text):
    return main.answer(_namespace['ns'], _loads(text))
