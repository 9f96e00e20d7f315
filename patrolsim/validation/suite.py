"""All seven validity checks, with the reference district's violation types where needed."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from patrolsim.scenario.model import Scenario
from patrolsim.validation import build
from patrolsim.validation.campaigns import crackdown, tipping
from patrolsim.validation.disorder import broken_windows
from patrolsim.validation.hotspots import displacement, presence_dose
from patrolsim.validation.koper import erlang_queue, koper_curve
from patrolsim.validation.levers import camera, shopfront, stall_zone
from patrolsim.validation.result import CheckResult

CHECKS: tuple[str, ...] = (
    "koper",
    "crackdown",
    "tipping",
    "dose",
    "displacement",
    "broken_windows",
    "erlang",
    "stall_zone",
    "camera",
    "shopfront",
)
"""Keys of the checks, in the issue's order (1–7), then the levers (8–10)."""

VENDOR = "street_vending"
SHOPFRONT = "shopfront_occupation"


def check_functions(reference: Scenario) -> dict[str, Callable[[], CheckResult]]:
    """One zero-argument function per check, using ``reference``'s violation types.

    Checks 1, 4 and 7 use the calibrated :class:`~patrolsim.scenario.model.Dynamics`
    defaults; check 2 the reference district's street vendors, check 5 its vendors and
    shop-front occupation, check 6 all its types plus a control type without the effect;
    check 3 its own swamping parameter set.
    """

    def vendor() -> CheckResult:
        return crackdown(build.with_flat_profiles(reference.violation_type(VENDOR)))

    def spill() -> CheckResult:
        return displacement([reference.violation_type(VENDOR), reference.violation_type(SHOPFRONT)])

    def windows() -> CheckResult:
        return broken_windows([*reference.violation_types, build.violation_type("control")])

    return {
        "koper": koper_curve,
        "crackdown": vendor,
        "tipping": tipping,
        "dose": presence_dose,
        "displacement": spill,
        "broken_windows": windows,
        "erlang": erlang_queue,
        "stall_zone": lambda: stall_zone(reference.violation_type(VENDOR)),
        "camera": camera,
        "shopfront": lambda: shopfront(reference.violation_type(SHOPFRONT)),
    }


def run_all(
    reference: Scenario,
    only: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[CheckResult, ...]:
    """Run the checks (all, or those named in ``only``) and return their results in order."""
    functions = check_functions(reference)
    keys = [k for k in CHECKS if only is None or k in only]
    unknown = set(only or ()) - set(CHECKS)
    if unknown:
        raise ValueError(f"Expected check names in {CHECKS}, got {sorted(unknown)}.")
    results = []
    for key in keys:
        if progress is not None:
            progress(key)
        results.append(functions[key]())
    return tuple(results)


def summary_table(results: Sequence[CheckResult]) -> pd.DataFrame:
    """One row per check: number, title, anchor, the model's figure, pass or fail."""
    return pd.DataFrame(
        [
            {
                "check": r.number,
                "title": r.title,
                "anchor": r.anchor,
                "model": r.figure,
                "result": "pass" if r.passed else "FAIL",
            }
            for r in results
        ]
    )
