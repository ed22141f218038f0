"""Text that keeps table columns aligned in any terminal, Chinese included.

Rich and Textual count a Han character as two cells. Characters of *ambiguous* East Asian
width (“ ” — … · ① °) count as one, but terminals set to "ambiguous = wide" (common with
Chinese fonts) draw them two cells wide, and every column to their right shifts. Table
cells therefore get those characters replaced by unambiguous equivalents (:func:`cell_safe`)
and are cut with an ASCII marker, never with "…" (itself ambiguous): :func:`fit`.
"""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len

ELLIPSIS = "..."  # three one-cell dots: the same width in every terminal

_REPLACEMENTS = {
    "“": "「", "”": "」", "‘": "『", "’": "』",  # curly quotes → corner brackets (wide)
    "—": "－", "–": "-", "―": "－",  # dashes
    "…": "...", "·": "・", "•": "・", "°": "度", "×": "x", "※": "*",
    "§": "S", "¶": "P", "±": "+/-", "÷": "/", "→": "->", "←": "<-", "√": "V",
}


def cell_safe(text: str) -> str:
    """``text`` with ambiguous-width characters replaced, so its width is the same everywhere.

    >>> cell_safe("“十四五”规划—第①项…")
    '「十四五」规划－第(1)项...'
    """
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch in _REPLACEMENTS:
            out.append(_REPLACEMENTS[ch])
        elif unicodedata.east_asian_width(ch) == "A":
            out.append(_ambiguous(ch))
        else:
            out.append(ch)
    return "".join(out)


def _ambiguous(ch: str) -> str:
    """A circled or parenthesised number becomes (n); other ambiguous symbols a space-free
    ASCII stand-in taken from the character's decomposition, else '?'."""
    number = unicodedata.numeric(ch, None)
    if number is not None and float(number).is_integer():
        return f"({int(number)})"
    decomposed = unicodedata.normalize("NFKC", ch)
    if decomposed != ch and all(unicodedata.east_asian_width(c) != "A" for c in decomposed):
        return decomposed
    return "?"


def fit(text: str, width: int) -> str:
    """``text`` made cell-safe, cut to at most ``width`` cells with "...", and padded with
    spaces to exactly ``width`` (a wide character never straddles the edge).

    >>> fit("知识产权保护中心", 9)
    '知识产...'
    >>> fit("ab", 4)
    'ab  '
    """
    if width <= 0:
        return ""
    text = cell_safe(text).replace("\n", " ")
    size = cell_len(text)
    if size <= width:
        return text + " " * (width - size)
    if width <= len(ELLIPSIS):
        return _take(text, width)
    head = _take(text, width - len(ELLIPSIS))
    out = head.rstrip(" ") + ELLIPSIS
    return out + " " * (width - cell_len(out))


def _take(text: str, width: int) -> str:
    """The longest prefix of ``text`` at most ``width`` cells wide, padded to ``width``."""
    used = 0
    out = []
    for ch in text:
        w = cell_len(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out) + " " * (width - used)


def right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` cells (numbers)."""
    text = cell_safe(text)
    size = cell_len(text)
    return fit(text, width) if size >= width else " " * (width - size) + text
