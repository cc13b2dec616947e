"""Text reader, normalisation and label matching, on the seed report, the real excerpts and
synthetic layouts (tests/data/synthetic)."""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk_audit.engine.model import template
from xxgk_audit.engine.model.labels import best_match, normalize_label, similarity, strip_numbering
from xxgk_audit.engine.model.report import CELL_KINDS, Report
from xxgk_audit.engine.model.normalize import compact, decode_document, normalize_text, parse_cell
from xxgk_audit.engine.readers import read_text

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = DATA / "corpus"
EXCERPTS = sorted((CORPUS / "excerpts").glob("*.txt"))
MANIFEST = {row["id"]: row for row in csv.DictReader(
    (CORPUS / "excerpts" / "manifest.csv").open(encoding="utf-8"))}


@lru_cache(maxsize=None)
def excerpt(number: str) -> Report:
    return read_text(CORPUS / "excerpts" / f"{number}.txt")


@lru_cache(maxsize=None)
def synthetic(name: str) -> Report:
    return read_text(DATA / "synthetic" / name)


def cell(report: Report, table: str, row: str, col: str):
    return report.tables[table].cells[(row, col)]


# ---- normalisation -----------------------------------------------------------------------------
@pytest.mark.parametrize("raw, value, kind", [
    ("0", 0, "int"), ("12", 12, "int"), ("1,024", 1024, "int"), ("１２", 12, "int"), (" 7 ", 7, "int"),
    ("+3", 3, "signed"), ("-2", -2, "signed"), ("－1", -1, "signed"), ("+0", 0, "signed"),
    ("26.55", Decimal("26.55"), "decimal"),
    ("251000元", 251000, "unit"), ("3件", 3, "unit"), ("约5", 5, "unit"), ("26.55万元", Decimal("26.55"), "unit"),
    ("", None, "blank"), ("   ", None, "blank"), ("&nbsp;", None, "blank"), ("\u3000", None, "blank"),
    ("—", None, "placeholder"), ("-", None, "placeholder"), ("/", None, "placeholder"),
    ("无", None, "placeholder"), ("——", None, "placeholder"), ("－", None, "placeholder"),
    ("? 0", None, "unreadable"), ("見附件", None, "unreadable"), ("O", None, "unreadable"),
    ("0 0", None, "unreadable"),
])
def test_parse_cell(raw, value, kind):
    got_value, got_kind = parse_cell(raw)
    assert (got_value, got_kind) == (value, kind)
    assert kind in CELL_KINDS
    assert type(got_value) is type(value)       # Decimal stays Decimal, never float


def test_normalize_text_keeps_length_and_unifies_punctuation():
    text = "（一）ＡＢ１２：“引号”【注】，－"
    out = normalize_text(text)
    assert len(out) == len(text)
    assert out == '(一)AB12:"引号"(注),-'
    assert compact(" 商业 企业\u3000") == "商业企业"


def test_decode_document_utf8_bom_gb18030_and_garbage():
    assert decode_document("\ufeff规章".encode("utf-8"))[:2] == ("规章", "utf-8-sig")
    assert decode_document("规章".encode("gb18030"))[:2] == ("规章", "gb18030")
    text, encoding, _ = decode_document(b"\xff\xfe\xfa")
    assert isinstance(text, str) and encoding


# ---- labels ------------------------------------------------------------------------------------
@pytest.mark.parametrize("written, key", [
    ("（一）予以公开", "(一)予以公开"), ("(一) 予以公开", "(一)予以公开"), ("1、属于国家秘密", "1.属于国家秘密"),
    ("（1）属于国家秘密", "1.属于国家秘密"), ("1．属于国家秘密", "1.属于国家秘密"), ("## 一、总体情况", "一、总体情况"),
    ("商业 企业", "商业企业"), ("3.危及“三安全一稳定”", "3.危及三安全一稳定"), ("規章", "规章"),
    ("第二十條第(一)項(xiàng)", "第二十条第(一)项"), ("本年收費金額(單位:萬元)", "本年收费金额(单位:万元)"),
])
def test_normalize_label(written, key):
    assert normalize_label(written) == key


