"""What `batch` writes of the figures, and `figures --store`: the workbook equals `extract` per
report, totals equal the sums, coverage lists exactly who is missing, blank stays apart from 0."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import warnings
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from batch_data import CLEAN, next_year
from xxgk_audit.engine.app import cli
from xxgk_audit.engine.evaluation.audit import read_report
from xxgk_audit.engine.figures.cells import sheet_columns
from xxgk_audit.reports.json_report import report_model

SHEETS = {"表二": "disclosure", "表三": "applications", "表四": "review_litigation"}
BLANKED = CLEAN.replace("2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
                        "2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 |  |") \
               .replace("3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | — |") \
               .replace("7.属于行政执法案卷 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "7.属于行政执法案卷 | 0 | 0 | 0 | 0 | 0 | 0 | 见附件 |")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A manifest batch: three readable reports (one with blank, placeholder and unreadable cells,
    published late), an unreadable file, two path-less rows, and an --expect list with one more."""
    root = tmp_path_factory.mktemp("figures")
    (root / "2023").mkdir()
    (root / "2024").mkdir()
    (root / "2023" / "env.txt").write_text(CLEAN, encoding="utf-8")
    (root / "2024" / "env.txt").write_text(next_year(1), encoding="utf-8")
    (root / "blank.txt").write_text(BLANKED, encoding="utf-8")
    (root / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (root / "manifest.csv").write_text(
        "path,agency,year,published,parent\n"
        "2023/env.txt,某市生态环境局,2023,,某市\n"
        "2024/env.txt,某市生态环境局,2024,,某市\n"
        "blank.txt,某市交通运输局,2023,2024-03-15,某市\n"
        "broken.pdf,某市水利局,2023,,某市\n"
        ",某市教育局,2023,,某市\n"
        ",某市卫生健康委员会,2024,,\n", encoding="utf-8")
    (root / "expect.csv").write_text("agency,year,parent\n某市民政局,2024,某市\n某市生态环境局,2024,某市\n",
                                     encoding="utf-8")
    out = root / "out"
    code = cli.main(["batch", str(root / "manifest.csv"), "--out", str(out), "--jobs", "2",
                     "--expect", str(root / "expect.csv")])
    assert code == 1            # findings, and an unreadable file; never a usage error
    return out


def book(out: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load_workbook(out / "figures.xlsx")


def models(out: Path) -> dict[str, dict]:
    paths = [r["path"] for r in json.loads((out / "summary.json").read_text("utf-8"))["reports"]
             if r["status"] != "error"]
    return {path: report_model(read_report(path)) for path in paths}


def test_path_less_rows_are_not_errors_and_coverage_is_exact(run):
    summary = json.loads((run / "summary.json").read_text("utf-8"))
    assert summary["summary"]["reports"] == 4 and summary["summary"]["error"] == 1
    cov = summary["coverage"]
    assert cov["expected"] == 7          # six manifest rows and 民政局 (生态环境局 2024 listed twice)
    assert cov["missing"] == [{"agency": "某市教育局", "year": 2023, "parent": "某市"},
                              {"agency": "某市卫生健康委员会", "year": 2024, "parent": None},
                              {"agency": "某市民政局", "year": 2024, "parent": "某市"}]
    assert [(e["agency"], Path(e["path"]).name) for e in cov["late"]] == [("某市交通运输局", "blank.txt")]
    assert [(e["agency"], e["year"], Path(e["path"]).name) for e in cov["unreadable"]] == [
        ("某市水利局", 2023, "broken.pdf")]
    sheet = [[c.value for c in row] for row in book(run)["覆盖"].iter_rows(min_row=3)]
    assert [(r[0], r[1], r[2]) for r in sheet] == (
        [("未发布", e["agency"], e["year"]) for e in cov["missing"]]
        + [("逾期发布", "某市交通运输局", 2023), ("无法读取", "某市水利局", 2023)])
    html = (run / "index.html").read_text("utf-8")
    coverage_html = html[html.index('id="coverage"'):html.index("各机关指标")]
    for entry in cov["missing"] + cov["late"] + cov["unreadable"]:
        assert entry["agency"] in coverage_html


def test_the_table_sheets_equal_extract(run):
    wb = book(run)
    expected = models(run)
    for sheet, table in SHEETS.items():
        ws = wb[sheet]
        columns = sheet_columns(table)
        header = [c.value for c in ws[2]][5:]
        assert header == [c.header for c in columns]
        rows = {row[0]: row for row in ws.iter_rows(min_row=3, values_only=True)}
        assert set(expected) <= set(rows)
        for path, model in expected.items():
            values, cells = model["tables"][table] or {}, model["cells"][table] or {}
            for column, got in zip(columns, rows[path][5:]):
                value = values.get(column.row, {}).get(column.column)
                cell = cells.get(column.row, {}).get(column.column)
                if value is not None:
                    assert got == value and not isinstance(got, str), (path, column.key)
                elif cell is None or cell["kind"] == "blank":
                    assert got is None, (path, column.key)
                else:
                    assert got == cell["raw"], (path, column.key)


def test_figures_csv_keeps_blank_apart_from_zero(run):
    with open(run / "figures.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["path", "agency", "year", "parent", "format", "table", "row", "column", "value",
                             "raw", "status"]
    blank = {(r["row"], r["column"]): r for r in rows if r["path"].endswith("blank.txt")}
    assert (blank[("B3_2", "TOT")]["value"], blank[("B3_2", "TOT")]["status"]) == ("", "blank")
    assert (blank[("B3_3", "TOT")]["value"], blank[("B3_3", "TOT")]["raw"], blank[("B3_3", "TOT")]["status"]) == \
        ("", "—", "placeholder")
    assert (blank[("B3_7", "TOT")]["value"], blank[("B3_7", "TOT")]["status"]) == ("", "unreadable")
    assert (blank[("B3_1", "TOT")]["value"], blank[("B3_1", "TOT")]["status"]) == ("0", "number")
    assert blank[("B3_1", "TOT")]["agency"] == "某市交通运输局" and blank[("B3_1", "TOT")]["parent"] == "某市"
    assert not [r for r in rows if r["path"].endswith("broken.pdf")]
    # every cell of the report, in the format's template (2021: 6 + 182 + 15 … cells)
    expected = models(run)
    for path, model in expected.items():
        mine = {(r["table"], r["row"], r["column"]): r for r in rows if r["path"] == path}
        for table in SHEETS.values():
            for row, columns in (model["tables"][table] or {}).items():
                for column, value in columns.items():
                    got = mine[(table, row, column)]
                    assert got["value"] == ("" if value is None else str(value))
    ws = book(run)["表三"]
    columns = [c.key for c in sheet_columns("applications")]
    row = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[0].endswith("blank.txt"))
    cells = dict(zip(columns, row[5:]))
    assert cells["B3_2.TOT"] is None and cells["B3_1.TOT"] == 0 and cells["B3_3.TOT"] == "—"


def test_totals_equal_the_sums(run):
    with open(run / "figures.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    sums: dict[tuple, Decimal] = defaultdict(Decimal)
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        key = (r["parent"] or "（未注明）", int(r["year"]), r["row"], r["column"])
        if r["value"]:
            sums[key] += Decimal(r["value"])
        counts[key][r["status"]] += 1
    ws = book(run)["汇总"]
    got = {(r[0], r[1], r[3], r[4]): r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(got) == set(counts)
    for key, row in got.items():
        assert Decimal(str(row[7])) == sums[key], key
        c = counts[key]
        assert (row[6], row[8], row[9], row[10]) == (sum(c.values()), c["number"], c["blank"] + c["placeholder"],
                                                     c["unreadable"] + c["missing"]), key
    assert got[("某市", 2023, "A1", "TOT")][7] == 22            # 11 + 11
    assert got[("某市", 2023, "B3_2", "TOT")][9] == 1


def test_indicators_csv_and_sheet(run):
    with open(run / "indicators.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["path", "agency", "year", "indicator", "value", "numerator", "denominator", "status",
                             "assumed_zero"]
    by = {(Path(r["path"]).name if "2024" not in r["path"] else "2024", r["indicator"]): r for r in rows}
    refusal = by[("blank.txt", "refusal_rate")]
    assert (refusal["numerator"], refusal["denominator"], refusal["value"], refusal["status"]) == \
        ("", "11", "", "not_assessable")                    # B3_7 is unreadable: unknown
    assert refusal["assumed_zero"] == "B3_2.TOT;B3_3.TOT"
    yoy = by[("2024", "applications_yoy")]                  # 2024: 11 new, 2023: 11
    assert (yoy["numerator"], yoy["denominator"], yoy["value"], yoy["status"]) == ("0", "11", "0.000000",
                                                                                   "small_sample")
    assert by[("env.txt", "applications_yoy")]["status"] == "not_assessable"      # no 2022 report
    ws = book(run)["指标"]
    formula = next(r for r in ws.iter_rows(min_row=2) if r[5].value == "substantive_disclosure_rate")
    assert formula[6].value == "(B1.TOT + B2.TOT) / B7.TOT"
    assert formula[9].value == f"=H{formula[9].row}/I{formula[9].row}"
    cached = load_workbook(run / "figures.xlsx", data_only=True)["指标"].cell(formula[9].row, 10).value
    assert Decimal(str(cached)) == Decimal("0.545455")      # 6 / 11


def test_figures_from_the_store_without_reauditing(run, tmp_path, capsys):
    target = tmp_path / "2023.csv"
    assert cli.main(["figures", "--store", str(run / "audit.db"), "--year", "2023", "-o", str(target)]) == 0
    with open(target, encoding="utf-8-sig", newline="") as fh:
        exported = list(csv.DictReader(fh))
    with open(run / "figures.csv", encoding="utf-8-sig", newline="") as fh:
        batch = [r for r in csv.DictReader(fh) if r["year"] == "2023"]
    key = lambda r: (r["path"], r["table"], r["row"], r["column"])      # noqa: E731
    assert sorted(exported, key=key) == sorted(batch, key=key)
    assert "未发布 1" in capsys.readouterr().err                     # 2023: 教育局
    workbook = tmp_path / "all.xlsx"
    assert cli.main(["figures", "--store", str(run / "audit.db"), "--blank-cells", "unknown",
                     "-o", str(workbook)]) == 0
    assert load_workbook(workbook).sheetnames == ["表二", "表三", "表四", "指标", "汇总", "覆盖"]
    assert cli.main(["figures", "--store", str(run / "audit.db"), "-o", str(tmp_path / "x.json")]) == 2
    assert cli.main(["figures", "--store", str(tmp_path / "none.db"), "-o", str(workbook)]) == 2


def test_a_one_report_check_does_not_import_pandas():
    code = ("import sys\nfrom xxgk_audit.engine.app import cli\n"
            "cli.main(['check', sys.argv[1], '--format', 'json', '--output', '/dev/null'])\n"
            "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))")
    sample = Path(__file__).resolve().parents[2] / "samples" / "clean-2021.txt"
    done = subprocess.run([sys.executable, "-c", code, str(sample)], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr


def test_a_path_less_row_needs_an_agency_and_a_year(tmp_path, capsys):
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,agency,year\n,某局,\n", encoding="utf-8")
    assert cli.main(["batch", str(manifest), "--out", str(tmp_path / "out")]) == 2
    assert "第 2 行" in capsys.readouterr().err
    expect = tmp_path / "e.csv"
    expect.write_text("agency\n某局\n", encoding="utf-8")
    manifest.write_text("path,agency,year\n", encoding="utf-8")
    assert cli.main(["batch", str(manifest), "--out", str(tmp_path / "out"), "--expect", str(expect)]) == 2
    assert "year" in capsys.readouterr().err


def test_partial_totals_add_up_to_the_same(run, monkeypatch):
    from xxgk_audit.engine.batch.store import Store
    from xxgk_audit.engine.figures import collect as module

    store = Store(run / "audit.db", readonly=True)
    whole = module.collect(store).totals
    monkeypatch.setattr(module._Totals, "CHUNK", 50)          # a partial sum every report or so
    assert module.collect(store).totals == whole
    store.close()
