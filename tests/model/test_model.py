"""The report model and the facts derived from it."""


from xxgk_audit.engine.model import template
from xxgk_audit.engine.evaluation.facts import Context, agency_kind, build_facts
from xxgk_audit.engine.model.report import Cell
from xxgk_audit.engine.evaluation.ruletest import clean_report


def test_template_sizes_match_the_format_notices():
    assert len(template.APPLICATIONS_2019.rows) == 23 and len(template.APPLICATIONS_2021.rows) == 25
    assert len(template.APPLICATIONS_2019.cell_keys()) == 161
    assert len(template.APPLICATIONS_2021.cell_keys()) == 175
    assert len(template.DISCLOSURE_2019.cell_keys()) == 22 and len(template.DISCLOSURE_2021.cell_keys()) == 10
    assert len(template.REVIEW_LITIGATION.cell_keys()) == 15


def test_unknown_values_are_absent_from_facts():
    report = clean_report("2021")
    report.tables["applications"].cells[("A1", "NP")] = Cell(None, "", "blank")
    facts = {f.kind: f for f in build_facts(report)}
    apps = facts["applications"].fields
    assert "A1.NP" not in apps and apps["A1.TOT"] == 0 and apps["unknown_cells"] == 1
    assert facts["cell"].fields["raw"] == "" and facts["cell"].fields["kind"] == "blank"
    assert "published" not in facts["report"].fields


def test_context_supplies_what_the_document_lacks():
    from datetime import date
    facts = build_facts(clean_report("2021"), Context(published=date(2024, 2, 5), agency="某市某局"))
    report = next(f for f in facts if f.kind == "report").fields
    assert report["published"] == 20240205 and report["given_agency"] == "某市某局"


def test_agency_kind_from_name():
    assert agency_kind("湛江市人民政府") == "government"
    assert agency_kind("湛江市人民政府办公室") == "department"
    assert agency_kind("某县丰收乡人民政府") == "township"
    assert agency_kind("长春市南关区长通街道办事处") == "subdistrict"
    assert agency_kind("洛龙区政务服务和大数据管理局") == "department"


def test_agency_named_in_preamble_or_on_the_command_line_is_compared_tolerantly():
    from xxgk_audit.engine.evaluation.facts import _named_agency
    assert _named_agency("某县人民政府办公室", "某县人民政府") == "某县人民政府"
    assert _named_agency("东风路街办", "东风路街道") == "东风路街道"
    assert _named_agency("区统计局", "杨陵区统计局") == "杨陵区统计局"
    assert _named_agency("某县交通运输局", "某县民政局") == "某县交通运输局"


def test_year_and_agency_from_the_command_line_fill_what_the_document_lacks():
    report = clean_report("2021")
    report.year, report.agency = None, None
    fields = next(f for f in build_facts(report, Context(year=2020, agency="某县某局")) if f.kind == "report").fields
    assert (fields["year"], fields["agency"], fields["format"]) == (2020, "某县某局", "2019")
    own = next(f for f in build_facts(clean_report("2021"), Context(year=2020)) if f.kind == "report").fields
    assert own["year"] == 2023 and own["given_year"] == 2020
