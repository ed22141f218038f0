"""The fast path of traditional → simplified conversion is exact.

:func:`tracker.extract.repair.to_simplified` skips OpenCC for text holding none of the
characters in :data:`tracker.extract.t2s_changes.CHANGEABLE`. That is only right while the
set matches the installed OpenCC dictionaries, so it is regenerated from them here.
"""

from __future__ import annotations

import json
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.extract.repair import _converter, to_simplified, to_simplified_aligned
from tracker.extract.t2s_changes import CHANGEABLE, T2S_DICTIONARIES, changeable_from_dictionaries

CLIB = Path(opencc.__file__).resolve().parent / "clib"
SHARE = CLIB / "share" / "opencc"
TOOL = CLIB / "bin" / "opencc_dict"


@pytest.mark.skipif(not TOOL.is_file(), reason="this OpenCC build ships no opencc_dict tool")
def test_set_matches_the_installed_dictionaries() -> None:
    assert changeable_from_dictionaries(SHARE, TOOL) == set(CHANGEABLE)


@pytest.mark.skipif(not SHARE.is_dir(), reason="OpenCC data folder not found")
def test_t2s_uses_only_the_dictionaries_the_set_is_made_from() -> None:
    config = json.loads((SHARE / "t2s.json").read_text(encoding="utf-8"))
    files = [config["normalization"][0]["dict"]["file"]]
    files += [d["file"] for step in config["conversion_chain"] for d in step["dict"]["dicts"]]
    assert sorted(Path(f).stem for f in files) == sorted(T2S_DICTIONARIES)


def test_every_changeable_character_that_converts_alone_is_in_the_set() -> None:
    chars = [chr(c) for c in range(0x3400, 0xA000)]
    converted = _converter("t2s").convert("\n".join(chars)).split("\n")
    assert {c for c, s in zip(chars, converted, strict=True) if s != c} <= set(CHANGEABLE)


# Strings of everyday characters that are not in the set, plus the characters of phrases
# OpenCC rewrites (深沈, 答覆) that are: what the fast path has to get right.
_SAFE = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可知识产权保护乾坤于坤深意志消"
_TRICKY = "沈覆坏藉哩乾於著"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_SAFE + _TRICKY + "，。（）\n 2021年"), max_size=40))
def test_fast_path_gives_what_opencc_gives(text: str) -> None:
    assert to_simplified(text) == str(_converter("t2s").convert(text))
    expected = "\n".join(
        c if len(c := str(_converter("t2s").convert(line))) == len(line)
        else "".join(x if len(x := str(_converter("t2s").convert(ch))) == 1 else ch for ch in line)
        for line in text.split("\n")
    )
    assert to_simplified_aligned(text) == expected
