"""Undo the damage scrapers and converters leave in plan texts (文本修复).

Seen in the seeds (the Qinghai copy in ``seeds/qinghai-2021-ip-power-opinions.txt`` has
all of it):

* Flattened ruby: ``知識產(chǎn)權`` — a page showed the reading of "difficult" characters
  in ``<rt>`` and the scraper kept it.  Removed only where the bracket really is a pinyin
  reading of the character before it, so ``(2021—2035年)``, ``(州)``, ``(一)`` and
  ``(TISC)`` survive.
* Page debris: the first line repeats the title twice inside HTML attribute remains
  (``青海新聞網" />``); other pages bring breadcrumbs (您的位置), ICP licence lines and
  footers.  Such a line becomes empty.
* Lost text: a converter replaced characters it could not map with ASCII (``青,F(xiàn)代化``
  was 青海現代化).  The characters cannot be recovered honestly, so the spot is reported
  for a person to check; only the orphaned reading is removed.
* Stray Latin words: a short lower-case word standing alone between Chinese characters
  (``推动区块链技术等 in 知识产权保护领域应用``) is what a converter leaves where a character
  or a page break was.  It is removed and reported; upper-case tokens (``GDP``, ``IP``,
  ``RCEP``) are real text and stay.
* Page titles: the debris line that repeats a page's ``<title>`` is the only place some
  scraped copies keep the document's title; :func:`page_title` recovers it.
* Traditional script: offered for conversion by :func:`to_simplified` (OpenCC ``t2s``) so
  that the extractor's phrase grammar is written once, in simplified characters.

Line numbers never change: a removed line is replaced by an empty one, so a problem reported
against line 12 of the repaired text is line 12 of the file the user has.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from tracker.extract.t2s_changes import CHANGEABLE_RE

if TYPE_CHECKING:
    import opencc

__all__ = [
    "Repair",
    "is_traditional",
    "page_title",
    "repair_text",
    "strip_pinyin",
    "to_simplified",
    "to_simplified_aligned",
]

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_SYLLABLE = f"[a-zü{_TONED}]{{1,6}}"
# A Han character followed by a bracketed lower-case syllable: the candidate reading.
_RUBY_RE = re.compile(f"([{HAN}])[(（]({_SYLLABLE})[)）]")
# A reading left behind after a character that was lost (``F(xiàn)``, ``?qū)`` — where the
# lost character also swallowed the opening bracket).  Only tone-marked syllables count, so
# an ordinary ``(a)`` is never taken for one.
_ORPHAN_READING_RE = re.compile(
    f"(?<=[A-Z?\ufffd])[(（]?[a-zü{_TONED}]*[{_TONED}][a-zü{_TONED}]*[)）]"
)
_NOT_HAN_RE = re.compile(f"[^{HAN}]+")
# A run of non-Han characters between two Han characters: where lost text hides.
_BETWEEN_HAN_RE = re.compile(f"(?<=[{HAN}])[^{HAN}\\s]{{1,16}}(?=[{HAN}])")


@dataclass(frozen=True)
class Repair:
    """One change (or, for ``lost-text``, one finding) made by :func:`repair_text`.

    ``kind`` is ``"pinyin"`` (readings removed; ``before``/``after`` are the whole line),
    ``"debris"`` or ``"page-artefact"`` (the whole line was removed: ``after`` is ``""``),
    ``"stray-word"`` (a stray Latin word removed; ``before``/``after`` are short excerpts),
    or ``"lost-text"`` (``before``/``after`` are a short excerpt around the spot; the text
    itself is kept apart from any orphaned reading, because nothing can be restored honestly).
    """

    line: int  #: 1-based line number, the same in the input and the output
    kind: str
    before: str
    after: str


def _toneless(syllable: str) -> str:
    """``chǎn`` → ``chan``; ``lǜ``/``lü``/``lv`` → ``lu`` (scrapers write ü in several ways)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("v", "u")


@cache
def _readings(char: str) -> tuple[frozenset[str], frozenset[str]]:
    """All pinyin readings of ``char`` (heteronyms included), with and without tone marks."""
    # Imported lazily: loading its dictionary takes ~0.3 s.
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.TONE, heteronym=True, errors="ignore")
    toned = frozenset(found[0]) if found else frozenset()
    return toned, frozenset(_toneless(r) for r in toned)


def is_reading(char: str, syllable: str) -> bool:
    """Whether ``syllable`` is a pinyin reading of ``char``; tones may be wrong or missing.

    >>> is_reading("產", "chǎn"), is_reading("一", "yí"), is_reading("綠", "lü"), is_reading("產", "chan")
    (True, True, True, True)
    >>> is_reading("產", "xiàn"), is_reading("州", "TISC")
    (False, False)
    """
    toned, toneless = _readings(char)
    return syllable in toned or _toneless(syllable) in toneless