def test_label_typo_matched_with_score_below_one():
    labels = [r.label for r in template.APPLICATIONS_2021.rows]
    found = best_match("2.其他法律行政止公开", labels)
    assert found is not None
    assert found[0] == "2.其他法律行政法规禁止公开"
    assert 0.8 <= found[1] < 1


def test_short_labels_need_an_exact_match():
    assert best_match("规费", ["规章"]) is None
    assert best_match("商业", ["商业企业"]) is None
    assert best_match("（七）总计", ["总计", "（七）总计"]) == ("（七）总计", 1.0)


def test_similarity_and_strip_numbering():
    assert similarity("（二）部分公开", "(二)部分公开") == 1.0
    assert 0 < similarity("1.本机关不掌握相关信息", "1.本机关不掌握相关政府信息") < 1
    assert strip_numbering("(一)予以公开") == "予以公开"
    assert strip_numbering("一、本年新收政府信息公开申请数量") == "本年新收政府信息公开申请数量"


# ---- the seed report ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed() -> Report:
    return read_text(CORPUS / "seed-luolong-2020.txt")


def test_seed_metadata(seed):
    assert seed.kind == "txt"
    assert seed.year == 2020
    assert seed.agency == "洛龙区政务服务和大数据管理局"
    assert seed.preamble_agency == "洛龙区政务服务和大数据管理局"
    assert seed.title is None                  # the seed has no title line
    assert "2020年1月1日" in seed.period_text and seed.period_line == 5
    assert "六部分组成" in seed.preamble
    assert seed.format == "2019"
    assert "（六）其他处理" in seed.format_evidence["2019"] and seed.format_evidence["2021"] == []


def test_seed_sections(seed):
    assert [s.number for s in seed.sections] == [1, 2, 3, 4, 5, 6]
    assert [s.start_line for s in seed.sections] == [3, 37, 58, 88, 95, 101]
    assert [s.title for s in seed.sections] == [template.SECTION_TITLES[n] for n in range(1, 7)]
    one = seed.section(1)
    assert one.end_line == 36
    assert "六部分组成" not in one.text          # the preamble is not section text
    assert one.text.startswith("2020年,洛龙区")   # nor the duplicated heading
    assert "(一) 基层政务公开" in one.text      # sub-headings stay inside section 一
    assert seed.section(6).text == "无"
    assert seed.section(3).text == "" and seed.section(2).text == ""   # tables are not section text
    assert any("duplicate heading" in n for n in seed.notes)


def test_seed_disclosure(seed):
    table = seed.tables["disclosure"]
    assert table.format == "2019"
    assert set(table.cells) == set(template.DISCLOSURE_2019.cell_keys()) and len(table.cells) == 22
    assert all(c.value == 0 and c.kind == "int" for c in table.cells.values())
    assert cell(seed, "disclosure", "REG", "NEW_MADE").location.line == 41
    assert {lm.key for lm in table.labels if lm.role == "caption"} == {"1", "5", "6", "8", "9"}
    amount = next(lm for lm in table.labels if lm.role == "column" and lm.key == "AMOUNT")
    assert amount.written == "采购总金额(单位:万元)" and amount.score == 1.0   # a unit note is no deviation


def test_seed_applications(seed):
    table = seed.tables["applications"]
    assert table.format == "2019"
    assert set(table.cells) == set(template.APPLICATIONS_2019.cell_keys()) and len(table.cells) == 161
    assert all(c.value == 0 and c.kind == "int" for c in table.cells.values())
    assert table.rows_found == template.APPLICATIONS_2019.row_keys()
    assert table.columns_found == [c.key for c in template.APPLICANT_COLUMNS]
    assert table.note_present and table.extra_rows == [] and table.extra_columns == []
    assert cell(seed, "applications", "A1", "NP").location.line == 63
    assert cell(seed, "applications", "C", "TOT").location.line == 86
    b4_1 = next(lm for lm in table.labels if lm.key == "B4_1")
    assert b4_1.written == "1.本机关不掌握相关信息" and 0.8 < b4_1.score < 1


def test_seed_review_litigation_takes_first_15_of_16(seed):
    table = seed.tables["review_litigation"]
    assert len(table.cells) == 15 and set(table.cells) == set(template.REVIEW_LITIGATION.cell_keys())
    assert all(c.value == 0 and c.kind == "int" and c.location.line == 93 for c in table.cells.values())
    assert any("16 values for 15 cells" in n for n in seed.notes)


