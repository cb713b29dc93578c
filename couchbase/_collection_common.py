"""What the modern API's collection modules share: operation constants, argument checks,
and the status -> exception mapping."""
from couchbase._binding import C
from couchbase._modern_results import CounterResult, GetResult, MutationResult
from couchbase._ops import Op
from couchbase.exceptions import (
    AmbiguousTimeoutException, AuthenticationException, BucketNotFoundException, CasMismatchException,
    CollectionNotFoundException, CouchbaseException, DeltaInvalidException, DocumentExistsException,
    DocumentLockedException, DocumentNotFoundException, DocumentNotLockedException,
    DurabilityImpossibleException, DurabilityInvalidLevelException, DurabilitySyncWriteAmbiguousException,
    FeatureUnavailableException, InternalServerFailureException, InvalidArgumentException,
    RequestCanceledException, ScopeNotFoundException, TemporaryFailException, UnAmbiguousTimeoutException,
    UnsupportedOperation,
)
from couchbase.options import (
    AppendOptions, ConstrainedInt, ExistsOptions, GetAndLockOptions, GetAndTouchOptions, GetOptions,
    IncrementOptions, InsertOptions, RemoveOptions, ReplaceOptions, TouchOptions, UnlockOptions,
    UpsertOptions,
)

# operations: (opcode, result kind, quiet_ok) as couchbase._ops describes them
_GET = Op(0x00, "value", False)
_GAT = Op(0x1D, "value", False)
_GETL = Op(0x94, "value", False)
_SET = Op(0x01, "op", False)
_ADD = Op(0x02, "op", False)
_REPLACE = Op(0x03, "op", False)
_DELETE = Op(0x04, "op", False)
_TOUCH = Op(0x1C, "op", False)
_UNLOCK = Op(0x95, "unlock", False)
_INCR = Op(0x05, "counter", False)
_DECR = Op(0x06, "counter", False)
_APPEND = Op(0x0E, "op", False)
_PREPEND = Op(0x0F, "op", False)

OP_SUBDOC_MULTI_LOOKUP = 0xD0
OP_OBSERVE_SEQNO = 0x91
_SD_GET = 0xC5
_SD_GET_DOC = 0x00
_SD_XATTR = 0x04

_FMT_JSON_1X = 0  # couchbase.transcoder.FMT_JSON: the builder's built-in JSON rule
_FMT_BYTES_1X = 2

_READ_CLASSES = (dict, GetResult, MutationResult)
_MUT_CLASSES = (dict, GetResult, MutationResult)
_CTR_CLASSES = (dict, CounterResult, MutationResult)

_MAX_DURABLE_TIMEOUT_MS = 65534
_NO = object()


_RETRY = frozenset((C.DOCUMENT_LOCKED, C.ETMPFAIL, C.SYNC_WRITE_IN_PROGRESS, C.SYNC_WRITE_RECOMMIT))
_EXC = None


def _exc_table():
    global _EXC
    if _EXC is None:
        _EXC = {
            C.KEY_ENOENT: DocumentNotFoundException, C.NOT_STORED: DocumentNotFoundException,
            C.DOCUMENT_LOCKED: DocumentLockedException, C.NOT_LOCKED: DocumentNotLockedException,
            C.ETMPFAIL: TemporaryFailException, C.ENOMEM: TemporaryFailException, C.EBUSY: TemporaryFailException,
            C.DELTA_BADVAL: DeltaInvalidException, C.EINTERNAL: InternalServerFailureException,
            C.NO_BUCKET: BucketNotFoundException, C.BUCKET_ENOENT: BucketNotFoundException,
            C.UNKNOWN_COMMAND: UnsupportedOperation, C.NOT_SUPPORTED: FeatureUnavailableException,
            C.UNKNOWN_SCOPE: ScopeNotFoundException, C.UNKNOWN_COLLECTION: CollectionNotFoundException,
            C.DURABILITY_INVALID_LEVEL: DurabilityInvalidLevelException,
            C.DURABILITY_IMPOSSIBLE: DurabilityImpossibleException,
            C.SYNC_WRITE_AMBIGUOUS: DurabilitySyncWriteAmbiguousException,
            C.AUTH_ERROR: AuthenticationException, C.ACCESS_DENIED: AuthenticationException,
            C.EINVAL: InvalidArgumentException, C.KEY_TOO_LONG: InvalidArgumentException,
            C.EMPTY_KEY: InvalidArgumentException, C.CAS_INVALID: InvalidArgumentException,
            C.CLOSED: RequestCanceledException, C.CLIENT_ETMPFAIL: RequestCanceledException,
        }
    return _EXC


_TIMEOUT_RCS = None


def _exception(rc, key, name, mutation):
    """The modern exception for core code `rc` of operation `name` on `key`."""
    global _TIMEOUT_RCS
    table = _exc_table()
    if rc == C.KEY_EEXISTS or (rc == C.DOCUMENT_LOCKED and name == "unlock"):
        # unlock with a CAS other than the lock's: the server answers LOCKED; 4.x reports a CAS mismatch
        cls = DocumentExistsException if name == "insert" else CasMismatchException
    elif rc == C.E2BIG:
        return CouchbaseException("value_too_large", key=key, rc=rc, error_code=104)
    else:
        if _TIMEOUT_RCS is None:
            _TIMEOUT_RCS = {C.ETIMEDOUT, C.NETWORK_ERROR, C.CONNECT_ERROR, C.NO_MATCHING_SERVER,
                            C.NOT_MY_VBUCKET, C.SYNC_WRITE_IN_PROGRESS, C.SYNC_WRITE_RECOMMIT}
        if rc in _TIMEOUT_RCS:
            cls = AmbiguousTimeoutException if mutation else UnAmbiguousTimeoutException
        else:
            cls = table.get(rc, CouchbaseException)
    from couchbase._binding import strerror

    return cls(strerror(rc), key=key, rc=rc)


def _merge(opts, kwargs):
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


def _cas_arg(value):
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2 ** 64:
        raise InvalidArgumentException("cas must be an int in [0, 2**64), got %r." % (value,))
    return value


def _int_arg(value, cls, what, default):
    if value is None:
        return default
    if isinstance(value, ConstrainedInt):
        return value.value
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentException("%s must be a %s or an int, got %r." % (what, cls.__name__, value))
    cls(value)  # range check
    return value


_VALID = {cls: cls._valid for cls in (GetOptions, InsertOptions, UpsertOptions, ReplaceOptions, RemoveOptions,
                                      TouchOptions, GetAndTouchOptions, GetAndLockOptions, UnlockOptions,
                                      ExistsOptions, IncrementOptions, AppendOptions)}
