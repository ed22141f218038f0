"""The indicator grammar (指标): small documents written for each rule, then the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.extract.indicators import ExtractedIndicator, extract_indicators, make_key, parse_value
from tracker.store.importer import load_source

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def targets(text: str) -> dict[str, tuple[object, ...]]:
    """name → (target, unit, comparator, target_year) for a compact assertion."""
    return {i.name: (i.target, i.unit, i.comparator, i.target_year) for i in extract_indicators(text)}


def seed(name: str) -> list[ExtractedIndicator]:
    return extract_indicators(load_source(SEEDS / name).text)


# ----------------------------------------------------------------------------- tables
def test_tab_separated_table_with_years_in_headers() -> None:
    doc = "专栏1 主要目标\t\t\t\n指标名称\t单位\t2020年 基期值\t2025年 目标值\t属性\n甲指标 ^①\t件\t2.94\t5.67\t预期性\n乙指标\t%\t12\t≥15\t约束性\n\n①注释。"
    found = extract_indicators(doc)
    assert [(i.name, i.unit, i.baseline, i.baseline_year, i.target, i.target_year, i.comparator, i.kind) for i in found] == [
        ("甲指标", "件", 2.94, 2020, 5.67, 2025, "reach", "expected"),
        ("乙指标", "%", 12.0, 2020, 15.0, 2025, "at_least", "binding"),
    ]
    assert (found[0].line_start, found[0].line_end) == (3, 3)


def test_multi_space_table_with_bare_year_columns_and_category_rows() -> None:
    doc = "指标    单位    2020年    2025年\n创造\n发明专利 拥有量    件    10    20左右\n服务机构数量    家    —    50"
    found = extract_indicators(doc)
    assert [(i.name, i.baseline, i.target, i.comparator) for i in found] == [
        ("发明专利 拥有量", 10.0, 20.0, "about"),
        ("服务机构数量", None, 50.0, "reach"),
    ]
    assert found[0].key == "发明专利拥有量"


def test_footnote_marks_are_stripped_inside_names() -> None:
    doc = "指标名称\t单位\t基期值\t目标值\n商业秘密保护基地 ^② 数量\t个\t1\t30"
    [item] = extract_indicators(doc)
    assert (item.name, item.key) == ("商业秘密保护基地数量", "商业秘密保护基地数量")


def test_a_title_with_the_word_target_is_not_a_header() -> None:
    assert extract_indicators("专栏1 “十四五”知识产权发展主要目标\t\t\t\t\n正文。") == []


# ----------------------------------------------------------------------------- sentences
def test_comparators_units_and_multipliers() -> None:
    doc = (
        "到2025年，甲占比达到5%，有效注册商标拥有量超过60万件，社会满意度保持在80分以上，"
        "省级网点20家左右，每万人发明专利拥有量提高50%，质押融资登记金额新增12亿元，版权作品登记200件。"
    )
    assert targets(doc) == {
        "甲占比": (5.0, "%", "reach", 2025),
        "有效注册商标拥有量": (600000.0, "件", "exceed", 2025),
        "社会满意度": (80.0, "分", "at_least", 2025),
        "省级网点": (20.0, "家", "about", 2025),
        "每万人发明专利拥有量": (50.0, "%", "increase_pct", 2025),
        "质押融资登记金额": (12.0, "亿元", "add", 2025),
        "版权作品登记": (200.0, "件", "reach", 2025),
    }


def test_a_leading_new_count_verb_carries_over_its_list() -> None:
    doc = "到2025年，全省新增地理标志100个，地理标志保护产品示范区5个，地理标志专用标志使用企业300家。"
    assert targets(doc) == {
        "地理标志": (100.0, "个", "add", 2025),
        "地理标志保护产品示范区": (5.0, "个", "add", 2025),
        "地理标志专用标志使用企业": (300.0, "家", "add", 2025),
    }


def test_the_year_clause_scopes_to_the_next_one_and_sentences_after_it() -> None:
    doc = "（二）工作目标。到2025年，成效明显。A经费占比达到全市平均水平。B量达到1100件。到2035年，C量达到2000件。"
    assert targets(doc) == {"B量": (1100.0, "件", "reach", 2025), "C量": (2000.0, "件", "reach", 2035)}


def test_history_and_qualitative_clauses_give_nothing() -> None:
    doc = (
        "立案破获侵权假冒犯罪案件 1322 件，满意度从 2015 年的 65 分提升至 2020 年的 78.81 分。\n"
        "到2025年，知识产权保护能力明显增强，R&D经费投入占比达到全市平均水平。\n"
        "新培育认定省级知识产权优势企业40家。(2021年12月底前完成)\n"
        "截至2020年底，全省有效发明专利达到5.97万件。"
    )
    assert extract_indicators(doc) == []


def test_a_baseline_inside_a_target_sentence() -> None:
    [item] = extract_indicators("到2025年，社会满意度从2020年的78分提升至85分。")
    assert (item.name, item.baseline, item.baseline_year, item.target, item.comparator) == ("社会满意度", 78.0, 2020, 85.0, "reach")


def test_ceilings_are_not_read_as_targets() -> None:
    assert targets("到2025年，审查周期控制在15天以内，结案率达到90%。") == {"结案率": (90.0, "%", "reach", 2025)}


def test_kind_note_applies_to_its_sentence() -> None:
    found = extract_indicators("到2025年，甲达到5%，乙超过510件（上述指标均为预期性指标）。")
    assert [i.kind for i in found] == ["expected", "expected"]


def test_spaced_numbers_and_traditional_text_keep_printed_names() -> None:
    found = extract_indicators("到 2025 年,每萬人口高價值發明專利擁有量達到 1.25 件,知識產權質押融資登記金額新增12億元。")
    assert [(i.name, i.key, i.target, i.unit, i.comparator) for i in found] == [
        ("每萬人口高價值發明專利擁有量", "每万人口高价值发明专利拥有量", 1.25, "件", "reach"),
        ("知識產權質押融資登記金額", "知识产权质押融资登记金额", 12.0, "亿元", "add"),
    ]


def test_box_counts_take_the_plan_horizon() -> None:
    doc = (
        "到2025年，目标达成。\n"
        "专栏 10 实施服务供给行动\n"
        "建成国家级网点 8 家以上、省级网点 20 家左右。建设 100 个中小学知识产权普及教育试点示范学校。\n"
        "二、促进服务业发展\n"
        "建成示范机构 5 家。"
    )
    assert targets(doc) == {
        "国家级网点": (8.0, "家", "at_least", 2025),
        "省级网点": (20.0, "家", "about", 2025),
        "中小学知识产权普及教育试点示范学校": (100.0, "个", "reach", 2025),
    }


def test_a_repeated_statement_is_kept_once_and_a_later_year_gets_its_own_key() -> None:
    found = extract_indicators("到2025年，甲量达到10件。\n到2025年，甲量达到10件。\n到2035年，甲量达到20件。")
    assert [(i.key, i.target) for i in found] == [("甲量", 10.0), ("甲量@2035", 20.0)]


@pytest.mark.parametrize(("cell", "expected"), [
    ("5.67", (5.67, None)), ("≥80", (80.0, "at_least")), (">600", (600.0, "exceed")),
    ("20左右", (20.0, "about")), ("〔5〕", (5.0, None)), ("—", (None, None)), ("1,000", (1000.0, None)),
])
def test_table_cells(cell: str, expected: tuple[float | None, str | None]) -> None:
    assert parse_value(cell) == expected


def test_keys_ignore_script_spacing_and_footnotes() -> None:
    assert make_key("專利密集型產業增加值占 GDP 比重 ^①") == make_key("专利密集型产业增加值占GDP比重")


# ----------------------------------------------------------------------------- seeds
def test_sichuan_box_one_table_and_box_counts() -> None:
    found = seed("sichuan-2021-ip-14th-five-year-plan.txt")
    table = [i for i in found if 121 < i.line_start < 133]
    assert len(table) == 11
    assert all((i.baseline_year, i.target_year, i.kind, i.comparator) == (2020, 2025, "expected", "reach") for i in table)
    by = {i.key: i for i in found}
    first = by["每万人口高价值发明专利拥有量"]
    assert (first.unit, first.baseline, first.target, first.line_start) == ("件", 2.94, 5.67, 122)
    assert (by["知识产权质押融资登记金额"].unit, by["知识产权质押融资登记金额"].baseline, by["知识产权质押融资登记金额"].target) == ("亿元", 60, 120)
    assert by["商业秘密保护基地数量"].target == 30
    boxes = {i.name: (i.target, i.unit, i.comparator, i.target_year) for i in found if i.line_start > 133}
    assert boxes == {
        "地理标志": (100.0, "个", "add", 2025),
        "地理标志保护产品示范区": (5.0, "个", "add", 2025),
        "地理标志专用标志使用企业": (300.0, "家", "add", 2025),
        "国家级知识产权信息公共服务网点": (8.0, "家", "at_least", 2025),
        "省级网点": (20.0, "家", "about", 2025),
        "中小学知识产权普及教育试点示范学校": (100.0, "个", "reach", 2025),
    }
    assert all(i.line_start != 68 for i in found)  # 从2015年的65分提升至2020年的78.81分 is history


def test_yunnan_2021_five_targets() -> None:
    found = seed("yunnan-2021-ip-power-opinions.txt")
    assert [(i.target, i.unit, i.comparator) for i in found] == [
        (5, "%", "reach"), (5, "%", "reach"), (1.59, "件", "reach"), (600000, "件", "exceed"), (510, "件", "exceed"),
    ]
    assert {(i.target_year, i.kind, i.line_start) for i in found} == {(2025, "expected", 8)}
    assert found[3].name == "有效注册商标拥有量"


def test_qinghai_four_targets_in_traditional_characters() -> None:
    found = seed("qinghai-2021-ip-power-opinions.txt")
    assert [(i.key, i.target, i.unit, i.comparator) for i in found] == [
        ("社会满意度", 80, "分", "at_least"),
        ("每万人口高价值发明专利拥有量", 1.25, "件", "reach"),
        ("版权作品登记", 200, "件", "reach"),
        ("知识产权质押融资登记金额", 12, "亿元", "add"),
    ]
    assert found[1].name == "每萬人口高價值發明專利擁有量"


def test_yunyang_targets_of_section_two() -> None:
    found = seed("yunyang-2022-ip-county-plan.txt")
    assert [(i.name, i.target, i.unit, i.comparator, i.target_year) for i in found] == [
        ("每万人发明专利拥有量", 50, "%", "increase_pct", 2025),
        ("每万户市场主体有效注册商标量", 1100, "件", "reach", 2025),
    ]


def test_yunnan_2020_has_no_numeric_targets() -> None:
    assert seed("yunnan-2020-ip-protection-opinions.txt") == []


def test_docstring_examples() -> None:
    import doctest

    import tracker.cli.indicators
    import tracker.extract.indicators
    import tracker.store.indicators

    for module in (tracker.extract.indicators, tracker.store.indicators, tracker.cli.indicators):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
