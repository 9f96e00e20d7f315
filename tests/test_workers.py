"""Tests that local worker processes (sweeps, district routes) die with the main process
(issue 40, item 7)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent("""
    import os, sys, time
    from patrolsim.workers import local_executor

    def work(_):
        time.sleep(120)
        return os.getpid()

    def pid(_):
        return os.getpid()

    pool = local_executor(2)
    pids = set()
    while len(pids) < 2:
        pids |= set(pool.map(pid, range(8)))
    futures = [pool.submit(work, i) for i in range(2)]
    with open(sys.argv[1], "w") as fh:
        fh.write(" ".join(map(str, sorted(pids))))
    time.sleep(120)
""")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_when_the_main_process_is_killed(tmp_path: Path) -> None:
    """Tests that SIGKILL of the sweep's main process also ends its worker processes."""
    script = tmp_path / "sweep_parent.py"
    script.write_text(SCRIPT, encoding="utf-8")
    pids_file = tmp_path / "pids"
    proc = subprocess.Popen([sys.executable, str(script), str(pids_file)])
    try:
        for _ in range(600):
            if pids_file.exists() and pids_file.read_text().strip():
                break
            time.sleep(0.1)
        else:
            pytest.fail("the pool never started its workers")
        workers = [int(p) for p in pids_file.read_text().split()]
        assert len(workers) == 2
        assert all(_alive(p) for p in workers)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        for _ in range(300):
            if not any(_alive(p) for p in workers):
                break
            time.sleep(0.1)
        survivors = [p for p in workers if _alive(p)]
    finally:
        proc.kill()
    for p in survivors:
        os.kill(p, signal.SIGKILL)
    assert survivors == []
