"""Evaluation of rules on facts with durable-rules, following its safe subset.
(About 410 lines, the only module that talks to durable-rules: kept whole so that every hazard
it guards against is in one place.)

durable-rules 2.0.28 is unmaintained and has known hazards; this module is the only place that
talks to it, and it keeps to what is safe:

* rules are compiled once per process to its JSON ruleset form, one ruleset per fact kind and
  format (split in chunks: one assert that fires more than about 64 actions fails with error 303
  or corrupts the heap), every condition on a single fact (no joins: correlated joins crash its
  C core);
* every ruleset has a catch-all rule, so an unmatched fact never raises MessageNotHandledException
  (the catch-all tests the fact-kind field: a catch-all on `id` hangs the engine);
* one sid per report, one `assert_fact` call per fact (batch asserts finish actions on a background
  thread), the state checked for exceptions that actions raised (durable swallows them into the
  state), and `delete_state` after each report (it keeps every fact until then);
* the host's background dispatch threads are never started: all work is synchronous, and
  parallelism, where wanted, uses processes.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections import defaultdict
from decimal import Decimal
from typing import Any

from durable import engine as durable_engine

from xxgk_audit.engine.rulelang import durable_form, expr
from xxgk_audit.engine.evaluation.blank_cells import presumption
from xxgk_audit.engine.evaluation.facts import Context, Fact, build_facts, claim_facts, jsonable
from xxgk_audit.engine.evaluation.field_labels import cells_text, field_list
from xxgk_audit.engine.evaluation.findings import CROSS_REPORT, Check, Finding, FindingLocation
from xxgk_audit.engine.model.vocabulary import FAIL, NOT_APPLICABLE, NOT_ASSESSABLE, PASS
from xxgk_audit.engine.model.report import Report
from xxgk_audit.engine.rulelang.rulepack import Instance, Rule
from xxgk_audit.engine.model.template import TABLE_SECTION

__all__ = ["EngineError", "RuleEngine"]

# durable-rules calls datetime.utcfromtimestamp for every action, deprecated since Python 3.12.
warnings.filterwarnings("ignore", message="datetime.datetime.utcfromtimestamp", category=DeprecationWarning)

# The fact-kind discriminator in durable payloads: a name no rule field can take (fact fields
# never start with an underscore, and cell facts have a field called "kind").
_KIND = "_fact"
_SLOTS = ("2019", "2021", "mixed", "none", "pre2019")
# durable-rules fails (error 303, or heap corruption) when one assert fires more than about 64
# actions, so no ruleset holds more instances than this; a fact goes to every chunk of its slot.
_CHUNK = 40
_PLACEHOLDER = expr.PLACEHOLDER


class EngineError(RuntimeError):
    """The rules engine failed on a report (an action raised, or durable itself failed)."""


class _SyncHost(durable_engine.Host):
    """A durable host without its background dispatch threads."""

    def _run(self) -> None:  # noqa: D401 - durable's hook
        return None


class RuleEngine:
    """Compiled rules; `evaluate(report)` gives findings and checks. One instance per process."""

    _ids = itertools.count()

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self._serial = next(self._ids)
        self._fired: list[int] = []
        self._sids = itertools.count()
        # instances by fact kind, numbered; durable rulesets by (kind, format slot), in chunks
        self._numbered: dict[str, list[tuple[int, Instance]]] = defaultdict(list)
        self._chunks: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._payload_fields: dict[str, list[tuple[str, str]]] = {}
        # durable refuses a fact of more than ~250 properties: each chunk gets only the fields its
        # conditions compare (a pair fact for XREF-012 compares some 400 over all its instances)
        self._chunk_fields: dict[str, tuple[str, ...] | None] = {}
        # `field == constant` terms every instance of a chunk (or one instance) requires: a fact
        # with another value there cannot fire it (cross-report rules read one relation each)
        self._chunk_guard: dict[str, tuple[str, Any] | None] = {}
        self._guards: dict[int, list[tuple[str, Any]]] = {}
        self._relation: dict[int, tuple[str, Any] | None] = {}
        self._members: dict[str, set[int]] = defaultdict(set)     # instance numbers per format slot
        predicates: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
        rulesets: dict[str, dict[str, Any]] = {}
        numbers = itertools.count()
        for rule in rules:
            for inst in rule.instances:
                self._numbered[rule.fact].append((next(numbers), inst))
        for kind, numbered in self._numbered.items():
            preds = predicates[kind]

            def predicate(field: str, pattern: str, preds: dict = preds) -> str:
                return preds.setdefault((field, pattern), f"re__{len(preds)}")

            compiled = [(number, inst, _condition(inst, predicate)) for number, inst in numbered]
            self._guards.update((number, _guards(inst.when)) for number, inst in numbered)
            if kind == "pair":          # relation routes pair facts as the claim name routes claims
                self._relation.update((n, next((g for g in self._guards[n] if g[0] == "relation"), None))
                                      for n, _ in numbered)
            # only fields some condition compares go to durable (regexes go as predicate booleans)
            compared = {n: expr.fields_of(i.when, tested=True, matched=False) for n, i in numbered}
            names = set().union(*compared.values())
            names |= {"claim"} if kind == "claim" else set()
            self._payload_fields[kind] = [(n, durable_form.durable_field(n)) for n in sorted(names)]
            for slot in _SLOTS:
                members = [(n, c) for n, inst, c in compiled if slot in _slots(inst)]
                self._members[slot].update(n for n, _ in members)
                chunks = [members[start:start + _CHUNK] for start in range(0, len(members), _CHUNK)]
                for index, chunk in enumerate(chunks):
                    name = f"xxgk{self._serial}_{kind}_{slot}_{index}"
                    self._chunks[(kind, slot)].append(name)
                    rulesets[name] = self._ruleset(kind, chunk)
                    fields = {durable_form.durable_field(f) for n, _ in chunk for f in compared[n]}
                    fields |= {"sid", "id", _KIND, *preds.values()}
                    self._chunk_fields[name] = None if len(chunks) == 1 else tuple(sorted(fields))
                    shared = set.intersection(*(set(self._guards[n]) for n, _ in chunk))
                    self._chunk_guard[name] = min(shared, key=repr) if shared else None
        self._predicates = {k: [(f, re.compile(p), n) for (f, p), n in v.items()] for k, v in predicates.items()}
        # claim rules: which sentences each instance reads, and the table fields it compares
        self._claims = [(inst.name, inst.claim, inst.required | expr.fields_of(inst.expected or expr.Const(0))
                         | expr.fields_of(inst.actual or expr.Const(0)))
                        for _, inst in self._numbered.get("claim", ())]
        self._host = _SyncHost()
        # registered with durable on first use: a report meets the rulesets of its own format only,
        # and registering all of them would be most of a one-report check's start-up
        self._unregistered = rulesets

    def _ruleset(self, kind: str, members: list[tuple[int, dict]]) -> dict[str, Any]:
        ruleset: dict[str, Any] = {
            f"r{number}": {"all": [{"m": {"$and": [{_KIND: kind}, cond]}}], "run": self._action(number)}
            for number, cond in members}
        ruleset["catch_all"] = {"all": [{"m": {"$ex": {_KIND: 1}}}], "run": _ignore}
        return ruleset

    def _action(self, number: int):
        def fire(c: Any) -> None:
            self._fired.append(number)
        return fire

    # ---- evaluation ----------------------------------------------------------------------------
    def evaluate(self, report: Report, ctx: Context | None = None) -> tuple[list[Finding], list[Check]]:
        """Findings (in rule order, then fact order) and one Check per rule."""
        return self.judge(report, self.facts(report, ctx))

    def facts(self, report: Report, ctx: Context | None = None) -> list[Fact]:
        """The facts of a report these rules read: the model's, and the claims of their sentences."""
        facts = build_facts(report, ctx)
        if self._claims:
            facts += claim_facts(report, facts, self._claims)
        return facts

    def judge(self, report: Report, facts: list[Fact]) -> tuple[list[Finding], list[Check]]:
        """Findings and one Check per rule on facts of one report (built by `evaluate`, or elsewhere:
        the pair facts of the cross-report step)."""
        results = self.evaluate_facts(facts)
        findings = [self._finding(inst, fact, report) for fact, inst, status, _ in results if status == FAIL]
        order = {r.id: i for i, r in enumerate(self.rules)}
        findings.sort(key=lambda f: order[f.rule])
        statuses: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for _, inst, status, reason in results:
            statuses[inst.rule.id].append((status, reason))
        return findings, [_summarise(rule, statuses.get(rule.id, []), report) for rule in self.rules]

    def evaluate_facts(self, facts: list[Fact]) -> list[tuple[Fact, Instance, str, str | tuple[str, ...]]]:
        """(fact, instance, status, reason) for every rule instance on every fact of one report; the
        reason of an instance not assessable for want of fields is the tuple of those fields."""
        sid = f"s{next(self._sids)}"
        results = []
        used: set[str] = set()
        try:
            for number, fact in enumerate(facts):
                fired: set[int] = set()
                chunks = self._chunks.get((fact.kind, _slot(fact.fields.get("format"))), ())
                payload = self._payload(fact, sid, number) if chunks else {}
                for ruleset in chunks:
                    if _excluded(self._chunk_guard[ruleset], fact.fields):
                        continue
                    used.add(ruleset)
                    keep = self._chunk_fields[ruleset]
                    body = payload if keep is None else {k: payload[k] for k in keep if k in payload}
                    fired |= self._assert(ruleset, fact.kind, body)
                fmt = fact.fields.get("format")
                members = self._members[_slot(fmt)]
                outside = (NOT_ASSESSABLE, "格式版本无法确定") if fmt is None else (NOT_APPLICABLE, "")
                claim = fact.fields.get("claim") if fact.kind == "claim" else None
                for inst_number, inst in self._numbered.get(fact.kind, ()):
                    if fact.kind == "pair" and _excluded(self._relation.get(inst_number), fact.fields):
                        continue        # a pair of another relation: this rule did not see its kind
                    if claim is not None and claim != inst.name:
                        results.append((fact, inst, NOT_APPLICABLE, ""))
                    elif inst_number not in members:
                        results.append((fact, inst, *outside))
                    else:
                        results.append((fact, inst, *self._status(inst_number, inst, fact, fired)))
        finally:
            for ruleset in used:
                try:
                    self._host.delete_state(ruleset, sid)
                except Exception:  # durable raises when a sid never received a fact
                    pass
        return results

    def _payload(self, fact: Fact, sid: str, number: int) -> dict[str, Any]:
        """The durable fact: the fields conditions test, and the regex predicates computed here."""
        payload: dict[str, Any] = {"sid": sid, "id": number, _KIND: fact.kind}
        fields = fact.fields
        for name, durable_name in self._payload_fields[fact.kind]:
            if name in fields:
                payload[durable_name] = jsonable(fields[name])
        for field, pattern, name in self._predicates.get(fact.kind, ()):
            value = fields.get(field)
            payload[name] = value is not None and pattern.search(str(value)) is not None
        return payload

    def _assert(self, ruleset: str, kind: str, payload: dict[str, Any]) -> set[int]:
        self._fired.clear()
        try:
            if ruleset in self._unregistered:
                self._host.set_rulesets({ruleset: self._unregistered.pop(ruleset)})
            state = self._host.assert_fact(ruleset, payload)
        except Exception as exc:
            raise EngineError(f"durable-rules failed on a {kind} fact: {exc}") from exc
        if isinstance(state, dict) and state.get("exception"):
            raise EngineError(f"a rule action raised: {str(state['exception']).splitlines()[0][:300]}")
        return set(self._fired)

    def _status(self, number: int, inst: Instance, fact: Fact, fired: set[int]) -> tuple[str, str | tuple[str, ...]]:
        """The outcome of an instance that applies to the fact (its claim and its format)."""
        if any(_excluded(guard, fact.fields) for guard in self._guards[number]):
            return PASS, ""
        if not inst.required <= fact.fields.keys():
            missing = [f for f in inst.required if f not in fact.fields]
            # durable has no "unknown": decide with three-valued logic, so that `a or b` with b
            # unknown still fails when a holds, and is not assessable only when the outcome hangs
            # on the unknown value.
            outcome = expr.evaluate(inst.when, fact.fields)
            if outcome is None:
                return NOT_ASSESSABLE, tuple(sorted(missing))
            return (FAIL, "") if outcome else (PASS, "")
        if number not in fired:
            return PASS, ""
        if any(isinstance(fact.fields.get(f), Decimal) for f in inst.required):
            # durable compares doubles; money is confirmed with exact Decimal arithmetic
            return (FAIL, "") if expr.evaluate(inst.when, fact.fields) else (PASS, "")
        return FAIL, ""

    def _finding(self, inst: Instance, fact: Fact, report: Report) -> Finding:
        rule = inst.rule
        expected = expr.evaluate(inst.expected, fact.fields) if inst.expected else None
        actual = expr.evaluate(inst.actual, fact.fields) if inst.actual else None
        params: dict[str, Any] = {**fact.fields, "expected": expected, "actual": actual}
        wording = expr.substitute(rule.message, inst.bindings)
        fmt = fact.fields.get("format")
        message = _PLACEHOLDER.sub(lambda m: _show(params.get(m.group(1)), fmt), wording)
        # lists the message names (the blank cells of a table) are given whole in the evidence
        evidence: dict[str, Any] = {m.group(1).split(".")[0]: list(params[m.group(1)])
                                    for m in _PLACEHOLDER.finditer(wording)
                                    if isinstance(params.get(m.group(1)), (list, tuple))}
        presumed, note = presumption(inst.required | expr.fields_of(inst.expected or expr.Const(0))
                                     | expr.fields_of(inst.actual or expr.Const(0)), fact.presumed, fmt)
        evidence.update(presumed)
        message += note
        return Finding(rule=rule.id, severity=inst.bindings.get("severity", rule.severity),
                       title=rule.title, message=message,
                       source=rule.source, location=_locate(inst, fact, report),
                       expected=expected, actual=actual, evidence={**_evidence(fact), **evidence})


