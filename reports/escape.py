"""Texts made safe for the output they go to, whatever a file name or a report contains.

- `xml_text`: no character XML 1.0 forbids (C0 controls but tab and line ends, lone surrogates,
  U+FFFE/U+FFFF): each is written `\\xNN` / `\\uXXXX`, so JUnit and the other XML outputs stay valid;
- `terminal_text`: no control character reaches a terminal (escape sequences, carriage returns,
  C1 controls, bidirectional overrides that reorder what is shown): each is written `\\xNN` /
  `\\uXXXX`; the renderer's own colours are added after.

Both start from engine/model/names.py:shown, which escapes the bytes of a non-UTF-8 file name.
"""

from __future__ import annotations

import re
from typing import Any

from xxgk_audit.engine.model.names import shown

__all__ = ["xml_text", "terminal_text", "terminal_data"]

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _code(m: re.Match[str]) -> str:
    code = ord(m[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_text(text: str) -> str:
    return _NOT_XML.sub(_code, shown(text))


def terminal_text(text: str) -> str:
    return _NOT_TERMINAL.sub(_code, shown(text))


def terminal_data(data: Any) -> Any:
    """Every string in plain data (dicts, lists) as `terminal_text`."""
    if isinstance(data, str):
        return terminal_text(data)
    if isinstance(data, dict):
        return {k: terminal_data(v) for k, v in data.items()}
    if isinstance(data, list):
        return [terminal_data(v) for v in data]
    return data
