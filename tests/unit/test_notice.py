"""The office notice (tracker.output.notice): Markdown, Word, and the overdue chart (SVG and PNG).

Summaries come from the real seed documents (imported into SQLite and PostgreSQL by the
``seeded`` fixture). As of 2021-01-01 the Yunnan 2020–2021 tasks due 2020-12-31 are overdue;
as of 2026-01-01 nearly everything is, group units (各乡镇（街道）) included, and more units
are late than the chart shows; as of 2019-01-01 nothing is late.
"""

from __future__ import annotations

import dataclasses
import io
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageFont
from sqlalchemy.engine import Engine

from tracker.asof.lateness import NO_OWNER, StateQuery, Summary, summarise, task_states
from tracker.errors import FileError, TrackerError, UsageError
from tracker.output import notice

SVG = "{http://www.w3.org/2000/svg}"


def _summary(engine: Engine, day: date) -> Summary:
    return summarise(task_states(engine, StateQuery(as_of=day)), day)


@pytest.fixture
def summary(seeded: Engine) -> Summary:
    return _summary(seeded, date(2021, 1, 1))


def _overdue_units(s: Summary) -> list[str]:
    return [g.name for g in s.groups if g.overdue]


def _table_titles(md: str) -> list[str]:
    """The task titles of every Markdown table row, in order (the ref in brackets removed)."""
    titles = []
    for line in md.splitlines():
        cells = re.split(r"(?<!\\)\|", line)[1:-1]
        if len(cells) >= 6 and cells[0].strip().isdigit():
            titles.append(re.sub(r"（[\w-]+:[^（）]+）$", "", cells[1].strip()))
    return titles


def _style(paragraph: Any) -> str | None:
    return paragraph.style.name if paragraph.style is not None else None


# --- Markdown -----------------------------------------------------------------------------


def test_markdown_reads_like_an_office_notice(summary: Summary) -> None:
    md = notice.render_markdown(summary)
    lines = md.splitlines()
    assert lines[0] == "# 重点工作任务逾期情况通报"
    assert "截至2021年1月1日" in lines
    paragraph = next(ln for ln in lines if ln.startswith("截至2021年1月1日，共跟踪任务"))
    assert f"共跟踪任务{summary.tasks}项，其中逾期{summary.overdue}项、督办逾期{summary.review_overdue}项" in paragraph
    worst = summary.groups[0]
    assert worst.name == "省市场监管局（省知识产权局）"
    assert f"逾期任务较多的单位是：{worst.name}（{len(worst.overdue)}项）、省商务厅" in paragraph
    t = summary.totals
    assert f"按灯色统计：红灯{t.red}项、黄灯{t.yellow}项、绿灯{t.green}项、灰灯{t.grey}项。" in lines
    on_track = sum(1 for g in summary.groups if not g.overdue and not g.review_overdue and g.name != NO_OWNER)
    assert f"其余{on_track}个单位均按期推进。" in paragraph

    # One section per unit with something late, none for the units on track.
    headings = [ln[4:] for ln in lines if ln.startswith("### ")]
    assert headings == [g.name for g in summary.groups if g.overdue or g.review_overdue]
    assert "### 省科技厅" not in md
    lead = sum(1 for _, r in worst.overdue if r == "lead")
    assert f"牵头{lead}项、配合{len(worst.overdue) - lead}项逾期；" in md
    assert "| 序号 | 任务 | 期限 | 逾期天数 | 状态 | 最近更新 | 角色 |" in lines
    assert "| 序号 | 任务 | 应报送日期 | 逾期天数 | 状态 | 最近更新 | 角色 |" in lines
    assert "| 1 | 发布年度知识产权保护典型案例（yunnan-2020-2021:19） | 2020年12月31日 | 1 | 未开始 | 未报送 | 牵头 |" in lines


def test_every_owner_counts_the_task_and_every_late_task_is_listed(summary: Summary) -> None:
    md = notice.render_markdown(summary)
    titles = _table_titles(md)
    expected = [t.title for g in summary.groups for t, _ in (*g.overdue, *g.review_overdue)]
    assert titles == expected
    overdue = [t for g in summary.groups for t, _ in g.overdue]
    # Tasks due 2020-12-31 in the Yunnan schedule are late on New Year's Day.
    assert {t.plan for t in overdue} == {"yunnan-2020-2021"}
    assert all(t.due == date(2020, 12, 31) and t.days_late == 1 for t in overdue)
    # A task with several owners appears under each of them.
    per_task = {t.id: len(t.owners) or 1 for t in overdue}
    assert len(overdue) == sum(per_task.values())
    assert any(n > 1 for n in per_task.values())


