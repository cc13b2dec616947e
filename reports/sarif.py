"""SARIF 2.1.0 output (`check --format sarif`), for code-scanning dashboards.

One run; `tool.driver.rules` holds every rule that ran with its Chinese short description and a
help text; each finding is a result with a stable `ruleId`, a physical location (file and line;
the PDF page and the table cell go to `properties` and a logical location) and a
`partialFingerprints` entry that does not depend on line numbers, so a dashboard can follow a
finding when text above it moves. Results are streamed one report at a time.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from xxgk_audit.engine import __version__
from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.evaluation.fingerprint import fingerprint
from xxgk_audit.engine.evaluation.facts import jsonable
from xxgk_audit.engine.evaluation.findings import Finding
from xxgk_audit.engine.rulelang.rulepack import Rule
from xxgk_audit.engine.rulelang.tool_rules import ToolRule, tool_rules
from . import Summary
from .json_report import dumps

__all__ = ["SarifRenderer", "SARIF_SCHEMA"]

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _rule_descriptor(rule: Rule | ToolRule) -> dict[str, Any]:
    help_text = f"{rule.title}\n依据：{rule.source}" + (f"\n{rule.description}" if rule.description else "")
    return {"id": rule.id, "name": rule.id.replace("-", ""),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.description or rule.title},
            "help": {"text": help_text},
            "defaultConfiguration": {"level": _LEVELS[rule.severity]},
            "properties": {"tags": [rule.category], "source": rule.source,
                           "formats": list(rule.formats)}}


class SarifRenderer:
    def __init__(self, out: IO[str], rules: list[Rule]):
        self.out = out
        self._rules: list[Rule | ToolRule] = [*rules, *tool_rules().values()]    # the tool's own findings too
        self._index = {rule.id: i for i, rule in enumerate(self._rules)}
        self._count = 0

    def start(self) -> None:
        driver = {"name": "xxgk-audit", "version": __version__, "semanticVersion": __version__,
                  "rules": [_rule_descriptor(r) for r in self._rules]}
        self.out.write(f'{{"$schema": {dumps(SARIF_SCHEMA)}, "version": "2.1.0", "runs": [{{'
                       f'"tool": {{"driver": {dumps(driver)}}}, "columnKind": "unicodeCodePoints", "results": [')

    def add(self, result: ReportResult) -> None:
        uri = Path(result.path).as_posix()
        for finding in result.findings:
            self.out.write(("\n" if self._count == 0 else ",\n") + dumps(self._result(uri, result, finding)))
            self._count += 1

    def _result(self, uri: str, result: ReportResult, finding: Finding) -> dict[str, Any]:
        loc = finding.location
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        if loc.line:
            physical["region"] = {"startLine": loc.line}
        keys = [k for k in (loc.table, loc.row, loc.column) if k]
        location: dict[str, Any] = {"physicalLocation": physical}
        if keys or loc.section:
            name = "/".join(([f"section{loc.section}"] if loc.section else []) + keys)
            location["logicalLocations"] = [{"fullyQualifiedName": name, "kind": "element"}]
        properties = {k: v for k, v in loc.to_dict().items() if v is not None and k != "line"}
        if finding.expected is not None or finding.actual is not None:
            properties.update(expected=jsonable(finding.expected), actual=jsonable(finding.actual))
        out: dict[str, Any] = {
            "ruleId": finding.rule, "ruleIndex": self._index.get(finding.rule, -1),
            "level": _LEVELS[finding.severity],
            "message": {"text": f"{finding.title}：{finding.message}"},
            "locations": [location],
            "partialFingerprints": {"xxgkFinding/v1": fingerprint(result, finding)},
        }
        if out["ruleIndex"] < 0:
            del out["ruleIndex"]
        if properties:
            out["properties"] = properties
        return out

    def finish(self, summary: Summary) -> None:
        end = "\n]" if self._count else "]"
        self.out.write(f'{end}, "properties": {{"summary": {dumps(summary.to_dict())}}}}}]}}\n')

