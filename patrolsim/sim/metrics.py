"""What a replication measured: the event tables and the KPIs computed from them.

True violations are kept apart from recorded ones (noticed by a unit or reported by a
citizen). KPIs cover the measured window: from the end of the scenario's warm-up to the end
of the run. Counts (started, handled, self-ended, active at end) are over the violations that
started in the window, so that ``started = handled + self_ended + active_end`` holds exactly;
violation-hours count every violation's time inside the window.

A complaint never answered by the end of the run counts with the time it has waited so far
(a lower bound), so unanswered complaints push the response percentiles up rather than vanish.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from patrolsim.sim.costs import annual_cost
from patrolsim.sim.levers import EVENT_COLUMNS
from patrolsim.sim.units import BUDGET_CATEGORIES

if TYPE_CHECKING:
    from patrolsim.sim.engine import Run

ON_STREET = ("travel", "stop", "handling", "response")


@dataclass(frozen=True, slots=True)
class SimResult:
    """One replication: its settings, event tables and KPIs."""

    scenario_name: str
    scenario_hash: str
    policy: str
    seed: int
    staffing: float
    campaigns: bool
    start_date: dt.date
    days: int
    warmup_days: int
    """Days before the KPI window (the scenario's warm-up, or the start of a planned week)."""
    violation_types: tuple[str, ...]
    patch_ids: tuple[str, ...]
    kpis: Mapping[str, float]
    violations: pd.DataFrame = field(repr=False)
    """One row per violation: patch, type, start, end, outcome, sanctioned, detected, ...
    (minutes; end is ``inf`` if it never ended)."""
    complaints: pd.DataFrame = field(repr=False)
    inspections: pd.DataFrame = field(repr=False)
    units: pd.DataFrame = field(repr=False)
    """One row per unit and shift with its time budget (minutes)."""
    presence_min: tuple[float, ...] = field(repr=False)
    """Unit-minutes present at each patch."""
    lever_events: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(EVENT_COLUMNS)), repr=False
    )
    """Uses of stall-zone pitches, camera detections and averted occurrences
    (:data:`~patrolsim.sim.levers.EVENT_COLUMNS`); empty without enabled levers."""

    @property
    def horizon_min(self) -> float:
        """End of the run in simulation minutes."""
        return self.days * 1440.0

    @property
    def warmup_min(self) -> float:
        """Start of the measured window in simulation minutes."""
        return self.warmup_days * 1440.0

    def summary(self) -> str:
        """A few lines with the main KPIs."""
        k = self.kpis
        return (
            f"{self.policy} · staffing {self.staffing:g} · seed {self.seed} · {self.days} days: "
            f"{k['violations_started']:.0f} violations started, {k['violations_handled']:.0f} "
            f"handled, {k['violation_hours']:.0f} violation-hours; {k['complaints']:.0f} "
            f"complaints, p90 response {k['complaint_response_p90_min']:.0f} min; inspection "
            f"pass rate {k['inspection_pass_rate']:.1%}; {k['patrol_hours']:.0f} patrol h, "
            f"{k['overtime_hours']:.1f} overtime h"
        )

    def __str__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """One row: policy, seed, staffing, campaigns and every KPI (as ``replicate`` rows)."""
        row = {
            "policy": self.policy,
            "seed": self.seed,
            "staffing": self.staffing,
            "campaigns": self.campaigns,
            **{k: float(v) for k, v in self.kpis.items()},
        }
        return pd.DataFrame([row])

    def timeseries(self) -> pd.DataFrame:
        """Per day and type: violations started, violation-hours, handled."""
        return daily_timeseries(self)

    def patch_kpis(self) -> pd.DataFrame:
        """Per patch: violations, violation-hours, handled, complaints, inspections, presence."""
        return patch_table(self)


def _overlap_hours(start: np.ndarray, end: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0.0, None) / 60.0


