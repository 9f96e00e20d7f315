"""The ``patrolsim`` console script.

Each subcommand lives in its own module in this package and is found automatically: a module
defines ``register(subparsers) -> None``, which adds its parser and sets ``func`` (taking the
parsed ``argparse.Namespace`` and returning an exit status). Subcommands wrap one library
function each and write their files under ``--out`` (STYLE.md §8).

Errors in user input (:class:`~patrolsim.errors.ScenarioError`) are printed one per line and
end the program with status 2, never with a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from patrolsim._version import __version__
from patrolsim.errors import InfeasibleError, ScenarioError

EXIT_OK = 0
EXIT_INFEASIBLE = 1
EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors name the subcommand and exit with status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every subcommand module registered."""
    parser = _Parser(
        prog="patrolsim",
        description="Staffing, rosters and patrol routes for city-management enforcement.",
    )
    parser.add_argument("--version", action="version", version=f"patrolsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ScenarioError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        n = len(exc.problems)
        print(f"patrolsim: {n} problem{'s' if n != 1 else ''} found; nothing was written.",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except InfeasibleError as exc:
        print(f"patrolsim: {exc}", file=sys.stderr)
        return EXIT_INFEASIBLE
    except KeyboardInterrupt:
        print("patrolsim: interrupted; finished work was kept.", file=sys.stderr)
        return 130
