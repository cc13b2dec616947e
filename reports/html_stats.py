"""The drawing of the figures in HTML: the batch index's 统计 section and a page's trend.

The numbers come from engine/figures (statistics, trend); this only places them in SVG user units
and writes them as text, so it computes nothing about the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xxgk_audit.engine.model.vocabulary import COVERAGE_LABELS, INDICATOR_STATUS_LABELS
from .html_index import Chart, chart

if TYPE_CHECKING:       # the figures' types only: a page drawn without them loads nothing more
    from xxgk_audit.engine.figures.coverage import Coverage
    from xxgk_audit.engine.figures.stats import Statistics
    from xxgk_audit.engine.figures.trend import Trend

__all__ = ["StatsView", "TrendView", "stats_view", "trend_view", "ratio_text"]

_STRIP_WIDTH, _STRIP_LEFT, _STRIP_HEIGHT = 640, 70, 44      # distribution strips, one per year
_SPARK_WIDTH, _SPARK_HEIGHT, _SPARK_PAD = 180, 40, 4
STATUS_TITLES = {"rated": "", "small_sample": f"{INDICATOR_STATUS_LABELS['small_sample']}（分母不足 30）",
                 "not_assessable": INDICATOR_STATUS_LABELS["not_assessable"]}


@dataclass
class Dot:
    x: float
    label: str
    value: int
    outlier: bool


@dataclass
class Strip:
    year: int
    y: int
    dots: list[Dot]
    q1: float
    median: float
    q3: float
    high: float | None              # the fence's x, when inside the axis
    high_value: Decimal | None
    peers: int
    outliers: int


@dataclass
class IndicatorCell:
    text: str                       # "54.55%" or "—"
    sort: str                       # the exact value for sorting ("" when none)
    status: str
    title: str


@dataclass
class IndicatorRowView:
    agency: str
    year: int
    cells: list[IndicatorCell]


@dataclass
class StatsView:
    charts: list[Chart]
    labels: list[tuple[str, str]]
    agencies: list[IndicatorRowView]
    strips: list[Strip]
    strip_width: int
    strip_height: int
    axis_max: int
    coverage: "Coverage | None"
    coverage_labels: dict[str, str]


def ratio_text(value: Decimal | None) -> str:
    """A ratio as a percentage with two decimals; "—" when there is none."""
    return "—" if value is None else f"{(value * 100).quantize(Decimal('0.01'))}%"


def stats_view(stats: "Statistics", coverage: "Coverage | None") -> StatsView:
    charts = [chart("各年度报告数", [(f"{y.year} 年度", y.reports, "year") for y in stats.by_year]),
              chart("各年度新收政府信息公开申请数（A1 总计）",
                    [(f"{y.year} 年度" + (f"（{y.unknown} 份未知）" if y.unknown else ""), y.applications, "apps")
                     for y in stats.by_year])]
    agencies = [IndicatorRowView(a.agency, a.year, [
        IndicatorCell(ratio_text(v.value), "" if v.value is None else str(v.value), v.status,
                      _cell_title(v.numerator, v.denominator, v.status, v.assumed_zero)) for v in a.values])
        for a in stats.agencies]
    top = max((p.value for d in stats.distributions for p in d.points), default=0) or 1
    scale = _STRIP_WIDTH / top

    def x(value: Any) -> float:
        return round(_STRIP_LEFT + float(value) * scale, 1)

    strips = [Strip(d.year, i * _STRIP_HEIGHT, [Dot(x(p.value), p.label, p.value, p.outlier) for p in d.points],
                    x(d.range.q1), x(d.range.median), x(d.range.q3),
                    x(d.high) if d.high is not None and d.high <= top else None, d.high, d.range.peers,
                    d.outliers)
              for i, d in enumerate(stats.distributions)]
    return StatsView(charts, list(stats.indicator_labels), agencies, strips, _STRIP_LEFT + _STRIP_WIDTH + 20,
                     max(len(strips), 1) * _STRIP_HEIGHT + 20, top, coverage, COVERAGE_LABELS)


def _cell_title(numerator: int | None, denominator: int | None, status: str, assumed: tuple[str, ...]) -> str:
    parts = [f"{'？' if numerator is None else numerator} / {'？' if denominator is None else denominator}"]
    if STATUS_TITLES[status]:
        parts.append(STATUS_TITLES[status])
    if assumed:
        parts.append("空白按 0 计：" + "、".join(assumed))
    return "；".join(parts)


@dataclass
class Spark:
    label: str
    points: str                     # SVG polyline points
    dots: list[tuple[float, float, int, int, bool]]     # (x, y, year, value, the page's year)
    values: list[str]               # per year, as shown in the table


@dataclass
class TrendView:
    agency: str
    years: list[int]
    current: int | None
    sparks: list[Spark]
    width: int = _SPARK_WIDTH
    height: int = _SPARK_HEIGHT


def trend_view(trend: "Trend | None") -> TrendView | None:
    if trend is None:
        return None
    sparks = []
    step = (_SPARK_WIDTH - 2 * _SPARK_PAD) / max(len(trend.years) - 1, 1)
    for series in trend.series:
        top = max((v for v in series.values if v is not None), default=0) or 1
        dots = [(round(_SPARK_PAD + i * step, 1),
                 round(_SPARK_HEIGHT - _SPARK_PAD - v / top * (_SPARK_HEIGHT - 2 * _SPARK_PAD), 1),
                 year, v, year == trend.current)
                for i, (year, v) in enumerate(zip(trend.years, series.values)) if v is not None]
        sparks.append(Spark(series.label, " ".join(f"{x},{y}" for x, y, *_ in dots), dots,
                            ["—" if v is None else str(v) for v in series.values]))
    return TrendView(trend.agency, list(trend.years), trend.current, sparks)