def collect(
    run: Run, seed: int, staffing: float, campaigns: bool, measure_from_day: int
) -> SimResult:
    """Turn a finished run into a :class:`SimResult`."""
    sc = run.scenario
    records = run.field.records
    violations = pd.DataFrame(
        {
            "patch": np.array([v.patch for v in records], dtype=np.int64),
            "type": np.array([v.vtype for v in records], dtype=np.int64),
            "start": np.array([v.start for v in records], dtype=float),
            "end": np.array([v.end for v in records], dtype=float),
            "self_end": np.array([v.self_end for v in records], dtype=float),
            "handling_from": np.array([v.handling_from for v in records], dtype=float),
            "outcome": [v.outcome for v in records],
            "sanctioned": np.array([v.sanctioned for v in records], dtype=bool),
            "detected": np.array([v.detected for v in records], dtype=float),
            "complained": np.array([v.complained for v in records], dtype=float),
            "source": [v.source for v in records],
            "unit": [v.unit for v in records],
        }
    )
    complaints = pd.DataFrame(
        {
            "time": [c.time for c in run.dispatcher.complaints],
            "patch": [c.violation.patch for c in run.dispatcher.complaints],
            "type": [c.violation.vtype for c in run.dispatcher.complaints],
            "internal": [c.internal for c in run.dispatcher.complaints],
            "arrived": [c.arrived for c in run.dispatcher.complaints],
            "unit": [c.unit for c in run.dispatcher.complaints],
        }
    )
    inspections = pd.DataFrame(run.inspections, columns=["time", "patch", "passed"])
    unit_rows = []
    for unit in run.finished_units:
        spec = unit.spec
        row: dict[str, object] = {
            "unit": spec.id,
            "squad": spec.squad,
            "shift": spec.shift,
            "kind": spec.kind,
            "start": spec.start,
            "end": spec.end,
            "certified": spec.certified,
            "auxiliaries": spec.auxiliaries,
        }
        row.update(unit.budget.minutes)
        row["overtime"] = unit.budget.overtime
        unit_rows.append(row)
    columns = [
        "unit",
        "squad",
        "shift",
        "kind",
        "start",
        "end",
        "certified",
        "auxiliaries",
        *BUDGET_CATEGORIES,
        "overtime",
    ]
    units = pd.DataFrame(unit_rows, columns=columns)
    result = SimResult(
        scenario_name=sc.name,
        scenario_hash=sc.content_hash,
        policy=run.policy.name,
        seed=seed,
        staffing=staffing,
        campaigns=campaigns,
        start_date=sc.start_date,
        days=run.days,
        warmup_days=measure_from_day,
        violation_types=tuple(v.name for v in sc.violation_types),
        patch_ids=tuple(p.id for p in sc.patches),
        kpis={},
        violations=violations,
        complaints=complaints,
        inspections=inspections,
        units=units,
        presence_min=tuple(float(x) for x in run.presence),
    )
    events = run.field.levers.events if run.field.levers is not None else []
    result = dataclasses.replace(
        result, lever_events=pd.DataFrame(events, columns=list(EVENT_COLUMNS))
    )
    kpis = compute_kpis(result, sc.complaint_target_min)
    kpis.update(lever_kpis(result))
    measured = units[units["start"] >= result.warmup_min]
    overtime = float(
        (measured["overtime"] * (measured["certified"] + measured["auxiliaries"])).sum() / 60.0
    )
    cost = annual_cost(run.staff, sc.levers, overtime, max(run.days - measure_from_day, 1))
    kpis["annual_cost"] = cost.total
    kpis["annual_cost_overtime"] = cost.overtime
    return dataclasses.replace(result, kpis=kpis)


def lever_kpis(result: SimResult) -> dict[str, float]:
    """What the levers did in the measured window: vendors on legal pitches, pitch-hours,
    camera detections, occurrences averted (contracts, camera deterrence)."""
    lo, hi = result.warmup_min, result.horizon_min
    e = result.lever_events
    e = e[e["start"] >= lo]
    zone = e[e["kind"] == "zone"]
    return {
        "zone_vendors": float(len(zone)),
        "zone_pitch_hours": float(
            _overlap_hours(
                zone["start"].to_numpy(dtype=float), zone["end"].to_numpy(dtype=float), lo, hi
            ).sum()
        ),
        "camera_detections": float((e["kind"] == "camera").sum()),
        "lever_averted": float((e["kind"] == "averted").sum()),
    }


def compute_kpis(result: SimResult, target_min: float) -> dict[str, float]:
    """The KPI row of ``kpis.csv`` (column names in :data:`~patrolsim.scenario.model.KPI_NAMES`)."""
    lo, hi = result.warmup_min, result.horizon_min
    v = result.violations
    cohort = v[v["start"] >= lo]
    ended_in_run = cohort["end"] <= hi
    handled = int(((cohort["outcome"] == "handled") & ended_in_run).sum())
    self_ended = int((cohort["outcome"].isin(["self_ended", "fled"]) & ended_in_run).sum())
    started = len(cohort)
    c = result.complaints
    citizen = c[(~c["internal"]) & (c["time"] >= lo) & (c["time"] < hi)]
    arrived = citizen["arrived"].to_numpy()
    waited = np.where(np.isnan(arrived), hi + 1440.0, arrived) - citizen["time"].to_numpy()
    ins = result.inspections
    ins = ins[ins["time"] >= lo]
    u = result.units
    measured = u[u["start"] >= lo]
    return {
        "violations_started": float(started),
        "violations_handled": float(handled),
        "violations_self_ended": float(self_ended),
        "violations_active_end": float(started - handled - self_ended),
        "violation_hours": float(
            _overlap_hours(v["start"].to_numpy(), v["end"].to_numpy(), lo, hi).sum()
        ),
        "recorded_violations": float(
            (cohort["detected"].notna() | cohort["complained"].notna()).sum()
        ),
        "complaints": float(len(citizen)),
        "complaint_response_mean_min": float(waited.mean()) if len(waited) else 0.0,
        "complaint_response_p90_min": float(np.percentile(waited, 90)) if len(waited) else 0.0,
        "complaints_within_target_share": float((waited <= target_min).mean())
        if len(waited)
        else 1.0,
        "inspection_pass_rate": float(ins["passed"].mean()) if len(ins) else 1.0,
        "patrol_hours": float(measured[list(ON_STREET)].to_numpy().sum() / 60.0),
        "overtime_hours": float(measured["overtime"].sum() / 60.0),
        "violations_fled": float(((cohort["outcome"] == "fled") & ended_in_run).sum()),
        "violations_sanctioned": float((cohort["sanctioned"] & ended_in_run).sum()),
        "unit_shifts": float(len(measured)),
    }


