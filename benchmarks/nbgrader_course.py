"""The baseline of benchmarks/grading.py: a throwaway nbgrader course, graded by nbgrader itself.

The course is built in a temporary folder the way an instructor would: the solution
notebooks as nbgrader's source (generate_assignment per stage fills the gradebook,
hidden tests included), the submissions copied as its submitted/ folder, then
`nbgrader autograde STAGE --create --force` per stage. Every command is nbgrader's own
CLI, run with this interpreter (the venv), so the kernels it starts can import
`autograder.inkernel`, which the hidden test cells call.
"""

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

CONFIG = """\
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = 'micrograd-course-benchmark'
c.CourseDirectory.source_directory = 'source'
c.CourseDirectory.release_directory = 'release'
c.CourseDirectory.submitted_directory = 'submitted'
c.CourseDirectory.autograded_directory = 'autograded'
c.CourseDirectory.db_url = 'sqlite:///gradebook.db'
# The 08-training demo trains for about a minute in one cell; nbgrader's default of
# 30 s per cell would cut it off and grade a broken run.
c.Execute.timeout = 600
"""


@dataclass(frozen=True)
class Command:
    """One nbgrader command: how long it took, its exit code, and its log file."""
    stage: str
    seconds: float
    returncode: int
    log: Path

    def tail(self, lines=30):
        return '\n'.join(self.log.read_text(encoding='utf-8').splitlines()[-lines:])

    def errors(self):
        """nbgrader's own words for each submission it could not grade (not its tracebacks)."""
        text = self.log.read_text(encoding='utf-8', errors='replace')
        text = text.replace(str(self.log.parent), 'COURSE')   # the log lies in the course root
        return [line.split('ERROR]', 1)[1].strip() for line in text.splitlines()
                if '| ERROR]' in line
                and ('for student' in line or 'No notebooks were matched' in line)]


@dataclass(frozen=True)
class Grade:
    """nbgrader's grade of one submission: total, and the hidden test cell on its own.

    `graded` is False when nbgrader recorded the submission but scored none of its cells
    (it could not run the notebook); its score then reads 0.
    """
    score: float
    max_score: float
    hidden_score: float
    hidden_max: float
    graded: bool


def make_course(root, source, submitted):
    """A fresh nbgrader course in root: source/, submitted/ and nbgrader_config.py."""
    root = Path(root)
    root.mkdir(parents=True)
    shutil.copytree(source, root / 'source')
    shutil.copytree(submitted, root / 'submitted')
    (root / 'nbgrader_config.py').write_text(CONFIG, encoding='utf-8')
    return root


def nbgrader(root, *args, log, wrap=None):
    """Run `python -m nbgrader ARGS` in the course root; a Command with its timing.
    `wrap` may prefix the command line (a CPU meter's cgroup)."""
    env = dict(os.environ)
    # nbgrader runs the `alembic` program next to this interpreter to set up the gradebook.
    env['PATH'] = os.pathsep.join([str(Path(sys.executable).parent), env.get('PATH', '')])
    with open(log, 'w', encoding='utf-8') as out:
        started = time.perf_counter()
        command = [sys.executable, '-m', 'nbgrader', *args]
        done = subprocess.run(wrap(command) if wrap else command, cwd=root, env=env,
                              stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
    return Command(args[1], seconds, done.returncode, Path(log))


def generate(root, stage):
    """`nbgrader generate_assignment`: the stage and its grade cells go into the gradebook."""
    command = nbgrader(root, 'generate_assignment', stage, '--create', '--force',
                       log=Path(root) / f'generate-{stage}.log')
    if command.returncode != 0:
        raise RuntimeError(f'nbgrader generate_assignment {stage} failed:\n{command.tail()}')
    return command


def autograde(root, stage, wrap=None):
    """`nbgrader autograde`: every student's submission of the stage, one after the other.

    Exits 1 when some submission could not be graded (the others still are); that is
    a result to report, not a failure of the benchmark.
    """
    command = nbgrader(root, 'autograde', stage, '--create', '--force',
                       log=Path(root) / f'autograde-{stage}.log', wrap=wrap)
    if command.returncode not in (0, 1):
        raise RuntimeError(f'nbgrader autograde {stage} exited {command.returncode}:\n'
                           f'{command.tail()}')
    return command


def grades(root, stages):
    """{(student, stage): Grade} for every submission nbgrader recorded in its gradebook."""
    from nbgrader.api import Gradebook, MissingEntry  # slow to import: only when needed

    found = {}
    with Gradebook(f'sqlite:///{Path(root) / "gradebook.db"}') as book:
        for student in book.students:
            for stage in stages:
                try:
                    submission = book.find_submission(stage, student.id)
                except MissingEntry:
                    continue
                cells = [g for n in submission.notebooks for g in n.grades]
                hidden = [g for g in cells if g.name == f'hidden-{stage}']
                found[student.id, stage] = Grade(
                    submission.score, submission.max_score,
                    sum(g.score for g in hidden), sum(g.max_score for g in hidden),
                    graded=bool(cells) and all(g.auto_score is not None for g in cells))
    return found