# ---- the excerpts ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", EXCERPTS, ids=lambda p: p.stem)
def test_every_excerpt_parses(path):
    report = excerpt(path.stem)
    meta = MANIFEST[path.stem]
    assert report.text and not any("internal error" in n for n in report.notes)
    if meta["year"].isdigit():
        assert report.year == int(meta["year"])
    if "disclosure" in report.tables and meta["template"] in template.FORMATS:
        assert report.format == meta["template"]
    numbers = [s.number for s in report.sections]
    assert len(numbers) == len(set(numbers))
    for table in report.tables.values():
        assert all(c.kind in CELL_KINDS for c in table.cells.values())
        assert all(c.location.line for c in table.cells.values())
        assert all(0 <= lm.score <= 1 for lm in table.labels)


@pytest.mark.parametrize("number", ["013", "021", "023"])
def test_pre2019_outline_noted(number):
    report = excerpt(number)
    assert report.format is None and report.metadata["outline"] == "pre2019"
    assert any("pre-2019" in n for n in report.notes)


def test_006_applications_pipe_rows():
    r = excerpt("006")
    assert cell(r, "applications", "A1", "NP").value == 3
    assert cell(r, "applications", "A1", "TOT").value == 3
    assert cell(r, "applications", "A2", "TOT").value == 0
    assert r.format == "2021"


def test_019_2019_disclosure_values():
    r = excerpt("019")
    assert r.format == "2019" and r.year == 2019
    assert cell(r, "disclosure", "LIC", "PREV").value == 716
    delta = cell(r, "disclosure", "LIC", "DELTA")
    assert (delta.value, delta.kind, delta.raw) == (-417, "signed", "-417")
    assert cell(r, "disclosure", "LIC", "DEC").value == 298
    assert cell(r, "disclosure", "NORM", "NEW_PUB").value == 8
    assert cell(r, "disclosure", "PROC", "AMOUNT").value == 0
    assert cell(r, "applications", "A1", "NP").value == 2


def test_007_wrong_template_detected_from_labels():
    r = excerpt("007")
    assert r.year == 2023 and r.format == "2019"
    assert "本年新制作数量" in r.format_evidence["2019"]
    assert cell(r, "disclosure", "REG", "NEW_MADE").location.line == 16   # one cell per line


def test_002_placeholder_and_one_cell_per_line():
    r = excerpt("002")
    reg = cell(r, "disclosure", "REG", "MADE")
    assert (reg.raw, reg.value, reg.kind) == ("/", None, "placeholder")
    assert cell(r, "disclosure", "NORM", "VALID").value == 0
    assert cell(r, "disclosure", "FEE", "AMOUNT").value == 0
    assert r.format == "2021" and r.agency == "区统计局" and r.year == 2023
    a1 = [cell(r, "applications", "A1", c.key) for c in template.APPLICANT_COLUMNS]
    assert [c.kind for c in a1] == ["blank"] * 6 + ["int"]
    assert "六部分组成" in r.preamble


def test_008_blank_cells_keep_their_positions():
    r = excerpt("008")
    assert cell(r, "applications", "A2", "NP").value is None
    assert cell(r, "applications", "A2", "NP").kind == "blank"
    assert cell(r, "applications", "A1", "NP").value == 0
    assert cell(r, "applications", "A1", "BIZ").kind == "blank"
    assert cell(r, "applications", "A1", "TOT").value == 0
    assert cell(r, "applications", "B2", "TOT").value == 0
    assert cell(r, "disclosure", "NORM", "VALID").value == 101
    assert r.format == "2021" and r.year is None
    biz = next(lm for lm in r.tables["applications"].labels if lm.key == "BIZ")
    assert biz.written == "商业\n企业"                     # header split across two lines


def test_003_header_split_by_space():
    r = excerpt("003")
    biz = next(lm for lm in r.tables["applications"].labels if lm.key == "BIZ")
    assert (biz.written, biz.template, biz.score) == ("商业 企业", "商业企业", 1.0)
    assert r.agency == "湛江市人民政府地方志办公室"
    assert "2023年1月1日" in r.period_text


