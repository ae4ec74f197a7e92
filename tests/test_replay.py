"""The suites' Hypothesis examples on record, replayed in one round trip
(autograder/suites/replay.py, drawn.json).

The record must be what the suites draw now, what Hypothesis draws for a real learner
whose code passes, and must change no grade and no word of feedback: every learner is
graded here with the record and without it (Hypothesis alone), and the two must agree,
for right code, unfinished code, the catalogue's bugs, hand-written mistakes, code too
slow for one batch and code that ends its own process.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_learner_mistakes import MISTAKES

from autograder import course, plugin
from autograder.bugs import CATALOGUE, edit_cell, write_buggy_notebook
from autograder.runner import run_batch, submission
from autograder.suites import programs, replay

ROOT = Path(__file__).resolve().parent.parent
DRAWING = ('02-operations', '03-graph', '04-backward')
KEYS = {'02-operations': 'programs-forward-add-sub-mul-div-pow-neg-relu-tanh-exp-log',
        '03-graph': 'trace-programs',
        '04-backward': 'programs-backward-add-sub-mul-div-pow-neg-relu-tanh-exp-log'}

# Learners of this file's own: too slow for the whole record in one probe's 10 s (each
# program well within it), and one that ends the worker's process on a program on record
# (tanh of -2.6; no fixed test takes tanh below -1.2).
SLOW = ('ops-add-mul', 'def __add__(self, other):\n',
        'def __add__(self, other):\n    __import__("time").sleep(0.25)\n')
ENDS_ITSELF = ('backward-activations', 'def tanh(self):\n',
               'def tanh(self):\n    if self.data < -2.5:\n        __import__("os")._exit(3)\n')


def test_the_record_is_what_the_suites_draw_now():
    # In a process of its own: the suites' modules are not this session's test modules.
    done = subprocess.run([sys.executable, '-m', 'autograder.suites.replay', '--check'],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert set(replay.recorded()) == set(KEYS.values())
    assert [len(replay.recorded()[KEYS[s]]) for s in DRAWING] == [60, 40, 60]


def test_a_record_made_with_another_hypothesis_or_source_is_not_used(monkeypatch):
    made = replay.made_with()
    assert made['hypothesis'] == __import__('hypothesis').__version__
    for changed in ({'hypothesis': '6.0.0'}, {'python': '2.7'}, {'sources': '0' * 64}):
        monkeypatch.setattr(replay, 'made_with', lambda changed=changed: dict(made, **changed))
        replay.recorded.cache_clear()
        assert replay.recorded() == {}
    monkeypatch.undo()
    replay.recorded.cache_clear()
    assert replay.recorded()


def graded_both_ways(stage, notebooks, monkeypatch):
    """{key: (status, score, [(test, points, feedback)])} with the record and without it,
    and the replays' batches answered ([True/False, ...]: None from the worker or not)."""
    batches = []
    answers = plugin.Sandboxed.answers

    def spied(self, calls):
        got = answers(self, calls)
        batches.append(got is not None)
        return got

    monkeypatch.setattr(plugin.Sandboxed, 'answers', spied)

    def grade():
        results = run_batch(stage, [submission(stage, path, key=key)
                                    for key, path in notebooks.items()])
        return {key: (r.status, r.score, [(t.name, t.points, t.feedback) for t in r.tests])
                for key, r in zip(notebooks, results)}

    with_record = grade()
    monkeypatch.setattr(replay, 'recorded', lambda: {})
    without = grade()
    return with_record, without, batches


def learners(stage, folder):
    """The notebooks of every kind of learner for a stage: {key: path}."""
    found = {'solution': course.stage(stage).source, 'lesson': course.stage(stage).lesson}
    for path in sorted(ROOT.glob(f'examples/submitted/*/{stage}/{stage}.ipynb')):
        found[f'example-{path.parent.parent.name}'] = path
    for bug in CATALOGUE:
        if bug.stage == stage:
            found[f'bug-{bug.name}'] = write_buggy_notebook(
                bug, course.SOLUTIONS, folder / bug.name / f'{stage}.ipynb')
    source = course.stage(stage).source.read_text(encoding='utf-8')
    edits = {f'mistake-{i}': (cell, old, new)
             for i, (st, cell, old, new, _, _) in enumerate(MISTAKES) if st == stage}
    edits.update({'02-operations': {'slow': SLOW}, '04-backward': {'ends': ENDS_ITSELF}}.get(
        stage, {}))
    for key, (cell, old, new) in edits.items():
        path = folder / key / f'{stage}.ipynb'
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(edit_cell(json.loads(source), cell, old, new)))
        found[key] = path
    return found


