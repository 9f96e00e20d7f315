"""One table of the terms a bureau reads, in Chinese and English (STYLE.md §9).

Reports, sheets, plot labels and CLI summaries take every word a 中队长 or 局领导 reads from
here, so that a KPI, a role, a policy or a verdict is called the same thing on every page.
Chinese comes first; English is available with ``--lang en``. Code, identifiers and logs stay
English and do not use this table.

>>> term("violation_hours")
'违法时长'
>>> term("violation_hours", "en")
'violation-hours'
>>> term("no such key")
'no such key'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

#: ``key: (Chinese, English)``. Keys are the identifiers the code uses (KPI column names,
#: role and policy names) or short words for the page furniture.
TERMS: Mapping[str, tuple[str, str]] = {
    # KPIs (column names of kpis.csv)
    "violations_started": ("新发违法数", "violations started"),
    "violations_handled": ("查处数", "violations handled"),
    "violations_self_ended": ("自行消失的违法数", "violations that ended unseen"),
    "violations_active_end": ("期末仍存在的违法数", "violations still active at the end"),
    "violation_hours": ("违法时长", "violation-hours"),
    "recorded_violations": ("记录在案的违法数", "violations recorded"),
    "complaints": ("投诉数", "complaints"),
    "complaint_response_mean_min": ("投诉平均响应时间", "mean complaint response"),
    "complaint_response_p90_min": ("投诉响应时间(90%分位)", "complaint response, 90th centile"),
    # the time limit is the scenario's ([complaints] response_target_min), so not named here
    "complaints_within_target_share": (
        "投诉按时响应率",
        "complaints answered in time",
    ),
    "inspection_pass_rate": ("考评合格率", "inspection pass rate"),
    "patrol_hours": ("巡查工时", "patrol hours"),
    "overtime_hours": ("加班工时", "overtime hours"),
    "annual_cost": ("年度人力成本", "annual staff cost"),
    # units of the KPIs
    "unit:h": ("小时", "h"),
    "unit:min": ("分钟", "min"),
    "unit:count": ("起", ""),
    "unit:10k_yuan": ("万元", "10k yuan"),
    # roles
    "certified": ("执法队员", "certified officers"),
    "auxiliary": ("协管员", "auxiliaries"),
    "leader": ("中队长", "squad leaders"),
    # policies (the simulator's ways of working)
    "posts": ("定岗值守", "fixed posts"),
    "mobile": ("机动巡查", "mobile patrol"),
    "posts+mobile": ("现行做法(定岗+机动)", "usual practice (posts + mobile)"),
    "hotspot": ("热点巡查", "hotspot patrol"),
    "planned": ("本周计划", "this week's plan"),
    "@campaign": ("专项整治(同等工时)", "campaign at equal staff-hours"),
    "@campaign+overtime": ("专项整治(加班)", "campaign on top of the rota, paid in overtime"),
    # verdict words
    "better": ("更好", "better"),
    "worse": ("更差", "worse"),
    "no_different": ("无明显差别", "no clear difference"),
    "meets_target": ("达标", "meets the target"),
    "misses_target": ("未达标", "misses the target"),
    "target": ("目标", "target"),
    "off": ("休", "off"),
    "leave": ("假", "leave"),
    "required": ("应配", "required"),
    "provided": ("实配", "provided"),
    "short": ("缺口", "short"),
    "units": ("组", "units"),
    "people": ("人", "people"),
    "week_of": ("周计划", "weekly plan"),
    "roster": ("排班表", "roster"),
    "routes": ("巡查路线", "patrol routes"),
    "route_sheet": ("巡查路线单", "route sheet"),
    "squad": ("中队", "squad"),
    "name": ("姓名", "name"),
    "role": ("岗位", "role"),
    "date": ("日期", "date"),
    "shift": ("班次", "shift"),
    "hours": ("工时", "hours"),
    "contract_hours": ("合同工时", "contract hours"),
    "total": ("合计", "total"),
    "cover": ("在岗组数", "units on duty"),
    "summary": ("汇总", "summary"),
    "legend": ("图例", "legend"),
    "stop": ("巡查点", "stop"),
    "arrive_window": ("到达时段", "arrival window"),
    "slack": ("机动余量", "slack"),
    "members": ("组员", "members"),
    "leave_kind:annual": ("年假", "annual leave"),
    "leave_kind:sick": ("病假", "sick leave"),
    "leave_kind:training": ("培训", "training"),
    "leave_kind:personal": ("事假", "personal leave"),
    # officer time budget (patrolsim.sim.units.BUDGET_CATEGORIES)
    "activity:travel": ("路途", "travel"),
    "activity:stop": ("巡查停留", "patrol stops"),
    "activity:handling": ("处置违法", "handling violations"),
    "activity:response": ("响应投诉", "answering complaints"),
    "activity:break": ("用餐休息", "meal breaks"),
    "activity:off_street": ("学习训练会议", "study, drills and meetings"),
    "activity:idle": ("待命", "standing by"),
    "activity:overtime": ("加班", "overtime"),
    "weekday:0": ("周一", "Mon"),
    "weekday:1": ("周二", "Tue"),
    "weekday:2": ("周三", "Wed"),
    "weekday:3": ("周四", "Thu"),
    "weekday:4": ("周五", "Fri"),
    "weekday:5": ("周六", "Sat"),
    "weekday:6": ("周日", "Sun"),
}

#: Which way is better for each KPI: +1 higher is better, −1 lower is better, 0 neither (a
#: count of activity, or a cost a verdict reports separately).
KPI_GOOD_DIRECTION: Mapping[str, int] = {
    "violations_started": -1,
    "violations_handled": 0,
    "violations_self_ended": 0,
    "violations_active_end": -1,
    "violation_hours": -1,
    "recorded_violations": 0,
    "complaints": -1,
    "complaint_response_mean_min": -1,
    "complaint_response_p90_min": -1,
    "complaints_within_target_share": 1,
    "inspection_pass_rate": 1,
    "patrol_hours": 0,
    "overtime_hours": -1,
    "annual_cost": -1,
}

#: KPI display units: ``(TERMS key of the unit, scale, digits)``; shares shown in per cent.
KPI_UNITS: Mapping[str, tuple[str, float, int]] = {
    "violation_hours": ("unit:h", 1.0, 0),
    "complaint_response_mean_min": ("unit:min", 1.0, 1),
    "complaint_response_p90_min": ("unit:min", 1.0, 1),
    "complaints_within_target_share": ("%", 100.0, 1),
    "inspection_pass_rate": ("%", 100.0, 1),
    "patrol_hours": ("unit:h", 1.0, 0),
    "overtime_hours": ("unit:h", 1.0, 0),
    "annual_cost": ("unit:10k_yuan", 1e-4, 1),
}


def check_lang(lang: str) -> Lang:
    """Return ``lang`` if it is one of :data:`LANGS`, else raise ``ValueError``."""
    if lang not in LANGS:
        raise ValueError(f"Expected lang in {LANGS}, got {lang!r}.")
    return lang  # type: ignore[return-value]


def term(key: str, lang: Lang = "zh") -> str:
    """The word for ``key`` in ``lang``; an unknown key comes back as it is (e.g. a name)."""
    pair = TERMS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def policy_term(name: str, lang: Lang = "zh") -> str:
    """The name of a policy such as ``posts+mobile@campaign+overtime`` in words."""
    base, sep, variant = name.partition("@")
    if not sep:
        return term(base, lang)
    return f"{term(base, lang)} + {term('@' + variant, lang)}"


def format_kpi(kpi: str, value: float, lang: Lang = "zh", signed: bool = False) -> str:
    """``value`` of ``kpi`` with its unit, e.g. ``81.2%`` or ``1,234 小时``.

    ``signed`` writes a difference: a sign, and shares in percentage points.
    """
    unit_key, scale, digits = KPI_UNITS.get(kpi, ("", 1.0, 1))
    number = value * scale
    if round(number, digits) == 0:
        number = 0.0
    text = f"{number:+,.{digits}f}" if signed else f"{number:,.{digits}f}"
    if unit_key == "%":
        return text + ((" 个百分点" if lang == "zh" else " points") if signed else "%")
    unit = term(unit_key, lang) if unit_key else ""
    return f"{text} {unit}".rstrip() if unit else text


def change_words(kpi: str, value: float, lang: Lang = "zh") -> str:
    """A difference in words: ``减少 1,234 小时`` / ``up 3.1 points``; a difference too small
    for the KPI's digits is ``减少不到 1 小时`` / ``down less than 1 h`` (not "unchanged",
    which would contradict a verdict of better or worse beside it)."""
    _, scale, digits = KPI_UNITS.get(kpi, ("", 1.0, 1))
    amount = format_kpi(kpi, abs(value), lang, signed=True).lstrip("+")
    less = ""
    if round(abs(value) * scale, digits) == 0:  # shown as zero (as format_kpi rounds)
        if value == 0:
            return "不变" if lang == "zh" else "unchanged"
        amount = format_kpi(kpi, 10.0**-digits / scale, lang, signed=True).lstrip("+")
        less = "不到 " if lang == "zh" else "less than "
    if lang == "zh":
        return ("减少" if value < 0 else "增加") + (less or " ") + amount
    return ("down " if value < 0 else "up ") + less + amount


def leave_kind(kind: str, lang: Lang = "zh") -> str:
    """A leave kind from leave.csv in words (unknown kinds as written)."""
    return term(f"leave_kind:{kind}", lang) if f"leave_kind:{kind}" in TERMS else kind


def weekday(date_weekday: int, lang: Lang = "zh") -> str:
    """The name of a weekday (0 is Monday)."""
    return term(f"weekday:{date_weekday}", lang)


def bilingual(key: str) -> str:
    """``中文 English`` for headers that both readers share (e.g. in a CSV)."""
    zh, en = TERMS[key]
    return f"{zh} {en}"
