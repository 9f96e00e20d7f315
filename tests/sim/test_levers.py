"""Tests of the levers besides staff: stall zones, cameras, shop-front contracts, and costs."""

from __future__ import annotations

import dataclasses
import itertools
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patrolsim.errors import ScenarioError
from patrolsim.scenario import Scenario, load_scenario
from patrolsim.scenario.levers import Levers
from patrolsim.sim import SimResult, simulate
from patrolsim.sim.costs import annual_cost, fixed_cost, staff_cost
from patrolsim.sim.policies import scale_staff

DAYS = 12  # warm-up 7 + 5 measured days: short runs, the mechanisms show within a day
VENDING = ("street_vending", "night_market_stall")
LEVERS = ("zone-P21", "zone-P47", "cameras-sites", "cameras-villages", "shopfront-shops")


def _with(scenario: Scenario, names: set[str], **changes: object) -> Scenario:
    """``scenario`` with exactly the levers ``names`` enabled; ``changes`` edit every lever
    that has the field (e.g. ``capacity=0``)."""
    levers = scenario.levers.with_enabled(names)

    def edit(items: tuple) -> tuple:  # type: ignore[type-arg]
        return tuple(
            dataclasses.replace(x, **{k: v for k, v in changes.items() if hasattr(x, k)})
            for x in items
        )

    levers = Levers(
        edit(levers.stall_zones), edit(levers.cameras), edit(levers.shopfront), levers.costs
    )
    return dataclasses.replace(scenario, levers=levers)


def _hours(result: SimResult, types: tuple[str, ...], patches: list[int] | None = None) -> float:
    v = result.violations
    index = [result.violation_types.index(t) for t in types]
    mask = v["type"].isin(index)
    if patches is not None:
        mask &= v["patch"].isin(patches)
    v = v[mask]
    lo, hi = result.warmup_min, result.horizon_min
    return float(
        (np.clip(np.minimum(v["end"], hi) - np.maximum(v["start"], lo), 0, None) / 60.0).sum()
    )


def _near(scenario: Scenario, patch: str, radius_m: float = 800.0) -> list[int]:
    q = scenario.patch_index(patch)
    return [
        p.index
        for p in scenario.patches
        if p.kind != "base" and scenario.network.distance_m[p.index, q] <= radius_m
    ]


def _same(a: SimResult, b: SimResult) -> None:
    pd.testing.assert_frame_equal(a.violations, b.violations)
    pd.testing.assert_frame_equal(a.units, b.units)
    assert a.kpis == b.kpis


def test_reference_levers_are_defined_but_off(nanhu: Scenario) -> None:
    """Tests that Nanhu defines every lever, switched off, so it runs as the plain model."""
    assert set(nanhu.levers.names()) == set(LEVERS)
    assert not nanhu.levers.active
    plain = dataclasses.replace(nanhu, levers=Levers(costs=nanhu.levers.costs))
    _same(
        simulate(nanhu, "posts+mobile", 3, days=DAYS), simulate(plain, "posts+mobile", 3, days=DAYS)
    )


@pytest.mark.parametrize(
    ("names", "change"),
    [
        ({"zone-P21", "zone-P47"}, {"capacity": 0}),
        ({"cameras-sites", "cameras-villages"}, {"detect_per_hour": 0.0}),
        ({"shopfront-shops"}, {"share": 0.0}),
    ],
)
def test_null_lever_is_no_lever(
    nanhu: Scenario, names: set[str], change: dict[str, object]
) -> None:
    """Tests that a zone of capacity 0, a camera that never detects and a contract with no
    shops leave every violation, unit and KPI (but the cost) exactly as without them."""
    off = simulate(nanhu, "posts+mobile", 5, days=DAYS)
    null = simulate(_with(nanhu, names, **change), "posts+mobile", 5, days=DAYS)
    pd.testing.assert_frame_equal(off.violations, null.violations)
    pd.testing.assert_frame_equal(off.units, null.units)
    for kpi, value in off.kpis.items():
        if not kpi.startswith("annual_cost"):
            assert null.kpis[kpi] == value, kpi
    assert null.lever_events.empty


