"""Batch infrastructure: steps, worker processes, the result store, similarity and cross-report rules."""
