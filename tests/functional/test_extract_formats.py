"""The same plan in every form an office receives it gives the same tasks.

Fixtures are built from the seed texts: a Word document (paragraphs, and a task table), a
saved web page with navigation and footer, GB18030, Big5 and UTF-8-with-BOM text files.
"""

from __future__ import annotations

import html
from pathlib import Path

import docx
import pytest

from tests.conftest import SEEDS
from tracker.errors import DocumentImportError
from tracker.extract.owners import Lexicon, default_lexicon_path
from tracker.extract.pipeline import ExtractedPlan
from tracker.extract.repair import page_title
from tracker.store.importer import extract_file, load_source

LEXICON = Lexicon.load(default_lexicon_path())


def summary(plans: list[ExtractedPlan]) -> list[tuple[str, list[tuple[object, ...]]]]:
    """What must not depend on the file format (line numbers may: a .docx has no blank lines)."""
    return [
        (
            p.slug,
            [(t.key, t.number, t.section, t.title, t.due, t.ongoing, [(o.name, o.role) for o in t.owners])
             for t in p.tasks],
        )
        for p in plans
    ]


def seed_lines(name: str) -> list[str]:
    return load_source(SEEDS / name).text.split("\n")


@pytest.fixture(scope="module")
def yunyang() -> list[tuple[str, list[tuple[object, ...]]]]:
    return summary(extract_file(SEEDS / "yunyang-2022-ip-county-plan.txt", LEXICON)[1])


def test_docx_gives_the_same_tasks(tmp_path: Path, yunyang: list[tuple[str, list[tuple[object, ...]]]]) -> None:
    document = docx.Document()
    for line in seed_lines("yunyang-2022-ip-county-plan.txt"):
        document.add_paragraph(line)
    path = tmp_path / "yunyang-2022-ip-county-plan.docx"
    document.save(str(path))
    assert summary(extract_file(path, LEXICON)[1]) == yunyang


def test_saved_web_page_gives_the_same_tasks(tmp_path: Path, yunyang: list[tuple[str, list[tuple[object, ...]]]]) -> None:
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in seed_lines("yunyang-2022-ip-county-plan.txt") if line)
    page = (
        '<html><head><meta charset="gb2312"><title>云阳县人民政府</title></head><body>'
        '<div class="nav"><a>首页</a><a>政务公开</a></div><div class="breadcrumb">您的位置：首页 &gt; 通知</div>'
        f'<div class="article">{body}</div>'
        "<footer>渝ICP备12345678号 版权所有：云阳县人民政府</footer></body></html>"
    )
    path = tmp_path / "yunyang.html"
    path.write_bytes(page.encode("gb18030"))
    assert summary(extract_file(path, LEXICON)[1]) == yunyang


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("yunyang-2022-ip-county-plan.txt", "gbk"),
        ("yunnan-2021-ip-power-opinions.txt", "gb18030"),
        ("sichuan-2021-ip-14th-five-year-plan.txt", "utf-8-sig"),
        ("qinghai-2021-ip-power-opinions.txt", "big5"),
    ],
)
def test_legacy_encodings_give_the_same_tasks(tmp_path: Path, name: str, encoding: str) -> None:
    text = (SEEDS / name).read_text(encoding="utf-8")
    if encoding == "big5":
        # Big5 cannot hold the scraper's pinyin tone marks: an office's Big5 copy is the clean
        # text, its title on the first line where the scraped page had debris.
        hint = page_title(text)
        assert hint is not None
        text = "\n".join([hint[1], *seed_lines(name)[1:]])
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    expected = summary(extract_file(SEEDS / name, LEXICON)[1])
    assert summary(extract_file(path, LEXICON)[1]) == expected


def test_docx_task_table_rows_become_tasks_with_lead_and_support(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("某省知识产权保护重点任务分工方案（2021—2022年）")
    document.add_paragraph("一、重点任务")
    rows = [
        ("序号", "重点任务", "牵头单位", "配合单位", "完成时限"),
        ("1", "加强商标保护", "省市场监管局", "省公安厅、省法院", "2021年底前"),
        ("2", "开展“剑网”专项行动", "省委宣传部", "", "2022年6月底前"),
    ]
    table = document.add_table(rows=len(rows), cols=5)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    path = tmp_path / "table.docx"
    document.save(str(path))
    [plan] = extract_file(path, None)[1]
    one, two = plan.tasks
    assert (one.title, str(one.due)) == ("加强商标保护", "2021-12-31")
    assert [(o.name, o.role) for o in one.owners] == [("省市场监管局", "lead"), ("省公安厅", "support"), ("省法院", "support")]
    assert (two.title, str(two.due), [o.name for o in two.owners]) == ("开展“剑网”专项行动", "2022-06-30", ["省委宣传部"])


def test_undecodable_file_is_one_clear_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "broken-plan.txt"
    path.write_bytes(b"\x81\xff\xfe\x80" * 40)
    with pytest.raises(DocumentImportError, match=r"broken-plan\.txt") as err:
        extract_file(path, None)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("suffix", [".pdf", ".doc", ".xlsx"])
def test_unsupported_file_is_a_clear_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"plan{suffix}"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(DocumentImportError, match="unsupported file format"):
        extract_file(path, None)
