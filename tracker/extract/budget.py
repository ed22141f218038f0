"""A time and size budget for extracting one document, so no input can hang an import.

Every pattern of the grammar is linear in the text it reads (tests/faults/test_extraction_budget.py
holds it to a few microseconds a character), but a document may still be absurdly large, or
built to find a case nobody thought of. So extraction runs under a budget: a document longer
than :data:`MAX_CHARS` characters is refused before it is read, and one that takes longer than
:data:`SECONDS` seconds stops with a clear error, naming the document, instead of holding the
import (and the database write lock) for minutes. The loops over lines and items call
:func:`check`, which costs a clock read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

MAX_CHARS = 20_000_000  # a plan of 400 pages is about 400,000 characters
SECONDS = 120.0

_deadline: ContextVar[float | None] = ContextVar("extraction_deadline", default=None)


class BudgetExceeded(Exception):
    """A document too large or too slow to extract; the message says which and by how much."""


@contextmanager
def within(chars: int, *, seconds: float = SECONDS, max_chars: int = MAX_CHARS) -> Iterator[None]:
    """Run an extraction of a text of ``chars`` characters under the budget.

    >>> with within(10):
    ...     check()
    >>> with within(MAX_CHARS + 1):
    ...     pass
    Traceback (most recent call last):
    ...
    tracker.extract.budget.BudgetExceeded: 文档过大：20000001 字符（上限 20000000）/ document too large: 20000001 characters (limit 20000000)
    """
    if chars > max_chars:
        raise BudgetExceeded(
            f"文档过大：{chars} 字符（上限 {max_chars}）/ document too large: {chars} characters (limit {max_chars})"
        )
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Raise :class:`BudgetExceeded` once the current extraction is over its time."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise BudgetExceeded(
            f"文档解析超时（超过 {SECONDS:.0f} 秒），请检查文件是否完整 / "
            f"extraction took longer than {SECONDS:.0f} s: check the file is a plan document"
        )
