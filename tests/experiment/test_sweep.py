"""Tests of sweeps: planning, CRN, executors (serial, process pool, Dask), campaign variants."""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
from pathlib import Path

import pytest

from patrolsim.errors import PatrolsimError, PatrolsimWarning, ScenarioError
from patrolsim.experiment import sweep as sweep_module
from patrolsim.experiment.store import ResultStore
from patrolsim.experiment.sweep import (
    PolicyVariant,
    RunTask,
    SweepSpec,
    equal_hours_staffing,
    open_executor,
    plan_runs,
    planned_staff_hours,
    run_sweep,
    write_outputs,
)
from patrolsim.scenario import Scenario

SMALL = SweepSpec((0.75, 1.0), ("posts+mobile", "hotspot"), 3, days=14)


@pytest.mark.parametrize(
    ("text", "base", "campaigns"),
    [
        ("posts", "posts", False),
        ("posts+mobile@campaign", "posts+mobile", True),
        (" hotspot ", "hotspot", False),
    ],
)
def test_policy_variant_parse(text: str, base: str, campaigns: bool) -> None:
    """Tests that plain names run without campaigns and @campaign names with them."""
    v = PolicyVariant.parse(text)
    assert (v.base, v.campaigns, v.name) == (base, campaigns, text.strip())


@pytest.mark.parametrize("text", ["patrol", "posts@surge", "hotspot@", "@campaign", ""])
def test_policy_variant_rejects_unknown(text: str) -> None:
    """Tests that unknown policies and variants are one clear --policy line."""
    with pytest.raises(ScenarioError, match="--policy: unknown policy"):
        PolicyVariant.parse(text)


def test_spec_reports_every_problem() -> None:
    """Tests that a bad spec lists all its problems, one line per option."""
    with pytest.raises(ScenarioError) as info:
        SweepSpec((0.5, -1.0), ("posts", "posts", "teleport"), 0, days=0, seed=-3)
    problems = info.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "--staffing",
        "--policy",
        "--policy",
        "--reps",
        "--days",
        "--seed",
    ]
    assert SweepSpec((1.0,), ("posts",), 2).runs == 2


def test_plan_orders_runs_and_shares_seeds(tiny: Scenario) -> None:
    """Tests the run order (staffing, policy, seed) and common vs independent seeds."""
    tasks = plan_runs(tiny, SweepSpec((1.0, 0.5), ("hotspot", "posts"), 2, days=14, seed=7))
    assert [(t.key.staffing, t.key.policy, t.key.seed) for t in tasks] == [
        (0.5, "hotspot", 7),
        (0.5, "hotspot", 8),
        (0.5, "posts", 7),
        (0.5, "posts", 8),
        (1.0, "hotspot", 7),
        (1.0, "hotspot", 8),
        (1.0, "posts", 7),
        (1.0, "posts", 8),
    ]
    assert all(t.key.days == 14 and t.key.scenario_hash == tiny.content_hash for t in tasks)
    assert all(not t.campaigns and t.steady_staffing == t.key.staffing for t in tasks)
    independent = plan_runs(
        tiny,
        dataclasses.replace(
            SweepSpec((1.0, 0.5), ("hotspot", "posts"), 2, days=14, seed=7),
            common_random_numbers=False,
        ),
    )
    assert len({t.key.seed for t in independent}) == 8


def test_plan_rejects_days_and_campaigns_the_scenario_lacks(tiny: Scenario) -> None:
    """Tests --days outside the horizon and @campaign without campaigns, both reported."""
    plain = dataclasses.replace(tiny, campaigns=())
    with pytest.raises(ScenarioError) as info:
        plan_runs(plain, SweepSpec((1.0,), ("posts@campaign",), 2, days=99))
    assert [p.split(":")[0] for p in info.value.problems] == ["--days", "--policy"]


def test_campaign_variant_runs_at_equal_staff_hours(tiny: Scenario, tmp_path: Path) -> None:
    """Tests that @campaign runs a smaller steady rota so total staff-hours stay close."""
    days = 28
    budget, _ = planned_staff_hours(tiny, 1.4, days, campaigns=False)
    steady = equal_hours_staffing(tiny, 1.4, days)
    hours, campaign = planned_staff_hours(tiny, steady, days, campaigns=True)
    assert 0 < steady < 1.4
    assert campaign > 0
    assert abs(hours + campaign - budget) <= 0.05 * budget
    spec = SweepSpec((1.4,), ("posts+mobile", "posts+mobile@campaign"), 2, days=days)
    result = run_sweep(tiny, spec, tmp_path, progress=False)
    table = result.summary_table.set_index(["policy", "kpi"])["mean"]
    assert table["posts+mobile", "staff_hours"] == budget  # the simulator formed these units
    assert table["posts+mobile@campaign", "staff_hours"] == hours + campaign
    assert table["posts+mobile@campaign", "campaign_staff_hours"] == campaign
    assert result.steady_staffing["steady_staffing"].tolist() == [1.4, steady]


def test_campaign_bigger_than_budget_is_refused(tiny: Scenario) -> None:
    """Tests that a level too small to pay for the campaign is a clear --staffing error."""
    big = dataclasses.replace(
        tiny, campaigns=tuple(dataclasses.replace(c, extra_units=6) for c in tiny.campaigns)
    )
    with pytest.raises(ScenarioError, match=r"--staffing: at 0\.5 the campaigns need"):
        equal_hours_staffing(big, 0.5, 28)


