"""Test mode for rule packs: run every rule's pass / fail / not_assessable examples.

An example is a set of fields that differ from a clean fact of the rule's kind (a clean fact is
what a correct report of that format yields); `null` makes a field unknown. Like semgrep's test
mode, this lets an office check a local rule before using it, without writing Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xxgk_audit.engine.model import template
from xxgk_audit.engine.evaluation.evaluate import RuleEngine
from xxgk_audit.engine.evaluation.facts import Fact, build_facts
from xxgk_audit.engine.model.vocabulary import FAIL, NOT_ASSESSABLE, PASS
from xxgk_audit.engine.model.report import Cell, Report, Section, Table
from xxgk_audit.engine.readers.text import read_text
from xxgk_audit.engine.rulelang.factkinds import fact_kinds
from xxgk_audit.engine.rulelang.rulepack import Rule

__all__ = ["ExampleResult", "run_examples", "clean_report", "example_fact", "example_report"]

_YEAR = {"2019": 2020, "2021": 2023, "pre2019": 2017}
_SECTION_TEXT = {
    1: "2023年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开、依申请公开、"
       "政府信息管理、政府信息公开平台建设、监督保障等工作有序开展。",
    2: "",
    3: "",
    4: "",
    5: "存在的主要问题：一是公开内容不够丰富，政策解读形式单一；二是基层业务人员能力不足。"
       "改进情况：加强业务培训，完善公开制度；上年度报告所提栏目更新不及时的问题已整改落实。",
    6: "本年度未收取信息处理费。",
}


@dataclass
class ExampleResult:
    rule: str
    kind: str          # "pass" | "fail" | "not_assessable"
    index: int
    ok: bool
    detail: str


def clean_report(fmt: str) -> Report:
    """A correct report of format `fmt` built directly as a model (every count 0)."""
    year = _YEAR[fmt]
    agency = "某市某局"
    lay_fmt = fmt if fmt in template.FORMATS else "2021"
    report = Report(path=f"<clean-{fmt}>", kind="model", year=year, agency=agency,
                    format=lay_fmt, preamble_agency=agency,
                    title=f"{agency}{year}年政府信息公开工作年度报告", title_line=1,
                    period_text=f"统计期限为{year}年1月1日至{year}年12月31日", period_line=2)
    report.text = report.title + "\n" + report.period_text
    report.preamble = ("本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
                       "政府信息公开行政复议行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六部分组成。")
    for number, title in template.SECTION_TITLES.items():
        text = _SECTION_TEXT[number].replace("2023", str(year))
        report.sections.append(Section(number, title, text, start_line=number * 10, end_line=number * 10 + 9))
    for name in template.TABLE_NAMES:
        lay = template.layout(name, lay_fmt)
        table = Table(name=name, format=lay_fmt, rows_found=lay.row_keys(),
                      columns_found=[c.key for c in lay.columns], note_present=name == "applications")
        for r, c in lay.cell_keys():
            table.cells[(r, c)] = Cell(0, "0", "int")
        report.tables[name] = table
    return report


def _baseline(rule: Rule, fmt: str) -> dict[str, Any]:
    """The fact an example starts from: the kind's baseline in rules/contract/facts.yaml, else the
    fact a correct report of the format yields. Claim and pair facts also carry every table cell
    of that report (0), as the engine copies the cells a rule names."""
    facts = build_facts(clean_report(fmt))
    declared = fact_kinds()[rule.fact].baseline
    if declared is None:
        return next(f.fields for f in facts if f.kind == rule.fact)
    fields = {**declared, "format": fmt}
    if rule.fact in ("claim", "pair"):
        cells = {k: v for f in facts if f.kind in template.TABLE_NAMES for k, v in f.fields.items()
                 if "." in k and k.split(".")[0].isupper()}
        fields.update(cells)
        if rule.fact == "claim":
            fields["claim"] = rule.instances[0].name
        else:
            fields.update({f"prev.{k}": v for k, v in cells.items()})
    return fields


def example_fact(rule: Rule, example: dict[str, Any]) -> Fact:
    """The fact an example describes: the baseline with the example's fields set (null: unknown)."""
    fmt = str(example.get("format") or ("2021" if "2021" in rule.formats else rule.formats[0]))
    overrides = example.get("fact") or {}
    fields = dict(_baseline(rule, fmt))
    if rule.fact == "section" and "number" in overrides:
        number = overrides["number"]
        clean = build_facts(clean_report(fmt))
        fields = dict(next((f.fields for f in clean if f.kind == "section" and f.fields["number"] == number),
                           fields))
    for name, value in overrides.items():
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = value
    return Fact(rule.fact, fields)


