"""The `autograder` command line: one subcommand per module.

Each subcommand module exposes `HELP` (one line), `add_arguments(parser)` and
`run(args) -> int` (the exit code).
"""

import argparse
import importlib
import sys

SUBCOMMANDS = ('check', 'grade', 'release')


def _available_subcommands():
    for name in SUBCOMMANDS:
        try:
            yield name, importlib.import_module(f'autograder.{name}')
        except ModuleNotFoundError as error:
            if error.name != f'autograder.{name}':
                raise


def build_parser():
    parser = argparse.ArgumentParser(
        prog='autograder',
        description='Check and grade micrograd-course notebooks.')
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND')
    for name, module in _available_subcommands():
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.run(args)


if __name__ == '__main__':
    sys.exit(main())
