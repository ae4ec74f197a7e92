"""The gradebook: SQLite, the single source of truth every export is rendered from.

`results` holds the current grade of each (student, stage), written one transaction
per result. A row remembers what was graded (the notebook's SHA-256), when it was
handed in (nbgrader's timestamp.txt) and by what (the grader version), so a run that
was killed resumes where it stopped and an unchanged submission is never graded twice.
`history` keeps every version a student handed in, `overrides` every manual grade
with its reason (the latest per (student, stage) applies; none is ever deleted), and
`settings` the roster and course config the grades are exported with. Gradebooks of
disjoint shards merge into one (`merge_from`).
"""

import getpass
import hashlib
import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from autograder.results import GRADER_ERROR, StageResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    student         TEXT NOT NULL,
    stage           TEXT NOT NULL,
    notebook_sha256 TEXT NOT NULL,   -- '' when there was no notebook to read
    grader_version  TEXT NOT NULL,
    status          TEXT NOT NULL,
    score           REAL NOT NULL,
    max_score       REAL NOT NULL,
    result_json     TEXT NOT NULL,   -- the whole StageResult, tests and feedback included
    confinement     TEXT NOT NULL DEFAULT '',  -- the sandbox's level (autograder/isolation.py)
    submitted_at    TEXT NOT NULL DEFAULT '',   -- ISO 8601 from timestamp.txt, '' if none
    PRIMARY KEY (student, stage)
);
CREATE TABLE IF NOT EXISTS history (  -- every version handed in, graded by the newest grader
    student         TEXT NOT NULL,
    stage           TEXT NOT NULL,
    notebook_sha256 TEXT NOT NULL,
    submitted_at    TEXT NOT NULL,
    grader_version  TEXT NOT NULL,
    status          TEXT NOT NULL,
    score           REAL NOT NULL,
    max_score       REAL NOT NULL,
    result_json     TEXT NOT NULL,
    PRIMARY KEY (student, stage, notebook_sha256)
);
CREATE TABLE IF NOT EXISTS overrides (  -- the audit trail: rows are added, never changed
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    student         TEXT NOT NULL,
    stage           TEXT NOT NULL,
    points          REAL,            -- NULL: the override was withdrawn
    reason          TEXT NOT NULL,
    author          TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    key             TEXT PRIMARY KEY,
    value           TEXT NOT NULL
);
"""
TABLES = ('results', 'history', 'overrides', 'settings')


class MergeConflict(Exception):
    """Two gradebooks disagree about the same row (shards that overlap)."""


def file_sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def tree_fingerprint(paths):
    """One hash over the names and bytes of files: changes whenever any of them changes."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        digest.update(path.name.encode() + b'\0' + path.read_bytes() + b'\0')
    return digest.hexdigest()


