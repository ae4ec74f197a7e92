"""The `autograder` command line: one subcommand per module.

Each subcommand module exposes `add_arguments(parser)` and
`run(args) -> int` (the exit code). Only the chosen subcommand's module is
imported, so `autograder check` does not pay for nbgrader or matplotlib.
"""

import argparse
import importlib
import sys

SUBCOMMANDS = {
    'check': "check your notebook for one stage with the grader's hidden tests",
    'progress': 'every stage of your notebooks: not started, in progress or passing, and points',
    'grade': 'grade a class in nbgrader layout: gradebook, grades.csv, feedback, class report',
    'release': 'regenerate the student notebooks in lessons/ from solutions/',
    'export': 'the Gradescope autograder zip, or every export again from a gradebook',
    'merge': 'combine the gradebooks of `grade --shard` runs into one, and export',
    'override': 'a manual grade with its reason (audit trail), applied in every export',
}
MODULES = {'progress': 'progress_report'}     # progress.py is grade's progress bar


def build_parser(command=None):
    """The parser; the arguments of `command` (if given) are loaded from its module."""
    parser = argparse.ArgumentParser(
        prog='autograder',
        description='Check and grade micrograd-course notebooks.')
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND')
    for name, help_text in SUBCOMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if name == command:
            module = importlib.import_module(f'autograder.{MODULES.get(name, name)}')
            module.add_arguments(sub)
            sub.set_defaults(run=module.run)
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((arg for arg in argv if not arg.startswith('-')), None)
    parser = build_parser(command if command in SUBCOMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.run(args)


if __name__ == '__main__':
    sys.exit(main())