def strip_pinyin(text: str) -> tuple[str, int]:
    """Remove ``(chǎn)``-style readings that follow the character they read; return the count.

    >>> strip_pinyin("知識產(chǎn)權強國建設綱要(2021—2035年)")
    ('知識產權強國建設綱要(2021—2035年)', 1)
    >>> strip_pinyin("各市(州)、縣(市、區(qū))（一）中心(TISC)")
    ('各市(州)、縣(市、區)（一）中心(TISC)', 1)
    >>> strip_pinyin("青,F(xiàn)代化")  # F is not a Han character: see repair_text
    ('青,F(xiàn)代化', 0)
    """
    count = 0

    def drop(match: re.Match[str]) -> str:
        nonlocal count
        if is_reading(match.group(1), match.group(2)):
            count += 1
            return match.group(1)
        return match.group(0)

    return _RUBY_RE.sub(drop, text), count


# --------------------------------------------------------------------------- line rules

# Lines that are page furniture, not the document.  Each rule names what it catches; lines
# longer than _MAX_FURNITURE_LEN are body text whatever they contain (HTML debris excepted).
_MAX_FURNITURE_LEN = 200
_DEBRIS_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # what remains of an HTML attribute or tag: 青海新聞網" />, " >, <br/>
    ("html", re.compile(r"\"\s*/?>|^\s*/?>|<\s*/?[a-zA-Z][^>]*>")),
    ("breadcrumb", re.compile(r"^(您的位置|您现在的位置|您現在的位置|当前位置|當前位置|所在位置)")),
    ("licence", re.compile(r"ICP\s*[备備证證]|公网安备|公網安備|网站标识码|網站標識碼|政府网站标识码")),
    ("site", re.compile(
        r"^(主办单位|主辦單位|承办单位|承辦單位|运行维护|運行維護|版权所有|版權所有|Copyright|©|政务服务便民热线)"
    )),
    # a title followed by the site's name: …的實施意見 青海新聞網
    ("site-title", re.compile(f"^.{{4,}}[ \u3000\xa0]+[{HAN}]{{2,10}}(新闻网|新聞網|政府网|政府網|日报|日報|网|網)$")),
    ("site-link", re.compile(r"^(中国政府网|中國政府網)$")),
)
_ARTEFACT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("font-size", re.compile(r"^【?\s*字[体體]\s*[:：]")),
    # a line made only of buttons and links: 打印本页 关闭窗口 / 微信 微博 电脑版 / 曝光 无障碍
    ("buttons", re.compile(
        r"^(【?(打印本页|打印本頁|关闭窗口|關閉窗口|打印|关闭|關閉|分享到|扫一扫|掃一掃|返回顶部|返回頂部|"
        r"网站地图|網站地圖|网站声明|關於我們|关于我们|联系我们|收藏|微信|微博|公众号|电脑版|手机版|"
        r"曝光|无障碍|网站支持IPv6)】?[\s|｜:：]*)+$"
    )),
    ("prev-next", re.compile(r"^(上一篇|下一篇|上一條|下一條|上一条|下一条)[:：]")),
    ("page-number", re.compile(r"^([-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d+\s*[页頁](\s*共\s*\d+\s*[页頁])?|\d+\s*/\s*\d+)$")),
    # a bar of links: 云南省人大常委会 | 政协云南省委员会 | … (no sentence punctuation)
    # (not a table's header or rows: 序号 | 工作任务 | 责任单位 |, 1 | 新增托位… |)
    ("link-bar", re.compile(r"^(?!\s*(?:序\s*号|编\s*号|\d{1,3})\s*[|｜])[^。；;]*\s[|｜]\s[^。；;]*\s[|｜]\s[^。；;]*$")),
)


def _classify_line(line: str) -> str | None:
    """``"debris"``, ``"page-artefact"`` or None for a line of body text.

    >>> _classify_line('關于…的實施意見 青海新聞網" />'), _classify_line("您的位置:")
    ('debris', 'debris')
    >>> _classify_line("【字体:"), _classify_line("- 12 -"), _classify_line("（一）加强组织领导。")
    ('page-artefact', 'page-artefact', None)
    """
    stripped = line.strip()
    if not stripped:
        return None
    if ">" in stripped and _DEBRIS_RULES[0][1].search(stripped):  # every html remain holds a >
        return "debris"
    if len(stripped) > _MAX_FURNITURE_LEN:
        return None
    if _ANY_DEBRIS.search(stripped):
        return "debris"
    if _ANY_ARTEFACT.search(stripped):
        return "page-artefact"
    return None