@pytest.mark.parametrize("number", ["016", "017"])
def test_review_litigation_from_pdf_text(number):
    r = excerpt(number)
    table = r.tables["review_litigation"]
    assert len(table.cells) == 15
    assert all(c.value == 0 and c.kind == "int" for c in table.cells.values())


def test_016_vertical_headers_and_a_row_without_its_heading():
    r = excerpt("016")
    assert [cell(r, "applications", "C", c.key).value for c in template.APPLICANT_COLUMNS] == [0] * 7
    three = r.section(3)
    assert three is not None and not three.heading_found       # table present, heading on another page
    assert [s.number for s in r.sections if s.heading_found] == [4, 5]
    assert r.section(4).start_line == 4          # 「四、结转下年度继续办理」 on line 3 is a table row
    assert r.title == "2020年报_审计局" and r.year == 2020


def test_017_only_review_litigation_and_a_variant_heading():
    r = excerpt("017")
    assert set(r.tables) == {"review_litigation"}
    assert r.section(4).title == "四、因政府信息公开工作被申请行政复议提起行政诉讼情况"
    assert r.agency == "威海市文登区信访局" and r.title_line == 1


def test_022_traditional_mirror():
    r = excerpt("022")
    assert r.format == "2021"
    assert cell(r, "disclosure", "REG", "MADE").value == 0
    unreadable = cell(r, "disclosure", "REG", "REPEALED")
    assert (unreadable.raw, unreadable.kind, unreadable.value) == ("? 0", "unreadable", None)
    assert cell(r, "disclosure", "LIC", "DEC").value == 0
    assert cell(r, "disclosure", "FEE", "AMOUNT").value == 0
    assert [s.number for s in r.sections] == [1, 2, 3]
    assert r.section(2).title == "二、主動公開政府信息情況"       # as written, pinyin glosses removed


def test_034_whole_report_on_one_line():
    r = excerpt("034")
    assert [s.number for s in r.sections] == [1, 2, 3, 4, 5, 6]
    assert all(s.start_line == 1 for s in r.sections)
    assert r.section(6).text.startswith("我局暫無其他事項")
    assert r.year == 2020 and r.agency == "開平市農業農村局"
    assert "五個部分" in r.preamble


def test_038_heading_glued_to_the_preamble():
    r = excerpt("038")
    one = r.section(1)
    assert one.start_line == 9 and one.title == "一、总体情况"
    assert "统计期限" in r.preamble and "一、总体情况" not in r.preamble
    assert r.agency == "东风路街道" and r.preamble_agency == "东风路街办"
    assert r.metadata["published"].isoformat() == "2025-01-16"


@pytest.mark.parametrize("number, agency", [
    ("004", "高平市人民政府办公室"), ("039", "兴庆区前进街街道办事处"), ("040", "南关区永吉街道办事处"),
    ("011", "湛江市文化广电旅游体育局"), ("012", "湛江奋勇高新区管委会办公室"), ("024", "清江浦区人民政府"),
])
def test_agency(number, agency):
    assert excerpt(number).agency == agency


def test_headings_without_tables_and_missing_sections():
    assert [s.number for s in excerpt("014").sections] == [1, 2, 3] and not excerpt("014").tables
    assert [s.number for s in excerpt("035").sections] == [1, 5]


def test_preamble_inside_section_one():
    r = excerpt("029")
    assert r.preamble.startswith("本年度报告根据") and "六个部分" in r.preamble
    assert r.section(1).text.startswith("(一)主动公开方面")
    assert r.preamble_agency == "中江县人民政府办公室"


# ---- synthetic layouts -------------------------------------------------------------------------
def test_pipe_2021_with_subtotal_row_and_typo():
    r = synthetic("pipe-2021-subtotals.txt")
    apps = r.tables["applications"]
    assert r.format == "2021" and apps.format == "2021"
    assert set(apps.cells) == set(template.APPLICATIONS_2021.cell_keys())
    assert apps.extra_rows == ["小计"]                     # recorded, not counted
    assert cell(r, "applications", "B3_2", "NP").value == 1
    assert cell(r, "applications", "B4_1", "NP").value == 0
    typo = next(lm for lm in apps.labels if lm.key == "B3_2")
    assert typo.written == "2.其他法律行政止公开" and typo.template == "2.其他法律行政法规禁止公开"
    assert typo.score < 1
    assert cell(r, "applications", "C", "TOT").value == 2
    assert cell(r, "review_litigation", "RV", "MAINT").value == 1
    assert cell(r, "disclosure", "LIC", "DEC").value == 1024
    assert cell(r, "disclosure", "FEE", "AMOUNT").value == Decimal("26.55")
    assert cell(r, "disclosure", "PEN", "DEC").kind == "unit"
    assert cell(r, "disclosure", "COE", "DEC").kind == "placeholder"
    assert (r.title, r.year, r.agency) == ("某县某局2022年政府信息公开工作年度报告", 2022, "某县某局")
    assert [s.number for s in r.sections] == [1, 2, 3, 4, 5, 6]


