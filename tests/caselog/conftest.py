"""Fixtures for the case-log tests: the Boston cut and the Chinese mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.caselog.caselog_helpers import CHINESE_MAPPING, DATA


@pytest.fixture
def chinese_mapping(tmp_path: Path) -> Path:
    """The mapping of the synthetic Chinese log."""
    path = tmp_path / "mapping.toml"
    path.write_text(CHINESE_MAPPING, encoding="utf-8")
    return path


@pytest.fixture
def boston_small() -> Path:
    """600 rows cut from the Boston 311 log (public domain): Aug–Oct 2015, central Boston."""
    return DATA / "boston_small.csv"


@pytest.fixture
def boston_mapping() -> Path:
    """The Boston mapping (a copy of scenarios/boston/mapping.toml)."""
    return DATA / "boston_mapping.toml"
