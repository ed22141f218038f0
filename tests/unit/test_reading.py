"""Reading plan documents: encodings, formats and the errors people see.

Fixtures are built at test time from the seed texts, so no binary file is committed.
"""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

import docx
import opencc
import pytest

from tracker.extract.reading import (
    _COMMON_HAN,
    _COMMON_SIMPLIFIED,
    DocumentError,
    SourceText,
    decode_bytes,
    read_document,
)
from tracker.extract.repair import repair_text

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SIMPLIFIED_SEEDS = [
    "sichuan-2021-ip-14th-five-year-plan.txt",
    "yunnan-2020-ip-protection-opinions.txt",
    "yunnan-2021-ip-power-opinions.txt",
    "yunyang-2022-ip-county-plan.txt",
]


def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def qinghai_traditional_big5() -> str:
    """The Qinghai seed (traditional script) after repair, limited to what Big5 can encode."""
    text, _ = repair_text(seed("qinghai-2021-ip-power-opinions.txt"))
    return "".join(ch for ch in text if ch == "\n" or ch.encode("big5", errors="ignore"))


def snippets(text: str, length: int, count: int, seed_value: int) -> list[str]:
    """Deterministic samples of ``length`` characters of real text (no line breaks)."""
    flat = re.sub(r"\s+", "", text)
    rng = random.Random(seed_value)
    return [flat[start : start + length] for start in (rng.randrange(len(flat) - length) for _ in range(count))]


# --------------------------------------------------------------------------- plain text


def test_utf8_text_file(tmp_path: Path) -> None:
    raw = seed("yunyang-2022-ip-county-plan.txt").encode("utf-8")
    path = tmp_path / "plan.txt"
    path.write_bytes(raw)
    doc = read_document(path)
    assert isinstance(doc, SourceText)
    assert (doc.encoding, doc.format, doc.path) == ("utf-8", "txt", path)
    assert doc.text == raw.decode("utf-8")
    assert doc.checksum == hashlib.sha256(raw).hexdigest()


def test_utf8_with_bom_crlf_and_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "plan.TXT"  # suffixes are case-insensitive
    path.write_bytes(b"\xef\xbb\xbf" + "一、总体要求\r\n（一）\x00指导\x07思想\r\n\t二、任务\r".encode())
    doc = read_document(path)
    assert doc.encoding == "utf-8-sig"
    assert doc.text == "一、总体要求\n（一）指导思想\n\t二、任务\n"
    assert "\ufeff" not in doc.text


@pytest.mark.parametrize(("codec", "label"), [("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")])
def test_utf16_with_bom(tmp_path: Path, codec: str, label: str) -> None:
    text = seed("yunnan-2021-ip-power-opinions.txt")
    bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
    path = tmp_path / "plan.txt"
    path.write_bytes(bom + text.encode(codec))
    doc = read_document(path)
    assert (doc.text, doc.encoding) == (text, label)


@pytest.mark.parametrize("name", SIMPLIFIED_SEEDS)
def test_gb18030_file(tmp_path: Path, name: str) -> None:
    text = seed(name)
    path = tmp_path / "plan.txt"
    path.write_bytes(text.encode("gb18030"))
    doc = read_document(path)
    assert (doc.encoding, doc.text) == ("gb18030", text)


def test_gb18030_beyond_gbk(tmp_path: Path) -> None:
    # Four-byte GB18030 sequences (CJK extension B, the euro sign) must survive too.
    text = "（一）建设𠀀𪚥知识产权强县，经费€100万元。"
    path = tmp_path / "plan.md"
    path.write_bytes(text.encode("gb18030"))
    assert read_document(path).text == text


def test_big5_file(tmp_path: Path) -> None:
    text = qinghai_traditional_big5()
    path = tmp_path / "qinghai.txt"
    path.write_bytes(text.encode("big5"))
    doc = read_document(path)
    assert (doc.encoding, doc.text) == ("big5", text)


