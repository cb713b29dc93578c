"""The manual's Flask beer-sample application (chapter 2), complete: beers and breweries,
paged listings, prefix search, create/edit/delete with safe concurrent edits, likes.

``python -m examples.beersample`` (``make beersample``) runs it on the embedded cluster.
"""
from .app import create_app

__all__ = ["create_app"]
