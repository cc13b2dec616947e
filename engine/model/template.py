"""The two national formats as data: sections, tables, rows, columns and their canonical keys.

Everything here transcribes FORMAT.md (shared spec) and the official blank 2021 template. Parsers
match labels against these; facts and rules address cells by the keys defined here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FORMATS = ("2019", "2021")

SECTION_TITLES = {
    1: "一、总体情况",
    2: "二、主动公开政府信息情况",
    3: "三、收到和处理政府信息公开申请情况",
    4: "四、政府信息公开行政复议、行政诉讼情况",
    5: "五、存在的主要问题及改进情况",
    6: "六、其他需要报告的事项",
}
# Accepted variants (FORMAT.md §2): reported as info, not as a deviation.
SECTION_VARIANTS = {
    4: ("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",),
    5: ("五、政府信息公开工作存在的主要问题及改进情况",),
}
CHINESE_NUMERALS = "一二三四五六七八九十"

TABLE_NAMES = ("disclosure", "applications", "review_litigation")
TABLE_SECTION = {"disclosure": 2, "applications": 3, "review_litigation": 4}
TABLE_TITLES = {"disclosure": "主动公开政府信息情况表", "applications": "收到和处理政府信息公开申请情况表",
                "review_litigation": "政府信息公开行政复议、行政诉讼情况表"}

# Value types of a cell: what a well-formed cell holds.
COUNT = "count"      # non-negative integer
SIGNED = "signed"    # signed integer (2019 本年增/减)
AMOUNT = "amount"    # non-negative decimal (money)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    value_type: str = COUNT


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    columns: tuple[Column, ...] = ()
    group: str | None = None        # e.g. "第二十条第（一）项" or "（三）不予公开"


@dataclass(frozen=True)
class TableLayout:
    name: str
    format: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]     # union of columns in template order
    group_labels: tuple[str, ...] = field(default=())   # labels that are not data rows

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    def row_keys(self) -> list[str]:
        return [r.key for r in self.rows]

    def cell_keys(self) -> list[tuple[str, str]]:
        return [(r.key, c.key) for r in self.rows for c in r.columns]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


# ---- disclosure (表二) -------------------------------------------------------------------------
_NEW_MADE = Column("NEW_MADE", "本年新制作数量")
_NEW_PUB = Column("NEW_PUB", "本年新公开数量")
_TOTAL_PUB = Column("TOTAL_PUB", "对外公开总数量")
_PREV = Column("PREV", "上一年项目数量")
_DELTA = Column("DELTA", "本年增/减", SIGNED)
_DEC19 = Column("DEC", "处理决定数量")
_COUNT = Column("COUNT", "采购项目数量")
_PROC_AMOUNT = Column("AMOUNT", "采购总金额", AMOUNT)

_MADE = Column("MADE", "本年制发件数")
_REPEALED = Column("REPEALED", "本年废止件数")
_VALID = Column("VALID", "现行有效件数")
_DEC21 = Column("DEC", "本年处理决定数量")
_FEE_AMOUNT = Column("AMOUNT", "本年收费金额（单位：万元）", AMOUNT)

ITEM_CAPTIONS = {"1": "第二十条第（一）项", "5": "第二十条第（五）项", "6": "第二十条第（六）项",
                 "8": "第二十条第（八）项", "9": "第二十条第（九）项"}

DISCLOSURE_2019 = TableLayout(
    "disclosure", "2019",
    rows=(
        Row("REG", "规章", (_NEW_MADE, _NEW_PUB, _TOTAL_PUB), "1"),
        Row("NORM", "规范性文件", (_NEW_MADE, _NEW_PUB, _TOTAL_PUB), "1"),
        Row("LIC", "行政许可", (_PREV, _DELTA, _DEC19), "5"),
        Row("OTHSVC", "其他对外管理服务事项", (_PREV, _DELTA, _DEC19), "5"),
        Row("PEN", "行政处罚", (_PREV, _DELTA, _DEC19), "6"),
        Row("COE", "行政强制", (_PREV, _DELTA, _DEC19), "6"),
        Row("FEE", "行政事业性收费", (_PREV, _DELTA), "8"),
        Row("PROC", "政府集中采购", (_COUNT, _PROC_AMOUNT), "9"),
    ),
    columns=(_NEW_MADE, _NEW_PUB, _TOTAL_PUB, _PREV, _DELTA, _DEC19, _COUNT, _PROC_AMOUNT),
    group_labels=tuple(ITEM_CAPTIONS.values()) + ("信息内容",),
)
DISCLOSURE_2021 = TableLayout(
    "disclosure", "2021",
    rows=(
        Row("REG", "规章", (_MADE, _REPEALED, _VALID), "1"),
        Row("NORM", "行政规范性文件", (_MADE, _REPEALED, _VALID), "1"),
        Row("LIC", "行政许可", (_DEC21,), "5"),
        Row("PEN", "行政处罚", (_DEC21,), "6"),
        Row("COE", "行政强制", (_DEC21,), "6"),
        Row("FEE", "行政事业性收费", (_FEE_AMOUNT,), "8"),
    ),
    columns=(_MADE, _REPEALED, _VALID, _DEC21, _FEE_AMOUNT),
    group_labels=tuple(v for k, v in ITEM_CAPTIONS.items() if k != "9") + ("信息内容",),
)

# ---- applications (表三) ----------------------------------------------------------------------
APPLICANT_COLUMNS = (
    Column("NP", "自然人"),
    Column("BIZ", "商业企业"),
    Column("SCI", "科研机构"),
    Column("NGO", "社会公益组织"),
    Column("LAW", "法律服务机构"),
    Column("OTH", "其他"),
    Column("TOT", "总计"),
)
APPLICANT_HEADERS = ("申请人情况", "法人或其他组织")
RECONCILIATION_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def _app_rows(b6_rows: tuple[tuple[str, str, str | None], ...]) -> tuple[Row, ...]:
    spec = [
        ("A1", "一、本年新收政府信息公开申请数量", None),
        ("A2", "二、上年结转政府信息公开申请数量", None),
        ("B1", "（一）予以公开", "三、本年度办理结果"),
        ("B2", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "三、本年度办理结果"),
        ("B3_1", "1.属于国家秘密", "（三）不予公开"),
        ("B3_2", "2.其他法律行政法规禁止公开", "（三）不予公开"),
        ("B3_3", "3.危及“三安全一稳定”", "（三）不予公开"),
        ("B3_4", "4.保护第三方合法权益", "（三）不予公开"),
        ("B3_5", "5.属于三类内部事务信息", "（三）不予公开"),
        ("B3_6", "6.属于四类过程性信息", "（三）不予公开"),
        ("B3_7", "7.属于行政执法案卷", "（三）不予公开"),
        ("B3_8", "8.属于行政查询事项", "（三）不予公开"),
        ("B4_1", "1.本机关不掌握相关政府信息", "（四）无法提供"),
        ("B4_2", "2.没有现成信息需要另行制作", "（四）无法提供"),
        ("B4_3", "3.补正后申请内容仍不明确", "（四）无法提供"),
        ("B5_1", "1.信访举报投诉类申请", "（五）不予处理"),
        ("B5_2", "2.重复申请", "（五）不予处理"),
        ("B5_3", "3.要求提供公开出版物", "（五）不予处理"),
        ("B5_4", "4.无正当理由大量反复申请", "（五）不予处理"),
        ("B5_5", "5.要求行政机关确认或重新出具已获取信息", "（五）不予处理"),
        *b6_rows,
        ("B7", "（七）总计", "三、本年度办理结果"),
        ("C", "四、结转下年度继续办理", None),
    ]
    return tuple(Row(k, label, APPLICANT_COLUMNS, group) for k, label, group in spec)


APPLICATIONS_2019 = TableLayout(
    "applications", "2019",
    rows=_app_rows((("B6", "（六）其他处理", "三、本年度办理结果"),)),
    columns=APPLICANT_COLUMNS,
    group_labels=("三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理"),
)
APPLICATIONS_2021 = TableLayout(
    "applications", "2021",
    rows=_app_rows((
        ("B6_1", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "（六）其他处理"),
        ("B6_2", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "（六）其他处理"),
        ("B6_3", "3.其他", "（六）其他处理"),
    )),
    columns=APPLICANT_COLUMNS,
    group_labels=("三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"),
)

# ---- review_litigation (表四) -----------------------------------------------------------------
RL_COLUMNS = (
    Column("MAINT", "结果维持"),
    Column("CORR", "结果纠正"),
    Column("OTHER", "其他结果"),
    Column("PEND", "尚未审结"),
    Column("TOT", "总计"),
)
RL_GROUP_HEADERS = {"RV": "行政复议", "LD": "未经复议直接起诉", "LR": "复议后起诉"}
REVIEW_LITIGATION = TableLayout(
    "review_litigation", "both",
    rows=(Row("RV", "行政复议", RL_COLUMNS), Row("LD", "行政诉讼/未经复议直接起诉", RL_COLUMNS),
          Row("LR", "行政诉讼/复议后起诉", RL_COLUMNS)),
    columns=RL_COLUMNS,
    group_labels=("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"),
)

LAYOUTS: dict[tuple[str, str], TableLayout] = {
    ("disclosure", "2019"): DISCLOSURE_2019,
    ("disclosure", "2021"): DISCLOSURE_2021,
    ("applications", "2019"): APPLICATIONS_2019,
    ("applications", "2021"): APPLICATIONS_2021,
    ("review_litigation", "2019"): REVIEW_LITIGATION,
    ("review_litigation", "2021"): REVIEW_LITIGATION,
}

# Labels that only one format prints (FORMAT.md §3.2); they decide the detected format.
FORMAT_ONLY_LABELS = {
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减",
             "其他对外管理服务事项", "第二十条第（九）项", "政府集中采购", "采购项目数量", "采购总金额"),
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "行政规范性文件",
             "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
             "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
}


def layout(table: str, fmt: str | None) -> TableLayout:
    """The layout of `table` in format `fmt`; unknown or mixed formats fall back to 2021."""
    return LAYOUTS[(table, fmt if fmt in FORMATS else "2021")]


def expected_format(year: int | None) -> str | None:
    """The format a report for `year` must use (FORMAT.md §1)."""
    if year is None:
        return None
    if year <= 2018:
        return "pre2019"
    return "2019" if year <= 2020 else "2021"


# ---- totals: cells that are the sum of other cells (the template's arithmetic) ------------------
TABLE_NUMBERS = {"disclosure": "表二", "applications": "表三", "review_litigation": "表四"}
_APPLICANTS = tuple(c.key for c in APPLICANT_COLUMNS if c.key != "TOT")
_RL_PARTS = tuple(c.key for c in RL_COLUMNS if c.key != "TOT")


def totals(table: str, fmt: str | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each total cell ("ROW.COL") of a table with the cells it sums, in an order where a total
    comes after every total among its parts: 表三's （七）总计 of each applicant column (the sum of
    （一）至（六）), then every row's 总计 (（七）总计 included); 表四's 总计 of each group."""
    if table == "applications":
        lay = layout(table, fmt)
        outcomes = [r.key for r in lay.rows if r.key.startswith("B") and r.key != "B7"]
        columns = tuple((f"B7.{c}", tuple(f"{r}.{c}" for r in outcomes)) for c in _APPLICANTS)
        rows = tuple((f"{r}.TOT", tuple(f"{r}.{c}" for c in _APPLICANTS)) for r in lay.row_keys())
        return columns + rows
    if table == "review_litigation":
        return tuple((f"{r}.TOT", tuple(f"{r}.{c}" for c in _RL_PARTS)) for r in REVIEW_LITIGATION.row_keys())
    return ()


