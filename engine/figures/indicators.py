"""The indicators of 政务公开 assessments, computed exactly from a report's cells.

Each indicator is a ratio of sums of cells (canonical keys). Its `status` is `rated` when the
denominator is at least `RATED_FROM`, `small_sample` below that (the value is still given), and
`not_assessable` — with no value — when a figure it needs is unknown or the denominator is not
positive: there is never a division error.

The audit's blank-cell policy applies: under `zero` a blank or placeholder cell in a table that
has numbers counts 0, and the row names the cells so assumed (`assumed_zero`); under `unknown`
such a cell is unknown. An unreadable or missing cell is always unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from xxgk_audit.engine.figures.cells import BLANK, NUMBER, PLACEHOLDER, ReportFigures

__all__ = ["INDICATORS", "Indicator", "IndicatorValue", "RATED_FROM", "PREV", "indicator_values", "cell_values"]

RATED_FROM = 30                 # a denominator this large or larger is rated, below is a small sample
RATED, SMALL_SAMPLE, NOT_ASSESSABLE = "rated", "small_sample", "not_assessable"
PREV = "prev."                  # a term of last year's report (same agency)
_PLACES = Decimal("0.000001")   # the written value: six decimals (numerator and denominator are exact)

Terms = tuple[tuple[int, str], ...]     # (sign, cell key)


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    formula: str
    numerator: Terms
    denominator: Terms


def _plus(*keys: str) -> Terms:
    return tuple((1, key) for key in keys)


INDICATORS = (
    Indicator("substantive_disclosure_rate", "实质公开率", "(B1.TOT + B2.TOT) / B7.TOT",
              _plus("B1.TOT", "B2.TOT"), _plus("B7.TOT")),
    Indicator("refusal_rate", "不予公开率", "sum(B3_*.TOT) / B7.TOT",
              _plus(*(f"B3_{i}.TOT" for i in range(1, 9))), _plus("B7.TOT")),
    Indicator("unable_rate", "无法提供率", "sum(B4_*.TOT) / B7.TOT",
              _plus(*(f"B4_{i}.TOT" for i in range(1, 4))), _plus("B7.TOT")),
    Indicator("not_processed_rate", "不予处理率", "sum(B5_*.TOT) / B7.TOT",
              _plus(*(f"B5_{i}.TOT" for i in range(1, 6))), _plus("B7.TOT")),
    Indicator("review_correction_rate", "复议纠错率", "RV.CORR / (RV.TOT − RV.PEND)",
              _plus("RV.CORR"), ((1, "RV.TOT"), (-1, "RV.PEND"))),
    Indicator("litigation_correction_rate", "诉讼纠错率",
              "(LD.CORR + LR.CORR) / (LD.TOT + LR.TOT − LD.PEND − LR.PEND)",
              _plus("LD.CORR", "LR.CORR"), ((1, "LD.TOT"), (1, "LR.TOT"), (-1, "LD.PEND"), (-1, "LR.PEND"))),
    Indicator("dispute_rate", "复议诉讼转化率", "(RV.TOT + LD.TOT) / A1.TOT",
              _plus("RV.TOT", "LD.TOT"), _plus("A1.TOT")),
    Indicator("applications_yoy", "申请量同比", "A1.TOT / (last year's A1.TOT) − 1",
              ((1, "A1.TOT"), (-1, PREV + "A1.TOT")), _plus(PREV + "A1.TOT")),
)


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    indicator: Indicator
    value: Decimal | None           # six decimals; None when not assessable
    numerator: int | None           # None when a figure of it is unknown
    denominator: int | None
    status: str
    assumed_zero: tuple[str, ...]   # cells counted 0 by the blank-cell policy
    exact: Fraction | None = None   # the value itself


def cell_values(figures: ReportFigures | None, blank_cells: str, prefix: str = "") -> tuple[dict[str, int], set[str]]:
    """The counts the indicators may use ({key: value}) and the keys of the blanks counted 0."""
    if figures is None:
        return {}, set()
    has_numbers = {c.table for c in figures.cells if c.status == NUMBER}
    values: dict[str, int] = {}
    assumed: set[str] = set()
    for cell in figures.cells:
        if cell.status == NUMBER and isinstance(cell.value, int):
            values[prefix + cell.key] = cell.value
        elif blank_cells == "zero" and cell.status in (BLANK, PLACEHOLDER) and cell.table in has_numbers:
            values[prefix + cell.key] = 0
            assumed.add(prefix + cell.key)
    return values, assumed


def indicator_values(values: dict[str, int], assumed: set[str]) -> list[IndicatorValue]:
    """Every indicator over `values` (this year's cells and last year's as "prev.KEY")."""
    return [_one(indicator, values, assumed) for indicator in INDICATORS]


def _one(indicator: Indicator, values: dict[str, int], assumed: set[str]) -> IndicatorValue:
    numerator, denominator = _sum(indicator.numerator, values), _sum(indicator.denominator, values)
    used = tuple(sorted({k for _, k in indicator.numerator + indicator.denominator if k in assumed}))
    if numerator is None or denominator is None or denominator <= 0:
        return IndicatorValue(indicator, None, numerator, denominator, NOT_ASSESSABLE, used)
    exact = Fraction(numerator, denominator)
    value = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(_PLACES, ROUND_HALF_EVEN)
    status = RATED if denominator >= RATED_FROM else SMALL_SAMPLE
    return IndicatorValue(indicator, value, numerator, denominator, status, used, exact)


def _sum(terms: Terms, values: dict[str, int]) -> int | None:
    """The signed sum of the terms; None when one is unknown."""
    total = 0
    for sign, key in terms:
        if key not in values:
            return None
        total += sign * values[key]
    return total
