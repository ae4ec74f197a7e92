"""The gradebook: one SQLite row per (student, stage), written one transaction per result.

A row remembers what was graded (the notebook's SHA-256) and by what (the grader
version), so a run that was killed resumes where it stopped and an unchanged
submission is never graded twice. The gradebook is the single source of truth:
grades.csv, feedback, the class report and Gradescope files are all rendered from it.
"""

import hashlib
import json
import sqlite3
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
    PRIMARY KEY (student, stage)
)
"""


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
        # Autocommit: every statement is its own transaction, committed when it returns.
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute('PRAGMA journal_mode=WAL')  # a SIGKILL never leaves a half-written row
        self.db.execute(SCHEMA)
        columns = {row[1] for row in self.db.execute('PRAGMA table_info(results)')}
        if 'confinement' not in columns:     # a gradebook from before the column existed
            self.db.execute("ALTER TABLE results ADD COLUMN confinement TEXT NOT NULL DEFAULT ''")

    def close(self):
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def is_current(self, student, stage, notebook_sha256, grader_version):
        """True when this exact notebook was already graded by this exact grader."""
        row = self.db.execute(
            'SELECT notebook_sha256, grader_version, status FROM results '
            'WHERE student = ? AND stage = ?', (student, stage)).fetchone()
        # A grader error is our bug, not a grade: always try again.
        return row is not None and row[:2] == (notebook_sha256, grader_version) \
            and row[2] != GRADER_ERROR

    def record(self, student, stage, notebook_sha256, grader_version, result):
        """Store one result, replacing any older one: a single statement, so one transaction."""
        self.db.execute(
            'INSERT OR REPLACE INTO results (student, stage, notebook_sha256, grader_version, '
            'status, score, max_score, result_json, confinement) '
            'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            (student, stage, notebook_sha256, grader_version, result.status,
             result.score, result.max_score, json.dumps(result.to_dict(), sort_keys=True),
             result.confinement))

    def results(self):
        """Every stored result as (student, stage, StageResult), sorted by student then stage."""
        rows = self.db.execute(
            'SELECT student, stage, result_json FROM results ORDER BY student, stage')
        return [(student, stage, StageResult.from_dict(json.loads(text)))
                for student, stage, text in rows]

    def rows(self):
        """The raw table, sorted: what 'the same gradebook' means when two runs are compared."""
        return self.db.execute('SELECT * FROM results ORDER BY student, stage').fetchall()
