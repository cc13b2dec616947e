"""The condition language: parsing, compilation to durable JSON, exact evaluation."""

from decimal import Decimal

import pytest

from xxgk_audit.engine.rulelang import durable_form, expr


def compile_(text: str) -> dict:
    names: dict = {}
    return durable_form.to_durable(expr.parse(text), lambda f, p: names.setdefault((f, p), f"re__{len(names)}"))


def test_sum_comparison_is_normalised_to_field_against_expression():
    assert compile_("A1.TOT != A1.NP + A1.BIZ") == {
        "$neq": {"A1__TOT": {"$add": {"$l": {"$m": "A1__NP"}, "$r": {"$m": "A1__BIZ"}}}}}


def test_both_sides_with_sums_move_terms_across():
    # A1 + A2 != B7 + C  ->  A1 != B7 + C - A2
    out = compile_("A1.NP + A2.NP != B7.NP + C.NP")
    assert list(out) == ["$neq"] and list(out["$neq"]) == ["A1__NP"]
    fact = {"A1.NP": 3, "A2.NP": 1, "B7.NP": 2, "C.NP": 2}
    assert expr.evaluate(expr.parse("A1.NP + A2.NP != B7.NP + C.NP"), fact) is False


def test_not_is_pushed_down_and_regex_becomes_predicate():
    out = compile_('not (number == 6 and text ~ "收费")')
    assert out == {"$or": [{"$neq": {"number": 6}}, {"re__0": False}]}


def test_in_list_and_negated_regex():
    assert compile_('kind in ["blank", "placeholder"]') == {"$or": [{"kind": "blank"}, {"kind": "placeholder"}]}
    assert compile_('title !~ "年度报告$"') == {"re__0": False}


def test_constant_only_on_left_is_flipped():
    assert compile_("0 > value") == {"$lt": {"value": 0}}


def test_multiplication_keeps_its_operands():
    out = compile_("published > (year + 1) * 10000 + 131")
    assert list(out["$gt"]) == ["published"]


@pytest.mark.parametrize("bad", ["", "A1.NP +", "foo(x)", "a ~ 'unclosed(", "import os", "a == 1 ;"])
def test_bad_expressions_raise_expr_error(bad):
    with pytest.raises(expr.ExprError):
        compile_(bad)


def test_sum_glob_expands_in_template_order():
    node = expr.expand_sums(expr.parse("sum(B3_*.NP)"), ["B3_1.NP", "B3_2.NP", "B4_1.NP", "B3_1.TOT"])
    assert expr.fields_of(node) == {"B3_1.NP", "B3_2.NP"}


def test_evaluate_is_exact_with_decimals():
    node = expr.parse("a + b == c")
    assert expr.evaluate(node, {"a": Decimal("0.1"), "b": Decimal("0.2"), "c": Decimal("0.3")}) is True


def test_three_valued_logic_for_unknown_fields():
    node = expr.parse("not has_title or title_year != year")
    assert expr.evaluate(node, {"has_title": False, "year": 2023}) is True       # decided
    assert expr.evaluate(node, {"has_title": True, "year": 2023}) is None        # hangs on the unknown
    assert expr.evaluate(expr.parse("a > 1 and b > 1"), {"a": 0}) is False


def test_match_returns_the_matched_text_for_messages():
    assert expr.evaluate(expr.parse('match(text, "X+局")'), {"text": "本年度XX局"}) == "XX局"
