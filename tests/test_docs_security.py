"""Tests that the documentation states the security promises (issue 40, items 3 and 1-2)."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_dask_guide_binds_the_scheduler_and_shows_tls() -> None:
    """Tests that every `dask scheduler` command binds an address, and TLS is shown and why."""
    text = (DOCS / "sweeps.md").read_text(encoding="utf-8")
    commands = re.findall(r"^\s*dask scheduler.*(?:\\\n.*)*", text, flags=re.MULTILINE)
    assert commands
    assert all("--host" in c for c in commands), commands
    assert "--tls-cert" in text
    assert "tls://" in text
    assert "every interface" in text
    assert "authenticate" in text


def test_security_page_states_the_three_promises() -> None:
    """Tests that docs/security.md covers --out, formulas and the Dask scheduler."""
    text = (DOCS / "security.md").read_text(encoding="utf-8")
    for heading in (
        "Outputs stay in `--out`.",
        "Text is never a formula.",
        "Do not expose the Dask scheduler.",
    ):
        assert heading in text
