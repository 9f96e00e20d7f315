"""The calendar of a scenario: public holidays, working weekends, exam periods, inspections.

China's public holidays and the weekends made working days (调休) come from the maintained
``holidays`` library; ``scenario.toml`` can add holidays, remove them, and name exam periods
and inspection days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import holidays

from patrolsim.scenario.model import DayInfo, ExamPeriod


def public_holidays(start: dt.date, end: dt.date, country: str = "CN") -> holidays.HolidayBase:
    """The public holidays of ``country`` (China: Chinese names) from ``start`` to ``end``."""
    years = list(range(start.year, end.year + 1))
    if country == "CN":
        return holidays.country_holidays("CN", years=years, language="zh_CN")
    return holidays.country_holidays(country, years=years)


def build_days(
    start: dt.date,
    horizon_days: int,
    use_public_holidays: bool,
    extra_holidays: Iterable[dt.date],
    not_holidays: Iterable[dt.date],
    exam_periods: Iterable[ExamPeriod],
    inspection_days: Iterable[dt.date],
    country: str = "CN",
) -> tuple[DayInfo, ...]:
    """Return one :class:`DayInfo` per day of the horizon."""
    end = start + dt.timedelta(days=horizon_days - 1)
    official = public_holidays(start, end, country) if use_public_holidays else None
    extra = set(extra_holidays)
    removed = set(not_holidays)
    inspections = set(inspection_days)
    exams = tuple(exam_periods)
    days = []
    for offset in range(horizon_days):
        day = start + dt.timedelta(days=offset)
        name: str | None = None
        if official is not None and day in official:
            name = str(official.get(day))
        if day in extra:
            name = name or "额外假日"
        if day in removed:
            name = None
        if official is not None and day not in extra and day not in removed:
            workday = bool(official.is_working_day(day))
        else:
            workday = name is None and day.weekday() < 5
        days.append(
            DayInfo(
                date=day,
                holiday=name,
                workday=workday,
                exam_periods=tuple(e.name for e in exams if e.start <= day <= e.end),
                inspection=day in inspections,
            )
        )
    return tuple(days)
