"""Answers questions about Ofsted's reports on children's services in the reports' own words."""

from assistant.api import Assistant, build_index
from assistant.schema import Answer, Chunk, Citation, Document, IndexReport
from assistant.search.retrieval import Filters

__all__ = ["Answer", "Assistant", "Citation", "Chunk", "Document", "Filters", "IndexReport", "build_index"]
