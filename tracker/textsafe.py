"""Text that reaches a terminal, a log or a LIKE pattern: control characters and wildcards.

Unit names, notes and actors are typed by people and scripts and printed by `history`,
`tasks`, `overdue`, `scorecard` and `feeds list`. An ESC in a note is the start of a
terminal escape sequence (colours, a rewritten title bar, OSC 8 links, a cursor moved up
over the lines above it), and a newline in ``--actor`` printed in a history listing looks
like a row of its own. So:

* **on input** (:func:`clean_line`, :func:`clean_text`) control characters are removed, as
  the importer removes them from documents (:data:`CONTROL`, shared with
  tracker.extract.reading). One-line fields (actors, unit names) also lose tabs and line
  breaks, which become a space; notes keep their line breaks;
* **on output** (:func:`printable`) whatever is still there (a database written by an
  older version or by another program) is shown escaped, ``\\x1b`` instead of ESC, by the
  table, Markdown and CSV formatters.

Pure and import-light: `tracker overdue` prints through it without loading SQLAlchemy.
"""

from __future__ import annotations

import re

# C0 and C1 control characters other than tab and newline, DEL, and stray BOMs (U+FEFF).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")
# The same plus tab and line breaks (a one-line field), and the Unicode line separators.
_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\ufeff\u2028\u2029]")
_BREAKS = re.compile("[\t\n\r\u2028\u2029]+")
# What output escapes: every control character, line breaks as well unless kept.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_UNPRINTABLE_ALL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clean_line(text: str) -> str:
    """A one-line field (an actor, a unit name): line breaks and tabs become one space,
    other control characters go, the ends are trimmed.

    >>> clean_line("alice\\n2024-01-01 00:00  mallory  status: todo → done")
    'alice 2024-01-01 00:00  mallory  status: todo → done'
    >>> clean_line("省公安厅\\x1b]0;pwned\\x07")
    '省公安厅]0;pwned'
    """
    return _CONTROL_OR_BREAK.sub("", _BREAKS.sub(" ", text)).strip()


def clean_text(text: str) -> str:
    """A note: line breaks kept (``\\r\\n`` and ``\\r`` become ``\\n``), other control
    characters removed, as imported documents are cleaned.

    >>> clean_text("已督办\\r\\n\\x1b[2J第二行\\x9b")
    '已督办\\n[2J第二行'
    """
    return CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def printable(value: str, *, keep_breaks: bool = False) -> str:
    """``value`` with control characters shown as escapes, so that printing it cannot move
    the cursor, recolour, retitle or add a line. ``keep_breaks`` leaves newlines and tabs
    (a CSV field is quoted and may hold them; a table cell may not).

    >>> printable("省公安厅\\x1b[31m")
    '省公安厅\\\\x1b[31m'
    >>> printable("a\\nb"), printable("a\\nb", keep_breaks=True)
    ('a\\\\nb', 'a\\nb')
    """
    pattern = _UNPRINTABLE if keep_breaks else _UNPRINTABLE_ALL
    if pattern.search(value) is None:  # the usual case: nothing to do, no copy
        return value
    return pattern.sub(_escape, value)


def like_escape(value: str, escape: str = "/") -> str:
    """``value`` for a LIKE pattern, its own ``%`` and ``_`` (and the escape character)
    matched literally: `--owner %` looks for a unit with a % in its name, not every unit.
    Used with ``ESCAPE '/'``, as SQLAlchemy's ``contains(…, autoescape=True)`` does.

    >>> like_escape("100%_/x")
    '100/%/_//x'
    """
    return value.replace(escape, escape + escape).replace("%", escape + "%").replace("_", escape + "_")


def display_path(value: object) -> str:
    r"""A path (or a message naming one) that can be printed and stored: bytes of a file name
    that are not UTF-8 (Python keeps them as lone surrogates, which no UTF-8 output
    accepts) are shown as ``\xff``.

    >>> import os
    >>> display_path(os.fsdecode(b"/srv/plans/\xff.txt"))
    '/srv/plans/\\xff.txt'
    """
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text
