"""Answers written by a language model, every sentence checked against the passages it cites."""
