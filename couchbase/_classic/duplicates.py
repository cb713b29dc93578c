"""Duplicate keys in a _multi call: each copy is sent, the later result replaces the earlier
one in the MultiResult, and the builder warns ``RuntimeWarning("Found duplicate key")``.

With the PYCBC_CONN_F_WARNEXPLICIT bit in ``Connection._privflags`` the warnings of a call
are re-issued through ``warnings.warn_explicit`` as coming from module
``couchbase._libcouchbase`` (so filters on that module apply), as the 1.x client did.
"""
import warnings

WARNEXPLICIT = 1
MESSAGE = "Found duplicate key"


def run_explicit(fn, *args, **kw):
    """fn(*args, **kw), re-issuing its warnings explicitly."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kw)
    for w in caught:
        if issubclass(w.category, RuntimeWarning) and str(w.message) == MESSAGE:
            warnings.warn_explicit(MESSAGE, RuntimeWarning, "csrc/py/build.c", 0, module="couchbase._libcouchbase")
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return out
