"""The pages of the review web app (engine/app/web): the batch index with search and upload, a
report's page with decision forms on each finding, the comparison of a corrected report with its
earlier version, and error pages.

They are the static pages' templates and view code (html.py, html_index.py, html_view.py) with
forms added: report.html.j2 is extended through its `review_head` and `finding_review` blocks. The
policy is the static pages' Content-Security-Policy except that forms may post to the app itself
(`form-action 'self'` in place of 'none'); no script runs on these pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from xxgk_audit.engine.evaluation.audit import ReportResult
from xxgk_audit.engine.evaluation.findings import Finding
from xxgk_audit.engine.model.vocabulary import VERDICT_LABELS
from xxgk_audit.engine.rulelang.rulepack import Rule
from .html import _environment, _hash
from .html_index import IndexRow
from .html_view import build_page

__all__ = ["Review", "AppRow", "Compared", "app_policy", "render_app_index", "render_app_page",
           "render_compare", "render_error"]


def app_policy() -> str:
    """The static pages' policy, with forms allowed to post to the app (in the pages' meta tag;
    the app's response header adds frame-ancestors, which a meta tag cannot carry)."""
    css = _environment().globals["css"]
    return f"default-src 'none'; style-src {_hash(css)}; base-uri 'none'; form-action 'self'"


@dataclass
class Review:
    """A finding's review on its page: fingerprint, decision (key and label), state, comment."""

    fingerprint: str
    decision: str
    decision_label: str
    state: str | None               # None: not the latest version of the report
    state_label: str | None
    comment: str
    reviewer: str
    decided_at: str | None


@dataclass
class AppRow:
    row: IndexRow                   # as on the static index, verdict given with decisions honoured
    report_id: int
    parent: str | None
    dismissed: int
    confirmed: int
    pending: int
    versions: int
    assessed: int                   # checks that reached a verdict, of
    checks: int                     # all checks run


@dataclass
class Compared:
    """A corrected report against its agency's earlier version: findings by state."""

    report_id: int
    agency: str | None
    year: int | None
    path: str
    earlier: str | None             # the earlier version's path; None when there is none
    groups: list[tuple[str, str, list[Any]]] = field(default_factory=list)    # (state, label, items)


def _render(name: str, **context: Any) -> str:
    return _environment().get_template(name).render(csp_app=app_policy(), **context)


def render_app_index(rows: list[AppRow], query: dict[str, str], years: list[int], csrf: str,
                     shown_limit: int, total: int, dismissed: int) -> str:
    return _render("app_index.html.j2", rows=rows, query=query, years=years, csrf=csrf, limit=shown_limit,
                   total=total, dismissed=dismissed, verdicts=VERDICT_LABELS)


def render_app_page(result: ReportResult, rules: dict[str, Rule], review_of: Callable[[Finding], Review | None],
                    report_id: int, verdict: str, status: str, dismissed: int, csrf: str) -> str:
    """A report's page as the static one, with the verdict after review and a form per finding."""
    page = build_page(result, rules, "/")
    return _render("app_report.html.j2", page=page, review_of=review_of, report_id=report_id,
                   review_verdict=verdict, review_status=status, dismissed=dismissed, csrf=csrf)


def render_compare(compared: Compared) -> str:
    return _render("app_compare.html.j2", c=compared)


def render_error(status: int, message: str) -> str:
    return _render("app_error.html.j2", status=status, message=message)
