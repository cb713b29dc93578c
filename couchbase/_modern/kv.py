"""What the modern API's collection modules share: argument rules, result classes per
operation kind, and the exception for a result code."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

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


def _exception(rc, key, name, mutation, result=None, coll=None, retries=None, context_type=None) -> Exception:
    """The modern exception for core code `rc` of operation `name` on `key`; a failed
    socket's reason ("host:port: ...") noted on `result` becomes its message, and the C
    file and line that set `rc` its ``csrc_info``; its context (a `context_type`,
    KeyValueErrorContext by default) has kv_context's fields."""
    detail = getattr(result, "_extra", None)
    context = (context_type or _exc.KeyValueErrorContext)(**kv_context(key, coll, result, retries))
    return _exc.exception_for(_exc.MODERN, rc, detail if isinstance(detail, str) else None, key=key, op=name,
                              mutation=mutation, csrc_info=getattr(result, "_csrc", None) or (), context=context)


def retried_out(rc, key, name, mutation, result, coll, retries, exc=None) -> Exception:
    """The exception of a single operation sent again until its timeout ran out: the
    operation's own (exc, _exception by default) for a locked document, else
    TemporaryFailException (temporary failure) or AmbiguousTimeoutException (a durable
    write in progress), with the context of its last answer and of its retries."""
    exc = exc or _exception
    if rc == C.DOCUMENT_LOCKED:
        return exc(rc, key, name, mutation, result, coll, retries)
    context = exc(rc, key, name, mutation, result, coll, retries).context
    return (_exc.TemporaryFailException if rc == C.ETMPFAIL else _exc.AmbiguousTimeoutException)(
        "Retried until the timeout: %s" % name, key=key, rc=rc, context=context,
        csrc_info=getattr(result, "_csrc", None) or ())


def kv_context(key, coll, result=None, retries=None) -> Dict[str, Any]:
    """The fields of a key-value error context: the key; given the collection `coll`, the
    bucket, scope and collection names; given the failed `result`, the server's status
    (when it answered), the node the request went to ("host:port", when it was sent) and
    this end of its socket (while that is open);
    given `retries` (a RetryLog), how often and why the request was sent again."""
    fields: Dict[str, Any] = {"key": key}
    if coll is not None:
        fields.update(bucket_name=coll._bucket_name, scope_name=coll._scope_name, collection_name=coll._name)
    if result is not None:
        status = getattr(result, "_status", 0xFFFF)
        if status != 0xFFFF:
            fields["status_code"] = status
        server = getattr(result, "_server", -1)
        session = _session_of(coll) if server >= 0 else None
        if session is not None and server < len(session.nodes):
            fields["last_dispatched_to"] = session.nodes[server]
            local = session.local_address(server)
            if local is not None:
                fields["last_dispatched_from"] = local
    fields["retry_attempts"] = retries.attempts if retries is not None else 0
    fields["retry_reasons"] = set(retries.reasons) if retries is not None else set()
    return fields


def _session_of(coll) -> Any:
    """The session of `coll`'s bucket (None when unknown: no collection, not connected)."""
    return getattr(getattr(coll, "_bucket", None), "_session", None)


class RetryLog:
    """How often a single operation was sent again, and why (the 4.x retry reason names)."""

    __slots__ = ("attempts", "reasons")

    #: core code -> retry reason
    REASONS = {C.DOCUMENT_LOCKED: "key_value_locked", C.ETMPFAIL: "key_value_temporary_failure",
               C.SYNC_WRITE_IN_PROGRESS: "key_value_sync_write_in_progress",
               C.SYNC_WRITE_RECOMMIT: "key_value_sync_write_re_commit_in_progress",
               C.UNKNOWN_COLLECTION: "key_value_collection_outdated", C.NOT_MY_VBUCKET: "key_value_not_my_vbucket"}

    def __init__(self) -> None:
        self.attempts = 0
        self.reasons: List[str] = []

    @classmethod
    def after(cls, log: Optional[RetryLog], rc: int) -> RetryLog:
        """`log` (a new one when None) with one more attempt, sent again because of core code `rc`."""
        if log is None:
            log = cls()
        log.attempts += 1
        reason = cls.REASONS.get(rc, "unknown")
        if reason not in log.reasons:
            log.reasons.append(reason)
        return log


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

