"""Bounds of the PDF reader: what a hostile PDF can make pdfminer do is capped, with a reason.

- decompression: each stream inflates to at most `MAX_STREAM_BYTES`, a document to at most
  `MAX_DOCUMENT_BYTES` in all (a small "bomb" inflates to gigabytes) — READ-014;
- the object graph: an indirect object that is a reference to itself, or a chain of references
  longer than `MAX_REFERENCE_CHAIN` (pdfminer's `resolve1` follows such a chain forever) —
  READ-015; page-tree and content-stream cycles pdfminer detects itself;
- form XObjects: nested at most `MAX_XOBJECT_DEPTH` deep and drawn at most `MAX_XOBJECT_DRAWS`
  times per page (nested fan-out draws one form 4¹⁵ times) — READ-016;
- a page: at most `MAX_PAGE_CHARS` characters and `MAX_CONTENT_STREAMS` content streams
  (a page of a million characters takes gigabytes as layout objects) — READ-017.

Past a cap the document is refused (UnsupportedDocument with the rule id and evidence): a report
read in part would be judged on what is missing. `bounded_inflate()` swaps pdfminer's zlib for a
counting one while a document is read (one document at a time per process, as readers run);
`guard_references(doc)` and `page_layout(pdf, page)` work on one document or page.
"""

from __future__ import annotations

import contextlib
import zlib
from typing import Any, Iterator

from pdfminer import pdftypes
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import PDFObjRef
from pdfplumber.page import PDFPageAggregatorWithMarkedContent

from xxgk_audit.engine.model import progress
from xxgk_audit.engine.readers import UnsupportedDocument

__all__ = ["bounded_inflate", "guard_references", "page_layout", "MAX_STREAM_BYTES", "MAX_DOCUMENT_BYTES",
           "MAX_PAGE_CHARS", "MAX_XOBJECT_DEPTH", "MAX_XOBJECT_DRAWS", "MAX_CONTENT_STREAMS", "MAX_REFERENCE_CHAIN"]

# An annual report's largest decoded stream is a few MB (a page with tables), its whole text a few
# tens of MB; scanned images are not inflated (pdfminer keeps them compressed).
MAX_STREAM_BYTES = 64 << 20
MAX_DOCUMENT_BYTES = 256 << 20
MAX_PAGE_CHARS = 100_000        # a dense page of small type has some 3,000
MAX_XOBJECT_DEPTH = 12
MAX_XOBJECT_DRAWS = 10_000      # per page
MAX_CONTENT_STREAMS = 1_000     # per page (word processors write one to a few dozen)
MAX_REFERENCE_CHAIN = 32
_MB = 1 << 20


class _Inflater:
    """pdfminer's `zlib` while a document is read: `decompress` and `decompressobj` within the caps."""

    error = zlib.error

    def __init__(self) -> None:
        self.total = 0

    def _take(self, size: int, stream_size: int) -> None:
        self.total += size
        if stream_size > MAX_STREAM_BYTES:
            raise UnsupportedDocument(f"PDF 中有数据流解压后超过 {MAX_STREAM_BYTES // _MB} MB 的上限（可能是解压炸弹），未读取",
                                      "READ-014", limit="stream_bytes", max=MAX_STREAM_BYTES, value=stream_size)
        if self.total > MAX_DOCUMENT_BYTES:
            raise UnsupportedDocument(f"PDF 解压数据总量超过 {MAX_DOCUMENT_BYTES // _MB} MB 的上限（可能是解压炸弹），未读取",
                                      "READ-014", limit="document_bytes", max=MAX_DOCUMENT_BYTES, value=self.total)

    def decompress(self, data: bytes, *args: Any) -> bytes:
        inflater = zlib.decompressobj()
        out = inflater.decompress(data, MAX_STREAM_BYTES + 1)
        if not inflater.eof and not inflater.unconsumed_tail and len(out) <= MAX_STREAM_BYTES:
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
        self._take(len(out), len(out))
        return out

    def decompressobj(self, *args: Any) -> "_BoundedStream":
        return _BoundedStream(self, zlib.decompressobj(*args))


