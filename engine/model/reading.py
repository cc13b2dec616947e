"""Reading limits: what a reader could not see, kept with the report for a READ- finding.

A reader never judges, but it knows when it replaced undecodable bytes or stopped at one of its
caps. It notes that here (`note_limit(report.metadata, "READ-013", message, count=3)`); the audit
turns each note into the tool finding of that id (rules/tool/findings.yaml), its message worded
in Chinese and its evidence structured. A cap that would leave the report misread refuses the
document instead (UnsupportedDocument with the rule id), so no content check rests on a part.
"""

from __future__ import annotations

from typing import Any

__all__ = ["note_limit", "note_replaced", "reading_limits", "LIMITS_KEY"]

LIMITS_KEY = "reading_limits"


def note_limit(metadata: dict[str, Any], rule: str, message: str, **evidence: Any) -> None:
    metadata.setdefault(LIMITS_KEY, []).append({"rule": rule, "message": message, "evidence": evidence})


def reading_limits(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    return list(metadata.get(LIMITS_KEY, ()))


def note_replaced(metadata: dict[str, Any], encoding: str, count: int) -> None:
    """Undecodable bytes replaced where they were (engine/model/normalize.py: decode_document)."""
    note_limit(metadata, "READ-013", f"有 {count} 处字节无法按 {encoding} 解码，已就地替换为 “�”，其余内容照常读取",
               limit="decoding", encoding=encoding, replaced=count)
