"""The web chat's parts: the page, its handlers, HTML rendering, uploads, background indexing."""
