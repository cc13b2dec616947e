"""Coverage: which agencies should have published a report for a year, and which have not.

Who should have published comes from the manifest's rows with an agency and a year (a row with
no `path` names an agency that has not published) and from `batch --expect FILE`
(`agency,year[,parent]`). Against the batch's reports:
- `missing`: expected, with no report of that agency and year (readable or not);
- `unreadable`: a report file of the batch that could not be read;
- `late`: a report published after the legal deadline (its META-004 finding).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from xxgk_audit.engine.batch.manifest import Expected

__all__ = ["Coverage", "coverage", "LATE_RULE"]

LATE_RULE = "META-004"          # 晚于法定期限发布


@dataclass
class Coverage:
    expected: int = 0
    missing: list[dict[str, Any]] = field(default_factory=list)      # {agency, year, parent}
    late: list[dict[str, Any]] = field(default_factory=list)         # {agency, year, parent, path}
    unreadable: list[dict[str, Any]] = field(default_factory=list)   # {agency, year, parent, path}

    def to_dict(self) -> dict[str, Any]:
        return {"expected": self.expected, "missing": self.missing, "late": self.late,
                "unreadable": self.unreadable}


def coverage(expected: Iterable[Expected], reports: Iterable[tuple[str, str | None, int | None, str | None, str]],
             late: set[str]) -> Coverage:
    """`reports`: (path, agency, year, parent, audit status) of the batch; `late`: paths published late."""
    wanted: dict[tuple[str, int], Expected] = {}
    by_path: dict[str, Expected] = {}
    for entry in expected:
        wanted.setdefault((entry.agency, entry.year), entry)
        if entry.path is not None:
            by_path[entry.path] = entry
    out = Coverage(expected=len(wanted))
    seen: set[tuple[str | None, int | None]] = set()
    for path, agency, year, parent, status in reports:
        known = by_path.get(path)
        if known is not None:           # an unreadable file's identity is the manifest's
            agency = agency or known.agency
            year = year if year is not None else known.year
            parent = parent or known.parent
        seen.add((agency, year))
        item = {"agency": agency, "year": year, "parent": parent, "path": path}
        if status == "error":
            out.unreadable.append(item)
        elif path in late:
            out.late.append(item)
    out.missing = [{"agency": e.agency, "year": e.year, "parent": e.parent}
                   for key, e in sorted(wanted.items(), key=lambda item: (item[0][1], item[0][0]))
                   if key not in seen]
    return out

