"""Repairing scraper damage: pinyin readings, page debris, lost text, traditional script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.extract.repair import (
    Repair,
    is_traditional,
    repair_text,
    strip_pinyin,
    to_simplified,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PINYIN_BRACKET = re.compile(r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")
CLEAN_SEEDS = [
    "yunnan-2021-ip-power-opinions.txt",
    "yunyang-2022-ip-county-plan.txt",
]


def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def qinghai() -> tuple[str, str, list[Repair]]:
    original = seed("qinghai-2021-ip-power-opinions.txt")
    text, repairs = repair_text(original)
    return original, text, repairs


# --------------------------------------------------------------------------- strip_pinyin


@pytest.mark.parametrize(
    ("text", "expected", "count"),
    [
        ("知識產(chǎn)權", "知識產權", 1),
        ("規(guī)劃實施我省中長期知識產(chǎn)權強省戰(zhàn)略", "規劃實施我省中長期知識產權強省戰略", 3),
        ("各市(州)、縣(市、區(qū))", "各市(州)、縣(市、區)", 1),
        ("綱要(2021—2035年)", "綱要(2021—2035年)", 0),
        ("(一)建設", "(一)建設", 0),
        ("知识产权（云南）", "知识产权（云南）", 0),
        ("技术与创新支持中心(TISC)", "技术与创新支持中心(TISC)", 0),
        ("銀行(háng)和執行(xíng)", "銀行和執行", 2),  # heteronyms: 行 reads háng and xíng
        ("一(yí)個", "一個", 1),
        ("產(chan)權", "產權", 1),  # tones missing
        ("產(chàn)權", "產權", 1),  # tone wrong
        ("產（chǎn）權", "產權", 1),  # full-width brackets
        ("產(xiàn)權", "產(xiàn)權", 0),  # not a reading of 產
        ("青,F(xiàn)代化", "青,F(xiàn)代化", 0),  # F is not a Han character
        ("有機農(nóng)畜產(chǎn)品", "有機農畜產品", 2),
    ],
)
def test_strip_pinyin(text: str, expected: str, count: int) -> None:
    assert strip_pinyin(text) == (expected, count)


# --------------------------------------------------------------------------- Qinghai


def test_qinghai_has_no_pinyin_left(qinghai: tuple[str, str, list[Repair]]) -> None:
    original, text, _ = qinghai
    assert len(PINYIN_BRACKET.findall(original)) > 400  # the seed really is damaged
    offending = [(n, line) for n, line in enumerate(text.split("\n"), 1) if PINYIN_BRACKET.search(line)]
    assert offending == []


def test_qinghai_keeps_real_brackets(qinghai: tuple[str, str, list[Repair]]) -> None:
    _, text, _ = qinghai
    assert "(2021—2035年)" in text
    assert "(一)" in text
    assert "(2021年12月31日)" in text
    assert "各市(州)" in text


def test_qinghai_line_count_and_numbers_are_stable(qinghai: tuple[str, str, list[Repair]]) -> None:
    original, text, repairs = qinghai
    assert len(text.split("\n")) == len(original.split("\n"))
    lines = text.split("\n")
    assert lines[1] == "(2021年12月31日)"
    assert lines[3] == "一、發展目標"
    assert lines[7].startswith("(一)建設有利於") or lines[7].startswith("(一)建設有利于")
    for repair in repairs:
        assert repair.before == original.split("\n")[repair.line - 1] or repair.kind == "lost-text"


def test_qinghai_title_line_is_debris(qinghai: tuple[str, str, list[Repair]]) -> None:
    original, text, repairs = qinghai
    assert text.split("\n")[0] == ""
    first = [r for r in repairs if r.line == 1]
    assert first == [Repair(1, "debris", original.split("\n")[0], "")]


def test_qinghai_lost_text_is_flagged_not_invented(qinghai: tuple[str, str, list[Repair]]) -> None:
    _, text, repairs = qinghai
    lost = [r for r in repairs if r.kind == "lost-text"]
    assert [r.line for r in lost] == [3, 19]
    assert ",F(xiàn)" in lost[0].before and ",F代" in lost[0].after
    assert "制度在青,F代化建設" in text.split("\n")[2]
    assert "?" in lost[1].before and "I" in lost[1].after


def test_qinghai_pinyin_repairs_record_whole_lines(qinghai: tuple[str, str, list[Repair]]) -> None:
    original, text, repairs = qinghai
    pinyin = [r for r in repairs if r.kind == "pinyin"]
    damaged = {n for n, line in enumerate(original.split("\n"), 1) if PINYIN_BRACKET.search(line)}
    assert {r.line for r in pinyin} == damaged - {1}  # line 1 is debris
    for repair in pinyin:
        assert repair.before == original.split("\n")[repair.line - 1]
        assert repair.after == text.split("\n")[repair.line - 1]


# --------------------------------------------------------------------------- other seeds


@pytest.mark.parametrize("name", CLEAN_SEEDS)
def test_clean_seeds_are_left_alone(name: str) -> None:
    original = seed(name)
    assert repair_text(original) == (original, [])


def test_yunnan_page_furniture_is_removed_and_body_kept() -> None:
    original = seed("yunnan-2020-ip-protection-opinions.txt")
    text, repairs = repair_text(original)
    lines = text.split("\n")
    assert len(lines) == len(original.split("\n"))
    assert {r.kind for r in repairs} == {"debris", "page-artefact"}
    removed = {r.line for r in repairs}
    assert 1 in removed and 3 in removed  # 您的位置: / 【字体:
    assert min(removed - {1, 3}) > 280  # and only the footer after that
    assert "来源:云南日报" in lines
    assert not any("ICP" in line or "您的位置" in line for line in lines)


@pytest.mark.parametrize(
    "line",
    [
        "（三）加强考核评估。省市场监管局负责统筹知识产权强省建设工作。",
        "推进“互联网+知识产权”服务，建设知识产权公共服务网",
        "在全县布局一批T形展架，宣传知识产权。",
        "建立R&D经费投入增长机制",
        "(2020年10月19日,云南日报)",
        "来源:云南日报",
    ],
)
def test_body_lines_are_not_taken_for_debris(line: str) -> None:
    assert repair_text(line) == (line, [])


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ('關于實施意見 青海新聞網" />', "debris"),
        ("关于强化知识产权保护的实施意见 云南网", "debris"),
        ("当前位置：首页 > 政务公开", "debris"),
        ("滇ICP备05000002号", "debris"),
        ("版权所有：青海省人民政府", "debris"),
        ("打印本页 关闭窗口", "page-artefact"),
        ("— 12 —", "page-artefact"),
        ("第 3 页 共 10 页", "page-artefact"),
        ("首页 | 新闻 | 政务公开", "page-artefact"),
    ],
)
def test_furniture_lines(line: str, kind: str) -> None:
    assert repair_text(line) == ("", [Repair(1, kind, line, "")])


@given(st.text(alphabet=st.sampled_from(list("產權(chǎn)\n,F?I青 />\"網一2")), max_size=80))
def test_line_count_never_changes(text: str) -> None:
    repaired, repairs = repair_text(text)
    assert repaired.count("\n") == text.count("\n")
    assert all(1 <= r.line <= text.count("\n") + 1 for r in repairs)


# --------------------------------------------------------------------------- script


def test_to_simplified() -> None:
    assert to_simplified("知識產權") == "知识产权"
    assert to_simplified("") == ""


def test_is_traditional() -> None:
    assert is_traditional(seed("qinghai-2021-ip-power-opinions.txt"))
    for name in [*CLEAN_SEEDS, "yunnan-2020-ip-protection-opinions.txt", "sichuan-2021-ip-14th-five-year-plan.txt"]:
        assert not is_traditional(seed(name)), name
    assert not is_traditional("")
    assert not is_traditional("2021—2035")