@pytest.mark.slow
@pytest.mark.parametrize('stage', DRAWING)
def test_the_record_changes_no_grade_and_no_feedback(stage, tmp_path, monkeypatch):
    notebooks = learners(stage, tmp_path)
    with_record, without, batches = graded_both_ways(stage, notebooks, monkeypatch)
    assert with_record == without
    passing = [k for k, (_, _, tests) in with_record.items()
               if any(name.endswith('programs') and points > 0 for name, points, _ in tests)]
    assert 'solution' in passing and len(passing) >= 5
    assert any(batches)
    if stage == '02-operations':    # the slow learner's batch timed out, then Hypothesis ran
        assert not all(batches)
        assert with_record['slow'][1] == course.stage(stage).max_score, with_record['slow']
    if stage == '04-backward':      # the batch's worker died, and was started again
        assert not all(batches)
        assert 0 < with_record['ends'][1] < course.stage(stage).max_score, with_record['ends']


def test_a_passing_learner_asks_exactly_the_probes_on_record(monkeypatch):
    """Hypothesis's own run through the sandbox, on the solution, asks the learner the
    recorded probes in the recorded order."""
    asked = []
    probe = plugin.Sandboxed.probe

    def spied(self, name, timeout=None, **args):
        asked.append([name, args])
        return probe(self, name, timeout, **args)

    monkeypatch.setattr(plugin.Sandboxed, 'probe', spied)
    monkeypatch.setattr(replay, 'recorded', lambda: {})
    for stage in DRAWING:
        asked.clear()
        result = run_batch(stage, [submission(stage, course.stage(stage).source)])[0]
        assert result.score == result.max_score
        monkeypatch.undo()
        calls = [c for example in replay.recorded()[KEYS[stage]] for c in example['calls']]
        monkeypatch.setattr(plugin.Sandboxed, 'probe', spied)
        monkeypatch.setattr(replay, 'recorded', lambda: {})
        text = [json.dumps(c, sort_keys=True) for c in asked]
        wanted = [json.dumps(c, sort_keys=True) for c in calls]
        starts = [i for i in range(len(text)) if text[i:i + len(wanted)] == wanted]
        assert starts, f'{stage}: the recorded probes are not what Hypothesis asked'


def test_check_of_passing_code_imports_no_hypothesis():
    def imported(notebook):
        done = subprocess.run([sys.executable, '-X', 'importtime', '-m', 'autograder.cli',
                               'check', '02-operations', str(notebook)],
                              capture_output=True, text=True, cwd=ROOT, timeout=300)
        return ' hypothesis' in done.stderr or '| hypothesis' in done.stderr
    assert not imported(course.stage('02-operations').source)
    assert imported(course.stage('02-operations').lesson)       # a failure: Hypothesis runs


def test_a_probe_asked_out_of_order_ends_the_replay():
    side = plugin.Sandboxed.__new__(plugin.Sandboxed)
    side._served, side.noted = None, None
    calls = [['expression', {'program': programs.program([2.0], ['neg', 0]),
                             'backward': False}]]
    with pytest.raises(plugin.Unserved):
        with side.serving(calls, [('ok', {'data': [2.0, -2.0]})]):
            side.probe('expression', program=programs.program([3.0], ['neg', 0]),
                       backward=False)
    assert side._served is None


def test_unused_inputs_are_dropped_and_the_nodes_renamed():
    drop = programs.without_unused_inputs
    assert drop(programs.program([0.1, 0.0, 0.0], ['tanh', 0])) == \
        programs.program([0.1], ['tanh', 0])
    assert drop(programs.program([0.1, 0.5, 2.0], ['pow', 2, 3], ['add', 3, {'c': 2.0}],
                                 ['mul', 4, 2])) == \
        programs.program([2.0], ['pow', 0, 3], ['add', 1, {'c': 2.0}], ['mul', 2, 0])
    assert drop(programs.program([1.0, 2.0], ['mul', 0, 1])) is None


def recorded_from(text, tmp_path, monkeypatch):
    """What recorded() makes of a drawn.json holding text."""
    (tmp_path / 'drawn.json').write_text(text)
    monkeypatch.setattr(replay, 'RECORD', tmp_path / 'drawn.json')
    replay.recorded.cache_clear()
    try:
        return replay.recorded()
    finally:
        replay.recorded.cache_clear()


@pytest.mark.parametrize('text', ['', '{"tests": {}}', '[1, 2]', '{"made_with": null}',
                                  'not json'])
def test_a_broken_record_is_not_used(text, tmp_path, monkeypatch):
    assert recorded_from(text, tmp_path, monkeypatch) == {}


def test_a_record_in_another_shape_is_not_used(tmp_path, monkeypatch):
    record = json.loads(replay.RECORD.read_text(encoding='utf-8'))
    record['tests'][KEYS['02-operations']][3] = {'example': None}
    assert recorded_from(json.dumps(record), tmp_path, monkeypatch) == {}
