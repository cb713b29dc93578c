"""The *_multi operations of the modern API: every key in one batch, run in one C call.

Collection and BinaryCollection delegate here; each function takes the collection first.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Type, TypeVar

    from couchbase._modern.results import (
        MultiExistsResult, MultiGetResult, MultiMutationResult, _MultiResultBase,
    )

    _M = TypeVar("_M", bound=_MultiResultBase)

from datetime import timedelta

from couchbase._core import batch as _batch
from couchbase._core.batch import PRESERVE_TTL
from couchbase._core.binding import C
from couchbase._modern import subdoc as _subdoc
from couchbase._modern.kv import (
    ERRORS, _ADD, _APPEND, _DELETE, _FMT_BYTES_1X, _GET, _GETL, _MUT_CLASSES, _PREPEND, _READ_CLASSES, _REPLACE,
    _SET, _TOUCH, _UNLOCK, _cas_arg, _check_key, _exception, _merge,
)
from couchbase._modern.results import (
    ExistsResult, MultiExistsResult, MultiGetResult, MultiMutationResult, _ReadMeta,
)
from couchbase._modern.transcoders import JSONTranscoder
from couchbase.durability import ClientDurability
from couchbase.exceptions import (
    FeatureUnavailableException, InvalidArgumentException,
)
from couchbase.options import expiry_to_wire


def _multi(coll, op, name, keys, add_for, classes, timeout, mutation, multi_cls: Type[_M], o, tc=None) -> _M:
    """Run `add_for(cid, keys)` for all keys in one batch; a MultiXResult (or the first
    exception when return_exceptions=False)."""
    session = coll._session()
    mres, _failed = session.execute(keys, op, lambda batch: add_for(batch, coll._cid, keys), False, True,
                                    classes=classes, timeout=timeout)
    if coll._cid and any(r.rc == C.UNKNOWN_COLLECTION for r in mres.values()):
        if coll._refresh_cid(timeout):
            again = [k for k, r in mres.items() if r.rc == C.UNKNOWN_COLLECTION]
            more, _failed = session.execute(again, op, lambda batch: add_for(batch, coll._cid, again), False,
                                            True, classes=classes, timeout=timeout)
            mres.update(more)
    return multi_result(coll, mres, name, mutation, multi_cls, o, classes, tc)


def multi_result(coll, mres, name, mutation, multi_cls, o, classes, tc=None):
    """The MultiXResult of the results `mres` (key -> result), or the first exception when
    return_exceptions=False."""
    results = {}
    errors = {}
    meta_tc = None
    if classes is _READ_CLASSES:
        if tc is not None and not (type(tc) is JSONTranscoder and tc._default):
            meta_tc = tc
        elif coll._tc is not None:
            meta_tc = coll._tc
    bucket = coll._bucket_name
    for k, r in mres.items():
        if r.rc:
            errors[k] = _exception(r.rc, k, name, mutation, r, coll)
        else:
            if meta_tc is not None:
                r._extra = _ReadMeta(meta_tc)
            elif mutation:
                r._extra = bucket
            results[k] = r
    if errors and o and o.get("return_exceptions") is False:
        raise next(iter(errors.values()))
    return multi_cls(results, errors)


def _key_list(keys) -> List[str]:
    if not isinstance(keys, list):
        raise InvalidArgumentException("keys must be a list of str.")
    for k in keys:
        _check_key(k)
    return keys


def _per_key(o, keys, name, conv, default):
    """A per-key list for option `name` when per_key_options sets it, else the global value."""
    pko = o.get("per_key_options") if o else None
    if not pko:
        return default
    if not any(name in (pko.get(k) or {}) for k in keys):
        return default
    return [conv((pko.get(k) or {}).get(name)) if name in (pko.get(k) or {}) else default for k in keys]


def get_multi(coll, keys, *opts, **kwargs) -> MultiGetResult:
    """MultiGetResult for a list of keys, read in one batch."""
    o = _merge(opts, kwargs)
    keys = _key_list(keys)
    tc = None
    if o:
        if o.get("with_expiry") or o.get("project"):
            raise FeatureUnavailableException("with_expiry/project are not supported by get_multi.")
        tc = o.get("transcoder")
    timeout = coll._timeout(o)

    def add_for(batch, cid, ks):
        _batch.add_keys(batch, ks, _GET.opcode, 0, 0, cid, errors=ERRORS)

    return coll._multi(_GET, "get", keys, add_for, _READ_CLASSES, timeout, False, MultiGetResult, o, tc)


def _store_multi(coll, op, name, kv, opts, kwargs):
    o = _merge(opts, kwargs)
    if not isinstance(kv, dict):
        raise InvalidArgumentException("keys_and_docs must be a dict.")
    keys = _key_list(list(kv))
    values = list(kv.values())
    exp = cas = 0
    tc = dur = None
    if o:
        if "expiry" in o:
            exp = expiry_to_wire(o["expiry"])
        if "cas" in o and name == "replace":
            cas = _cas_arg(o["cas"])
        tc = o.get("transcoder")
        dur = o.get("durability")
    if dur is not None and isinstance(dur, ClientDurability):
        raise FeatureUnavailableException("ClientDurability is not supported by the *_multi operations.")
    exp = _per_key(o, keys, "expiry", expiry_to_wire, exp)
    if name == "replace":
        cas = _per_key(o, keys, "cas", _cas_arg, cas)
    timeout = coll._timeout(o, durable=dur is not None)
    level, dto, _client = coll._durability(o, timeout) if dur is not None else (0, 0, None)
    if o and o.get("preserve_expiry"):
        level |= PRESERVE_TTL
    fmt, encoder = coll._encoder(tc)
    index = {k: i for i, k in enumerate(keys)}

    def add_for(batch, cid, ks):
        vs = values if ks is keys else [values[index[k]] for k in ks]
        e = exp if not isinstance(exp, list) or ks is keys else [exp[index[k]] for k in ks]
        c = cas if not isinstance(cas, list) or ks is keys else [cas[index[k]] for k in ks]
        _batch.add_items(batch, ks, vs, op.opcode, fmt, e, c, cid, level, dto, encoder, ERRORS)

    return coll._multi(op, name, keys, add_for, _MUT_CLASSES, timeout, True, MultiMutationResult, o)


def upsert_multi(coll, keys_and_docs, *opts, **kwargs) -> MultiMutationResult:
    return _store_multi(coll, _SET, "upsert", keys_and_docs, opts, kwargs)


def insert_multi(coll, keys_and_docs, *opts, **kwargs) -> MultiMutationResult:
    return _store_multi(coll, _ADD, "insert", keys_and_docs, opts, kwargs)


def replace_multi(coll, keys_and_docs, *opts, **kwargs) -> MultiMutationResult:
    return _store_multi(coll, _REPLACE, "replace", keys_and_docs, opts, kwargs)


def remove_multi(coll, keys, *opts, **kwargs) -> MultiMutationResult:
    """Remove a list of keys in one batch (``cas`` per key through per_key_options)."""
    o = _merge(opts, kwargs)
    keys = _key_list(keys)
    cas = _cas_arg(o.get("cas")) if o else 0
    cas = _per_key(o, keys, "cas", _cas_arg, cas)
    dur = o.get("durability") if o else None
    timeout = coll._timeout(o, durable=dur is not None)
    level, dto, _client = coll._durability(o, timeout) if dur is not None else (0, 0, None)
    index = {k: i for i, k in enumerate(keys)}

    def add_for(batch, cid, ks):
        c = cas if not isinstance(cas, list) or ks is keys else [cas[index[k]] for k in ks]
        _batch.add_keys(batch, ks, _DELETE.opcode, 0, c, cid, 0, level, dto, errors=ERRORS)

    return coll._multi(_DELETE, "remove", keys, add_for, _MUT_CLASSES, timeout, True, MultiMutationResult, o)


def touch_multi(coll, keys, expiry, *opts, **kwargs) -> MultiMutationResult:
    o = _merge(opts, kwargs)
    keys = _key_list(keys)
    exp = expiry_to_wire(expiry)
    timeout = coll._timeout(o)

    def add_for(batch, cid, ks):
        _batch.add_keys(batch, ks, _TOUCH.opcode, exp, 0, cid, errors=ERRORS)

    return coll._multi(_TOUCH, "touch", keys, add_for, _MUT_CLASSES, timeout, True, MultiMutationResult, o)


def exists_multi(coll, keys, *opts, **kwargs) -> MultiExistsResult:
    """MultiExistsResult: one sub-document lookup per key, all in one batch."""
    keys, o, timeout, add = exists_plan(coll, keys, opts, kwargs)
    mres, _failed = coll._session().execute(keys, _subdoc.LOOKUP, add, False, True,
                                            result_keys=list(range(len(keys))), classes=_EXISTS_CLASSES,
                                            timeout=timeout)
    return exists_result(keys, mres, o, coll)


def exists_plan(coll, keys, opts, kwargs):
    """exists_multi's request: (keys, options, timeout, add(batch))."""
    o = _merge(opts, kwargs)
    keys = _key_list(keys)
    timeout = coll._timeout(o)
    body, _order, _specs = _subdoc.lookup_request([_EXISTS_SPEC])

    def add(batch):
        cid = coll._cid
        for k in keys:
            _batch.add_subdoc(batch, k, _subdoc.LOOKUP.opcode, body, b"", 0, cid, 0, 0, 0, ERRORS)

    return keys, o, timeout, add


