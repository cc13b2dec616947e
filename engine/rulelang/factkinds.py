"""The rule–fact contract, read from rules/contract/facts.yaml: each kind of fact and the fields it has.

Rule packs are checked against it at load (a rule naming a field its kind lacks is refused), and
the Chinese names of fields, the rule-test baselines and the field tables of the authoring guide
come from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

import yaml

from xxgk_audit.engine.model import template

__all__ = ["FieldSpec", "FactKind", "fact_kinds", "field_label", "short_table_name", "fields_markdown"]

_CELL_KEY = re.compile(r"^([A-Z][A-Z0-9_]*)\.([A-Z_]+)$")
_FAMILY = re.compile(r"\{(cell|row|column|table|n)\}")


@dataclass(frozen=True)
class FieldSpec:
    name: str            # a field, or a family with a placeholder ("has.{row}", "{cell}")
    type: str
    label: str
    meaning: str

    @property
    def family(self) -> bool:
        return "{" in self.name


@dataclass(frozen=True)
class FactKind:
    name: str
    description: str
    fields: tuple[FieldSpec, ...]
    baseline: dict[str, Any] | None = None
    _exact: dict[str, FieldSpec] = field(default_factory=dict, compare=False, repr=False)

    def tables(self) -> tuple[str, ...]:
        """The tables whose keys this kind's families range over."""
        return (self.name,) if self.name in template.TABLE_NAMES else template.TABLE_NAMES

    def spec(self, name: str, formats: Iterable[str] = template.FORMATS) -> FieldSpec | None:
        """The declaration that covers `name` in any of `formats`, or None."""
        if name in self._exact:
            return self._exact[name]
        for spec in self.fields:
            if spec.family and _matches(spec.name, name, self.tables(), tuple(formats)):
                return spec
        return None


def _matches(family: str, name: str, tables: tuple[str, ...], formats: tuple[str, ...]) -> bool:
    prefix, _, rest = family.partition("{")
    placeholder, _, suffix = rest.partition("}")
    if not (name.startswith(prefix) and name.endswith(suffix)) or len(name) <= len(prefix) + len(suffix):
        return False
    value = name[len(prefix):len(name) - len(suffix)]
    if placeholder == "n":
        return value.isdigit()
    if placeholder == "table":
        return value in template.TABLE_NAMES
    layouts = [template.layout(t, f) for t in tables for f in formats or template.FORMATS]
    if placeholder == "row":
        return any(value in lay.row_keys() for lay in layouts)
    if placeholder == "column":
        return any(value in (c.key for c in lay.columns) for lay in layouts)
    m = _CELL_KEY.match(value)
    return m is not None and any((m.group(1), m.group(2)) in lay.cell_keys() for lay in layouts)


@lru_cache(maxsize=1)
def fact_kinds() -> dict[str, FactKind]:
    """Every fact kind by name (the file ships with the package; a malformed one is a bug)."""
    text = resources.files("xxgk_audit.rules").joinpath("contract", "facts.yaml").read_text(encoding="utf-8")
    kinds = {}
    for name, body in yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["kinds"].items():
        specs = tuple(FieldSpec(n, s["type"], s["label"], s["meaning"]) for n, s in body["fields"].items())
        kinds[name] = FactKind(name, body["description"], specs, body.get("baseline"),
                               {s.name: s for s in specs if not s.family})
    return kinds


def field_label(kind: str, name: str, fmt: str | None = None) -> str:
    """A field's name in Chinese: a cell by its table, row and column labels; else its label."""
    fmt = fmt if fmt in template.FORMATS else "2021"
    facts = fact_kinds().get(kind)
    base = name.split(".", 1)[1] if name.startswith(("prev.", "sum.")) else name
    m = _CELL_KEY.match(base)
    if m and facts is not None:
        for table in facts.tables():
            lay = template.layout(table, fmt)
            if (m.group(1), m.group(2)) in lay.cell_keys():
                row = lay.row(m.group(1))
                column = next(c for c in row.columns if c.key == m.group(2))
                words = f"{short_table_name(table)}「{row.label}」「{column.header}」"
                return {"prev.": "上一年度", "sum.": "下级报告合计："}.get(name[:name.find(".") + 1], "") + words
    spec = facts.spec(name) if facts is not None else None
    if spec is None:
        return name
    return _FAMILY.sub(lambda _: name.split(".", 1)[-1], spec.label) if spec.family else spec.label


def short_table_name(table: str) -> str:
    """表二, 表三, 表四: what readers of the report call its tables."""
    return "表" + template.CHINESE_NUMERALS[template.TABLE_SECTION[table] - 1]


def fields_markdown() -> str:
    """The field tables of docs/RULES-AUTHORING.md, one per fact kind."""
    out = []
    seen: dict[tuple[FieldSpec, ...], str] = {}
    for kind in fact_kinds().values():
        out.append(f"### `{kind.name}` — {kind.description}")
        if kind.fields in seen:
            out += [f"The fields of `{seen[kind.fields]}`.", ""]
            continue
        seen[kind.fields] = kind.name
        out += ["| field | type | 中文 | meaning |", "|---|---|---|---|"]
        out += [f"| `{s.name}` | {s.type} | {s.label} | {s.meaning} |" for s in kind.fields]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
