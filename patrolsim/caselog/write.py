"""Write a calibrated scenario folder and its ``calibration.csv``.

The new folder is the old one with the fitted values in place: ``rate_<type>`` columns of
patches.csv (true base rates per patch), and in scenario.toml the fitted types' base rates by
kind, hour and weekday profiles, holiday multipliers, complaint probabilities and visibility,
each with the comment ``fitted from LOG, N cases, DATE–DATE``. Everything else is copied.
The folder is written to a temporary folder beside the target, validated, and renamed, so an
interrupted or failed run leaves nothing half-written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import shutil
import tempfile
import tomllib
from pathlib import Path

import pandas as pd

from patrolsim.caselog.fit import FitResult, FitSettings
from patrolsim.caselog.init import safe_cell
from patrolsim.caselog.tomlout import toml_text
from patrolsim.errors import ScenarioError
from patrolsim.scenario import load_scenario
from patrolsim.scenario.load import PATCHES_FILE, RATE_PREFIX, SCENARIO_FILE
from patrolsim.scenario.model import WEEKDAYS
from patrolsim.scenario.tables import decode_bytes

CALIBRATION_FILE = "calibration.csv"


def calibration_table(fit: FitResult) -> pd.DataFrame:
    """``parameter, value, cases, ci_low, ci_high``: every fitted value and what it rests on."""
    t = fit.targets
    st = fit.state
    rows: list[tuple[str, float, int, float, float]] = []
    nan = math.nan
    for p, pid in enumerate(t.patches):
        for v, name in enumerate(t.types):
            tau = t.recorded_rate[p, v]
            k = st.rates[p, v] / tau if tau > 0 else nan
            rows.append(
                (
                    f"rate.{name}.{pid}",
                    st.rates[p, v],
                    int(t.recent_cases[p, v]),
                    t.rate_ci[p, v, 0] * k,
                    t.rate_ci[p, v, 1] * k,
                )
            )
            rows.append(
                (
                    f"recorded_rate.{name}.{pid}",
                    tau,
                    int(t.recent_cases[p, v]),
                    t.rate_ci[p, v, 0],
                    t.rate_ci[p, v, 1],
                )
            )
    for v, name in enumerate(t.types):
        n = int(t.total_cases[v])
        rows.append(
            (
                f"prior_weight.{name}",
                float(t.prior_weight[v]),
                int(t.recent_cases[:, v].sum()),
                nan,
                nan,
            )
        )
        # the fitted true profiles, and the recorded ones of the log they reproduce
        for h in range(24):
            rows.append((f"hour_profile.{name}.{h:02d}", float(st.hour_profile[v, h]), n, nan, nan))
            rows.append(
                (f"recorded_hour_profile.{name}.{h:02d}", float(t.hour_profile[v, h]), n, nan, nan)
            )
        for d in range(7):
            day = WEEKDAYS[d]
            rows.append(
                (f"weekday_profile.{name}.{day}", float(st.weekday_profile[v, d]), n, nan, nan)
            )
            rows.append(
                (
                    f"recorded_weekday_profile.{name}.{day}",
                    float(t.weekday_profile[v, d]),
                    n,
                    nan,
                    nan,
                )
            )
        rows.append(
            (
                f"holiday_multiplier.{name}",
                float(t.holiday_multiplier[v]),
                int(t.holiday_cases[v]),
                float(t.holiday_ci[v, 0]),
                float(t.holiday_ci[v, 1]),
            )
        )
        m = int(t.channel_cases[v])
        share = float(t.citizen_share[v])
        lo, hi = _wilson(share, m)
        rows.append((f"citizen_share.{name}", share, m, lo, hi))
        rows.append(
            (f"complaint_probability.{name}", float(st.complaint_probability[v]), m, nan, nan)
        )
        rows.append((f"visibility.{name}", float(st.visibility[v]), m, nan, nan))
    for c in t.closing_hours.itertuples():
        rows.append((f"{c.duration}_median.{c.type}", c.median, c.cases, c.ci_low, c.ci_high))
    last = fit.history[fit.history["iteration"] == fit.iterations]
    for row in last.itertuples():
        rows.append(
            (
                f"fit.simulated_over_log.{row.type}",
                row.simulated / max(row.target, 1e-12),
                round(row.target),
                nan,
                nan,
            )
        )
    rows.append(("fit.iterations", float(fit.iterations), 0, nan, nan))
    rows.append(("fit.converged", float(fit.converged), 0, nan, nan))
    frame = pd.DataFrame(rows, columns=["parameter", "value", "cases", "ci_low", "ci_high"])
    frame["parameter"] = frame["parameter"].map(safe_cell)
    return frame


def _wilson(share: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    if n == 0 or math.isnan(share):
        return math.nan, math.nan
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _round(x: float) -> float:
    return float(f"{x:.6g}")


def write_calibrated(
    fit: FitResult, source: str | Path, out: str | Path, log_name: str, settings: FitSettings
) -> list[Path]:
    """Write the calibrated copy of the scenario folder ``source`` to ``out``.

    Raises
    ------
    ScenarioError
        If ``out`` exists (nothing is then written).
    """
    src = Path(source)
    target = Path(out)
    if target.exists():
        raise ScenarioError(
            f"{target}:0: --out: already exists; calibrate writes a new scenario folder"
        )
    t = fit.targets
    first, until, start = t.first_day, t.until, t.window_start
    doc = tomllib.loads((src / SCENARIO_FILE).read_text(encoding="utf-8-sig"))
    comments: dict[str, str] = {}
    scenario = fit.scenario
    for v, name in enumerate(t.types):
        n = int(t.total_cases[v])
        whole = f"fitted from {log_name}, {n} cases, {first}–{until}"
        recent = f"fitted from {log_name}, {int(t.recent_cases[:, v].sum())} cases, {start}–{until}"
        vt = scenario.violation_type(name)
        entry = doc["violation_types"][name]
        entry["base_rate_per_day"] = {k: _round(x) for k, x in vt.base_rate_per_day.items()}
        entry["hour_profile"] = [round(x, 4) for x in vt.hour_profile]
        entry["weekday_profile"] = [round(x, 4) for x in vt.weekday_profile]
        entry["holiday_multiplier"] = round(vt.holiday_multiplier, 4)
        entry["complaint_probability"] = _round(vt.complaint_probability)
        entry["visibility"] = _round(vt.visibility)
        key = f"violation_types.{name}"
        comments[f"{key}.base_rate_per_day"] = (
            f"{recent} (mean true rate over the patches; per patch in patches.csv rate_{name})"
        )
        comments[f"{key}.hour_profile"] = whole
        comments[f"{key}.weekday_profile"] = whole
        comments[f"{key}.holiday_multiplier"] = (
            f"fitted from {log_name}, {int(t.holiday_cases[v])} cases on holidays, {first}–{until}"
        )
        share = t.citizen_share[v]
        channel = "" if math.isnan(share) else f" (citizens' share {share:.0%})"
        comments[f"{key}.complaint_probability"] = (
            f"fitted from {log_name}, {int(t.channel_cases[v])} cases, {first}–{until}{channel}"
        )
        comments[f"{key}.visibility"] = comments[f"{key}.complaint_probability"]
    warmup = int(doc.get("warmup_days", 0))
    cal = doc.get("calendar", {})
    dated = doc.get("campaigns") or cal.get("exam_periods") or cal.get("inspection_days")
    if not dated:  # campaigns and exam periods keep their dates: then the horizon stays too
        doc["start_date"] = until + dt.timedelta(days=1 - warmup)
        comments["start_date"] = (
            f"the measured days begin the day after the log used ends "
            f"({until}), after {warmup} warm-up days"
        )
    header = (
        f"# Calibrated by `patrolsim calibrate` from {log_name} ({first}–{until}) under "
        f"the policy {settings.policy}, seed {settings.seed}:\n"
        f"# {fit.iterations} iterations, "
        f"{'converged' if fit.converged else 'NOT converged'} "
        f"(tolerance {settings.tolerance:.0%}). rate_* columns of patches.csv are true base "
        f"rates fitted from {log_name}\n# ({start}–{until}); calibration.csv lists every "
        f"fitted value with its cases and 95 % interval."
    )
    for line in fit.unfitted:
        header += f"\n# could not fit: {line}"

    text = decode_bytes((src / PATCHES_FILE).read_bytes())
    records = list(csv.reader(io.StringIO(text, newline="")))
    head = [h.strip() for h in records[0]]
    for name in t.types:
        if RATE_PREFIX + name not in [h.lower() for h in head]:
            head.append(RATE_PREFIX + name)
    lower = [h.lower() for h in head]
    idx = {pid: p for p, pid in enumerate(t.patches)}
    body = []
    for rec in records[1:]:
        if not any(c.strip() for c in rec):
            continue
        row = list(rec) + [""] * (len(head) - len(rec))
        p = idx.get(row[lower.index("id")].strip())
        for v, name in enumerate(t.types):
            col = lower.index(RATE_PREFIX + name)
            row[col] = "" if p is None else repr(_round(float(fit.state.rates[p, v])))
        body.append([safe_cell(c) for c in row])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(head)
    writer.writerows(body)

    table = calibration_table(fit)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for item in src.iterdir():
            if item.is_file() and item.name not in (SCENARIO_FILE, PATCHES_FILE, CALIBRATION_FILE):
                shutil.copy2(item, tmp / item.name)
        (tmp / SCENARIO_FILE).write_text(toml_text(doc, comments, header), encoding="utf-8")
        (tmp / PATCHES_FILE).write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
        table.to_csv(tmp / CALIBRATION_FILE, index=False, float_format="%.6g")
        load_scenario(tmp)  # the calibrated scenario must validate
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o777 & ~mask)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return [target / SCENARIO_FILE, target / PATCHES_FILE, target / CALIBRATION_FILE]
