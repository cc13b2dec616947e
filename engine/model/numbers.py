"""Reading numbers written in report prose: 「32」「1,024」「三十二」「一百零五」「两」, with 「约」「余」「多」.

`NUMBER` is the regular expression a claim pattern's `{N}` stands for (one named group `n`);
`read_number` turns its match into a value and says whether the text only gives an approximation.
"""

from __future__ import annotations

import re
from decimal import Decimal

__all__ = ["NUMBER", "read_number", "chinese_to_int"]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN = "零〇一二两三四五六七八九十百千万"

NUMBER = (r"(?P<pre>约|近|大约|共计|共|计)?"
          r"(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[" + _CN + r"]{1,8})"
          r"(?P<post>余|多)?")


def chinese_to_int(text: str) -> int | None:
    """「三十二」→ 32, 「一百零五」→ 105, 「十」→ 10, 「两千」→ 2000; None when not a numeral."""
    if not text or any(c not in _DIGITS and c not in _UNITS for c in text):
        return None
    total, section, digit = 0, 0, None
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
            continue
        unit = _UNITS[char]
        if unit == 10000:
            total += (section + (digit or 0)) * unit
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * unit
            digit = None
    return total + section + (digit or 0)


def read_number(match: re.Match) -> tuple[int | Decimal | None, bool]:
    """(value, approximate) of a NUMBER match; value None when the numeral cannot be read."""
    raw = match.group("n")
    approximate = bool(match.group("post")) or match.group("pre") in ("约", "近", "大约")
    if raw[0].isdigit():
        raw = raw.replace(",", "")
        return (Decimal(raw) if "." in raw else int(raw)), approximate
    return chinese_to_int(raw), approximate
