"""Read a plan document from disk into clean Unicode text (读取文件：编码与格式).

Plans arrive as whatever an office had at hand: UTF-8 text copied from a website, GB18030/GBK
files saved by older Windows tools, Big5 files from traditional-script sources, Word
documents, or whole saved web pages.  Everything downstream (structure, deadlines, owners)
works on one :class:`SourceText`, so this module is the only place that knows about bytes and
file formats.

Encoding detection is deliberately narrow: UTF-8 (with or without BOM), UTF-16 with a BOM,
GB18030 (a superset of GB2312 and GBK) and Big5.  An unrestricted detector misreads short
Chinese samples (as cp949 or UTF-16); restricted to these it is reliable, and a file in
anything else is refused with a clear message instead of being turned into mojibake.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.textsafe import CONTROL

if TYPE_CHECKING:
    from collections.abc import Iterator

    from docx.table import Table
    from docx.text.paragraph import Paragraph

__all__ = ["SUPPORTED_SUFFIXES", "DocumentError", "SourceText", "decode_bytes", "read_document"]

# Limits on what one document may cost before it is parsed. A plan is a few hundred KB of
# text; a Word file with photos a few MB. A .docx is a zip: 1.4 MB of it once unpacked to
# 910 MB of XML (a "zip bomb") and the import died of a MemoryError, so its members are
# counted and their unpacked sizes (which the zip's directory states and the reader
# enforces) added up before anything is unpacked.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
MAX_DOCX_MEMBERS = 1000
MAX_DOCX_UNPACKED = 128 * 1024 * 1024
MAX_DOCX_XML_PART = 32 * 1024 * 1024

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
DOCX_SUFFIXES = frozenset({".docx"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | DOCX_SUFFIXES | HTML_SUFFIXES


class DocumentError(Exception):
    """A document that cannot be read; the message is one line, Chinese first, naming the file.

    >>> err = DocumentError("文件为空 / the file is empty: a.txt", "a.txt")
    >>> str(err), err.path.name
    ('文件为空 / the file is empty: a.txt', 'a.txt')
    """

    def __init__(self, message: str, path: str | Path) -> None:
        super().__init__(message)
        self.path = Path(path)


@dataclass(frozen=True)
class SourceText:
    """The text of one document, ready for extraction, and where it came from.

    ``checksum`` is taken over the raw bytes so that re-importing an unchanged file can be
    recognised even if decoding rules change later.
    """

    path: Path
    text: str  #: decoded; newlines are ``\\n``; BOM and control characters (bar ``\\n``, ``\\t``) removed
    encoding: str  #: "utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "gb18030", "big5" or "cp950"
    checksum: str  #: sha256 hex digest of the raw file bytes
    format: str  #: "txt", "docx" or "html"


# --------------------------------------------------------------------------- decoding

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # (BOM, codec used to decode, name reported)
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)
_LEGACY_ENCODINGS = ("gb18030", "big5")
# Below this share of everyday characters a decoding is taken for mojibake.
_MIN_COMMON_SHARE = 0.5
# charset-normalizer's "chaos" (0 = clean, 1 = noise) under which its guess is trusted when
# the text has no Han characters to judge by (e.g. only full-width punctuation).
_MAX_CHAOS = 0.1

# About 1,200 of the most frequent simplified characters (general frequency lists plus the
# vocabulary of plans: 贯彻 纲要 统筹 纠纷 …) and their traditional forms (OpenCC s2t, s2tw and
# s2hk of the first list; tests/unit/test_reading.py checks they stay in step).  Real Chinese
# text is made mostly of these; GB18030 bytes read as Big5, or the reverse, give rare
# characters, kana and box-drawing symbols instead.  That tells the two apart on samples of a
# few dozen characters, where statistical detectors guess.
_COMMON_SIMPLIFIED = (
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方"
    "多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情"
    "明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给"
    "世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太"
    "量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象"
    "完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济"
    "车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚"
    "请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历"
    "首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音"
    "跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值"
    "仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤"
    "素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判担"
    "州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控"
    "税左右份穿艺背阵草脚概恶块顿敢守酒岛托央户烈洋哥索胡款靠评版宝座释景顾弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮"
    "露永呼味野架域沙掉括舰鱼杂误湾吉减编楚肯测败屋跑梦散温困剑渐封救贵枪缺楼县尚毫移娘朋画班智亦耳恩短掌恐遗固席松秘谢鲁遇康"
    "虑幸均销钟诗藏赶剧票损忽巨炮旧端探湖录叶春乡附吸予礼港雨呀板庭妇归睛饭额含顺输摇招婚脱补谓督毒油疗旅泽材灭逐莫笔亡鲜词圣"
    "择寻厂睡博勒烟授诺伦岸奥唐卖俄炸载洛健堂旁宫喝借君禁阴园谋宋避抓荣姑孙逃牙束跳顶玉镇雪午练迫爷篇肉嘴馆遍凡础洞卷坦牛宁纸"
    "诸训私庄祖丝翻暴森塔默握戏隐熟骨访弱蒙歌店鬼软典欲萨伙遭盘爸扩盖弄雄稳忘亿刺拥徒姆杨齐赛趣曲刀床迎冰虚玩析窗醒妻透购替塞"
    "努休虎扬途侵刑绿兄迅套贸毕唯谷轮库迹尤竞街促延震弃甲伟麻川申缓潜闪售灯针哲络抵朱埃抱鼓植纯夏忍页杰筑折郑贝尊吴秀混臣雅振"
    "染盛怒舞圆搞狂措姓残秋培迷诚宽宇猛摆梅毁伸摩盟末乃悲拍丁赵阅贯彻纲综筹纠纷衔融扶惩罚赔偿讼仲裁押估孵驱伍障牵厅"
)
_COMMON_TRADITIONAL = (
    "這個們來爲國說時會對於過發後裏種經麼學現當沒動還進樣開從實軍無與長機關點業將兩間問並應戰頭體見產話內給門兒東聲員論處義幾"
    "認條氣題爾別變總電數報結務場計資許統區隊決馬書則聽卻達強難權設記類據邊張該規萬覺術領確傳師觀讓識帶導爭運飛風乾聯組濟車親"
    "極辦議證轉準遠臺單羅愛擊備連調質團價黨華級離況亞請際約覆線斷滿視須寫稱嗎輕農裝廣顯標談喫圖歷醫專費號盡較語僅隨選紅響雖勢"
    "參衆構節維劃敵陳態護興驗責營夠嚴續講終緊黃絕羣項圍織鬥雙紀採舉殺蘇訴細願錢網熱屬臉職樂剛狀獨彈創錯蘭試腦預誰陽繼驚傷藥適"
    "衛險陸習勞財環納歡獲負雲龍樹層衝範異漢簡擔靜積餘檢靈協佔徵揮勝階審堅媽劉讀壓銀買養懷執亂幫歲優鐵稅藝陣腳惡塊頓島戶評寶釋"
    "顧貨歐換聞壞討麗監臨艦魚雜誤灣減編測敗夢溫劍漸貴槍樓縣畫遺祕謝魯慮銷鍾詩趕劇損舊錄葉鄉禮婦歸飯額順輸搖脫補謂療澤滅筆鮮詞"
    "聖擇尋廠煙諾倫奧賣載宮陰園謀榮孫頂鎮練爺館礎寧紙諸訓莊絲戲隱訪軟薩夥盤擴蓋穩億擁楊齊賽牀虛購揚綠貿畢輪庫跡競棄偉緩潛閃燈"
    "針絡純頁傑築鄭貝吳圓殘誠寬擺毀趙閱貫徹綱綜籌糾紛銜懲罰賠償訟驅牽廳為裡眾説衞閲"
)
_COMMON_HAN = frozenset(_COMMON_SIMPLIFIED + _COMMON_TRADITIONAL)

_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# What a wrong legacy decoding produces instead of text: the replacement character, private
# use, kana and bopomofo, Greek and Cyrillic, box drawing, small/vertical form variants.
_MOJIBAKE_RE = re.compile(
    "[\ufffd\ue000-\uf8ff\u3040-\u30ff\u3100-\u312f\u0370-\u04ff\u2500-\u257f\ufe10-\ufe6f]"
)
# C0 and C1 control characters other than tab and newline, and stray BOMs (U+FEFF): the
# same cleaner coordinators' notes and names go through (tracker.textsafe).
_CONTROL_RE = CONTROL


def _common_share(text: str) -> float | None:
    """Share of everyday Han characters, with mojibake counted against; None if no Han at all.

    >>> _common_share("知识产权强国建设纲要")
    1.0
    >>> _common_share("眭妎莉睿") < 0.5  # GB18030 bytes of 知识产权 read as Big5
    True
    >>> _common_share("2021年") == 1.0, _common_share("abc") is None
    (True, True)
    """
    han = len(_HAN_RE.findall(text))
    junk = len(_MOJIBAKE_RE.findall(text))
    if han + junk == 0:
        return None
    common = sum(1 for ch in text if ch in _COMMON_HAN)
    return (common - 2 * junk) / (han + junk)


def normalise_text(text: str) -> str:
    r"""Newlines to ``\n``; BOMs and control characters other than ``\n`` and ``\t`` removed.

    Form feeds and NULs come from PDF-to-text tools and broken exports; they match nothing
    the extractor looks for and upset terminals.

    >>> normalise_text("\ufeff一、总体要求\r\n（一）\x00指导思想\r二\x0c")
    '一、总体要求\n（一）指导思想\n二'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", text)


