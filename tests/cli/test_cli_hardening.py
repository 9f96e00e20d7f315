"""Tests that OS errors and bad values end a command with one line and exit 2, and that an
interrupted run leaves ``--out`` as it was (issue 40, items 6 and 10)."""

from __future__ import annotations

import errno
import os
import pathlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from patrolsim.cli import main
from patrolsim.formats.route_exports import write_district_outputs
from patrolsim.outputs import run_folder
from patrolsim.routing.district import DistrictRoutes, DutyUnit, UnitRoute, VisitRow
from patrolsim.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
TINY = str(ROOT / "scenarios" / "tiny")


def _simulate(out: Path | str, *extra: str) -> list[str]:
    return ["simulate", TINY, "--days", "1", "--seed", "0", *extra, "--out", str(out)]


def _one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert needle in err, err


@pytest.mark.parametrize("value", ["nan", "inf", "0", "1e308", "-1"])
def test_bad_staffing_exits_2(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that --staffing outside (0, 10] is one line, exit 2."""
    _one_line_exit_2(capsys, _simulate(tmp_path / "o", "--staffing", value), "--staffing")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["roster", TINY, "--week", "2026-11-23", "--weeks", "100000"], "--weeks"),
        (["routes", TINY, "--date", "2026-11-24", "--time-limit", "inf"], "--time-limit"),
        (["sweep", TINY, "--staffing", "1e308", "--reps", "1"], "--staffing"),
        (["sweep", TINY, "--staffing", "1", "--dask", ""], "--dask"),
    ],
)
def test_bad_cli_values_exit_2(
    argv: list[str], needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that values no run could finish with are refused before any work."""
    _one_line_exit_2(capsys, [*argv, "--out", str(tmp_path / "o")], needle)


def test_huge_requirement_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tests that units=1e308 in a requirements file is a located line, exit 2."""
    req = tmp_path / "req.csv"
    req.write_text("date,shift,squad,units\n2026-11-23,early,S1,1e308\n", encoding="utf-8")
    _one_line_exit_2(
        capsys,
        [
            "roster",
            TINY,
            "--week",
            "2026-11-23",
            "--requirements",
            str(req),
            "--out",
            str(tmp_path / "o"),
        ],
        "req.csv:2: units:",
    )


@pytest.mark.parametrize("where", ["file", "under_file"])
def test_out_on_a_file_exits_2_before_work(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that --out equal to or under a file is refused before the solve starts."""
    import patrolsim.roster as roster_pkg

    def no_solve(*args: object, **kwargs: object) -> None:
        raise AssertionError("the solve started before --out was checked")

    monkeypatch.setattr(roster_pkg, "solve_roster", no_solve)
    blocker = tmp_path / "f"
    blocker.write_text("x", encoding="utf-8")
    out = blocker if where == "file" else blocker / "sub"
    _one_line_exit_2(capsys, ["roster", TINY, "--week", "2026-11-23", "--out", str(out)], "--out")
    _one_line_exit_2(capsys, ["validate-model", "--only", "koper", "--out", str(out)], "--out")
    assert blocker.read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_read_only_out_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tests that a --out in a read-only folder is one line, exit 2."""
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        _one_line_exit_2(capsys, _simulate(parent / "o"), "--out")
    finally:
        parent.chmod(0o700)


def test_disk_full_exits_2_and_keeps_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests that ENOSPC while writing is one line, exit 2, and --out keeps the last run."""
    out = tmp_path / "o"
    out.mkdir()
    (out / "kpis.csv").write_text("old", encoding="utf-8")

    def full(self: pathlib.Path, *args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(pathlib.Path, "write_text", full)
    _one_line_exit_2(capsys, _simulate(out), "No space left on device")
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]
    assert sorted(p.name for p in out.iterdir()) == ["kpis.csv"]
    assert (out / "kpis.csv").read_text(encoding="utf-8") == "old"


def test_interrupted_run_leaves_out_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests that Ctrl-C while the run folder is written leaves neither new files nor temps."""
    import patrolsim.cli.simulate as sim_cli

    out = tmp_path / "o"
    out.mkdir()
    (out / "kpis.csv").write_text("old", encoding="utf-8")

    def interrupted(*args: object, **kwargs: object) -> list[Path]:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim_cli, "write_plots", interrupted)
    assert main(_simulate(out)) == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]
    assert sorted(p.name for p in out.iterdir()) == ["kpis.csv"]


def test_finished_run_replaces_its_files_and_keeps_others(tmp_path: Path) -> None:
    """Tests that a finished run moves in, replaces namesakes and leaves other files alone."""
    out = tmp_path / "o"
    out.mkdir()
    (out / "kpis.csv").write_text("old", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(_simulate(out)) == 0
    assert (out / "kpis.csv").read_text(encoding="utf-8") != "old"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_stale_sheets_do_not_pile_up(tiny: Scenario, tmp_path: Path) -> None:
    """Tests that sheets/ holds only the last run's sheets."""
    rows = (VisitRow(0, 0, 420, 420, 420, "depart"), VisitRow(1, 0, 900, 900, 900, "return"))
    for unit in ("1", "2"):
        plan = DistrictRoutes(
            __import__("datetime").date(2026, 11, 24),
            "early",
            (UnitRoute(DutyUnit("S1", unit, 420, 900), rows),),
            0.0,
            (),
        )
        with run_folder(tmp_path / "o") as stage:
            write_district_outputs(stage, tiny, [plan])
    assert [p.name for p in (tmp_path / "o" / "sheets").iterdir()] == [
        "sheet_2026-11-24_early_S1-2.html"
    ]


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "patrolsim", *argv],
        capture_output=True,
        text=True,
        errors="replace",
        env={**os.environ, **env},
        timeout=300,
    )


@pytest.mark.slow
def test_cp1252_console_and_non_utf8_folder(tmp_path: Path) -> None:
    """Tests that a cp1252 console and a non-UTF-8 folder name give exit 0, no traceback."""
    out = Path(os.fsdecode(bytes(tmp_path) + b"/out\xff"))
    done = _run(["validate", TINY], {"PYTHONIOENCODING": "cp1252"})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    done = _run(_simulate(out), {"PYTHONIOENCODING": "cp1252"})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (out / "manifest.json").is_file()


@pytest.mark.slow
def test_sigterm_cleans_the_staging_folder(tmp_path: Path) -> None:
    """Tests that SIGTERM during a run removes its staging folder and leaves --out alone."""
    out = tmp_path / "o"
    proc = subprocess.Popen(
        [sys.executable, "-m", "patrolsim", *_simulate(out, "--reps", "50")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(600):
            if any(p.name.startswith(".o.partial-") for p in tmp_path.iterdir()):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the run never made its staging folder")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode != 0
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
