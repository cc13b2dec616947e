"""The statistics the batch index shows (its 统计 section), as plain data for the renderer.

- reports and applications (A1.TOT) by year;
- the indicators of each agency's latest report, for a sortable table;
- per year, the distribution of applications over the reports, with the reports far above the
  range marked — by the same fence as XREF-014 (engine/batch/peer_range.py), over the same
  reports (aggregate reports, whose agency is another's `parent`, left out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from xxgk_audit.engine.batch.peer_range import MIN_PEERS, PeerRange, peer_range
from xxgk_audit.engine.figures.collect import Figures
from xxgk_audit.engine.figures.indicators import INDICATORS, IndicatorValue

__all__ = ["YearCount", "AgencyIndicators", "Point", "Distribution", "Statistics", "statistics"]


@dataclass(frozen=True)
class YearCount:
    year: int
    reports: int                # readable reports
    unreadable: int
    applications: int           # the sum of the known A1.TOT
    unknown: int                # reports whose A1.TOT is unknown


@dataclass(frozen=True)
class AgencyIndicators:
    agency: str
    year: int
    path: str
    values: tuple[IndicatorValue, ...]      # in INDICATORS order


@dataclass(frozen=True)
class Point:
    label: str                  # the agency (or the file)
    value: int
    outlier: bool


@dataclass(frozen=True)
class Distribution:
    year: int
    figure: str                 # "A1.TOT"
    points: tuple[Point, ...]   # ascending
    range: PeerRange
    high: Decimal | None        # the fence, when the year has enough reports for one

    @property
    def outliers(self) -> int:
        return sum(p.outlier for p in self.points)


@dataclass
class Statistics:
    by_year: list[YearCount] = field(default_factory=list)
    indicator_labels: tuple[tuple[str, str], ...] = tuple((i.key, i.label) for i in INDICATORS)
    agencies: list[AgencyIndicators] = field(default_factory=list)
    distributions: list[Distribution] = field(default_factory=list)


def statistics(figures: Figures) -> Statistics:
    out = Statistics()
    frame = figures.frame
    if frame is None or frame.empty:
        return out
    known = frame[frame["year"].notna()]
    readable = known[known["status"] != "error"]
    reports = readable.groupby("year").size()
    unreadable = known[known["status"] == "error"].groupby("year").size()
    applications = readable.groupby("year")["a1"].sum()                  # Int64: exact, unknowns skipped
    unknown = readable["a1"].isna().groupby(readable["year"]).sum()
    for year in sorted(set(reports.index) | set(unreadable.index)):
        out.by_year.append(YearCount(int(year), int(reports.get(year, 0)), int(unreadable.get(year, 0)),
                                     int(applications.get(year, 0)), int(unknown.get(year, 0))))
    out.agencies = _agencies(figures)
    for year, group in readable.groupby("year"):
        group = group[~group["agency"].isin(set(group["parent"].dropna()))]     # aggregates: as XREF-014
        points = sorted(((row.agency or row.path, int(row.a1)) for row in group[group["a1"].notna()].itertuples()),
                        key=lambda p: (p[1], p[0]))
        found = peer_range([value for _, value in points])
        if found is None:
            continue
        out.distributions.append(Distribution(
            int(year), "A1.TOT", tuple(Point(label, value, found.is_outlier(value)) for label, value in points),
            found, PeerRange.decimal(found.high) if found.peers >= MIN_PEERS else None))
    return out


def _agencies(figures: Figures) -> list[AgencyIndicators]:
    """Each agency's latest report's indicators, by agency name."""
    latest: dict[str, tuple[int, str, list[IndicatorValue]]] = {}
    for row in figures.indicators:
        if row.agency is None or row.year is None:
            continue
        have = latest.get(row.agency)
        if have is None or (have[0], have[1]) < (row.year, row.path):
            latest[row.agency] = (row.year, row.path, [row.value])
        elif (have[0], have[1]) == (row.year, row.path):
            have[2].append(row.value)
    return [AgencyIndicators(agency, year, path, tuple(values))
            for agency, (year, path, values) in sorted(latest.items())]
