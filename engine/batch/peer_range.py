"""A figure's range among its peers: the reports of the same year in the same batch.

The quartiles are exact (the "inclusive" method of Excel's QUARTILE.INC and numpy's default, on
Fractions), and a value is far above its peers' range when it exceeds Q3 + 3 × (Q3 − Q1), Tukey's
"far out" fence. XREF-014 (rules/cross.yaml) and the batch index's distribution chart
(engine/figures) both use this, so the chart marks the reports the rule names.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Sequence

__all__ = ["RANGE_FIGURES", "MIN_PEERS", "PeerRange", "peer_range"]

RANGE_FIGURES = ("A1.TOT", "RV.TOT", "LD.TOT")     # 新收申请, 行政复议, 直接起诉 (the rule's for_each)
MIN_PEERS = 10                                     # fewer reports than this have no range


@dataclass(frozen=True)
class PeerRange:
    peers: int
    q1: Fraction
    median: Fraction
    q3: Fraction

    @property
    def high(self) -> Fraction:
        """Above this, a value is far outside the range."""
        return self.q3 + 3 * (self.q3 - self.q1)

    def is_outlier(self, value: int) -> bool:
        return self.peers >= MIN_PEERS and value > self.high

    @staticmethod
    def decimal(value: Fraction) -> Decimal:
        """Exact: the quartiles are multiples of 1/4."""
        return Decimal(value.numerator) / Decimal(value.denominator)


def peer_range(values: Sequence[int]) -> PeerRange | None:
    """The range of the known values, or None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return None
    return PeerRange(len(ordered), _quantile(ordered, Fraction(1, 4)), _quantile(ordered, Fraction(1, 2)),
                     _quantile(ordered, Fraction(3, 4)))


def _quantile(ordered: list[int], p: Fraction) -> Fraction:
    position = (len(ordered) - 1) * p
    low = int(position)
    if low + 1 >= len(ordered):
        return Fraction(ordered[low])
    return ordered[low] + (position - low) * (ordered[low + 1] - ordered[low])