def _any_of(rules: tuple[tuple[str, re.Pattern[str]], ...]) -> re.Pattern[str]:
    """One regex matching where any of ``rules`` matches (one search instead of several)."""
    return re.compile("|".join(f"(?:{rule.pattern})" for _, rule in rules))


_ANY_DEBRIS = _any_of(_DEBRIS_RULES[1:])
_ANY_ARTEFACT = _any_of(_ARTEFACT_RULES)


_COMMA_CAPITAL_RE = re.compile(r",[A-Z]")
# What a lost-text run must hold: ?, U+FFFD, a tone mark (an orphaned reading) or ,X.
_LOST_HINT_RE = re.compile(f"[?\ufffd{_TONED}]|,[A-Z]")


def _lost_text_spots(line: str) -> list[tuple[int, int]]:
    """Spans of ``line`` where characters were replaced by ASCII junk.

    A run between two Han characters counts when it holds ``?`` or U+FFFD, an orphaned
    pinyin reading, or is a lone capital after a comma (``青,F代``).  A plain comma (the
    Qinghai copy uses ASCII commas throughout), ``批T形展架`` or ``占GDP比重`` do not.

    >>> line = "在青,F(xiàn)代化建設,向?qū)I(yè)化、品牌化,一批T形展架,值占GDP比重"
    >>> [line[a:b] for a, b in _lost_text_spots(line)]
    [',F(xiàn)', '?qū)I(yè)']
    """
    spots: list[tuple[int, int]] = []
    if _LOST_HINT_RE.search(line) is None:  # none of the marks below anywhere on the line
        return spots
    for match in _BETWEEN_HAN_RE.finditer(line):
        run = match.group(0)
        if "?" in run or "\ufffd" in run or _ORPHAN_READING_RE.search(run) or _COMMA_CAPITAL_RE.fullmatch(run):
            spots.append(match.span())
    return spots


def repair_text(text: str) -> tuple[str, list[Repair]]:
    """Repair a whole document line by line; return the text and what was done.

    The number of lines never changes (a removed line becomes empty), so line numbers in
    the repairs, and in any later report, are the user's line numbers.

    >>> text, repairs = repair_text('標題 青海新聞網" />\\n知識產(chǎn)權在青,F(xiàn)代化\\n（一）')
    >>> text
    '\\n知識產權在青,F代化\\n（一）'
    >>> [(r.line, r.kind) for r in repairs]
    [(1, 'debris'), (2, 'pinyin'), (2, 'lost-text')]
    >>> repairs[2].before, repairs[2].after
    ('權在青,F(xiàn)代化', '權在青,F代化')
    """
    lines = text.split("\n")
    repairs: list[Repair] = []
    for number, original in enumerate(lines, start=1):
        line, _count = strip_pinyin(original)
        kind = _classify_line(line)
        if kind is not None:
            repairs.append(Repair(number, kind, original, ""))
            lines[number - 1] = ""
            continue
        found: list[Repair] = []
        pieces: list[str] = []
        last = 0
        for start, end in _lost_text_spots(line):
            run = line[start:end]
            cleaned = _ORPHAN_READING_RE.sub("", run)
            left, right = line[max(0, start - 3) : start], line[end : end + 3]
            found.append(Repair(number, "lost-text", left + run + right, left + cleaned + right))
            pieces += [line[last:start], cleaned]
            last = end
        line = "".join(pieces) + line[last:]
        readings_removed = line != original
        line, stray = _drop_stray_words(number, line)
        if readings_removed:
            repairs.append(Repair(number, "pinyin", original, line))
        repairs.extend(found)
        repairs.extend(stray)
        lines[number - 1] = line
    return "\n".join(lines), repairs


# English function words that no Chinese plan prints on their own between two characters.
# Unit symbols (t, kg, km) are deliberately absent: ``5 万 t 以上`` is real text.
_STRAY_WORDS = ("in", "on", "at", "of", "the", "and", "to", "by", "for", "is", "an")
_STRAY_WORD_RE = re.compile(
    f"(?<=[{HAN}])[ \t\u3000]+(?:{'|'.join(_STRAY_WORDS)})[ \t\u3000]+(?=[{HAN}])"
)


_STRAY_HINT_RE = re.compile(f"[ \t\u3000]+(?:{'|'.join(_STRAY_WORDS)})[ \t\u3000]+")