def decode_bytes(data: bytes, *, name: str = "<bytes>") -> tuple[str, str]:
    """Decode the bytes of a Chinese text file; return ``(text, encoding)``.

    Order: a BOM decides; else strict UTF-8; else GB18030 or Big5, whichever decodes strictly
    and reads as more everyday Chinese, with charset-normalizer (restricted to these
    encodings) breaking ties.  The text is returned as decoded (see :func:`normalise_text`),
    except that a UTF-8 BOM is dropped.  Raises :class:`DocumentError` naming ``name`` when
    no candidate reads as Chinese.

    >>> decode_bytes("知识产权".encode("utf-8"))
    ('知识产权', 'utf-8')
    >>> decode_bytes("知识产权强国建设".encode("gb18030"))
    ('知识产权强国建设', 'gb18030')
    >>> decode_bytes("知識產權強國建設".encode("big5"))
    ('知識產權強國建設', 'big5')
    >>> try:
    ...     decode_bytes(b"ok \\x81\\xff\\xfe", name="x.txt")
    ... except DocumentError as err:
    ...     print(err)
    无法识别文件编码 / cannot detect the text encoding of x.txt: not UTF-8 (bad byte at offset 3), nor GB18030 or Big5 Chinese; save it as UTF-8 and try again
    """
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), label
            except UnicodeDecodeError as exc:
                # A BOM followed by garbage: the BOM is not to be second-guessed.
                raise DocumentError(
                    f"无法识别文件编码 / cannot decode {name}: it starts with a {label} byte-order mark "
                    f"but is not valid {label} (bad byte at offset {exc.start})",
                    name,
                ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad_utf8_at = exc.start
    picked = _pick_legacy(data)
    if picked is not None:
        return picked
    # The offset helps with the common case of a UTF-8 file damaged in one place.
    raise DocumentError(
        f"无法识别文件编码 / cannot detect the text encoding of {name}: not UTF-8 (bad byte at "
        f"offset {bad_utf8_at}), nor GB18030 or Big5 Chinese; save it as UTF-8 and try again",
        name,
    )


def _pick_legacy(data: bytes) -> tuple[str, str] | None:
    """GB18030 or Big5 decoding of ``data`` that reads as Chinese, or None."""
    candidates: dict[str, str] = {}
    for encoding in _LEGACY_ENCODINGS:
        try:
            candidates[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            if encoding == "big5":
                # Windows' Big5 (cp950) adds the euro sign and a few ETEN characters (碁 銹 裏 …).
                try:
                    candidates["cp950"] = data.decode("cp950")
                except UnicodeDecodeError:
                    pass
    if not candidates:
        return None
    guess, chaos = _detector_guess(data)
    if guess == "big5" and "cp950" in candidates:
        guess = "cp950"

    def rank(encoding: str) -> tuple[float, bool]:
        share = _common_share(candidates[encoding])
        return (-1.0 if share is None else share, encoding == guess)

    best = max(candidates, key=rank)
    share = _common_share(candidates[best])
    if share is None:  # no Han characters to judge by: trust only a confident detector
        ok = best == guess and chaos is not None and chaos <= _MAX_CHAOS
    else:
        ok = share >= _MIN_COMMON_SHARE
    return (candidates[best], best) if ok else None


def _detector_guess(data: bytes) -> tuple[str | None, float | None]:
    """charset-normalizer's best guess among our encodings, and its chaos (0 clean … 1)."""
    # Imported lazily: it takes ~0.1 s and only legacy-encoded files need it.
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["utf_8", "gb18030", "big5"]).best()
    if best is None:
        return None, None
    return best.encoding.replace("_", "-"), best.chaos


# --------------------------------------------------------------------------- documents


def read_document(path: str | Path) -> SourceText:
    """Read a ``.txt``/``.text``/``.md``, ``.docx`` or ``.html``/``.htm`` plan into text.

    Word documents give one line per paragraph and one per table cell, in document order
    (task tables — 任务分工表 — are often where the deadlines are).  Web pages lose their
    scripts, navigation, headers, footers and ruby annotations (``<rt>`` pinyin).  Raises
    :class:`DocumentError` for a missing, empty, unreadable or unsupported file.

    >>> try:
    ...     read_document("plan.pdf")
    ... except DocumentError as err:
    ...     print(err)
    不支持的文件格式 .pdf（支持 .txt .text .md .docx .html .htm）/ unsupported file format .pdf: plan.pdf
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "（无扩展名）"
        hint = "；请另存为 .docx" if suffix in {".doc", ".wps"} else ""
        raise DocumentError(
            f"不支持的文件格式 {shown}（支持 .txt .text .md .docx .html .htm{hint}）"
            f"/ unsupported file format {suffix or '(none)'}: {path}",
            path,
        )
    if path.is_dir():
        raise DocumentError(f"这是一个文件夹，不是文件 / is a directory, not a file: {path}", path)
    data = read_regular_file(path)
    if not data:
        raise DocumentError(f"文件为空 / the file is empty: {path}", path)

    if suffix in DOCX_SUFFIXES:
        text, encoding, fmt = _docx_text(data, path), "utf-8", "docx"
    elif suffix in HTML_SUFFIXES:
        raw, encoding = _decode_html(data, str(path))
        text, fmt = _html_text(raw), "html"
    else:
        text, encoding = decode_bytes(data, name=str(path))
        fmt = "txt"
    text = normalise_text(text)
    if not text.strip():
        raise DocumentError(f"文件中没有文字 / no text found in {path}", path)
    return SourceText(path=path, text=text, encoding=encoding, checksum=hashlib.sha256(data).hexdigest(), format=fmt)


def read_regular_file(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Opened without blocking and checked on the open descriptor (not by name first, which a
    swap could outwit): a FIFO would block the import for ever, ``/dev/zero`` (or a link to
    it) would be read until memory ran out.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise DocumentError(f"文件不存在 / file not found: {path}", path) from None
    except OSError as exc:
        raise DocumentError(f"无法读取文件 / cannot read the file: {path} ({exc.strerror})", path) from None
    try:
        info = os.fstat(fd)
        kind = _special_kind(info.st_mode)
        if kind is not None:
            raise DocumentError(f"不是普通文件（{kind[0]}），已跳过 / not a regular file ({kind[1]}), skipped: {path}", path)
        if info.st_size > limit:
            raise DocumentError(
                f"文件过大（{info.st_size / 2**20:.0f} MB，上限 {limit // 2**20} MB），已跳过 / file too large "
                f"({info.st_size / 2**20:.0f} MB, the limit is {limit // 2**20} MB), skipped: {path}",
                path,
            )
        chunks: list[bytes] = []
        size = 0
        while size <= limit:  # the size may grow while it is read: never past the limit
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise DocumentError(f"文件过大，已跳过 / file too large (over {limit // 2**20} MB), skipped: {path}", path)
        return b"".join(chunks)
    except OSError as exc:
        raise DocumentError(f"无法读取文件 / cannot read the file: {path} ({exc.strerror})", path) from None
    finally:
        os.close(fd)


def _special_kind(mode: int) -> tuple[str, str] | None:
    """(Chinese, English) name of what a non-regular file is; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "命名管道", "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件", "a device"
    if stat.S_ISSOCK(mode):
        return "套接字", "a socket"
    if stat.S_ISDIR(mode):
        return "文件夹", "a directory"
    return "特殊文件", "a special file"


# --- Word


def _check_docx_size(data: bytes, path: Path) -> None:
    """Refuse a .docx whose members would unpack past the limits, before unpacking any."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise DocumentError(f"无法打开 Word 文档 / not a readable .docx file: {path} ({exc})", path) from None
    unpacked = sum(m.file_size for m in members)
    biggest_xml = max((m.file_size for m in members if m.filename.endswith((".xml", ".rels"))), default=0)
    if len(members) > MAX_DOCX_MEMBERS or unpacked > MAX_DOCX_UNPACKED or biggest_xml > MAX_DOCX_XML_PART:
        raise DocumentError(
            f"Word 文档解压后过大（{len(members)} 个部件，共 {unpacked / 2**20:,.0f} MB），疑为压缩炸弹，已跳过"
            f" / .docx unpacks too large ({len(members)} parts, {unpacked / 2**20:,.0f} MB; limits {MAX_DOCX_MEMBERS} parts,"
            f" {MAX_DOCX_UNPACKED // 2**20} MB, {MAX_DOCX_XML_PART // 2**20} MB per XML part): a zip bomb? skipped: {path}",
            path,
        )



def _docx_text(data: bytes, path: Path) -> str:
    import io

    import docx  # python-docx; imported lazily, most imports are plain text
    from docx.opc.exceptions import PackageNotFoundError

    _check_docx_size(data, path)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        raise DocumentError(f"无法打开 Word 文档 / not a readable .docx file: {path} ({exc})", path) from None
    lines: list[str] = []
    _docx_block_lines(document.iter_inner_content(), lines)
    return "\n".join(lines)


def _docx_block_lines(blocks: Iterator[Paragraph | Table], lines: list[str]) -> None:
    """Paragraphs as lines; tables row by row, each cell's paragraphs as lines (recursively)."""
    from docx.text.paragraph import Paragraph

    for block in blocks:
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            for row in block.rows:
                seen: set[int] = set()
                for cell in row.cells:
                    # A merged cell is returned once per grid column it spans: keep it once.
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cell_lines: list[str] = []
                    _docx_block_lines(cell.iter_inner_content(), cell_lines)
                    lines.extend(line for line in cell_lines if line.strip())


# --- HTML

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Labels pages use, mapped onto the codec that actually decodes them: pages labelled
# gb2312 routinely contain GBK characters, and GB18030 is a superset of both.
_CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "big5": "big5", "big5-hkscs": "big5hkscs", "x-x-big5": "big5",
    "utf-8": "utf-8", "utf8": "utf-8",
}


