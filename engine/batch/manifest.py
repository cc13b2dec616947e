"""The manifest CSV of a batch: one row per report file, with what the document does not carry.

A row with an agency and a year but no `path` names an agency that should have published and
has not (coverage, engine/figures/coverage.py): it is not an error and is not audited. The same
rows, without any path column, make the file of `batch --expect` (`agency,year[,parent]`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

from xxgk_audit.engine.evaluation.facts import Context

__all__ = ["MANIFEST_COLUMNS", "ManifestError", "Expected", "read_manifest", "read_expected"]

MANIFEST_COLUMNS = ("path", "agency", "year", "published", "agency_kind", "parent")


class ManifestError(ValueError):
    """A manifest CSV that cannot be used (a usage error)."""


@dataclass(frozen=True)
class Expected:
    """An agency that should have published its report for a year."""

    agency: str
    year: int
    parent: str | None = None
    path: str | None = None         # the manifest row's file, when it has one


def read_manifest(path: Path) -> list[tuple[Path, Context]]:
    """(file, context) per row of a manifest CSV with a path; paths are relative to the manifest's folder."""
    items = []
    for number, row in _rows(path, ("path",), "清单", f"（可用列：{'、'.join(MANIFEST_COLUMNS)}）"):
        if not (row.get("path") or "").strip():
            continue
        try:
            ctx = Context(agency=row.get("agency") or None,
                          year=int(row["year"]) if row.get("year") else None,
                          published=date.fromisoformat(row["published"]) if row.get("published") else None,
                          agency_kind=row.get("agency_kind") or None, parent=row.get("parent") or None)
        except ValueError as exc:
            raise ManifestError(f"清单 {path} 第 {number} 行：{exc}") from None
        items.append(((path.parent / row["path"]).resolve(), ctx))
    return items


def read_expected(path: Path) -> list[Expected]:
    """Who should have published: the rows of a manifest with an agency and a year (a row without
    a path must have both), or of an `agency,year[,parent]` file."""
    out = []
    for number, row in _rows(path, ("agency", "year"), "名单", "（须有 agency、year 列，可选 parent）"):
        file = (row.get("path") or "").strip()
        agency, year = (row.get("agency") or "").strip(), (row.get("year") or "").strip()
        if not agency or not year:
            if file:
                continue
            raise ManifestError(f"名单 {path} 第 {number} 行：没有 path 的行须有机关（agency）和年度（year）")
        if not year.isdigit():
            raise ManifestError(f"名单 {path} 第 {number} 行：无效年度 {year}")
        out.append(Expected(agency, int(year), (row.get("parent") or "").strip() or None,
                            str((path.parent / file).resolve()) if file else None))
    return out


def _rows(path: Path, required: tuple[str, ...], what: str, hint: str) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or not set(required) <= set(reader.fieldnames):
                raise ManifestError(f"{what} {path} 缺少 {'、'.join(required)} 列{hint}")
            yield from enumerate(reader, 2)
    except OSError as exc:
        raise ManifestError(f"无法读取{what} {path}：{exc.strerror or exc}") from None
