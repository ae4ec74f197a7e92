"""Roster, deadlines and late policy, and the Canvas and Moodle exports, end to end.

The sample class is graded on two stages through the real command line with a roster
(one student who handed in nothing, one folder of a student not on it) and a course
config; one student handed stage 01 in late (nbgrader's timestamp.txt).
"""

import csv
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from autograder import course
from autograder.policy import ConfigError, ExportContext, parse_config, parse_time
from autograder.results import GRADED, StageResult
from autograder.roster import RosterError, parse_roster

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / 'examples' / 'submitted'
STAGES = ('01-value', '02-operations')
VALUE, OPERATIONS = (course.stage(s).max_score for s in STAGES)   # the manifest's maxima
# ben's 01-value: three started days late at 10% a day, 30% off his full marks.
LATE_VALUE = round(VALUE * 0.7, 4)

ROSTER = """student_id,name,email,lms_id,section
ada,Ada Lovelace,ada@uni.example,1001,A
ben,Ben Okri,ben@uni.example,1002,A
cleo,Cleo Laine,cleo@uni.example,1003,B
gus,Gus Grissom,gus@uni.example,1004,B
zoe,Zoe Saldana,zoe@uni.example,1005,B
"""
CONFIG = """
[late]
grace_minutes = 15
penalty_percent_per_day = 10

[deadlines]
"01-value" = 2026-02-02T23:59:00Z
"02-operations" = "2026-02-09 23:59:00 UTC"
"""