def _decode_html(data: bytes, name: str) -> tuple[str, str]:
    """Decode by BOM, then the page's own ``<meta charset>``, else by :func:`decode_bytes`.

    >>> _decode_html('<meta charset="gb2312"><p>规划</p>'.encode("gbk"), "p.html")
    ('<meta charset="gb2312"><p>规划</p>', 'gb18030')
    """
    if not any(data.startswith(bom) for bom, _, _ in _BOMS):
        match = _META_CHARSET_RE.search(data[:8192])
        if match:
            label = match.group(1).decode("ascii").lower()
            encoding = _CHARSET_ALIASES.get(label, label)
            try:
                if not codecs.lookup(encoding)._is_text_encoding:  # "hex", "zlib"…: not a charset
                    raise LookupError(encoding)
                return data.decode(encoding), encoding
            except (LookupError, UnicodeError, ValueError):
                # A wrong or unknown label ("undefined", the codec that refuses everything,
                # raised a bare UnicodeError): detect the encoding instead.
                pass
    return decode_bytes(data, name=name)


_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "title", "nav", "header", "footer", "aside",
    "rt", "rp", "select", "iframe", "svg", "object",
})
_SKIP_CLASS_RE = re.compile(r"nav|footer|breadcrumb|crumb|menu", re.IGNORECASE)
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
    "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "caption", "section", "article",
    "main", "blockquote", "pre", "hr", "center", "form", "fieldset", "figure", "figcaption",
    "address", "body", "html",
})
_VOID_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})
# Elements whose end tag is optional: a new one of the same kind closes the previous one.
_SELF_CLOSING_SIBLINGS = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option", "rt", "rp"})
_SPACE_RE = re.compile("[ \t\n\r\f\v\xa0]+")  # \xa0: &nbsp;, used for indentation


