"""What the modern API's collection modules share: argument rules, result classes per
operation kind, and the exception for a result code."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional

from couchbase import _formats
from couchbase import exceptions as _exc
from couchbase._core import ops
from couchbase._core.binding import C
from couchbase._modern.results import CounterResult, GetResult, MutationResult
from couchbase.exceptions import InvalidArgumentException, ValueFormatException
from couchbase.options import ConstrainedInt

_GET, _GAT, _GETL, _SET, _ADD, _REPLACE = ops.GET, ops.GAT, ops.LOCK, ops.SET, ops.ADD, ops.REPLACE
_DELETE, _TOUCH, _UNLOCK, _INCR, _DECR = ops.DELETE, ops.TOUCH, ops.UNLOCK, ops.INCR, ops.DECR
_APPEND, _PREPEND = ops.APPEND, ops.PREPEND

_FMT_JSON_1X = _formats.FMT_JSON  # the builder's built-in JSON rule
_FMT_BYTES_1X = _formats.FMT_BYTES

#: (multi, value, op) classes for the builder; the multi class is a plain dict here
_READ_CLASSES = (dict, GetResult, MutationResult)
_MUT_CLASSES = (dict, GetResult, MutationResult)
_CTR_CLASSES = (dict, CounterResult, MutationResult)

#: what the batch encoder raises for this face
ERRORS = (InvalidArgumentException, ValueFormatException)

_MAX_DURABLE_TIMEOUT_MS = 65534

_RETRY = frozenset((C.DOCUMENT_LOCKED, C.ETMPFAIL, C.SYNC_WRITE_IN_PROGRESS, C.SYNC_WRITE_RECOMMIT))


def _exception(rc, key, name, mutation, result=None, coll=None) -> Exception:
    """The modern exception for core code `rc` of operation `name` on `key`; a failed
    socket's reason ("host:port: ...") noted on `result` becomes its message; its
    KeyValueErrorContext names the key and, given the collection `coll`, where it lives."""
    detail = getattr(result, "_extra", None)
    return _exc.exception_for(_exc.MODERN, rc, detail if isinstance(detail, str) else None, key=key, op=name,
                              mutation=mutation, context=_exc.KeyValueErrorContext(**kv_context(key, coll)))


def kv_context(key, coll) -> Dict[str, Any]:
    """The fields of a key-value error context: the key, and the bucket, scope and
    collection names of `coll` (when given)."""
    fields: Dict[str, Any] = {"key": key}
    if coll is not None:
        fields.update(bucket_name=coll._bucket_name, scope_name=coll._scope_name, collection_name=coll._name)
    return fields


def _merge(opts, kwargs) -> Optional[Dict[str, Any]]:
    """The first positional options object updated with the kwargs (kwargs win)."""
    if opts:
        o = opts[0]
        if o is None:
            return kwargs
        if not isinstance(o, dict):
            raise InvalidArgumentException("Options must be an options object or a dict, not %s."
                                           % type(o).__name__)
        if kwargs:
            o = dict(o)
            o.update(kwargs)
        return o
    return kwargs


def _check_keys(o, valid, name):
    for k in o:
        if k not in valid:
            raise InvalidArgumentException("Unknown option %r for %s." % (k, name))


def _check_key(key):
    if type(key) is not str:
        if not isinstance(key, str):
            raise InvalidArgumentException("A document key must be a str, not %s." % type(key).__name__)


def _cas_arg(value) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2 ** 64:
        raise InvalidArgumentException("cas must be an int in [0, 2**64), got %r." % (value,))
    return value


def _int_arg(value, cls, what, default) -> int:
    if value is None:
        return default
    if isinstance(value, ConstrainedInt):
        return value.value
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentException("%s must be a %s or an int, got %r." % (what, cls.__name__, value))
    cls(value)  # range check
    return value