def _ignore(c: Any) -> None:
    return None


def _guards(node: expr.Node) -> list[tuple[str, Any]]:
    """The `field == constant` terms a condition requires (top-level `and` items, or itself)."""
    items = node.items if isinstance(node, expr.BoolOp) and node.op == "and" else (node,)
    return [(i.left.name, i.right.value) for i in items if isinstance(i, expr.Compare) and i.op == "=="
            and isinstance(i.left, expr.Field) and isinstance(i.right, expr.Const)
            and isinstance(i.right.value, (str, int))]


def _excluded(guard: tuple[str, Any] | None, fields: dict[str, Any]) -> bool:
    """Whether a known value of the fact makes the guard false."""
    if guard is None:
        return False
    value = fields.get(guard[0])
    return value is not None and value != guard[1]


def _condition(inst: Instance, predicate) -> dict:
    """The durable condition of an instance; a claim instance reads only its own claim facts."""
    cond = durable_form.to_durable(inst.when, predicate)
    return {"$and": [{"claim": inst.name}, cond]} if inst.claim is not None else cond


def _slots(inst: Instance) -> set[str]:
    """The format slots (fact `format` values) whose rulesets include this instance."""
    slots = set(inst.formats)
    if inst.formats & {"2019", "2021"}:
        slots.add("mixed")
    if {"2019", "2021"} <= inst.formats:
        slots.add("none")
    return slots