class _BoundedStream:
    def __init__(self, owner: _Inflater, inner: Any) -> None:
        self.owner, self.inner, self.size = owner, inner, 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        out = self.inner.decompress(data, MAX_STREAM_BYTES + 1 - self.size)
        self.size += len(out)
        self.owner._take(len(out), self.size)
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextlib.contextmanager
def bounded_inflate() -> Iterator[None]:
    saved = pdftypes.zlib
    pdftypes.zlib = _Inflater()          # type: ignore[assignment]
    try:
        yield
    finally:
        pdftypes.zlib = saved


def guard_references(doc: Any) -> None:
    """Make `doc.getobj` follow a chain of references to its end itself, refusing a cycle."""
    getobj = doc.getobj

    def bounded(objid: int) -> Any:
        obj = getobj(objid)
        seen = {objid}
        while isinstance(obj, PDFObjRef):
            if obj.objid in seen or len(seen) > MAX_REFERENCE_CHAIN:
                raise UnsupportedDocument(f"PDF 对象 {objid} 的引用指向自身或成环，无法读取", "READ-015",
                                          limit="reference_chain", object=objid, chain=len(seen))
            seen.add(obj.objid)
            obj = getobj(obj.objid)
        return obj

    doc.getobj = bounded


class _CountingDevice(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's layout device, counting characters and form XObjects as they are drawn."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chars = self.draws = self.depth = 0

    def render_char(self, *args: Any, **kwargs: Any) -> float:
        self.chars += 1
        if self.chars > MAX_PAGE_CHARS:
            raise UnsupportedDocument(f"PDF 第 {self.pageno} 页的字符超过 {MAX_PAGE_CHARS} 个的上限，未读取",
                                      "READ-017", limit="page_chars", max=MAX_PAGE_CHARS, page=self.pageno)
        return super().render_char(*args, **kwargs)


class _BoundedInterpreter(PDFPageInterpreter):
    device: _CountingDevice

    def do_Do(self, xobjid_arg: Any) -> None:
        device = self.device
        device.draws += 1
        if device.draws > MAX_XOBJECT_DRAWS or device.depth >= MAX_XOBJECT_DEPTH:
            what = "嵌套过深" if device.depth >= MAX_XOBJECT_DEPTH else "绘制次数过多"
            raise UnsupportedDocument(
                f"PDF 第 {device.pageno} 页的表单对象（XObject）{what}（上限：嵌套 {MAX_XOBJECT_DEPTH} 层、"
                f"每页绘制 {MAX_XOBJECT_DRAWS} 次），未读取", "READ-016", limit="xobjects", page=device.pageno,
                depth=device.depth, draws=device.draws)
        device.depth += 1
        try:
            super().do_Do(xobjid_arg)
        finally:
            device.depth -= 1


def page_layout(pdf: Any, page: Any) -> None:
    """Lay the page out as pdfplumber does (`page.layout`), within the page caps."""
    progress.mark(f"PDF 第 {page.page_number} 页")
    streams = page.page_obj.contents
    if len(streams) > MAX_CONTENT_STREAMS:
        raise UnsupportedDocument(f"PDF 第 {page.page_number} 页有 {len(streams)} 个内容流，超过 {MAX_CONTENT_STREAMS} "
                                  "个的上限，未读取", "READ-017", limit="content_streams", max=MAX_CONTENT_STREAMS,
                                  value=len(streams), page=page.page_number)
    device = _CountingDevice(pdf.rsrcmgr, pageno=page.page_number, laparams=pdf.laparams)
    _BoundedInterpreter(pdf.rsrcmgr, device).process_page(page.page_obj)
    page._layout = device.get_result()
