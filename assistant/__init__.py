"""Answers questions about Ofsted's reports on children's services in the reports' own words."""

from .api import Assistant, build_index
from .retrieval import Filters
from .schema import Answer, Chunk, Citation, Document, IndexReport

__all__ = ["Answer", "Assistant", "Citation", "Chunk", "Document", "Filters", "IndexReport", "build_index"]
