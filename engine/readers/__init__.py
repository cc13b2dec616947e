"""Readers turn a source document into a `model.Report`; they never judge.

`read_document` picks the reader by content (magic bytes and markup), not by the file name alone:
a PDF named .txt is read as a PDF, and a binary file named .html is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from xxgk_audit.engine.model.report import Report
from xxgk_audit.engine.readers.text import read_text

__all__ = ["read_text", "read_document", "sniff", "UnsupportedDocument", "READERS"]


class UnsupportedDocument(ValueError):
    """Content no reader can take (binary data, or a document type without a reader)."""


def _text(path: Path, data: bytes) -> Report:
    return read_text(path, text=data)


def _html(path: Path, data: bytes) -> Report:
    from xxgk_audit.engine.readers.html import read_html          # imported on first use: most runs read one kind only
    return read_html(path, data)


def _docx(path: Path, data: bytes) -> Report:
    from xxgk_audit.engine.readers.docx import read_docx
    return read_docx(path, data)


def _pdf(path: Path, data: bytes) -> Report:
    from xxgk_audit.engine.readers.pdf import read_pdf
    return read_pdf(path, data)


# kind -> reader(path, data). A reader returns a Report (never judging), or raises
# UnsupportedDocument with a one-line Chinese reason for a corrupt, encrypted or oversized document.
READERS: dict[str, Callable[[Path, bytes], Report]] = {"txt": _text, "html": _html, "docx": _docx, "pdf": _pdf}

_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<table", b"<div", b"<p>", b"<p ")


def sniff(data: bytes, name: str = "") -> str:
    """The kind of a document from its first bytes: "pdf", "docx", "html", "txt", "ole" or "binary"."""
    head = data[:4096]
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"                                  # encrypted Office file or old .doc
    if head.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or name.lower().endswith(".docx") else "binary"
    if b"\x00" in head:
        for bom in (b"\xff\xfe", b"\xfe\xff"):      # UTF-16 text has NULs too
            if head.startswith(bom):
                return "html" if _looks_like_html(head.decode("utf-16", "ignore").encode()) else "txt"
        return "binary"
    return "html" if _looks_like_html(head) else "txt"


def _looks_like_html(head: bytes) -> bool:
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return any(marker in lowered[:2048] for marker in _HTML_MARKERS)


def read_document(path: str | Path, data: bytes) -> Report:
    """Read a document of any supported kind; UnsupportedDocument when there is no reader for it."""
    path = Path(path)
    kind = sniff(data, path.name)
    reader = READERS.get(kind)
    if reader is None:
        what = {"binary": "二进制数据", "ole": "加密的 Office 文档或旧版 .doc 文件，请另存为未加密的 .docx"}.get(
            kind, f"{kind.upper()} 文档")
        raise UnsupportedDocument(f"无法识别或暂不支持的文件内容（{what}）")
    try:
        return reader(path, data)
    except ImportError as exc:     # an optional dependency of a reader is not installed
        raise UnsupportedDocument(f"缺少读取 {kind.upper()} 文档所需的组件：{exc.name}") from None
