"""The tool's own findings (READ-…, ENGINE-…), declared as data in rules/tool/findings.yaml.

They carry no condition: the reader or the engine meets the situation and raises one by id. Being
declared gives each a title, a source and a description for every output, like the rule packs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

__all__ = ["ToolRule", "tool_rules"]

_SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class ToolRule:
    id: str
    title: str
    severity: str
    source: str
    description: str
    formats: tuple[str, ...] = ("2019", "2021", "pre2019")     # about the file, whatever its format

    @property
    def category(self) -> str:
        return self.id.split("-", 1)[0]


@lru_cache(maxsize=1)
def tool_rules() -> dict[str, ToolRule]:
    """Every declared tool finding by id (the file is part of the package; a malformed entry is a bug)."""
    text = resources.files("xxgk_audit.rules").joinpath("tool", "findings.yaml").read_text(encoding="utf-8")
    rules: dict[str, ToolRule] = {}
    for entry in yaml.safe_load(text)["findings"]:
        rule = ToolRule(entry["id"], entry["title"], entry["severity"], entry["source"], entry["description"])
        if rule.severity not in _SEVERITIES or rule.id in rules:
            raise ValueError(f"rules/tool/findings.yaml: bad entry {rule.id}")
        rules[rule.id] = rule
    return rules
