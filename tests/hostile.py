"""The hostile corpus: inputs built to hang, exhaust or crash a reader, made here on demand.

Nothing of it is kept in the repository: `cases(scale)` builds every case in memory (`scale`
1: full size, as in benchmarks/bench_hostile.py; the tests use small ones), and
`mutations(seed, count)` derives byte-mutated copies of the samples in every format with a
fixed seed. `python tests/hostile.py DIR` writes the corpus into DIR to try it by hand.

Each case names its class (the line of issue 12 it stands for) and the file name it is given
(the name may lie about the content, as the hostile cases do on purpose).
"""

from __future__ import annotations

import random
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent / "samples"
PDF_SAMPLE = HERE / "data" / "pdf" / "hongze-2023.pdf"

__all__ = ["Case", "cases", "mutations", "pdf", "CLASSES"]


@dataclass(frozen=True)
class Case:
    name: str
    cls: str                        # one of CLASSES
    filename: str
    build: Callable[[], bytes]


CLASSES = ("pdf-graph", "pdf-bomb", "pdf-flood", "pdf-header", "html-table", "html-charset", "html-depth",
           "text-flood", "kind", "decoding", "lines", "numerals", "mutation")


# ---- a minimal PDF writer ------------------------------------------------------------------------
def pdf(objects: dict[int, bytes], root: int = 1, junk: bytes = b"") -> bytes:
    """A PDF of the given objects (number -> body, streams included) with a valid xref table."""
    out = bytearray(junk + b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out) - len(junk)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out) - len(junk)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", flate: bool = False) -> bytes:
    if flate:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_TEXT = b"BT /F1 12 Tf 72 720 Td (2023 annual report) Tj ET"


def _page_pdf(contents: bytes = b"4 0 R", resources: bytes = b"<< /Font << /F1 5 0 R >> >>",
              extra: dict[int, bytes] | None = None, content: bytes = _TEXT, junk: bytes = b"",
              count: bytes = b"1", kids: bytes = b"[3 0 R]") -> bytes:
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
               2: b"<< /Type /Pages /Kids %s /Count %s >>" % (kids, count),
               3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %s /Resources %s >>"
                  % (contents, resources),
               4: stream(content), 5: _FONT}
    objects.update(extra or {})
    return pdf(objects, junk=junk)


