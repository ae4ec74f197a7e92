"""What decides a grade, as one hash: a gradebook row graded under another hash is graded again.

The judging code is found by its structure, not by a list of file names: the modules
the stage's suite and the runner import (followed statically through `autograder` and
`micrograd`, so the reference's modules are in and plots.py or the exporters are not),
every file of the worker package that the sandbox ships, the stage's source notebook
(its given cells), and the effective limits.
"""

import ast
import hashlib
import importlib.util
from functools import lru_cache
from pathlib import Path

from autograder import course
from autograder.sandbox import WORKER_PACKAGE

OURS = ('autograder', 'micrograd')
ROOTS = ('autograder.runner', 'autograder.suites.conftest')


def _module_file(name):
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith('.py') else None


@lru_cache(maxsize=None)
def _imported(name, path):
    """The module names of ours that the file imports (also inside functions). Cached: the
    stages share most of their judging modules, and parsing them all again for each stage
    was over a second of a class's grading before its first submission."""
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parts = package.split('.')
                parts = parts[:len(parts) - node.level + 1]
                base = '.'.join(parts + ([node.module] if node.module else []))
            found.add(base)
            found.update(f'{base}.{alias.name}' for alias in node.names)  # submodules
    return {n for n in found if n.split('.')[0] in OURS}


@lru_cache(maxsize=None)
def judging_files(stage_id):
    """Every source file that takes part in judging stage_id, sorted."""
    roots = ROOTS + (f'autograder.suites.{course.stage(stage_id).suite_name}',)
    seen, files, todo = set(), set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        if path is None:
            continue          # a name imported from a module, not a module itself
        files.add(path)
        parts = name.split('.')
        todo.extend('.'.join(parts[:i]) for i in range(1, len(parts)))   # parent packages
        todo.extend(_imported(name, path))
    files.update(WORKER_PACKAGE.rglob('*.py'))
    files.add(course.SUITES / 'pytest.ini')      # the suites' pytest settings
    return tuple(sorted(files))


def _label(path):
    """autograder/judge.py: the same wherever the packages are installed."""
    top = next(p for p in path.parents if p.name in OURS and p.parent.name not in OURS)
    return path.relative_to(top.parent).as_posix()


def grader_version(stage_id, source_dir, limits):
    """The hash of stage_id's judging code, its source notebook and the limits in force;
    without a source_dir (None), of the judging code and the limits alone."""
    digest = hashlib.sha256()
    for path in judging_files(stage_id):
        digest.update(_label(path).encode() + b'\0' + path.read_bytes() + b'\0')
    if source_dir is not None:
        digest.update(course.stage(stage_id).notebook(source_dir).read_bytes() + b'\0')
    digest.update(repr(limits).encode())
    return digest.hexdigest()
