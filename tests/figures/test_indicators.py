"""Every indicator on hand-computed cases: exact values, rated and small samples, zero and unknown
denominators, and the blank-cell policy (an assumed zero is said so)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from xxgk_audit.engine.figures.cells import FigureCell, ReportFigures
from xxgk_audit.engine.figures.indicators import INDICATORS, cell_values, indicator_values
from xxgk_audit.engine.model.template import layout

TABLE_OF = {"A": "applications", "B": "applications", "C": "applications", "RV": "review_litigation",
            "LD": "review_litigation", "LR": "review_litigation"}


def figures(values: dict[str, object], blank: tuple[str, ...] = (), unreadable: tuple[str, ...] = ()) -> ReportFigures:
    """A 2021 report whose applications and review/litigation cells are 0 unless given; `blank`
    cells are empty, `unreadable` ones hold text."""
    cells = []
    for table in ("applications", "review_litigation"):
        for r, c in layout(table, "2021").cell_keys():
            key = f"{r}.{c}"
            if key in blank:
                cells.append(FigureCell(table, r, c, None, "", "blank"))
            elif key in unreadable:
                cells.append(FigureCell(table, r, c, None, "见附件", "unreadable"))
            else:
                value = values.get(key, 0)
                cells.append(FigureCell(table, r, c, value, str(value), "number"))
    return ReportFigures(1, "a.txt", "某局", 2023, None, "2021", "pass", tuple(cells))


def compute(fig: ReportFigures, policy: str = "zero", prev: int | None = None, prev_blank: bool = False):
    values, assumed = cell_values(fig, policy)
    if prev is not None:
        values["prev.A1.TOT"] = prev
        if prev_blank:
            assumed.add("prev.A1.TOT")
    return {v.indicator.key: v for v in indicator_values(values, assumed)}


BASE = {"A1.TOT": 40, "B1.TOT": 20, "B2.TOT": 4, "B3_1.TOT": 1, "B3_6.TOT": 2, "B4_1.TOT": 6, "B4_3.TOT": 1,
        "B5_2.TOT": 3, "B7.TOT": 40, "RV.TOT": 5, "RV.CORR": 2, "RV.PEND": 1, "LD.TOT": 3, "LD.CORR": 1,
        "LD.PEND": 1, "LR.TOT": 2, "LR.CORR": 0, "LR.PEND": 0}


def test_every_indicator_by_hand():
    got = compute(figures(BASE), prev=32)
    expected = {  # key: (numerator, denominator, status)
        "substantive_disclosure_rate": (24, 40, "rated"),        # (20 + 4) / 40
        "refusal_rate": (3, 40, "rated"),                        # (1 + 2) / 40
        "unable_rate": (7, 40, "rated"),                         # (6 + 1) / 40
        "not_processed_rate": (3, 40, "rated"),
        "review_correction_rate": (2, 4, "small_sample"),        # 2 / (5 − 1)
        "litigation_correction_rate": (1, 4, "small_sample"),    # (1 + 0) / (3 + 2 − 1 − 0)
        "dispute_rate": (8, 40, "rated"),                        # (5 + 3) / 40
        "applications_yoy": (8, 32, "rated"),                    # 40 / 32 − 1
    }
    assert set(got) == {i.key for i in INDICATORS} == set(expected)
    for key, (num, den, status) in expected.items():
        v = got[key]
        assert (v.numerator, v.denominator, v.status) == (num, den, status), key
        assert v.exact == Fraction(num, den)
        assert v.value == (Decimal(num) / Decimal(den)).quantize(Decimal("0.000001"))
        assert v.assumed_zero == ()
    assert got["substantive_disclosure_rate"].value == Decimal("0.600000")
    assert got["applications_yoy"].value == Decimal("0.250000")


def test_the_rated_threshold_is_thirty():
    assert compute(figures({**BASE, "B7.TOT": 30}))["refusal_rate"].status == "rated"
    assert compute(figures({**BASE, "B7.TOT": 29}))["refusal_rate"].status == "small_sample"
    assert compute(figures({**BASE, "B7.TOT": 29}))["refusal_rate"].value == Decimal("0.103448")   # 3/29


def test_zero_denominators_are_not_assessable_with_no_value():
    got = compute(figures({**BASE, "B7.TOT": 0, "A1.TOT": 0, "RV.TOT": 1, "RV.PEND": 1}), prev=0)
    for key in ("substantive_disclosure_rate", "refusal_rate", "unable_rate", "not_processed_rate",
                "dispute_rate", "review_correction_rate", "applications_yoy"):
        assert got[key].status == "not_assessable" and got[key].value is None, key
        assert got[key].denominator == 0, key
    assert got["litigation_correction_rate"].status == "small_sample"


def test_a_negative_denominator_is_not_assessable():
    got = compute(figures({**BASE, "RV.TOT": 1, "RV.PEND": 3}))
    assert got["review_correction_rate"].status == "not_assessable" and got["review_correction_rate"].value is None


def test_unknown_figures_and_no_prior_year_are_not_assessable():
    got = compute(figures(BASE, unreadable=("B7.TOT", "RV.CORR")))
    assert got["substantive_disclosure_rate"].status == "not_assessable"
    assert got["substantive_disclosure_rate"].denominator is None and got["substantive_disclosure_rate"].numerator == 24
    assert got["review_correction_rate"].numerator is None and got["review_correction_rate"].value is None
    assert got["applications_yoy"].status == "not_assessable"     # no prior-year report
    assert got["dispute_rate"].status == "rated"                   # needs neither


@pytest.mark.parametrize("policy", ["zero", "unknown"])
def test_the_blank_cell_policy(policy):
    fig = figures(BASE, blank=("B3_2.TOT", "B3_6.TOT"))     # B3_6 was 2: now blank
    got = compute(fig, policy)["refusal_rate"]
    if policy == "zero":
        assert (got.numerator, got.denominator, got.status) == (1, 40, "rated")
        assert got.assumed_zero == ("B3_2.TOT", "B3_6.TOT")
    else:
        assert got.status == "not_assessable" and got.value is None and got.numerator is None
        assert got.assumed_zero == ()
    other = compute(fig, policy)["unable_rate"]
    assert other.status == "rated" and other.assumed_zero == ()


def test_a_blank_is_not_presumed_zero_in_a_table_without_numbers():
    fig = figures({}, blank=tuple(f"{r}.{c}" for r, c in layout("review_litigation", "2021").cell_keys()))
    got = compute(fig, "zero")
    assert got["review_correction_rate"].status == "not_assessable"
    assert got["review_correction_rate"].assumed_zero == ()


def test_last_years_blank_applications_are_said_to_be_assumed():
    got = compute(figures(BASE), prev=0, prev_blank=True)["applications_yoy"]
    assert got.status == "not_assessable" and got.assumed_zero == ("prev.A1.TOT",)