def run_cli(*args):
    command = [str(Path(sys.executable).parent / 'autograder'), *map(str, args)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def read_rows(path):
    with open(path, newline='', encoding='utf-8') as file:
        return list(csv.reader(file))


@pytest.fixture(scope='module')
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp('lms')
    submitted = base / 'submitted'
    for student in ('ada', 'ben', 'cleo', 'gus', 'hana'):      # hana is not on the roster
        for stage in STAGES:
            shutil.copytree(SAMPLE / student / stage, submitted / student / stage)
    # ben: two days and a bit late for 01-value; ada: within the grace period.
    (submitted / 'ben' / '01-value' / 'timestamp.txt').write_text(
        '2026-02-05 10:00:00.000000 UTC')
    (submitted / 'ada' / '01-value' / 'timestamp.txt').write_text(
        '2026-02-03 00:10:00.000000 UTC')
    (submitted / 'cleo' / '01-value' / 'timestamp.txt').write_text('2026-02-01 12:00:00 UTC')
    (base / 'roster.csv').write_text(ROSTER)
    (base / 'course.toml').write_text(CONFIG)
    out = base / 'grades'
    done = run_cli('grade', submitted, '--out', out, '--jobs', '2', '--roster',
                   base / 'roster.csv', '--config', base / 'course.toml',
                   *(f'--stage={s}' for s in STAGES))
    assert done.returncode == 0, done.stderr
    return out, done


@pytest.mark.slow
def test_every_rostered_student_has_a_row_and_unknown_folders_are_reported(graded):
    out, done = graded
    assert 'not on the roster, not graded: hana' in done.stderr
    rows = read_rows(out / 'grades.csv')
    header, rows = rows[0], rows[1:]
    table = {(r[0], r[1]): dict(zip(header, r)) for r in rows}
    assert sorted({s for s, _ in table}) == ['ada', 'ben', 'cleo', 'gus', 'zoe']
    assert table[('zoe', '01-value')]['status'] == 'missing_notebook'
    assert table[('zoe', '01-value')]['lms_id'] == '1005'
    # ben is 3 started days late on 01-value: 30% off his full marks; the raw score kept.
    ben = table[('ben', '01-value')]
    assert (ben['score'], ben['raw_score'], ben['late_days']) == (
        f'{LATE_VALUE:g}', f'{VALUE:g}', '3')
    assert ben['submitted_at'] == '2026-02-05T10:00:00+00:00'
    assert '3 day(s) late' in ben['note']
    ada = table[('ada', '01-value')]    # 11 minutes late, inside the 15-minute grace
    assert (ada['score'], ada['raw_score'], ada['late_days']) == (f'{VALUE:g}', f'{VALUE:g}', '0')


@pytest.mark.slow
def test_the_learners_feedback_says_why_the_grade_recorded_differs(graded):
    out, _ = graded
    late = (f'Grade recorded: {LATE_VALUE:g} / {VALUE:g} (3 day(s) late); '
            f'the tests gave {VALUE:g}.')
    assert late in (out / 'feedback' / 'ben' / '01-value.md').read_text()
    assert late in (out / 'feedback' / 'ben' / '01-value.html').read_text()
    for on_time in (out / 'feedback' / 'ada' / '01-value.md',
                    out / 'feedback' / 'ben' / '02-operations.md'):
        assert 'Grade recorded' not in on_time.read_text()


@pytest.mark.slow
def test_canvas_csv_has_canvas_columns_and_the_penalty(graded):
    out, _ = graded
    rows = read_rows(out / 'canvas.csv')
    assert rows[0] == ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', *STAGES]
    value, late, operations = f'{VALUE:g}', f'{LATE_VALUE:g}', f'{OPERATIONS:g}'
    assert rows[1] == ['Points Possible', '', '', '', '', value, operations]
    assert rows[2:] == [
        ['Ada Lovelace', '1001', 'ada', 'ada@uni.example', 'A', value, operations],
        ['Ben Okri', '1002', 'ben', 'ben@uni.example', 'A', late, operations],
        ['Cleo Laine', '1003', 'cleo', 'cleo@uni.example', 'B', value, operations],
        ['Gus Grissom', '1004', 'gus', 'gus@uni.example', 'B', value, '0'],
        ['Zoe Saldana', '1005', 'zoe', 'zoe@uni.example', 'B', '0', '0']]


@pytest.mark.slow
def test_moodle_csv_has_an_identifier_and_one_column_per_grade_item(graded):
    out, _ = graded
    value, late, operations = f'{VALUE:g}', f'{LATE_VALUE:g}', f'{OPERATIONS:g}'
    assert read_rows(out / 'moodle.csv') == [
        ['Email address', 'ID number', *STAGES],
        ['ada@uni.example', 'ada', value, operations],
        ['ben@uni.example', 'ben', late, operations],
        ['cleo@uni.example', 'cleo', value, operations],
        ['gus@uni.example', 'gus', value, '0'],
        ['zoe@uni.example', 'zoe', '0', '0']]


@pytest.mark.slow
def test_gradescope_results_carry_the_penalty_as_a_test(graded):
    import json
    data = json.loads((graded[0] / 'gradescope' / 'ben' / 'results.json').read_text())
    assert data['score'] == pytest.approx(LATE_VALUE + OPERATIONS)
    assert data['score'] == pytest.approx(sum(t['score'] for t in data['tests']))
    penalty = [t for t in data['tests'] if 'late' in t['name']]
    assert [t['score'] for t in penalty] == [pytest.approx(LATE_VALUE - VALUE)]


def test_the_roster_needs_a_student_id_column_and_unique_ids():
    with pytest.raises(RosterError, match='student_id column'):
        parse_roster('name,email\nAda,a@x\n')
    with pytest.raises(RosterError, match='line 3.*twice'):
        parse_roster('student_id\nada\nada\n')
    roster = parse_roster('email,student_id,extra\nb@x,ben\na@x,ada\n')
    assert roster.ids == ['ada', 'ben'] and roster.get('ben').email == 'b@x'


def test_config_errors_name_what_to_fix():
    with pytest.raises(ConfigError, match='not a stage'):
        parse_config('[deadlines]\n"09-nope" = 2026-01-01T00:00:00Z\n')
    with pytest.raises(ConfigError, match='time zone'):
        parse_config('[deadlines]\n"01-value" = 2026-01-01T00:00:00\n')
    with pytest.raises(ConfigError, match='unknown key'):
        parse_config('[late]\npenalty = 3\n')
    with pytest.raises(ConfigError, match='not valid TOML'):
        parse_config('[late\n')
    with pytest.raises(ConfigError, match=r'must be a section, \[late\]'):
        parse_config('late = 3\n')


def test_late_days_grace_and_the_cap():
    config = parse_config('[late]\ngrace_minutes = 30\npenalty_percent_per_day = 25\n'
                          'max_late_days = 2\n[deadlines]\n"01-value" = 2026-01-01T12:00:00Z\n')
    result = StageResult('01-value', GRADED, 6.0, 8.0)

    def graded_at(text):
        context = ExportContext(config=config, submitted_at={('a', '01-value'): parse_time(text)})
        return context.grade('a', '01-value', result)
    assert graded_at('2026-01-01 12:29:00 UTC').score == 6.0              # in the grace
    assert (graded_at('2026-01-01T13:00:00Z').score, graded_at('2026-01-01T13:00:00Z')
            .late_days) == (4.5, 1)
    assert graded_at('2026-01-03 11:00:00 UTC').score == 3.0              # 2 days: -50%
    assert graded_at('2026-01-03 13:00:00 UTC').score == 0.0              # 3 > max_late_days
    assert graded_at('2026-01-03 13:00:00 UTC').raw == 6.0
    assert parse_time('yesterday') is None
    assert parse_time('2026-01-01 10:00:00') == datetime(2026, 1, 1, 10, tzinfo=timezone.utc)


def test_the_sample_roster_and_config_fit_the_sample_class():
    from autograder.policy import read_config
    from autograder.roster import read_roster
    roster = read_roster(ROOT / 'examples' / 'roster.csv')
    handed_in = sorted(p.name for p in SAMPLE.iterdir() if p.is_dir())
    assert [s for s in roster.ids if s not in handed_in] == ['zoe']     # one non-submitter
    assert set(handed_in) <= set(roster.ids)
    config = read_config(ROOT / 'examples' / 'course.toml')
    assert sorted(config.deadlines) == list(course.STAGE_IDS)
