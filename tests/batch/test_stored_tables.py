"""What the store keeps of a report's tables for the cross-report rules: blank cells as the
blank-cell policy takes them."""

from xxgk_audit.engine.batch.steps import tables_of
from xxgk_audit.engine.evaluation.ruletest import clean_report
from xxgk_audit.engine.model.report import Cell


def test_stored_tables_follow_the_blank_cell_policy():
    report = clean_report("2021")
    cells = report.tables["applications"].cells
    cells[("C", "NP")] = Cell(2, "2", "int")
    cells[("C", "TOT")] = Cell(None, "", "blank")
    cells[("C", "BIZ")] = Cell(None, "", "blank")
    assert tables_of(report)["applications"]["C.TOT"] == 2 and tables_of(report)["applications"]["C.BIZ"] == 0
    unknown = tables_of(report, "unknown")["applications"]
    assert "C.TOT" not in unknown and "C.BIZ" not in unknown and unknown["C.NP"] == 2
