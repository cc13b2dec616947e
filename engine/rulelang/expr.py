"""The condition language of rule packs: parsing and exact evaluation (the durable-rules form of a
condition is made in durable_form.py).

A condition is a small boolean expression over the fields of one fact, e.g.

    A1.TOT + A2.TOT != B7.TOT + C.TOT
    number == 6 and not text ~ "信息处理费|收费"
    format in ["2019", "2021"] and exists(published) and published > (year + 1) * 10000 + 131

Grammar (no eval, no attribute access, no calls but the few below):

    or     := and ("or" and)*          and := not ("and" not)*        not := "not" not | cmp
    cmp    := sum (OP sum | "~" STRING | "!~" STRING | "in" "[" literal,* "]")?
    sum    := term (("+"|"-") term)*   term := unary (("*"|"/") unary)*
    unary  := "-" unary | atom
    atom   := NUMBER | STRING | true | false | FIELD | "(" or ")"
            | exists(FIELD) | missing(FIELD) | sum(PATTERN) | match(FIELD, STRING)

"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fnmatch import fnmatchcase
from typing import Any

__all__ = ["ExprError", "parse", "Node", "Field", "Const", "BinOp", "Compare", "Match", "Exists",
           "BoolOp", "Not", "SumOf", "MatchText", "fields_of", "evaluate", "expand_sums", "substitute",
           "PLACEHOLDER"]


class ExprError(ValueError):
    """A condition or expression that cannot be parsed or compiled."""


# ---- AST ---------------------------------------------------------------------------------------
class Node:
    pass


@dataclass(frozen=True)
class Field(Node):
    name: str


@dataclass(frozen=True)
class Const(Node):
    value: Any


@dataclass(frozen=True)
class BinOp(Node):
    op: str            # + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare(Node):
    op: str            # == != < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True)
class Match(Node):
    field: Field
    pattern: str
    negated: bool = False


@dataclass(frozen=True)
class Exists(Node):
    field: Field
    negated: bool = False


@dataclass(frozen=True)
class BoolOp(Node):
    op: str            # and | or
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not(Node):
    item: Node


@dataclass(frozen=True)
class SumOf(Node):
    pattern: str       # glob over field names, expanded at compile time


@dataclass(frozen=True)
class MatchText(Node):
    """match(field, "re"): the first match of a regex; for messages, not for conditions."""
    field: Field
    pattern: str


# ---- tokenizer and parser ----------------------------------------------------------------------
_TOKEN = re.compile(r"""
    \s*(?:
      (?P<num>\d+(?:\.\d+)?)
    | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<op>==|!=|<=|>=|!~|[<>~+\-*/(),\[\]])
    | (?P<name>[A-Za-z_\u4e00-\u9fff][\w.*\u4e00-\u9fff]*)
    )""", re.VERBOSE)
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExprError(f"unexpected character at {pos}: {text[pos:pos + 10]!r}")
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "name" and value in _KEYWORDS:
            kind = "kw"
        tokens.append((kind, value))
    tokens.append(("end", ""))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i]

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, str]:
        tok = self.tokens[self.i]
        if (kind and tok[0] != kind) or (value and tok[1] != value):
            want = value or kind
            raise ExprError(f"expected {want!r} but found {tok[1] or 'end'!r} in {self.text!r}")
        self.i += 1
        return tok

    def accept(self, value: str) -> bool:
        if self.tokens[self.i][1] == value and self.tokens[self.i][0] in ("op", "kw"):
            self.i += 1
            return True
        return False

    def parse(self) -> Node:
        node = self.or_()
        self.take("end")
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        while self.accept("or"):
            items.append(self.and_())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_(self) -> Node:
        items = [self.not_()]
        while self.accept("and"):
            items.append(self.not_())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_(self) -> Node:
        if self.accept("not"):
            return Not(self.not_())
        return self.cmp()

    def cmp(self) -> Node:
        left = self.sum()
        kind, value = self.peek()
        if kind == "op" and value in ("==", "!=", "<", "<=", ">", ">="):
            self.i += 1
            return Compare(value, left, self.sum())
        if kind == "op" and value in ("~", "!~"):
            self.i += 1
            if not isinstance(left, Field):
                raise ExprError(f"the left side of {value} must be a field in {self.text!r}")
            pattern = _unquote(self.take("str")[1])
            _check_regex(pattern)
            return Match(left, pattern, value == "!~")
        if kind == "kw" and value == "in":
            self.i += 1
            self.take("op", "[")
            options = [self.literal()]
            while self.accept(","):
                options.append(self.literal())
            self.take("op", "]")
            return BoolOp("or", tuple(Compare("==", left, Const(o)) for o in options))
        return left

    def literal(self) -> Any:
        node = self.unary()
        if not isinstance(node, Const):
            raise ExprError(f"a list after 'in' holds literals only in {self.text!r}")
        return node.value

    def sum(self) -> Node:
        node = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            node = BinOp(op, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            node = BinOp(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.accept("-"):
            inner = self.unary()
            if isinstance(inner, Const) and isinstance(inner.value, (int, Decimal)):
                return Const(-inner.value)
            return BinOp("-", Const(0), inner)
        return self.atom()

    def atom(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return Const(Decimal(value) if "." in value else int(value))
        if kind == "str":
            return Const(_unquote(value))
        if kind == "kw" and value in ("true", "false"):
            return Const(value == "true")
        if kind == "op" and value == "(":
            node = self.or_()
            self.take("op", ")")
            return node
        if kind == "name":
            if self.peek() == ("op", "("):
                return self.call(value)
            if "*" in value:
                raise ExprError(f"a pattern such as {value!r} is allowed only inside sum()")
            return Field(value)
        raise ExprError(f"unexpected {value or 'end'!r} in {self.text!r}")

    def call(self, name: str) -> Node:
        self.take("op", "(")
        arg = self.take("name")[1]
        if name == "sum":
            self.take("op", ")")
            return SumOf(arg)
        if name in ("exists", "missing"):
            self.take("op", ")")
            return Exists(Field(arg), negated=name == "missing")
        if name == "match":
            self.take("op", ",")
            pattern = _unquote(self.take("str")[1])
            _check_regex(pattern)
            self.take("op", ")")
            return MatchText(Field(arg), pattern)
        raise ExprError(f"unknown function {name}() in {self.text!r}")


def _unquote(token: str) -> str:
    """Strip the quotes; only an escaped quote or backslash is unescaped (regexes keep theirs)."""
    return re.sub(r"\\([\\\"'])", r"\1", token[1:-1])


def _check_regex(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ExprError(f"invalid regular expression {pattern!r}: {exc}") from None


def parse(text: str) -> Node:
    """Parse a condition or value expression; raises ExprError with a readable reason."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError("empty expression")
    return _Parser(text).parse()


