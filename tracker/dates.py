"""Dates as coordinators type them: `2021-06-30`, `2021/6/30`, `2021年6月30日`.

A module of its own (pure, no database) so that commands which must start fast, like
`tracker overdue`, parse their options without loading the service layer.

Every date a person gives (CLI options, `tracker due`, the TUI's date fields) is held to
:data:`EARLIEST`..:data:`LATEST`: the People's Republic's plans start in 1949, and no plan
runs past 2100. A date of 9999-12-31 is no typo anyone means, and it broke what came after
it (a feed's end date is the day after the deadline; a review cycle adds months).
"""

from __future__ import annotations

import re
from datetime import date

from tracker.errors import UsageError
from tracker.extract.numerals import fold_width

EARLIEST = date(1949, 1, 1)
LATEST = date(2100, 12, 31)
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def parse_date(value: str, *, what: str = "日期 / date") -> date:
    """`2021-06-30`, `2021/6/30` or `2021年6月30日` → a date; anything else a clear error.

    >>> parse_date("2021年6月30日"), parse_date("２０２１/6/3")
    (datetime.date(2021, 6, 30), datetime.date(2021, 6, 3))
    >>> parse_date("9999-12-31")
    Traceback (most recent call last):
    tracker.errors.UsageError: 日期“9999-12-31”超出范围（1949-01-01 至 2100-12-31）/ date 9999-12-31 is out of range (1949-01-01 to 2100-12-31)
    """
    v = fold_width(value.strip())
    m = _DATE.fullmatch(v)
    if m:
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
        else:
            return check_date(day, what=what)
    raise UsageError(f"无效的{what}“{value}”，请使用 YYYY-MM-DD 格式 / invalid date {value!r}, use YYYY-MM-DD")


def check_date(day: date, *, what: str = "日期 / date") -> date:
    """``day`` itself when it lies in EARLIEST..LATEST, else a UsageError (exit 2).

    Services call this too (a date can reach them from the TUI or a script, not only
    through :func:`parse_date`).
    """
    if not EARLIEST <= day <= LATEST:
        raise UsageError(
            f"{what.split(' / ')[0]}“{day.isoformat()}”超出范围（{EARLIEST} 至 {LATEST}）"
            f"/ date {day.isoformat()} is out of range ({EARLIEST} to {LATEST})"
        )
    return day


def check_count(value: int, name: str, *, low: int = 0, high: int) -> int:
    """An integer option within ``low``..``high``, else a UsageError naming the option.

    Integers on the command line have no size limit in Python, but SQL integers, C ints and
    date arithmetic do: ``--yellow-days 99999999999`` overflowed a timedelta, a task id of
    10**22 overflowed SQLite's INTEGER.

    >>> check_count(30, "--yellow-days", high=3660)
    30
    >>> check_count(99999999999, "--yellow-days", high=3660)
    Traceback (most recent call last):
    tracker.errors.UsageError: --yellow-days 须在 0–3660 之间 / --yellow-days must be 0–3660, got 99999999999
    """
    if not low <= value <= high:
        raise UsageError(f"{name} 须在 {low}–{high} 之间 / {name} must be {low}–{high}, got {value}")
    return value


# The largest id or version a database can hold (a signed 64-bit integer, SQLite and PostgreSQL).
MAX_ID = 2**63 - 1
