"""A question to ranked passages: its parts worked out once, dense and lexical search fused, reranked."""
