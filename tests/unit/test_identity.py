"""Reading who issued a document and which one it is (tracker.extract.identity)."""

from __future__ import annotations

import pytest

from tracker.extract.identity import (
    find_doc_number,
    find_signature,
    fingerprint,
    read_identity,
    region_of_body,
    region_of_doc_number,
    region_slug,
)
from tracker.extract.pipeline import extract_document


@pytest.mark.parametrize(("region", "slug"), [
    ("陕西省", "shaanxi"), ("山西省", "shanxi"), ("内蒙古自治区", "neimenggu"), ("广西壮族自治区", "guangxi"),
    ("重庆市", "chongqing"), ("云阳县", "yunyang"), ("鞍山市立山区", "lishan"), ("广州市", "guangzhou"),
    ("北京市朝阳区", "chaoyang"), ("延边朝鲜族自治州", "yanbian"), ("全国", "china"),
])
def test_regions_are_romanised_officially(region: str, slug: str) -> None:
    assert region_slug(region) == slug


@pytest.mark.parametrize(("issuer", "region"), [
    ("中共云南省委办公厅", "云南省"), ("云南省人民政府办公厅", "云南省"), ("雲南省人民政府", "云南省"),
    ("云阳县人民政府", "云阳县"), ("鞍山市立山区人民政府", "鞍山市立山区"), ("广州市市场监督管理局", "广州市"),
    ("国务院", "全国"), ("国家知识产权局", "全国"), ("商务部", "全国"), ("县人民政府", None), ("领导小组办公室", None),
])
def test_the_region_of_an_issuing_body(issuer: str, region: str | None) -> None:
    assert region_of_body(issuer) == region


def test_document_numbers_are_the_documents_own_not_the_ones_it_cites() -> None:
    head = ["鞍山市立山区人民政府", "鞍立政发〔2023〕2号", "关于印发……的通知", "根据国发〔2018〕38号文件精神，制定本方案。"]
    assert find_doc_number(head) == "鞍立政发〔2023〕2号"
    assert find_doc_number(["国发 [2018] 38 号"]) == "国发〔2018〕38号"
    assert find_doc_number(["正文", "（依据国发〔2018〕38号）"]) is None
    assert (region_of_doc_number("国发〔2018〕38号"), region_of_doc_number("陕政发〔2021〕3号")) == ("全国", "陕西省")
    assert region_of_doc_number("鞍立政发〔2023〕2号") is None  # a district's prefix names no region by itself


def test_a_guangzhou_plan_citing_beijing_is_filed_under_guangzhou() -> None:
    """No issuer line: the signature at the end says who issued it; the body cites Beijing."""
    text = "\n".join([
        "关于加快建设知识产权强市的实施方案",
        "为学习借鉴北京市、上海市经验，结合北京冬奥会知识产权保护做法，制定本方案。",
        "一、重点任务",
        "（一）学习北京市中关村知识产权保护经验，建设北京—广州协作机制。（2021年底前完成）",
        "（二）对标北京市、上海市，完善知识产权快保护机制。（2022年底前完成）",
        "（三）推广北京市知识产权纠纷调解做法。（2022年底前完成）",
        "广州市人民政府",
        "2021年3月1日",
    ])
    [plan] = extract_document(text, source_name="fangan.txt")
    assert (plan.region, plan.region_slug) == ("广州市", "guangzhou")
    assert plan.slug.startswith("guangzhou-")
    assert find_signature(text.split("\n")) == "广州市人民政府"


def test_without_any_issuer_the_text_places_itself_by_what_it_calls_its_own() -> None:
    lines = ["关于强化知识产权保护的实施意见", "我市将学习北京市经验。全市推进，杭州市各区落实，杭州市加快建设。"]
    assert read_identity(lines, issuer=None, title=lines[0], fallback_slug="x").region == "杭州市"
    nothing = read_identity(["实施意见", "加强保护。"], issuer=None, title="实施意见", fallback_slug="myfile")
    assert (nothing.region, nothing.region_slug) == ("", "myfile")


def test_the_issuer_line_wins_over_the_signature_and_the_title() -> None:
    ident = read_identity(["陕西省人民政府", "陕政发〔2021〕3号", "山西省经验借鉴方案"],
                          issuer="陕西省人民政府", title="山西省经验借鉴方案", fallback_slug="x")
    assert (ident.region, ident.region_slug, ident.doc_number) == ("陕西省", "shaanxi", "陕政发〔2021〕3号")


def test_fingerprint_ignores_layout_but_not_words() -> None:
    items = [("（一）", "加强保护。\n（2021年底前）"), ("（二）", "开展培训。")]
    same = [("(一)", "加强保护。（2021年底前）"), ("（二）", "开展 培训。")]
    other = [("（一）", "加强保护。（2022年底前）"), ("（二）", "开展培训。")]
    assert fingerprint("方案", items) == fingerprint("方案", same) != fingerprint("方案", other)


def test_a_document_number_above_the_title_is_not_part_of_it() -> None:
    head = "云南省人民政府\n云政发〔2021〕5号\n\n云南省2021—2025年知识产权保护工作方案\n"
    body = "一、重点任务\n（一）完善知识产权地方性法规。（2021年12月底前完成）\n（二）开展执法专项行动。（2022年6月底前完成）\n"
    [plan] = extract_document(head + body, source_name="a.txt")
    assert (plan.title, plan.doc_number, plan.slug) == ("云南省2021—2025年知识产权保护工作方案", "云政发〔2021〕5号", "yunnan-2021-2025")