def daily_timeseries(result: SimResult) -> pd.DataFrame:
    """Per day and type: violations started, violation-hours, handled."""
    v = result.violations
    rows = []
    start = v["start"].to_numpy()
    end = v["end"].to_numpy()
    kind = v["type"].to_numpy()
    handled = (v["outcome"] == "handled").to_numpy()
    for d in range(result.days):
        lo, hi = d * 1440.0, (d + 1) * 1440.0
        date = result.start_date + dt.timedelta(days=d)
        started_today = (start >= lo) & (start < hi)
        hours = _overlap_hours(start, end, lo, hi)
        handled_today = handled & (end >= lo) & (end < hi)
        for t, name in enumerate(result.violation_types):
            mask = kind == t
            rows.append(
                (
                    date.isoformat(),
                    name,
                    int((started_today & mask).sum()),
                    float(hours[mask].sum()),
                    int((handled_today & mask).sum()),
                )
            )
    return pd.DataFrame(
        rows, columns=["date", "type", "violations_started", "violation_hours", "handled"]
    )


def patch_table(result: SimResult) -> pd.DataFrame:
    """Per patch KPIs over the measured window."""
    lo, hi = result.warmup_min, result.horizon_min
    v = result.violations
    n = len(result.patch_ids)
    cohort = v[v["start"] >= lo]
    started = np.bincount(cohort["patch"], minlength=n)
    handled = np.bincount(cohort.loc[cohort["outcome"] == "handled", "patch"], minlength=n)
    hours = np.bincount(
        v["patch"],
        weights=_overlap_hours(v["start"].to_numpy(), v["end"].to_numpy(), lo, hi),
        minlength=n,
    )
    c = result.complaints
    c = c[(~c["internal"]) & (c["time"] >= lo)]
    complaints = np.bincount(c["patch"], minlength=n)
    ins = result.inspections
    ins = ins[ins["time"] >= lo]
    visits = np.bincount(ins["patch"].astype(np.int64), minlength=n)
    passes = np.bincount(
        ins["patch"].astype(np.int64), weights=ins["passed"].astype(float), minlength=n
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        pass_rate = np.where(visits > 0, passes / np.maximum(visits, 1), np.nan)
    return pd.DataFrame(
        {
            "patch_id": result.patch_ids,
            "violations_started": started,
            "violation_hours": hours,
            "handled": handled,
            "complaints": complaints,
            "inspections": visits,
            "inspection_pass_rate": pass_rate,
            "presence_hours": np.array(result.presence_min) / 60.0,
        }
    )


def hour_weekday_counts(result: SimResult) -> pd.DataFrame:
    """Violations started in the measured window by hour of day (rows) and weekday (columns)."""
    v = result.violations
    v = v[v["start"] >= result.warmup_min]
    minutes = v["start"].to_numpy()
    hour = ((minutes % 1440) // 60).astype(np.int64)
    weekday = ((result.start_date.weekday() + minutes // 1440) % 7).astype(np.int64)
    table = np.zeros((24, 7), dtype=np.int64)
    np.add.at(table, (hour, weekday), 1)
    return pd.DataFrame(
        table, index=range(24), columns=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    )


def time_budget(result: SimResult) -> pd.DataFrame:
    """Officer time budget: hours per shift type and activity (units × members), with overtime."""
    u = result.units
    u = u[u["start"] >= result.warmup_min]
    people = (u["certified"] + u["auxiliaries"]).to_numpy()[:, None]
    columns = [*BUDGET_CATEGORIES, "overtime"]
    hours = pd.DataFrame(u[columns].to_numpy() * people / 60.0, columns=columns)
    hours["shift"] = u["shift"].to_numpy()
    return hours.groupby("shift", sort=False).sum()
