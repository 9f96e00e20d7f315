"""Tests of the resumable results store."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from patrolsim.errors import PatrolsimWarning
from patrolsim.experiment.store import RESULT_COLUMNS, ResultStore, RunKey, RunRecord
from patrolsim.scenario.model import KPI_NAMES


def _record(seed: int, policy: str = "hotspot", staffing: float = 1.0) -> RunRecord:
    kpis = {k: float(i + seed) / 3.0 for i, k in enumerate(KPI_NAMES)}
    return RunRecord(RunKey("abc123", staffing, policy, seed, 28), kpis, {"staff_hours": 10.0})


def test_key_digest_is_stable_and_distinguishes_runs() -> None:
    """Tests that equal keys share a digest and any differing field changes it."""
    key = RunKey("abc123", 0.75, "posts", 3, 28)
    assert key.digest == RunKey("abc123", 0.75, "posts", 3, 28).digest
    assert len(key.digest) == 32
    others = [
        RunKey("abc124", 0.75, "posts", 3, 28),
        RunKey("abc123", 0.76, "posts", 3, 28),
        RunKey("abc123", 0.75, "posts@campaign", 3, 28),
        RunKey("abc123", 0.75, "posts", 4, 28),
        RunKey("abc123", 0.75, "posts", 3, 27),
    ]
    assert len({key.digest, *(k.digest for k in others)}) == 6


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("staffing", 0.0),
        ("staffing", float("nan")),
        ("seed", -1),
        ("days", 0),
        ("scenario_hash", ""),
    ],
)
def test_key_rejects_bad_fields(field: str, value: object) -> None:
    """Tests that a RunKey names the bad field."""
    args = {"scenario_hash": "h", "staffing": 1.0, "policy": "posts", "seed": 0, "days": 5}
    args[field] = value
    with pytest.raises(ValueError, match=f"Expected {field}"):
        RunKey(**args)  # type: ignore[arg-type]


def test_record_needs_every_kpi() -> None:
    """Tests that a record without every KPI of kpis.csv is refused."""
    with pytest.raises(ValueError, match="violation_hours"):
        RunRecord(RunKey("h", 1.0, "posts", 0, 5), {"complaints": 1.0})


def test_put_get_round_trip_and_one_file_per_run(tmp_path: Path) -> None:
    """Tests that records round-trip exactly and writing a run twice leaves one file."""
    store = ResultStore(tmp_path)
    rec = _record(1)
    assert rec.key not in store
    store.put(rec)
    store.put(rec)
    assert rec.key in store
    assert store.get(rec.key) == rec
    assert [p.name for p in (tmp_path / "runs").iterdir()] == [f"{rec.key.digest}.json"]
    assert store.done([rec.key, _record(2).key]) == {rec.key}


def test_frame_keeps_key_order_and_skips_missing(tmp_path: Path) -> None:
    """Tests that frame() lists recorded runs in the order of the keys asked for."""
    store = ResultStore(tmp_path)
    recs = [_record(s, p) for p in ("posts", "hotspot") for s in range(3)]
    for rec in reversed(recs):
        store.put(rec)
    missing = _record(9).key
    df = store.frame([r.key for r in recs] + [missing])
    assert list(df.columns) == list(RESULT_COLUMNS)
    assert list(zip(df["policy"], df["seed"], strict=True)) == [
        ("posts", 0),
        ("posts", 1),
        ("posts", 2),
        ("hotspot", 0),
        ("hotspot", 1),
        ("hotspot", 2),
    ]
    assert df["violation_hours"].tolist() == [r.kpis["violation_hours"] for r in recs]


def test_partial_writes_are_ignored_and_cleaned(tmp_path: Path) -> None:
    """Tests that a temporary file left by a killed write is not a record and gets removed."""
    store = ResultStore(tmp_path)
    rec = _record(1)
    store.put(rec)
    stale = tmp_path / "runs" / f".{_record(2).key.digest}.json.abc.json"
    stale.write_text('{"version": 1, "key": {"scena', encoding="utf-8")
    fresh = tmp_path / "runs" / ".other.json.xyz.json"
    fresh.write_text("", encoding="utf-8")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    assert store.done([rec.key, _record(2).key]) == {rec.key}
    assert [r.key for r in store.records()] == [rec.key]
    assert store.clean() == 1
    assert not stale.exists()
    assert fresh.exists()  # may belong to a sweep still writing


def test_clean_removes_fresh_temporaries_of_dead_writers(tmp_path: Path) -> None:
    """Tests that a just-written temporary file goes at once if its writer process is dead."""
    store = ResultStore(tmp_path)
    store.put(_record(1))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    host = socket.gethostname().replace(".", "_")
    orphan = tmp_path / "runs" / f".{_record(2).key.digest}.{host}.{dead.stdout.strip()}.tmp"
    orphan.write_text('{"ver', encoding="utf-8")
    alive = tmp_path / "runs" / f".{_record(3).key.digest}.{host}.{os.getppid()}.tmp"
    alive.write_text('{"ver', encoding="utf-8")
    assert store.clean() == 1
    assert not orphan.exists()
    assert alive.exists()
    assert len(list(store.records())) == 1


def test_unreadable_record_warns_and_counts_as_missing(tmp_path: Path) -> None:
    """Tests that a damaged record is reported and treated as not done, so it is redone."""
    store = ResultStore(tmp_path)
    rec = _record(1)
    store.put(rec)
    store.path(rec.key).write_text("{not json", encoding="utf-8")
    with pytest.warns(PatrolsimWarning, match="unreadable"):
        assert store.get(rec.key) is None
    other = _record(2)
    store.path(rec.key).write_text(json.dumps(other.to_json()), encoding="utf-8")
    with pytest.warns(PatrolsimWarning, match="another run"):
        assert store.get(rec.key) is None
