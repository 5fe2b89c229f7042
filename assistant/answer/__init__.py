"""Passages to an answer: quotes with numbered citations, tables of report facts, or "not covered"."""
