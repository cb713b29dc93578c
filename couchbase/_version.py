"""The package version: the one place it is written (pyproject.toml, the HELLO agent string
and ``couchbase.__version__`` read it from here)."""
__version__ = "1.1.0"