class Gradebook:
    def __init__(self, path):
        self.path = Path(path)
        # Autocommit: every statement is its own transaction unless grouped by _transaction.
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute('PRAGMA journal_mode=WAL')  # a SIGKILL never leaves a half-written row
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute('PRAGMA table_info(results)')}
        for name in ('confinement', 'submitted_at'):   # a gradebook from before the column
            if name not in columns:
                self.db.execute(f"ALTER TABLE results ADD COLUMN {name} TEXT NOT NULL DEFAULT ''")

    def close(self):
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextmanager
    def _transaction(self):
        if self.db.in_transaction:      # inside batch(): one commit for the lot
            yield
            return
        self.db.execute('BEGIN IMMEDIATE')
        try:
            yield
        except BaseException:
            self.db.execute('ROLLBACK')
            raise
        self.db.execute('COMMIT')

    def batch(self):
        """Several records in one transaction: a chunk's results arrive together, and one
        commit (a write to disk) each was most of what recording a class cost."""
        return self._transaction()

    def is_current(self, student, stage, notebook_sha256, grader_version, submitted_at=''):
        """True when this exact notebook, handed in at this time, was already graded by this
        exact grader."""
        row = self.db.execute(
            'SELECT notebook_sha256, grader_version, status, submitted_at FROM results '
            'WHERE student = ? AND stage = ?', (student, stage)).fetchone()
        # A grader error is our bug, not a grade: always try again.
        return row is not None and row[:2] == (notebook_sha256, grader_version) \
            and row[2] != GRADER_ERROR and row[3] == submitted_at

    def record(self, student, stage, notebook_sha256, grader_version, result, submitted_at=''):
        """Store one result as the current one and in the history: one transaction."""
        values = (student, stage, notebook_sha256, grader_version, result.status,
                  result.score, result.max_score, json.dumps(result.to_dict(), sort_keys=True))
        with self._transaction():
            self.db.execute(
                'INSERT OR REPLACE INTO results (student, stage, notebook_sha256, '
                'grader_version, status, score, max_score, result_json, confinement, '
                'submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                (*values, result.confinement, submitted_at))
            if notebook_sha256:
                self.db.execute('INSERT OR REPLACE INTO history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                                (*values[:3], submitted_at, *values[3:]))

    def results(self):
        """Every stored result as (student, stage, StageResult), sorted by student then stage."""
        rows = self.db.execute(
            'SELECT student, stage, result_json FROM results ORDER BY student, stage')
        return [(student, stage, StageResult.from_dict(json.loads(text)))
                for student, stage, text in rows]

    def rows(self):
        """The raw table, sorted: what 'the same gradebook' means when two runs are compared."""
        return self.db.execute('SELECT * FROM results ORDER BY student, stage').fetchall()

    def history(self, student, stage):
        """[(submitted_at, notebook_sha256, status, score)] of every version, oldest first."""
        return self.db.execute(
            'SELECT submitted_at, notebook_sha256, status, score FROM history '
            'WHERE student = ? AND stage = ? ORDER BY submitted_at, notebook_sha256',
            (student, stage)).fetchall()

    def submitted_at(self):
        """{(student, stage): aware datetime} for the results with a known hand-in time."""
        rows = self.db.execute("SELECT student, stage, submitted_at FROM results "
                               "WHERE submitted_at != ''")
        return {(student, stage): datetime.fromisoformat(when) for student, stage, when in rows}

    # Manual overrides: an audit trail, applied in every export.

    def add_override(self, student, stage, points, reason, author=None, at=None):
        """Record a manual grade (points=None withdraws the current one)."""
        author = author or _user()
        at = at or datetime.now(timezone.utc).isoformat(timespec='seconds')
        self.db.execute('INSERT INTO overrides (student, stage, points, reason, author, '
                        'recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
                        (student, stage, points, reason, author, at))

    def override_log(self):
        """Every override ever recorded, oldest first: (student, stage, points, reason, author,
        recorded_at)."""
        return self.db.execute('SELECT student, stage, points, reason, author, recorded_at '
                               'FROM overrides ORDER BY seq').fetchall()

    def overrides(self):
        """{(student, stage): Override} of the overrides in force (the latest of each)."""
        from autograder.policy import Override
        active = {}
        for student, stage, points, reason, _, _ in self.override_log():
            if points is None:
                active.pop((student, stage), None)
            else:
                active[(student, stage)] = Override(points, reason)
        return active

    # Settings: the roster and course config the exports use.

    def set_setting(self, key, value):
        self.db.execute('INSERT OR REPLACE INTO settings VALUES (?, ?)', (key, value))

    def setting(self, key):
        row = self.db.execute('SELECT value FROM settings WHERE key = ?', (key,)).fetchone()
        return None if row is None else row[0]

    def context(self):
        """The ExportContext stored with these grades: roster, config, overrides, times."""
        from autograder.policy import CourseConfig, ExportContext, parse_config
        from autograder.roster import parse_roster
        roster, config = self.setting('roster'), self.setting('config')
        return ExportContext(
            roster=parse_roster(roster) if roster else None,
            config=parse_config(config) if config else CourseConfig(),
            overrides=self.overrides(), submitted_at=self.submitted_at())

    def merge_from(self, path):
        """Add every row of the gradebook at path; MergeConflict if a row disagrees."""
        self.db.execute('ATTACH DATABASE ? AS other', (str(path),))
        try:
            with self._transaction():
                for table, keys in (('results', ('student', 'stage')),
                                    ('history', ('student', 'stage', 'notebook_sha256')),
                                    ('settings', ('key',))):
                    clash = self._clashes(table, keys)
                    if clash:
                        more = f' and {len(clash) - 1} more' if len(clash) > 1 else ''
                        raise MergeConflict(f'{path} disagrees with the gradebook it is merged '
                                            f'into: {table} {clash[0]}{more}')
                    names = ', '.join(row[1] for row in
                                      self.db.execute(f'PRAGMA main.table_info({table})'))
                    self.db.execute(f'INSERT OR IGNORE INTO main.{table} ({names}) '
                                    f'SELECT {names} FROM other.{table}')
                # Overrides are a log: add the ones not already in it, in their order.
                self.db.execute(
                    'INSERT INTO main.overrides (student, stage, points, reason, author, '
                    'recorded_at) SELECT student, stage, points, reason, author, recorded_at '
                    'FROM other.overrides o WHERE NOT EXISTS (SELECT 1 FROM main.overrides m '
                    'WHERE m.student = o.student AND m.stage = o.stage AND m.points IS o.points '
                    'AND m.reason = o.reason AND m.author = o.author '
                    'AND m.recorded_at = o.recorded_at) ORDER BY recorded_at, seq')
        finally:
            self.db.execute('DETACH DATABASE other')

    def _clashes(self, table, keys):
        """The keys present in both main and other with different rows."""
        on = ' AND '.join(f'a.{k} = b.{k}' for k in keys)
        columns = [row[1] for row in self.db.execute(f'PRAGMA main.table_info({table})')]
        differ = ' OR '.join(f'a.{c} IS NOT b.{c}' for c in columns if c not in keys)
        return self.db.execute(f'SELECT {", ".join("a." + k for k in keys)} FROM main.{table} a '
                               f'JOIN other.{table} b ON {on} WHERE {differ}').fetchall()


def _user():
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return 'unknown'
