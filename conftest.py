"""The test tiers of the whole project (STYLE.md §10), for every folder pytest collects.

``pytest`` runs the fast tier: ``addopts`` in pyproject.toml deselects ``slow`` and
``benchmark``. ``pytest -m "slow and not benchmark"`` runs the slow tier; ``.ci/run`` runs
both. Besides the tests marked ``@pytest.mark.slow`` by hand (long end-to-end runs), the slow
tier holds by rule, so that a new test of these kinds lands there without a mark:

* the validity experiments (``tests/validation``): each simulates weeks of many streets;
* the notebooks, which nbmake runs from top to bottom;
* the Hypothesis property tests, which run a solver or simulator on many generated inputs.

Hypothesis runs without its clock-based checks (``deadline=None``, no ``too_slow``), so that
a busy machine fails no test: no test depends on the clock.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent
VALIDATION = ROOT / "tests" / "validation"

settings.register_profile("patrolsim", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("patrolsim")


def is_slow(item: pytest.Item) -> bool:
    """Whether ``item`` belongs to the slow tier by rule (see the module docstring)."""
    path = Path(item.path)
    return (path.suffix == ".ipynb"
            or path.is_relative_to(VALIDATION)
            or bool(getattr(getattr(item, "obj", None), "is_hypothesis_test", False)))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the slow tier's tests ``slow``."""
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)