def test_markdown_escapes_pipes_in_cells(summary: Summary) -> None:
    g = summary.groups[0]
    t, role = g.overdue[0]
    g.overdue[0] = (dataclasses.replace(t, title="甲|乙\n丙"), role)
    md = notice.render_markdown(summary)
    row = next(ln for ln in md.splitlines() if "甲" in ln)
    assert "甲\\|乙 丙" in row
    assert len(re.split(r"(?<!\\)\|", row)) == 9  # 7 cells, no extra column


def test_groups_are_marked_and_chart_keeps_to_fifteen_units(seeded: Engine) -> None:
    s = _summary(seeded, date(2026, 1, 1))
    md = notice.render_markdown(s)
    assert "### 各乡镇（街道）（集合单位）" in md
    assert "### 有关部门（集合单位）" in md
    # Tasks nobody owns have their own section, without a role.
    unowned = md.split(f"### {NO_OWNER}\n", 1)[1].split("###", 1)[0]
    assert "尚未明确责任单位" in unowned and "| 角色 |" not in unowned
    root = ET.fromstring(notice.render_svg(s).encode("utf-8"))
    bars = root.findall(f"{SVG}g[@class='bar']")
    assert len(bars) == 15 < len(_overdue_units(s))
    notes = [el.text or "" for el in root.iter(f"{SVG}text") if el.get("class") == "note"]
    assert any("未在图中列出" in n for n in notes)
    labels = [bar.find(f"{SVG}text[@class='label']").text for bar in bars]  # type: ignore[union-attr]
    assert any(str(label).endswith("（集合）") for label in labels)


def test_nothing_late_is_said_plainly(seeded: Engine) -> None:
    s = _summary(seeded, date(2019, 1, 1))
    md = notice.render_markdown(s)
    assert f"共跟踪任务{s.tasks}项，无逾期任务，各项任务均按期推进。" in md
    assert "###" not in md and "| 序号 |" not in md
    root = ET.fromstring(notice.render_svg(s).encode("utf-8"))
    assert root.findall(f"{SVG}g[@class='bar']") == []
    assert [el.text for el in root.iter(f"{SVG}text") if el.get("class") == "empty"] == ["无逾期任务"]


def test_english_notice(summary: Summary) -> None:
    md = notice.render_markdown(summary, lang="en")
    assert md.startswith("# Overdue tasks: progress notice\n\nAs of 2021-01-01\n")
    assert f"{summary.tasks} tasks are tracked: {summary.overdue} overdue and {summary.review_overdue} review-overdue" in md
    assert "| No. | Task | Due | Days late | Status | Last update | Role |" in md
    assert "| to do | none | lead |" in md


# --- SVG chart ----------------------------------------------------------------------------


def test_svg_chart_has_one_bar_per_late_unit_with_chinese_labels(summary: Summary, tmp_path: Path) -> None:
    path = tmp_path / "chart.svg"
    notice.write_chart(summary, path)
    data = path.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    assert "Noto Sans CJK SC" in root.get("font-family", "") and "Microsoft YaHei" in root.get("font-family", "")
    bars = root.findall(f"{SVG}g[@class='bar']")
    late = [g for g in summary.groups if g.overdue]
    assert [b.get("data-unit") for b in bars] == [g.name for g in late]
    assert [b.find(f"{SVG}text[@class='label']").text for b in bars] == [g.name for g in late]  # type: ignore[union-attr]
    assert [b.find(f"{SVG}text[@class='value']").text for b in bars] == [str(len(g.overdue)) for g in late]  # type: ignore[union-attr]
    # Bars are proportional to the count, lead and support stacked.
    widths = [sum(float(r.get("width", 0)) for r in b.findall(f"{SVG}rect")) for b in bars]
    assert widths == sorted(widths, reverse=True)
    assert widths[0] / widths[-1] == pytest.approx(len(late[0].overdue) / len(late[-1].overdue), rel=0.01)
    worst = bars[0]
    lead = sum(1 for _, r in late[0].overdue if r == "lead")
    assert float(worst.find(f"{SVG}rect[@class='lead']").get("width", 0)) / widths[0] == pytest.approx(  # type: ignore[union-attr]
        lead / len(late[0].overdue), rel=0.01)
    title = root.find(f"{SVG}text[@class='title']")
    assert title is not None and title.text == "各单位逾期任务数"


