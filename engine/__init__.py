"""xxgk-audit engine: reading, the report model, facts and rule evaluation."""

__version__ = "0.1.0"
