"""Dates as coordinators type them: `2021-06-30`, `2021/6/30`, `2021年6月30日`.

A module of its own (pure, no database) so that commands which must start fast, like
`tracker overdue`, parse their options without loading the service layer.
"""

from __future__ import annotations

import re
from datetime import date

from tracker.errors import UsageError
from tracker.extract.numerals import fold_width

_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def parse_date(value: str, *, what: str = "日期 / date") -> date:
    """`2021-06-30`, `2021/6/30` or `2021年6月30日` → a date; anything else a clear error.

    >>> parse_date("2021年6月30日"), parse_date("２０２１/6/3")
    (datetime.date(2021, 6, 30), datetime.date(2021, 6, 3))
    """
    v = fold_width(value.strip())
    m = _DATE.fullmatch(v)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    raise UsageError(f"无效的{what}“{value}”，请使用 YYYY-MM-DD 格式 / invalid date {value!r}, use YYYY-MM-DD")
