"""The rule language: conditions (expr) and the YAML rule packs that use them."""
