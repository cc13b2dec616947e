"""Rule packs: YAML files of declarative rules, validated against rules/schema.json and expanded.

A rule reads one kind of fact. `for_each` expands it into instances, one per row, column or cell
of the fact's table in each format the rule covers; each instance has its own condition, message
bindings and location. Every field a rule names must be one its fact kind has (rules/contract/facts.yaml,
engine/rulelang/factkinds.py). Nothing here touches durable-rules: see engine/evaluation/evaluate.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from xxgk_audit.engine.rulelang import durable_form, expr, pack_cache
from xxgk_audit.engine.rulelang.factkinds import fact_kinds
from xxgk_audit.engine.model import template
from xxgk_audit.engine.model.numbers import NUMBER

__all__ = ["RuleError", "Rule", "Instance", "load_packs", "builtin_pack_dir", "fact_field_names"]

TABLE_KINDS = ("disclosure", "applications", "review_litigation")


class RuleError(ValueError):
    """An invalid rule pack: names the file and the rule."""


@dataclass(frozen=True)
class ClaimSpec:
    """Which sentences a claim rule instance reads (see the `claim` block of the rule schema)."""

    pattern: re.Pattern
    exclude: re.Pattern | None
    sections: tuple[int, ...]


@dataclass(frozen=True)
class Instance:
    """One expansion of a rule: e.g. ARITH-001 for row A1."""

    rule: "Rule"
    key: str                          # "" for unexpanded rules, else "A1", "NP", "A1.NP"
    bindings: dict[str, str]
    formats: frozenset[str]           # formats in which this instance exists
    when: expr.Node
    required: frozenset[str]          # fields whose unknown value makes the instance not assessable
    expected: expr.Node | None
    actual: expr.Node | None
    claim: ClaimSpec | None = None

    @property
    def name(self) -> str:
        return f"{self.rule.id}/{self.key}" if self.key else self.rule.id


@dataclass
class Rule:
    id: str
    title: str
    severity: str
    formats: tuple[str, ...]
    source: str
    fact: str
    when: str
    message: str
    examples: dict[str, list[dict[str, Any]]]
    pack: str
    path: str
    description: str = ""
    for_each: Any = None
    expected: str | None = None
    actual: str | None = None
    location: dict[str, Any] = field(default_factory=dict)
    claim: dict[str, Any] | None = None
    instances: list[Instance] = field(default_factory=list)

    @property
    def category(self) -> str:
        return self.id.split("-", 1)[0]


def builtin_pack_dir() -> Path:
    return Path(str(resources.files("xxgk_audit.rules")))


_SCHEMA: dict | None = None


def _schema() -> dict:
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = json.loads((builtin_pack_dir() / "schema.json").read_text(encoding="utf-8"))
    return _SCHEMA


# ---- the fields a fact of each kind carries, per format (also used for sum() and examples) ------
def table_field_names(kind: str, fmt: str) -> list[str]:
    lay = template.layout(kind, fmt)
    return [f"{r}.{c}" for r, c in lay.cell_keys()]


def fact_field_names(kind: str, fmt: str) -> list[str]:
    """Cell fields a fact of this kind may carry, in template order (for sum() globs): its own
    table's, or every table's for kinds that carry copies of cells (report, claim, pair)."""
    if kind in TABLE_KINDS:
        return table_field_names(kind, fmt)
    return [name for table in TABLE_KINDS for name in table_field_names(table, fmt)]


def _loop_values(rule: Rule, fmt: str) -> list[tuple[str, dict[str, str]]]:
    """(instance key, bindings) for one format."""
    spec = rule.for_each
    if spec is None:
        return [("", {})]
    if isinstance(spec, dict):
        (var, values), = spec.items()
        labels = {}
        if var == "row" and rule.fact in TABLE_KINDS:
            labels = {r.key: r.label for r in template.layout(rule.fact, fmt).rows}
        out = []
        for v in values:       # a value, or {key: value, other: …} binding more placeholders
            extra = {k: str(x) for k, x in v.items() if k != "key"} if isinstance(v, dict) else {}
            key = str(v["key"]) if isinstance(v, dict) else v
            bindings = {var: key, **extra}
            if var == "row":
                bindings.setdefault("row_label", labels.get(key, key))
            out.append((key, bindings))
        return out
    if rule.fact not in TABLE_KINDS and rule.fact != "pair":
        raise RuleError(f"{rule.path}: {rule.id}: for_each: {spec} needs a table fact")
    if rule.fact == "pair" and spec == "cell":      # a pair carries the cells of all three tables
        return [(f"{r.key}.{c.key}", {"table": table, "table_title": template.TABLE_TITLES[table], "row": r.key,
                                      "row_label": r.label, "column": c.key, "column_header": c.header})
                for table in TABLE_KINDS for r in template.layout(table, fmt).rows for c in r.columns]
    lay = template.layout("applications" if rule.fact == "pair" else rule.fact, fmt)
    if spec == "row":
        return [(r.key, {"row": r.key, "row_label": r.label}) for r in lay.rows]
    if spec == "column":
        return [(c.key, {"column": c.key, "column_header": c.header}) for c in lay.columns]
    return [(f"{r.key}.{c.key}", {"row": r.key, "row_label": r.label, "column": c.key,
                                  "column_header": c.header})
            for r in lay.rows for c in r.columns]


def _expand(rule: Rule) -> list[Instance]:
    _check_examples(rule)
    per_key: dict[str, tuple[dict[str, str], set[str]]] = {}
    for fmt in rule.formats:
        for key, bindings in _loop_values(rule, fmt):
            per_key.setdefault(key, (bindings, set()))[1].add(fmt)
    instances = []
    for key, (bindings, formats) in per_key.items():
        fmt = "2019" if formats == {"2019"} else "2021"
        names = fact_field_names(rule.fact, fmt)

        def compile_expr(text: str | None) -> expr.Node | None:
            if text is None:
                return None
            try:
                return expr.expand_sums(expr.parse(expr.substitute(text, bindings)), names)
            except expr.ExprError as exc:
                raise RuleError(f"{rule.path}: {rule.id}: {exc}") from None

        when = compile_expr(rule.when)
        assert when is not None
        expected, actual = compile_expr(rule.expected), compile_expr(rule.actual)
        _check_fields(rule, bindings, formats, [when, expected, actual])
        try:    # durable's form is checked here, so that a bad condition names its file and rule
            durable_form.to_durable(when, lambda field, pattern: "predicate")
        except expr.ExprError as exc:
            raise RuleError(f"{rule.path}: {rule.id}: {exc}") from None
        instances.append(Instance(
            rule=rule, key=key, bindings=bindings, formats=frozenset(formats), when=when,
            required=frozenset(expr.fields_of(when)),
            expected=expected, actual=actual, claim=_claim_spec(rule, bindings)))
    return instances


def _check_fields(rule: Rule, bindings: dict[str, str], formats: set[str], nodes: list[expr.Node | None]) -> None:
    """Refuse a rule that names a field its fact kind does not have: in its condition, its
    expected/actual expressions, its message placeholders or its location."""
    kind = fact_kinds()[rule.fact]
    names = set().union(*(expr.fields_of(n, tested=True) for n in nodes if n is not None))
    names |= set(expr.PLACEHOLDER.findall(expr.substitute(rule.message, bindings))) - {"expected", "actual"}
    for key, value in rule.location.items():
        text = expr.substitute(str(value), bindings)
        names |= {text} if key == "line" else set(expr.PLACEHOLDER.findall(text))
    unknown = sorted(n for n in names if kind.spec(n, sorted(formats & set(template.FORMATS))) is None)
    if unknown:
        raise RuleError(f"{rule.path}: {rule.id}: fact kind {rule.fact!r} has no field "
                        f"{', '.join(unknown)} (the fields of each kind: xxgk-audit rules fields)")


def _check_examples(rule: Rule) -> None:
    """An example may only set fields its rule's fact kind has (else it tests nothing real)."""
    kind = fact_kinds()[rule.fact]
    formats = sorted(set(rule.formats) & set(template.FORMATS))
    unknown = sorted({name for examples in rule.examples.values() for example in examples
                      for name in (example.get("fact") or {}) if kind.spec(name, formats) is None})
    if unknown:
        raise RuleError(f"{rule.path}: {rule.id}: examples set field(s) {', '.join(unknown)} that fact kind "
                        f"{rule.fact!r} does not have")


