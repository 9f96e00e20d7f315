"""The exceptions and warnings of patrolsim (one module, STYLE.md §3)."""

from __future__ import annotations

from collections.abc import Iterable


class PatrolsimError(Exception):
    """Base class of every error patrolsim raises on purpose."""


class ScenarioError(PatrolsimError, ValueError):
    """Bad user input; carries every problem found, one ``FILE:ROW: FIELD: message`` per line.

    Parameters
    ----------
    problems
        One formatted line per problem. The CLI prints them all and exits with status 2.
    """

    def __init__(self, problems: Iterable[str] | str) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class InfeasibleError(PatrolsimError):
    """An optimisation model has no solution; the message says which rules conflict."""


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM); raised so that clean-up runs as on Ctrl-C."""


class PatrolsimWarning(UserWarning):
    """Input is legal but suspicious."""
