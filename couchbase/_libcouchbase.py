"""The module the 1.x client's C extension was: raw constants, the conversion helpers and
the base classes under their original names.

Applications and test suites written for the 1.x client import it directly
(``import couchbase._libcouchbase as LCB``; ``LCB.LCB_KEY_ENOENT``,
``LCB.PYCBC_CONN_F_WARNEXPLICIT``, ``LCB._get_helper('json_encode')``). Everything here is
a name for something that lives elsewhere in the package; nothing is implemented twice.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Tuple

from couchbase import transcoder as _tc
from couchbase.connection import Connection  # noqa: F401  (the 1.x C base class)
from couchbase.exceptions import ArgumentError, CouchbaseError, code_text
from couchbase.exceptions import _CODES as _core_codes
from couchbase.items import Item  # noqa: F401
from couchbase.result import (  # noqa: F401
    HttpResult, MultiResult, ObserveInfo, OperationResult, Result, ValueResult,
)
from couchbase.transcoder import Transcoder  # noqa: F401
from couchbase.user_constants import *  # noqa: F401,F403

# libcouchbase 2.x lcb_error_t, in code order (0x00 .. 0x28)
_LCB_ERRORS = (
    "SUCCESS", "AUTH_CONTINUE", "AUTH_ERROR", "DELTA_BADVAL", "E2BIG", "EBUSY", "EINTERNAL", "EINVAL",
    "ENOMEM", "ERANGE", "ERROR", "ETMPFAIL", "KEY_EEXISTS", "KEY_ENOENT", "DLOPEN_FAILED", "DLSYM_FAILED",
    "NETWORK_ERROR", "NOT_MY_VBUCKET", "NOT_STORED", "NOT_SUPPORTED", "UNKNOWN_COMMAND", "UNKNOWN_HOST",
    "PROTOCOL_ERROR", "ETIMEDOUT", "CONNECT_ERROR", "BUCKET_ENOENT", "CLIENT_ENOMEM", "CLIENT_ETMPFAIL",
    "EBADHANDLE", "SERVER_BUG", "PLUGIN_VERSION_MISMATCH", "INVALID_HOST_FORMAT", "INVALID_CHAR",
    "DURABILITY_ETOOMANY", "DUPLICATE_COMMANDS", "NO_MATCHING_SERVER", "BAD_ENVIRONMENT", "BUSY",
    "INVALID_USERNAME", "CONFIG_CACHE_INVALID", "SASLMECH_UNAVAILABLE",
)
for _code, _name in enumerate(_LCB_ERRORS):
    globals()["LCB_" + _name] = _code
LCB_MAX_ERROR = len(_LCB_ERRORS)

# error categories (lcb >= 2.3), as CouchbaseError.categories reports them
LCB_ERRTYPE_INPUT = 0x01
LCB_ERRTYPE_NETWORK = 0x02
LCB_ERRTYPE_FATAL = 0x04
LCB_ERRTYPE_TRANSIENT = 0x08
LCB_ERRTYPE_DATAOP = 0x10
LCB_ERRTYPE_INTERNAL = 0x20
LCB_ERRTYPE_PLUGIN = 0x40

# HTTP requests, handle types, storage operations
LCB_HTTP_METHOD_GET = 0
LCB_HTTP_METHOD_POST = 1
LCB_HTTP_METHOD_PUT = 2
LCB_HTTP_METHOD_DELETE = 3
LCB_HTTP_TYPE_VIEW = 0
LCB_HTTP_TYPE_MANAGEMENT = 1
LCB_HTTP_TYPE_RAW = 2
LCB_TYPE_BUCKET = 0
LCB_TYPE_CLUSTER = 1
LCB_ADD = 1
LCB_REPLACE = 2
LCB_SET = 3
LCB_APPEND = 4
LCB_PREPEND = 5

# the Connection._privflags bits
PYCBC_CONN_F_WARNEXPLICIT = 1
PYCBC_CONN_F_CLOSED = 4
PYCBC_CONN_F_ASYNC = 8
PYCBC_CONN_F_ASYNC_DTOR = 32

# which exception class an error without an lcb code gets
PYCBC_EXC_ARGUMENTS = 0
PYCBC_EXC_ENCODING = 1
PYCBC_EXC_LCBERR = 2
PYCBC_EXC_INTERNAL = 3
PYCBC_EXC_HTTP = 4
PYCBC_EXC_THREADING = 5
PYCBC_EXC_DESTROYED = 6
PYCBC_EXC_PIPELINE = 7

# Connection._cntl() operations and value types (couchbase._classic.cntl)
from couchbase._classic.cntl import (  # noqa: E402,F401
    LCB_CNTL_CONFERRTHRESH, LCB_CNTL_CONFIG_CACHE_LOADED, LCB_CNTL_CONFIGURATION_TIMEOUT,
    LCB_CNTL_DURABILITY_INTERVAL, LCB_CNTL_DURABILITY_TIMEOUT, LCB_CNTL_GET, LCB_CNTL_HANDLETYPE,
    LCB_CNTL_HTTP_TIMEOUT, LCB_CNTL_MAX_REDIRECTS, LCB_CNTL_OP_TIMEOUT, LCB_CNTL_RANDOMIZE_BOOTSTRAP_HOSTS,
    LCB_CNTL_SET, LCB_CNTL_VIEW_TIMEOUT,
)


def _strerror(rc: int) -> str:
    """The text of code ``rc``."""
    return code_text(rc)


def _get_errtype(rc: int) -> int:
    """The category bits (LCB_ERRTYPE_*) of code ``rc``; 0 when it has none."""
    info = _core_codes.get(rc)
    return info[2] if info else 0


def lcb_version() -> Tuple[str, int]:
    """(version text, version number) of the core, as Connection.lcb_version() gives them."""
    return Connection.lcb_version()


# ---- conversion helpers: names -> where they live ----

_CONVERTERS = {"json_encode": "_json_encode", "json_decode": "_json_decode",
               "pickle_encode": "_pickle_encode", "pickle_decode": "_pickle_decode"}
_FIXED = {"fmt_auto": _tc.FMT_AUTO, "default_exception": CouchbaseError,
          "fmt_json_flags": _tc.FMT_JSON, "fmt_pickle_flags": _tc.FMT_PICKLE,
          "fmt_bytes_flags": _tc.FMT_BYTES, "fmt_utf8_flags": _tc.FMT_UTF8}


def _get_helper(name: str) -> Any:
    """The helper registered as ``name`` (json_encode, json_decode, pickle_encode,
    pickle_decode, fmt_auto, default_exception, fmt_*_flags); KeyError for other names."""
    if name in _CONVERTERS:
        return getattr(_tc, _CONVERTERS[name])
    if name in _FIXED:
        return _FIXED[name]
    raise KeyError(name)


def _modify_helpers(**helpers: Callable[[Any], Any]) -> Dict[str, Any]:
    """Replace converters process-wide (every connection); returns ``{name: old helper}``.

    Only the four converters can be replaced; each must be callable (ArgumentError)."""
    for name, fn in helpers.items():
        if name not in _CONVERTERS:
            raise KeyError(name)
        if not callable(fn):
            raise ArgumentError.pyexc("helper %s must be callable" % name, obj=fn)
    old: Dict[str, Any] = {}
    for name, fn in helpers.items():
        old[name] = getattr(_tc, _CONVERTERS[name])
        setattr(_tc, _CONVERTERS[name], fn)
    return old


def _init_helpers(**helpers: Callable[[Any], Any]) -> None:
    """Install helpers at start-up (the 1.x bootstrap did this once); same as _modify_helpers."""
    _modify_helpers(**helpers)
