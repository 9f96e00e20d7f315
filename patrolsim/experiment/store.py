"""A results store that survives interruption: one small JSON file per finished run.

Layout under the sweep's output folder::

    OUT/runs/<digest>.json     one record per finished run

``<digest>`` is a hash of the run's :class:`RunKey` (scenario content hash, staffing, policy,
seed, days), so a run has exactly one possible file name: recording it twice leaves one file,
and "is this run done?" is one ``stat``. Each record is written to a temporary file beside its
final name, flushed to disk, and renamed into place (``os.replace`` is atomic, as in
:func:`patrolsim.outputs.atomic_path`), so a sweep killed at any moment — even by SIGKILL —
leaves each run either fully recorded or not recorded at all. Temporary files start with a
dot and name the writing host and process; they are ignored when reading and removed by
:meth:`ResultStore.clean` once their writer is gone.

Only the process that drives the sweep writes records (workers, possibly on other machines,
return results to it), so the store needs no locking; two sweeps writing the same run would
write identical records, and the rename keeps one of them.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import socket
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from patrolsim.errors import PatrolsimWarning
from patrolsim.scenario.model import KPI_NAMES

_HOST = socket.gethostname().replace(".", "_")


def _writer_is_dead(name: str) -> bool:
    """Whether ``.<digest>.<host>.<pid>.tmp`` was written by a process gone from this host."""
    parts = name.split(".")
    if len(parts) != 5 or parts[4] != "tmp" or parts[2] != _HOST or not parts[3].isdigit():
        return False
    pid = int(parts[3])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


RESULT_COLUMNS = ("staffing", "policy", "seed", *KPI_NAMES)
RECORD_VERSION = 1


@dataclass(frozen=True, slots=True)
class RunKey:
    """What identifies one run of a sweep."""

    scenario_hash: str
    """:attr:`Scenario.content_hash <patrolsim.scenario.model.Scenario.content_hash>`."""
    staffing: float
    """Nominal staffing level (fraction of the staff list)."""
    policy: str
    """Policy as the sweep names it, e.g. ``hotspot`` or ``posts+mobile@campaign``."""
    seed: int
    days: int

    def __post_init__(self) -> None:
        if not self.scenario_hash:
            raise ValueError(f"Expected scenario_hash non-empty, got {self.scenario_hash!r}.")
        if not (math.isfinite(self.staffing) and self.staffing > 0):
            raise ValueError(f"Expected staffing > 0, got {self.staffing}.")
        if self.seed < 0:
            raise ValueError(f"Expected seed >= 0, got {self.seed}.")
        if self.days < 1:
            raise ValueError(f"Expected days >= 1, got {self.days}.")

    def as_dict(self) -> dict[str, Any]:
        """The key as JSON-ready values."""
        return {
            "scenario_hash": self.scenario_hash,
            "staffing": float(self.staffing),
            "policy": self.policy,
            "seed": int(self.seed),
            "days": int(self.days),
        }

    @property
    def digest(self) -> str:
        """A stable 32-hex-digit name for the run (the record's file name)."""
        text = json.dumps(
            [
                self.scenario_hash,
                repr(float(self.staffing)),
                self.policy,
                int(self.seed),
                int(self.days),
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A finished run: its key, its KPIs and a few facts about how it was run."""

    key: RunKey
    kpis: Mapping[str, float]
    """Every name of :data:`~patrolsim.scenario.model.KPI_NAMES` (more are allowed)."""
    info: Mapping[str, Any] = field(default_factory=dict)
    """E.g. ``steady_staffing``, ``campaigns``, ``staff_hours``, ``wall_s``, ``host``."""

    def __post_init__(self) -> None:
        missing = [k for k in KPI_NAMES if k not in self.kpis]
        if missing:
            raise ValueError(f"Expected kpis to contain every KPI name, got none for {missing}.")

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return {
            "version": RECORD_VERSION,
            "key": self.key.as_dict(),
            "kpis": {k: float(v) for k, v in self.kpis.items()},
            "info": dict(self.info),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunRecord:
        """Rebuild a record written by :meth:`to_json`."""
        k = data["key"]
        key = RunKey(
            str(k["scenario_hash"]),
            float(k["staffing"]),
            str(k["policy"]),
            int(k["seed"]),
            int(k["days"]),
        )
        return cls(
            key, {str(n): float(v) for n, v in data["kpis"].items()}, dict(data.get("info", {}))
        )

    def row(self) -> dict[str, Any]:
        """The record as a row of ``results.csv``."""
        return {
            "staffing": self.key.staffing,
            "policy": self.key.policy,
            "seed": self.key.seed,
            **{k: float(self.kpis[k]) for k in KPI_NAMES},
        }


class ResultStore:
    """The records of finished runs under ``folder/runs``.

    Parameters
    ----------
    folder
        The sweep's output folder (created when the first record is written).
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.runs = self.folder / "runs"

    def path(self, key: RunKey) -> Path:
        """Where the record of ``key`` lives."""
        return self.runs / f"{key.digest}.json"

    def __contains__(self, key: object) -> bool:
        return isinstance(key, RunKey) and self.path(key).is_file()

    def put(self, record: RunRecord) -> Path:
        """Record a finished run atomically (flushed to disk before it appears).

        The temporary file is named ``.<digest>.<host>.<pid>.tmp`` so that :meth:`clean` can
        tell a write interrupted by a dead process from one still in progress.
        """
        target = self.path(record.key)
        text = json.dumps(record.to_json(), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        self.runs.mkdir(parents=True, exist_ok=True)
        tmp = self.runs / f".{record.key.digest}.{_HOST}.{os.getpid()}.tmp"
        try:
            with tmp.open("w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                tmp.unlink()
        return target

    def get(self, key: RunKey) -> RunRecord | None:
        """The record of ``key``, or ``None`` if the run is not recorded (or unreadable)."""
        path = self.path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            record = RunRecord.from_json(data)
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            warnings.warn(
                f"{path}: unreadable run record ({exc}); the run will be redone",
                PatrolsimWarning,
                stacklevel=2,
            )
            return None
        if record.key != key:
            warnings.warn(
                f"{path}: record is for another run; the run will be redone",
                PatrolsimWarning,
                stacklevel=2,
            )
            return None
        return record

    def done(self, keys: Iterable[RunKey]) -> set[RunKey]:
        """Those of ``keys`` that are recorded."""
        existing = {p.stem for p in self.runs.glob("[!.]*.json")} if self.runs.is_dir() else set()
        return {k for k in keys if k.digest in existing}

    def records(self) -> Iterator[RunRecord]:
        """Every readable record in the store, in file-name order."""
        if not self.runs.is_dir():
            return
        for path in sorted(self.runs.glob("[!.]*.json")):
            try:
                yield RunRecord.from_json(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, KeyError, TypeError):
                continue

    def clean(self, older_than_s: float = 60.0) -> int:
        """Remove temporary files left by interrupted writes; return how many.

        A temporary file is removed when the process that wrote it (on this machine) is no
        longer running, or when it is older than ``older_than_s`` seconds; a sweep still
        writing into the same folder is not disturbed.
        """
        if not self.runs.is_dir():
            return 0
        now = time.time()
        removed = 0
        for path in self.runs.glob(".*"):
            try:
                if _writer_is_dead(path.name) or now - path.stat().st_mtime > older_than_s:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def frame(self, keys: Iterable[RunKey]) -> pd.DataFrame:
        """``results.csv`` for ``keys``: one row per recorded run, in the order of ``keys``.

        Columns ``staffing, policy, seed`` and the KPI names; runs not recorded are left out.
        """
        rows = []
        for key in keys:
            record = self.get(key)
            if record is not None:
                rows.append(record.row())
        return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))

    def infos(self, keys: Iterable[RunKey]) -> pd.DataFrame:
        """The ``info`` of each recorded run of ``keys`` with its staffing, policy and seed."""
        rows = []
        for key in keys:
            record = self.get(key)
            if record is not None:
                rows.append(
                    {
                        "staffing": key.staffing,
                        "policy": key.policy,
                        "seed": key.seed,
                        **record.info,
                    }
                )
        return pd.DataFrame(rows)
