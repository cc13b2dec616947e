"""The report head: title, year, agency, statistics period, publication date and parts.

This is the one parser of these: facts read what it found from the `Report`, they do not parse
the title again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from xxgk_audit.engine.model import template
from xxgk_audit.engine.readers.classify import Line, simplify

# ==== title, year, agency, period ===============================================================
PAGE_HEADER = re.compile(r"^\s*Page\s*\d+\s*[-–—]\s*(?P<title>.+?)\s*$", re.IGNORECASE)
_TITLE_WORDS = re.compile(r"年度报告|工作报告|年报")
_NOT_TITLE = re.compile(r"根据|依据|本报告|本年度报告|当前位置|首页|>|。|\|")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?:度)?")
FIRST_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})")      # also 「20231月1日」
_REPORT_NAME = re.compile(r"(?:政府信息公开|政务公开|信息公开|工作年度报告|年度报告|工作报告|工作情况|年报|报告)")
_AGENCY_END = re.compile(r"(?:局|办公室|委员会|委|政府|办事处|街道|街办|管委会|中心|厅|院|所|办|处|镇|乡|县|市|区|旗|"
                         r"队|站|会|部|署|馆|社|园区|集团|公司)$")
_PUBLISH_VERB = re.compile(r"(?:现予?公布|特?向社会公布|现公开|现予?发布|特编制|编制了|现将)\s*《?"
                           r"(?P<chunk>[^。;,《》]{2,60}?(?:年度报告|工作报告|年报|报告|工作情况))")
_COMPILED_BY = re.compile(r"由(?P<org>[^。;,、由]{2,40}?)(?:负责|组织|牵头)?(?:编制|编写|撰写|根据|依据)")
_WORK_OF = re.compile(r"结合(?:(?:19|20)\d{2}\s*年度?)?(?P<org>(?![我本该])[^。;,、结]{2,40}?)(?:的)?(?:政府信息公开|政务公开)?工作实际")
PREAMBLE_LIKE = re.compile(r"本(?:年度)?报告|本年报|年度报告")
_PREAMBLE_START = re.compile(r"\s*(?:本(?:年度)?报告|本年报|根据|依据|按照)")
_PREAMBLE_WORDS = re.compile(r"编制|组成|统计|部分|公布")
CHROME = re.compile(r"当前位置|首页|\s>\s|发布日期|发表日期|来源:|字号|打印|无障碍|[|\t]")
NARRATIVE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?:度|以来)?\s*[,，]")
YEAR_END = re.compile(r"截[止至]\s*((?:19|20)\d{2})\s*年\s*12\s*月\s*31\s*日")
_DATE = r"\d{4}\s*年?\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
_PERIOD = re.compile(rf"(?P<start>{_DATE})\s*起?\s*(?:至|到|—|-|~)\s*(?:\d{{4}}\s*年)?\s*\d{{1,2}}\s*月\s*"
                     r"\d{1,2}\s*日\s*止?")
_CLAUSE_START = re.compile(r"[。;,!?]")
_PUBLISHED = re.compile(r"(?:发布日期|发表日期|发布时间|发文日期|时间)\s*[:|]?\s*\|?\s*"
                        r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
PRE2019_MARKERS = ("概述", "工作机构和人员", "公开目录", "收费及减免")


def _agency_like(name: str) -> bool:
    simp = simplify(name)
    return 2 <= len(name) <= 40 and "、" not in simp and _AGENCY_END.search(simp) is not None


def agency_in_name(text: str, simp: str) -> str | None:
    """The agency in a report's name: 「湛江市司法局2025年政府信息公开工作年度报告」 → 湛江市司法局."""
    m = _YEAR.search(simp)
    pieces = [(0, m.start()), (m.end(), len(simp))] if m else [(0, len(simp))]
    for a, z in pieces:
        if simp[a:a + 1] == "报" and m and a == m.end():
            a += 1                                         # 「2020年报」
        cut = _REPORT_NAME.search(simp, a, z)
        name = text[a:cut.start() if cut else z].strip(" _-—:：《》\t")
        if name and _agency_like(name):
            return name
    return None


def _strip_office(org: str) -> str:
    """「…管理局办公室编制」: the office compiles the bureau's report; the agency is the bureau."""
    return org[:-3] if org.endswith("办公室") and org[:-3].endswith(("局", "厅")) else org