def _claim_spec(rule: Rule, bindings: dict[str, str]) -> ClaimSpec | None:
    if (rule.fact == "claim") != (rule.claim is not None):
        raise RuleError(f"{rule.path}: {rule.id}: a claim block goes with fact: claim, and only with it")
    if rule.claim is None:
        return None

    def compiled(text: str | None) -> re.Pattern | None:
        if text is None:
            return None
        try:
            return re.compile(expr.substitute(text, bindings).replace("{N}", NUMBER))
        except re.error as exc:
            raise RuleError(f"{rule.path}: {rule.id}: invalid claim pattern: {exc}") from None

    pattern = compiled(rule.claim["pattern"])
    assert pattern is not None
    return ClaimSpec(pattern, compiled(rule.claim.get("exclude")),
                     tuple(rule.claim.get("sections") or range(1, 7)))


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)     # libyaml when present: ~10x faster
_LOADED: dict[tuple[str, int, int], list[Rule]] = {}


def _load_file(path: Path) -> list[Rule]:
    """The rules of one pack file, loaded once per process while the file is unchanged (worker
    processes forked from a parent that loaded them find them here)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise RuleError(f"{path}: cannot read rule pack: {exc}".splitlines()[0]) from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _LOADED:
        _LOADED[key] = _parse_file(path)
    return list(_LOADED[key])


def _parse_file(path: Path) -> list[Rule]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleError(f"{path}: cannot read rule pack: {exc}".splitlines()[0]) from None
    return pack_cache.cached(path, raw, lambda: _parse_pack(path, raw))


def _parse_pack(path: Path, raw: bytes) -> list[Rule]:
    import jsonschema       # only when a pack is not in the cache: it costs a tenth of a second to import

    try:
        data = yaml.load(raw.decode("utf-8"), Loader=_YAML_LOADER)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleError(f"{path}: cannot read rule pack: {exc}".splitlines()[0]) from None
    errors = sorted(jsonschema.Draft202012Validator(_schema()).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        raise RuleError(f"{path}: {where}: {err.message}")
    rules = []
    for raw in data["rules"]:
        rule = Rule(pack=data["pack"], path=str(path), **raw)
        rule.formats = tuple(str(f) for f in rule.formats)
        rule.instances = _expand(rule)
        rules.append(rule)
    return rules


def load_packs(extra_dirs: list[str | Path] = (), builtin: bool = True) -> list[Rule]:
    """Load the built-in packs and any extra pack folders (or files); ids must be unique."""
    sources: list[Path] = []
    if builtin:
        sources.extend(sorted(builtin_pack_dir().glob("*.yaml")))
    for d in extra_dirs:
        p = Path(d)
        if p.is_dir():
            sources.extend(sorted(list(p.glob("*.yaml")) + list(p.glob("*.yml"))))
        elif p.is_file():
            sources.append(p)
        else:
            raise RuleError(f"{p}: no such rule pack file or folder")
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in sources:
        for rule in _load_file(path):
            if rule.id in seen:
                raise RuleError(f"{path}: rule id {rule.id} is already defined in {seen[rule.id]}")
            seen[rule.id] = str(path)
            rules.append(rule)
    return sorted(rules, key=lambda r: _id_sort_key(r.id))


def _id_sort_key(rule_id: str) -> tuple:
    prefix, _, number = rule_id.partition("-")
    order = ["META", "STRUCT", "CELL", "ARITH", "TEXT", "XREF"]
    return (order.index(prefix) if prefix in order else len(order), prefix, number)
