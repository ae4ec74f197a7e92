"""The course manifest (autograder/course.py) is the one list of stages: every other list agrees.

When a test here fails, the message names the file whose list disagrees; see
docs/architecture.md, "Adding a stage", for what to edit.
"""

import ast
import json
import re

import yaml

from autograder import cells, course
from autograder.fingerprint import grader_version, judging_files
from autograder.sandbox import Limits

ROOT = course.REPO_ROOT
IDS = list(course.STAGE_IDS)


def _table_ids(path, pattern):
    return re.findall(pattern, path.read_text(encoding='utf-8'), re.M)


def test_stage_ids_are_ordered_and_unique():
    assert IDS == sorted(set(IDS))
    assert [stage.number for stage in course.STAGES] == list(range(1, len(IDS) + 1))


def test_the_site_navigation_lists_every_chapter_in_order():
    config = yaml.load((ROOT / 'mkdocs.yml').read_text(), Loader=yaml.BaseLoader)
    chapters = next(entry['Chapters'] for entry in config['nav']
                    if isinstance(entry, dict) and 'Chapters' in entry)
    expected = [{f'{s.number}. {s.title}': f'chapters/{s.id}.md'} for s in course.STAGES]
    assert chapters == expected, 'mkdocs.yml nav: Chapters disagrees with the manifest'
    assert sorted(p.stem for p in (ROOT / 'docs' / 'chapters').glob('*.md')) == IDS


def test_the_home_page_table_lists_every_stage():
    rows = re.findall(r'^\| (\d+) \| \[([^\]]+)\]\(chapters/([\w-]+)\.md\) \|',
                      (ROOT / 'docs' / 'index.md').read_text(), re.M)
    assert rows == [(str(s.number), s.title, s.id) for s in course.STAGES], 'docs/index.md'


def test_the_readmes_list_every_stage():
    assert _table_ids(ROOT / 'solutions' / 'README.md', r'^\| `(\d\d-[\w-]+)` \|') == IDS
    assert _table_ids(ROOT / 'lessons' / 'README.md', r'^\| `(\d\d-[\w-]+)` \|') == IDS


def test_each_stage_has_its_own_files():
    for stage in course.STAGES:
        assert stage.source.is_file(), stage.source
        assert stage.lesson.is_file(), stage.lesson
        assert stage.suite_path.is_file(), stage.suite_path
        assert stage.chapter.is_file(), stage.chapter
    folders = sorted(p.name for p in (ROOT / 'solutions').iterdir() if p.is_dir())
    assert folders == IDS, 'solutions/ holds a folder that is not a stage of the manifest'
    suites = sorted(p.stem for p in course.SUITES.glob('suite_*.py'))
    assert suites == sorted(s.suite_name for s in course.STAGES)


def _suite_points(stage):
    """The points of every @pytest.mark.points in the suite, read from its source."""
    total = 0.0
    for node in ast.walk(ast.parse(stage.suite_path.read_text())):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == 'pytest.mark.points':
            total += ast.literal_eval(node.args[0])
    return total


def test_the_maximum_score_is_the_suites_and_the_hidden_cells(stage):
    stage = course.stage(stage)
    assert _suite_points(stage) == stage.max_score, f'{stage.suite_path.name} points'
    notebook = json.loads(stage.source.read_text())
    hidden = [c for c in notebook['cells'] if cells.kind(c) == 'hidden']
    assert [cells.grade_id(c) for c in hidden] == [cells.hidden_id(stage.id)]
    assert cells.nbgrader(hidden[0])['points'] == stage.max_score, \
        f'the hidden cell of {stage.source.name} carries another maximum than the manifest'


def test_the_regrade_fingerprint_covers_judging_code_only():
    files = {p.relative_to(ROOT).as_posix() for p in judging_files('04-backward')}
    assert {'autograder/runner.py', 'autograder/plugin.py', 'autograder/judge.py',
            'autograder/sandbox.py', 'autograder/intake.py', 'autograder/worker/main.py',
            'autograder/worker/confinement.py', 'autograder/suites/suite_04_backward.py',
            'autograder/suites/programs.py', 'micrograd/engine.py', 'micrograd/nn.py'} <= files
    presentation = {'autograder/grade.py', 'autograder/cli.py', 'autograder/check.py',
                    'autograder/release.py', 'autograder/progress.py', 'micrograd/plots.py',
                    'micrograd/__main__.py', 'autograder/suites/suite_05_neuron.py'}
    assert not files & presentation
    assert not any(f.startswith('autograder/exporters/') for f in files)


def test_the_regrade_fingerprint_changes_with_the_limits_and_the_source(tmp_path):
    stage = course.stage('01-value')
    base = grader_version(stage.id, course.SOLUTIONS, Limits())
    assert base == grader_version(stage.id, course.SOLUTIONS, Limits())
    assert base != grader_version(stage.id, course.SOLUTIONS, Limits(budget_seconds=5))
    copy = tmp_path / stage.id / f'{stage.id}.ipynb'
    copy.parent.mkdir()
    copy.write_bytes(stage.source.read_bytes() + b'\n')
    assert base != grader_version(stage.id, tmp_path, Limits())
