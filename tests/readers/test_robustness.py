"""Arbitrary input never raises: every file gets a result, and a batch goes on."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk_audit.engine.evaluation.audit import Auditor
from xxgk_audit.engine.readers import read_text

AUDITOR = Auditor()
FRAGMENTS = st.sampled_from([
    "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "六、其他需要报告的事项",
    "第二十条第（一）项 |", "规章 | 0 | 0 | 0 |", "（七）总计 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
    "一、本年新收政府信息公开申请数量\t\t3\t0", "行政复议\t行政诉讼", "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
    "统计期限为20231月1日至", "2023年政府信息公开工作年度报告", "由六部分组成", "|||", "\t\t\t", "—", "-5", "1,024",
])
DOCUMENTS = st.lists(st.one_of(FRAGMENTS, st.text(max_size=40)), max_size=40).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_any_text_is_audited_without_raising(text):
    result = AUDITOR.audit_report(read_text("fuzz.txt", text=text))
    assert result.status in ("pass", "fail", "error")
    for finding in result.findings:
        assert finding.severity in ("error", "warning", "info") and finding.message


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_are_read_without_raising(data):
    report = read_text("fuzz.txt", text=data)
    assert isinstance(report.text, str)