def exists_result(keys, mres, o, coll=None):
    """MultiExistsResult of the lookups (results keyed by position) of exists_plan on `coll`."""
    results, errors = {}, {}
    for i, k in enumerate(keys):
        r = mres[i]
        rc = 0 if r.rc == C.SUBDOC_MULTI_FAILURE else r.rc
        if rc and rc != C.KEY_ENOENT:
            errors[k] = _exception(rc, k, "exists", False, r, coll)
        else:
            results[k] = ExistsResult(rc=rc, key=k, cas=r.cas if not rc else 0)
    if errors and o and o.get("return_exceptions") is False:
        raise next(iter(errors.values()))
    return MultiExistsResult(results, errors)


def get_and_lock_multi(coll, keys, lock_time, *opts, **kwargs) -> MultiGetResult:
    o = _merge(opts, kwargs)
    keys = _key_list(keys)
    if not isinstance(lock_time, timedelta):
        raise InvalidArgumentException("lock_time must be a timedelta.")
    secs = int(lock_time.total_seconds())
    if secs < 0:
        raise InvalidArgumentException("lock_time cannot be negative.")
    timeout = coll._timeout(o)

    def add_for(batch, cid, ks):
        _batch.add_keys(batch, ks, _GETL.opcode, secs, 0, cid, errors=ERRORS)

    return coll._multi(_GETL, "get_and_lock", keys, add_for, _READ_CLASSES, timeout, False, MultiGetResult, o,
                  o.get("transcoder") if o else None)


