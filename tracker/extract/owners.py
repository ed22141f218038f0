"""Responsible units (责任单位) of a task: stated in the text, or inferred from a lexicon.

Plans of this genre name the owners of a task in a handful of ways: a bracket at the end of
the item (`（责任单位：县法院、县检察院）`, `〔牵头单位：X；配合单位：Y〕`, `（X、Y负责）`,
`（X牵头，Y配合）`), a labelled line after the item (`责任单位：X、Y`), or a sentence
(`X会同有关部门…`, `X负责…`, `各有关部门按职责分工负责`). In every list the unit named
first is the lead (列第一位者为牵头单位); the rest support it.

Many plans print no owners at all (Yunnan's 94-item schedule). For those a coordinator-edited
lexicon (`seeds/owner-lexicon.toml`) maps the agencies, operations and subjects an item names
to provincial units; such owners are marked ``inferred`` so they can be confirmed or reassigned.

Everything here matches on a *matching form* of the text that has the same length as the text
itself (width folded, a few traditional characters simplified), so offsets found in it are
offsets into the original, and names are cut from the original: `省市場監管局` stays
traditional.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from tracker.extract.numerals import fold_width
from tracker.extract.repair import to_simplified_aligned

Role = Literal["lead", "support"]
Provenance = Literal["stated", "inferred"]

__all__ = [
    "Lexicon",
    "OwnerClause",
    "OwnerRef",
    "Provenance",
    "Role",
    "clean_unit_name",
    "default_lexicon_path",
    "find_owner_clauses",
    "is_group_name",
    "is_unit_name",
    "split_units",
]


@dataclass(frozen=True)
class OwnerRef:
    """One responsible unit of a task.

    ``is_group`` marks owners that stand for several units (`各乡镇（街道）`, `有关部门`,
    `县知识产权保护联席会议25个成员单位`): a coordinator cannot assign them to one desk.
    """

    name: str
    role: Role
    provenance: Provenance
    is_group: bool


@dataclass(frozen=True)
class OwnerClause:
    """The owners stated in one place of a task's text.

    ``span`` covers the whole clause (brackets included) so the caller can cut it from the
    task text; ``extra`` keeps the bracket's other labelled fields (`适用范围`) and, under
    ``"deadline"``, a deadline phrase found in the same bracket.
    """

    owners: tuple[OwnerRef, ...]
    span: tuple[int, int]
    raw: str
    extra: dict[str, str]


# --------------------------------------------------------------------------- matching form

# Traditional characters that occur in unit names, owner labels and lexicon keywords, mapped
# one-to-one onto their simplified forms. One character for one keeps offsets valid.
_TRAD = (
    "負責會牽頭單門辦廳關檢協聯議組鄉鎮區縣級監務員導領農場財濟構設發開與參據職應將須統進際個園銀機處"
    "衛產權識護廣團華標專藥種藝術審調師資學網絡遊誌業質險總體風經營為條勵獎謀劃項規範"
    "稅貿醫療環顧問幣紀黨羣衆眾傳號圍時間內後於視聽語書蘭劍崙輪態違嚴懲誠聞"
    "維創價擁歸鑑訊證這舉報訴訟執罰計劇電腦軟貨熱點數庫盜戲畫塊鏈鄰"
)
_SIMP = (
    "负责会牵头单门办厅关检协联议组乡镇区县级监务员导领农场财济构设发开与参据职应将须统进际个园银机处"
    "卫产权识护广团华标专药种艺术审调师资学网络游志业质险总体风经营为条励奖谋划项规范"
    "税贸医疗环顾问币纪党群众众传号围时间内后于视听语书兰剑仑轮态违严惩诚闻"
    "维创价拥归鉴讯证这举报诉讼执罚计剧电脑软货热点数库盗戏画块链邻"
)
assert len(_TRAD) == len(_SIMP) == len(set(_TRAD))
_T2S = str.maketrans(_TRAD, _SIMP)
_TRAD_RE = re.compile(f"[{_TRAD}]")


@lru_cache(maxsize=8192)
def _match_form(text: str) -> str:
    """Same-length form of `text` used for matching: width folded, traditional simplified.

    The table above covers the words of owner clauses at no cost; OpenCC (aligned, one
    character for one) covers every other traditional character of a unit name, so a
    Qinghai clause reads like a Yunnan one while names are still cut from the printed text.

    >>> _match_form("（責任單位：省公安廳）"), _match_form("省衛生健康委會同省財政廳")
    ('(责任单位:省公安厅)', '省卫生健康委会同省财政厅')
    """
    folded = fold_width(text)
    if _TRAD_RE.search(folded) is not None:  # most plans are simplified: no table lookups
        folded = folded.translate(_T2S)
    if folded.isascii():
        return folded
    return to_simplified_aligned(folded)


_OPENERS = "(〔【["
_CLOSERS = ")〕】]"
# Characters that end a clause when looking back from a verb for its subject.
_CLAUSE_STOPS = "。;,:!?\n\r"

# Endings of unit names, matched on the matching form (longest first when compiled).
_UNIT_SUFFIXES = (
    "人民政府", "委员会", "常委会", "管委会", "办公室", "成员单位", "联席会议", "领导小组",
    "工作组", "小组", "中心", "政府", "海关", "支行", "分行", "银行", "法院", "检察院",
    "公司", "集团", "协会", "学会", "商会", "联合会", "工商联", "总工会", "妇联", "科协",
    "政协", "人大", "部门", "单位", "乡镇", "街道", "局", "厅", "委", "办", "院", "室",
    "部", "署",
)
_SUFFIX_ALT = "|".join(re.escape(s) for s in sorted(_UNIT_SUFFIXES, key=len, reverse=True))
_NAME_CHAR = r"[^\s,;:。、()〔〕【】\[\]“”\"'‘’《》!?.]"
_ALIAS = r"\([^()]{1,20}\)"
# A whole string that looks like a unit name, possibly with a bracketed alias or inner bracket.
_UNIT_FULL = re.compile(rf"(?:{_NAME_CHAR}|{_ALIAS}){{0,40}}?(?:{_SUFFIX_ALT})(?:{_ALIAS})?")
# A unit name starting at a position (shortest first; _scan_unit extends it).
_UNIT_AT = re.compile(rf"(?:{_NAME_CHAR}|{_ALIAS}){{0,20}}?(?:{_SUFFIX_ALT})(?:{_ALIAS})?")
# A short continuation that makes a longer name: 县政府 + 办公室, 省委 + 宣传部.
_UNIT_EXT = re.compile(rf"{_NAME_CHAR}{{0,4}}?(?:{_SUFFIX_ALT})(?:{_ALIAS})?")
_ENDS_WITH_SUFFIX = re.compile(rf"(?:{_SUFFIX_ALT})(?:{_ALIAS})?\s*$")
# Words that never occur inside a unit name: their presence means a phrase, not a name.
_NOT_IN_NAME = (
    "负责", "牵头", "配合", "会同", "简称", "以下", "包括", "设在", "下设", "开展", "加强",
    "建立", "完善", "的", "对", "按", "要",
)
# Bodies that are a unit by their bare name; any other bare suffix (单位, 部门, 局) is a word.
_STANDALONE = {"海关", "人大", "政协", "法院", "检察院", "工商联", "科协", "妇联", "总工会"}
_GROUP = re.compile(
    r"各(?!族)|有关|相关|成员单位|\d+个|[一二三四五六七八九十]+个(?:单位|部门)|等(?:单位|部门)?$"
)
# Ruby text flattened by scrapers: 監(jiān)管局 -> 監管局 (see FIELD-NOTES "Chinese text").
_PINYIN = re.compile(r"\((?:[a-zü]|[\u00e0-\u00fc\u0101-\u01dc])+\)")


_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def _clean_name(raw: str) -> str:
    """A unit name as it is stored: width folded, no spaces or pinyin, full-width brackets.

    Chinese unit names print their aliases in full-width brackets; folding both forms to
    them keeps `省市场监管局(省知识产权局)` and `省市场监管局（省知识产权局）` one unit.

    >>> _clean_name(" 省市场监管局(省知识产权局) ")
    '省市场监管局（省知识产权局）'
    >>> _clean_name("省市場監(jiān)管局")
    '省市場監管局'
    """
    name = _PINYIN.sub("", fold_width(raw))
    name = _SPACES.sub("", name)
    return name.replace("(", "（").replace(")", "）")


@lru_cache(maxsize=8192)
def _is_unit_like(name: str) -> bool:
    """True for strings that read as a unit (or a group of units), not as a phrase.

    >>> [_is_unit_like(s) for s in ("县政府办公室", "各乡镇（街道）", "有关部门", "定期督查")]
    [True, True, True, False]
    >>> _is_unit_like("县知识产权保护联席会议25个成员单位"), _is_unit_like("对本意见的落实")
    (True, False)
    >>> _is_unit_like("海关"), _is_unit_like("单位")
    (True, False)
    """
    m = _match_form(name).strip()
    if len(m) < 2 or len(m) > 48 or any(w in m for w in _NOT_IN_NAME):
        return False
    if m in _UNIT_SUFFIXES and m not in _STANDALONE:
        return False
    if _UNIT_FULL.fullmatch(m):
        return True
    # 各地、各州（市）、各县（市、区）: groups named by territory rather than by office.
    return m.startswith("各") and len(m) <= 12


# In a list that an owner clause marks as units (a labelled field `责任单位：…`, a bracket
# ending in 负责/牵头), a name may end in more ways than a free-standing unit does: a
# territory (`县级市`, `各区`, `立山经济开发区`), a task force (`全区经济运行各专班`), a
# commission (`银保监会`, `证监会`), a federation (`市残联`), a station or office
# (`派出所`, `供电所`, `税务所`).
_LISTED_SUFFIXES = (
    "会", "联", "市", "区", "县", "州", "盟", "旗", "镇", "乡", "村", "社区", "专班",
    "指挥部", "站", "所", "队", "社", "馆", "校", "处", "科", "股", "组", "委", "行",
    "园", "场",
)
_ROLE_UNIT = re.compile(r"(?:牵头|配合|责任|协办)(?=单位|部门)")
# `X等`, `X等有关部门`, `X等有关部门和单位`: the named unit and others; kept as printed.
_ET_CETERA = re.compile(r"等(?:有关|相关)?(?:部门|单位|机构)?(?:和|及)?(?:部门|单位|机构)?$")


@lru_cache(maxsize=8192)
def _is_listed_name(name: str) -> bool:
    """A piece of a list an owner clause names: a unit, or a name ending like one.

    Stricter :func:`_is_unit_like` decides for subjects of free sentences, where a phrase
    (`企业自主`) must not pass for a unit; inside a clause that labels or verbs its list
    as the owners, any short name-like piece is one.

    >>> [_is_listed_name(s) for s in ("银保监会", "县级市", "全区经济运行各专班", "商务部等有关部门")]
    [True, True, True, True]
    >>> [_is_listed_name(s) for s in ("农业农村部等", "2021年底前", "加强保护工作", "单位", "各项目牵头单位")]
    [True, False, False, False, True]
    """
    if _is_unit_like(name):
        return True
    m = _match_form(name).strip()
    base = _ET_CETERA.sub("", m) if "等" in m else m
    if base != m and base and _is_listed_name(base):
        return True
    words = _ROLE_UNIT.sub("单位", base)  # 各项目牵头单位, 各配合单位: units named by their role
    if not 2 <= len(base) <= 30 or any(w in words for w in _NOT_IN_NAME) or re.search(r"\d{4}|[年月日]", base):
        return False
    if base in _UNIT_SUFFIXES or base in _LISTED_SUFFIXES:
        # a bare unit word names a department only where it is specific (办公室 of a bureau's
        # own plan), not a generic one (单位, 部门, 局)
        return len(base) >= 3 and base not in ("成员单位", "有关部门", "相关部门")
    alias = re.search(r"\([^()]{1,20}\)$", base)  # 各乡镇(街道), 市市场监管局(知识产权局)
    if alias is not None and alias.start() >= 2:
        return _is_listed_name(base[: alias.start()])
    return base.endswith(_LISTED_SUFFIXES + _UNIT_SUFFIXES)


def is_unit_name(name: str) -> bool:
    """Whether a phrase standing alone reads as the name of a unit (or a group of units).

    >>> is_unit_name("派出所"), is_unit_name("区绿化市容局"), is_unit_name("加强组织领导")
    (True, True, False)
    """
    return _is_unit_like(name) or (len(name) <= 12 and _is_listed_name(name) and not _match_form(name).endswith(("会", "区", "市", "县")))


def unit_list_names(text: str) -> list[str]:
    """The units of a text that is nothing but a list of them (a table's owner cell:
    `市政局、环卫处、崇川经济开发区、各街道`), or [] if any piece is not a unit name.

    >>> unit_list_names("市政局、环卫处、各街道"), unit_list_names("已完成设计招标")
    (['市政局', '环卫处', '各街道'], [])
    """
    m = _match_form(text)
    return _unit_names(text, m, 0, len(text), listed=True) or []


def clean_unit_name(name: str) -> str:
    """A unit name as it is stored (:func:`_clean_name`): width folded, no spaces or pinyin,
    full-width brackets. The one normaliser of unit names, for the importer and for
    coordinators typing one."""
    return _clean_name(name)


@lru_cache(maxsize=8192)
def is_group_name(name: str) -> bool:
    """True if the name stands for several units rather than one office.

    >>> [is_group_name(n) for n in ("县知识产权保护联席会议25个成员单位", "各乡镇（街道）",
    ...                             "有关部门", "各州（市）人民政府", "省公安厅", "县政府办公室")]
    [True, True, True, True, False, False]
    """
    return bool(_GROUP.search(_match_form(name).strip()))


# --------------------------------------------------------------------------- unit lists


def _trim(m: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past blanks and sentence punctuation (a trailing 等 is printed
    text: `省公安厅等` names more units than one, and stays so)."""
    while start < end and (m[start].isspace() or m[start] in "。."):
        start += 1
    while end > start and (m[end - 1].isspace() or m[end - 1] in "。."):
        end -= 1
    return start, end