@pytest.mark.parametrize("length", [30, 50, 80, 120, 200])
def test_short_gb18030_and_big5_samples_are_told_apart(length: int) -> None:
    s2tw = opencc.OpenCC("s2tw")
    samples: list[tuple[str, str]] = []
    for index, name in enumerate(SIMPLIFIED_SEEDS):
        for snippet in snippets(seed(name), length, 8, seed_value=length * 10 + index):
            samples.append((snippet, "gb18030"))
            samples.append((s2tw.convert(snippet), "big5"))
    samples += [(s, "big5") for s in snippets(qinghai_traditional_big5(), length, 8, seed_value=length)]
    for text, encoding in samples:
        data = text.encode(encoding, errors="ignore")
        assert decode_bytes(data) == (data.decode(encoding), encoding), text


def test_windows_big5_extensions(tmp_path: Path) -> None:
    text = "圍棋（圍碁）推廣經費€100萬元。知識產權強國建設綱要"  # 碁 and € exist only in cp950
    path = tmp_path / "plan.txt"
    path.write_bytes(text.encode("cp950"))
    doc = read_document(path)
    assert (doc.encoding, doc.text) == ("cp950", text)


def test_damaged_utf8_reports_the_offset(tmp_path: Path) -> None:
    raw = seed("yunnan-2021-ip-power-opinions.txt").encode("utf-8")
    path = tmp_path / "plan.txt"
    at = raw.index(b"\n", 1000) + 1
    path.write_bytes(raw[:at] + b"\xff" + raw[at:])
    with pytest.raises(DocumentError, match=rf"not UTF-8 \(bad byte at offset {at}\)"):
        read_document(path)


def test_bom_followed_by_garbage(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "知识产权".encode("gbk"))
    with pytest.raises(DocumentError, match="starts with a utf-8-sig byte-order mark"):
        read_document(path)


def test_undecodable_bytes_name_the_file(tmp_path: Path) -> None:
    rng = random.Random(20211231)
    path = tmp_path / "乱码.txt"
    # 0xFF can start a character in none of UTF-8, GB18030 and Big5.
    path.write_bytes(bytes(rng.randrange(256) for _ in range(300)) + b"\xff\xff")
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    message = str(caught.value)
    assert message.startswith("无法识别文件编码 / cannot detect the text encoding")
    assert str(path) in message
    assert "\n" not in message
    assert caught.value.path == path


def test_valid_gb18030_gibberish_is_refused() -> None:
    # Every pair is a legal GBK character, but together they are not Chinese text: a file in
    # some other encoding must be refused, not imported as mojibake.
    rng = random.Random(7)
    data = bytes(rng.randrange(0x81, 0xFF) if i % 2 == 0 else rng.randrange(0xA1, 0xFF) for i in range(400))
    with pytest.raises(DocumentError, match=r"cannot detect the text encoding of blob.bin"):
        decode_bytes(data, name="blob.bin")


def test_other_encodings_are_refused_rather_than_garbled() -> None:
    data = "知的財産権の保護を強化する".encode("shift_jis")
    with pytest.raises(DocumentError):
        decode_bytes(data)


def test_common_character_tables_cover_opencc_traditional_forms() -> None:
    for config in ("s2t", "s2tw", "s2hk"):
        converted = opencc.OpenCC(config).convert(_COMMON_SIMPLIFIED)
        missing = {ch for ch in converted if ch not in _COMMON_HAN}
        assert not missing, f"{config}: {''.join(sorted(missing))}"


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("suffix", [".pdf", ".xlsx", ".doc", ""])
def test_unsupported_extension(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"plan{suffix}"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    message = str(caught.value)
    assert message.startswith("不支持的文件格式")
    assert "unsupported file format" in message and str(path) in message
    if suffix:
        assert f"不支持的文件格式 {suffix}（支持 .txt" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"文件不存在 / file not found: .*nope.txt"):
        read_document(tmp_path / "nope.txt")


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(DocumentError, match="is a directory"):
        read_document(tmp_path / "folder.txt")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(DocumentError, match="文件为空 / the file is empty"):
        read_document(tmp_path / "empty.txt")


def test_blank_file(tmp_path: Path) -> None:
    (tmp_path / "blank.txt").write_bytes(b" \r\n\t\n")
    with pytest.raises(DocumentError, match="no text found"):
        read_document(tmp_path / "blank.txt")


