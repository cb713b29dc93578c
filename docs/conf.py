"""Sphinx configuration: the guides in this folder (Markdown, through MyST) and the API
reference of both faces (autodoc). Built by `make docs` with warnings as errors."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from couchbase._version import __version__  # noqa: E402

project = "couchbase"
author = "The couchbase SDK authors"
copyright = "2026, " + author
version = release = __version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.viewcode", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
master_doc = "index"
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = "couchbase %s" % __version__

autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
myst_heading_anchors = 3
# Guides link to source files of the repository (csrc/, tests/) that are not pages.
suppress_warnings = ["myst.xref_missing"]
nitpicky = False
