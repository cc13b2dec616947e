"""End to end on text: each typical fault injected into a clean report is found, at the right place."""

from __future__ import annotations

from pathlib import Path

import pytest

from xxgk_audit.engine.evaluation.audit import Auditor, collect_paths

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CLEAN = (SAMPLES / "clean-2021.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor()


def audit_text(auditor: Auditor, tmp_path: Path, text: str, name: str = "report.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return auditor.audit_path(path)


def errors(result) -> list[str]:
    return [f.rule for f in result.findings if f.severity == "error"]


def test_seed_report(auditor):
    result = auditor.audit_path(SAMPLES / "seed-luolong-2020.txt")
    rep = result.report
    assert (rep.format, rep.year, rep.agency) == ("2019", 2020, "洛龙区政务服务和大数据管理局")
    assert errors(result) == []
    assert "META-011" in [f.rule for f in result.findings if f.severity == "warning"]
    assert result.status == "pass"


def test_clean_sample_has_no_errors_or_warnings(auditor, tmp_path):
    result = audit_text(auditor, tmp_path, CLEAN)
    assert [f.rule for f in result.findings if f.severity != "info"] == []
    assert result.report.format == "2021" and result.report.year == 2023


def _replace(old: str, new: str):
    def mutate(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return mutate


def _drop_between(start: str, end: str):
    def mutate(text: str) -> str:
        i, j = text.index(start), text.index(end)
        return text[:i] + text[j:]
    return mutate


FAULTS = [
    ("changed cell", _replace("行政规范性文件 | 2 | 1 | 15 |", "行政规范性文件 | 2 | 1 | 0 |"),
     "ARITH-008", {"table": "disclosure", "row": "NORM", "column": "VALID"}),
    ("changed applicant cell", _replace("（一）予以公开 | 4 | 1 |", "（一）予以公开 | 5 | 1 |"),
     "ARITH-001", {"table": "applications", "row": "B1", "column": "TOT"}),
    ("changed total", _replace("（七）总计 | 9 | 1 | 0 | 0 | 1 | 0 | 11 |", "（七）总计 | 9 | 1 | 0 | 0 | 1 | 0 | 12 |"),
     "ARITH-001", {"table": "applications", "row": "B7", "column": "TOT"}),
    ("broken carry-over", _replace("四、结转下年度继续办理 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
                                   "四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"),
     "ARITH-004", {"table": "applications", "row": "C", "column": "NP"}),
    ("review group does not add up",
     _replace("1 | 0 | 0 | 1 | 2 | 1 | 0 | 0 | 0 | 1 |", "1 | 0 | 0 | 1 | 3 | 1 | 0 | 0 | 0 | 1 |"),
     "ARITH-005", {"table": "review_litigation", "row": "RV", "column": "TOT"}),
    ("missing section", _drop_between("五、存在的主要问题及改进情况", "六、其他需要报告的事项"),
     "STRUCT-001", {"section": 5}),
    ("missing table row", _replace("7.属于行政执法案卷 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n", ""),
     "STRUCT-008", {"table": "applications", "row": "B3_7"}),
    ("statistics period names the wrong year",
     _replace("统计期限为2023年1月1日至2023年12月31日", "统计期限为2022年1月1日至2022年12月31日"),
     "META-006", {}),
    ("malformed statistics period",
     _replace("统计期限为2023年1月1日至2023年12月31日", "统计期限为20231月1日至2023年12月31日"),
     "META-006", {}),
    ("missing fee statement", _replace("本年度未收取信息处理费。", ""), "TEXT-007", {"section": 6}),
    ("negative count", _replace("行政处罚 | 47 |", "行政处罚 | -47 |"),
     "CELL-001", {"table": "disclosure", "row": "PEN", "column": "DEC"}),
    ("template placeholder", _replace("主动公开政府信息326条", "主动公开政府信息XX条"), "TEXT-009", {"section": 1}),
]


@pytest.mark.parametrize("name, mutate, rule, where", FAULTS, ids=[f[0] for f in FAULTS])
def test_injected_fault_is_found_where_it_is(auditor, tmp_path, name, mutate, rule, where):
    result = audit_text(auditor, tmp_path, mutate(CLEAN))
    hits = [f for f in result.findings if f.rule == rule]
    assert hits, f"{rule} not found; got {[f.rule for f in result.findings]}"
    loc = hits[0].location
    assert hits[0].severity == ("warning" if rule == "ARITH-008" else "error")
    for key, value in where.items():
        assert getattr(loc, key) == value, (key, loc)
    assert loc.line is not None
    assert result.status == ("pass" if rule == "ARITH-008" else "fail")


def test_2021_report_printed_with_2019_tables_is_found(auditor):
    result = auditor.audit_path(SAMPLES / "error-outdated-format-2023.txt")
    found = {f.rule for f in result.findings}
    assert {"META-002", "META-006", "META-012", "TEXT-007"} <= found
    assert result.report.format == "2019" and result.report.year == 2023


@pytest.mark.parametrize("sample, expected", [
    ("error-arithmetic-2023.txt", {"ARITH-001", "ARITH-004", "ARITH-005"}),
    ("error-structure-2022.txt", {"STRUCT-001", "STRUCT-008", "CELL-001", "CELL-002", "TEXT-009"}),
])
def test_error_samples(auditor, sample, expected):
    result = auditor.audit_path(SAMPLES / sample)
    assert expected <= {f.rule for f in result.findings}


def test_samples_folder_is_collected_in_order():
    files, missing = collect_paths([SAMPLES, SAMPLES / "nope.txt"])
    assert [f.name for f in files] == sorted(f.name for f in SAMPLES.glob("*.txt"))
    assert missing == [f"{SAMPLES / 'nope.txt'}（路径不存在）"]
