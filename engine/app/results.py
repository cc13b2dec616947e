"""What `check` and `batch` both do around the audit, so a report gets the same findings and
verdict from either: the context from the configuration, then, on the result (with its
cross-report findings in a batch), the per-path ignores, the baseline and the verdict."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from xxgk_audit.engine.app.baseline import Baseline
from xxgk_audit.engine.app.config import Config
from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.evaluation.facts import Context

__all__ = ["ResultChain"]


@dataclass
class ResultChain:
    config: Config
    baseline: Baseline | None = None

    @property
    def fail_on(self) -> str:
        return self.config.get("fail-on")

    def context(self, given: Context | None = None) -> Context:
        """A report's context: what the manifest or the command line gave, the configuration's
        agency and year where they gave none, and the configuration's blank-cell policy."""
        ctx = given or Context()
        return dataclasses.replace(ctx, agency=ctx.agency or self.config.get("agency"),
                                   year=ctx.year if ctx.year is not None else self.config.get("year"),
                                   blank_cells=self.config.get("blank-cells"))

    def finish(self, result: ReportResult) -> ReportResult:
        """The result as the user sees it: per-path ignores, live waivers, and the verdict. (The
        selection applies to the reading findings in the Auditor, as to the rules.)"""
        ignored = self.config.ignored_for(result.path)
        if ignored:
            result = result.without(ignored, self.fail_on)
        if self.baseline is not None:
            result = self.baseline.apply(result, self.fail_on)
        return result.rejudged(self.fail_on)