def test_coarse_staff_list_warns(tiny: Scenario) -> None:
    """Tests that a match worse than 5 % of the budget (whole people) is warned about."""
    with pytest.warns(PatrolsimWarning, match="staff-hours instead of"):
        equal_hours_staffing(tiny, 1.0, 21)


def test_crn_makes_paired_differences_tighter(tiny: Scenario, tmp_path: Path) -> None:
    """Tests that with CRN the policy difference has a narrower CI than with independent seeds."""
    spec = SweepSpec((1.0,), ("posts+mobile", "hotspot"), 10, days=28)
    crn = run_sweep(tiny, spec, tmp_path / "crn", progress=False)
    ind = run_sweep(
        tiny,
        dataclasses.replace(spec, common_random_numbers=False),
        tmp_path / "ind",
        progress=False,
    )

    def half_width(result: sweep_module.SweepResult, kpi: str) -> float:
        row = result.differences.set_index("kpi").loc[kpi]
        return float(row["ci_high"] - row["ci_low"]) / 2.0

    assert set(crn.differences["method"]) == {"paired"}
    assert set(ind.differences["method"]) == {"welch"}
    # The KPIs closest to the shared arrival stream; others (e.g. response times) depend
    # mostly on what the units do, where CRN helps less.
    for kpi in ("violations_started", "violations_self_ended"):
        assert half_width(crn, kpi) < 0.8 * half_width(ind, kpi)


def test_same_results_serial_process_pool_and_dask(tiny: Scenario, tmp_path: Path) -> None:
    """Tests that the same seeds give byte-identical results.csv here, on a pool and on Dask."""
    distributed = pytest.importorskip("distributed")
    serial = run_sweep(tiny, SMALL, tmp_path / "serial", progress=False)
    write_outputs(serial, tmp_path / "serial")
    with open_executor(workers=2) as pool:
        pooled = run_sweep(tiny, SMALL, tmp_path / "pool", pool, progress=False)
    write_outputs(pooled, tmp_path / "pool")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        open_executor(dask=cluster.scheduler_address) as executor,
    ):
        dasked = run_sweep(tiny, SMALL, tmp_path / "dask", executor, progress=False)
    write_outputs(dasked, tmp_path / "dask")
    expected = (tmp_path / "serial" / "results.csv").read_bytes()
    assert len(serial.results) == SMALL.runs
    for name in ("pool", "dask"):
        assert (tmp_path / name / "results.csv").read_bytes() == expected
        assert (tmp_path / name / "summary.csv").read_bytes() == (
            tmp_path / "serial" / "summary.csv"
        ).read_bytes()


def test_rerun_skips_recorded_runs(tiny: Scenario, tmp_path: Path) -> None:
    """Tests that a second sweep runs only what is missing and reports the same results."""
    first = run_sweep(tiny, SMALL, tmp_path, progress=False)
    store = ResultStore(tmp_path)
    gone = plan_runs(tiny, SMALL)[4].key
    store.path(gone).unlink()
    second = run_sweep(tiny, SMALL, tmp_path, progress=False)
    assert (first.ran, first.skipped) == (12, 0)
    assert (second.ran, second.skipped) == (1, 11)
    assert second.results.equals(first.results)
    bigger = dataclasses.replace(SMALL, reps=4)
    third = run_sweep(tiny, bigger, tmp_path, progress=False)
    assert (third.ran, third.skipped) == (4, 12)


def test_failed_runs_are_reported_after_the_others(
    tiny: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests that one failing run does not lose the others and is named in the error."""
    real = sweep_module.run_task

    def flaky(task: RunTask) -> sweep_module.RunRecord:
        if task.key.seed == 1 and task.key.policy == "hotspot" and task.key.staffing == 1.0:
            raise RuntimeError("boom")
        return real(task)

    monkeypatch.setattr(sweep_module, "run_task", flaky)
    with (
        cf.ThreadPoolExecutor(2) as pool,
        pytest.raises(PatrolsimError, match=r"1 of 12 runs failed.*1, hotspot, seed 1.*boom"),
    ):
        run_sweep(tiny, SMALL, tmp_path, pool, progress=False)
    assert len(list((tmp_path / "runs").glob("*.json"))) == 11


def test_campaign_variants_outside_their_dates_are_refused(tiny: Scenario) -> None:
    """Tests that a sweep whose days meet no campaign refuses @campaign in one line."""
    with pytest.raises(ScenarioError, match="no campaign falls in the days simulated"):
        plan_runs(tiny, SweepSpec((1.0,), ("posts", "posts@campaign"), 2, days=14))


def test_overtime_variant_keeps_the_full_rota(tiny: Scenario) -> None:
    """Tests that @campaign+overtime runs the campaign on top of the nominal staffing."""
    tasks = plan_runs(tiny, SweepSpec((1.0,), ("posts", "posts@campaign+overtime"), 2, days=21))
    overtime = [t for t in tasks if t.key.policy == "posts@campaign+overtime"]
    assert overtime
    assert all(t.campaigns and t.steady_staffing == 1.0 for t in overtime)
    assert PolicyVariant.parse("hotspot@campaign+overtime").overtime
