"""`tracker overdue --format md|docx --chart FILE`: the office notice, as a user runs it."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import pytest
from PIL import Image

from tests.conftest import run_cli

SVG = "{http://www.w3.org/2000/svg}"
LATE_TASK = "发布年度知识产权保护典型案例"  # yunnan-2020-2021:19, due 2020-12-31


@pytest.fixture
def imported(cli_env: dict[str, str]) -> dict[str, str]:
    run_cli(cli_env, "import")
    return cli_env


def test_docx_notice_with_png_chart(imported: dict[str, str], tmp_path: Path) -> None:
    out, chart = tmp_path / "通报.docx", tmp_path / "chart.png"
    proc = run_cli(imported, "overdue", "--as-of", "2021-01-01", "--format", "docx", "-o", str(out), "--chart", str(chart))
    assert proc.stdout == ""  # the document goes to the file, the confirmation to stderr
    assert str(out) in proc.stderr
    doc = docx.Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "重点工作任务逾期情况通报"
    assert "截至2021年1月1日" in texts
    assert any(t.startswith("截至2021年1月1日，共跟踪任务") and "逾期任务较多的单位是：省市场监管局（省知识产权局）" in t for t in texts)
    assert len(doc.inline_shapes) >= 1
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert f"{LATE_TASK}（yunnan-2020-2021:19）" in cells
    with Image.open(chart) as img:
        assert img.format == "PNG" and img.size[0] == 1440


def test_markdown_notice_with_svg_chart(imported: dict[str, str], tmp_path: Path) -> None:
    out, chart = tmp_path / "通报.md", tmp_path / "chart.svg"
    run_cli(imported, "overdue", "--as-of", "2021-01-01", "--format", "md", "-o", str(out), "--chart", str(chart))
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# 重点工作任务逾期情况通报\n\n截至2021年1月1日\n")
    assert "### 省市场监管局（省知识产权局）" in md
    assert f"| 1 | {LATE_TASK}（yunnan-2020-2021:19） | 2020年12月31日 | 1 | 未开始 | 未报送 | 牵头 |" in md
    root = ET.fromstring(chart.read_bytes())
    labels = [el.text for el in root.iter(f"{SVG}text") if el.get("class") == "label"]
    assert labels[0] == "省市场监管局（省知识产权局）"
    assert len(root.findall(f"{SVG}g[@class='bar']")) == len(labels) > 1
    # The same notice on stdout when no -o is given, and in English with --lang en.
    assert run_cli(imported, "overdue", "--as-of", "2021-01-01", "--format", "md").stdout == md
    en = run_cli(imported, "--lang", "en", "overdue", "--as-of", "2021-01-01", "--format", "md").stdout
    assert en.startswith("# Overdue tasks: progress notice\n")


def _one_line_error(proc: subprocess.CompletedProcess[str], code: int) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_notice_errors_are_one_line(imported: dict[str, str], tmp_path: Path) -> None:
    assert "-o" in _one_line_error(run_cli(imported, "overdue", "--as-of", "2021-01-01", "--format", "docx", check=False), 2)
    bad_chart = run_cli(imported, "overdue", "--as-of", "2021-01-01", "--chart", str(tmp_path / "c.gif"), check=False)
    assert ".svg" in _one_line_error(bad_chart, 2)
    no_font = dict(imported, TRACKER_CJK_FONT=str(tmp_path / "missing.ttf"))
    proc = run_cli(no_font, "overdue", "--as-of", "2021-01-01", "--chart", str(tmp_path / "c.png"), check=False)
    assert "TRACKER_CJK_FONT" in _one_line_error(proc, 1)
    assert not (tmp_path / "c.png").exists()
