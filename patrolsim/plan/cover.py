"""Required, provided and short: a roster's cover against the bureau's standard, one way.

``plan`` asks the roster solver for the cover the staff can provide, put where it saves most
(:func:`patrolsim.demand.cover.weekly_demand`), while ``roster`` asks for the scenario's
standard cover (``[roster] default_cover``). Judged each against its own request they told two
stories about the same week ("none uncovered" and "15 uncovered"). Both commands therefore
report the roster against the *standard* with :func:`standard_cover`: what the standard
requires, what the roster provides and what is short, in separate columns.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd

from patrolsim.roster import Roster
from patrolsim.roster.inputs import default_requirements
from patrolsim.scenario.model import Scenario
from patrolsim.terms import Lang

COLUMNS = (
    "date",
    "shift",
    "squad",
    "units_required",
    "units_provided",
    "units_short",
    "auxiliaries_required",
    "auxiliaries_provided",
    "auxiliaries_short",
)


def standard_cover(roster: Roster, scenario: Scenario) -> pd.DataFrame:
    """Cover of ``roster`` against the scenario's standard, one row per day × shift × squad.

    Units provided are the rostered certified officers divided into units of
    ``unit_certified``; auxiliary places provided are the rostered auxiliaries plus certified
    officers beyond the units required (the roster solver counts them the same way).
    """
    c = scenario.roster.unit_certified
    certified = {m.id for m in scenario.staff if m.certified}
    cert: Counter[tuple[dt.date, str, str]] = Counter()
    aux: Counter[tuple[dt.date, str, str]] = Counter()
    for e in roster.entries:
        (cert if e.staff_id in certified else aux)[e.date, e.shift, e.squad] += 1
    rows = []
    for r in default_requirements(scenario, roster.start, roster.days):
        key = (r.date, r.shift, r.squad)
        units = cert[key] // c if c else 0
        spare = cert[key] - c * min(units, r.units)
        places = aux[key] + spare
        rows.append(
            (
                r.date.isoformat(),
                r.shift,
                r.squad,
                r.units,
                units,
                max(0, r.units - units),
                r.auxiliaries,
                places,
                max(0, r.auxiliaries - places),
            )
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def short_rows(cover: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`standard_cover` with units or auxiliary places short."""
    return cover[(cover["units_short"] > 0) | (cover["auxiliaries_short"] > 0)]


def cover_sentence(cover: pd.DataFrame, lang: Lang = "zh") -> str:
    """Required, provided and short unit-shifts of the week in one sentence."""
    req = int(cover["units_required"].sum())
    got = int(cover[["units_required", "units_provided"]].min(axis=1).sum())
    short = int(cover["units_short"].sum())
    n_short = int((cover["units_short"] > 0).sum())
    aux_short = int(cover["auxiliaries_short"].sum())
    if lang == "zh":
        return (
            f"按标准配置应配 {req} 组次，实配 {got} 组次，缺口 {short} 组次"
            f"(涉及 {n_short} 个班次)；协管员岗位缺口 {aux_short} 个。"
        )
    return (
        f"The standard cover requires {req} unit-shifts; the roster provides {got}; "
        f"{short} are short ({n_short} shifts); {aux_short} auxiliary places are short."
    )


def roster_sentence(roster: Roster, scenario: Scenario, lang: Lang = "zh") -> str:
    """What a roster command prints: who works, and the cover against the standard."""
    people = len({e.staff_id for e in roster.entries})
    last = roster.start + dt.timedelta(days=roster.days - 1)
    cover = cover_sentence(standard_cover(roster, scenario), lang)
    if lang == "zh":
        return (
            f"排班 {roster.start} 至 {last}：{people} 人共 {len(roster.entries)} 个班次。" + cover
        )
    return (
        f"Roster {roster.start} to {last}: {len(roster.entries)} shifts for {people} "
        f"people. " + cover
    )
