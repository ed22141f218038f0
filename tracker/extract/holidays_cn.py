"""China's public holidays, festivals and working days, for deadlines the genre counts by them.

Plans write `国庆节前完成`, `春节前`, `收到通知之日起30个工作日内`. A festival falls on a
lunar date in some years (春节, 端午, 中秋) and a working day depends on the State Council's
yearly schedule of days off and make-up working days (调休). Both come from the `holidays`
package (China, zh_CN names), which computes the lunar festivals for any year and records
the published schedule, each rest day named after the make-up day it is swapped with
(`休息日（由 2021-02-07 调休）`).

Past the last year whose schedule is published, working days are counted with the statutory
holidays and weekends only: :func:`add_working_days` says so (``exact`` False), and the task
is flagged for review rather than given a date that could be a day or two off silently.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

# How plans name the festivals, and the name the holiday calendar gives the first day.
FESTIVALS = {
    "元旦": "元旦", "春节": "春节", "清明": "清明节", "清明节": "清明节", "五一": "劳动节", "劳动节": "劳动节",
    "端午": "端午节", "端午节": "端午节", "中秋": "中秋节", "中秋节": "中秋节", "国庆": "国庆节", "国庆节": "国庆节",
}
_SWAPPED = re.compile(r"由\s*(\d{4}-\d{2}-\d{2})\s*调休")


@lru_cache(maxsize=64)
def _year(year: int) -> tuple[dict[date, str], frozenset[date]]:
    """The year's days off (date → name) and its make-up working days."""
    import holidays

    days = {d: str(n) for d, n in holidays.China(years=[year], language="zh_CN").items()}
    makeup = frozenset(date.fromisoformat(m) for n in days.values() for m in _SWAPPED.findall(n))
    return days, makeup


def festival_day(name: str, year: int) -> date | None:
    """The first day of a festival in a year, or None if the name is none.

    >>> festival_day("国庆节", 2021), festival_day("春节", 2027), festival_day("五一", 2022)
    (datetime.date(2021, 10, 1), datetime.date(2027, 2, 6), datetime.date(2022, 5, 1))
    """
    canonical = FESTIVALS.get(name)
    if canonical is None or not 1949 <= year <= 2100:
        return None
    days, _ = _year(year)
    first = [d for d, n in days.items() if n.split("；")[0].split(";")[0].strip() == canonical or canonical in n.split("（")[0]]
    return min(first) if first else None


def schedule_published(year: int) -> bool:
    """Whether the year's schedule of days off and make-up working days is known: every
    year has swapped days (调休), so a year with none is one not published yet.

    >>> schedule_published(2021), schedule_published(2099)
    (True, False)
    """
    return bool(_year(year)[1])


def is_working_day(d: date) -> bool:
    """A working day: a weekday that is no day off, or a make-up working day.

    >>> is_working_day(date(2021, 10, 1)), is_working_day(date(2021, 9, 26)), is_working_day(date(2021, 9, 27))
    (False, True, True)
    """
    days, makeup = _year(d.year)
    if d in makeup:
        return True
    return d.weekday() < 5 and d not in days


def add_working_days(start: date, n: int) -> tuple[date, bool]:
    """The n-th working day after ``start``, and whether every year it passes through has a
    published schedule (otherwise the date is an estimate).

    >>> add_working_days(date(2021, 9, 30), 1)
    (datetime.date(2021, 10, 8), True)
    """
    d, left = start, n
    exact = schedule_published(start.year)
    while left > 0:
        d += timedelta(days=1)
        if d.month == 1 and d.day == 1:
            exact = exact and schedule_published(d.year)
        if is_working_day(d):
            left -= 1
    return d, exact