class _TextExtractor(HTMLParser):
    """Collects visible body text; block elements become line breaks.

    Skipped elements are tracked by tag name and depth rather than a full DOM, which copes
    with the unclosed ``<p>``/``<li>`` tags real government pages are full of.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag and tag not in _VOID_TAGS:
                if tag in _SELF_CLOSING_SIBLINGS and self._skip_depth == 1:
                    self._end_skip()  # <rt>a<rt>b: the second closes the first…
                    self.handle_starttag(tag, attrs)  # …and may itself be skipped
                    return
                self._skip_depth += 1
            return
        if tag in _SKIP_TAGS or self._skipped_by_name(attrs):
            if tag not in _VOID_TAGS:
                self._skip_tag, self._skip_depth = tag, 1
            return
        if tag == "pre":
            self._pre_depth += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is None and tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._end_skip()
            elif tag in ("ruby", "body", "html") and self._skip_tag in ("rt", "rp"):
                self._end_skip()  # an unclosed <rt> ends with its <ruby>
            return
        if tag == "pre" and self._pre_depth:
            self._pre_depth -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip_tag is None:
            self.parts.append(data if self._pre_depth else _SPACE_RE.sub(" ", data))

    def _end_skip(self) -> None:
        self._skip_tag, self._skip_depth = None, 0

    @staticmethod
    def _skipped_by_name(attrs: list[tuple[str, str | None]]) -> bool:
        return any(key in ("class", "id") and value and _SKIP_CLASS_RE.search(value) for key, value in attrs)


def _html_text(markup: str) -> str:
    """Visible text of a page, one block per line, blank lines dropped.

    >>> _html_text('<nav>首页</nav><p>知识<ruby>产<rp>(</rp><rt>chǎn</rt><rp>)</rp></ruby>权'
    ...            '&nbsp;&lt;强省&gt;</p><div class="footer">ICP备</div><p>（一）加强<br>保护')
    '知识产权 <强省>\\n（一）加强\\n保护'
    """
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