def test_one_cell_per_line_2019_with_full_width_digits():
    r = synthetic("cell-per-line-2019.txt")
    assert r.format == "2019"
    made = cell(r, "disclosure", "NORM", "NEW_MADE")
    assert (made.raw, made.value, made.kind, made.location.line) == ("１２", 12, "int", 14)
    assert cell(r, "disclosure", "NORM", "NEW_PUB").kind == "signed"
    assert cell(r, "disclosure", "LIC", "DELTA").value == -2
    amount = cell(r, "disclosure", "PROC", "AMOUNT")
    assert (amount.value, amount.kind) == (251000, "unit")
    b6 = [cell(r, "applications", "B6", c.key) for c in template.APPLICANT_COLUMNS]
    assert [c.value for c in b6] == [0] * 7 and b6[0].location.line == 38   # merged blank skipped
    lines = [c.location.line for c in r.tables["review_litigation"].cells.values()]
    assert lines == list(range(48, 63))


def test_subtotal_column_is_not_a_cell():
    text = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况\n"
            "\t自然人\t法人或其他组织\t总计\n"
            "\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t法人或其他组织小计\n"
            "一、本年新收政府信息公开申请数量\t2\t1\t0\t0\t0\t1\t2\t4\n"
            "二、上年结转政府信息公开申请数量\t０\t０\t０\t０\t０\t０\t０\t０\n")
    r = read_text("inline", text=text)
    apps = r.tables["applications"]
    assert apps.extra_columns == ["法人或其他组织小计"]
    assert [apps.value("A1", c.key) for c in template.APPLICANT_COLUMNS] == [2, 1, 0, 0, 0, 1, 4]
    assert [apps.value("A2", c.key) for c in template.APPLICANT_COLUMNS] == [0] * 7


def test_mixed_formats_in_one_table():
    text = ("第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n"
            "第二十条第（五）项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政许可\t1\t+1\t2\n")
    r = read_text("inline", text=text)
    assert r.format == "mixed" and r.tables["disclosure"].format == "mixed"
    assert r.tables["disclosure"].value("LIC", "DELTA") == 1


def test_pdf_text_with_wrapped_row_labels():
    text = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\n"
            "一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3\n"
            "(二)部分公开(区分处理的,只计这一情\n形,不计其他情形) 1 0 0 0 0 0 1\n"
            "(六)其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申\n请 0 0 0 0 0 0 2\n")
    apps = read_text("inline", text=text).tables["applications"]
    assert apps.rows_found == ["A1", "B2", "B6_1"]
    assert [apps.value("B2", c.key) for c in template.APPLICANT_COLUMNS] == [1, 0, 0, 0, 0, 0, 1]
    assert apps.value("B6_1", "TOT") == 2 and apps.cells[("B6_1", "TOT")].location.line == 6


def test_bytes_in_gb18030_and_missing_file():
    r = read_text("gbk.txt", text="一、总体情况\n规章\t0\t0\t0\n".encode("gb18030"))
    assert r.metadata["encoding"] == "gb18030" and r.section(1) is not None
    missing = read_text(DATA / "no-such-file.txt")
    assert missing.text == "" and missing.notes


_TOKENS = list("0123456789 \t|\n一二三四、（）()规章总计小计-/—元.") + [
    "第二十条第(一)项", "信息内容", "行政许可", "行政复议", "(六)其他处理", "一、总体情况", "2020年"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=120).map("".join))
def test_never_raises(text):
    report = read_text("fuzz", text=text)
    assert not any("internal error" in n for n in report.notes)
