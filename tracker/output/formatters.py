"""Output formats shared by every listing: table (CJK-aware), JSON and CSV.

stdout is data: JSON has sorted keys, ISO dates and real Chinese characters
(``ensure_ascii=False``); CSV has a header row and a UTF-8 BOM-free body that Excel and
LibreOffice open with ``utf-8``. Tables use Rich, which counts Han characters as two
columns, so columns line up in a terminal.

Cells are data, never markup or terminal controls: a table cell is a Rich ``Text`` (a unit
named ``[/red]`` is printed as such, not parsed), and control characters are shown escaped
in tables and CSV (tracker.textsafe), so a note holding ESC sequences cannot recolour,
retitle or rewrite the terminal that lists it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tracker.textsafe import printable

if TYPE_CHECKING:  # Rich costs ~70 ms to import; `tracker --help` must not pay for it
    from rich.console import Console
    from rich.table import Table


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        # A quoted CSV field may hold line breaks; other control characters are escaped.
        writer.writerow(["" if v is None else printable(v, keep_breaks=True) if isinstance(v, str) else v for v in row])
    return buf.getvalue()


def make_console(*, stderr: bool = False, width: int | None = None) -> Console:
    """A console that aligns CJK text; when piped, wide enough not to wrap rows."""
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console = Console(stderr=stderr, highlight=False, soft_wrap=False, width=width or 240)
    return console


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    max_widths: dict[int, int] | None = None,
) -> Table:
    """A Rich table; columns listed in ``max_widths`` truncate with an ellipsis."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_lines=False, header_style="bold", pad_edge=False, expand=False)
    for i, header in enumerate(headers):
        limit = (max_widths or {}).get(i)
        table.add_column(header, overflow="ellipsis", no_wrap=True, max_width=limit)
    for row in rows:
        table.add_row(*[Text(printable("" if v is None else str(v))) for v in row])
    return table