def find_title(lines: list[Line], limit: int) -> tuple[str | None, int | None, int]:
    """Title, its line number, and how many title-like lines there are before `limit`."""
    title: str | None = None
    title_no: int | None = None
    count = 0
    for li in range(min(limit, len(lines))):
        line = lines[li]
        page = PAGE_HEADER.match(line.text)
        text = clean_title(page["title"] if page else line.text)
        simp = simplify(text)
        if not text or len(text) > 60 or not _TITLE_WORDS.search(simp):
            continue
        if not page and _NOT_TITLE.search(simp):
            continue
        count += 1
        if title is not None:
            continue
        title, title_no = text, line.no
        if not agency_in_name(text, simp) and li > 0 and not page:
            prev = next((p for p in reversed(lines[max(0, li - 3):li]) if p.text.strip()), None)
            if prev is not None and len(prev.text.strip()) <= 30 and not _NOT_TITLE.search(prev.simp) \
                    and not re.search(r"[,。:;]", prev.simp):
                title, title_no = clean_title(prev.text) + text, prev.no
    return title, title_no, count


_TITLE_MARKUP = re.compile(r"^[\s#*>]+|[\s#*]+$")


def clean_title(text: str) -> str:
    """A title as named: without markdown markup (「# …」, 「**…**」) and without the 《》 (or 「」)
    that quote it as a document's name."""
    text = _TITLE_MARKUP.sub("", text)
    for a, z in ("《》", "「」", "“”", '""'):
        if len(text) > 2 and text[0] == a and text[-1] == z and a not in text[1:-1] and z not in text[1:-1]:
            return text[1:-1].strip()
    return text


_TITLE_YEAR = re.compile(r"(20\d{2})\s*年")
_PERIOD_YEAR = re.compile(r"(20\d{2})\s*年")
_GLUED_MONTH = re.compile(r"20\d{2}\d{1,2}月")            # 「20231月1日」: a year glued to the month, no 年
_PARTS_STATED = re.compile(r"([一二三四五六七八九十\d]+)\s*(?:个)?(?:部分|方面)(?:内容)?组成")
_PARTS_LISTED = re.compile(r"(?:由|包括)(.+?)(?:等)?[一二三四五六七八九十\d]+\s*(?:个)?(?:部分|方面)")
_ONE_PART = re.compile(r"行政复议\s*[、，,]\s*(?:提起)?行政诉讼")
_CN_NUMERAL = {c: i + 1 for i, c in enumerate(template.CHINESE_NUMERALS)}


def title_parts(title: str | None) -> tuple[int | None, str | None]:
    """The year a title names and the words before it (the agency as the title writes it)."""
    m = _TITLE_YEAR.search(title or "")
    if m is None:
        return None, None
    return int(m.group(1)), (title[:m.start()].strip() or None)


def period_parts(period: str | None) -> tuple[int | None, int | None, bool | None]:
    """First and last year of a statistics period, and whether it is malformed (no 年 read)."""
    if not period:
        return None, None, None
    years = [int(y) for y in _PERIOD_YEAR.findall(period)]
    malformed = bool(_GLUED_MONTH.search(period)) or not years
    return (years[0] if years else None), (years[-1] if years else None), malformed


def parts_of(preamble: str) -> tuple[int | None, int | None]:
    """How many parts the preamble says the report has, and how many it lists by name."""
    stated = _PARTS_STATED.search(preamble)
    if not stated:
        return None, None
    word = stated.group(1)
    count = int(word) if word.isdigit() else _CN_NUMERAL.get(word)
    listed = _PARTS_LISTED.search(preamble)
    # 「行政复议、行政诉讼情况」 is one part: the only official title with a 、 inside
    names = len([p for p in re.split(r"[、，,；;]", _ONE_PART.sub("行政复议行政诉讼", listed.group(1)))
                 if p.strip()]) if listed else None
    return count, names


def find_period(lines: list[Line], limit: int) -> tuple[str | None, int | None]:
    fallback: tuple[str | None, int | None] = (None, None)
    for li, line in enumerate(lines):
        if "日" not in line.simp:
            continue
        for m in _PERIOD.finditer(line.simp):
            clause_start = 0
            for c in _CLAUSE_START.finditer(line.simp, 0, m.start()):
                clause_start = c.end()
            clause = line.simp[clause_start:m.start()]
            kw = next((clause.find(w) for w in ("统计", "数据") if w in clause), -1)
            if kw >= 0:
                return line.text[clause_start + kw:m.end()].strip(), line.no
            if fallback[0] is None and li < limit:
                fallback = (line.text[m.start():m.end()].strip(), line.no)
    return fallback


def year_of(text: str | None, pattern: re.Pattern[str] = _YEAR) -> int | None:
    if not text:
        return None
    m = pattern.search(simplify(text))
    if m is None:
        return None
    year = int(m.group(1)[:4])
    return year if 1990 <= year <= 2100 else None


def preamble_agency(pieces: Iterable[tuple[str, str]]) -> str | None:
    for text, simp in pieces:
        for m in _PUBLISH_VERB.finditer(simp):
            a, z = m.span("chunk")
            name = agency_in_name(text[a:z], simp[a:z])
            if name:
                return name
        for pattern in (_COMPILED_BY, _WORK_OF):
            for m in pattern.finditer(simp):
                org = text[m.start("org"):m.end("org")].strip()
                if _agency_like(org):
                    return _strip_office(org)
    return None