# ---- compile-time rewriting --------------------------------------------------------------------
PLACEHOLDER = re.compile(r"\{([\w.]+)\}")      # {field} in a message or a location


def substitute(text: str, bindings: dict[str, str]) -> str:
    """Replace {name} placeholders (for_each variables) in an expression or message."""
    return re.sub(r"\{(\w+)\}", lambda m: str(bindings.get(m.group(1), m.group(0))), text)


def expand_sums(node: Node, field_names: list[str]) -> Node:
    """Replace sum(PATTERN) by the sum of the fields whose names match the glob, in template order."""
    if isinstance(node, SumOf):
        names = [n for n in field_names if fnmatchcase(n, node.pattern)]
        if not names:
            raise ExprError(f"sum({node.pattern}) matches no field")
        total: Node = Field(names[0])
        for n in names[1:]:
            total = BinOp("+", total, Field(n))
        return total
    if isinstance(node, BinOp):
        return BinOp(node.op, expand_sums(node.left, field_names), expand_sums(node.right, field_names))
    if isinstance(node, Compare):
        return Compare(node.op, expand_sums(node.left, field_names), expand_sums(node.right, field_names))
    if isinstance(node, BoolOp):
        return BoolOp(node.op, tuple(expand_sums(i, field_names) for i in node.items))
    if isinstance(node, Not):
        return Not(expand_sums(node.item, field_names))
    return node


def fields_of(node: Node, tested: bool = False, matched: bool = True) -> set[str]:
    """Fields whose value the expression needs.

    With `tested`, also the fields exists()/missing() test; without `matched`, not the fields only
    tested by a regular expression (those reach durable as predicate booleans).
    """
    if isinstance(node, Field):
        return {node.name}
    if isinstance(node, (Match, MatchText)):
        return {node.field.name} if matched else set()
    if isinstance(node, Exists):
        return {node.field.name} if tested else set()
    if isinstance(node, (BinOp, Compare)):
        return fields_of(node.left, tested, matched) | fields_of(node.right, tested, matched)
    if isinstance(node, BoolOp):
        return set().union(*(fields_of(i, tested, matched) for i in node.items))
    if isinstance(node, Not):
        return fields_of(node.item, tested, matched)
    if isinstance(node, SumOf):
        raise ExprError("sum() must be expanded before use")
    return set()


# ---- exact evaluation in Python (expected/actual values, messages, tests) -----------------------
def evaluate(node: Node, fact: dict[str, Any]) -> Any:
    """Evaluate an expression on a fact with exact int/Decimal arithmetic; None if a field is unknown."""
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Field):
        return fact.get(node.name)
    if isinstance(node, BinOp):
        left, right = evaluate(node.left, fact), evaluate(node.right, fact)
        if left is None or right is None:
            return None
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        return Decimal(left) / Decimal(right) if right else None
    if isinstance(node, Compare):
        left, right = evaluate(node.left, fact), evaluate(node.right, fact)
        if left is None or right is None:
            return None
        return {"==": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
                ">": left > right, ">=": left >= right}[node.op]
    if isinstance(node, Match):
        value = fact.get(node.field.name)
        return None if value is None else (re.search(node.pattern, str(value)) is not None) ^ node.negated
    if isinstance(node, MatchText):
        value = fact.get(node.field.name)
        found = None if value is None else re.search(node.pattern, str(value))
        return found.group(0) if found else None
    if isinstance(node, Exists):
        return (fact.get(node.field.name) is not None) ^ node.negated
    if isinstance(node, Not):
        value = evaluate(node.item, fact)
        return None if value is None else not value
    if isinstance(node, BoolOp):
        # three-valued: one false item makes `and` false (one true makes `or` true) whatever
        # the unknown ones are, so evaluation stops there
        decisive = node.op != "and"
        unknown = False
        for item in node.items:
            value = evaluate(item, fact)
            if value is None:
                unknown = True
            elif bool(value) == decisive:
                return decisive
        return None if unknown else not decisive
    raise ExprError(f"cannot evaluate {type(node).__name__}")
