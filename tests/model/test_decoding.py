"""The one byte decoder (engine/model/normalize.py: decode_document) and the kind sniffer."""

from __future__ import annotations

import pytest

from xxgk_audit.engine.model.normalize import charset, decode_document, normalize_newlines
from xxgk_audit.engine.readers import sniff

TEXT = "一、总体情况\n本机关2023年主动公开政府信息120条。\n" * 40


def test_a_few_bad_bytes_stay_local_and_are_counted():
    data = TEXT.encode("utf-8")
    at = data.index(b"\n", 300) + 1                  # between two characters
    broken = data[:at] + b"\xff" + data[at:]
    decoded = decode_document(broken)
    assert decoded.encoding == "utf-8" and decoded.replaced == 1
    assert decoded.text.replace("\ufffd", "") == TEXT


def test_gb18030_is_detected_and_a_declared_charset_used():
    assert decode_document(TEXT.encode("gb18030")) == (TEXT, "gb18030", 0)
    big5 = "一、總體情況".encode("big5") * 50
    assert decode_document(big5, "big5").encoding == "big5"


@pytest.mark.parametrize("declared", ["rot-13", "base64", "hex", "zlib", "undefined", "bz2", "x-nonsense", "utf-16", ""])
def test_a_declared_codec_that_is_no_text_charset_falls_back_to_detection(declared):
    assert charset(declared) is None
    assert decode_document(TEXT.encode("gb18030"), declared) == (TEXT, "gb18030", 0)


@pytest.mark.parametrize("codec, bom, name", [("utf-8", b"\xef\xbb\xbf", "utf-8-sig"), ("utf-16-le", b"\xff\xfe", "utf-16"),
                                              ("utf-16-be", b"\xfe\xff", "utf-16"),
                                              ("utf-32-le", b"\xff\xfe\x00\x00", "utf-32")])
def test_a_byte_order_mark_decides(codec, bom, name):
    assert decode_document(bom + TEXT.encode(codec)) == (TEXT, name, 0)


def test_every_unicode_line_end_is_a_line_end():
    text = "a\r\nb\rc\x0bd\x0ce\x1cf\x1dg\x1eh\x85i\u2028j\u2029k\nl"
    assert normalize_newlines(text).split("\n") == text.splitlines()


@pytest.mark.parametrize("data, kind", [
    (b"\xef\xbb\xbf", "empty"), (b"\xef\xbb\xbf \r\n\t", "empty"), ("\u3000\n".encode(), "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"), (b"\x7fELF\x02\x01", "binary"),
    (b"GIF89a" + b"x" * 100, "binary"), (bytes(range(1, 32)) * 20, "binary"),
    (b"J" * 1000 + b"%PDF-1.4\n", "pdf"), (b"J" * 1100 + b"%PDF-1.4\n", "txt"),
    ("<html><p>报告</p>".encode("utf-16"), "html"), (TEXT.encode("gb18030"), "txt"),
])
def test_content_decides_the_kind(data, kind):
    assert sniff(data, "x.html") == kind
