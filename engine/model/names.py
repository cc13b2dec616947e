"""File names and texts as every output can hold them.

A file name that is not valid UTF-8 reaches Python with its bad bytes as lone surrogates
(U+DC80–U+DCFF, "surrogateescape"); no UTF-8 output (JSON, SARIF, XML, SQLite) can hold those.
`shown` writes each such byte as the four characters `\\xNN` (the name stays findable: in a shell,
$'bad\\xff.txt'), and any other lone surrogate as `\\uXXXX`. Reading still uses the real name.
"""

from __future__ import annotations

import re

__all__ = ["shown"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def shown(text: str, backslash: str = "\\") -> str:
    """`text` with lone surrogates escaped (itself when it has none, which is nearly always);
    `backslash` is how the output writes one (JSON text: two)."""
    if text.isascii():
        return text

    def escape(m: re.Match[str]) -> str:
        code = ord(m[0])
        return f"{backslash}x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"{backslash}u{code:04x}"
    return _SURROGATE.sub(escape, text)