def _drop_stray_words(number: int, line: str) -> tuple[str, list[Repair]]:
    """Remove lone English function words between Chinese characters (a converter's or a
    page break's leftovers) and report each one, since a character may have been lost there.

    >>> _drop_stray_words(9, "推动区块链技术等 in 知识产权保护领域应用")[0]
    '推动区块链技术等知识产权保护领域应用'
    >>> _drop_stray_words(9, "论道 IP 龙门阵，年产 5 万 t 以上")
    ('论道 IP 龙门阵，年产 5 万 t 以上', [])
    """
    found: list[Repair] = []

    def drop(match: re.Match[str]) -> str:
        start, end = match.span()
        left, right = line[max(0, start - 4) : start], line[end : end + 4]
        found.append(Repair(number, "stray-word", left + match.group(0) + right, left + right))
        return ""

    if _STRAY_HINT_RE.search(line) is None:  # the word with its blanks is not there at all
        return line, found
    return _STRAY_WORD_RE.sub(drop, line), found


_TITLE_END = re.compile(
    "(意见|意見|方案|规划|規劃|计划|計劃|纲要|綱要|办法|辦法|通知|要点|要點|决定|決定|条例|條例|细则|細則)"
    r"(\s*[（(][^（）()]{1,20}[）)])?$"
)
_SITE_NAME = re.compile(
    f"[ \u3000\xa0]+[{HAN}]{{2,10}}(新闻网|新聞網|政府网|政府網|日报|日報|网|網|门户|門戶)$"
)


def page_title(text: str) -> tuple[int, str] | None:
    """The document title kept only in page debris near the top: ``(line, title)`` or None.

    Scraped pages often lose the title line but keep the page's ``<title>`` inside HTML
    remains (``…的實施意見 青海新聞網" />``).  That debris line is still dropped by
    :func:`repair_text`; this recovers the title from it, pinyin readings removed, when the
    fragment reads as a document title (it ends in a document type: 意见, 方案, 规划 …).

    >>> page_title('關于…的實施意(yì)見 青海新聞網(wǎng)" > 關于…的實施意見 青海新聞網" />\\n(2021年12月31日)')
    (1, '關于…的實施意見')
    >>> page_title("您的位置：首页 > 政务公开\\n正文") is None
    True
    """
    for number, original in enumerate(text.split("\n")[:10], start=1):
        line, _ = strip_pinyin(original)
        if _classify_line(line) != "debris":
            continue
        for fragment in re.split(r"[\"<>]|/>", line):
            candidate = _SITE_NAME.sub("", fragment.strip()).strip()
            if 6 <= len(candidate) <= 80 and _TITLE_END.search(candidate) and not _classify_line(candidate):
                return number, candidate
    return None


# --------------------------------------------------------------------------- script


@cache
def _converter(config: str) -> opencc.OpenCC:
    import opencc  # the official C++ package: ~100 times faster than the pure-Python one

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional → simplified characters (OpenCC ``t2s``, phrase-aware).

    Text holding no character OpenCC could change (most lines of a simplified plan) is
    returned as it is without calling OpenCC: :mod:`tracker.extract.t2s_changes` proves
    the answer is the same.

    >>> to_simplified("知識產權強國建設綱要"), to_simplified("知识产权")
    ('知识产权强国建设纲要', '知识产权')
    """
    if CHANGEABLE_RE.search(text) is None:
        return text
    return str(_converter("t2s").convert(text))


def to_simplified_aligned(text: str) -> str:
    """Simplified form of ``text`` with exactly its length, character for character.

    The grammar matches owner clauses, deadline phrases and headings on this form and cuts
    what it finds from the text as printed, so offsets must agree.  OpenCC converts phrases
    and may change a line's length; such lines are converted one character at a time.

    >>> to_simplified_aligned("省市場監管局負責統籌")
    '省市场监管局负责统筹'
    """
    if CHANGEABLE_RE.search(text) is None:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        converted = to_simplified(line)
        if len(converted) != len(line):
            converted = "".join(c if len(c := to_simplified(ch)) == 1 else ch for ch in line)
        out.append(converted)
    return "\n".join(out)


def is_traditional(text: str) -> bool:
    """Whether ``text`` is written in traditional characters.

    True when OpenCC ``t2s`` changes more than 2% of its Han characters: simplified text has
    a few characters t2s may still touch (乾 in 乾坤 …), traditional text has dozens per line.

    >>> is_traditional("關于貫徹落實《知識產權強國建設綱要》的實施意見")
    True
    >>> is_traditional("关于贯彻落实《知识产权强国建设纲要》的实施意见"), is_traditional("abc")
    (False, False)
    """
    if CHANGEABLE_RE.search(text) is None:
        return False  # nothing OpenCC would change: no character differs
    original = _NOT_HAN_RE.sub("", text)  # the Han characters, in order
    if not original:
        return False
    converted = to_simplified(original)
    if len(converted) != len(original):  # phrase conversion changed lengths: compare per char
        converted = "".join(to_simplified(ch) for ch in original)
    changed = sum(map(operator.ne, original, converted))
    return changed > 0.02 * len(original)
