"""What a grading process keeps between submissions: only answers that cannot change."""

import json
import shutil
import subprocess
import sys

from autograder import course, intake
from autograder.suites import programs

LAYOUTS = '''
import subprocess
from autograder.suites import suite_03_graph as suite
calls = []
def run_confined(command, data, **_):
    calls.append(data)
    if b'broken' in data:
        return subprocess.CompletedProcess(command, 1, b'', b'syntax error')
    return subprocess.CompletedProcess(command, 0, b'graph 1 1 1\\nnode a 0 0 1 1 a\\n', b'')
suite.isolation.run_confined = run_confined
good, bad = 'digraph { a }', 'digraph { broken'
assert suite._plain_nodes(good) == ['a'] and suite._plain_nodes(good) == ['a']
assert suite._plain_nodes(bad) is None and suite._plain_nodes(bad) is None
assert calls == [good.encode(), bad.encode(), bad.encode()], calls
'''


def test_a_confined_layout_is_made_once_per_text_and_a_refusal_is_asked_again():
    # In a process of its own: the suite's markers are the suites' pytest's, not ours.
    done = subprocess.run([sys.executable, '-c', LAYOUTS], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_feedback_picture_is_drawn_once_per_source(monkeypatch):
    calls = []
    real = subprocess.run

    def run(command, **kwargs):
        calls.append(command)
        return real(command, **kwargs)

    monkeypatch.setattr(programs.subprocess, 'run', run)
    monkeypatch.setattr(programs, '_DRAWN', {})
    source = 'digraph { n0 -> n1 }'
    first = programs.render_svg(source)
    assert first is None or first.lstrip().startswith(('<?xml', '<svg'))
    assert programs.render_svg(source) == first
    assert len(calls) == (1 if first is not None else 2)   # only a picture is kept


def test_a_changed_source_notebook_is_read_again(tmp_path):
    stage = course.stage('01-value')
    source_dir = tmp_path / 'solutions'
    shutil.copytree(course.SOLUTIONS / stage.id, source_dir / stage.id)
    notebook = stage.notebook(source_dir)
    before = intake.stage_cells(stage.id, stage.lesson, source_dir=source_dir)
    data = json.loads(notebook.read_text())
    given = next(c for c in data['cells'] if 'given' in c['metadata'].get('tags', []))
    given['source'] = ['# changed by the instructor\n', *given['source']]
    notebook.write_text(json.dumps(data))
    after = intake.stage_cells(stage.id, stage.lesson, source_dir=source_dir)
    assert [c.source for c in after] != [c.source for c in before]
    assert any('# changed by the instructor' in c.source for c in after)
