"""Grading across machines: `grade --shard K/N` slices, `merge` combines, byte for byte.

The slow test grades a synthetic class of 200 students (the sample class's notebooks,
benchmarks/shards.py makes it) on two stages, with a roster (one non-submitter) and
a late policy, once unsharded and once in three shards merged.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.grade import in_shard, parse_shard
from autograder.gradebook import Gradebook
from autograder.results import GRADED, StageResult

ROOT = Path(__file__).resolve().parent.parent
STAGES = ('01-value', '05-neuron')


def load_benchmark():
    spec = importlib.util.spec_from_file_location('benchmark_shards',
                                                  ROOT / 'benchmarks' / 'shards.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def autograder(*args):
    command = [str(Path(sys.executable).parent / 'autograder'), *map(str, args)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)


def test_shards_partition_the_class_the_same_way_everywhere():
    students = [f's{k:03d}' for k in range(500)]
    for n in (1, 2, 3, 4, 7):
        slices = [[s for s in students if in_shard(s, k, n)] for k in range(1, n + 1)]
        assert sorted(sum(slices, [])) == students               # each student exactly once
        assert all(len(part) > 500 / n / 2 for part in slices)   # and roughly evenly
    # By a hash of the id alone (not Python's salted hash()): these are fixed forever.
    assert [k for k in range(1, 5) if in_shard('ada', k, 4)] == [3]
    assert [k for k in range(1, 5) if in_shard('ben', k, 4)] == [3]


def test_shard_argument_is_checked():
    assert parse_shard('2/4') == (2, 4)
    for bad in ('0/4', '5/4', '2', 'a/b'):
        with pytest.raises(Exception, match='K/N'):
            parse_shard(bad)


def test_merge_refuses_shards_that_disagree(tmp_path):
    for name, score in (('a', 8.0), ('b', 5.0)):
        (tmp_path / name).mkdir()
        with Gradebook(tmp_path / name / 'gradebook.sqlite') as book:
            book.record('ada', '01-value', 'sha', 'v1', StageResult('01-value', GRADED, score, 8.0))
    done = autograder('merge', tmp_path / 'out', tmp_path / 'a', tmp_path / 'b')
    assert done.returncode == 1 and 'disagrees' in done.stderr and "('ada', '01-value')" \
        in done.stderr
    assert not (tmp_path / 'out' / 'gradebook.sqlite').exists()     # OUT left as it was
    assert autograder('merge', tmp_path / 'out', tmp_path / 'nope').returncode == 2


@pytest.mark.slow
def test_three_shards_merged_equal_one_run_byte_for_byte(tmp_path):
    shards = load_benchmark()
    students = shards.make_class(tmp_path / 'submitted', 200, STAGES)
    (tmp_path / 'submitted' / 's007' / '01-value' / 'timestamp.txt').write_text(
        '2026-02-04 09:00:00.000000 UTC')
    (tmp_path / 'roster.csv').write_text(
        'student_id,email\n' + ''.join(f'{s},{s}@uni.example\n' for s in [*students, 'zz']))
    (tmp_path / 'course.toml').write_text(
        '[late]\npenalty_percent_per_day = 20\n[deadlines]\n"01-value" = 2026-02-02T23:59:00Z\n')
    extra = ['--roster', tmp_path / 'roster.csv', '--config', tmp_path / 'course.toml']
    one, merged = tmp_path / 'one', tmp_path / 'merged'
    shards.grade_sharded(tmp_path / 'submitted', one, 1, 2, STAGES, extra)
    for k in (1, 2, 3):
        done = autograder('grade', tmp_path / 'submitted', '--out', tmp_path / f'part{k}',
                          '--jobs', '2', '--shard', f'{k}/3', *extra,
                          *(f'--stage={s}' for s in STAGES))
        assert done.returncode == 0, done.stderr
    done = autograder('merge', merged, *(tmp_path / f'part{k}' for k in (1, 2, 3)))
    assert done.returncode == 0, done.stderr
    assert 'merged 3 gradebooks: 201 students' in done.stdout
    assert shards.same_exports(one, merged) == []
    csv_text = (merged / 'grades.csv').read_text()
    assert 'zz,01-value,0,8,missing_notebook' in csv_text
    assert '\ns007,01-value,4.8,8,graded,6,6,8,2,' in csv_text    # 2 days late: -40%
    with Gradebook(one / 'gradebook.sqlite') as a, Gradebook(merged / 'gradebook.sqlite') as b:
        assert a.rows() == b.rows()
