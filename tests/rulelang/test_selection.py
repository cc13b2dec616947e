"""Rule selection resolves as ruff does: layers in rising priority, the more specific code wins."""

from __future__ import annotations

import pytest

from xxgk_audit.engine.rulelang.rulepack import load_packs
from xxgk_audit.engine.rulelang.selection import Selection, select_rules

RULES = load_packs()
IDS = {r.id for r in RULES}


def _ids(selection: Selection) -> set[str]:
    return {r.id for r in selection.apply(RULES)}


def test_select_and_ignore_by_prefix_and_id():
    chosen = select_rules(RULES, ["ARITH", "TEXT-007"], ["ARITH-009"])
    assert {r.id for r in chosen} == {f"ARITH-{i:03d}" for i in range(1, 9)} | {"TEXT-007"}


def test_nothing_given_runs_every_rule():
    assert _ids(Selection()) == IDS == _ids(Selection.of(["ALL"]))


@pytest.mark.parametrize("select, ignore, on, off", [
    (["ALL"], ["ARITH"], {"META-001"}, {"ARITH-001"}),
    (None, ["ARITH"], {"META-001"}, {"ARITH-004"}),
    (["ARITH-004"], ["ARITH"], {"ARITH-004"}, {"ARITH-001", "META-001"}),   # the more specific code wins
    (["ARITH"], ["ARITH"], set(), {"ARITH-001"}),                            # a tie: ignore wins
])
def test_within_one_layer_the_more_specific_code_wins(select, ignore, on, off):
    ids = _ids(Selection.of(select, ignore))
    assert on <= ids and not off & ids


def test_command_line_select_re_enables_what_the_file_ignored():
    file = Selection.of(None, ["ARITH"], "xxgk-audit.toml")
    assert not _ids(file) & {"ARITH-001"}
    assert _ids(file.then(["ARITH"], None, "命令行")) == {r.id for r in RULES if r.id.startswith("ARITH-")}


def test_command_line_ignore_narrows_the_file_selection():
    file = Selection.of(["ARITH", "META"], None)
    ids = _ids(file.then(None, ["META"]))
    assert ids == {r.id for r in RULES if r.id.startswith("ARITH-")}


def test_a_lower_select_is_replaced_by_a_higher_one():
    ids = _ids(Selection.of(["META"], ["META-004"]).then(["META-004"], None))
    assert ids == {"META-004"}
