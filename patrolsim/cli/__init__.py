"""The ``patrolsim`` console script.

Each subcommand lives in its own module in this package and is found automatically: a module
defines ``register(subparsers) -> None``, which adds its parser and sets ``func`` (taking the
parsed ``argparse.Namespace`` and returning an exit status). Subcommands wrap one library
function each and write their files under ``--out`` (STYLE.md §8).

Errors in user input (:class:`~patrolsim.errors.ScenarioError`) are printed one per line and
end the program with status 2, never with a traceback; so are operating-system errors (disk
full, permission denied: one line, status 2). SIGTERM is turned into
:class:`~patrolsim.errors.Terminated` so that a stopped run cleans up as on Ctrl-C, and the
console streams replace characters they cannot encode (a cp1252 console, a folder name that
is not UTF-8) instead of failing after the work is done.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import pkgutil
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from types import FrameType

from patrolsim._version import __version__
from patrolsim.errors import InfeasibleError, ScenarioError, Terminated

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


def _tolerant_streams() -> None:
    """Let stdout and stderr show what they cannot encode as escapes instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


@contextlib.contextmanager
def _sigterm_as_exception() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while the block runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _os_message(exc: OSError) -> str:
    where = exc.filename if exc.filename is not None else ""
    what = exc.strerror or str(exc)
    return f"{where}: {what}" if where else what


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    _tolerant_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _sigterm_as_exception():
            return int(args.func(args))
    except ScenarioError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        n = len(exc.problems)
        print(
            f"patrolsim: {n} problem{'s' if n != 1 else ''} found; nothing was written.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except InfeasibleError as exc:
        print(f"patrolsim: {exc}", file=sys.stderr)
        return EXIT_INFEASIBLE
    except Terminated:
        print("patrolsim: terminated; --out was left as it was.", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print(
            "patrolsim: interrupted; --out was left as it was (a sweep keeps its finished runs).",
            file=sys.stderr,
        )
        return 130
    except OSError as exc:
        print(
            f"patrolsim: cannot go on: {_os_message(exc)}; --out was left as it was.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
