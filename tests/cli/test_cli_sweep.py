"""Tests of ``patrolsim sweep`` as a user runs it, including being killed and started again."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from patrolsim.cli import main
from patrolsim.experiment.store import ResultStore
from patrolsim.experiment.sweep import SweepSpec, plan_runs
from patrolsim.scenario import Scenario
from patrolsim.scenario.model import KPI_NAMES

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
TINY = str(SCENARIOS / "tiny")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_sweep_writes_every_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tests results.csv, summary.csv, recommendation.json, plots and the printed words."""
    out = tmp_path / "out"
    code = main(
        [
            "sweep",
            TINY,
            "--staffing",
            "0.75,1.25",
            "--policy",
            "posts+mobile,hotspot",
            "--reps",
            "3",
            "--days",
            "14",
            "--workers",
            "2",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "tiny：人员规模测试共 12 次模拟(本次 12 次，已有记录 0 次)" in printed
    assert "现行做法(定岗+机动)：" in printed
    assert "热点巡查：" in printed
    with (out / "results.csv").open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == ["staffing", "policy", "seed", *KPI_NAMES]
    results = _rows(out / "results.csv")
    assert [(r["staffing"], r["policy"], r["seed"]) for r in results[:4]] == [
        ("0.75", "posts+mobile", "0"),
        ("0.75", "posts+mobile", "1"),
        ("0.75", "posts+mobile", "2"),
        ("0.75", "hotspot", "0"),
    ]
    summary = _rows(out / "summary.csv")
    assert list(summary[0]) == ["staffing", "policy", "kpi", "mean", "ci_low", "ci_high", "n"]
    assert {r["kpi"] for r in summary} >= set(KPI_NAMES)
    assert all(r["n"] == "3" for r in summary)
    assert len(_rows(out / "differences.csv")) == 2 * len(KPI_NAMES)
    rec = json.loads((out / "recommendation.json").read_text(encoding="utf-8"))
    assert [p["policy"] for p in rec["policies"]] == ["posts+mobile", "hotspot"]
    assert {t["kpi"] for t in rec["targets"]} == {
        "complaint_response_p90_min",
        "inspection_pass_rate",
    }
    for p in rec["policies"]:
        assert p["text"]  # the English answer stays in recommendation.json
        assert p["headcount_text"] in printed  # the answer in people, e.g. 需增加执法队员 …
    headcount = _rows(out / "headcount.csv")
    assert {r["staffing"] for r in headcount} == {"0.75", "1.25"}
    assert (out / "plots" / "staffing_inspection_pass_rate.png").stat().st_size > 1000
    assert (out / "plots" / "policy_comparison.png").stat().st_size > 1000
    assert json.loads((out / "manifest.json").read_text())["state"] == "finished"

    code = main(
        [
            "sweep",
            TINY,
            "--staffing",
            "0.75,1.25",
            "--policy",
            "posts+mobile,hotspot",
            "--reps",
            "3",
            "--days",
            "14",
            "--quiet",
            "--no-plots",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "(本次 0 次，已有记录 12 次)" in capsys.readouterr().out
    assert _rows(out / "results.csv") == results


def test_the_level_recommended_comes_with_its_cost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that the printed answer names what the recommended level costs a year, from the
    sweep's own summary (tiny with a target every level meets, so a level is recommended)."""
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    toml = folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace("complaint_response_p90_min = { max = 60 }\n", "")
    text = text.replace("inspection_pass_rate = { min = 0.8 }", "violation_hours = { max = 1e9 }")
    toml.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    argv = ["sweep", str(folder), "--staffing", "0.75,1", "--policy", "posts+mobile"]
    argv += ["--reps", "3", "--days", "14", "--workers", "1", "--quiet", "--no-plots"]
    assert main([*argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    (policy,) = json.loads((out / "recommendation.json").read_text(encoding="utf-8"))["policies"]
    assert policy["staffing"] == 0.75
    cost = next(
        r
        for r in _rows(out / "summary.csv")
        if r["kpi"] == "annual_cost" and r["staffing"] == "0.75"
    )
    words = [f"{float(cost[k]) / 1e4:,.1f} 万元" for k in ("mean", "ci_low", "ci_high")]
    expected = f"年度人力成本 {words[0]}(95%区间 {words[1]} 至 {words[2]})"
    assert expected in policy["headcount_text"]
    assert expected in printed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--staffing", "x"], "--staffing: must be positive numbers separated by commas (got 'x')"),
        (
            ["--staffing", "0.5,-1"],
            "--staffing: must be positive numbers separated by commas (got '0.5,-1')",
        ),
        (
            ["--policy", "posts,teleport"],
            "--policy: unknown policy 'teleport'; expected one of "
            "posts, mobile, posts+mobile, hotspot, optionally followed by @campaign (at equal "
            "staff-hours) or @campaign+overtime (on top of the rota)",
        ),
        (["--policy", "posts,"], "--policy: must be names separated by commas (got 'posts,')"),
        (["--reps", "0"], "--reps: must be at least 1 (got 0)"),
        (["--workers", "0"], "--workers: must be at least 1 (got 0)"),
        (
            ["--workers", "2", "--dask", "tcp://127.0.0.1:1"],
            "--workers: cannot be combined with --dask (the cluster's workers run the sweep)",
        ),
        (
            ["--days", "99"],
            "--days: must be more than the warm-up of 0 days and at most the "
            "horizon of 28 (got 99)",
        ),
    ],
)
def test_bad_arguments_exit_2_with_one_line_each(
    tmp_path: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that bad options print one clear line each, exit 2 and write nothing."""
    base = {"--staffing": "1", "--policy": "posts", "--reps": "2", "--days": "7"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    argv = ["sweep", TINY, "--out", str(tmp_path / "out"), "--quiet"]
    for flag, value in base.items():
        argv += [flag, value]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == message
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def _count(runs: Path) -> int:
    try:
        return sum(1 for p in runs.iterdir() if not p.name.startswith("."))
    except FileNotFoundError:
        return 0


@pytest.mark.slow
def test_resume_after_sigkill_loses_and_duplicates_nothing(tmp_path: Path, tiny: Scenario) -> None:
    """Tests that a sweep SIGKILLed twice mid-run and restarted ends with one record per run,
    and exactly the results of an uninterrupted sweep."""
    staffing, policies, reps, days = "0.75,1,1.25", "posts+mobile,hotspot", 12, 28
    args = [
        "--staffing",
        staffing,
        "--policy",
        policies,
        "--reps",
        str(reps),
        "--days",
        str(days),
        "--quiet",
        "--no-plots",
    ]
    out = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "patrolsim",
        "sweep",
        TINY,
        *args,
        "--workers",
        "2",
        "--out",
        str(out),
    ]
    spec = SweepSpec((0.75, 1.0, 1.25), tuple(policies.split(",")), reps, days)
    keys = [t.key for t in plan_runs(tiny, spec)]
    seen = []
    for threshold in (5, 30):
        proc = subprocess.Popen(
            cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            # A guard against a hung sweep only, far beyond any run on a busy machine.
            deadline = time.monotonic() + 900
            while _count(out / "runs") < threshold and proc.poll() is None:
                assert time.monotonic() < deadline, "the sweep made no progress"
                time.sleep(0.01)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers, mid-sweep
            proc.wait()
        seen.append(_count(out / "runs"))
    assert seen[0] < len(keys), "the first kill came after the sweep had finished"
    assert not (out / "results.csv").exists()
    # An interrupted write leaves a dot-file: it must not count, and a restart removes it.
    host = socket.gethostname().replace(".", "_")
    stale = out / "runs" / f".{keys[-1].digest}.{host}.{proc.pid}.tmp"
    stale.write_text('{"version": 1, "ke', encoding="utf-8")

    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr
    assert f"(本次 {len(keys) - seen[-1]} 次，已有记录 {seen[-1]} 次)" in done.stdout
    files = sorted(p.name for p in (out / "runs").iterdir())
    assert files == sorted(f"{k.digest}.json" for k in keys)  # one per run, nothing else
    assert [r.key for r in ResultStore(out).records()] == sorted(keys, key=lambda k: k.digest)

    ref = tmp_path / "reference"
    assert main(["sweep", TINY, *args, "--workers", "1", "--out", str(ref)]) == 0
    assert (out / "results.csv").read_bytes() == (ref / "results.csv").read_bytes()
    assert len(_rows(out / "results.csv")) == len(keys)
