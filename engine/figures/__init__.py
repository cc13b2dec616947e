"""Figures of a batch's reports: the cells of every table, indicators, totals, coverage and trends.

Computed from the result store (engine/batch/store.py), never by re-auditing; the renderers in
reports/ only write what is computed here. pandas does the aggregation and is imported on use,
so a one-report `check` never loads it.
"""
