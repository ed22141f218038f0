"""Repairs added for the scraped and paginated seeds: stray words, page titles, aligned script."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.extract.repair import Repair, page_title, repair_text, to_simplified_aligned

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_stray_english_word_between_characters_is_removed_and_reported() -> None:
    text, repairs = repair_text("推动区块链技术等 in 知识产权保护领域应用")
    assert text == "推动区块链技术等知识产权保护领域应用"
    assert repairs == [Repair(1, "stray-word", "链技术等 in 知识产权", "链技术等知识产权")]


@pytest.mark.parametrize(
    "line",
    ["“论道 IP 龙门阵”", "占 GDP 比重", "年产 5 万 t 以上", "in 字开头不在两个汉字之间", "支持 RCEP 成员"],
)
def test_real_latin_text_is_kept(line: str) -> None:
    assert repair_text(line) == (line, [])


def test_sichuan_has_one_stray_word() -> None:
    original = (SEEDS / "sichuan-2021-ip-14th-five-year-plan.txt").read_text(encoding="utf-8")
    text, repairs = repair_text(original)
    assert [(r.line, r.kind) for r in repairs] == [(228, "stray-word")]
    assert " in " not in text.split("\n")[227]
    assert text.count("\n") == original.count("\n")


def test_page_title_is_recovered_from_qinghai_debris_line() -> None:
    original = (SEEDS / "qinghai-2021-ip-power-opinions.txt").read_text(encoding="utf-8")
    assert page_title(original) == (1, "關于貫徹落實《知識產權強國建設綱要(2021—2035年)》的實施意見")
    assert repair_text(original)[0].split("\n")[0] == ""  # the debris line itself is still dropped


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("关于强化知识产权保护的实施意见 云南网\n正文", (1, "关于强化知识产权保护的实施意见")),
        ('<title>某县工作方案（2022—2025年）</title>" />\n正文', (1, "某县工作方案（2022—2025年）")),
        ("您的位置：首页 > 政务公开\n（一）加强领导。", None),
        ("关于强化知识产权保护的实施意见\n正文", None),  # a real title line is not debris
    ],
)
def test_page_title(text: str, expected: tuple[int, str] | None) -> None:
    assert page_title(text) == expected


def test_to_simplified_aligned_keeps_length_and_offsets() -> None:
    text = "省市場監管局負責統籌。\n（責任單位：省公安廳）"
    simplified = to_simplified_aligned(text)
    assert simplified == "省市场监管局负责统筹。\n（责任单位：省公安厅）"
    assert len(simplified) == len(text)
    assert to_simplified_aligned("") == ""
