"""The sole importer of the compiled core (couchbase._core._cbc, cffi) and of the native
builder (couchbase._core._fastpath): version check, the code table, errors from C.

Loading this module teaches couchbase.exceptions the core's codes (names, texts,
categories), so every exception class can be found by code.
"""
from __future__ import annotations

TYPE_CHECKING = False
from couchbase import exceptions as _exc
from couchbase._core._cbc import ffi, lib  # noqa: F401  (re-exported to the engine)

try:
    from couchbase._core import _fastpath
except ImportError:  # not built: the pure-Python twin (batch_py) stands in
    _fastpath = None  # type: ignore[assignment]

CORE_VERSION = lib.cbc_core_version()

if _fastpath is not None and _fastpath.CORE_VERSION != CORE_VERSION:
    raise ImportError(
        "couchbase._core._fastpath was built for core interface %d but couchbase._core._cbc is %d: "
        "rebuild with `make build`" % (_fastpath.CORE_VERSION, CORE_VERSION))


def _load_table():
    n = ffi.new("size_t *")
    tab = lib.cbc_err_table(n)
    codes = {}
    for i in range(n[0]):
        e = tab[i]
        codes[ffi.string(e.name).decode()] = (e.code, ffi.string(e.text).decode(), e.categories)
    return codes


#: name -> (code, text, categories) for every C core code
ERROR_TABLE = _load_table()
#: code -> name
ERROR_NAMES = {code: name for name, (code, _t, _c) in ERROR_TABLE.items()}
_exc.register_codes(ERROR_TABLE)


class _Codes:
    """Attribute access to core codes: C.KEY_ENOENT == 0xD."""

    def __init__(self, table):
        for name, (code, _t, _c) in table.items():
            setattr(self, name, code)

    if TYPE_CHECKING:
        def __getattr__(self, name: str) -> int: ...


C = _Codes(ERROR_TABLE)


def strerror(rc):
    return ffi.string(lib.cbc_strerror(rc)).decode()


def csrc_of(file, line):
    """(file, line) of a C source position, or () when there is none."""
    if file == ffi.NULL:
        return ()
    return (ffi.string(file).decode(), line)


def error_from(err, face=_exc.CLASSIC, key=None, message=None):
    """The exception for a filled cbc_ERROR (a batch-level failure), for `face`."""
    return _exc.exception_for(face, err.code, message or ffi.string(err.msg).decode() or None, key,
                              csrc_of(err.file, err.line))


def error_from_tuple(failed, face=_exc.CLASSIC):
    """The exception for the native module's batch-level failure tuple (rc, msg, file, line)."""
    rc, msg, file, line = failed
    return _exc.exception_for(face, rc, msg.decode(errors="replace") or None, None, (file, line) if file else ())


def check(rc, err, face=_exc.CLASSIC, key=None):
    """Raise for a non-zero return of a core function."""
    if rc:
        raise error_from(err, face, key=key)
