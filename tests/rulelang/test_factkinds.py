"""The rule–fact contract (rules/contract/facts.yaml): packs that name unknown fields are refused
at load, the facts the engine builds carry only declared fields, and the docs are generated."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xxgk_audit.engine.app import cli
from xxgk_audit.engine.evaluation.audit import read_report
from xxgk_audit.engine.evaluation.evaluate import RuleEngine
from xxgk_audit.engine.evaluation.facts import Context
from xxgk_audit.engine.rulelang.factkinds import fact_kinds, field_label, fields_markdown
from xxgk_audit.engine.rulelang.rulepack import RuleError, load_packs

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([*ROOT.glob("samples/*.txt"), *ROOT.glob("tests/data/corpus/**/*.txt"),
                    *ROOT.glob("tests/data/pdf/*.pdf")])

RULE = {"id": "LOCAL-001", "title": "不予公开过半", "severity": "warning", "formats": ["2021"],
        "source": "本市政务公开办通知（示例）", "fact": "applications",
        "when": "B7.TOT > 0 and sum(B3_*.TOT) * 2 > B7.TOT", "actual": "sum(B3_*.TOT)", "expected": "B7.TOT",
        "message": "不予公开 {actual} 件，超过总数 {expected} 件的一半", "location": {"row": "B7", "column": "TOT"},
        "examples": {"pass": [{"fact": {"B7.TOT": 4}}], "fail": [{"fact": {"B3_1.TOT": 3, "B7.TOT": 4}}]}}


def _pack(tmp_path: Path, **change) -> Path:
    (tmp_path / "office.yaml").write_text(yaml.safe_dump({"pack": "office", "rules": [{**RULE, **change}]},
                                                         allow_unicode=True), encoding="utf-8")
    return tmp_path


def test_a_correct_local_pack_loads(tmp_path):
    assert [r.id for r in load_packs([_pack(tmp_path)], builtin=False)] == ["LOCAL-001"]


@pytest.mark.parametrize("change, named", [
    ({"when": "B7.TOTAL > 0"}, "B7.TOTAL"),                       # a misspelt cell key
    ({"when": "publishd > 0"}, "publishd"),                        # a field of no kind
    ({"when": "published > 0"}, "published"),                      # a report field on a table fact
    ({"actual": "B3_9.TOT"}, "B3_9.TOT"),
    ({"message": "共 {actaul} 件"}, "actaul"),                       # a misspelt placeholder
    ({"location": {"line": "title_line"}}, "title_line"),
    ({"examples": {"pass": [{"fact": {"B7.TOT": 4}}], "fail": [{"fact": {"B7.TOTL": 1}}]}}, "B7.TOTL"),
])
def test_a_pack_naming_an_unknown_field_is_refused_at_load(tmp_path, change, named):
    with pytest.raises(RuleError, match=named) as info:
        load_packs([_pack(tmp_path, **change)], builtin=False)
    assert "office.yaml" in str(info.value) and "LOCAL-001" in str(info.value)


def test_the_command_line_refuses_it_with_exit_2(tmp_path, capsys):
    code = cli.main(["rules", "test", "--rules", str(_pack(tmp_path, message="共 {actaul} 件"))])
    assert code == 2 and "actaul" in capsys.readouterr().err


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_built_facts_carry_only_declared_fields(path):
    engine = RuleEngine(load_packs())
    kinds = fact_kinds()
    for fact in engine.facts(read_report(path), Context(published=None)):
        # a fact may carry keys of either layout (a report printed in the other format, has.ROW flags)
        undeclared = [name for name in fact.fields if kinds[fact.kind].spec(name) is None]
        assert undeclared == [], f"{fact.kind}: {undeclared}"


def test_fields_have_chinese_names():
    assert field_label("report", "published") == "发布日期"
    assert field_label("applications", "A1.TOT") == "表三「一、本年新收政府信息公开申请数量」「总计」"
    assert field_label("pair", "prev.RV.TOT").startswith("上一年度表四")


def test_the_authoring_guide_tables_are_generated_from_the_registry(capsys):
    doc = (ROOT / "docs" / "RULES-AUTHORING.md").read_text(encoding="utf-8")
    block = doc.split("<!-- fields:begin (generated: xxgk-audit rules fields) -->\n", 1)[1].split("<!-- fields:end -->")[0]
    assert block == fields_markdown()
    assert cli.main(["rules", "fields"]) == 0 and capsys.readouterr().out == fields_markdown()
