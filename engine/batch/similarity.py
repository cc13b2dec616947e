"""Text similarity between reports, for copy detection (TEXT-005, TEXT-006).

Texts are compared after removing what legitimately changes between copies — digits, years, the
agency's name, whitespace and punctuation — as sets of 5-character shingles, hashed (Jaccard similarity).
Across agencies a batch cannot compare all pairs, so each report gets a MinHash signature and
locality-sensitive hashing (bands of rows) proposes the candidate pairs; near-linear in the
number of reports. The exact shingle similarity is then computed for the candidates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable

import numpy as np

__all__ = ["normalise", "shingles", "jaccard", "signature", "candidate_pairs", "shared_passage", "SIGNATURE_SIZE",
           "MAX_TEXT"]

SHINGLE = 5
SIGNATURE_SIZE = 64
BANDS = 8                       # 8 bands of 8 rows: P(candidate) ≈ 0.99 at Jaccard 0.9, 0.03 at 0.5
STAR_OVER = 50                  # a bucket larger than this links its members to one of them only
_PRIME = (1 << 61) - 1
_RNG = np.random.default_rng(20191)
_A = _RNG.integers(1, _PRIME, SIGNATURE_SIZE, dtype=np.uint64)
_B = _RNG.integers(0, _PRIME, SIGNATURE_SIZE, dtype=np.uint64)
MAX_TEXT = 200_000             # characters of a narrative compared (a report's is some 10,000)
_CHUNK = 8192                   # shingles per step of the signature: memory stays fixed
# a run of numerals is matched whole, with the 年 that may follow it (then removed, as a year):
# no backtracking, so linear in the text however long its runs
_NOISE = re.compile(r"[\d０-９\s\u3000,，.。;；:：、!！?？()（）\[\]【】《》“”\"'‘’\-—_/|]+|[零〇一二两三四五六七八九十百千万]++年?")


_NUMERALS = frozenset("零〇一二两三四五六七八九十百千万")


def _noise(m: re.Match[str]) -> str:
    """Punctuation and digits go; a run of numerals goes only as a year (with its 年)."""
    run = m[0]
    return run if run[0] in _NUMERALS and run[-1] != "年" else ""


def normalise(text: str, agency: str | None = None) -> str:
    """The text (its first MAX_TEXT characters) without digits, years, the agency's name,
    whitespace and punctuation."""
    text = text[:MAX_TEXT]
    if agency:
        text = text.replace(agency, "")
    return _NOISE.sub(_noise, text)


def shingles(text: str) -> np.ndarray:
    """The text's 5-character shingles as sorted unique 64-bit hashes (the same in every process)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE:
        codes = np.concatenate([codes, np.zeros(SHINGLE - len(codes), dtype=np.uint64)]) if len(codes) else codes
    count = len(codes) - SHINGLE + 1
    hashes = np.zeros(max(count, 0), dtype=np.uint64)
    for k in range(SHINGLE):            # polynomial hash of each window; uint64 arithmetic wraps
        hashes = hashes * np.uint64(0x100000001B3) + codes[k:k + count]
    hashes ^= hashes >> np.uint64(29)   # spread the bits before the MinHash permutations
    hashes *= np.uint64(0xBF58476D1CE4E5B9)
    return np.unique(hashes)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if not len(a) or not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def signature(items: np.ndarray) -> bytes:
    """MinHash signature of a shingle set (SIGNATURE_SIZE 64-bit values), as bytes for the store."""
    if not len(items):
        return b""
    # (a * h + b) per permutation; uint64 arithmetic wraps, which keeps the hash family
    # universal enough for estimating Jaccard similarity. In chunks: SIGNATURE_SIZE x _CHUNK at most
    low = np.full(SIGNATURE_SIZE, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(items), _CHUNK):
        chunk = items[start:start + _CHUNK]
        np.minimum(low, (_A[:, None] * chunk[None, :] + _B[:, None]).min(axis=1), out=low)
    return low.tobytes()


def candidate_pairs(signatures: Iterable[tuple[int, bytes]]) -> set[tuple[int, int]]:
    """Pairs of ids whose signatures agree on at least one whole band (LSH).

    Members of a large bucket (a text copied by many) are paired with its smallest id only, so
    the number of pairs stays linear in the number of reports: each copy still meets one other.
    """
    rows = SIGNATURE_SIZE // BANDS
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    for ident, sig in signatures:
        if len(sig) != SIGNATURE_SIZE * 8:
            continue
        for band in range(BANDS):
            buckets[(band, sig[band * rows * 8:(band + 1) * rows * 8])].append(ident)
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) > STAR_OVER:
            hub = min(members)
            pairs.update((hub, b) for b in members if b != hub)
        elif len(members) > 1:
            pairs.update((a, b) if a < b else (b, a) for i, a in enumerate(members) for b in members[i + 1:])
    return pairs


_SENTENCE = re.compile(r"[^。；;！!？?\n]{8,}[。；;！!？?]?")


def shared_passage(text: str, other_normalised: str) -> str:
    """The longest sentence of `text` that appears, normalised, in the other text ("" if none)."""
    found = [s.strip() for s in _SENTENCE.findall(text) if len(normalise(s)) >= 8 and normalise(s) in other_normalised]
    return max(found, key=len) if found else ""