def example_report(rule: Rule, example: dict[str, Any]) -> Report:
    """A text example as a document read by the text reader: a correct report whose section
    (`section`, else the claim's first) ends with the example's `text`, its tables the correct
    ones with the example's `cells` set."""
    fmt = str(example.get("format") or ("2021" if "2021" in rule.formats else rule.formats[0]))
    clean = clean_report(fmt)
    number = example.get("section") or (rule.instances[0].claim.sections[0] if rule.fact == "claim" else 1)
    lines = [clean.title, clean.preamble + f"本报告所列数据的{clean.period_text}。"]
    for sec in clean.sections:
        lines += [sec.title, sec.text + (example["text"] if sec.number == number else "")]
    report = read_text(f"<{rule.id} 示例>", text="\n".join(lines))
    report.tables, report.format = clean.tables, clean.format
    for key, value in (example.get("cells") or {}).items():
        row, col = key.split(".")
        table = next(t for t in clean.tables.values() if (row, col) in t.cells)
        number = Decimal(str(value)) if isinstance(value, float) else value     # money is exact
        table.cells[(row, col)] = Cell(number, "" if value is None else str(value),
                                       "blank" if value is None else "decimal" if isinstance(number, Decimal) else "int")
    return report


def _outcome(rule: Rule, engine: RuleEngine, example: dict[str, Any]) -> tuple[set[str], list[str]]:
    """The statuses of the rule's instances on the example, and the messages of its findings. A
    text example counts only the claims its sentences gave (a pattern that matches nothing is
    no outcome at all)."""
    if "text" not in example:
        return {status for _, _, status, _ in engine.evaluate_facts([example_fact(rule, example)])}, []
    report = example_report(rule, example)
    facts = engine.facts(report)
    statuses = {status for fact, inst, status, _ in engine.evaluate_facts(facts)
                if rule.fact != "claim" or (fact.kind == "claim" and fact.fields.get("claim") == inst.name)}
    findings, _ = engine.judge(report, facts)
    return statuses, [f.message for f in findings]


def run_examples(rules: list[Rule]) -> list[ExampleResult]:
    """Run each rule alone on each of its examples; an example passes when the rule's outcome
    is the one the example claims (fail: some instance fires, with `message` in a finding's
    message when given; pass: none fires and one passes; not_assessable: none fires and one
    cannot be assessed). A claim rule must have a text example that fails: its pattern is
    then shown to match the text it is written for."""
    results = []
    for rule in rules:
        engine = RuleEngine([rule])
        for kind in ("pass", "fail", "not_assessable"):
            for index, example in enumerate(rule.examples.get(kind, [])):
                statuses, messages = _outcome(rule, engine, example)
                if kind == "fail":
                    ok = FAIL in statuses and all(example["message"] in m for m in messages[:1]
                                                  if example.get("message"))
                elif kind == "pass":
                    ok = FAIL not in statuses and PASS in statuses
                else:
                    ok = FAIL not in statuses and NOT_ASSESSABLE in statuses
                detail = "、".join(sorted(statuses)) or "（无适用实例：句式未匹配）"
                if messages and kind == "fail":
                    detail += f"；{messages[0]}"
                results.append(ExampleResult(rule.id, kind, index, ok, detail))
        if rule.fact == "claim" and not any("text" in e for e in rule.examples.get("fail", [])):
            results.append(ExampleResult(rule.id, "fail", -1, False, "句式规则须有一个正文示例（text）"))
    return results
