"""The course's grading package: hidden suites, sandboxed runner, CLI and reports."""
