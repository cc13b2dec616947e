"""Readers turn a source document into a `model.Report`; they never judge.

`read_document` picks the reader by content (magic bytes and markup), not by the file name alone:
a PDF named .txt is read as a PDF, and a binary file named .html is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from xxgk_audit.engine.model.normalize import decode_document
from xxgk_audit.engine.model.report import Report
from xxgk_audit.engine.readers.text import read_text

__all__ = ["read_text", "read_document", "sniff", "UnsupportedDocument", "READERS"]


class UnsupportedDocument(ValueError):
    """Content no reader can take (binary data, a document type without a reader, a document
    past one of a reader's caps): a one-line Chinese reason, the tool finding that says it
    (rules/tool/findings.yaml) and its evidence (the limit, the value met, how far reading got)."""

    def __init__(self, message: str, rule: str = "READ-001", **evidence: object):
        super().__init__(message)
        self.rule = rule
        self.evidence = evidence


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


# magic numbers of binary formats a portal serves next to its reports
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf",
                 b"Rar!", b"\x7fELF", b"MZ", b"OggS", b"RIFF", b"ID3", b"\x00\x00\x01\x00", b"wOFF", b"II*\x00",
                 b"MM\x00*")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1b") + b"\x7f"
_BINARY_SHARE = 0.05            # of control characters or undecodable bytes in the first 4 KiB
_PDF_HEADER_WITHIN = 1024       # a PDF header may follow junk this long (as PDF readers accept)
_BLANK = b" \t\r\n\x0b\x0c"


def sniff(data: bytes, name: str = "") -> str:
    """The kind of a document from its content, whatever its name: "pdf", "docx", "html", "txt",
    "ole", "empty" (nothing but a byte-order mark and white space) or "binary"."""
    head = data[:4096]
    if b"%PDF-" in head[:_PDF_HEADER_WITHIN + 5]:
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"                                  # encrypted Office file or old .doc
    if head.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or name.lower().endswith(".docx") else "binary"
    if head.startswith(_BINARY_MAGIC):
        return "binary"
    for bom in (b"\xff\xfe", b"\xfe\xff"):          # UTF-16 text has NULs: judged as decoded text
        if head.startswith(bom):
            text = head[2:].decode("utf-16-le" if bom == b"\xff\xfe" else "utf-16-be", "replace")
            return _text_kind(text.encode("utf-8"), text.count("\ufffd"))
    if b"\x00" in head:
        return "binary"
    decoded = decode_document(head[:-4] if len(head) == 4096 else head)   # may cut a character
    return _text_kind(head, decoded.replaced)


def _text_kind(head: bytes, undecodable: int) -> str:
    body = head.removeprefix(b"\xef\xbb\xbf").translate(None, _BLANK + "\u3000\ufeff".encode("utf-8"))
    if not body:
        return "empty"
    controls = len(body) - len(body.translate(None, _CONTROL_BYTES))
    if controls + undecodable > _BINARY_SHARE * len(body):
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
        if kind == "empty":
            raise UnsupportedDocument("文件没有内容（除字节顺序标记和空白外为空），未审核", "READ-019")
        if kind == "binary":
            raise UnsupportedDocument(f"文件内容是二进制数据，不是文本、HTML、DOCX 或 PDF 文档"
                                      f"（无论扩展名 {path.suffix or '无'} 为何），未审核", "READ-020",
                                      magic=data[:8].hex())
        raise UnsupportedDocument("无法识别或暂不支持的文件内容（加密的 Office 文档或旧版 .doc 文件，"
                                  "请另存为未加密的 .docx）")
    try:
        return reader(path, data)
    except ImportError as exc:     # an optional dependency of a reader is not installed
        if isinstance(exc.__context__, MemoryError):     # an import that ran out of memory
            raise MemoryError from exc
        raise UnsupportedDocument(f"缺少读取 {kind.upper()} 文档所需的组件：{exc.name}") from None
