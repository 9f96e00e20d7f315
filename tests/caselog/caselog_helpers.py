"""Synthetic case logs in a Chinese (数字城管) layout, for the case-log tests."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np

from patrolsim.caselog.coords import wgs84_to_gcj02

DATA = Path(__file__).resolve().parent / "data"

CHINESE_MAPPING = """\
[columns]
reported_at = "上报时间"
category = "小类"
closed_at = "结案时间"
lon = "坐标X"
lat = "坐标Y"
area = "社区"
source = "问题来源"
id = "案件编号"

[time]
format = "auto"
timezone = "Asia/Shanghai"

[coordinates]
system = "gcj02"

[categories]
flyposting = ["乱张贴", "乱涂写"]
muck_spill = ["渣土撒漏", "乱堆物堆料"]

[sources]
patrol = ["监督员上报"]
citizen = ["12345", "12319", "市民投诉"]
"""

HEADER = ["案件编号", "上报时间", "结案时间", "大类", "小类", "社区", "坐标X", "坐标Y", "问题来源"]


def chinese_rows(n: int = 40, seed: int = 0) -> tuple[list[list[str]], np.ndarray, np.ndarray]:
    """``n`` cases in a 数字城管 layout around Hangzhou, with their true WGS84 coordinates."""
    rng = np.random.default_rng(seed)
    lon = 120.15 + rng.uniform(0, 0.02, n)
    lat = 30.25 + rng.uniform(0, 0.02, n)
    glon, glat = wgs84_to_gcj02(lon, lat)
    cats = ["乱张贴", "乱涂写", "渣土撒漏", "乱堆物堆料"]
    sources = ["监督员上报", "12345", "12319", "市民投诉"]
    start = dt.datetime(2024, 3, 4, 8, 0)
    rows = []
    for i in range(n):
        t = start + dt.timedelta(hours=int(rng.integers(0, 24 * 28)))
        rows.append(
            [
                f"AJ{i:05d}",
                t.strftime("%Y/%m/%d %H:%M:%S"),
                (t + dt.timedelta(hours=5)).strftime("%Y/%m/%d %H:%M:%S"),
                "市容环境",
                cats[i % 4],
                ["湖滨社区", "清波社区"][i % 2],
                f"{glon[i]:.6f}",
                f"{glat[i]:.6f}",
                sources[i % 4],
            ]
        )
    return rows, lon, lat


def write_log(
    path: Path, rows: list[list[str]], encoding: str = "gb18030", header: list[str] = HEADER
) -> Path:
    """Write rows under ``header`` in ``encoding`` (``utf-8-sig``, ``gb18030``, ``utf-16``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
