"""The manifest CSV of a batch: one row per report file, with what the document does not carry."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from xxgk_audit.engine.evaluation.facts import Context

__all__ = ["MANIFEST_COLUMNS", "ManifestError", "read_manifest"]

MANIFEST_COLUMNS = ("path", "agency", "year", "published", "agency_kind", "parent")


class ManifestError(ValueError):
    """A manifest CSV that cannot be used (a usage error)."""


def read_manifest(path: Path) -> list[tuple[Path, Context]]:
    """(file, context) per row of a manifest CSV; paths are relative to the manifest's folder."""
    items = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "path" not in reader.fieldnames:
                raise ManifestError(f"清单 {path} 缺少 path 列（可用列：{'、'.join(MANIFEST_COLUMNS)}）")
            for number, row in enumerate(reader, 2):
                try:
                    ctx = Context(agency=row.get("agency") or None,
                                  year=int(row["year"]) if row.get("year") else None,
                                  published=date.fromisoformat(row["published"]) if row.get("published") else None,
                                  agency_kind=row.get("agency_kind") or None, parent=row.get("parent") or None)
                except ValueError as exc:
                    raise ManifestError(f"清单 {path} 第 {number} 行：{exc}") from None
                items.append(((path.parent / row["path"]).resolve(), ctx))
    except OSError as exc:
        raise ManifestError(f"无法读取清单 {path}：{exc.strerror or exc}") from None
    return items