_GENERIC_AFTER = re.compile(r"(?:单位|部门|机构|组织)(?=$|[、,;()])")
_SPLIT_TOKEN = re.compile("[" + re.escape(_OPENERS + _CLOSERS) + "、,;和及]|以(?=及)")


def _split_spans(m: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the units listed in m[start:end], split at depth 0 on 、,; and 和 及 以及.

    和 and 及 split only when the piece before them already ends like a unit, so
    `省文化和旅游厅` and `省人力资源和社会保障厅` stay whole. Only brackets and
    separators are visited.

    >>> m = "省文化和旅游厅、省公安厅以及县法院和各乡镇(街道)"
    >>> [m[a:b] for a, b in _split_spans(m, 0, len(m))]
    ['省文化和旅游厅', '省公安厅', '县法院', '各乡镇(街道)']
    """
    spans: list[tuple[int, int]] = []
    depth = 0
    piece = start
    resume = start  # separators inside a 以及 just taken are skipped
    for token in _SPLIT_TOKEN.finditer(m, start, end):
        i = token.start()
        if i < resume:
            continue
        c = token.group()
        sep = 0
        if c in _OPENERS:
            depth += 1
        elif c in _CLOSERS:
            depth = max(0, depth - 1)
        elif depth == 0:
            if c in "、,;":
                sep = 1
            else:
                width = 2 if c == "以" else 1
                before = m[piece:i]
                if (_ENDS_WITH_SUFFIX.search(before) or before.endswith("等")) and m[i + width : end].strip():
                    # `有关部门和单位` is one group: a bare generic word after 和 is no unit.
                    after = _GENERIC_AFTER.match(m, i + width, end)
                    if after is None:
                        sep = width
        if sep:
            s, e = _trim(m, piece, i)
            if s < e:
                spans.append((s, e))
            piece = resume = i + sep
    s, e = _trim(m, piece, end)
    if s < e:
        spans.append((s, e))
    return spans


def split_units(s: str) -> list[str]:
    """Split a list of units on 、 ， , ； ; 和 及 (not inside brackets), keeping brackets whole.

    >>> split_units("县农业农村委、县商务委，各乡镇（街道）")
    ['县农业农村委', '县商务委', '各乡镇（街道）']
    >>> split_units("县国有资产管理服务中心和各乡镇（街道）")
    ['县国有资产管理服务中心', '各乡镇（街道）']
    >>> split_units("省文化和旅游厅、省公安厅等")
    ['省文化和旅游厅', '省公安厅等']
    >>> split_units("农业农村部等和各有关省级人民政府、各有关部门和单位")
    ['农业农村部等', '各有关省级人民政府', '各有关部门和单位']
    """
    return [s[a:b] for a, b in _split_spans(_match_form(s), 0, len(s))]


# --------------------------------------------------------------------------- bracket clauses

_VerbKind = Literal["lead_first", "lead_all", "support", "duty"]

# Owner labels are read by their words, not from a list: a label is a unit word (单位, 部门,
# 处室, 科室, 主体) after a role word (`牵头责任单位`, `主要协作单位`, `协同配合单位`).
# 牵头 / 主责 lead; 配合 / 协作 / 协同 / 参与 / 共同 … support; 责任 / 负责 / 实施 … are the
# genre's default (the first listed leads). Labels of a page's metadata (主办单位, 发文单位)
# and of those who score or check the work (评分部门, 考核单位) name no owner.
_OWNER_LABEL_WORD = re.compile(
    r"^[\u4e00-\u9fff]{1,8}(?:单位|部门|处室|科室|股室|主体|机构)(?:[（(](?:单位|部门)[）)])?(?:及责任人)?$"
)
_LEAD_WORDS = re.compile("牵头|主责|主要责任|主办责任")
_SUPPORT_WORDS = re.compile("配合|协作|协同|协办|协助|参与|参加|支持|共同|配合责任")
_NOT_OWNER_LABEL = re.compile(
    "^(?:主办|承办|发文|发布|来源|印发|成文|主管|评分|考核|考评|督查|督导|监督|审核|审查|联系)|评分|考核单位|考核部门"
)
_DEADLINE_LABELS = (
    "完成时限", "完成时间", "完成期限", "时间节点", "时间要求", "时间安排", "进度安排",
    "截止时间", "时限",
)
_LABEL = re.compile(r"\s*([\u4e00-\u9fff]{2,10})\s*:\s*")
_LABEL_LINE = re.compile(
    r"(?:^|(?<=[。;]))[ \t]*(?P<label>[\u4e00-\u9fff]{0,8}(?:单位|部门|处室|科室|主体)(?:及责任人)?)[ \t]*:",
    re.MULTILINE,
)


@lru_cache(maxsize=256)
def owner_label_kind(label: str) -> _VerbKind | None:
    """What a label says of the units listed after it, or None if it names no owners.

    >>> [owner_label_kind(k) for k in ("牵头责任单位", "主要协作单位", "责任单位", "评分部门", "主办单位", "完成时限")]
    ['lead_all', 'support', 'lead_first', None, None, None]
    """
    if not _OWNER_LABEL_WORD.match(label) or _NOT_OWNER_LABEL.search(label):
        return None
    if _SUPPORT_WORDS.search(label):
        return "support"
    if _LEAD_WORDS.search(label):
        return "lead_all"
    return "lead_first"


# The role phrase that ends an unlabelled part: `X、Y负责`, `X牵头`, `Y、Z配合`,
# `X按职责分工牵头负责`, `B、C组织落实`. Its words decide the role of the units before it:
# 牵头 leads, 配合/参与/协助/协同 support, a plain duty (负责, 落实, 实施) is the genre's
# default (the first listed leads), and 按职责分工 with no units names every department.
_ROLE_TAIL = re.compile(
    r"(?P<duty>按(?:照)?(?:各自)?(?:职责|职能)(?:分工)?)?"
    r"(?P<verb>分别牵头负责|分别牵头|牵头负责|负责牵头|牵头落实|牵头推进|牵头实施|牵头组织实施|牵头组织|牵头抓总|牵头|主办|负责落实|组织落实|具体落实|抓好落实|推进落实"
    r"|共同负责|分别负责|共同推进|组织实施|负责实施|具体实施|配合落实|配合实施|组织配合|做好配合|积极配合"
    r"|配合|参与|参加|协助|协办|协同|负责)$"
)
# Words between the subject and its verb, or before the subject, that are not part of it.
_SUBJECT_PREFIXES = ("并由", "另由", "由", "请", "同时", "并")
_SUBJECT_SUFFIXES = (
    "要", "应当", "应", "将", "须", "必须", "需要", "需", "继续", "统一", "具体", "主要",
    "切实", "也", "共同", "分别", "积极", "进一步",
)
_DEADLINE_HINT = re.compile(
    r"\d{4}年|\d{1,2}月|[上下]半年|年底|年内|季度|月底|持续|长期|常态|每年|逐年|前完成|底前"
    r"|之前|以前|及时|年度"
)
_DEFAULT_GROUP = "各有关部门"
_LINE_END = re.compile("[\n\r。]")


def _role_kind(verb: str) -> _VerbKind:
    """`牵头…` leads, `配合/参与/协助/协同…` supports, any other duty is the default.

    >>> [_role_kind(v) for v in ("牵头负责", "主办", "组织配合", "协办", "负责")]
    ['lead_all', 'lead_all', 'support', 'support', 'lead_first']
    """
    if "牵头" in verb or verb == "主办":
        return "lead_all"
    if re.search("配合|参与|参加|协助|协办|协同", verb):
        return "support"
    return "lead_first"


@dataclass
class _Collected:
    """Owners and extra fields gathered from one clause, in order of appearance.

    Once the clause has named its lead explicitly (`X牵头`, `牵头单位：X`), units it lists
    under a plain duty (`Y、Z按职责分工负责`, `责任单位：Y`) support that lead.
    """

    owners: list[tuple[str, Role]] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    explicit_lead: bool = False

    def add(self, names: Sequence[str], kind: _VerbKind, lead_first: bool) -> None:
        has_lead = any(role == "lead" for _, role in self.owners)
        for i, name in enumerate(names):
            role: Role
            if kind == "support" or (kind != "lead_all" and self.explicit_lead):
                role = "support"
            elif kind == "lead_all" or not lead_first or (i == 0 and not has_lead):
                role = "lead"
            else:
                role = "support"
            self.owners.append((name, role))
        if kind == "lead_all" and names:
            self.explicit_lead = True

    def add_extra(self, key: str, value: str) -> None:
        value = value.strip()
        if value:
            self.extra[key] = f"{self.extra[key]}；{value}" if key in self.extra else value


def _strip_subject(m: str, start: int, end: int) -> tuple[int, int]:
    """Drop 由/要/分别 … around a subject so only the unit names remain."""
    start, end = _trim(m, start, end)
    changed = True
    while changed and start < end:
        changed = False
        for p in _SUBJECT_PREFIXES:
            if m.startswith(p, start) and end - start > len(p):
                start += len(p)
                changed = True
                break
        for s in _SUBJECT_SUFFIXES:
            if m[start:end].endswith(s) and end - start > len(s):
                end -= len(s)
                changed = True
                break
        start, end = _trim(m, start, end)
    return start, end


def _unit_names(
    text: str, m: str, start: int, end: int, *, listed: bool = False, labelled: bool = False
) -> list[str] | None:
    """Names listed in [start, end) if every piece reads as a unit, else None.

    ``listed``: the clause itself says its list names owners (a label, a role phrase), so
    each piece need only read as a name (:func:`_is_listed_name`).
    ``labelled``: the list follows an owner label (`责任单位：`); a short bare name among
    units that read as such is a local body of its own kind (`人民大垸、荒湖管理区`).
    """
    spans = _split_spans(m, start, end)
    if listed:
        spans = [(a, _before_note(m, a, b)) for a, b in spans]
    check = _is_listed_name if listed else _is_unit_like
    grouped = False  # a 各 piece opens a list of levels: 各县、市、区政府
    bare = 0
    for a, b in spans:
        piece = m[a:b]
        if check(text[a:b]):
            grouped = grouped or piece.startswith("各")
        elif labelled and _BARE_NAME.match(piece) and not any(w in piece for w in _NOT_IN_NAME):
            bare += 1
        elif not (listed and grouped and piece in _LEVELS):
            return None
    if not spans or bare == len(spans):
        return None
    return [_clean_name(text[a:b]) for a, b in spans]


_LEVELS = frozenset("市区县州盟旗镇乡")
_BARE_NAME = re.compile(r"[\u4e00-\u9fff]{2,6}$")
# A note in brackets after the last unit of a list, about the list itself: `市卫生健康委（除
# 标注“分别牵头”外，列第一位为牵头或汇总单位，下同）`, `市财政局（第一责任单位为牵头单位）`.
_LIST_NOTE = re.compile(r"\((?:[^()]*(?:下同|牵头|汇总|不再|以下|除))[^()]*\)$")


def _before_note(m: str, start: int, end: int) -> int:
    """The end of a list piece without a trailing note about the list."""
    note = _LIST_NOTE.search(m, start, end)
    return note.start() if note is not None and note.start() > start else end


_TOGETHER = re.compile("会同")


def _add_subject(
    text: str, m: str, start: int, end: int, kind: _VerbKind, lead_first: bool, out: _Collected
) -> bool:
    """Record the units of a subject that precedes a role phrase; False if it names none.

    `X会同Y、Z` (X together with Y and Z): X takes the role, Y and Z support it.
    """
    s, e = _strip_subject(m, start, end)
    if s >= e:
        return False
    together = _TOGETHER.search(m, s, e)
    if together is not None:
        lead = _unit_names(text, m, s, together.start(), listed=True)
        support = _unit_names(text, m, together.end(), e, listed=True)
        if not lead or not support:
            return False
        out.add(lead, kind, lead_first)
        out.add(support, "support", lead_first)
        return True
    names = _unit_names(text, m, s, e, listed=True)
    if not names:
        return False
    out.add(names, kind, lead_first)
    return True


def _parse_part(
    text: str, m: str, start: int, end: int, out: _Collected, lead_first: bool, pending: list[str]
) -> str:
    """Read one unlabelled part of a bracket body into ``out``.

    Returns "verb" for `X、Y负责` / `X牵头` / `Y配合` / `按职责分工负责` (with the units of
    ``pending``, a list cut from its verb by a comma: `X、Y，各区负责`), "units" for a bare
    list of units (added to ``pending`` for a verb that may follow), "deadline" after
    recording a deadline phrase in ``out``, and "" for anything else.
    """
    start, end = _trim(m, start, end)
    chunk = m[start:end]
    tail = _ROLE_TAIL.search(chunk)
    if tail is not None:
        kind = _role_kind(tail.group("verb"))
        subject_end = start + tail.start()
        if pending:
            out.add(pending, kind, lead_first)
        if _add_subject(text, m, start, subject_end, kind, lead_first, out) or pending:
            pending.clear()
            return "verb"
        if tail.group("duty") and _strip_subject(m, start, subject_end)[0] >= _strip_subject(m, start, subject_end)[1]:
            out.add([_DEFAULT_GROUP], "lead_first", lead_first)  # 按职责分工负责: every department
            return "verb"
        return ""
    names = _unit_names(text, m, start, end)
    if names:
        pending.extend(names)
        return "units"
    if _DEADLINE_HINT.search(chunk):
        out.add_extra("deadline", text[start:end])
        return "deadline"
    return ""


@lru_cache(maxsize=16)
def _depth0_token(seps: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(_OPENERS + _CLOSERS + seps) + "]")


def _split_depth0(m: str, start: int, end: int, seps: str) -> list[tuple[int, int]]:
    """[start, end) cut at depth-0 separators (brackets nested inside stay whole)."""
    parts: list[tuple[int, int]] = []
    depth = 0
    piece = start
    for token in _depth0_token(seps).finditer(m, start, end):
        c = token.group()
        if c in _OPENERS:
            depth += 1
        elif c in _CLOSERS:
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append((piece, token.start()))
            piece = token.start() + 1
    parts.append((piece, end))
    return parts


@lru_cache(maxsize=8192)
def _bracket_fields(
    text: str, m: str, lead_first: bool, bare_ok: bool
) -> tuple[tuple[tuple[str, Role], ...], tuple[tuple[str, str], ...]]:
    """:func:`_parse_fields` of a whole bracket body, remembered (immutably).

    Plans repeat their brackets — the same deadline `(2021年12月底前完成)` or the same
    `（责任单位：县法院、县检察院）` on item after item — and the fields of a body depend on
    nothing outside it.
    """
    out = _parse_fields(text, m, 0, len(text), lead_first, bare_ok)
    return tuple(out.owners), tuple(out.extra.items())


def _parse_fields(
    text: str, m: str, start: int, end: int, lead_first: bool, bare_ok: bool, out: _Collected | None = None
) -> _Collected:
    """Owners and extra fields of a clause body: `责任单位：…；完成时限：…`, `X牵头，Y配合` …

    Fields are cut at 。 and ；, and at a comma that a label follows (`牵头单位：X，配合单位：Y，
    各区`): a comma inside a labelled field continues its list. ``out`` carries on a clause
    begun on an earlier line (`牵头单位：X` then `责任单位：Y` under one item).
    """
    out = _Collected() if out is None else out
    for fs, fe in _fields(m, start, end):
        fs, fe = _trim(m, fs, fe)
        if fs >= fe:
            continue
        label = _LABEL.match(m, fs, fe)
        if label:
            key = label.group(1)
            vs = label.end()
            if owner_label_kind(key) is not None:
                _labelled_owners(text, m, vs, fe, key, lead_first, out)
                continue
            if key in _DEADLINE_LABELS:
                out.add_extra("deadline", text[vs:fe])
            else:
                out.add_extra(fold_width(text[label.start(1) : label.end(1)]), text[vs:fe])
            continue
        # Unlabelled: `X牵头，Y、Z配合`, `省公安厅牵头，2021年底前`, `X、Y，各乡镇（街道）负责`.
        pending: list[str] = []
        unknown = False
        for ps, pe in _split_depth0(m, fs, fe, ","):
            what = _parse_part(text, m, ps, pe, out, lead_first, pending)
            unknown = unknown or what == ""
        if pending and not unknown:
            if out.owners:
                out.add(pending, "support", lead_first)
            elif bare_ok:
                out.add(pending, "lead_first", lead_first)
    return out


def _labelled_owners(
    text: str, m: str, start: int, end: int, key: str, lead_first: bool, out: _Collected
) -> None:
    """The units of one labelled field (`配合单位：X、Y，各区`), a role phrase at its end
    (`…按职责分工负责`) dropped and a deadline beside them (`X，2022年底前`) kept apart."""
    kind = owner_label_kind(key) or "lead_first"
    names: list[str] = []
    for ps, pe in _split_depth0(m, start, end, ","):
        ps, pe = _trim(m, ps, pe)
        if ps >= pe:
            continue
        tail = _ROLE_TAIL.search(m, ps, pe)
        if tail is not None and tail.start() > ps:
            pe = tail.start()
            if _role_kind(tail.group("verb")) == "lead_all":
                kind = "lead_all"  # 责任单位：X、Y分别牵头: each leads its part
        found = _unit_names(text, m, ps, pe, listed=True, labelled=True)
        if found:
            names.extend(found)
        elif _CONVENTION.search(m[ps:pe]):
            continue  # `排在首位的为牵头单位，下同`: a note on how to read the list
        elif looks_like_timing(m[ps:pe]):
            out.add_extra("deadline", text[ps:pe])
        else:
            return  # not a list of units (a sentence after the label): no owners from it
    out.add(names, kind, lead_first)


# A note in a list on how to read it (列第一位者为牵头单位, 下同, 不再列出).
_CONVENTION = re.compile(r"下同|为牵头|為牽頭|首位|第一位|不再(?:列出|分工|单独)|以下|排名不分")


def looks_like_timing(chunk: str) -> bool:
    """Whether a piece of an owner clause is a timing phrase rather than a unit."""
    return bool(_DEADLINE_HINT.search(chunk))


# A label after a comma starts a new field: `（负责部门：海关总署，适用范围：福建自贸试验区）`.
_COMMA_LABEL = re.compile(r",(?=\s*[\u4e00-\u9fff]{2,8}\s*:)")


def _fields(m: str, start: int, end: int) -> list[tuple[int, int]]:
    """The fields of a clause body: cut at depth-0 。 and ；, and at commas before a label."""
    out: list[tuple[int, int]] = []
    for fs, fe in _split_depth0(m, start, end, ";。"):
        piece = fs
        for cut in _split_depth0(m, fs, fe, ","):
            if cut[0] > fs and _COMMA_LABEL.match(m, cut[0] - 1):  # the comma before this part
                out.append((piece, cut[0] - 1))
                piece = cut[0]
        out.append((piece, fe))
    return out


_BRACKETS = re.compile("[" + re.escape(_OPENERS + _CLOSERS) + "]")


_CLAUSE_LIMIT = 2000  # characters: the longest owner bracket (dozens of units) is far shorter


def _bracket_pairs(m: str) -> list[tuple[int, int]]:
    """(open, close) index pairs of balanced brackets, in order of their opening; brackets
    nested more than three deep are left out (an owner clause holds at most an alias with a
    bracket of its own, and reading every level of a pathological nest is quadratic)."""
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for token in _BRACKETS.finditer(m):
        if token.group() in _OPENERS:
            stack.append(token.start())
        elif stack:
            opened = stack.pop()
            if len(stack) < 3:
                pairs.append((opened, token.start()))
    return sorted(pairs)


# --------------------------------------------------------------------------- in-sentence

_SENTENCE_VERB = re.compile(
    r"(按照职责分工负责|按职责分工负责|牵头负责|负责牵头|分别负责|牵头|会同|负责)(?!人|同志|领导)"
)
_SUPPORT_TAIL = ("配合落实", "配合", "参与", "协助")
_CLAUSE_STOP = re.compile("[" + re.escape(_CLAUSE_STOPS) + "]")


_SUBJECT_TOKEN = re.compile("[" + re.escape(_OPENERS + _CLOSERS + _CLAUSE_STOPS) + "]")
_SUBJECT_ENDS = _OPENERS + _CLAUSE_STOPS


_SUBJECT_REACH = 400


def _subject_start(m: str, verb_start: int) -> int:
    """Start of the clause that ends at verb_start, skipping over bracketed aliases.

    Read backwards from the verb: a stop or an opening bracket at depth 0 ends the clause;
    a closing bracket opens an alias to skip. Usually no bracket closes between the last
    stop or opener and the verb, and that position is the answer at once.

    >>> m = "为此,省市场监管局(省知识产权局)会同"
    >>> m[_subject_start(m, len(m) - 2):]
    '省市场监管局(省知识产权局)会同'
    """
    # A subject is a list of units, never longer than a few hundred characters: the search
    # back stops there (a text of thousands of verbs would otherwise be read once for each).
    floor = max(0, verb_start - _SUBJECT_REACH)
    last = max(max(m.rfind(c, floor, verb_start) for c in _SUBJECT_ENDS), floor - 1)
    if not any(c in m[last + 1 : verb_start] for c in _CLOSERS):
        return last + 1
    depth = 0
    for token in reversed(list(_SUBJECT_TOKEN.finditer(m, floor, verb_start))):
        c = token.group()
        if c in _CLOSERS:
            depth += 1
        elif c in _OPENERS:
            if depth == 0:
                return token.start() + 1
            depth -= 1
        elif depth == 0:
            return token.start() + 1
    return floor


def _scan_units(text: str, m: str, pos: int) -> tuple[list[str], int]:
    """Unit names listed from pos on (`有关部门对…` -> 有关部门); returns names and end."""
    names: list[str] = []
    end = pos
    while True:
        unit = _UNIT_AT.match(m, pos)
        if not unit:
            break
        stop = unit.end()
        while (ext := _UNIT_EXT.match(m, stop)) and _is_unit_like(m[unit.start() : ext.end()]):
            stop = ext.end()
        if not _is_unit_like(text[unit.start() : stop]):
            break
        names.append(_clean_name(text[unit.start() : stop]))
        end = stop
        for sep in ("以及", "、", "和", "及"):
            if m.startswith(sep, stop):
                pos = stop + len(sep)
                break
        else:
            break
    return names, end


def _sentence_clauses(text: str, m: str, lead_first: bool) -> list[tuple[int, int, _Collected]]:
    """`X负责…`, `X会同Y…`, `X牵头，Y配合`, `各有关部门按职责分工负责` inside sentences."""
    found: list[tuple[int, int, _Collected]] = []
    for verb in _SENTENCE_VERB.finditer(m):
        vs, ve = verb.span()
        word = verb.group(1)
        s, e = _strip_subject(m, _subject_start(m, vs), vs)
        names = _unit_names(text, m, s, e) if s < e else None
        out = _Collected()
        if word.endswith("职责分工负责"):
            if not names:
                names, s = [_DEFAULT_GROUP], vs
            out.add(names, "lead_first", lead_first)
        elif not names:
            continue
        else:
            out.add(names, "lead_all" if "牵头" in word else "lead_first", lead_first)
        end = ve
        if word == "会同":
            support, end = _scan_units(text, m, ve)
            if not support:
                end = ve
            out.add(support, "support", lead_first)
        elif ve < len(m) and m[ve] == ",":
            # `X牵头，Y、Z配合`: the next clause names the supporting units.
            ns = ve + 1
            stop = _CLAUSE_STOP.search(m, ns)
            ne = stop.start() if stop else len(m)
            for tail in _SUPPORT_TAIL:
                if m[ns:ne].rstrip().endswith(tail):
                    ts, te = _strip_subject(m, ns, ns + m[ns:ne].rstrip().rfind(tail))
                    support_names = _unit_names(text, m, ts, te) if ts < te else None
                    if support_names:
                        out.add(support_names, "support", lead_first)
                        end = ns + m[ns:ne].rstrip().rfind(tail) + len(tail)
                    break
        found.append((s, end, out))
    return found


def _overlaps(span: tuple[int, int], taken: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in taken)


def _to_refs(owners: Sequence[tuple[str, Role]], lexicon: Lexicon | None) -> tuple[OwnerRef, ...]:
    """OwnerRefs in order, one per name (a unit named twice keeps its stronger role)."""
    roles: dict[str, Role] = {}
    for name, role in owners:
        if lexicon is not None:
            name = lexicon.canonical(name)
        if roles.get(name) != "lead":
            roles[name] = role
    return tuple(OwnerRef(n, r, "stated", is_group_name(n)) for n, r in roles.items())


def find_owner_clauses(
    text: str, *, lead_first: bool = True, lexicon: Lexicon | None = None
) -> list[OwnerClause]:
    """Stated owners in a task's text, in every form the genre uses.

    With ``lead_first`` (the genre's rule 列第一位者为牵头单位) the first unit of an
    undifferentiated list (责任单位, `X、Y负责`) is the lead and the rest support; without
    it every unit of such a list is a lead. Explicit 牵头/配合 labels always decide.
    With a ``lexicon``, names are stored under their canonical form.

    >>> [c] = find_owner_clauses("加强司法保护。（责任单位：县法院、县检察院）")
    >>> [(o.name, o.role) for o in c.owners], c.span, c.raw
    ([('县法院', 'lead'), ('县检察院', 'support')], (7, 22), '（责任单位：县法院、县检察院）')
    >>> [c] = find_owner_clauses("（省公安厅牵头，2021年底前）")
    >>> [(o.name, o.role) for o in c.owners], c.extra
    ([('省公安厅', 'lead')], {'deadline': '2021年底前'})
    >>> [c] = find_owner_clauses("领导小组办公室要会同县政府办公室，定期督查。")
    >>> [(o.name, o.role) for o in c.owners], c.raw
    ([('领导小组办公室', 'lead'), ('县政府办公室', 'support')], '领导小组办公室要会同县政府办公室')
    >>> find_owner_clauses("(2020年12月底前完成)")
    []
    """
    if lexicon is None:
        return list(_owner_clauses(text, lead_first))
    return _find_owner_clauses(text, lead_first, lexicon)


@lru_cache(maxsize=4096)
def _owner_clauses(text: str, lead_first: bool) -> tuple[OwnerClause, ...]:
    """:func:`find_owner_clauses` without a lexicon, remembered: the outline asks of an item's
    text whether it states owners, and the item's extraction then reads them."""
    return tuple(_find_owner_clauses(text, lead_first, None))


def _find_owner_clauses(text: str, lead_first: bool, lexicon: Lexicon | None) -> list[OwnerClause]:
    m = _match_form(text)
    taken: list[tuple[int, int]] = []
    clauses: list[OwnerClause] = []

    def keep(start: int, end: int, out: _Collected) -> None:
        owners = _to_refs(out.owners, lexicon)
        if owners:
            taken.append((start, end))
            clauses.append(OwnerClause(owners, (start, end), text[start:end], out.extra))

    for op, cl in _bracket_pairs(m):
        if cl - op > _CLAUSE_LIMIT or _overlaps((op, cl + 1), taken):
            continue  # no owner clause runs to thousands of characters
        # A bare list of units (`…力度。（省公安厅、省市场监管局）`) names owners only at the
        # end of a sentence, and not right after a unit name, where a bracket is an alias
        # (省市场监管局（省知识产权局）, 各乡镇（街道）).
        after = m[cl + 1 : cl + 3].strip()
        bare_ok = (not after or after[0] in "。;,\n") and not _ENDS_WITH_SUFFIX.search(
            m[max(0, op - 8) : op]
        )
        owners, extra = _bracket_fields(text[op + 1 : cl], m[op + 1 : cl], lead_first, bare_ok)
        keep(op, cl + 1, _Collected(list(owners), dict(extra)))

    # Labelled lines under an item (`牵头单位：X` / `责任单位：Y、Z` / `配合单位：…`) are one
    # clause: a 责任单位 line after a 牵头单位 line names the units that support the lead.
    block: tuple[int, int, _Collected] | None = None
    for label in _LABEL_LINE.finditer(m):
        if owner_label_kind(label.group("label")) is None:
            continue
        start = label.start("label")
        line_end = _LINE_END.search(m, start)
        end = line_end.start() if line_end else len(m)
        _, end = _trim(m, start, end)
        if _overlaps((start, end), taken):
            continue
        if block is not None and not m[block[1] : start].strip(" \t\n\r。;"):
            block = (block[0], end, _parse_fields(text, m, start, end, lead_first, False, block[2]))
            continue
        if block is not None:
            keep(*block)
        block = (start, end, _parse_fields(text, m, start, end, lead_first, False))
    if block is not None:
        keep(*block)

    # `X负责…` in a sentence names owners only where the item annotates none: a bracket or
    # a label line is the document's own statement of who owns the item, and the subjects
    # of its sentences (`市人才工作领导小组负责统筹协调`) describe the work.
    if not clauses:
        for start, end, out in _sentence_clauses(text, m, lead_first):
            if not _overlaps((start, end), taken):
                keep(start, end, out)

    return sorted(clauses, key=lambda c: c.span)


# --------------------------------------------------------------------------- lexicon

_QUOTES = "“”‘’\"'「」『』"
_QUOTES_OR_SPACES = re.compile(r"[\s" + re.escape(_QUOTES) + "]+")
_UNIT_KEYS = {"aliases", "strong_keywords", "keywords", "fallback_keywords"}


def _lex_form(text: str) -> str:
    """Form used for keyword matching: width folded, simplified, no quotes or blanks.

    `开展“昆仑”行动` and `开展"昆仑"行动` both read `开展昆仑行动`.

    >>> _lex_form('开展 “剑网”、"清源" 行动')
    '开展剑网、清源行动'
    """
    return _QUOTES_OR_SPACES.sub("", _match_form(text))


@dataclass(frozen=True)
class _LexUnit:
    """One unit of the lexicon with its keyword tiers (see seeds/owner-lexicon.toml)."""

    name: str
    aliases: tuple[str, ...]
    strong: tuple[str, ...]
    keywords: tuple[str, ...]
    fallback: tuple[str, ...]


@dataclass(frozen=True)
class _Hit:
    unit: int  # index into Lexicon.units
    tier: int  # 3 strong (names, aliases, strong_keywords), 2 keywords, 1 fallback_keywords
    start: int
    end: int


@dataclass
class Lexicon:
    """Owner lexicon: alias -> canonical unit, and keywords -> units for inference.

    Inference rule (documented for the coordinator in the TOML file): every keyword found in
    the text is a hit; a hit lying strictly inside a longer hit of another unit is ignored
    (`信用分类监管` beats `信用`). The lead is the unit with a hit of the highest tier
    (strong > keywords), the earliest such hit winning, a longer keyword breaking ties, then
    lexicon order. Every other unit hit supports, in order of its first hit. Fallback keywords
    count only when no strong keyword or keyword matched; ``fallback`` names the unit used
    when nothing matched at all ("" = none: the task is reported as needing an owner).

    >>> lex = Lexicon.load(default_lexicon_path())
    >>> [(o.name, o.role) for o in lex.infer("组织开展打击刑事犯罪“昆仑”行动")]
    [('省公安厅', 'lead')]
    >>> lex.canonical("省知识产权局")
    '省市场监管局（省知识产权局）'
    """

    units: list[_LexUnit] = field(default_factory=list)
    fallback: str = ""
    regions: tuple[str, ...] = ()  # region slugs the lexicon is written for; () = everywhere
    _canon: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _words: list[tuple[int, int, str]] = field(default_factory=list, init=False, repr=False)
    # The same words indexed for one pass over a text: the (unit, tier) entries of each word,
    # the words by first character, and a regex finding the characters that start any.
    _entries: dict[str, list[tuple[int, int]]] = field(default_factory=dict, init=False, repr=False)
    _by_first: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)
    _starts: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        for index, unit in enumerate(self.units):
            for alias in (unit.name, *unit.aliases):
                key = _clean_name(alias)
                other = self._canon.get(key)
                if other is not None and other != unit.name:
                    raise ValueError(
                        f"owner lexicon: {alias!r} names both {other!r} and {unit.name!r}"
                    )
                self._canon[key] = unit.name
            tiers = ((3, (unit.name, *unit.aliases, *unit.strong)), (2, unit.keywords),
                     (1, unit.fallback))
            for tier, words in tiers:
                for word in words:
                    if form := _lex_form(word):
                        self._words.append((index, tier, form))
        for unit_index, tier, word in self._words:
            self._entries.setdefault(word, []).append((unit_index, tier))
        for word in self._entries:
            self._by_first.setdefault(word[0], []).append(word)
        if self._entries:
            self._starts = re.compile("[" + re.escape("".join(sorted(self._by_first))) + "]")
        if self.fallback and self.fallback not in {u.name for u in self.units}:
            raise ValueError(f"owner lexicon: fallback {self.fallback!r} is not a unit")

    @classmethod
    def load(cls, path: str | Path) -> Lexicon:
        """Read a lexicon TOML file; unknown keys are errors, so typos do not pass silently."""
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        unknown = set(data) - {"settings", "units"}
        if unknown:
            raise ValueError(f"owner lexicon {path}: unknown tables {sorted(unknown)}")
        settings = data.get("settings", {})
        if set(settings) - {"fallback", "regions"}:
            raise ValueError(f"owner lexicon {path}: unknown settings {sorted(settings)}")
        regions = settings.get("regions", [])
        if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
            raise ValueError(f"owner lexicon {path}: settings.regions must be a list of strings")
        units: list[_LexUnit] = []
        for name, spec in data.get("units", {}).items():
            bad = set(spec) - _UNIT_KEYS
            if bad:
                raise ValueError(
                    f"owner lexicon {path}: unit {name!r} has unknown keys {sorted(bad)}"
                )
            lists: dict[str, tuple[str, ...]] = {}
            for key in _UNIT_KEYS:
                value = spec.get(key, [])
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ValueError(
                        f"owner lexicon {path}: {name}.{key} must be a list of strings"
                    )
                lists[key] = tuple(value)
            units.append(_LexUnit(_clean_name(name), lists["aliases"], lists["strong_keywords"],
                                  lists["keywords"], lists["fallback_keywords"]))
        fallback = str(settings.get("fallback", ""))
        return cls(
            units=units,
            fallback=_clean_name(fallback) if fallback else "",
            regions=tuple(r.strip().lower() for r in regions),
        )

    def applies_to(self, region: str) -> bool:
        """Whether this lexicon may infer owners for a plan of ``region`` (its slug prefix).

        A lexicon names one province's units (昆明海关, 省公安厅 of Yunnan); inferring them
        for another province's plan would assign work to offices that do not exist there, so
        such plans list their items as needing an owner instead.

        >>> lex = Lexicon(regions=("yunnan",))
        >>> lex.applies_to("yunnan"), lex.applies_to("qinghai"), Lexicon().applies_to("qinghai")
        (True, False, True)
        """
        return not self.regions or region.lower() in self.regions

    def canonical(self, name: str) -> str:
        """Canonical unit name for an alias; the name itself if the lexicon does not know it.

        >>> Lexicon([_LexUnit("省公安厅", ("公安厅",), (), (), ())]).canonical("公安厅")
        '省公安厅'
        """
        return self._canon.get(_clean_name(name), name)

    def aliases(self) -> dict[str, list[str]]:
        """Canonical name -> aliases, for seeding the Unit table."""
        return {u.name: list(u.aliases) for u in self.units}

    def _all_hits(self, form: str) -> list[_Hit]:
        """Every occurrence of every keyword in ``form`` (overlapping ones too), all tiers.

        One regex search finds each character that starts some keyword; only the keywords
        beginning with it are then compared, not the whole lexicon.
        """
        hits: list[_Hit] = []
        if self._starts is None:
            return hits
        for at in self._starts.finditer(form):
            start = at.start()
            for word in self._by_first[form[start]]:
                if form.startswith(word, start):
                    end = start + len(word)
                    hits.extend(_Hit(unit, tier, start, end) for unit, tier in self._entries[word])
        return hits

    @staticmethod
    def _hits(found: list[_Hit], tiers: set[int]) -> list[_Hit]:
        hits = [h for h in found if h.tier in tiers]
        # A hit inside a longer hit of another unit is part of that unit's phrase.
        spans = [(o.start, o.end, o.end - o.start, o.unit) for o in hits]
        kept = []
        for h in hits:
            start, end, unit = h.start, h.end, h.unit
            size = end - start
            for o_start, o_end, o_size, o_unit in spans:
                if o_size > size and o_start <= start and end <= o_end and o_unit != unit:
                    break
            else:
                kept.append(h)
        return kept

    def infer(self, text: str) -> list[OwnerRef]:
        """Inferred owners of a task's text: the lead first, then supporting units.

        >>> lex = Lexicon.load(default_lexicon_path())
        >>> [(o.name, o.role) for o in lex.infer("研究药品专利纠纷早期解决机制。")]
        [('省市场监管局（省知识产权局）', 'lead'), ('省药监局', 'support')]
        >>> lex.infer("天气晴。")
        []
        """
        found = self._all_hits(_lex_form(text))
        hits = self._hits(found, {2, 3}) or self._hits(found, {1})
        if not hits:
            if self.fallback:
                return [OwnerRef(self.fallback, "lead", "inferred", is_group_name(self.fallback))]
            return []
        top = max(h.tier for h in hits)
        lead = min((h for h in hits if h.tier == top),
                   key=lambda h: (h.start, -(h.end - h.start), h.unit)).unit
        first: dict[int, tuple[int, int]] = {}
        for h in hits:
            key = (h.start, -(h.end - h.start))
            if h.unit not in first or key < first[h.unit]:
                first[h.unit] = key
        support = sorted((u for u in first if u != lead), key=lambda u: (first[u], u))
        names = [self.units[lead].name] + [self.units[u].name for u in support]
        return [
            OwnerRef(n, "lead" if i == 0 else "support", "inferred", is_group_name(n))
            for i, n in enumerate(names)
        ]


def default_lexicon_path() -> Path:
    """`<repo>/seeds/owner-lexicon.toml`, or the file named by TRACKER_LEXICON.

    >>> default_lexicon_path().name
    'owner-lexicon.toml'
    """
    env = os.environ.get("TRACKER_LEXICON")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "seeds" / "owner-lexicon.toml"
