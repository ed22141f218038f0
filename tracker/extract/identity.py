"""Which document a plan is: its issuer, document number (文号), region and text.

A plan's identity is the document that states it (issue 12), not its slug: two documents of
one province and one period are two plans, whatever their slugs would be. What identifies a
document is printed in it:

* the **issuing body** (发文机关): the issuer line above the title (`云阳县人民政府`), the
  signature (落款, the issuer over the date at the end of a notice or of the text) and the
  **document number** (文号, `云阳府发〔2022〕20号`, `国发〔2018〕38号`), whose prefix names
  the issuer (`川府发` — the Sichuan government, `国发` — the State Council);
* the **title** and the **text** itself: a normalised *fingerprint* of the title and the
  items tells the same document twice apart from a revision, whatever the file is called
  or whether it came as .txt or .docx.

The **region** is the issuing body's jurisdiction (a province, city, county or district),
read from the issuer line, the signature and the document number in that order, then the
title; only a document that names no issuer at all is placed by its body, and then only by
the places it calls its own (`我省`, `全市`), never by the places it cites: a Guangzhou plan
quoting Beijing's experience stays in Guangzhou. Regions are romanised for slugs with the
official spellings where plain pinyin differs (`陕西` → `shaanxi`, `山西` → `shanxi`).

Nothing here touches the database: :mod:`tracker.store.plan_identity` decides which stored plan
an extracted one is.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from tracker.extract.numerals import fold_width

# Provincial-level regions: (name, short name, abbreviations used in 文号, romanisation).
# The romanisation is the official one (陕西 is Shaanxi, to tell it from 山西 Shanxi).
PROVINCES: tuple[tuple[str, str, str, str], ...] = (
    ("北京市", "北京", "京", "beijing"), ("天津市", "天津", "津", "tianjin"),
    ("上海市", "上海", "沪", "shanghai"), ("重庆市", "重庆", "渝", "chongqing"),
    ("河北省", "河北", "冀", "hebei"), ("山西省", "山西", "晋", "shanxi"),
    ("辽宁省", "辽宁", "辽", "liaoning"), ("吉林省", "吉林", "吉", "jilin"),
    ("黑龙江省", "黑龙江", "黑", "heilongjiang"), ("江苏省", "江苏", "苏", "jiangsu"),
    ("浙江省", "浙江", "浙", "zhejiang"), ("安徽省", "安徽", "皖", "anhui"),
    ("福建省", "福建", "闽", "fujian"), ("江西省", "江西", "赣", "jiangxi"),
    ("山东省", "山东", "鲁", "shandong"), ("河南省", "河南", "豫", "henan"),
    ("湖北省", "湖北", "鄂", "hubei"), ("湖南省", "湖南", "湘", "hunan"),
    ("广东省", "广东", "粤", "guangdong"), ("海南省", "海南", "琼", "hainan"),
    ("四川省", "四川", "川", "sichuan"), ("贵州省", "贵州", "黔贵", "guizhou"),
    ("云南省", "云南", "云滇", "yunnan"), ("陕西省", "陕西", "陕", "shaanxi"),
    ("甘肃省", "甘肃", "甘", "gansu"), ("青海省", "青海", "青", "qinghai"),
    ("台湾省", "台湾", "台", "taiwan"), ("内蒙古自治区", "内蒙古", "内", "neimenggu"),
    ("广西壮族自治区", "广西", "桂", "guangxi"), ("西藏自治区", "西藏", "藏", "xizang"),
    ("宁夏回族自治区", "宁夏", "宁", "ningxia"), ("新疆维吾尔自治区", "新疆", "新", "xinjiang"),
    ("香港特别行政区", "香港", "港", "xianggang"), ("澳门特别行政区", "澳门", "澳", "aomen"),
)
NATIONAL = "全国"  # the region of the State Council, the Party Centre and the ministries
NATIONAL_SLUG = "china"
_SHORT = {short: name for name, short, _, _ in PROVINCES}
_PROVINCE_SLUG = {name: slug for name, _, _, slug in PROVINCES} | {s: slug for _, s, _, slug in PROVINCES}
_ABBREVIATION = {a: name for name, _, abbrs, _ in PROVINCES for a in abbrs}
# Place names whose plain pinyin is not their name (heteronyms, official spellings).
ROMANISATION = {
    "陕西": "shaanxi", "朝阳": "chaoyang", "长治": "changzhi", "单县": "shanxian", "郫都": "pidu",
    "长垣": "changyuan", "长葛": "changge", "长兴": "changxing", "长汀": "changting", "长乐": "changle",
    "乐亭": "laoting", "六安": "luan", "蚌埠": "bengbu", "重庆": "chongqing", "番禺": "panyu",
}

# An administrative unit's ending, longest first; a name is 2–6 characters before it (a
# county may have one: 沛县, 单县).
_ETHNIC = re.compile(r"(?:[\u4e00-\u9fff]{0,5}族)?自治(?:区|州|县|旗)")
_SUFFIXES = ("特别行政区", "地区", "省", "市", "州", "盟", "县", "旗", "区")
_NOT_A_NAME = {
    "关于", "我省", "全省", "各省", "本省", "我市", "全市", "各市", "本市", "我县", "全县", "各县", "本县",
    "我区", "全区", "各区", "本区", "城市", "省市", "县市", "市县", "地市", "市区", "城区", "县区", "区县",
    "国家", "全国", "中央", "社区", "园区", "景区", "片区", "辖区", "该市", "该县", "该区", "街道",
}
_NATIONAL_ISSUER = re.compile(r"^(?:国务院|中共中央|中央|国家|全国|最高人民|中华人民共和国)")
_MINISTRY = re.compile(r"^[\u4e00-\u9fff]{1,10}(?:部|总局|委员会)(?:办公厅)?$")
_PARTY = re.compile(r"^中(?:国)?共(?:产党)?")


@lru_cache(maxsize=4096)
def region_of_body(name: str) -> str | None:
    """The jurisdiction an issuing body's name starts with, as printed (simplified), or
    ``全国`` for a national body; None when the name carries no region.

    >>> region_of_body("云阳县人民政府"), region_of_body("中共云南省委办公厅")
    ('云阳县', '云南省')
    >>> region_of_body("鞍山市立山区人民政府"), region_of_body("新疆维吾尔自治区人民政府")
    ('鞍山市立山区', '新疆维吾尔自治区')
    >>> region_of_body("国务院办公厅"), region_of_body("国家知识产权局"), region_of_body("县人民政府")
    ('全国', '全国', None)
    """
    text = _simplified(fold_width(name)).strip()
    text = _PARTY.sub("", text)
    if _NATIONAL_ISSUER.match(text):
        return NATIONAL
    chain, pos = "", 0
    while True:
        step = _admin_unit_at(text, pos)
        if step is None:
            break
        chain, pos = chain + text[pos:step], step
    if chain:
        return chain
    if _MINISTRY.match(text) and not text.startswith(("省", "市", "县", "区")):
        return NATIONAL  # 商务部, 国家市场监督管理总局 …: a ministry issues for the country
    return None


def _admin_unit_at(text: str, pos: int) -> int | None:
    """The end of the administrative unit starting at ``pos`` (`云南省`, `延边朝鲜族自治州`)."""
    for n in range(2, 7):
        name = text[pos : pos + n]
        if len(name) < n or not _is_han(name) or name in _NOT_A_NAME:
            return None
        rest = text[pos + n :]
        m = _ETHNIC.match(rest)
        if m:
            return pos + n + m.end()
        for suffix in _SUFFIXES:
            if rest.startswith(suffix):
                if suffix in ("市", "区") and rest[len(suffix):len(suffix) + 1] in ("场", "域", "间", "民"):
                    return None  # 市场, 区域: words, not 市 / 区
                return pos + n + len(suffix)
    one = text[pos : pos + 2]
    if len(one) == 2 and one[1] == "县" and _is_han(one[0]) and one not in _NOT_A_NAME:
        return pos + 2
    return None


def _is_han(text: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" for c in text)


def _simplified(text: str) -> str:
    from tracker.extract.repair import to_simplified

    return to_simplified(text)


def region_slug(region: str) -> str:
    """The slug part for a region: its lowest level, romanised.

    >>> [region_slug(r) for r in ("陕西省", "山西省", "内蒙古自治区", "云阳县", "鞍山市立山区", "全国")]
    ['shaanxi', 'shanxi', 'neimenggu', 'yunyang', 'lishan', 'china']
    >>> region_slug("沛县"), region_slug("单县"), region_slug("北京市朝阳区")
    ('peixian', 'shanxian', 'chaoyang')
    """
    if region == NATIONAL:
        return NATIONAL_SLUG
    if region in _PROVINCE_SLUG:
        return _PROVINCE_SLUG[region]
    last, pos = region, 0
    while pos < len(region):
        end = _admin_unit_at(region, pos)
        if end is None:
            break
        last, pos = region[pos:end], end
    core = _strip_suffix(last)
    if len(core) < 2:  # 沛县: the county is called by its whole name
        core = last
    if core in _PROVINCE_SLUG:
        return _PROVINCE_SLUG[core]
    return ROMANISATION.get(core) or ROMANISATION.get(last) or romanise(core)


def _strip_suffix(unit: str) -> str:
    for n in range(2, len(unit)):  # 延边朝鲜族自治州 → 延边 (a name has two characters at least)
        if _ETHNIC.fullmatch(unit, n):
            return unit[:n]
    for suffix in _SUFFIXES:
        if unit.endswith(suffix) and len(unit) > len(suffix):
            return unit[: -len(suffix)]
    return unit


def romanise(text: str) -> str:
    """Pinyin without tones or separators, lower case ASCII only.

    >>> romanise("云阳"), romanise("青石")
    ('yunyang', 'qingshi')
    """
    from pypinyin import lazy_pinyin

    return re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(text)).lower())


def initials(text: str, limit: int = 8) -> str:
    """First letters of the pinyin of the Han characters (and the digits) of ``text``.

    >>> initials("强化知识产权保护重点工作推进计划")
    'qhzscqbh'
    """
    from pypinyin import Style, lazy_pinyin

    letters = "".join(p[:1] if p and p[0].isalpha() else p for p in lazy_pinyin(text, style=Style.FIRST_LETTER))
    return re.sub(r"[^a-z0-9]", "", letters.lower())[:limit]


# ------------------------------------------------------------------ document number (文号)
_DOC_NUMBER = re.compile(
    r"^([\u4e00-\u9fff]{1,12})\s*[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*第?\s*(\d{1,5})\s*号(?=\s|$)"
)


def find_doc_number(lines: Iterable[str], limit: int = 40) -> str | None:
    """The document number printed on a line of its own at the head of the document, in
    its canonical form (〔〕 brackets, no spaces). Numbers cited in sentences
    (`根据国发〔2018〕38号文件…`) are not the document's own.

    >>> find_doc_number(["云阳县人民政府", "云阳府发〔2022〕20号"])
    '云阳府发〔2022〕20号'
    >>> find_doc_number(["川府发[2021] 48号      签发人：某某"]), find_doc_number(["根据国发〔2018〕38号文件精神，制定本方案。"])
    ('川府发〔2021〕48号', None)
    """
    for k, raw in enumerate(lines):
        if k >= limit:
            break
        line = fold_width(raw).strip()
        m = _DOC_NUMBER.match(line)
        if m and len(line) - m.end() <= 24 and not re.search(r"[。；;，,]", line):
            return f"{m.group(1)}〔{m.group(2)}〕{int(m.group(3))}号"
    return None


def region_of_doc_number(number: str | None) -> str | None:
    """The issuing region a document number's prefix names, when it is unmistakable: the
    national prefixes (国发, 国办发, 中发 …) and a province's abbreviation followed by its
    government or party office (川府发, 云政办发, 陕政发). A city or county prefix (`云阳府发`,
    `鞍立政发`) names no region by itself.

    >>> region_of_doc_number("川府发〔2021〕48号"), region_of_doc_number("国发〔2018〕38号")
    ('四川省', '全国')
    >>> region_of_doc_number("云阳府发〔2022〕20号") is None, region_of_doc_number("鞍立政发〔2023〕2号") is None
    (True, True)
    """
    if not number:
        return None
    prefix = number.split("〔", 1)[0]
    if re.match(r"^(?:国|中)(?:办)?(?:发|函|厅字|办字)", prefix) or prefix.startswith("国知"):
        return NATIONAL
    if len(prefix) >= 2 and prefix[0] in _ABBREVIATION and prefix[1] in "政府委办":
        return _ABBREVIATION[prefix[0]]
    return None


# ------------------------------------------------------------------ signature (落款)
_DATE_LINE = re.compile(
    r"^(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日$"
)
_BODY_ENDING = re.compile(r"(人民政府|办公厅|委员会|政府|办公室|管委会|局|厅|委|院)$")


def find_signature(lines: list[str]) -> str | None:
    """The issuing body signed over the date (落款): the last short line naming a body that
    is followed by a date line, at the end of the text or of its transmittal notice.

    >>> find_signature(["……请认真组织实施。", "四川省人民政府", "2021年12月30日", "四川省“十四五”规划"])
    '四川省人民政府'
    >>> find_signature(["正文。", "（此件公开发布）"]) is None
    True
    """
    printed = [x for x in (raw.strip() for raw in lines) if x]
    found = None
    for k in range(len(printed) - 1):
        line, nxt = printed[k], printed[k + 1]
        # Only a short line over a short line ending in 日 can be a signature: the rest of a
        # document is passed over without folding or matching.
        if len(line) > 40 or len(nxt) > 24 or not nxt.endswith("日"):
            continue
        line = fold_width(line)
        if _DATE_LINE.match(fold_width(nxt)) and not re.search(r"[。；;，,:：]", line):
            parts = _simplified(line).split()
            if parts and all(_BODY_ENDING.search(p) for p in parts):
                found = line
    return found


# ------------------------------------------------------------------ region from the body
_SELF = {"省": ("我省", "全省", "本省"), "市": ("我市", "全市", "本市"), "县": ("我县", "全县", "本县"),
         "区": ("我区", "全区", "本区")}
_LOCAL = {level: re.compile(level) for level in ("市", "县", "区")}


def region_of_text(body: str) -> str | None:
    """The region a document without any issuer calls its own: the level it speaks of as
    `我省` / `全市` / `本县`, then the place of that level it names most. Places cited only
    (a Guangzhou plan quoting Beijing) do not count against the self-reference.

    >>> region_of_text("我省将推动青海高质量发展。全省……青海特色。北京经验。")
    '青海省'
    >>> region_of_text("全市推进。加快广州市各区……学习北京市经验，广州市加快建设。")
    '广州市'
    >>> region_of_text("没有地名的正文。") is None
    True
    """
    text = _simplified(body)
    levels = {level: sum(text.count(w) for w in words) for level, words in _SELF.items()}
    level, mentions = max(levels.items(), key=lambda kv: kv[1])
    if not mentions:
        return None
    if level == "省" or (level == "区" and any(s in text for s in ("广西", "西藏", "宁夏", "新疆", "内蒙古"))):
        provinces = Counter({name: text.count(short) for short, name in _SHORT.items()})
        best, n = provinces.most_common(1)[0]
        return best if n else None
    # Each mention counts for the two and the three characters before the level word
    # (`加快广州市` → 广州, 快广州): the true name is the one most mentions share.
    counts: Counter[str] = Counter()
    for m in _LOCAL[level].finditer(text):
        end = m.end() - 1
        for size in (2, 3):
            core = text[end - size : end]
            if len(core) == size and _is_han(core) and core[-1] not in "全我本各该省市县区" and core not in _NOT_A_NAME:
                counts[core] += 1
    for core, n in counts.most_common(1):
        if n >= 2:
            return core + level
    return None


# ------------------------------------------------------------------ the document's identity
@dataclass(frozen=True)
class DocumentIdentity:
    """What the head and the signature of a document say about who issued it."""

    issuer: str | None  # the issuer line, as printed
    doc_number: str | None  # 文号, canonical
    signature: str | None  # the body signed over the date
    region: str  # 云南省, 云阳县, 鞍山市立山区, 全国; "" when nothing names one
    region_slug: str


def read_identity(lines: list[str], *, issuer: str | None, title: str, fallback_slug: str) -> DocumentIdentity:
    """Issuer, 文号, signature and region of a document (its main plan's ``issuer`` and
    ``title`` as the structure parser found them).

    >>> ident = read_identity(["云阳府发〔2022〕20号", "云阳县人民政府", "关于印发……的通知", "云阳县人民政府",
    ...                        "2022年10月27日"], issuer=None, title="工作方案", fallback_slug="plan")
    >>> ident.doc_number, ident.signature, ident.region, ident.region_slug
    ('云阳府发〔2022〕20号', '云阳县人民政府', '云阳县', 'yunyang')
    """
    doc_number = find_doc_number(lines)
    signature = find_signature(lines)
    region = issuing_region(issuer, signature, doc_number, title, lambda: "\n".join(lines))
    slug = region_slug(region) if region else fallback_slug
    return DocumentIdentity(issuer, doc_number, signature, region or "", slug or fallback_slug)


def issuing_region(
    issuer: str | None, signature: str | None, doc_number: str | None, title: str, body: Callable[[], str]
) -> str | None:
    """The issuing body's region: from the issuer line, the signature, the document number,
    the title, and only then the places the text calls its own (``body`` is called only
    then). Migration 0007 reads stored plans through this same function.

    >>> issuing_region("广州市人民政府", None, None, "关于…", lambda: "学习北京市经验")
    '广州市'
    >>> issuing_region(None, None, None, "關于貫徹落實…的實施意見", lambda: "我省……青海特色")
    '青海省'
    """
    region = None
    for name in (issuer or "").split():
        region = region or region_of_body(name)
    if region is None and signature:
        region = next((r for r in map(region_of_body, signature.split()) if r), None)
    return region or region_of_doc_number(doc_number) or _region_of_title(title) or region_of_text(body())


def _region_of_title(title: str) -> str | None:
    """A title opening with its region (`云南省2020-2021年…`, `中共云南省委 云南省人民政府关于…`)."""
    head = _simplified(fold_width(title)).strip()
    if not head or head.startswith(("关于", "关於")):
        return None
    first = head.split()[0] if head.split() else head
    found = region_of_body(first)
    if found == NATIONAL and not _PARTY.sub("", first).startswith(("国务院", "中央", "中华人民共和国")):
        return None  # 国家知识产权强县…: a county's title, not the State Council's
    return found


# ------------------------------------------------------------------ text fingerprints
_BLANKS = re.compile(r"\s+")


def text_key(text: str) -> str:
    """The form two copies of one text share whatever the file format: width folded,
    every blank and line break removed.

    >>> text_key("加强 保护\\n（2021年底前）") == text_key("加强保护(2021年底前)")
    True
    """
    return _BLANKS.sub("", fold_width(text))


def item_key(text: str, deadline: str | None) -> str:
    """An item's text without its deadline phrase: what stays when only the date moves."""
    key = text_key(text)
    if deadline:
        key = key.replace(text_key(deadline), "")
    return key.rstrip("()。.;；")


