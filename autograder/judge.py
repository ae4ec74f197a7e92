"""The judge's toolkit: where the reference's probes run, and how answers compare.

A hidden test (a pytest function, see autograder/plugin.py) calls `sub.probe(...)` on
the learner's code and `ref.probe(...)` on the reference package in this process, then
compares the answers with the helpers below; it fails by raising `Fail` with a message
that names the behaviour.

Tolerances: floats compare with a relative tolerance of 1e-6 and an absolute one of
1e-8, far above the rounding differences of summing in another order (about 1e-15
relative) and far below any real mistake.
"""

import json
import math

from autograder.worker import probes
from autograder.worker.plain import plain

REL_TOL = 1e-6
ABS_TOL = 1e-8


class Fail(AssertionError):
    def __init__(self, message, figure_svg=None):
        super().__init__(message)
        self.message = message
        self.figure_svg = figure_svg


class ProbeError(Exception):
    """The learner's code raised while a probe ran: {type, message, where}."""

    def __init__(self, error):
        super().__init__(f"{error['type']}: {error['message']}")
        self.error = error

    def describe(self):
        error = self.error
        where = f" (in {error['where']})" if error.get('where') else ''
        message = f": {error['message']}" if error['message'] else ''
        if error['type'] == 'NotImplementedError':
            return f'raised NotImplementedError{where}: this exercise is not done yet'
        return f"raised {error['type']}{message}{where}"


# -- where probes run ----------------------------------------------------------------

class ReferenceFailed(ProbeError):
    """The reference raised: a probe outside its domain (suites may reject such examples),
    otherwise a grader error, never the learner's."""


class InProcess:
    """Probes on a namespace in this very process: the reference, or a notebook's kernel."""

    def __init__(self, namespace, error=ProbeError):
        self.namespace, self.error = namespace, error

    def probe(self, name, timeout=None, **args):
        try:
            return plain(probes.run(self.namespace, name, args))
        except Exception as error:
            raise self.error({'type': type(error).__name__, 'message': str(error),
                              'where': ''}) from error

    def start_test(self):
        pass

    def close(self):
        pass


def reference_namespace():
    import micrograd.engine
    import micrograd.gradcheck
    import micrograd.graph
    import micrograd.moons
    import micrograd.nn
    namespace = {}
    for module in (micrograd.engine, micrograd.gradcheck, micrograd.graph, micrograd.nn,
                   micrograd.moons):
        namespace.update({k: v for k, v in vars(module).items() if not k.startswith('__')})
    return namespace


class Reference(InProcess):
    """Probes on the reference package. It is deterministic (a probe that draws seeds its
    own random numbers), and the suites ask it the same questions for every submission, so
    each answer is worked out once per process, refusals included, and handed out as a
    fresh copy, which a suite may change as it likes."""

    REMEMBERED = 4096    # answers kept: every fixed question of every suite, and the replays'

    def __init__(self):
        super().__init__(reference_namespace(), error=ReferenceFailed)
        self._answers = {}

    def probe(self, name, timeout=None, **args):
        return json.loads(self.remembered(name, args)[1])

    def remembered(self, name, args):
        """(the answer, its JSON text), shared: for reading only; ReferenceFailed when the
        reference refuses the question."""
        key = self.key(name, args)
        if key not in self._answers:
            try:
                answer = super().probe(name, **args)
                self._answers[key] = (answer, json.dumps(answer))
            except ReferenceFailed as refused:
                self._answers[key] = refused.error
            if len(self._answers) > self.REMEMBERED:
                self._answers.pop(next(iter(self._answers)))
        found = self._answers[key]
        if isinstance(found, dict):
            raise ReferenceFailed(dict(found))
        return found

    def knows(self, name, args):
        return self.key(name, args) in self._answers

    @staticmethod
    def key(name, args):
        return json.dumps([name, args], sort_keys=True, default=repr)


_REFERENCE = None


def reference():
    global _REFERENCE
    if _REFERENCE is None:
        _REFERENCE = Reference()
    return _REFERENCE


# -- comparing answers -------------------------------------------------------------------

def is_number(x):
    return type(x) in (int, float)


def show(x):
    """How a value from a probe reads in feedback."""
    if isinstance(x, dict) and '__unplain__' in x:
        return f"a {x['__unplain__']} object"
    if type(x) is float:
        text = repr(x)
        return text if len(text) <= 10 else f'{x:.6g}'
    return repr(x)


def close(actual, expected):
    if not is_number(actual):
        return False
    if math.isnan(expected):
        return math.isnan(actual)
    return math.isclose(actual, expected, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def numbers(answer, length, what):
    """answer must be a list of `length` numbers, else Fail saying so."""
    if not isinstance(answer, list) or len(answer) != length:
        raise Fail(f'{what}: expected {length} numbers, got {show(answer)}')
    for x in answer:
        if not is_number(x):
            raise Fail(f'{what}: {show(x)} is not a number (an int or a float)')
    return answer
