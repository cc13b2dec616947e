"""Reports and helpers the batch tests share: a small folder of reports across two years."""

from __future__ import annotations

from pathlib import Path

from xxgk_audit.engine.batch.steps import BatchCounts, BatchSettings, plan_batch, run_batch, workers
from xxgk_audit.engine.evaluation.facts import Context
from xxgk_audit.engine.rulelang.rulepack import load_packs
from xxgk_audit.engine.batch.store import Store, rules_version

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CLEAN = (SAMPLES / "clean-2021.txt").read_text(encoding="utf-8")


def next_year(carried: int) -> str:
    """The same agency's 2024 report, with `carried` applications carried over from 2023 (2023 says 1)."""
    text = CLEAN.replace("2023", "2024")
    text = text.replace("一、本年新收政府信息公开申请数量 | 9 | 1 | 0 | 0 | 1 | 0 | 11 |",
                        f"一、本年新收政府信息公开申请数量 | {10 - carried} | 1 | 0 | 0 | 1 | 0 | {12 - carried} |")
    return text.replace("二、上年结转政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
                        f"二、上年结转政府信息公开申请数量 | {carried} | 0 | 0 | 0 | 0 | 0 | {carried} |")


def make_folder(tmp_path: Path) -> Path:
    """2023/env.txt (clean), 2024/env.txt (carries 2 over where 2023 said 1) and two samples."""
    reports = tmp_path / "reports"
    (reports / "2023").mkdir(parents=True)
    (reports / "2024").mkdir()
    (reports / "2023" / "env.txt").write_text(CLEAN, encoding="utf-8")
    (reports / "2024" / "env.txt").write_text(next_year(2), encoding="utf-8")
    for name in ("seed-luolong-2020.txt", "error-arithmetic-2023.txt"):
        (reports / name).write_bytes((SAMPLES / name).read_bytes())
    return reports


def run_folder(folder: Path, store: Store, jobs: int, on_result=lambda r, kept: None) -> BatchCounts:
    """run_batch over the folder's text reports (no pages, no cross-report step)."""
    rules = load_packs()
    version = rules_version(rules)
    run_id = store.start_run(str(folder), version, jobs)
    items = [(p, Context()) for p in sorted(folder.rglob("*.txt"))]
    with workers(BatchSettings(), jobs) as pool:
        return run_batch(plan_batch(items, store, version), store, run_id, version, pool, on_result)


A1_ROW = "一、本年新收政府信息公开申请数量 | 9 | 1 | 0 | 0 | 1 | 0 | 11 |"


def with_applications(text: str, total: int) -> str:
    """The report with `total` new applications (all from natural persons but 2)."""
    return text.replace(A1_ROW, f"一、本年新收政府信息公开申请数量 | {total - 2} | 1 | 0 | 0 | 1 | 0 | {total} |")


def peer_batch(tmp_path: Path, peers: int = 11, outlier: int = 600) -> Path:
    """A manifest of `peers` agencies' 2023 reports (11 applications each, 某局0 with `outlier`),
    and 某局0's 2022 report with 11: XREF-013 and XREF-014 both concern 某局0 in 2023."""
    folder = tmp_path / "peers"
    folder.mkdir()
    rows = ["path,agency,year,parent"]
    for i in range(peers):
        text = with_applications(CLEAN, outlier) if i == 0 else CLEAN
        (folder / f"r{i}.txt").write_text(text, encoding="utf-8")
        rows.append(f"r{i}.txt,某局{i},2023,某市")
    (folder / "prior.txt").write_text(CLEAN.replace("2023", "2022"), encoding="utf-8")
    rows.append("prior.txt,某局0,2022,某市")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder / "manifest.csv"
