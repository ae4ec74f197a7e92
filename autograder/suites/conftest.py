"""Loads the grading plugin for every hidden suite (see autograder/plugin.py)."""

from autograder.plugin import (  # noqa: F401  (pytest finds hooks and fixtures by name)
    pytest_addoption,
    pytest_configure,
    pytest_generate_tests,
    pytest_runtest_makereport,
    ref,
    sub,
    submission,
)
