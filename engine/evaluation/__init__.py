"""Evaluation: facts built from a report, the rules engine over them, and the findings it yields."""