def test_chart_suffix_must_be_png_or_svg(summary: Summary, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"\.png 或 \.svg"):
        notice.write_chart(summary, tmp_path / "chart.jpg")
    assert not (tmp_path / "chart.jpg").exists()


def test_unwritable_target_is_a_one_line_file_error(summary: Summary, tmp_path: Path) -> None:
    """A file that cannot be written is exit 1 (README, "Errors"), not a usage error (2)."""
    with pytest.raises(FileError) as err:
        notice.write_chart(summary, tmp_path / "missing-dir" / "chart.svg")
    assert "\n" not in str(err.value) and "cannot write" in str(err.value) and err.value.exit_code == 1


# --- Fonts and the PNG chart -----------------------------------------------------------------


@pytest.fixture
def no_font_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(notice.FONT_ENV, raising=False)


def test_packaged_font_really_draws_simplified_chinese(no_font_env: None) -> None:
    choice = notice.find_cjk_font()
    assert choice.source == "bundled"
    font = choice.load(48)
    assert font.getname() == ("Noto Sans CJK SC", "Regular")
    notdef = notice.glyph_image(font, notice.NOTDEF_PROBE)
    assert notdef.getbbox() is not None  # the .notdef box itself leaves ink
    for ch in "逾期单位通报牵头配合":
        glyph = notice.glyph_image(font, ch)
        assert glyph.getbbox() is not None, ch
        assert glyph.getbbox() != notdef.getbbox() or glyph.tobytes() != notdef.tobytes(), ch
    assert notice.draws(font, "省市场监管局（省知识产权局）")
    assert not notice.draws(font, notice.NOTDEF_PROBE)


def test_font_without_chinese_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    builtin = ImageFont.load_default(size=32)  # Pillow's own font: Latin only
    assert isinstance(builtin, ImageFont.FreeTypeFont) and not notice.draws(builtin, "中")
    latin = sorted(Path("/usr/share/fonts").rglob("DejaVuSans.ttf"))
    if not latin:
        pytest.skip("no Latin-only font file on this machine to point TRACKER_CJK_FONT at")
    monkeypatch.setenv(notice.FONT_ENV, str(latin[0]))
    with pytest.raises(notice.ChartFontError, match="不含中文字形"):
        notice.find_cjk_font()


def test_font_env_names_the_font(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bundled = notice._bundled_font()
    assert bundled is not None
    monkeypatch.setenv(notice.FONT_ENV, str(bundled))
    choice = notice.find_cjk_font()
    assert (choice.source, choice.path, choice.index) == ("env", bundled, 2)  # the SC face of the collection
    monkeypatch.setenv(notice.FONT_ENV, str(tmp_path / "nope.ttf"))
    with pytest.raises(notice.ChartFontError, match="TRACKER_CJK_FONT"):
        notice.find_cjk_font()


def test_no_chinese_font_anywhere_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, no_font_env: None, summary: Summary,
                                                   tmp_path: Path) -> None:
    monkeypatch.setattr(notice, "_bundled_font", lambda: None)
    monkeypatch.setattr(notice, "_system_fonts", lambda: [])
    with pytest.raises(TrackerError) as err:
        notice.write_chart(summary, tmp_path / "chart.png")
    message = str(err.value)
    assert "\n" not in message
    assert "找不到可显示中文的字体" in message and "TRACKER_CJK_FONT" in message
    assert not (tmp_path / "chart.png").exists()
    notice.write_chart(summary, tmp_path / "chart.svg")  # SVG needs no font here


def test_system_fonts_are_checked_not_trusted(monkeypatch: pytest.MonkeyPatch, no_font_env: None) -> None:
    """fontconfig answers a query for Chinese with whatever it has (DejaVu on a bare
    machine); only a font that draws Chinese is taken."""
    bundled = notice._bundled_font()
    assert bundled is not None
    dejavu = [*Path("/usr/share/fonts").rglob("DejaVuSans.ttf")]
    monkeypatch.setattr(notice, "_bundled_font", lambda: None)
    monkeypatch.setattr(notice, "_system_fonts", lambda: [(p, 0) for p in dejavu] + [(bundled, 2)])
    choice = notice.find_cjk_font()
    assert (choice.source, choice.path, choice.index) == ("system", bundled, 2)