def fingerprint(title: str, items: Iterable[tuple[str, str]]) -> str:
    """SHA-256 of the normalised title and the items (number, text): equal for the same
    document read from .txt, .docx or .html, different when one character of an item is.

    >>> fingerprint("方案", [("1", "加强保护。")]) == fingerprint(" 方案", [("1", "加强 保护。")])
    True
    """
    h = hashlib.sha256(text_key(title).encode())
    for number, text in items:
        h.update(b"\x1e" + text_key(number).encode() + b"\x1f" + text_key(text).encode())
    return h.hexdigest()


def title_key(title: str) -> str:
    """A title as compared between documents: simplified, width folded, no blanks or quotes."""
    return re.sub(r"[\s“”\"'‘’《》〈〉]", "", _simplified(fold_width(title)))


_PERIOD_TEXT = re.compile(r"[(（]?\s*\d{4}\s*[—–\-－~至到]+\s*\d{4}\s*年?\s*[)）]?|\d{4}\s*年")
_TITLE_NOISE = re.compile(r"关于|贯彻|落实|印发|的|[《》“”\"（）()〈〉、，,\s]")


def distinguishing_parts(title: str, doc_number: str | None, region: str) -> list[str]:
    """Short readable parts that tell a plan apart from another with the same slug: its
    document number, then the initials of its title without the region and period.

    >>> distinguishing_parts("云南省2020—2021年专利转化专项计划", "云政发〔2020〕12号", "云南省")
    ['yzf2020-12', 'zlzhzxjh']
    """
    out: list[str] = []
    if doc_number:
        m = re.match(r"^(.+?)〔(\d{4})〕(\d+)号$", doc_number)
        if m:
            out.append(f"{initials(m.group(1), 6)}{m.group(2)}-{m.group(3)}")
    core = _simplified(fold_width(title))
    core = re.sub(r"^.*?关于", "", core) if "关于" in core[:30] else core
    if region and core.startswith(region):
        core = core[len(region):]
    core = _TITLE_NOISE.sub("", _PERIOD_TEXT.sub("", core))
    part = initials(core)
    if part:
        out.append(part)
    return [p for p in out if p]