def test_corrupt_docx(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 definitely not a zip file")
    with pytest.raises(DocumentError, match=r"not a readable .docx file: .*broken.docx"):
        read_document(path)


# --------------------------------------------------------------------------- Word


def test_docx_paragraphs_and_table_cells_in_document_order(tmp_path: Path) -> None:
    body = seed("yunyang-2022-ip-county-plan.txt").splitlines()
    document = docx.Document()
    document.add_heading("云阳县国家知识产权强县建设试点县工作方案", level=1)
    document.add_paragraph(body[4])
    table = document.add_table(rows=3, cols=3)
    for col, header in enumerate(["序号", "工作任务", "牵头单位"]):
        table.cell(0, col).text = header
    table.cell(1, 0).text = "1"
    table.cell(1, 1).text = "（一）完善知识产权政策体系"
    table.cell(1, 2).text = "县市场监管局"
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "2025年底前"
    table.cell(2, 2).text = "县财政局\n县科技局"
    document.add_paragraph("")
    document.add_paragraph(body[-1])
    path = tmp_path / "plan.docx"
    document.save(str(path))

    doc = read_document(path)
    assert (doc.format, doc.encoding) == ("docx", "utf-8")
    assert doc.checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.text.split("\n") == [
        "云阳县国家知识产权强县建设试点县工作方案",
        body[4],
        "序号", "工作任务", "牵头单位",
        "1", "（一）完善知识产权政策体系", "县市场监管局",
        "2025年底前",  # the merged cell once, not once per column it spans
        "县财政局", "县科技局",
        "",
        body[-1],
    ]


# --------------------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>关于贯彻落实《知识产权强国建设纲要》的实施意见 青海新闻网</title>
<style>p {{ color: red }}</style><script>var nav = "<p>脚本</p>";</script></head>
<body>
<header><a href="/">首页</a></header>
<div id="topNav"><ul><li>新闻</li><li>政务</li></ul></div>
<div class="breadcrumb">您的位置：首页 &gt; 政务</div>
<div class="content">
<h1>关于贯彻落实《知识<ruby>产<rp>(</rp><rt>chǎn</rt><rp>)</rp></ruby>权强国建设纲要（2021—2035年）》的实施意见</h1>
<p>&nbsp;&nbsp;{first}</p>
<p>（一）加强组织领导。<br>各市（州）要建立健全
   相应工作机制&amp;加强&#x534F;调。
<table><tr><td>任务</td><td>牵头单位</td></tr><tr><td>完善制度</td><td>省市场监管局</td></tr></table>
</div>
<aside>相关新闻</aside>
<div class="footer-links">网站地图</div>
<footer>青ICP备05000001号</footer>
<!-- 注释 -->
</body></html>
"""


def test_html_page_drops_furniture_and_ruby(tmp_path: Path) -> None:
    first = seed("yunnan-2021-ip-power-opinions.txt").splitlines()[5]
    path = tmp_path / "page.html"
    path.write_bytes(PAGE.format(first=first).encode("gbk"))
    doc = read_document(path)
    assert (doc.format, doc.encoding) == ("html", "gb18030")
    assert doc.text.split("\n") == [
        "关于贯彻落实《知识产权强国建设纲要（2021—2035年）》的实施意见",
        first,
        "（一）加强组织领导。",
        "各市（州）要建立健全 相应工作机制&加强协调。",
        "任务", "牵头单位", "完善制度", "省市场监管局",
    ]


def test_html_without_meta_is_detected(tmp_path: Path) -> None:
    page = "<html><body><p>知識產權強國建設綱要</p><p>（一）加強組織領導。</p></body></html>"
    path = tmp_path / "page.htm"
    path.write_bytes(page.encode("big5"))
    doc = read_document(path)
    assert (doc.encoding, doc.text) == ("big5", "知識產權強國建設綱要\n（一）加強組織領導。")


def test_html_with_a_wrong_meta_charset_falls_back_to_detection(tmp_path: Path) -> None:
    page = '<meta charset="utf-8"><p>知识产权强国建设纲要实施意见</p>'
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("gb18030"))
    doc = read_document(path)
    assert (doc.encoding, doc.text) == ("gb18030", "知识产权强国建设纲要实施意见")


def test_html_with_only_furniture_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<nav>首页</nav><script>x()</script><footer>版权所有</footer>", encoding="utf-8")
    with pytest.raises(DocumentError, match="no text found"):
        read_document(path)
