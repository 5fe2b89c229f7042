"""Files to documents: read each format, clean the text, describe it, find its facts, cut it into passages."""
