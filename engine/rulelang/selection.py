"""Which rules run: ruff's select/ignore resolution over layers.

A layer is one source's `select` and `ignore` (the configuration file, then the command line, in
rising priority). Resolution starts from every rule; the highest-priority layer that gives a
`select` restarts it, so `--select ARITH` on the command line re-enables what the file's
`ignore = ["ARITH"]` turned off; every later layer's `ignore` still applies. Within a layer the
more specific code wins (`--ignore ARITH --select ARITH-004` keeps ARITH-004), and on a tie
`ignore` wins. Codes are rule ids, prefixes (ARITH, TEXT-00) or ALL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence, TypeVar

__all__ = ["Selection", "code_matches", "select_rules"]

ALL = "ALL"
_R = TypeVar("_R")


def _specificity(rule_id: str, code: str) -> int | None:
    """How closely `code` names `rule_id` (longer is more specific), None when it does not."""
    if code == ALL:
        return 0
    if rule_id == code or rule_id.startswith(code.rstrip("-") + "-"):
        return len(code)
    return None


def _best(rule_id: str, codes: Iterable[str]) -> int | None:
    found = [s for s in (_specificity(rule_id, c) for c in codes) if s is not None]
    return max(found) if found else None


def code_matches(rule_id: str, codes: Iterable[str]) -> bool:
    """Whether a rule id is named by any code: an id, a prefix (ARITH, TEXT-00…) or ALL."""
    return _best(rule_id, codes) is not None


@dataclass(frozen=True)
class Layer:
    select: tuple[str, ...] | None       # None: this source selects nothing (keeps what is enabled)
    ignore: tuple[str, ...] = ()
    origin: str = ""                     # where it came from, for `xxgk-audit config`

    def decide(self, rule_id: str, enabled: bool) -> bool:
        ignored = _best(rule_id, self.ignore)
        if self.select is None:
            return enabled and ignored is None
        selected = _best(rule_id, self.select)
        return selected is not None and (ignored is None or selected > ignored)


@dataclass(frozen=True)
class Selection:
    """The layers in rising priority; resolution as in the module docstring."""

    layers: tuple[Layer, ...] = ()

    @classmethod
    def of(cls, select: Sequence[str] | None = None, ignore: Sequence[str] | None = None,
           origin: str = "") -> "Selection":
        return cls(()).then(select, ignore, origin)

    def then(self, select: Sequence[str] | None, ignore: Sequence[str] | None, origin: str = "") -> "Selection":
        """This selection with a higher-priority layer on top (nothing given: unchanged)."""
        if not select and not ignore:
            return self
        return Selection(self.layers + (Layer(tuple(select) if select else None, tuple(ignore or ()), origin),))

    def enabled(self, rule_id: str) -> bool:
        start = max((i for i, layer in enumerate(self.layers) if layer.select is not None), default=0)
        # a layer below the highest select cannot matter: that select restarts the resolution
        on = True
        for layer in self.layers[start:]:
            on = layer.decide(rule_id, on)
        return on

    def apply(self, rules: Iterable[_R]) -> list[_R]:
        """The rules (anything with an `id`) this selection enables, in their order."""
        return [r for r in rules if self.enabled(r.id)]

    def codes(self) -> list[str]:
        """Every code named, to check that each names some rule."""
        return [c for layer in self.layers for c in (layer.select or ()) + layer.ignore]


def select_rules(rules: Iterable[_R], select: Sequence[str] | None, ignore: Sequence[str] | None) -> list[_R]:
    """One source's selection (see Selection)."""
    return Selection.of(select, ignore).apply(rules)