def test_png_chart_is_drawn(summary: Summary, tmp_path: Path, no_font_env: None) -> None:
    path = tmp_path / "chart.png"
    notice.write_chart(summary, path)
    with Image.open(path) as img:
        assert img.format == "PNG"
        rgb = img.convert("RGB")
    layout = notice.chart_layout(summary, "zh", notice.PngFonts(notice.find_cjk_font(), 2).measure)
    assert rgb.size == (1440, layout.height * 2)
    assert rgb.getextrema() != ((255, 255), (255, 255), (255, 255))  # not blank
    colours = {c for _, c in rgb.getcolors(maxcolors=1 << 20) or []}
    assert (0xB3, 0x26, 0x1E) in colours  # lead bars
    # The first unit's label is drawn left of the bars: ink in its row, right-aligned.
    bar = layout.bars[0]
    row = rgb.crop((0, int(bar.y * 2), int(layout.label_right * 2) + 2, int((bar.y + notice.ROW) * 2)))
    box = Image.eval(row.convert("L"), lambda v: 255 - v).getbbox()
    assert box is not None and box[2] >= row.width - notice.TEXT_SIZE * 2  # "）" leaves its right half blank


# --- Word ---------------------------------------------------------------------------------


def test_docx_reads_back_with_title_summary_chart_and_tables(summary: Summary, tmp_path: Path, no_font_env: None) -> None:
    import docx
    from docx.oxml.ns import qn

    path = tmp_path / "notice.docx"
    notice.write_docx(summary, path)
    doc = docx.Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "重点工作任务逾期情况通报"
    assert _style(doc.paragraphs[0]) == "Title"
    assert "截至2021年1月1日" in texts
    assert notice.summary_paragraph(summary) in texts
    assert len(doc.inline_shapes) >= 1
    # One table per late unit and kind (overdue / review overdue), header bold and repeated.
    late = [g for g in summary.groups if g.overdue or g.review_overdue]
    assert len(doc.tables) == sum(bool(g.overdue) + bool(g.review_overdue) for g in late)
    header = doc.tables[0].rows[0]
    assert [c.text for c in header.cells] == ["序号", "任务", "期限", "逾期天数", "状态", "最近更新", "角色"]
    assert all(r.bold for c in header.cells for p in c.paragraphs for r in p.runs)
    trpr = header._tr.trPr
    assert trpr is not None and trpr.find(qn("w:tblHeader")) is not None
    cells = {c.text for t in doc.tables for row in t.rows[1:] for c in row.cells}
    for g in late:
        for t, _ in (*g.overdue, *g.review_overdue):
            assert f"{t.title}（{t.ref}）" in cells
    headings = [p.text for p in doc.paragraphs if _style(p) == "Heading 2"]
    assert headings == [g.name for g in late]
    # Chinese fonts for Word, A4 page.
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "宋体" and normal.get(qn("w:asciiTheme")) is None
    assert doc.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    section = doc.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # stored in twips


def test_docx_picture_is_the_chart(summary: Summary, tmp_path: Path, no_font_env: None) -> None:
    import docx

    path = tmp_path / "notice.docx"
    notice.write_docx(summary, path)
    doc = docx.Document(str(path))
    blip = doc.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip
    image = doc.part.related_parts[blip.embed].image
    assert image.content_type == "image/png"
    with Image.open(io.BytesIO(image.blob)) as img:
        assert img.size[0] == 1440


def test_docx_without_anything_overdue_has_no_chart(seeded: Engine, tmp_path: Path) -> None:
    import docx

    s = _summary(seeded, date(2019, 1, 1))
    path = tmp_path / "notice.docx"
    notice.write_docx(s, path, lang="en")
    doc = docx.Document(str(path))
    assert doc.paragraphs[0].text == "Overdue tasks: progress notice"
    assert "No task is late." in [p.text for p in doc.paragraphs]
    assert len(doc.inline_shapes) == 0 and len(doc.tables) == 0
