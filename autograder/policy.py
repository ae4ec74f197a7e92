"""From the score the code earned to the grade that leaves the machine.

The course config file (TOML, given to `autograder grade --config`) holds the
per-stage deadlines and the late policy:

    [late]
    grace_minutes = 15              # this much after a deadline is still on time
    penalty_percent_per_day = 10    # of the earned points, per started day late (0: none)
    max_late_days = 7               # later than this scores 0 (optional)

    [deadlines]                     # with a time zone; stages without one are never late
    "01-value" = 2026-02-02T23:59:00Z

ExportContext carries that policy, the roster, the manual overrides and the
submission times to every exporter; `ExportContext.grade` is the one place that
turns a raw score into the exported one, so every export agrees.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from autograder import course
from autograder.results import MISSING_NOTEBOOK, StageResult


class ConfigError(Exception):
    """The course config cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class LatePolicy:
    grace_minutes: float = 0.0
    penalty_percent_per_day: float = 0.0
    max_late_days: int | None = None


@dataclass(frozen=True)
class CourseConfig:
    deadlines: dict = field(default_factory=dict)     # stage -> aware datetime
    late: LatePolicy = LatePolicy()
    text: str = ''                                    # the TOML it was read from

    def late_days(self, stage, submitted_at):
        """Started days after the stage's deadline; 0 within the grace period or unknown."""
        deadline = self.deadlines.get(stage)
        if deadline is None or submitted_at is None:
            return 0
        late = submitted_at - deadline
        if late <= timedelta(minutes=self.late.grace_minutes):
            return 0
        return math.ceil(late / timedelta(days=1))


def parse_config(text, where='the course config'):
    # Imported here: only a course config needs TOML (Gradescope's container never does).
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the instructor extra installs tomli
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f'{where}: not valid TOML: {error}') from None
    unknown = set(data) - {'late', 'deadlines'}
    if unknown:
        raise ConfigError(f'{where}: unknown section(s) {", ".join(sorted(unknown))} '
                          '(expected [late] and [deadlines])')
    late = data.get('late', {})
    for section in ('late', 'deadlines'):
        if not isinstance(data.get(section, {}), dict):
            raise ConfigError(f'{where}: {section} must be a section, [{section}]')
    keys = {'grace_minutes', 'penalty_percent_per_day', 'max_late_days'}
    if set(late) - keys:
        raise ConfigError(f'{where}: unknown key(s) in [late]: '
                          f'{", ".join(sorted(set(late) - keys))} '
                          f'(expected {", ".join(sorted(keys))})')
    for key, value in late.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ConfigError(f'{where}: [late] {key} must be a number >= 0, not {value!r}')
    if late.get('penalty_percent_per_day', 0) > 100:
        raise ConfigError(f'{where}: [late] penalty_percent_per_day is at most 100')
    deadlines = {}
    for stage, value in data.get('deadlines', {}).items():
        if stage not in course.STAGE_IDS:
            raise ConfigError(f'{where}: [deadlines] {stage!r} is not a stage '
                              f'({", ".join(course.STAGE_IDS)})')
        when = parse_time(value) if isinstance(value, str) else value
        if not isinstance(when, datetime) or when.tzinfo is None:
            raise ConfigError(f'{where}: [deadlines] {stage} must be a date and time with a '
                              f'time zone, such as 2026-02-02T23:59:00Z, not {value!r}')
        deadlines[stage] = when
    max_days = late.get('max_late_days')
    policy = LatePolicy(float(late.get('grace_minutes', 0)),
                        float(late.get('penalty_percent_per_day', 0)),
                        None if max_days is None else int(max_days))
    return CourseConfig(deadlines, policy, text)


def read_config(path):
    try:
        text = open(path, encoding='utf-8').read()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f'cannot read the course config {path}: {error}') from None
    return parse_config(text, str(path))


def parse_time(text):
    """A time as nbgrader's timestamp.txt writes it ('2026-02-03 10:00:00.000000 UTC') or
    ISO 8601; a time without a zone is UTC (nbgrader's). None when it is not a time."""
    text = text.strip()
    for suffix in (' UTC', 'Z'):
        if text.endswith(suffix):
            text = text[:-len(suffix)] + '+00:00'
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Override:
    points: float
    reason: str


@dataclass(frozen=True)
class Grade:
    raw: float                   # what the code earned
    score: float                 # what is exported: late penalty, then any override
    max_score: float
    late_days: int = 0
    override: float | None = None
    note: str = ''               # why score differs from raw, in words


@dataclass(frozen=True)
class ExportContext:
    roster: object = None                               # autograder.roster.Roster or None
    config: CourseConfig = CourseConfig()
    overrides: dict = field(default_factory=dict)       # (student, stage) -> Override
    submitted_at: dict = field(default_factory=dict)    # (student, stage) -> datetime

    def grade(self, student, stage, result):
        late_days = self.config.late_days(stage, self.submitted_at.get((student, stage)))
        score, notes = result.score, []
        if late_days:
            policy = self.config.late
            if policy.max_late_days is not None and late_days > policy.max_late_days:
                score = 0.0
            else:
                kept = max(0.0, 1 - policy.penalty_percent_per_day * late_days / 100)
                score = result.score * kept
            score = round(score, 4)
            notes.append(f'{late_days} day(s) late')
        override = self.overrides.get((student, stage))
        if override is not None:
            score = override.points
            notes.append(f'set by the instructor: {override.reason}')
        return Grade(result.score, score, result.max_score, late_days,
                     None if override is None else override.points, '; '.join(notes))

    def select(self, results):
        """results as exported: with a roster, only rostered students, and every rostered
        student on every stage anyone has, as missing_notebook when there is no row."""
        if self.roster is None:
            return list(results)
        ids = set(self.roster.ids)
        stages = sorted({stage for _, stage, _ in results})
        have = {(student, stage): result for student, stage, result in results
                if student in ids}
        for student in ids:
            for stage in stages:
                have.setdefault((student, stage), StageResult(
                    stage, MISSING_NOTEBOOK, 0.0, float(course.stage(stage).max_score),
                    message='Nothing was handed in for this stage.'))
        return [(student, stage, have[(student, stage)]) for student, stage in sorted(have)]

    def student(self, student_id):
        """The roster's entry for student_id, or None."""
        return None if self.roster is None else self.roster.get(student_id)


NO_CONTEXT = ExportContext()    # no roster, no deadlines, no overrides: raw scores as they are
