"""Text normalisation shared by the readers: decoding, character width, punctuation, cell values.

Every mapping in `normalize_text` is one character to one character, so offsets found in a
normalised line are valid in the line as written (readers rely on that to slice the original).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from xxgk_audit.engine.model.report import Number

__all__ = ["decode_bytes", "normalize_text", "compact", "parse_cell", "PLACEHOLDERS", "TRANSLATION"]

_NBSP = re.compile(r"&nbsp;?|&#160;|\xa0", re.IGNORECASE)

# The `normalize_text` mapping, for callers that fold it into their own str.translate table.
TRANSLATION: dict[int, str] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
TRANSLATION.update({0x3000: " ", 0xA0: " "})
for _chars, _to in (("【〔［〖", "("), ("】〕］〗", ")"), ("“”„‟〝〞＂", '"'), ("‘’‚‛＇", "'"),
                    ("−－﹣", "-"), ("﹢＋", "+"), ("，", ","), ("：", ":"), ("；", ";")):
    TRANSLATION.update({ord(c): _to for c in _chars})
del _chars, _to

_WHITESPACE = re.compile(r"\s+")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a document's bytes: UTF-8 (with or without BOM), then GB18030, then lossy UTF-8."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), "utf-8/replace"


def normalize_text(text: str) -> str:
    """Full-width ASCII to half-width; one form of brackets, quotes, dashes, commas and colons.

    Length-preserving (see module docstring); `&nbsp;` entities are left to the caller.
    """
    return text.translate(TRANSLATION)


def compact(text: str) -> str:
    """`normalize_text` without any whitespace (entities included): the form labels are compared in."""
    return _WHITESPACE.sub("", normalize_text(_NBSP.sub(" ", text)))


# ---- cell values -------------------------------------------------------------------------------
PLACEHOLDERS = frozenset({"-", "--", "—", "——", "–", "─", "/", "//", "无", "\\", "~"})

_DIGITS_APART = re.compile(r"\d\s+[+-]?\d")
_INT = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_SIGNED = re.compile(r"[+-](?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_DECIMAL = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+")
# One number, with only CJK words (a unit, 约/共/计, 件) around it: "251000元", "3件", "约5".
_UNIT = re.compile(r"(?P<pre>[\u4e00-\u9fff]{0,3})(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
                   r"(?P<post>[\u4e00-\u9fff%‰]{0,4}(?:\([\u4e00-\u9fff]{1,4}\))?)")


def _number(text: str) -> Number:
    text = text.replace(",", "")
    return Decimal(text) if "." in text else int(text)


@lru_cache(maxsize=4096)
def parse_cell(raw: str) -> tuple[Number | None, str]:
    """The value and lexical kind (model.CELL_KINDS) of a table cell's raw text.

    Decimals come back as `Decimal`, never float; blank, placeholder and unreadable cells have
    value None (unknown, never zero). A lone "-" is a placeholder, "-2" is signed.
    """
    spaced = normalize_text(_NBSP.sub(" ", raw)).strip()
    if _DIGITS_APART.search(spaced):
        return None, "unreadable"          # "0 0": two numbers in one cell
    text = _WHITESPACE.sub("", spaced)
    if not text:
        return None, "blank"
    if text in PLACEHOLDERS:
        return None, "placeholder"
    if _INT.fullmatch(text):
        return int(text.replace(",", "")), "int"
    if _SIGNED.fullmatch(text):
        return _number(text.lstrip("+")), "signed"
    if _DECIMAL.fullmatch(text):
        return _number(text), "decimal"
    unit = _UNIT.fullmatch(text)
    if unit and (unit["pre"] or unit["post"]):
        try:
            return _number(unit["num"].lstrip("+")), "unit"
        except (InvalidOperation, ValueError):
            pass
    return None, "unreadable"
