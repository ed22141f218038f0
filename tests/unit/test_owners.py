"""Owners of tasks: stated clauses (责任单位 …) and lexicon inference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.extract.owners import (
    Lexicon,
    OwnerClause,
    OwnerRef,
    default_lexicon_path,
    find_owner_clauses,
    is_group_name,
    split_units,
)

SEEDS = Path(__file__).parents[2] / "seeds"
YUNNAN_2020 = SEEDS / "yunnan-2020-ip-protection-opinions.txt"
SAMR = "省市场监管局（省知识产权局）"
COPYRIGHT = "省委宣传部（省版权局）"


def owners(clause: OwnerClause) -> list[tuple[str, str]]:
    return [(o.name, o.role) for o in clause.owners]


def only_clause(text: str, *, lead_first: bool = True) -> OwnerClause:
    clauses = find_owner_clauses(text, lead_first=lead_first)
    assert len(clauses) == 1, clauses
    clause = clauses[0]
    assert text[clause.span[0] : clause.span[1]] == clause.raw
    assert all(o.provenance == "stated" for o in clause.owners)
    return clause


# --------------------------------------------------------------------------- stated clauses


def test_responsibility_bracket_first_unit_leads() -> None:
    text = "加强知识产权司法保护。（责任单位：县法院、县检察院、县公安局、县司法局）"
    clause = only_clause(text)
    assert owners(clause) == [
        ("县法院", "lead"), ("县检察院", "support"), ("县公安局", "support"), ("县司法局", "support"),
    ]
    assert clause.raw == "（责任单位：县法院、县检察院、县公安局、县司法局）"
    assert clause.span == (11, len(text))
    assert clause.extra == {}


def test_tortoise_shell_bracket_with_nested_group() -> None:
    text = "打造区域品牌。〔责任单位：县农业农村委、县商务委、县市场监管局、县乡村振兴局，各乡镇（街道）〕"
    clause = only_clause(text)
    assert clause.raw.startswith("〔") and clause.raw.endswith("〕")
    assert [o.name for o in clause.owners] == [
        "县农业农村委", "县商务委", "县市场监管局", "县乡村振兴局", "各乡镇（街道）",
    ]
    assert clause.owners[0].role == "lead"
    assert clause.owners[-1] == OwnerRef("各乡镇（街道）", "support", "stated", True)


@pytest.mark.parametrize(
    "text",
    [
        "(责任单位:县知识产权保护联席会议25个成员单位)",
        "（责任单位：县知识产权保护联席会议25个成员单位）",
    ],
)
def test_group_owner_kept_whole_in_either_width(text: str) -> None:
    clause = only_clause(text)
    assert clause.owners == (
        OwnerRef("县知识产权保护联席会议25个成员单位", "lead", "stated", True),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（牵头单位：省发展改革委；配合单位：省公安厅、省法院）",
         [("省发展改革委", "lead"), ("省公安厅", "support"), ("省法院", "support")]),
        ("(牵头部门:省商务厅;配合部门:省公安厅;参与单位:省法院)",
         [("省商务厅", "lead"), ("省公安厅", "support"), ("省法院", "support")]),
        ("（责任部门：省教育厅、省科技厅；协办单位：省财政厅）",
         [("省教育厅", "lead"), ("省科技厅", "support"), ("省财政厅", "support")]),
        ("（牵头单位：省发展改革委、省市场监管局）",
         [("省发展改革委", "lead"), ("省市场监管局", "lead")]),
    ],
)
def test_lead_and_support_labels(text: str, expected: list[tuple[str, str]]) -> None:
    assert owners(only_clause(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（省公安厅、省法院负责）", [("省公安厅", "lead"), ("省法院", "support")]),
        ("（省公安厅牵头，省法院、省检察院配合）",
         [("省公安厅", "lead"), ("省法院", "support"), ("省检察院", "support")]),
        ("（县农业农村委、县商务委，各乡镇（街道）负责）",
         [("县农业农村委", "lead"), ("县商务委", "support"), ("各乡镇（街道）", "support")]),
        ("（省文化和旅游厅和省公安厅负责）",
         [("省文化和旅游厅", "lead"), ("省公安厅", "support")]),
        ("（各州（市）人民政府负责）", [("各州（市）人民政府", "lead")]),
    ],
)
def test_unlabelled_verb_forms(text: str, expected: list[tuple[str, str]]) -> None:
    assert owners(only_clause(text)) == expected


def test_deadline_beside_owner_goes_to_extra() -> None:
    clause = only_clause("严厉打击侵权假冒犯罪（省公安厅牵头，2021年底前）")
    assert owners(clause) == [("省公安厅", "lead")]
    assert clause.extra == {"deadline": "2021年底前"}
    assert clause.raw == "（省公安厅牵头，2021年底前）"


def test_deadline_field_before_responsibility_label() -> None:
    clause = only_clause("（2021年6月底前完成；责任单位：省法院、省检察院）")
    assert owners(clause) == [("省法院", "lead"), ("省检察院", "support")]
    assert clause.extra == {"deadline": "2021年6月底前完成"}


def test_labelled_deadline_and_other_fields_are_extra() -> None:
    clause = only_clause("（适用范围：全省；责任单位：省商务厅；完成时限：2022年底前）")
    assert owners(clause) == [("省商务厅", "lead")]
    assert clause.extra == {"适用范围": "全省", "deadline": "2022年底前"}


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("各有关部门按职责分工负责。", "各有关部门按职责分工负责"),
        ("其余任务按职责分工负责。", "按职责分工负责"),
        ("（按职责分工负责）", "（按职责分工负责）"),
    ],
)
def test_duty_division_is_a_group_lead(text: str, raw: str) -> None:
    clause = only_clause(text)
    assert clause.owners == (OwnerRef("各有关部门", "lead", "stated", True),)
    assert clause.raw == raw


def test_in_sentence_convene_with_alias_and_group() -> None:
    text = ("（二十）加强考核评价。省市场监管局（省知识产权局）会同有关部门对本意见的落实情况开展督促检查，"
            "配合国家做好知识产权强国建设纲要实施情况的监测和评估。")
    clause = only_clause(text)
    assert clause.owners == (
        OwnerRef(SAMR, "lead", "stated", False),
        OwnerRef("有关部门", "support", "stated", True),
    )
    assert clause.raw == "省市场监管局（省知识产权局）会同有关部门"


@pytest.mark.parametrize(
    "text",
    [
        " (三)加強考核評估。省市場監管局負責統籌知識產權強省建設工作,開展年度監測和定期評估。",
        # The scraped seed itself: ruby pinyin left inside the name.
        " (三)加強考核評估。省市場監(jiān)管局負責統(tǒng)籌知識產(chǎn)權強省建設工作。",
    ],
)
def test_in_sentence_traditional_characters(text: str) -> None:
    clause = only_clause(text)
    assert clause.owners == (OwnerRef("省市場監管局", "lead", "stated", False),)
    assert clause.raw.endswith("負責")


def test_in_sentence_with_modal_word_and_office() -> None:
    text = "建立考核问责制度。领导小组办公室要会同县政府办公室，定期或不定期对工作进展情况进行督促检查。"
    clause = only_clause(text)
    assert owners(clause) == [("领导小组办公室", "lead"), ("县政府办公室", "support")]
    assert clause.raw == "领导小组办公室要会同县政府办公室"


def test_in_sentence_lead_then_support_clause() -> None:
    clause = only_clause("由省知识产权局牵头，省公安厅、省法院配合，开展专项行动。")
    assert owners(clause) == [
        ("省知识产权局", "lead"), ("省公安厅", "support"), ("省法院", "support"),
    ]
    assert clause.raw == "省知识产权局牵头，省公安厅、省法院配合"


def test_labelled_line_without_brackets() -> None:
    text = "1.加强知识产权保护。\n责任单位：省知识产权局、省公安厅\n2.下一项。"
    clause = only_clause(text)
    assert owners(clause) == [("省知识产权局", "lead"), ("省公安厅", "support")]
    assert clause.raw == "责任单位：省知识产权局、省公安厅"


def test_bare_unit_list_at_end_of_item() -> None:
    clause = only_clause("加大执法力度。（省公安厅、省市场监管局）")
    assert owners(clause) == [("省公安厅", "lead"), ("省市场监管局", "support")]


def test_traditional_label() -> None:
    clause = only_clause("（責任單位：省公安廳、省法院）")
    assert owners(clause) == [("省公安廳", "lead"), ("省法院", "support")]


def test_lead_first_off_makes_every_listed_unit_a_lead() -> None:
    clause = only_clause("（责任单位：省法院、省检察院；配合单位：省公安厅）", lead_first=False)
    assert owners(clause) == [("省法院", "lead"), ("省检察院", "lead"), ("省公安厅", "support")]


def test_lexicon_canonicalises_stated_names() -> None:
    lexicon = Lexicon.load(default_lexicon_path())
    [clause] = find_owner_clauses("（责任单位：省知识产权局、公安厅）", lexicon=lexicon)
    assert owners(clause) == [(SAMR, "lead"), ("省公安厅", "support")]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "推进《云南省专利促进与保护条例》的修订。(上位法出台后及时启动修订工作)",
        "在中国(云南)自由贸易试验区探索成立仲裁机构。(2021年12月底前完成)",
        "整合各类创新资源，牵头创建高价值专利育成中心。",
        "企业负责人要重视知识产权。",
        "双方企业(单位)同等享受两地版权纠纷调解政策。",
        "主办单位:云南省人民政府办公厅 运行维护:云南网",
        "省市场监管局（省知识产权局）发布年度报告。",
        "（十七）启动阶段（2022年10月30日前）。",
    ],
)
def test_text_without_owners(text: str) -> None:
    assert find_owner_clauses(text) == []


def test_yunyang_seed_clauses() -> None:
    text = (SEEDS / "yunyang-2022-ip-county-plan.txt").read_text(encoding="utf-8")
    bracketed = [c for c in find_owner_clauses(text) if "责任单位" in c.raw]
    assert len(bracketed) == 14
    for clause in bracketed:
        assert text[clause.span[0] : clause.span[1]] == clause.raw
        assert clause.owners[0].role == "lead"
        assert all(o.role == "support" for o in clause.owners[1:])
    last = bracketed[-1]
    assert owners(last) == [
        ("县城市管理局", "lead"), ("县知识产权保护联席会议25个成员单位", "support"),
    ]


# --------------------------------------------------------------------------- unit lists


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("县农业农村委、县商务委，各乡镇（街道）", ["县农业农村委", "县商务委", "各乡镇（街道）"]),
        ("省公安厅,省法院;省检察院；省司法厅", ["省公安厅", "省法院", "省检察院", "省司法厅"]),
        ("县国有资产管理服务中心和各乡镇（街道）", ["县国有资产管理服务中心", "各乡镇（街道）"]),
        ("省公安厅及省法院", ["省公安厅", "省法院"]),
        ("省公安厅以及省法院", ["省公安厅", "省法院"]),
        ("省文化和旅游厅", ["省文化和旅游厅"]),
        ("省人力资源和社会保障厅、省住房和城乡建设厅", ["省人力资源和社会保障厅", "省住房和城乡建设厅"]),
        ("各州（市、县）人民政府、省公安厅", ["各州（市、县）人民政府", "省公安厅"]),
        ("省公安厅、省法院等", ["省公安厅", "省法院等"]),  # 等 is printed text: kept
        ("  省公安厅 、、 省法院。", ["省公安厅", "省法院"]),
        ("", []),
    ],
)
def test_split_units(text: str, expected: list[str]) -> None:
    assert split_units(text) == expected


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("县知识产权保护联席会议25个成员单位", True),
        ("各乡镇（街道）", True),
        ("有关部门", True),
        ("各有关部门", True),
        ("各州（市）人民政府", True),
        ("省直相关单位", True),
        ("省公安厅", False),
        ("县政府办公室", False),
        ("省市场监管局（省知识产权局）", False),
        ("省打击侵权假冒工作领导小组办公室", False),
    ],
)
def test_is_group_name(name: str, group: bool) -> None:
    assert is_group_name(name) is group


# --------------------------------------------------------------------------- lexicon


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load(default_lexicon_path())


def test_default_lexicon_path_is_the_seed_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_LEXICON", raising=False)
    assert default_lexicon_path() == SEEDS / "owner-lexicon.toml"
    monkeypatch.setenv("TRACKER_LEXICON", "/elsewhere/lexicon.toml")
    assert default_lexicon_path() == Path("/elsewhere/lexicon.toml")


def test_load_real_lexicon(lexicon: Lexicon) -> None:
    aliases = lexicon.aliases()
    for unit in (SAMR, "昆明海关", "省公安厅", COPYRIGHT, "省药监局", "省农业农村厅",
                 "省人大常委会", "省政协", "省打击侵权假冒工作领导小组办公室"):
        assert unit in aliases
    assert "省知识产权局" in aliases[SAMR]
    assert lexicon.canonical("省市场监管局") == SAMR
    assert lexicon.canonical("省市场监管局(省知识产权局)") == SAMR
    assert lexicon.canonical("省版权局") == COPYRIGHT
    assert lexicon.canonical("县林业局") == "县林业局"
    assert lexicon.fallback == ""


def test_load_rejects_typos(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[units."省公安厅"]\nkeyword = ["公安"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown keys"):
        Lexicon.load(bad)
    clash = tmp_path / "clash.toml"
    clash.write_text('[units."甲局"]\naliases = ["丙"]\n[units."乙局"]\naliases = ["丙"]\n',
                     encoding="utf-8")
    with pytest.raises(ValueError, match="names both"):
        Lexicon.load(clash)


def test_infer_rules(tmp_path: Path) -> None:
    path = tmp_path / "lex.toml"
    path.write_text(
        "[settings]\nfallback = \"\"\n"
        '[units."甲局"]\nkeywords = ["信用", "专利"]\nfallback_keywords = ["知识产权"]\n'
        '[units."乙局"]\nkeywords = ["信用分类监管"]\n'
        '[units."丙局"]\nstrong_keywords = ["昆仑"]\n',
        encoding="utf-8",
    )
    lex = Lexicon.load(path)
    # The earliest hit leads; a strong keyword beats an earlier ordinary one.
    assert [o.name for o in lex.infer("专利与昆仑")] == ["丙局", "甲局"]
    # A keyword inside a longer keyword of another unit does not count.
    assert [o.name for o in lex.infer("推进信用分类监管")] == ["乙局"]
    # Fallback keywords only when nothing else matched.
    assert [o.name for o in lex.infer("加强知识产权宣传")] == ["甲局"]
    assert [o.name for o in lex.infer("加强专利和知识产权宣传")] == ["甲局"]
    assert lex.infer("天气晴") == []


def test_infer_ignores_quotes_and_width(lexicon: Lexicon) -> None:
    for text in ("组织开展“昆仑”行动", '组织开展"昆仑"行动', "组织开展＂昆仑＂行动"):
        assert lexicon.infer(text) == [OwnerRef("省公安厅", "lead", "inferred", False)]


def test_infer_is_deterministic_and_without_duplicates(lexicon: Lexicon) -> None:
    text = "组织开展打击侵犯知识产权和制售假冒伪劣商品工作,加大商标、专利、版权等知识产权行政、司法保护力度。"
    first = lexicon.infer(text)
    assert first == lexicon.infer(text)
    names = [o.name for o in first]
    assert len(names) == len(set(names))
    assert first[0].role == "lead" and all(o.role == "support" for o in first[1:])
    assert all(o.provenance == "inferred" for o in first)


def yunnan_items() -> dict[int, str]:
    lines = YUNNAN_2020.read_text(encoding="utf-8").splitlines()[83:284]
    return {int(m[1]): m[2] for line in lines if (m := re.match(r"^(\d+)\.(.*)$", line))}


def test_yunnan_schedule_coverage(lexicon: Lexicon) -> None:
    items = yunnan_items()
    assert sorted(items) == list(range(1, 95))
    unowned = [n for n, text in items.items() if not lexicon.infer(text)]
    assert len(items) - len(unowned) >= 85, f"items without an inferred owner: {unowned}"


@pytest.mark.parametrize(
    ("item", "unit", "lead"),
    [
        (2, "昆明海关", True),
        (33, "省公安厅", True),
        (27, COPYRIGHT, True),
        (40, "省人大常委会", True),
        (41, "省政协", True),
        (4, "省药监局", False),
        (3, "省农业农村厅", True),
        (7, "省打击侵权假冒工作领导小组办公室", True),
        (8, "省检察院", True),
        (10, "省法院", True),
        (60, "云南银保监局", True),
        (63, "省外办", True),
        (86, "省教育厅", True),
    ],
)
def test_yunnan_spot_checks(lexicon: Lexicon, item: int, unit: str, lead: bool) -> None:
    inferred = lexicon.infer(yunnan_items()[item])
    names = [o.name for o in inferred]
    assert unit in names, names
    if lead:
        assert names[0] == unit, names


# --------------------------------------------------------------------------- issue 11: the genre's other forms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # labels separated by a comma, and a list continued after a comma inside a field
        ("（牵头单位：市发展改革委，配合单位：市委组织部、市人力资源和社会保障局，各区、县级市）",
         [("市发展改革委", "lead"), ("市委组织部", "support"), ("市人力资源和社会保障局", "support"),
          ("各区", "support"), ("县级市", "support")]),
        # a role named by a label word inside a group name
        ("（牵头单位：市委组织部，配合单位：各项目牵头单位，各区、县级市）",
         [("市委组织部", "lead"), ("各项目牵头单位", "support"), ("各区", "support"), ("县级市", "support")]),
        # a non-owner field after the owners, separated by a comma
        ("（负责部门：海关总署，适用范围：福建自贸试验区）", [("海关总署", "lead")]),
        # commissions and federations whose names end in 会 or 联
        ("（人民银行、银保监会、证监会负责）",
         [("人民银行", "lead"), ("银保监会", "support"), ("证监会", "support")]),
    ],
)
def test_labelled_and_verbed_lists(text: str, expected: list[tuple[str, str]]) -> None:
    assert owners(only_clause(text)) == expected


def test_role_words_inside_the_list() -> None:
    clause = only_clause("（市政府办公室、市审改办牵头，市级各有关部门及各县区政府按职责分工负责）")
    assert owners(clause) == [
        ("市政府办公室", "lead"), ("市审改办", "lead"), ("市级各有关部门", "support"), ("各县区政府", "support"),
    ]
    clause = only_clause("（区发改局牵头负责，区财政局、各街道组织落实）")
    assert owners(clause) == [("区发改局", "lead"), ("区财政局", "support"), ("各街道", "support")]
    clause = only_clause("（省科技厅、省财政厅按职责分工牵头负责，各市州政府按职责组织配合）")
    assert owners(clause) == [("省科技厅", "lead"), ("省财政厅", "lead"), ("各市州政府", "support")]


def test_role_word_never_stays_inside_a_unit_name() -> None:
    clause = only_clause("（责任单位：区住建局、各区政府组织落实）")
    assert [o.name for o in clause.owners] == ["区住建局", "各区政府"]


def test_together_with_and_et_cetera_separate_units() -> None:
    clause = only_clause("（商务部会同有关部门负责）")
    assert owners(clause) == [("商务部", "lead"), ("有关部门", "support")]
    clause = only_clause("（农业农村部等和各有关省级人民政府负责）")
    assert [o.name for o in clause.owners] == ["农业农村部等", "各有关省级人民政府"]
    clause = only_clause("（人力资源社会保障部、财政部、教育部等有关部门和单位负责）")
    assert [o.name for o in clause.owners] == ["人力资源社会保障部", "财政部", "教育部等有关部门和单位"]


def test_duty_division_after_a_list_names_the_list() -> None:
    clause = only_clause("（各有关部门和单位，各省级人民政府按职责分工负责）")
    assert [o.name for o in clause.owners] == ["各有关部门和单位", "各省级人民政府"]


def test_very_long_list_is_kept_whole() -> None:
    units = [f"市第{n}局" for n in "一二三四五六七八九十"] + [f"区{n}办" for n in "甲乙丙丁戊己庚辛"]
    clause = only_clause(f"（责任单位：{'、'.join(units)}）")
    assert [o.name for o in clause.owners] == units
    assert clause.owners[0].role == "lead" and all(o.role == "support" for o in clause.owners[1:])


def test_owner_lines_lead_then_responsible_units_support() -> None:
    text = "1.努力实现地区生产总值增长6.2%左右。\n牵头单位:区发改局\n责任单位:立山经济开发区,全区经济运行各专班"
    clause = only_clause(text)
    assert owners(clause) == [
        ("区发改局", "lead"), ("立山经济开发区", "support"), ("全区经济运行各专班", "support"),
    ]


def test_owner_lines_with_a_person_label_and_full_stops() -> None:
    text = ("1.地区生产总值增长8.5%左右。\n牵头负责领导:张三。\n牵头责任单位:市发展和改革委员会。\n"
            "协同责任单位:市政府各部门、各直属单位。")
    clause = only_clause(text)
    assert owners(clause) == [
        ("市发展和改革委员会", "lead"), ("市政府各部门", "support"), ("各直属单位", "support"),
    ]
    assert "张三" not in [o.name for o in clause.owners]


def test_sentence_subjects_do_not_add_to_an_annotated_item() -> None:
    text = "加强组织领导。市人才工作领导小组负责统筹协调。（牵头单位：市委组织部）"
    assert [o.name for c in find_owner_clauses(text) for o in c.owners] == ["市委组织部"]
    # … but name the owner where nothing else does
    assert [o.name for c in find_owner_clauses("市人才工作领导小组负责统筹协调。") for o in c.owners] == ["市人才工作领导小组"]


def test_a_list_of_levels_after_a_group_is_split_as_printed() -> None:
    clause = only_clause("（协同责任单位：市经信局、中新苏滁高新区管委会等，各县、市、区政府）")
    assert [o.name for o in clause.owners] == ["市经信局", "中新苏滁高新区管委会等", "各县", "市", "区政府"]


def test_a_note_about_the_list_after_its_last_unit_is_no_part_of_it() -> None:
    clause = only_clause("（责任单位：市发改委、市卫生健康委（除标注“分别牵头”外，列第一位为牵头或汇总单位，下同））")
    assert [o.name for o in clause.owners] == ["市发改委", "市卫生健康委"]
    text = "1.优化营商环境。\n责任单位:市发改委、市财政局(第一责任单位为牵头单位,下同)"
    assert [o.name for o in only_clause(text).owners] == ["市发改委", "市财政局"]


def test_joint_and_taking_part_units_support() -> None:
    clause = only_clause("（牵头单位：市教育局；共同责任单位：市发改委、市财政局，各县区）")
    assert owners(clause) == [("市教育局", "lead"), ("市发改委", "support"), ("市财政局", "support"), ("各县区", "support")]
    clause = only_clause("（市发展改革委、市人社局牵头，市委组织部、国家统计局济宁调查队参加）")
    assert owners(clause) == [
        ("市发展改革委", "lead"), ("市人社局", "lead"), ("市委组织部", "support"), ("国家统计局济宁调查队", "support"),
    ]


def test_owner_labels_are_read_by_their_words() -> None:
    text = "1.落实积极应对人口老龄化国家战略。\n牵头责任单位:县卫健委、县民政局\n主要协作单位:各乡镇人民政府、县政府有关部门"
    assert owners(only_clause(text)) == [
        ("县卫健委", "lead"), ("县民政局", "lead"), ("各乡镇人民政府", "support"), ("县政府有关部门", "support"),
    ]
    assert find_owner_clauses("主办单位:某市人民政府办公厅\n评分部门:市农业农村局") == []


def test_a_note_on_reading_the_list_inside_it_and_leads_named_severally() -> None:
    clause = only_clause("（责任单位：市税务局、市财政局，排在首位的为牵头单位，下同）")
    assert [o.name for o in clause.owners] == ["市税务局", "市财政局"]
    clause = only_clause("（发展改革委、公安部按照职责分工分别牵头负责，中央编办、民政部参加）")
    assert owners(clause) == [("发展改革委", "lead"), ("公安部", "lead"), ("中央编办", "support"), ("民政部", "support")]
    text = "6.推进农村劳动力转移。\n责任单位:市人力社保局、市农业农村局分别牵头"
    assert owners(only_clause(text)) == [("市人力社保局", "lead"), ("市农业农村局", "lead")]
