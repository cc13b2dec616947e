"""The user's vocabulary, in one place: severities, check statuses, report verdicts and their
Chinese words. Everything a user reads about these comes from here, so outputs agree."""

from __future__ import annotations

__all__ = ["SEVERITY_ORDER", "SEVERITY_LABELS", "PASS", "FAIL", "NOT_ASSESSABLE", "NOT_APPLICABLE",
           "STATUS_LABELS", "ERROR", "VERDICT_LABELS", "INDICATOR_STATUS_LABELS", "COVERAGE_LABELS"]

# finding severities, lowest first (`--fail-on` names the lowest that fails a report)
SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}

# a rule's outcome on one report (a Check), and the words for it
PASS, FAIL, NOT_ASSESSABLE, NOT_APPLICABLE = "pass", "fail", "not_assessable", "not_applicable"
STATUS_LABELS = {PASS: "通过", FAIL: "不通过", NOT_ASSESSABLE: "无法评估", NOT_APPLICABLE: "不适用"}

# a report's verdict: pass, fail, or error (the file could not be audited)
ERROR = "error"
VERDICT_LABELS = {PASS: "通过", FAIL: "不通过", ERROR: "无法审核"}

# an indicator's status (engine/figures/indicators.py), and coverage's lists (engine/figures/coverage.py)
INDICATOR_STATUS_LABELS = {"rated": "有效样本", "small_sample": "样本较少", NOT_ASSESSABLE: "无法评估"}
COVERAGE_LABELS = {"missing": "未发布", "late": "逾期发布", "unreadable": "无法读取"}
