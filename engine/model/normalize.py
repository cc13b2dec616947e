"""Text normalisation shared by the readers: decoding, character width, punctuation, cell values.

Every mapping in `normalize_text` is one character to one character, so offsets found in a
normalised line are valid in the line as written (readers rely on that to slice the original).
"""

from __future__ import annotations

import codecs
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from xxgk_audit.engine.model.report import Number

__all__ = ["decode_document", "Decoded", "charset", "normalize_newlines", "normalize_text", "compact", "parse_cell", "PLACEHOLDERS", "TRANSLATION"]

_NBSP = re.compile(r"&nbsp;?|&#160;|\xa0", re.IGNORECASE)

# The `normalize_text` mapping, for callers that fold it into their own str.translate table.
TRANSLATION: dict[int, str] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
TRANSLATION.update({0x3000: " ", 0xA0: " "})
for _chars, _to in (("【〔［〖", "("), ("】〕］〗", ")"), ("“”„‟〝〞＂", '"'), ("‘’‚‛＇", "'"),
                    ("−－﹣", "-"), ("﹢＋", "+"), ("，", ","), ("：", ":"), ("；", ";")):
    TRANSLATION.update({ord(c): _to for c in _chars})
del _chars, _to

_WHITESPACE = re.compile(r"\s+")


class Decoded(NamedTuple):
    text: str
    encoding: str           # the codec used: "utf-8", "utf-8-sig", "utf-16", "gb18030", a declared one
    replaced: int = 0       # undecodable byte sequences replaced by U+FFFD


# (mark, codec of the bytes after it, name reported): UTF-32 first, its LE mark starts like UTF-16's
_BOMS = ((codecs.BOM_UTF8, "utf-8", "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
         (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"), (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"))
# codecs that are no character set of a document (a page may name anything in its <meta>)
_NOT_CHARSETS = frozenset({"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7",
                           "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "hz"})
# UTF-8 is kept when at most this share of the non-ASCII bytes (or a handful, in a long text) do not decode: a
# GB18030 document is invalid UTF-8 at almost every Chinese character, a damaged UTF-8 one at a few
_UTF8_BAD_SHARE = 0.005
_UTF8_BAD_FEW = 8


class _TooMany(Exception):
    pass


_COUNT = [0, None]          # [sequences replaced, limit] of the decoding under way (one at a time)


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    _COUNT[0] += 1
    if _COUNT[1] is not None and _COUNT[0] > _COUNT[1]:
        raise _TooMany
    return "\ufffd", exc.end  # type: ignore[attr-defined]


codecs.register_error("xxgk-count", _count_and_replace)


def _decode(data: bytes, encoding: str, limit: int | None = None) -> Decoded | None:
    """`data` in `encoding`, each undecodable sequence replaced and counted; None past `limit`."""
    _COUNT[:] = [0, limit]
    try:
        return Decoded(data.decode(encoding, "xxgk-count"), encoding, _COUNT[0])
    except _TooMany:
        return None


def charset(name: str | None) -> str | None:
    """A declared charset as a Python codec of a document's text; None when it is unknown or names
    no text encoding (rot-13, base64, hex, zlib, undefined…): the bytes are then detected."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip())
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return "gb18030" if info.name in _GB_FAMILY else info.name


def decode_document(data: bytes, declared: str | None = None) -> Decoded:
    """The one byte decoder of every reader: a byte-order mark decides (UTF-8, UTF-16, UTF-32);
    else UTF-8 unless more than a few of its bytes are invalid; else the `declared` charset
    (`charset` filters it); else GB18030. Decoding never fails and never switches codec because of
    a few bad bytes: they are replaced (U+FFFD) where they are, and counted."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom):], codec)._replace(encoding=name)
    wide = len(data.translate(None, bytes(range(128))))        # the non-ASCII bytes
    utf8 = _decode(data, "utf-8", int(max(wide * _UTF8_BAD_SHARE, min(_UTF8_BAD_FEW, wide / 20))))
    if utf8 is not None:
        return utf8
    chosen = charset(declared) or "gb18030"
    try:
        return _decode(data, chosen)
    except (LookupError, ValueError, TypeError):          # a codec that cannot decode at all
        return _decode(data, "gb18030")


# Every line end Unicode defines (CR LF, CR, LF, VT, FF, FS, GS, RS, NEL, LINE and PARAGRAPH
# SEPARATOR: what str.splitlines splits at) as "\n".
_LINE_ENDS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def normalize_newlines(text: str) -> str:
    """Every Unicode line end as "\\n" (so "\\n".split agrees with str.splitlines)."""
    return _LINE_ENDS.sub("\n", text)


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
