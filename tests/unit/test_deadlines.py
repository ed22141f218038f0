"""Unit tests for tracker.extract.deadlines: the deadline-phrase grammar."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.extract.deadlines import (
    Deadline,
    find_deadlines,
    in_sentence_deadline,
    looks_like_deadline,
    parse_deadline,
)

SEEDS = Path(__file__).parents[2] / "seeds"
KINDS = {"date", "window", "ongoing", "trigger", "recurring", "unknown"}


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "phrase",
    [
        "2020年12月底前完成",
        "(2020年12月底前完成)",
        "（2020年12月底前完成）",
        " (2020年12月底前完成) ",
    ],
)
def test_month_end_with_and_without_brackets(phrase: str) -> None:
    d = parse_deadline(phrase)
    assert d == Deadline("date", phrase, due=date(2020, 12, 31))


def test_date_then_ongoing() -> None:
    d = parse_deadline("2021年12月底前完成并持续推进")
    assert (d.kind, d.due, d.ongoing) == ("date", date(2021, 12, 31), True)


@pytest.mark.parametrize(
    ("phrase", "year", "due"),
    [
        ("2022年10月30日前", None, date(2022, 10, 30)),
        ("（2022年10月30日前）", None, date(2022, 10, 30)),
        ("10月30日前", 2022, date(2022, 10, 30)),
        ("6月1号前", 2021, date(2021, 6, 1)),
        ("年底前", 2021, date(2021, 12, 31)),
        ("年末前", 2021, date(2021, 12, 31)),
        ("2021年底前", None, date(2021, 12, 31)),
        ("2021年年底前", None, date(2021, 12, 31)),
        ("2021年末", None, date(2021, 12, 31)),
        ("年内", 2021, date(2021, 12, 31)),
        ("年内完成", 2021, date(2021, 12, 31)),
        ("2021年内完成", None, date(2021, 12, 31)),
        ("2021年度内", None, date(2021, 12, 31)),
        ("今年底前", 2023, date(2023, 12, 31)),
        ("明年6月底前", 2023, date(2024, 6, 30)),
        ("上半年", 2021, date(2021, 6, 30)),
        ("下半年", 2021, date(2021, 12, 31)),
        ("2021年上半年", None, date(2021, 6, 30)),
        ("2021年下半年完成", 2020, date(2021, 12, 31)),
        ("6月底前", 2021, date(2021, 6, 30)),
        ("2021年6月", None, date(2021, 6, 30)),
        ("2021年6月份", None, date(2021, 6, 30)),
        ("2021年2月底前", None, date(2021, 2, 28)),
        ("2024年2月底前", None, date(2024, 2, 29)),
        ("2021年6月上旬前", None, date(2021, 6, 10)),
        ("2021年6月中旬前", None, date(2021, 6, 20)),
        ("2021年6月下旬", None, date(2021, 6, 30)),
        ("2021年6月末", None, date(2021, 6, 30)),
        ("2025年", None, date(2025, 12, 31)),
        ("到2025年", None, date(2025, 12, 31)),
        ("2025年前", None, date(2025, 12, 31)),
        ("2025年以前", None, date(2025, 12, 31)),
    ],
)
def test_single_dates(phrase: str, year: int | None, due: date) -> None:
    d = parse_deadline(phrase, year=year)
    assert (d.kind, d.due, d.raw, d.milestones) == ("date", due, phrase, ())


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("第三季度", date(2021, 9, 30)),
        ("三季度末", date(2021, 9, 30)),
        ("2021年第三季度前", date(2021, 9, 30)),
        ("Q3", date(2021, 9, 30)),
        ("q3前", date(2021, 9, 30)),
        ("第3季度", date(2021, 9, 30)),
        ("一季度", date(2021, 3, 31)),
        ("二季度末", date(2021, 6, 30)),
        ("第四季度", date(2021, 12, 31)),
    ],
)
def test_quarters_end_on_the_quarters_last_day(phrase: str, due: date) -> None:
    assert parse_deadline(phrase, year=2021).due == due
    assert parse_deadline(phrase, year=2021).kind == "date"


def test_explicit_year_beats_reference_year() -> None:
    assert parse_deadline("2021年第三季度前", year=2030).due == date(2021, 9, 30)


# --------------------------------------------------------------------------- windows


@pytest.mark.parametrize(
    ("phrase", "start", "due"),
    [
        ("2022年11月—2025年3月", date(2022, 11, 1), date(2025, 3, 31)),
        ("（2022年11月—2025年3月）", date(2022, 11, 1), date(2025, 3, 31)),
        ("2025年4月—7月", date(2025, 4, 1), date(2025, 7, 31)),
        ("（2025年4月—7月）", date(2025, 4, 1), date(2025, 7, 31)),
        ("2021年3月至6月", date(2021, 3, 1), date(2021, 6, 30)),
        ("2021年6月1日至2021年12月31日", date(2021, 6, 1), date(2021, 12, 31)),
        ("2021年6月1日至12月31日", date(2021, 6, 1), date(2021, 12, 31)),
        ("2021年11月至3月", date(2021, 11, 1), date(2022, 3, 31)),
        ("2021年一季度至三季度", date(2021, 1, 1), date(2021, 9, 30)),
        ("2021年—2025年", date(2021, 1, 1), date(2025, 12, 31)),
    ],
)
def test_windows(phrase: str, start: date, due: date) -> None:
    d = parse_deadline(phrase)
    assert (d.kind, d.start, d.due, d.raw) == ("window", start, due, phrase)


@pytest.mark.parametrize("sep", ["—", "－", "-", "~", "～", "至", "到", "–", "——"])
def test_window_separators(sep: str) -> None:
    d = parse_deadline(f"2025年4月{sep}7月")
    assert (d.kind, d.start, d.due) == ("window", date(2025, 4, 1), date(2025, 7, 31))


def test_window_without_year_uses_reference_year() -> None:
    d = parse_deadline("4月—7月", year=2025)
    assert (d.kind, d.start, d.due) == ("window", date(2025, 4, 1), date(2025, 7, 31))
    assert parse_deadline("4月—7月").kind == "unknown"


# --------------------------------------------------------------------------- no date


@pytest.mark.parametrize("phrase", ["持续推进", "(持续推进)", "长期坚持", "常态化推进", "持續推進"])
def test_ongoing(phrase: str) -> None:
    d = parse_deadline(phrase)
    assert (d.kind, d.ongoing, d.due, d.start) == ("ongoing", True, None, None)


@pytest.mark.parametrize(
    ("phrase", "condition"),
    [
        ("上位法出台后及时启动修订工作", "上位法出台后及时启动修订工作"),
        ("(上位法出台后及时启动修订工作)", "上位法出台后及时启动修订工作"),
        ("（方案印发后3个月内）", "方案印发后3个月内"),
        ("规划批准后实施", "规划批准后实施"),
        ("项目验收后", "项目验收后"),
        ("上位法出台之后适时修订", "上位法出台之后适时修订"),
    ],
)
def test_triggers_keep_condition_verbatim(phrase: str, condition: str) -> None:
    d = parse_deadline(phrase)
    assert (d.kind, d.condition, d.due, d.raw) == ("trigger", condition, None, phrase)


@pytest.mark.parametrize(
    ("phrase", "recurrence"),
    [
        ("每年", "yearly"),
        ("每季度", "quarterly"),
        ("每半年", "half-yearly"),
        ("每月", "monthly"),
        ("（每季度报送一次）", "quarterly"),
    ],
)
def test_recurring(phrase: str, recurrence: str) -> None:
    d = parse_deadline(phrase)
    assert (d.kind, d.recurrence, d.ongoing, d.due) == ("recurring", recurrence, True, None)


def test_recurring_with_a_date_uses_the_reference_year() -> None:
    d = parse_deadline("每年12月底前", year=2022)
    assert (d.kind, d.recurrence, d.due) == ("recurring", "yearly", date(2022, 12, 31))
    d = parse_deadline("每年12月底前")
    assert (d.kind, d.recurrence, d.due) == ("recurring", "yearly", None)
    assert parse_deadline("每年年底前", year=2022).due == date(2022, 12, 31)


# --------------------------------------------------------------------------- spelling


@pytest.mark.parametrize(
    ("phrase", "year", "due"),
    [
        ("２０２１年６月底前", None, date(2021, 6, 30)),
        ("（２０２１年１２月底前完成）", None, date(2021, 12, 31)),
        ("2021 年 6 月底前", None, date(2021, 6, 30)),
        ("2021年6月 底前", None, date(2021, 6, 30)),
        ("2021\u3000年６月底前", None, date(2021, 6, 30)),
        ("十二月底前", 2021, date(2021, 12, 31)),
        ("十月三十日前", 2022, date(2022, 10, 30)),
        ("二〇二一年十二月三十一日前", None, date(2021, 12, 31)),
    ],
)
def test_width_spaces_and_chinese_numerals(phrase: str, year: int | None, due: date) -> None:
    d = parse_deadline(phrase, year=year)
    assert (d.kind, d.due, d.raw) == ("date", due, phrase)


# --------------------------------------------------------------------------- staged


def test_staged_dates_become_milestones() -> None:
    d = parse_deadline("2021年6月底前出台，2022年12月底前全面完成")
    assert d.kind == "date"
    assert d.milestones == (date(2021, 6, 30), date(2022, 12, 31))
    assert d.due == date(2022, 12, 31)


def test_staged_date_without_year_inherits_the_earlier_one() -> None:
    d = parse_deadline("2021年6月底前出台，12月底前全面完成", year=2030)
    assert d.milestones == (date(2021, 6, 30), date(2021, 12, 31))


def test_staged_windows() -> None:
    d = parse_deadline("2022年11月—2025年3月建设，2025年4月—7月验收")
    assert (d.kind, d.start, d.due) == ("window", date(2022, 11, 1), date(2025, 7, 31))
    assert d.milestones == (date(2025, 3, 31), date(2025, 7, 31))


# --------------------------------------------------------------------------- unknown


@pytest.mark.parametrize(
    "phrase", ["年底前", "上半年", "6月底前", "10月30日前", "三季度末", "年内", "今年底前", "年底前完成并持续推进"]
)
def test_missing_year_is_unknown_not_guessed(phrase: str) -> None:
    d = parse_deadline(phrase)
    assert (d.kind, d.due, d.raw, d.milestones) == ("unknown", None, phrase, ())


@pytest.mark.parametrize(
    "phrase",
    ["另行通知", "视情况而定", "", "   ", "()", "（云南）", "2021年2月30日前", "2021年13月底前"],
)
def test_garbage_is_unknown_with_raw_kept(phrase: str) -> None:
    d = parse_deadline(phrase, year=2021)
    assert (d.kind, d.raw, d.due) == ("unknown", phrase, None)


@given(st.text(), st.one_of(st.none(), st.integers(min_value=-10_000, max_value=20_000)))
def test_parse_never_raises_and_keeps_raw(phrase: str, year: int | None) -> None:
    d = parse_deadline(phrase, year=year)
    assert d.raw == phrase
    assert d.kind in KINDS
    if d.milestones:
        assert d.due == d.milestones[-1]
    looks_like_deadline(phrase)
    for (start, end), found in find_deadlines(phrase, year=year):
        assert found.raw == phrase[start:end]


@given(
    st.text(alphabet="0123456789０１２年月日底前末内季度上下半旬中至—-每持续推进后出台一二三十（）() ")
)
def test_parse_never_raises_on_grammar_shaped_text(phrase: str) -> None:
    assert parse_deadline(phrase, year=2021).raw == phrase
    for (start, end), found in find_deadlines(phrase, year=2021):
        assert found.raw == phrase[start:end]


def test_deterministic() -> None:
    phrase = "2021年6月底前出台，2022年12月底前全面完成并持续推进"
    assert parse_deadline(phrase) == parse_deadline(phrase)
    assert find_deadlines(phrase) == find_deadlines(phrase)


# --------------------------------------------------------------------------- looks_like_deadline


@pytest.mark.parametrize(
    "text",
    [
        "(2020年12月底前完成)",
        "(持续推进)",
        "(上位法出台后及时启动修订工作)",
        "（2022年10月30日前）",
        "（2022年11月—2025年3月）",
        "（2025年4月—7月）",
        "(2021年3月至6月)",
        "(长期坚持)",
        "(每季度)",
        "(年内)",
        "(三季度末)",
        "(上半年)",
        "(常态化开展)",
        "(适时修订)",
        "(2021年12月31日)",
        "(另行通知前)",
    ],
)
def test_looks_like_deadline_true(text: str) -> None:
    assert looks_like_deadline(text)


@pytest.mark.parametrize(
    "text",
    ["(云南)", "(州)", "(商洽会)", "(一)", "（十七）", "(2021—2035年)", "（2022—2025年）",
     "(2025年)", "（责任单位：县市场监管局）", "", "()"],
)
def test_looks_like_deadline_false(text: str) -> None:
    assert not looks_like_deadline(text)


# --------------------------------------------------------------------------- find_deadlines


def test_find_single_deadline_in_a_sentence() -> None:
    text = "该项工作于2019年4月底前完成"
    [(span, d)] = find_deadlines(text)
    assert text[span[0]:span[1]] == d.raw == "2019年4月底前完成"
    assert (d.kind, d.due) == ("date", date(2019, 4, 30))


def test_find_staged_deadlines_in_order() -> None:
    text = "2021年6月底前出台办法，2022年底前全面推开"
    found = find_deadlines(text)
    assert [d.due for _, d in found] == [date(2021, 6, 30), date(2022, 12, 31)]
    assert [text[a:b] for (a, b), _ in found] == ["2021年6月底前", "2022年底前"]


def test_find_spans_point_into_the_printed_text() -> None:
    text = "到 ２０２５ 年，全省新增地理标志100个"
    [((a, b), d)] = find_deadlines(text)
    assert text[a:b] == d.raw == "到 ２０２５ 年"
    assert d.due == date(2025, 12, 31)


def test_find_inherits_year_and_ongoing() -> None:
    found = find_deadlines("2021年6月底前出台，12月底前全面完成并持续推进", year=2030)
    assert [d.due for _, d in found] == [date(2021, 6, 30), date(2021, 12, 31)]
    assert found[1][1].ongoing and found[1][1].raw == "12月底前全面完成并持续推进"


def test_find_window_and_reference_year() -> None:
    [(_, d)] = find_deadlines("在2022年11月—2025年3月期间全面对标补短")
    assert (d.kind, d.start, d.due) == ("window", date(2022, 11, 1), date(2025, 3, 31))
    [(_, d)] = find_deadlines("年底前完成", year=2020)
    assert d.due == date(2020, 12, 31)
    [(_, d)] = find_deadlines("年底前完成")
    assert (d.kind, d.raw) == ("unknown", "年底前完成")


@pytest.mark.parametrize(
    "text",
    [
        "于2022年10月27日印发",
        "云南省2020-2021年强化知识产权保护重点工作推进计划",
        "贯彻《知识产权强国建设纲要（2021—2035年）》精神",
        "启动阶段（2022年10月30日前）。",
        "2021年6月，省政府召开会议",
        "力争三年内完成",
    ],
)
def test_find_skips_non_deadlines(text: str) -> None:
    assert find_deadlines(text) == []


def test_find_is_not_hidden_by_a_stray_bracket_of_page_debris() -> None:
    text = "省政府办公厅联发文件【字体:来源:云南日报\n力争到2022年,知识产权保护能力不断提升"
    [(_, d)] = find_deadlines(text)
    assert (d.raw, d.due) == ("到2022年", date(2022, 12, 31))


# --------------------------------------------------------------------------- real data


def _yunnan_items() -> list[tuple[str, str]]:
    lines = (SEEDS / "yunnan-2020-ip-protection-opinions.txt").read_text(encoding="utf-8")
    items = []
    for line in lines.splitlines()[83:284]:
        m = re.match(r"\d+\..*(\([^()]*\))$", line.strip())
        if m:
            items.append((line, m.group(1)))
    return items


def test_yunnan_2020_schedule_deadlines_all_parse() -> None:
    items = _yunnan_items()
    assert len(items) == 94
    kinds: dict[str, int] = {}
    for line, phrase in items:
        assert looks_like_deadline(phrase), line
        d = parse_deadline(phrase, year=2020)
        assert d.kind != "unknown", line
        assert d.raw == phrase
        kinds[d.kind] = kinds.get(d.kind, 0) + 1
    assert kinds == {"date": 47, "ongoing": 46, "trigger": 1}
    dues = {parse_deadline(p).due for _, p in items} - {None}
    assert dues == {date(2020, 12, 31), date(2021, 6, 30), date(2021, 12, 31)}


# --------------------------------------------------------------------------- issue 11: more of the genre


@pytest.mark.parametrize(
    ("phrase", "span"),
    [("3年内", "3年"), ("(5年内)", "5年"), ("本意见印发之日起30日内", "30日"), ("（2012年起5年内）", "5年"),
     ("3个月内", "3个月"), ("收到通知后10个工作日内", "10个工作日")],
)
def test_relative_horizons_are_kept_with_no_date(phrase: str, span: str) -> None:
    d = parse_deadline(phrase, year=2021)
    assert (d.kind, d.raw, d.due, d.relative) == ("relative", phrase, None, span)


def test_a_trigger_keeps_the_days_it_gives() -> None:
    d = parse_deadline("上位法出台后30日内完成修订")
    assert (d.kind, d.condition, d.relative, d.due) == ("trigger", "上位法出台后30日内完成修订", "30日", None)


def test_a_start_year_is_not_a_deadline() -> None:
    assert parse_deadline("自2022年起", year=2021).due is None
    d = in_sentence_deadline("自2022年起，每年开展一次评估。", 2021)  # it recurs from then on
    assert d is not None and (d.kind, d.due, d.ongoing) == ("recurring", None, True)
    assert in_sentence_deadline("自2022年起施行。", 2021) is None


@pytest.mark.parametrize(
    ("phrase", "start", "due"),
    [("（5-7月）", date(2023, 5, 1), date(2023, 7, 31)), ("2024年3—6月", date(2024, 3, 1), date(2024, 6, 30)),
     ("“十四五”期间", date(2021, 1, 1), date(2025, 12, 31)), ("十三五末", None, date(2020, 12, 31))],
)
def test_month_ranges_and_five_year_periods(phrase: str, start: date | None, due: date) -> None:
    d = parse_deadline(phrase, year=2023)
    assert (d.start, d.due) == (start, due)


def test_year_less_date_takes_the_plan_year() -> None:
    assert parse_deadline("（4月底前）", year=2023).due == date(2023, 4, 30)
    assert in_sentence_deadline("7月21日前报送工作方案。", 2023).due == date(2023, 7, 21)  # type: ignore[union-attr]


def test_policy_validity_windows_are_not_deadlines() -> None:
    body = "2019年1月1日至2020年12月31日，对其中就业困难人员给予培训补贴。执行期限为2019年3月至2019年12月。"
    assert in_sentence_deadline(body, 2018) is None
    assert in_sentence_deadline("2023年3月至6月，开展摸底排查。", 2023).due == date(2023, 6, 30)  # type: ignore[union-attr]


def test_a_target_year_before_the_horizon_is_the_item_s_deadline() -> None:
    assert in_sentence_deadline("到2023年，建成保护中心。", 2021, horizon=2025).due == date(2023, 12, 31)  # type: ignore[union-attr]
    assert in_sentence_deadline("到2025年，建成保护中心。", 2021, horizon=2025) is None
    assert in_sentence_deadline("到2035年，基本建成强省。", 2021, horizon=2025) is None


def test_relative_horizon_in_running_text() -> None:
    d = in_sentence_deadline("各省要在本意见印发之日起30日内，制定出台具体实施办法。", 2018)
    assert d is not None and (d.kind, d.raw, d.due) == ("relative", "本意见印发之日起30日内", None)


def test_a_weekday_after_a_date_is_read_through() -> None:
    assert parse_deadline("4月20日(星期五)前", year=2007).due == date(2007, 4, 20)
    d = in_sentence_deadline("于4月20日（星期五）前上报区督查组。", 2007)
    assert d is not None and d.due == date(2007, 4, 20)


@pytest.mark.parametrize(
    "body",
    [
        "阶段性降低失业保险费率政策实施期限延长至2022年4月30日。",
        "實施期限至2021年12月31日。",
        "2027年12月31日前，继续顶格实施重点群体创业税收优惠政策。",
        "对2024年二季度、三季度经济贡献突出的市州给予奖励。",
        "支持毕业年度内高校毕业生创业。",
    ],
)
def test_validity_and_assessment_periods_are_not_deadlines(body: str) -> None:
    assert in_sentence_deadline(body, 2024) is None


def test_a_month_completed_is_a_deadline() -> None:
    d = in_sentence_deadline("滚动投放消费券，2022年11月完成。", 2022)
    assert d is not None and d.due == date(2022, 11, 30)


def test_labelled_deadline_line_and_recurrence_in_running_text() -> None:
    from tracker.extract.pipeline import find_deadline_phrase

    body = "加大招商力度。\n责任单位：市商务局\n时限要求：持续推进"
    assert find_deadline_phrase(body) == "持续推进"
    assert find_deadline_phrase("开展检查。（2023年6月底前完成）\n（责任单位：县教育局）") == "2023年6月底前完成"
    d = in_sentence_deadline("每个季度第1个月的20日前报送进展情况。", 2023)
    assert d is not None and (d.kind, d.recurrence) == ("recurring", "quarterly")


def test_a_principle_in_three_beats_is_no_deadline_and_weekly_work_recurs() -> None:
    assert in_sentence_deadline("严格遵循“年初公布、年中检查、年底兑现”的原则。", 2018) is None
    d = in_sentence_deadline("各分管县级领导每周调度分管领域重点事项。", 2025)
    assert d is not None and (d.kind, d.recurrence) == ("recurring", "weekly")


@pytest.mark.parametrize(
    ("phrase", "due"),
    [("2021年国庆节前完成", date(2021, 9, 30)), ("（春节前）", date(2021, 2, 11)), ("2022年五一前", date(2022, 4, 30)),
     ("元旦前", date(2021, 12, 31)), ("2022年元旦前", date(2021, 12, 31)), ("2027年端午节前", date(2027, 6, 8)),
     ("中秋节前完成", date(2021, 9, 20))],
)
def test_festivals_fall_on_their_dates_lunar_ones_too(phrase: str, due: date) -> None:
    """Issue 18: 国庆节前 is 09-30, not the year's end; 春节, 端午, 中秋 from the lunar calendar."""
    assert parse_deadline(phrase, year=2021).due == due


def test_working_days_follow_the_published_schedule_and_say_when_they_cannot() -> None:
    from tracker.extract.holidays_cn import add_working_days, is_working_day

    assert add_working_days(date(2021, 9, 30), 1) == (date(2021, 10, 8), True)  # 国庆 and its 调休
    assert is_working_day(date(2021, 9, 26))  # a Sunday worked to make up for the holiday
    later, exact = add_working_days(date(2099, 1, 1), 5)
    assert later > date(2099, 1, 1) and exact is False  # no published schedule: an estimate, said so
    d = parse_deadline("收到通知之日起30个工作日内", year=2021)
    assert (d.kind, d.relative) == ("relative", "30个工作日")


def test_the_whole_year_in_a_deadline_column_is_the_year_s_end() -> None:
    assert parse_deadline("全年", year=2025).due == date(2025, 12, 31)
    assert parse_deadline("全年").kind == "unknown"  # no year to read it with: not guessed
    assert looks_like_deadline("全年")
