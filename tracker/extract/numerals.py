"""Chinese numerals and character-width normalisation.

Plans number their headings with Chinese numerals (一、 （十七） 第三章) and mix full-width and
half-width digits and punctuation freely (`（2022年10月30日前）` next to `(2020年12月底前完成)`).
Every later stage of the extractor matches on text passed through :func:`fold_width`, so the
grammar only has to be written once.
"""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
# Traditional forms seen in scraped documents (Qinghai) fold to the same values.
_DIGITS.update({"兩": 2, "壹": 1, "貳": 2, "叁": 3, "肆": 4, "伍": 5, "陸": 6, "柒": 7, "捌": 8, "玖": 9})

CN_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_UNITS)

# Full-width ASCII block (！ to ～) maps onto ASCII by a fixed offset.
_FULLWIDTH_OFFSET = 0xFEE0
_WIDTH_TABLE = {cp: cp - _FULLWIDTH_OFFSET for cp in range(0xFF01, 0xFF5F)}
_WIDTH_TABLE[0x3000] = 0x20  # ideographic space
WIDTH_TABLE = _WIDTH_TABLE  # for modules that fold in the same pass as their own table
_COMMON_WIDE = "，（）：；！？％"
_RARE_WIDE = re.compile(
    "[" + "".join(re.escape(chr(cp)) for cp in _WIDTH_TABLE if chr(cp) not in _COMMON_WIDE) + "]"
)


def cn_to_int(text: str) -> int | None:
    """Value of a Chinese (or Arabic) numeral, or None if it is not one.

    >>> cn_to_int("十七"), cn_to_int("二十二"), cn_to_int("一百零五"), cn_to_int("12")
    (17, 22, 105, 12)
    >>> cn_to_int("十"), cn_to_int("两"), cn_to_int("abc") is None
    (10, 2, True)
    """
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(fold_width(text))
    total = 0
    current = 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def fold_width(text: str) -> str:
    """Full-width ASCII letters, digits and punctuation to half-width.

    Only the ASCII look-alikes are folded; Chinese punctuation with no ASCII twin
    (、。《》“”) is kept, because the grammar depends on it.

    >>> fold_width("（２０２２年１０月）")
    '(2022年10月)'
    """
    if _RARE_WIDE.search(text) is not None:
        return text.translate(_WIDTH_TABLE)
    # Chinese text uses a handful of full-width signs (，（）：；): replacing them one by one
    # is a C scan each, six times faster than translate's per-character table lookups.
    return (
        text.replace("，", ",").replace("（", "(").replace("）", ")").replace("：", ":")
        .replace("；", ";").replace("！", "!").replace("？", "?").replace("％", "%")
    )


_SPACED_NUMBER = re.compile(r"(?<=\d) +(?=\d)|(?<=\d) +(?=[年月日件个%])|(?<=[年月]) +(?=\d)")


def squeeze_number_spaces(text: str) -> str:
    """Remove stray spaces inside and around numbers (`1322 件`, `2025 年`).

    >>> squeeze_number_spaces("到 2025 年，立案 1322 件")
    '到 2025年，立案 1322件'
    """
    if " " not in text:  # every pattern removes spaces: nothing to squeeze
        return text
    return _SPACED_NUMBER.sub("", text)


def normalise(text: str) -> str:
    """The canonical matching form: width folded, spaces in numbers squeezed.

    Used for matching only; the text shown to people is kept as printed.
    """
    return squeeze_number_spaces(fold_width(text))
