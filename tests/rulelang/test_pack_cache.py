"""The per-user cache of loaded rule packs: the same rules as loading afresh, and never stale."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xxgk_audit.engine.rulelang import rulepack
from xxgk_audit.engine.rulelang.rulepack import load_packs

PACK = """pack: office
rules:
  - id: LOCAL-001
    title: 申请量超过一百
    severity: info
    formats: ["2021"]
    source: 本市政务公开办通知（示例）
    fact: applications
    when: "A1.TOT > {limit}"
    message: "本年新收申请 {A1.TOT} 件"
    examples:
      pass:
        - fact: {A1.TOT: 1}
      fail:
        - fact: {A1.TOT: 1000}
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("XXGK_AUDIT_CACHE_DIR", str(folder))
    monkeypatch.setattr(rulepack, "_LOADED", {})        # no copy kept in this process
    return folder


def _pack(tmp_path: Path, limit: int) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir(exist_ok=True)
    (folder / "office.yaml").write_text(PACK.replace("{limit}", str(limit)), encoding="utf-8")
    return folder


def test_cached_rules_equal_freshly_loaded_ones(cache, monkeypatch):
    first = load_packs()
    assert len(list((cache / "packs").glob("*.pickle"))) == 7
    monkeypatch.setattr(rulepack, "_LOADED", {})
    again = load_packs()
    monkeypatch.setenv("XXGK_AUDIT_NO_CACHE", "1")
    monkeypatch.setattr(rulepack, "_LOADED", {})
    fresh = load_packs()
    assert [(r.id, r.when, len(r.instances)) for r in again] == [(r.id, r.when, len(r.instances)) for r in fresh]
    assert [i.when for r in again for i in r.instances] == [i.when for r in first for i in r.instances]


def test_a_changed_pack_is_loaded_again(cache, tmp_path, monkeypatch):
    pack = _pack(tmp_path, 100)
    assert load_packs([pack], builtin=False)[0].instances[0].when.right.value == 100
    monkeypatch.setattr(rulepack, "_LOADED", {})
    _pack(tmp_path, 200)
    assert load_packs([pack], builtin=False)[0].instances[0].when.right.value == 200


def test_a_folder_others_can_write_is_not_used(cache, tmp_path):
    (cache / "packs").mkdir(parents=True)
    os.chmod(cache / "packs", 0o777)
    load_packs([_pack(tmp_path, 100)], builtin=False)
    assert not list((cache / "packs").glob("*.pickle"))


def test_a_corrupt_entry_is_rebuilt(cache, tmp_path, monkeypatch):
    pack = _pack(tmp_path, 100)
    load_packs([pack], builtin=False)
    [entry] = (cache / "packs").glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    monkeypatch.setattr(rulepack, "_LOADED", {})
    assert load_packs([pack], builtin=False)[0].id == "LOCAL-001"
