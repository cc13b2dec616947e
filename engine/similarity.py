"""Text similarity between reports, for copy detection (TEXT-005, TEXT-006).

Texts are compared after removing what legitimately changes between copies — digits, years, the
agency's name, whitespace and punctuation — as sets of 5-character shingles (Jaccard similarity).
Across agencies a batch cannot compare all pairs, so each report gets a MinHash signature and
locality-sensitive hashing (bands of rows) proposes the candidate pairs; near-linear in the
number of reports. The exact shingle similarity is then computed for the candidates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable

import numpy as np

__all__ = ["normalise", "shingles", "jaccard", "signature", "candidate_pairs", "shared_passage", "SIGNATURE_SIZE"]

SHINGLE = 5
SIGNATURE_SIZE = 64
BANDS = 16                      # 16 bands of 4 rows: pairs at Jaccard ≥ ~0.8 meet with high probability
_PRIME = (1 << 61) - 1
_RNG = np.random.default_rng(20191)
_A = _RNG.integers(1, _PRIME, SIGNATURE_SIZE, dtype=np.uint64)
_B = _RNG.integers(0, _PRIME, SIGNATURE_SIZE, dtype=np.uint64)
_NOISE = re.compile(r"[\d０-９\s\u3000,，.。;；:：、!！?？()（）\[\]【】《》“”\"'‘’\-—_/|]+|[零〇一二两三四五六七八九十百千万]+年")


def normalise(text: str, agency: str | None = None) -> str:
    """The text without digits, years, the agency's name, whitespace and punctuation."""
    if agency:
        text = text.replace(agency, "")
    return _NOISE.sub("", text)


def shingles(text: str) -> set[str]:
    if len(text) < SHINGLE:
        return {text} if text else set()
    return {text[i:i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def signature(items: set[str]) -> bytes:
    """MinHash signature of a shingle set (SIGNATURE_SIZE 64-bit values), as bytes for the store."""
    if not items:
        return b""
    hashes = np.fromiter((_stable_hash(s) for s in items), dtype=np.uint64, count=len(items))
    # (a * h + b) mod p per permutation; uint64 arithmetic wraps, which keeps the hash family
    # universal enough for estimating Jaccard similarity
    mixed = _A[:, None] * hashes[None, :] + _B[:, None]
    return mixed.min(axis=1).tobytes()


def _stable_hash(text: str) -> int:
    """A hash that is the same in every process (Python's str hash is salted per process)."""
    value = 1469598103934665603
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return value


def candidate_pairs(signatures: Iterable[tuple[int, bytes]]) -> set[tuple[int, int]]:
    """Pairs of ids whose signatures agree on at least one whole band (LSH)."""
    rows = SIGNATURE_SIZE // BANDS
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    for ident, sig in signatures:
        if len(sig) != SIGNATURE_SIZE * 8:
            continue
        for band in range(BANDS):
            buckets[(band, sig[band * rows * 8:(band + 1) * rows * 8])].append(ident)
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        if 1 < len(members) <= 200:          # a huge bucket is boilerplate shared by everyone
            pairs.update((a, b) if a < b else (b, a) for i, a in enumerate(members) for b in members[i + 1:])
    return pairs


_SENTENCE = re.compile(r"[^。；;！!？?\n]{8,}[。；;！!？?]?")


def shared_passage(text: str, other_normalised: str) -> str:
    """The longest sentence of `text` that appears, normalised, in the other text ("" if none)."""
    found = [s.strip() for s in _SENTENCE.findall(text) if len(normalise(s)) >= 8 and normalise(s) in other_normalised]
    return max(found, key=len) if found else ""
