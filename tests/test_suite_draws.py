"""Hypothesis's "local constants" are skipped in the suites (autograder/suites/drawing.py):
no module source is parsed for them, and every suite draws exactly the programs it drew
with Hypothesis's own collection, in the same order."""

import json
import subprocess
import sys
import textwrap

# Run in a fresh process each: Hypothesis collects the constants once per process, on its
# first draw. A local module with a literal Hypothesis would collect (an int of 100 or more)
# is loaded first; an audit hook sees every source text compiled (ast.parse included).
SCRIPT = textwrap.dedent('''
    import hashlib, json, sys
    sys.path.insert(0, sys.argv[2])
    import marker_constants  # noqa: F401
    from autograder.judge import reference
    from autograder.suites import drawing, suite_02_operations, suite_03_graph, suite_04_backward
    from hypothesis.internal.conjecture import providers
    if sys.argv[1] == 'hypothesis':
        providers._get_local_constants = drawing._PARSE_LOCAL_CONSTANTS
    MARK = 'marker_constant_source'
    parsed = []

    def hook(event, args):
        if event == 'compile' and args and isinstance(args[0], (str, bytes)):
            if (MARK.encode() if isinstance(args[0], bytes) else MARK) in args[0]:
                parsed.append(True)

    class Recorder:
        """A learner as right as the reference, recording every probe the suites ask."""
        def __init__(self):
            self.asked = []
        def probe(self, name, **args):
            self.asked.append([name, args])
            return reference().probe(name, **args)

    sys.addaudithook(hook)
    sub = Recorder()
    suite_02_operations.test_programs(sub, reference())
    suite_03_graph.test_trace_programs(sub, reference())
    suite_04_backward.test_programs(sub, reference())
    text = json.dumps(sub.asked, sort_keys=True)
    print(json.dumps({'draws': hashlib.sha256(text.encode()).hexdigest(), 'probes': len(sub.asked),
                      'parsed': bool(parsed)}))
''')


def draws(tmp_path, mode):
    (tmp_path / 'marker_constants.py').write_text(
        '"""marker_constant_source"""\nBIG = 123456789\nRATE = 0.125\nWORD = "marker"\n')
    done = subprocess.run([sys.executable, '-c', SCRIPT, mode, str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_no_source_is_parsed_and_the_draws_are_hypothesis_own(tmp_path):
    skipped, collected = draws(tmp_path, 'grader'), draws(tmp_path, 'hypothesis')
    assert collected['parsed'], 'the check cannot see Hypothesis parse source any more'
    assert not skipped['parsed'], 'Hypothesis parses module source again: see drawing.py'
    assert skipped['probes'] >= 150
    assert skipped == dict(collected, parsed=False)


def test_the_hook_is_replaced():
    from hypothesis.internal.conjecture import providers

    from autograder.suites import drawing
    assert drawing._PARSE_LOCAL_CONSTANTS is not None
    assert providers._get_local_constants is not drawing._PARSE_LOCAL_CONSTANTS