def _xobject_fanout(depth: int, fanout: int) -> bytes:
    """Form XObjects nested `depth` deep, each drawing the next `fanout` times: fanout**depth draws."""
    extra = {}
    base = 10
    for level in range(depth):
        name = base + level
        if level == depth - 1:
            body = _TEXT
            resources = b"<< /Font << /F1 5 0 R >> >>"
        else:
            body = b" ".join([b"/X Do"] * fanout)
            resources = b"<< /XObject << /X %d 0 R >> >>" % (name + 1)
        extra[name] = stream(body, b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources " + resources)
    return _page_pdf(resources=b"<< /XObject << /X %d 0 R >> /Font << /F1 5 0 R >> >>" % base,
                     content=b"/X Do", extra=extra)


def _pdf_cases(scale: float) -> Iterator[Case]:
    yield Case("pdf-pages-cycle", "pdf-graph", "cycle.pdf",
               lambda: _page_pdf(kids=b"[2 0 R 3 0 R]"))
    yield Case("pdf-count-self", "pdf-graph", "count.pdf",
               lambda: _page_pdf(count=b"6 0 R", extra={6: b"6 0 R"}))
    yield Case("pdf-resources-self", "pdf-graph", "resources.pdf",
               lambda: _page_pdf(resources=b"6 0 R", extra={6: b"6 0 R"}))
    yield Case("pdf-xobject-self", "pdf-graph", "xobject-self.pdf",
               lambda: _page_pdf(resources=b"<< /XObject << /X 6 0 R >> >>", content=b"/X Do",
                                 extra={6: stream(b"/X Do", b" /Type /XObject /Subtype /Form /BBox [0 0 9 9]"
                                                            b" /Resources << /XObject << /X 6 0 R >> >>")}))
    yield Case("pdf-xobject-fanout", "pdf-flood", "fanout.pdf", lambda: _xobject_fanout(15, 4))
    yield Case("pdf-repeated-contents", "pdf-flood", "contents.pdf",
               lambda: _page_pdf(contents=b"[" + b" ".join([b"4 0 R"] * 3000) + b"]"))
    yield Case("pdf-million-chars", "pdf-flood", "chars.pdf",
               lambda: _page_pdf(content=b"BT /F1 1 Tf 0 0 Td (" + b"A" * int(600_000 * scale) + b") Tj ET"))
    yield Case("pdf-flate-bomb", "pdf-bomb", "bomb.pdf",
               lambda: _page_pdf(extra={4: stream(b" " * int(200_000_000 * scale), flate=True)}))
    yield Case("pdf-many-bombs", "pdf-bomb", "bombs.pdf",
               lambda: _page_pdf(contents=b"[" + b" ".join(b"%d 0 R" % n for n in range(10, 30)) + b"]",
                                 extra={n: stream(b" " * int(20_000_000 * scale), flate=True) for n in range(10, 30)}))
    yield Case("pdf-junk-header", "pdf-header", "junk.pdf", lambda: _page_pdf(junk=b"J" * 1000))


# ---- HTML, text, kinds, decoding ----------------------------------------------------------------
def _html(body: str, head: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head>{head}<title>报告</title></head><body>{body}</body></html>".encode()


_REPORT = (SAMPLES / "clean-2021.txt").read_text(encoding="utf-8") if SAMPLES.is_dir() else "2023年度报告"


def _report_html(head: str = "") -> bytes:
    body = "".join(f"<p>{line}</p>" for line in _REPORT.splitlines())
    return _html(body, head)


def _other_cases(scale: float) -> Iterator[Case]:
    yield Case("html-rowspan", "html-table", "rowspan.html",
               lambda: _html('<table><tr><td rowspan="100000">行</td><td colspan="100000">1</td></tr></table>'))
    yield Case("html-many-spans", "html-table", "spans.html",
               lambda: _html("<table>" + '<tr><td rowspan="1000">a</td><td>1</td></tr>' * 2000 + "</table>"))
    for codec in ("rot-13", "base64", "hex", "zlib", "undefined", "utf-16", "x-no-such"):
        yield Case(f"html-charset-{codec}", "html-charset", f"charset-{codec}.html",
                   lambda codec=codec: _report_html(f'<meta charset="{codec}">').decode().encode("gb18030"))
    yield Case("html-one-bad-byte", "decoding", "badbyte.html",
               lambda: _report_html('<meta charset="gbk">').replace("总体".encode(), b"\xff\xfe", 1))
    yield Case("html-deep-divs", "html-depth", "deep.html",
               lambda: _html("<div>" * 300 + "<p>深处的正文：2023年政府信息公开工作年度报告</p>" + "</div>" * 300))
    yield Case("html-very-deep", "html-depth", "deeper.html", lambda: _html("<div>" * max(3000, int(20000 * scale))))
    yield Case("text-one-line", "text-flood", "oneline.txt",
               lambda: (_REPORT.replace("\n", " ") * (1 + int(2400 * scale))).encode()[:int(6_000_000 * scale)])
    yield Case("text-flood-lines", "text-flood", "lines.txt",
               lambda: ("第一项\t1\t2\t3\n" * int(300_000 * scale)).encode())
    yield Case("text-bom-only", "kind", "bom.txt", lambda: b"\xef\xbb\xbf")
    yield Case("text-bom-space", "kind", "bomspace.txt", lambda: b"\xef\xbb\xbf \r\n\t \xe3\x80\x80")
    yield Case("png-as-html", "kind", "image.html",
               lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(4000))
    yield Case("noise-as-html", "kind", "noise.html",               # binary without a NUL byte
               lambda: bytes(b | 0x80 for b in random.Random(2).randbytes(6000)))
    yield Case("elf-as-txt", "kind", "program.txt", lambda: b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8)
    yield Case("text-utf16-bom", "decoding", "utf16.txt", lambda: "\ufeff".encode("utf-16-le") + _REPORT.encode("utf-16-le"))
    yield Case("text-bad-bytes", "decoding", "badbytes.txt",
               lambda: _REPORT.encode().replace("总体".encode(), b"\xff", 1))
    yield Case("text-line-separators", "lines", "separators.txt",
               lambda: "\u2028".join(_REPORT.split("\n")).encode())
    yield Case("text-nel", "lines", "nel.txt", lambda: "\x85".join(_REPORT.split("\n")).encode())
    yield Case("text-numerals", "numerals", "numerals.txt",
               lambda: ("二〇二三年度报告\n" + "一二三四五六七八九十" * int(30_000 * scale)).encode())


def cases(scale: float = 1.0) -> list[Case]:
    """Every hand-made hostile case; `scale` sizes the floods and bombs (the tests use small ones,
    with the readers' caps lowered to match)."""
    return [*_pdf_cases(scale), *_other_cases(scale)]


# ---- seeded mutation of the samples ------------------------------------------------------------
def _samples() -> list[tuple[str, bytes]]:
    from docgen import render_docx, render_html  # tests/docgen.py: the sample as HTML and DOCX

    text = SAMPLES / "clean-2021.txt"
    out = [("clean-2021.txt", text.read_bytes()), ("clean-2021.html", render_html(text)),
           ("clean-2021.docx", render_docx(text))]
    if PDF_SAMPLE.is_file():
        out.append(("hongze-2023.pdf", PDF_SAMPLE.read_bytes()))
    return out


def _mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        how = rng.random()
        at = rng.randrange(len(buf)) if buf else 0
        if how < 0.4:                                   # flip bytes
            for k in range(rng.randint(1, 16)):
                if at + k < len(buf):
                    buf[at + k] = rng.randrange(256)
        elif how < 0.6:                                 # cut a piece out
            del buf[at:at + rng.randint(1, 4096)]
        elif how < 0.8:                                 # repeat a piece
            piece = buf[at:at + rng.randint(1, 512)]
            buf[at:at] = piece * rng.randint(2, 50)
        else:                                           # insert hostile tokens
            buf[at:at] = rng.choice([b"\x00" * 64, b"<div>" * 300, b" 0 R" * 100, b"\xff\xfe",
                                     b"<td rowspan=99999>", "\u2028".encode(),
                                     b"\x1b[31m", b"/Contents [4 0 R 4 0 R 4 0 R]", b"%PDF-1.7\n"])
    return bytes(buf)


def mutations(seed: int = 12, count: int = 40) -> Iterator[Case]:
    """`count` mutated copies of the samples, cycling through the formats, the same for a seed."""
    samples = _samples()
    rng = random.Random(seed)
    for number in range(count):
        name, data = samples[number % len(samples)]
        mutated = _mutate(data, random.Random(rng.getrandbits(64)))
        yield Case(f"mutation-{seed}-{number}", "mutation", f"m{number:05d}-{name}", lambda mutated=mutated: mutated)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/hostile.py DIR", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(HERE))
    for case in [*cases(), *mutations()]:
        (folder / f"{case.name}-{case.filename}").write_bytes(case.build())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