def unlock_multi(coll, keys, *opts, **kwargs) -> Dict[str, Optional[Exception]]:
    """{key: None when unlocked, else its exception}; `keys` maps key -> cas, or is the result
    of lock_multi."""
    klist, add_for, timeout, o = unlock_plan(coll, keys, opts, kwargs)
    return unlock_result(coll._multi(_UNLOCK, "unlock", klist, add_for, _MUT_CLASSES, timeout, True,
                                     MultiMutationResult, o))


def unlock_plan(coll, keys, opts, kwargs):
    """unlock_multi's request: (keys, add_for(batch, cid, keys), timeout, options)."""
    o = _merge(opts, kwargs)
    if hasattr(keys, "results") and hasattr(keys, "exceptions"):
        pairs = {k: r.cas for k, r in keys.results.items()}
    elif isinstance(keys, dict):
        pairs = {k: getattr(v, "cas", v) for k, v in keys.items()}
    else:
        raise InvalidArgumentException("keys must be a dict of key -> cas or the result of lock_multi.")
    klist = _key_list(list(pairs))
    cas = [_cas_arg(pairs[k]) for k in klist]
    timeout = coll._timeout(o)
    index = {k: i for i, k in enumerate(klist)}

    def add_for(batch, cid, ks):
        c = cas if ks is klist else [cas[index[k]] for k in ks]
        _batch.add_keys(batch, ks, _UNLOCK.opcode, 0, c, cid, errors=ERRORS)

    return klist, add_for, timeout, o


def unlock_result(res: Any) -> Dict[str, Optional[Exception]]:
    """unlock_multi's answer from the MultiMutationResult of the unlocks."""
    out: Dict[str, Optional[Exception]] = {k: None for k in res.results}
    out.update(res.exceptions)
    return out


def concat_multi(coll, op, name, keys_and_values, opts, kwargs, multi_cls) -> MultiMutationResult:
    """append_multi / prepend_multi: {key: str or bytes} in one batch."""
    o = _merge(opts, kwargs)
    if not isinstance(keys_and_values, dict):
        raise InvalidArgumentException("keys_and_values must be a dict.")
    keys = _key_list(list(keys_and_values))
    values = []
    for v in keys_and_values.values():
        if isinstance(v, str):
            v = v.encode("utf-8")
        elif isinstance(v, bytearray):
            v = bytes(v)
        elif not isinstance(v, bytes):
            raise InvalidArgumentException("The values for %s must be str, bytes or bytearray." % name)
        values.append(v)
    cas = _cas_arg(o.get("cas")) if o else 0
    cas = _per_key(o, keys, "cas", _cas_arg, cas)
    dur = o.get("durability") if o else None
    if dur is not None and isinstance(dur, ClientDurability):
        raise FeatureUnavailableException("ClientDurability is not supported by the *_multi operations.")
    timeout = coll._timeout(o, durable=dur is not None)
    level, dto, _client = coll._durability(o, timeout) if dur is not None else (0, 0, None)
    index = {k: i for i, k in enumerate(keys)}

    def add_for(batch, cid, ks):
        vs = values if ks is keys else [values[index[k]] for k in ks]
        c = cas if not isinstance(cas, list) or ks is keys else [cas[index[k]] for k in ks]
        _batch.add_items(batch, ks, vs, op.opcode, _FMT_BYTES_1X, 0, c, cid, level, dto, None, ERRORS)

    return coll._multi(op, name, keys, add_for, _MUT_CLASSES, timeout, True, multi_cls, o)


def append_multi(coll, keys_and_values, opts, kwargs) -> MultiMutationResult:
    return concat_multi(coll, _APPEND, "append", keys_and_values, opts, kwargs, MultiMutationResult)


def prepend_multi(coll, keys_and_values, opts, kwargs) -> MultiMutationResult:
    return concat_multi(coll, _PREPEND, "prepend", keys_and_values, opts, kwargs, MultiMutationResult)


_EXISTS_SPEC = (0xC5, "$document.exptime", True)
_EXISTS_CLASSES = (dict, ExistsResult, ExistsResult)
