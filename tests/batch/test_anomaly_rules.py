"""XREF-013 (year-over-year jumps) and XREF-014 (far above the batch's range) in a real batch, and
the exact quartiles they rest on."""

from __future__ import annotations

import json
from fractions import Fraction

from batch_data import peer_batch
from xxgk_audit.engine.app import cli
from xxgk_audit.engine.batch.peer_range import MIN_PEERS, peer_range


def test_quartiles_are_exact_and_the_fence_is_tukeys_far_out():
    found = peer_range([1, 2, 3, 4, 100])
    assert (found.q1, found.median, found.q3) == (2, 3, 4)
    assert found.high == 10 and found.peers == 5
    odd = peer_range([0, 1, 1, 2])
    assert (odd.q1, odd.median, odd.q3) == (Fraction(3, 4), 1, Fraction(5, 4))
    assert peer_range([]) is None
    assert not peer_range([1] * (MIN_PEERS - 2) + [500]).is_outlier(500)     # too few peers
    assert peer_range([1] * (MIN_PEERS - 1) + [500]).is_outlier(500)


def _cross(out):
    return {(c["agency"], c["year"]): c["findings"] for c in json.loads((out / "cross_report.json").read_text("utf-8"))}


def test_a_jump_and_an_outlier_are_found_in_the_batch(tmp_path):
    out = tmp_path / "out"
    cli.main(["batch", str(peer_batch(tmp_path)), "--out", str(out), "--jobs", "2", "--no-pages"])
    cross = _cross(out)
    found = {f["rule"]: f for f in cross[("某局0", 2023)] if f["rule"] in ("XREF-013", "XREF-014")}
    assert set(found) == {"XREF-013", "XREF-014"}
    jump = found["XREF-013"]
    assert (jump["severity"], jump["expected"], jump["actual"]) == ("warning", 11, 600)
    assert jump["location"]["row"] == "A1" and jump["location"]["column"] == "TOT"
    assert "2022年度报告" in jump["message"]
    far = found["XREF-014"]
    assert far["severity"] == "info" and far["actual"] == 600 and far["expected"] == 11     # Q3 + 3·IQR = 11
    assert "11 份报告" in far["message"]
    others = [f["rule"] for key, fs in cross.items() if key != ("某局0", 2023) for f in fs]
    assert "XREF-013" not in others and "XREF-014" not in others
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    checks = {r["path"].rsplit("/", 1)[1]: {c["rule"]: c["status"] for c in r["checks"]} for r in summary["reports"]}
    assert checks["r1.txt"]["XREF-014"] == "pass"
    assert checks["prior.txt"]["XREF-014"] == "not_assessable"      # 2022 has one report: no range


def test_an_aggregate_report_is_neither_compared_nor_counted(tmp_path):
    from batch_data import CLEAN, with_applications

    manifest = peer_batch(tmp_path)
    (manifest.parent / "city.txt").write_text(with_applications(CLEAN, 2000), encoding="utf-8")
    with open(manifest, "a", encoding="utf-8") as fh:
        fh.write("city.txt,某市,2023,\n")
    out = tmp_path / "out"
    cli.main(["batch", str(manifest), "--out", str(out), "--jobs", "1", "--no-pages"])
    cross = _cross(out)
    assert not [f for f in cross.get(("某市", 2023), []) if f["rule"] == "XREF-014"]
    far = [f for f in cross[("某局0", 2023)] if f["rule"] == "XREF-014"]
    assert len(far) == 1 and "11 份报告" in far[0]["message"]
