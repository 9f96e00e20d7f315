"""Tests of the mix search: grid, costs, statuses, the choice, its confirmation, the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from patrolsim.cli import main
from patrolsim.errors import ScenarioError
from patrolsim.experiment.mix import (
    Mix,
    MixSpec,
    _status,
    frontier,
    mix_fixed_cost,
    mix_scenario,
    mix_staff,
    search_mix,
)
from patrolsim.scenario import Scenario
from patrolsim.scenario.model import Target

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "nanhu"


def test_mix_staff_scales_each_role(nanhu: Scenario) -> None:
    """Tests that certified officers (with leaders) and auxiliaries scale separately."""
    roles = [m.role for m in nanhu.staff]
    staff = mix_staff(nanhu.staff, 1.0, 0.5)
    new = [m.role for m in staff]
    assert new.count("auxiliary") == pytest.approx(roles.count("auxiliary") / 2, abs=1)
    assert new.count("certified") == roles.count("certified")
    assert [m.index for m in staff] == list(range(len(staff)))


def test_grid_is_every_lever_subset_cheapest_first(nanhu: Scenario) -> None:
    """Tests that the grid holds every subset of the levers for every staff level and policy,
    sorted by fixed cost, and that a lever's cost adds to the mix's."""
    spec = MixSpec(
        (1.0,), (0.5, 1.0), ("posts+mobile", "hotspot"), levers=("zone-P21", "cameras-sites")
    )
    grid = spec.grid(nanhu)
    assert len(grid) == 2 * 2 * 4
    costs = [mix_fixed_cost(nanhu, m) for m in grid]
    assert costs == sorted(costs)
    plain = mix_fixed_cost(nanhu, Mix(1.0, 1.0, "hotspot"))
    zone = mix_fixed_cost(nanhu, Mix(1.0, 1.0, "hotspot", frozenset({"zone-P21"})))
    assert zone - plain == 200_000
    assert (
        mix_scenario(nanhu, Mix(1.0, 1.0, "hotspot", frozenset({"zone-P21"})))
        .levers.stall_zones[0]
        .enabled
    )


@pytest.mark.parametrize(
    ("spec_args", "match"),
    [
        ({"certified": (0.0,)}, "--certified"),
        ({"policies": ("patrol",)}, "--policy: unknown policy"),
        ({"reps": 1}, "--reps"),
        ({"budget": -5.0}, "--budget"),
    ],
)
def test_bad_spec(spec_args: dict[str, object], match: str) -> None:
    """Tests that bad search settings are reported by option name."""
    args: dict[str, object] = {"certified": (1.0,), "auxiliary": (1.0,), "policies": ("hotspot",)}
    args.update(spec_args)
    with pytest.raises(ScenarioError, match=match):
        MixSpec(**args)  # type: ignore[arg-type]


def test_unknown_lever_is_reported(nanhu: Scenario) -> None:
    """Tests that a lever the scenario does not define is an input error."""
    with pytest.raises(ScenarioError, match="--levers: the scenario defines no lever 'nope'"):
        MixSpec((1.0,), (1.0,), ("hotspot",), levers=("nope",)).grid(nanhu)


def test_status_needs_the_whole_interval() -> None:
    """Tests that a mix meets a target only with its whole interval, fails it only with its
    whole interval on the wrong side, and is unclear otherwise."""
    target = [Target("x", max=10.0)]
    rows = lambda xs: pd.DataFrame({"x": xs, "annual_cost": [1.0] * len(xs)})  # noqa: E731
    assert _status(rows([5.0, 6.0, 5.5]), target, 0.95)[0] == "meets"
    assert _status(rows([20.0, 21.0, 20.5]), target, 0.95)[0] == "fails"
    assert _status(rows([5.0, 15.0, 9.0]), target, 0.95)[0] == "unclear"


def test_frontier_keeps_only_undominated() -> None:
    """Tests that the frontier keeps the mixes no cheaper mix beats on the KPI."""
    table = pd.DataFrame(
        {"mix": list("abcd"), "cost_mean": [1.0, 2.0, 3.0, 4.0], "k:mean": [10.0, 12.0, 8.0, 8.5]}
    )
    assert frontier(table, "k")["mix"].tolist() == ["a", "c"]
    assert frontier(table, "k", lower_is_better=False)["mix"].tolist() == ["a", "b"]


@pytest.fixture(scope="module")
def small_search(nanhu: Scenario) -> object:
    """A tiny search on Nanhu: 4 mixes, 9-day runs, in this process."""
    targets = (
        Target("violation_hours:street_vending", max=1e6),
        Target("violation_hours", max=1e9),
    )
    spec = MixSpec(
        (1.0,),
        (1.0,),
        ("posts+mobile",),
        levers=("zone-P21", "cameras-sites"),
        targets=targets,
        reps=2,
        reps_final=3,
        finalists=2,
        runners_up=1,
        days=9,
    )
    return search_mix(nanhu, spec, None, scenario_dir=str(SCENARIO))


def test_search_chooses_the_cheapest_meeting_mix(small_search: object) -> None:
    """Tests that with targets every mix meets, the choice is the cheapest mix, refined to
    reps_final runs and confirmed on fresh seeds with its runner-up."""
    result = small_search
    assert result.choice == "c1-a1-posts+mobile"  # type: ignore[attr-defined]
    table = result.table  # type: ignore[attr-defined]
    assert set(table["status"]) == {"meets"}
    chosen = result.chosen_row()  # type: ignore[attr-defined]
    assert chosen["n"] == 3
    assert chosen["cost_mean"] == table["cost_mean"].min()
    c = result.confirmation  # type: ignore[attr-defined]
    assert len(c) == 2
    runs = result.runs  # type: ignore[attr-defined]
    confirm = runs[runs["stage"] == "confirm"]
    assert set(confirm["seed"]) == {100_000, 100_001, 100_002}
    assert result.confirmed  # type: ignore[attr-defined]
    # common random numbers: every mix ran the same screening seeds
    screen = runs[runs["stage"] == "screen"]
    assert screen.groupby("mix")["seed"].apply(sorted).map(tuple).nunique() == 1
    assert "最省的达标配置" in result.summary()  # type: ignore[attr-defined]


@pytest.mark.slow
def test_search_same_seed_same_answer(nanhu: Scenario, small_search: object) -> None:
    """Tests that the search is reproducible: the same settings give the same table."""
    again = search_mix(
        nanhu,
        small_search.spec,
        None,  # type: ignore[attr-defined]
        scenario_dir=str(SCENARIO),
    )
    pd.testing.assert_frame_equal(again.table, small_search.table)  # type: ignore[attr-defined]


def test_budget_excludes_mixes(nanhu: Scenario) -> None:
    """Tests that a budget below every mix is an input error naming the cheapest cost."""
    spec = MixSpec(
        (1.0,),
        (1.0,),
        ("hotspot",),
        levers=(),
        reps=2,
        reps_final=2,
        days=9,
        budget=1000.0,
        targets=(Target("violation_hours", max=1e9),),
    )
    with pytest.raises(ScenarioError, match="--budget: no mix"):
        search_mix(nanhu, spec, None, scenario_dir=str(SCENARIO))


def test_cli_writes_choice_and_frontier(tmp_path: Path) -> None:
    """Tests that optimise-mix writes the tables, the choice and a frontier PNG."""
    out = tmp_path / "mix"
    status = main(
        [
            "optimise-mix",
            str(SCENARIO),
            "--certified",
            "1",
            "--auxiliary",
            "1",
            "--policy",
            "posts+mobile",
            "--levers",
            "zone-P21",
            "--reps",
            "2",
            "--reps-final",
            "2",
            "--finalists",
            "1",
            "--runners-up",
            "1",
            "--days",
            "9",
            "--target",
            "violation_hours<=1e9",
            "--workers",
            "1",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert status == 0
    choice = json.loads((out / "choice.json").read_text(encoding="utf-8"))["choice"]
    assert choice["mix"] == "c1-a1-posts+mobile"
    assert math.isfinite(choice["annual_cost"])
    assert (out / "frontier_violation_hours.png").stat().st_size > 1000
    assert (out / "mixes.csv").exists()
    assert not list(out.glob(".*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "violation_hours=5"], "--target: expected KPI<=VALUE"),
        (["--target", "happiness>=1"], "--target: unknown KPI 'happiness'"),
        (["--levers", "nope", "--target", "violation_hours<=1"], "--levers: the scenario defines"),
        (["--certified", "a,b", "--target", "violation_hours<=1"], "--certified"),
    ],
)
def test_cli_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """Tests that bad options are one line each, exit 2, and nothing is written."""
    out = tmp_path / "mix"
    status = main(["optimise-mix", str(SCENARIO), "--out", str(out), "--quiet", *args])
    assert status == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()


def test_sweep_costs_campaign_variants_at_their_nominal_staff(nanhu: Scenario) -> None:
    """Tests that a sweep's @campaign run is costed at its nominal staffing (the campaign's
    people come out of that budget), not at the smaller steady rota it runs."""
    from patrolsim.experiment.store import RunKey
    from patrolsim.experiment.sweep import RunTask, run_task
    from patrolsim.sim.costs import staff_cost
    from patrolsim.sim.policies import scale_staff

    key = RunKey(nanhu.content_hash, 1.0, "posts+mobile@campaign", 0, 9)
    record = run_task(RunTask(key, str(SCENARIO), "posts+mobile", True, 0.8))
    overtime = record.kpis["annual_cost_overtime"]
    nominal = staff_cost(scale_staff(nanhu.staff, 1.0), nanhu.levers.costs)
    assert record.kpis["annual_cost"] == pytest.approx(nominal + overtime)
