"""Passages to an index: encode them, keep them in SQLite (words, facts, manifest) and Chroma (vectors)."""
