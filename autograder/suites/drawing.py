"""Hypothesis, for the suites that draw examples: its settings, its home, the programs' strategy.

Imported only when a suite draws (autograder.suites.replay replays a record without it):
importing Hypothesis takes about 0.3 s of an `autograder check`.
"""

import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from autograder import isolation
from autograder.suites.programs import ALL_OPS, CONSTANTS, EXPONENTS, SYMBOLS

# Hypothesis keeps a cache folder, .hypothesis/, in the current directory; the grader
# must leave the learner's (and the instructor's) folders as it found them. A private
# folder per process (never a fixed shared path someone could plant a link at), inside
# the one `autograder grade` makes and removes (AUTOGRADER_CACHE_DIR) when there is one,
# so even a killed grading process leaves nothing behind.
_HOME = tempfile.mkdtemp(prefix='autograder-hypothesis-',
                         dir=os.environ.get(isolation.CACHE_ENV) or None)
atexit.register(shutil.rmtree, _HOME, True)
set_hypothesis_home_dir(Path(_HOME))


def _skip_local_constants():
    """Keep Hypothesis from reading the grader's own source for "local constants".

    On a process's first draw, Hypothesis parses every loaded module outside site-packages
    (the grader, an editable micrograd) for literals to draw now and then: about 0.4 s of a
    `check`, and its disk cache of them never hits here (a private home per process, above).
    The draws cannot change: it keeps only integers at least 100 in size, floats, strings
    and bytes, and the suites draw only integers below 100 (sampled_from draws an index),
    so none of them is ever a permitted choice. There is no public switch for this
    (HypothesisWorks/hypothesis#4627): the private hook is replaced, and
    tests/test_suite_draws.py fails if a new Hypothesis parses source again or draws
    anything else."""
    try:
        from hypothesis.internal.conjecture import providers
        parse = providers._get_local_constants
    except (ImportError, AttributeError):      # renamed: slower, still right
        return None
    providers._get_local_constants = lambda: providers._local_constants
    return parse


# Hypothesis's own function, for the test that compares the draws with and without it.
_PARSE_LOCAL_CONSTANTS = _skip_local_constants()


def suite_settings(max_examples=60):
    """Seeded and derandomised: the same examples, in the same order, on every run."""
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                    suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
                    phases=(Phase.explicit, Phase.generate, Phase.shrink), print_blob=False)


def run(test, strategy, max_examples):
    """test(example) on the examples drawn from strategy; a failure is shrunk and raised."""
    suite_settings(max_examples)(given(strategy)(test))()


# -- drawing programs ----------------------------------------------------------------------

# Strategies are built once, per argument, not on every draw: building one costs more than
# drawing from it, and a cached strategy draws exactly what a fresh one would.
_INPUT = st.integers(-30, 30)
_CONSTANT = st.sampled_from(CONSTANTS).map(lambda c: {'c': c})
_EXPONENT = st.sampled_from(EXPONENTS)


@functools.cache
def _up_to(count):
    return st.integers(1, count)


@functools.cache
def _node(count):
    """Any of the first `count` nodes."""
    return st.integers(0, count - 1)


@functools.cache
def _node_or_constant(count):
    return st.one_of(_node(count), _CONSTANT)


@functools.cache
def _op(ops):
    return st.sampled_from(ops)


@st.composite
def programs(draw, ops=ALL_OPS, max_inputs=3, max_steps=6):
    inputs = [draw(_INPUT) / 10 for _ in range(draw(_up_to(max_inputs)))]
    steps = []
    for _ in range(draw(_up_to(max_steps))):
        count = len(inputs) + len(steps)
        op = draw(_op(ops))
        if op == 'pow':
            steps.append(['pow', draw(_node(count)), draw(_EXPONENT)])
        elif op in SYMBOLS:
            left = draw(_node_or_constant(count))
            right = draw(_node(count)) if isinstance(left, dict) else draw(_node_or_constant(count))
            steps.append([op, left, right])
        else:
            steps.append([op, draw(_node(count))])
    return {'inputs': inputs, 'steps': steps}