def test_same_seed_same_result_with_levers(nanhu: Scenario) -> None:
    """Tests that with every lever on the same seed gives identical violations and lever use."""
    on = _with(nanhu, set(LEVERS))
    a = simulate(on, "hotspot", 11, days=DAYS)
    b = simulate(on, "hotspot", 11, days=DAYS)
    _same(a, b)
    pd.testing.assert_frame_equal(a.lever_events, b.lever_events)


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 5000),
    names=st.sets(st.sampled_from(LEVERS), min_size=1),
    policy=st.sampled_from(["posts+mobile", "hotspot", "mobile"]),
    staffing=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_conservation_and_zone_limits(
    nanhu: Scenario, seed: int, names: set[str], policy: str, staffing: float
) -> None:
    """Tests that started = handled + self-ended + active still holds with levers on, that
    vendors on pitches are recorded apart from violations, and that a zone never holds more
    vendors than pitches nor holds any while it is closed."""
    on = _with(nanhu, names)
    result = simulate(on, policy, seed, days=9, staffing=staffing)
    k = result.kpis
    assert k["violations_started"] == (
        k["violations_handled"] + k["violations_self_ended"] + k["violations_active_end"]
    )
    events = result.lever_events
    zones = events[events["kind"] == "zone"]
    assert set(zones["how"]) <= {"fresh", "latent", "deterred", "fled"}
    assert k["zone_vendors"] == float((zones["start"] >= result.warmup_min).sum())
    assert (zones["end"] >= zones["start"]).all()
    for zone in on.levers.stall_zones:
        mine = zones[zones["lever"] == zone.name]
        if not zone.enabled:
            assert mine.empty
            continue
        # occupancy never above capacity: sweep the starts and ends
        marks = sorted(
            [(t, 1) for t in mine["start"]] + [(t, -1) for t in mine["end"]],
            key=lambda m: (m[0], m[1]),
        )
        level = 0
        for _, step in marks:
            level += step
            assert level <= zone.capacity
        minute = (mine["start"] % 1440.0).to_numpy()
        open_now = ((minute >= zone.open_min) & (minute < zone.close_min)) | (
            minute + 1440.0 < zone.close_min
        )
        assert open_now.all()
        assert set(mine["type"]) <= {
            on.violation_types.index(on.violation_type(t)) for t in zone.violation_types
        }


def test_stall_zone_lowers_vending_near_it(nanhu: Scenario) -> None:
    """Tests that a stall zone at the night market lowers vending violation-hours around it
    against the same seeds without it, and that vendors use its pitches."""
    near = _near(nanhu, "P21")
    on = _with(nanhu, {"zone-P21"})
    without, with_zone, used = [], [], []
    for seed in range(3):
        a = simulate(nanhu, "posts+mobile", seed, days=DAYS)
        b = simulate(on, "posts+mobile", seed, days=DAYS)
        without.append(_hours(a, VENDING, near))
        with_zone.append(_hours(b, VENDING, near))
        used.append(b.kpis["zone_vendors"])
    assert np.mean(with_zone) < 0.8 * np.mean(without)
    assert min(used) > 0


@pytest.mark.slow
def test_more_pitches_never_more_vending(nanhu: Scenario) -> None:
    """Tests that vending violation-hours near the zone fall (in the mean over common seeds)
    as the zone gets more pitches."""
    near = _near(nanhu, "P21")
    means = []
    for capacity in (0, 2, 5, 40):
        sc = _with(nanhu, {"zone-P21"}, capacity=capacity)
        means.append(
            np.mean(
                [
                    _hours(simulate(sc, "posts+mobile", s, days=DAYS), VENDING, near)
                    for s in range(8)
                ]
            )
        )
    assert all(b <= a for a, b in itertools.pairwise(means)), means


