"""The rule language: conditions (expr, and their durable-rules form), rule packs and their
selection, the rule–fact contract (factkinds) and the tool's own findings (tool_rules)."""
