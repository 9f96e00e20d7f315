"""Tables and manifest of a simulation run folder (``kpis.csv``, ``timeseries.csv``, ...)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from patrolsim._version import __version__
from patrolsim.outputs import guard_frame, write_json, write_text
from patrolsim.scenario.load_levers import levers_document
from patrolsim.scenario.model import KPI_NAMES, Scenario
from patrolsim.sim.metrics import SimResult


def kpi_table(results: Sequence[SimResult]) -> pd.DataFrame:
    """One row per replication: seed, policy, staffing and every KPI."""
    rows = []
    for r in results:
        row: dict[str, object] = {"seed": r.seed, "policy": r.policy, "staffing": r.staffing}
        row.update({k: r.kpis[k] for k in KPI_NAMES})
        row.update({k: v for k, v in r.kpis.items() if k not in KPI_NAMES})
        rows.append(row)
    return pd.DataFrame(rows)


def timeseries_table(results: Sequence[SimResult]) -> pd.DataFrame:
    """``replication,date,type,violations_started,violation_hours,handled`` for all replications."""
    frames = []
    for i, r in enumerate(results):
        frame = r.timeseries()
        frame.insert(0, "replication", i)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def patch_kpi_table(results: Sequence[SimResult], scenario: Scenario) -> pd.DataFrame:
    """Per patch, mean over replications, with the patch's name, kind, tier and squad."""
    frames = [r.patch_kpis() for r in results]
    mean = pd.concat(frames).groupby("patch_id", sort=False).mean()
    info = pd.DataFrame(
        {
            "patch_id": [p.id for p in scenario.patches],
            "name": [p.name for p in scenario.patches],
            "kind": [p.kind for p in scenario.patches],
            "tier": [p.tier for p in scenario.patches],
            "squad": [p.squad for p in scenario.patches],
        }
    )
    return info.merge(mean.reset_index(), on="patch_id")


def manifest(
    results: Sequence[SimResult], scenario: Scenario, argv: Sequence[str]
) -> dict[str, object]:
    """What produced the run: versions, scenario hash, seeds, parameters, command."""
    first = results[0]
    return {
        "patrolsim_version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": list(argv),
        "scenario": {
            "name": scenario.name,
            "folder": scenario.folder,
            "content_hash": scenario.content_hash,
        },
        "policy": first.policy,
        "staffing": first.staffing,
        "campaigns": first.campaigns,
        "days": first.days,
        "warmup_days": first.warmup_days,
        "seeds": [r.seed for r in results],
        "parameters": {
            "violation_types": {
                v.name: {
                    **{k: val for k, val in dataclasses.asdict(v).items() if k != "dynamics"},
                    "dynamics": dataclasses.asdict(v.dynamics),
                }
                for v in scenario.violation_types
            },
            "patrol": dataclasses.asdict(scenario.patrol),
            "roster": {
                **dataclasses.asdict(scenario.roster),
                "default_cover": dict(scenario.roster.default_cover),
            },
            "complaint_target_min": scenario.complaint_target_min,
            "inspections_per_day": scenario.inspections_per_day,
            "levers": levers_document(scenario.levers),
        },
    }


def write_csv(frame: pd.DataFrame, path: Path, bom: bool = True) -> Path:
    """Write ``frame`` to ``path`` atomically, for Excel: text can never act as a formula.

    Text cells starting with ``= + - @``, tab or CR get a leading ``'``
    (:func:`~patrolsim.outputs.guard_cell`; patrolsim's readers strip it again). ``bom``
    writes UTF-8 with a byte-order mark, so that Excel shows Chinese.
    """
    text = guard_frame(frame).to_csv(index=False, lineterminator="\n")
    return write_text(path, ("\ufeff" if bom else "") + text)


def write_run(
    results: Sequence[SimResult], scenario: Scenario, out: Path, argv: Sequence[str]
) -> list[Path]:
    """Write kpis.csv, timeseries.csv, patch_kpis.csv and manifest.json under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    return [
        write_csv(kpi_table(results), out / "kpis.csv"),
        write_csv(timeseries_table(results), out / "timeseries.csv"),
        write_csv(patch_kpi_table(results, scenario), out / "patch_kpis.csv"),
        write_json(out / "manifest.json", manifest(results, scenario, argv)),
    ]
