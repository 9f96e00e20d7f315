"""Case logs: reading a bureau's export, placing cases on patches, calibration, back-tests.

The data flow (DESIGN.md): case log + mapping ──read──▶ cases ──place──▶ cases on patches
──calibrate (simulation-based)──▶ scenario files; and back-tests score forecasts of weeks the
fit has not seen.
"""

from __future__ import annotations

from patrolsim.caselog.read import CaseLog, CaseMapping, load_mapping, read_caselog

__all__ = ["CaseLog", "CaseMapping", "load_mapping", "read_caselog"]
