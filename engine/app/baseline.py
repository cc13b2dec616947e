"""Waivers: a recorded set of accepted findings (`xxgk-audit baseline`, `check --baseline FILE`).

A report cannot carry inline suppressions, so accepted findings are recorded outside it. Each
waiver names the rule, the report (agency + year when the document gives both, so that a
corrected re-upload under another file name still matches; else the path) and a fingerprint of
the finding's location keys (section, table, row, column — not the line, which moves), with who
approved it, why, and until when.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.evaluation.fingerprint import fingerprint, report_key

__all__ = ["Waiver", "Baseline", "BaselineError", "make_baseline"]

VERSION = 1


class BaselineError(ValueError):
    """A baseline file that cannot be read or does not have the expected form."""


@dataclass
class Waiver:
    rule: str
    report: str
    fingerprint: str
    message: str = ""
    reason: str = ""
    approved_by: str = ""
    expires: date | None = None

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "report": self.report, "fingerprint": self.fingerprint,
                "message": self.message, "reason": self.reason, "approved_by": self.approved_by,
                "expires": self.expires.isoformat() if self.expires else None}


@dataclass
class Baseline:
    waivers: list[Waiver]
    today: date = field(default_factory=date.today)
    used: set[int] = field(default_factory=set)
    expired_hits: list[Waiver] = field(default_factory=list)

    @classmethod
    def load(cls, path: str | Path, today: date | None = None) -> "Baseline":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            waivers = [Waiver(**{**w, "expires": date.fromisoformat(w["expires"]) if w.get("expires") else None})
                       for w in data["waivers"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BaselineError(f"无法读取豁免文件 {path}：{exc}") from None
        return cls(waivers, today or date.today())

    def apply(self, result: ReportResult, fail_on: str) -> ReportResult:
        """The result without the findings a live waiver covers; expired waivers do not hide."""
        if not result.findings:
            return result
        index = {(w.rule, w.report, w.fingerprint): i for i, w in reversed(list(enumerate(self.waivers)))}
        kept = []
        for finding in result.findings:
            i = index.get((finding.rule, report_key(result), fingerprint(result, finding)))
            if i is None:
                kept.append(finding)
                continue
            self.used.add(i)
            if self.waivers[i].expired(self.today):
                self.expired_hits.append(self.waivers[i])
                kept.append(finding)
        if len(kept) == len(result.findings):
            return result
        return result.keeping(kept, fail_on)

    def unused(self) -> list[Waiver]:
        return [w for i, w in enumerate(self.waivers) if i not in self.used]


def make_baseline(results: Iterable[ReportResult], reason: str = "", approved_by: str = "",
                  expires: date | None = None) -> dict[str, Any]:
    """The baseline file's content for the current findings of `results`."""
    waivers: dict[tuple[str, str, str], Waiver] = {}
    for r in results:
        for f in r.findings if r.status != "error" else ():
            waiver = Waiver(f.rule, report_key(r), fingerprint(r, f), f.message, reason, approved_by, expires)
            waivers.setdefault((waiver.rule, waiver.report, waiver.fingerprint), waiver)
    return {"version": VERSION, "tool": "xxgk-audit", "waivers": [w.to_dict() for w in waivers.values()]}