def _slot(fmt: str | None) -> str:
    return fmt or "none"


def _show(value: Any, fmt: str | None = None) -> str:
    if value is None:
        return "（未知）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):        # cell keys: in the template's words
        return cells_text([str(v) for v in value], fmt)
    if isinstance(value, Decimal) and value.as_tuple().exponent < -4:   # a computed ratio: 45.45
        return str(value.quantize(Decimal("0.01")))
    return str(value)


def _summarise(rule: Rule, results: list[tuple[str, str | tuple[str, ...]]], report: Report) -> Check:
    states = [s for s, _ in results]
    if FAIL in states:
        return Check(rule.id, FAIL)
    if PASS in states:
        return Check(rule.id, PASS)
    if NOT_ASSESSABLE in states:
        # once per rule: the fields missing over all its instances, in the template's words
        reasons = sorted({r for s, r in results if s == NOT_ASSESSABLE and isinstance(r, str) and r})
        missing = [f for s, r in results if s == NOT_ASSESSABLE and isinstance(r, tuple) for f in r]
        if missing:
            reasons.append(f"缺少或无法读取：{field_list(missing, rule.fact, report.format, most=8)}")
        return Check(rule.id, NOT_ASSESSABLE, reasons)
    if results:
        return Check(rule.id, NOT_APPLICABLE)
    # no fact of the rule's kind at all
    if rule.fact in ("cell", "label") and report.tables:
        return Check(rule.id, PASS)   # these facts exist only for cells and labels worth a look
    if rule.fact == "pair":
        return Check(rule.id, NOT_ASSESSABLE, [CROSS_REPORT])
    return Check(rule.id, NOT_APPLICABLE)