_LEADING_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六]）(?!总计))")
_ITEM = re.compile(r"^(\d+)\.")


def table_of_row(row: str) -> str | None:
    """The table a row key belongs to (row keys do not repeat across tables)."""
    return next((name for (name, _), lay in LAYOUTS.items() if row in lay.row_keys()), None)


@dataclass(frozen=True)
class CellName:
    """A cell in the template's words: 表三, 「不予公开」第1项, 自然人; `width` is its row's number
    of columns."""

    table: str
    row: str
    column: str
    width: int

    def __str__(self) -> str:
        return f"{self.table}{self.row}「{self.column}」"


def cell_name(key: str, fmt: str | None = None) -> CellName | None:
    """The words for a cell key ("B3_1.NP"), from the layout of `fmt` first, then the other
    format's (NORM.MADE of a 2019 table); None for a key of no table."""
    row_key, _, col_key = key.partition(".")
    table = table_of_row(row_key)
    if table is None:
        return None
    layouts = [layout(table, fmt)] + [lay for (name, _), lay in LAYOUTS.items() if name == table]
    rows = [lay.row(row_key) for lay in layouts if row_key in lay.row_keys()]
    row = next((r for r in rows if any(c.key == col_key for c in r.columns)), rows[0])
    column = next((c.header for c in row.columns if c.key == col_key), col_key)
    if table == "review_litigation":
        label = RL_GROUP_HEADERS[row_key]
    else:
        label = re.sub(r"（[^）]*）$", "", _LEADING_NUMBER.sub("", row.label))
    item = _ITEM.match(label)
    if item and row.group:          # 「1.属于国家秘密」 of （三）不予公开: 「不予公开」第1项
        words = f"「{_LEADING_NUMBER.sub('', row.group)}」第{item.group(1)}项"
    else:
        words = f"「{label}」"
    return CellName(TABLE_NUMBERS[table], words, column, len(row.columns))


def cell_label(key: str, fmt: str | None = None) -> str:
    """A cell key in the template's words: "B3_1.NP" → 表三「不予公开」第1项「自然人」,
    "A1.TOT" → 表三「本年新收政府信息公开申请数量」「总计」; a key of no table comes back as is."""
    name = cell_name(key, fmt)
    return key if name is None else str(name)
