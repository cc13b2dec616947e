"""Readers turn a source document into a `model.Report`; they never judge."""

from .text import read_text

__all__ = ["read_text"]