def test_enforcement_pushes_vendors_into_the_zone(nanhu: Scenario) -> None:
    """Tests that vendors chased by units take pitches (deterred or fled), and more of them
    when more units patrol."""
    on = _with(nanhu, {"zone-P21", "zone-P47"})
    counts = {}
    for staffing in (0.0, 1.5):
        events = pd.concat(
            [
                simulate(on, "posts+mobile", s, days=DAYS, staffing=staffing).lever_events
                for s in range(2)
            ]
        )
        counts[staffing] = int(events["how"].isin(["deterred", "fled"]).sum())
    assert counts[0.0] == 0
    assert counts[1.5] > 0


def test_cameras_lower_muck_and_record_more(nanhu: Scenario) -> None:
    """Tests that cameras at the construction sites, dispatching units, lower muck
    violation-hours and detect violations no patrol saw."""
    on = _with(nanhu, {"cameras-sites"})
    without, with_cam, detections = [], [], []
    for seed in range(3):
        a = simulate(nanhu, "posts+mobile", seed, days=DAYS)
        b = simulate(on, "posts+mobile", seed, days=DAYS)
        without.append(_hours(a, ("muck_spill",)))
        with_cam.append(_hours(b, ("muck_spill",)))
        detections.append(b.kpis["camera_detections"])
    assert np.mean(with_cam) < np.mean(without)
    assert min(detections) > 0


def test_cameras_without_dispatch_do_not_deter(nanhu: Scenario) -> None:
    """Tests that cameras that only record (no dispatch, deterrence 0) change no violation's
    start: they raise detection without presence and nothing else."""
    on = _with(nanhu, {"cameras-sites"}, dispatch=False)
    a = simulate(nanhu, "posts+mobile", 2, days=DAYS)
    b = simulate(on, "posts+mobile", 2, days=DAYS)
    assert b.kpis["camera_detections"] > 0
    muck = nanhu.violation_types.index(nanhu.violation_type("muck_spill"))
    sites = [nanhu.patch_index(p) for p in ("P22", "P45", "P46")]
    va, vb = (r.violations for r in (a, b))
    sel_a = va[(va["type"] == muck) & va["patch"].isin(sites)]
    sel_b = vb[(vb["type"] == muck) & vb["patch"].isin(sites)]
    # the same muck spills start (detection changes only what units learn and find), and
    # more of them are recorded
    assert len(sel_b) == len(sel_a)
    assert sel_b["detected"].notna().sum() > sel_a["detected"].notna().sum()


def test_shopfront_contracts_lapse_without_visits(nanhu: Scenario) -> None:
    """Tests that contracts avert shop-front occupation, and avert less late in a run with no
    units at all (no visits: the contracts lapse) than early in it."""
    on = _with(nanhu, {"shopfront-shops"})
    unvisited = simulate(on, "posts+mobile", 1, days=28, staffing=0.0)
    events = unvisited.lever_events
    early = int((events["start"] < 7 * 1440).sum())
    late = int((events["start"] >= 21 * 1440).sum())
    assert early > 0
    assert late < 0.5 * early
    visited = simulate(on, "posts+mobile", 1, days=28, staffing=1.0).lever_events
    assert int((visited["start"] >= 21 * 1440).sum()) > late
    shop = ("shopfront_occupation",)
    plain = simulate(nanhu, "posts+mobile", 1, days=DAYS)
    assert _hours(simulate(on, "posts+mobile", 1, days=DAYS), shop) < _hours(plain, shop)


