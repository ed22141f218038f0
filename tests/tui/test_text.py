"""Cell-safe text: every table cell is exactly its width in any terminal."""

from __future__ import annotations

import doctest
import unicodedata

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

import tui.i18n
import tui.text
from tui.text import ELLIPSIS, cell_safe, fit

TEXT = st.text(alphabet=st.sampled_from("知识产权（一）①“”—…·° abc123、，。\n丶𠀋"), max_size=40)


def test_doctests() -> None:
    for module in (tui.text, tui.i18n):
        assert doctest.testmod(module).failed == 0


@given(TEXT, st.integers(min_value=0, max_value=30))
def test_fit_is_exactly_the_width_and_never_ambiguous(text: str, width: int) -> None:
    out = fit(text, width)
    assert cell_len(out) == width
    assert not any(unicodedata.east_asian_width(ch) == "A" for ch in out)
    if cell_len(cell_safe(text).replace("\n", " ")) > width > len(ELLIPSIS):
        assert out.rstrip().endswith(ELLIPSIS)


def test_wide_characters_never_straddle_the_edge() -> None:
    assert fit("知识产权", 5) == "知..." and fit("知识产权", 3) == "知 " and fit("知识", 4) == "知识"