def _locate(inst: Instance, fact: Fact, report: Report) -> FindingLocation:
    """Where a finding points: the rule's location template, completed from the model."""
    f = fact.fields
    spec = {}
    for key, value in inst.rule.location.items():      # {placeholders}: bindings, then fact fields
        text = expr.substitute(str(value), inst.bindings)
        if "{" in text:
            text = _PLACEHOLDER.sub(lambda m: str(f[m.group(1)]) if isinstance(f.get(m.group(1)), (str, int))
                                    else m.group(0), text)
        if "{" not in text:
            spec[key] = text
    loc = FindingLocation()
    if fact.kind in ("claim", "section"):
        loc.section, loc.line = f.get("section", f.get("number")), f.get("line")
        loc.page = f.get("page", fact.ref.page if fact.ref is not None else None)
        heading = fact.ref.location.element if fact.kind == "section" and fact.ref is not None else None
        loc.element = f.get("element", heading)         # a claim: its sentence's; a section: its heading's
    elif fact.kind in ("cell", "label"):
        loc.table, loc.line = f.get("table"), f.get("line")
        loc.row = f.get("key") if fact.kind == "label" and f.get("role") == "row" else f.get("row")
        loc.column = f.get("key") if fact.kind == "label" and f.get("role") == "column" else f.get("column")
    elif fact.kind != "report":
        loc.table = fact.kind
        loc.row, loc.column = inst.bindings.get("row"), inst.bindings.get("column")
    if "line" in spec:
        loc.line = f.get(spec.pop("line"))
    loc.table = spec.get("table", loc.table)
    loc.row = spec.get("row", loc.row)
    loc.column = spec.get("column", loc.column)
    if "section" in spec:
        loc.section = int(spec["section"])
    if loc.table and loc.section is None:
        loc.section = TABLE_SECTION.get(loc.table)
    model_loc = _model_location(report, loc) if fact.kind != "claim" else None
    if model_loc is not None:
        loc.line = loc.line or model_loc.line
        loc.page, loc.element = model_loc.page, model_loc.element
    if loc.line is None and loc.section is not None:
        sec = report.section(loc.section)
        if sec is not None:
            loc.line, loc.page = sec.start_line, loc.page or sec.page
            loc.element = loc.element or sec.location.element
    return loc


def _model_location(report: Report, loc: FindingLocation):
    """The source location of the cell, row or table a finding names."""
    table = report.tables.get(loc.table or "")
    if table is None:
        return None
    if loc.row and loc.column and (loc.row, loc.column) in table.cells:
        return table.cells[(loc.row, loc.column)].location
    if loc.row:
        cell = next((c for (r, _), c in table.cells.items() if r == loc.row), None)
        if cell is not None:
            return cell.location
    return table.location


def _evidence(fact: Fact) -> dict[str, Any]:
    """What a finding is about, beyond its location: a claim finding's sentence as written."""
    if fact.kind != "claim":
        return {}
    return {"sentence": fact.fields.get("sentence_as_written", fact.fields.get("sentence"))}
