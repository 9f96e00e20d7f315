"""Chinese-first labels (with English) for everything a bureau reads about a case log.

One table of terms (STYLE.md §9): reading summaries, calibration and back-test reports take
their labels from here, so a term is translated once.
"""

from __future__ import annotations

from collections.abc import Mapping

TERMS: Mapping[str, str] = {
    # reading summary: why a row could not be used
    "rows_read": "读入行数 rows read",
    "usable": "可用案件 usable cases",
    "no_time": "无上报时间 no report time",
    "bad_time": "时间无法识别 unreadable time",
    "unknown_category": "类别未映射 category not in the mapping",
    "no_location": "无位置 no coordinate and no area",
    "bad_coordinate": "坐标无法识别 unreadable coordinate",
    "placeholder_coordinate": "占位坐标 placeholder coordinate",
    "outside_district": "辖区外 outside the district",
    "unknown_area": "区域无对应片区 area matches no patch",
    "duplicate_id": "重复案件编号 duplicate case id",
    "outside_window": "不在拟合期内 outside the fitting window",
    # channels
    "patrol": "巡查发现 found by staff",
    "citizen": "市民投诉 reported by citizens",
    "other": "其他渠道 other channel",
    # back-test
    "simulation": "仿真 simulation",
    "historical_mean": "历史均值 historical mean",
    "seasonal_naive": "季节朴素 seasonal naive",
    "poisson_deviance": "泊松偏差 Poisson deviance",
    "mae": "平均绝对误差 mean absolute error",
    "hit_rate_10": "前10%片区命中率 hit rate, top 10 % of patches",
    "pai_10": "预测精度指数 PAI, top 10 % of patches",
    "observed": "实际 observed",
    "forecast": "预测 forecast",
    "week": "周 week",
    "cases": "案件数 cases",
}


def term(key: str) -> str:
    """The Chinese-first label of ``key`` (the key itself if it has none)."""
    return TERMS.get(key, key)