def published_date(lines: list[Line], limit: int) -> date | None:
    """A 发布日期/发布时间 in the first lines (page text copied with its date line)."""
    m = next((m for line in lines[:limit] if (m := _PUBLISHED.search(line.simp))), None)
    return _date_of(m)


def _date_of(m: re.Match[str] | None) -> date | None:
    """The date of a match whose groups 1–3 are year, month and day; None when it is no date."""
    try:
        return date(int(m[1]), int(m[2]), int(m[3])) if m is not None else None
    except ValueError:
        return None


def looks_like_preamble(simp: str) -> bool:
    """A paragraph that introduces the report (「本报告由…编制」, 「根据…现公布…」)."""
    return bool(_PREAMBLE_START.match(simp) and _PREAMBLE_WORDS.search(simp))


def preamble_pieces(lines: list[Line], first: tuple[int, int] | None,
                     exclude: set[int]) -> list[tuple[int, str, str]]:
    """Prose before the first heading, page chrome and short lines left out; without headings,
    the introducing paragraphs among the first lines."""
    last = first[0] if first else min(len(lines), 10) - 1
    pieces = []
    for li in range(last + 1):
        line = lines[li]
        z = first[1] if first and li == first[0] else len(line.text)
        if line.no in exclude or PAGE_HEADER.match(line.text) or CHROME.search(line.simp[:z]):
            continue
        text = line.text[:z].strip()
        if (len(text) >= 20 or "。" in text) and (first or looks_like_preamble(line.simp.strip())):
            pieces.append((li, text, line.simp[:z].strip()))
    return pieces


# ==== a crawler's or a portal's metadata header =================================================
_META_KEYS = {"标题": "title", "题目": "title", "发布时间": "published", "发布日期": "published",
              "成文日期": "written", "发布机构": "publisher", "发文机关": "publisher", "原文链接": "url",
              "链接": "url", "网址": "url", "栏目": "column", "文号": "number", "索引号": "index",
              "本地目录": "folder", "来源": "source", "信息来源": "source"}
_META_LINE = re.compile(r"^\s*(?P<key>" + "|".join(sorted(_META_KEYS, key=len, reverse=True))
                        + r")\s*[:：]\s*(?P<value>.*?)\s*$")
_META_END = re.compile(r"^\s*[=＝\-—*]{3,}\s*(?:正文|内容|全文)?\s*[=＝\-—*]*\s*$")
_META_SCAN = 20          # lines at the top searched for the header and the line that ends it
_ANY_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def metadata_block(lines: list[Line]) -> tuple[dict[str, tuple[str, int]], list[int]]:
    """A `key: value` header block that starts the text (标题, 发布时间, 发布机构, 原文链接, 栏目 …),
    as {field: (value, line no)}, and the indexes of the lines it takes: the key lines, or up to a
    「=== 正文 ===」 line that ends it. Fewer than two keys: not a header ({} and [])."""
    fields: dict[str, tuple[str, int]] = {}
    keys: list[int] = []
    first = next((li for li, line in enumerate(lines) if line.kind != "blank"), 0)
    for li in range(first, min(len(lines), first + _META_SCAN)):
        line = lines[li]
        m = _META_LINE.match(line.text)
        if m:
            fields.setdefault(_META_KEYS[m["key"]], (m["value"], line.no))
            keys.append(li)
        elif not keys:
            break
        elif _META_END.match(line.text):
            return (fields, list(range(first, li + 1))) if len(keys) >= 2 else ({}, [])
    if len(keys) < 2:
        return {}, []
    run = [li for k, li in enumerate(keys) if li == first + k]      # the key lines in a row at the top
    if len(run) < 2:
        return {}, []
    return {k: v for k, v in fields.items() if v[1] - 1 in run}, run


def parse_date(text: str) -> date | None:
    """The first date in a header field: 「2023-01-09 19:36」, 「2023年1月9日」."""
    return _date_of(_ANY_DATE.search(text))


def agency_named(name: str) -> str | None:
    """A 发布机构 field's value when it names an agency (crawlers also put 「1」 or nothing there)."""
    name = name.strip()
    return name if _agency_like(name) else None


# ==== the format notice a report cites ===========================================================
_NOTICES = (("2021", re.compile(r"国办公开办函\s*[〔\[(（]\s*2021\s*[〕\])）]\s*30\s*号")),
            ("2019", re.compile(r"国办公开办函\s*[〔\[(（]\s*2019\s*[〕\])）]\s*60\s*号")))


def cited_format(text: str) -> str | None:
    """The national format whose notice the text cites (国办公开办函〔2021〕30号 or 〔2019〕60号);
    None when it cites neither or both."""
    found = [fmt for fmt, pattern in _NOTICES if pattern.search(text)]
    return found[0] if len(found) == 1 else None