def test_annual_cost(nanhu: Scenario) -> None:
    """Tests that annual_cost is the staff list at its rates, plus overtime scaled to a year,
    plus the enabled levers; levers defined but off cost nothing."""
    costs = nanhu.levers.costs
    staff = scale_staff(nanhu.staff, 1.0)
    roles = [m.role for m in staff]
    expected = costs.certified_per_year * (
        roles.count("certified") + roles.count("leader")
    ) + costs.auxiliary_per_year * roles.count("auxiliary")
    assert staff_cost(staff, costs) == expected
    assert fixed_cost(staff, nanhu.levers).total == expected
    on = _with(nanhu, {"zone-P21", "cameras-sites", "shopfront-shops"})
    assert fixed_cost(staff, on.levers).total == expected + 200_000 + 3 * 30_000 + 9 * 5_000
    breakdown = annual_cost(staff, on.levers, 10.0, 73.0)
    assert breakdown.overtime == pytest.approx(10.0 * 5 * costs.overtime_per_hour)
    result = simulate(on, "posts+mobile", 0, days=DAYS)
    assert result.kpis["annual_cost"] == pytest.approx(
        fixed_cost(staff, on.levers).total + result.kpis["annual_cost_overtime"]
    )
    assert result.kpis["annual_cost_overtime"] >= 0
    frame = breakdown.to_frame()
    assert frame["item"].tolist()[-1] == "total"
    assert frame["annual_cost"].iloc[-1] == pytest.approx(breakdown.total)


def _folder(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "sc"
    shutil.copytree(Path(__file__).resolve().parents[2] / "scenarios" / "nanhu", folder)
    with (folder / "scenario.toml").open("a", encoding="utf-8") as f:
        f.write(extra)
    return folder


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (
            '\n[[stall_zones]]\npatch = "P99"\nopen = "17:00"\nclose = "23:00"\ncapacity = 5\n',
            r"scenario.toml:\d+: stall_zones\.2\.patch: no such patch in patches.csv \(got 'P99'\)",
        ),
        (
            '\n[[stall_zones]]\npatch = "P21"\nopen = "17:00"\nclose = "23:00"\ncapacity = -1\n',
            r"stall_zones\.2\.capacity",
        ),
        (
            '\n[[stall_zones]]\npatch = "P21"\nopen = "5pm"\nclose = "23:00"\ncapacity = 5\n',
            r"stall_zones\.2\.open",
        ),
        (
            '\n[[cameras]]\npatches = ["P22"]\nviolation_types = ["graffiti"]\n',
            r"cameras\.2\.violation_types: unknown violation type.*\(got 'graffiti'\)",
        ),
        (
            '\n[[cameras]]\nname = "zone-P21"\npatches = ["P22"]\n',
            r"cameras\.2\.name: duplicate lever name",
        ),
        (
            '\n[[cameras]]\npatches = ["P22"]\ndetect_per_hour = 1.5\n',
            r"cameras\.2\.detect_per_hour",
        ),
        ('\n[[shopfront]]\npatches = ["P13"]\nshare = 2\n', r"shopfront\.1\.share"),
    ],
)
def test_bad_lever_input(tmp_path: Path, extra: str, match: str) -> None:
    """Tests that bad lever input is reported with file, line, key and value."""
    with pytest.raises(ScenarioError, match=match):
        load_scenario(_folder(tmp_path, extra))


def test_bad_costs(tmp_path: Path) -> None:
    """Tests that a negative cost rate is reported with its key."""
    folder = _folder(tmp_path, "")
    text = (folder / "scenario.toml").read_text(encoding="utf-8")
    (folder / "scenario.toml").write_text(
        text.replace("overtime_per_hour = 80", "overtime_per_hour = -80"), encoding="utf-8"
    )
    with pytest.raises(ScenarioError, match=r"costs\.overtime_per_hour"):
        load_scenario(folder)


def test_levers_round_trip(tmp_path: Path, nanhu: Scenario) -> None:
    """Tests that saving and loading a scenario keeps its levers and costs."""
    from patrolsim.scenario.save import save_scenario

    save_scenario(nanhu, tmp_path / "copy")
    assert load_scenario(tmp_path / "copy").levers == nanhu.levers
