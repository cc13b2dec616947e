"""Tolerant matching of written labels against the template's labels.

Labels are compared in a normal form (`normalize_label`): half-width characters, one kind of
bracket, no quotes or whitespace, simplified characters (for the traditional-character mirror
copies that circulate), no pinyin-in-parentheses artifacts, and one spelling of the leading
numbering ("（一）"/"(一)" → "(一)", "1、"/"1．"/"(1)" → "1."). Exact normal forms score 1.0;
otherwise the score is difflib's ratio of the normal forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Generic, TypeVar

from xxgk_audit.engine.model.normalize import compact

__all__ = ["normalize_label", "strip_numbering", "strip_pinyin", "to_simplified", "similarity",
           "best_match", "LabelIndex", "Match", "T2S"]

P = TypeVar("P")

# Traditional → simplified, only for characters of the template's labels and headings, of the
# title, period and agency phrases the readers look for, and of the pre-2019 outline.
_T2S_PAIRS = (
    "萬万與与業业為为舉举鄉乡會会體体關关內内決决況况減减製制辦办務务動动區区單单縣县發发後后員员"
    "國国處处複复復复審审對对屬属執执護护報报據据權权條条構构機机沒没現现監监確确穩稳類类係系繫系"
    "糾纠納纳組组織织經经結结統统繼继續续維维編编繳缴罰罚範范獲获規规計计認认議议許许訟讼設设訪访"
    "訴诉詢询請请購购費费轉转過过這这進进採采鎮镇問问項项題题額额廢废開开強强當当錄录總总數数無无"
    "時时門门實实應应於于佈布廳厅號号準准職职標标陸陆錯错資资別别節节稱称點点隊队備备"
)
T2S = str.maketrans(_T2S_PAIRS[0::2], _T2S_PAIRS[1::2])

_PINYIN = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}[)）]")
_MARKUP = re.compile(r"^[#|*>\s]+")
_NUMBERING = (
    (re.compile(r"^\(([一二三四五六七八九十]{1,3})\)[、.,]?"), r"(\1)"),
    (re.compile(r"^[(]?(\d{1,2})[)、.,](?!\d)"), r"\1."),
)
_NUMBER_PREFIX = re.compile(r"^(?:\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}、|\d{1,2}\.)")
_QUOTES_TRAILING = re.compile(r"[\"'《》]|[。.:;,]+$")
_PAREN_TAIL = re.compile(r"\([^()]*\)?$")
_UNIT_NOTE = re.compile(r"\(单位[:：]?[^()]{1,6}\)$")   # "(单位:万元)": a unit, not a deviation


def strip_pinyin(text: str) -> str:
    """Remove pinyin glosses a converter left behind: 「項(xiàng)」 → 「項」."""
    return _PINYIN.sub("", text) if "(" in text or "（" in text else text


_TRADITIONAL = re.compile("[" + re.escape("".join(map(chr, T2S))) + "]")


def to_simplified(text: str) -> str:
    """Map the traditional characters this project cares about to simplified (1:1, same length)."""
    # a search in C first: most reports have none, and translate looks up every character
    return text.translate(T2S) if _TRADITIONAL.search(text) else text


@lru_cache(maxsize=8192)
def normalize_label(text: str) -> str:
    """The normal form labels are compared in (see module docstring)."""
    key = _MARKUP.sub("", to_simplified(compact(strip_pinyin(text))))
    for pattern, repl in _NUMBERING:
        key = pattern.sub(repl, key, count=1)
    return _QUOTES_TRAILING.sub("", key)


def strip_numbering(key: str) -> str:
    """A normalised label without its leading numbering: "(一)予以公开" → "予以公开"."""
    return _NUMBER_PREFIX.sub("", key, count=1)


def similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two labels after normalisation."""
    return _ratio(normalize_label(a), normalize_label(b))


@dataclass(frozen=True)
class Match(Generic[P]):
    template: str       # the template label as printed in template.py
    payload: P
    score: float        # 1.0 = identical after normalisation


class LabelIndex(Generic[P]):
    """Template labels, each with a payload, looked up by a written label.

    Exact normal forms are a dict lookup; other labels are compared with difflib and accepted at
    `threshold` (0.75 for long labels), labels of four characters or fewer only when identical
    apart from numbering. A written label with a trailing note in parentheses ("采购总金额(单位:万元)")
    is accepted when the part before the note is a template label; its score stays below 1 unless
    the note only gives the unit.
    Results are cached per written label.
    """

    def __init__(self, entries: Iterable[tuple[str, P]], threshold: float = 0.8) -> None:
        self.threshold = threshold
        self._exact: dict[str, tuple[str, P]] = {}
        self._core: dict[str, tuple[str, P]] = {}
        self._fuzzy: list[tuple[str, str, SequenceMatcher, tuple[str, P]]] = []
        for label, payload in entries:
            key = normalize_label(label)
            if key in self._exact:
                continue
            entry = (label, payload)
            self._exact[key] = entry
            self._core.setdefault(_PAREN_TAIL.sub("", key) or key, entry)
            bare = strip_numbering(key)
            self._fuzzy.append((key, bare, SequenceMatcher(None, "", bare, autojunk=False), entry))
        self._cache: dict[str, Match[P] | None] = {}

    def match(self, written: str) -> Match[P] | None:
        """The best template label for `written`, or None when nothing is close enough."""
        try:
            return self._cache[written]
        except KeyError:
            pass
        if len(self._cache) > 20000:
            self._cache.clear()
        result = self._cache[written] = self._lookup(normalize_label(written))
        return result

    def _lookup(self, key: str) -> Match[P] | None:
        if not key:
            return None
        entry = self._exact.get(key)
        if entry is not None:
            return Match(entry[0], entry[1], 1.0)
        core = self._core.get(_PAREN_TAIL.sub("", key))
        if core is not None:
            score = 1.0 if _UNIT_NOTE.search(key) else _ratio(key, normalize_label(core[0]))
            return Match(core[0], core[1], score)
        return self._closest(key)

    def _closest(self, key: str) -> Match[P] | None:
        bare = strip_numbering(key)
        best: tuple[tuple[float, bool, float], tuple[str, P]] | None = None
        for tkey, tbare, matcher, entry in self._fuzzy:
            if len(tbare) <= 4:
                if bare != tbare:
                    continue
                score = 1.0
            else:
                threshold = 0.75 if len(tbare) >= 8 else self.threshold
                matcher.set_seq1(bare)
                if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                    continue
                score = matcher.ratio()
                if score < threshold:
                    continue
            rank = (score, (bare == key) == (tbare == tkey), _ratio(key, tkey))
            if best is None or rank > best[0]:
                best = (rank, entry)
        if best is None:
            return None
        (_, _, full), (label, payload) = best
        return Match(label, payload, full)


def _ratio(a: str, b: str) -> float:
    return 1.0 if a == b else SequenceMatcher(None, a, b, autojunk=False).ratio()


def best_match(written: str, labels: Iterable[str], threshold: float = 0.8) -> tuple[str, float] | None:
    """The template label closest to `written` and its score, or None below the threshold.

    For one-off comparisons; readers keep a `LabelIndex` so template labels are normalised once.
    """
    found = LabelIndex(((label, label) for label in labels), threshold).match(written)
    return None if found is None else (found.template, found.score)
