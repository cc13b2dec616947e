"""A condition in durable-rules' JSON form.

durable-rules compares one field of a fact with an expression, and has no `not` and no negated
regex; so comparisons are normalised to `field OP expression`, `not` is pushed down to the
comparisons, and regex tests are computed in Python into boolean "predicate" fields that the
durable condition then tests (Python's `re` semantics, which durable's own matcher lacks).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from xxgk_audit.engine.rulelang.expr import (BinOp, BoolOp, Compare, Const, Exists, ExprError, Field, Match, Node,
                                             Not)

__all__ = ["to_durable", "durable_field"]


def durable_field(name: str) -> str:
    """Fact field names in durable JSON: dots are not safe there."""
    return name.replace(".", "__")


_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_DURABLE_OP = {"==": "$eq", "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_DURABLE_ARITH = {"+": "$add", "-": "$sub", "*": "$mul", "/": "$div"}


def _linear_terms(node: Node, sign: int = 1) -> list[tuple[int, Node]]:
    """Flatten + and - into signed terms; other nodes are opaque terms."""
    if isinstance(node, BinOp) and node.op in "+-":
        right_sign = sign if node.op == "+" else -sign
        return _linear_terms(node.left, sign) + _linear_terms(node.right, right_sign)
    return [(sign, node)]


def _rebuild(terms: list[tuple[int, Node]]) -> Node:
    if not terms:
        return Const(0)
    sign, first = terms[0]
    node = first if sign > 0 else BinOp("-", Const(0), first)
    for sign, term in terms[1:]:
        node = BinOp("+" if sign > 0 else "-", node, term)
    return node


def _durable_value(node: Node) -> Any:
    if isinstance(node, Const):
        v = node.value
        return float(v) if isinstance(v, Decimal) else v
    if isinstance(node, Field):
        return {"$m": durable_field(node.name)}
    if isinstance(node, BinOp):
        return {_DURABLE_ARITH[node.op]: {"$l": _durable_value(node.left), "$r": _durable_value(node.right)}}
    raise ExprError(f"{type(node).__name__} cannot be used as a value in a condition")


def _compare_to_durable(node: Compare, negate: bool) -> dict:
    op = _NEGATE[node.op] if negate else node.op
    terms = _linear_terms(node.left) + [(-s, t) for s, t in _linear_terms(node.right)]
    pick = next((i for i, (s, t) in enumerate(terms) if isinstance(t, Field) and s > 0), None)
    if pick is None:
        pick = next((i for i, (s, t) in enumerate(terms) if isinstance(t, Field)), None)
        if pick is None:
            raise ExprError("a comparison needs a field on one side")
        terms = [(-s, t) for s, t in terms]
        op = _FLIP[op]
    _, field = terms.pop(pick)
    rest = _rebuild([(-s, t) for s, t in terms])     # field OP -(remaining terms)
    value = _durable_value(rest)
    name = durable_field(field.name)
    if op == "==" and not isinstance(value, dict):
        return {name: value}
    return {_DURABLE_OP[op]: {name: value}}


def to_durable(node: Node, predicate_name: Callable[[str, str], str], negate: bool = False) -> dict:
    """Compile a condition to a durable-rules JSON expression.

    `predicate_name(field, pattern)` names the boolean fact field that holds the regex result.
    """
    if isinstance(node, Not):
        return to_durable(node.item, predicate_name, not negate)
    if isinstance(node, BoolOp):
        op = node.op if not negate else ("or" if node.op == "and" else "and")
        return {f"${op}": [to_durable(i, predicate_name, negate) for i in node.items]}
    if isinstance(node, Compare):
        return _compare_to_durable(node, negate)
    if isinstance(node, Match):
        return {predicate_name(node.field.name, node.pattern): not (node.negated ^ negate)}
    if isinstance(node, Exists):
        op = "$nex" if node.negated ^ negate else "$ex"
        return {op: {durable_field(node.field.name): 1}}
    if isinstance(node, Field):       # a bare boolean field
        return {durable_field(node.name): not negate}
    if isinstance(node, Const) and isinstance(node.value, bool):
        raise ExprError("a constant condition is always true or always false")
    raise ExprError(f"{type(node).__name__} is not a condition")
