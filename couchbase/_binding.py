"""Sole importer of the C core (couchbase._core): version check, code table, error raising."""
from couchbase._core import ffi, lib  # noqa: F401  (re-exported)

CORE_VERSION = 4

if lib.cbc_core_version() != CORE_VERSION:
    raise ImportError(
        "couchbase._core is version %d but the Python package expects %d: "
        "rebuild with `make build`" % (lib.cbc_core_version(), CORE_VERSION)
    )


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


class _Codes:
    """Attribute access to core codes: C.KEY_ENOENT == 0xD."""

    def __init__(self, table):
        for name, (code, _t, _c) in table.items():
            setattr(self, name, code)


C = _Codes(ERROR_TABLE)


def strerror(rc):
    return ffi.string(lib.cbc_strerror(rc)).decode()


def error_from(err, key=None, message=None):
    """A CouchbaseError for a filled cbc_ERROR (batch-level failure)."""
    from couchbase.exceptions import CouchbaseError

    cls = CouchbaseError.rc_to_exctype(err.code)
    file = ffi.string(err.file).decode() if err.file != ffi.NULL else ""
    return cls(
        {
            "rc": err.code,
            "key": key,
            "message": message or ffi.string(err.msg).decode() or None,
            "csrc_info": (file, err.line) if file else (),
        }
    )


def check(rc, err, key=None):
    """Raise for a non-zero return of a core function."""
    if rc:
        raise error_from(err, key=key)
