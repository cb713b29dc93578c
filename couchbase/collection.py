"""Collection: the key-value operations of the modern API (counters and append/prepend are
in couchbase.binary_collection).

Every operation, single or multi, runs on the bucket's Session (couchbase._core.session):
the batch is filled by the native encoder, run in one GIL-free C call and turned into
the modern result classes by the native builder. Sub-document requests (``lookup_in``,
``mutate_in``, ``exists``, ``get(with_expiry=True)``, ``get(project=...)``) take the same
path with the ``add_subdoc`` adder (couchbase._modern.subdoc); replica reads and the
multi operations live in couchbase._modern.replicas and couchbase._modern.multi, the data
structures in couchbase.datastructures.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import (
        Any, Callable, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Type,
        TypeVar, Union,
    )

    import couchbase.options  # MutateInOptions by its full name: couchbase.subdocument has it too
    from couchbase._modern.option_keys import ExpiryArg
    from couchbase._modern.results import (
        GetReplicaResult, LookupInReplicaResult, LookupInResult, MultiExistsResult, MultiGetReplicaResult,
        MultiGetResult, MultiMutationResult, MutateInResult, MutationResult, _MultiResultBase,
    )
    from couchbase.options import (
        GetAllReplicasMultiOptions, GetAnyReplicaMultiOptions, LookupInAllReplicasOptions, LookupInAnyReplicaOptions,
        LookupInOptions,
    )
    from couchbase.scope import Scope
    from couchbase.subdocument import Spec

    _M = TypeVar("_M", bound=_MultiResultBase)

import time
from datetime import timedelta

from couchbase._core import batch as _batch
from couchbase._core.batch import PRESERVE_TTL
from couchbase._core.binding import C
from couchbase._modern import client_durability
from couchbase._modern import multi as _multi_ops
from couchbase._modern import replicas as _replicas
from couchbase._modern import subdoc as _subdoc
from couchbase._modern.kv import (
    ERRORS, _ADD, _DELETE, _FMT_JSON_1X, _GAT, _GET, _GETL, _MAX_DURABLE_TIMEOUT_MS, _MUT_CLASSES,
    _READ_CLASSES, _REPLACE, _RETRY, _SET, _TOUCH, _UNLOCK, _cas_arg, _check_key, _check_keys, _exception,
    _merge, RetryLog, retried_out,
)
from couchbase._modern.results import (
    ExistsResult, GetResult, _ReadMeta,
)
from couchbase._modern.transcoders import JSONTranscoder
from couchbase import datastructures as _ds
from couchbase.binary_collection import BinaryCollection
from couchbase.durability import ClientDurability, Durability, DurabilityLevel, ServerDurability
from couchbase.exceptions import (
    CouchbaseException, InvalidArgumentException, ValueFormatException,
)
from couchbase.options import (
    AppendOptions, ConstrainedInt, DecrementOptions, DeltaValue, DurabilityOptionBlock, ExistsMultiOptions,
    ExistsOptions, GetAllReplicasOptions, GetAndLockMultiOptions, GetAndLockOptions, GetAndTouchOptions,
    GetAnyReplicaOptions, GetMultiOptions, GetOptions, IncrementOptions, InsertMultiOptions, InsertOptions,
    LockMultiOptions, OptionsTimeout, PrependOptions, RemoveMultiOptions, RemoveOptions, ReplaceMultiOptions,
    ReplaceOptions, SignedInt64, TouchMultiOptions, TouchOptions, UnlockMultiOptions, UnlockOptions,
    UpsertMultiOptions, UpsertOptions, expiry_to_wire, timeout_seconds,
)

__all__ = ["Collection", "BinaryCollection", "CBCollection",
           # option classes, importable from here as in 3.x/4.x code (the same classes as couchbase.options)
           "AppendOptions", "DecrementOptions", "DeltaValue", "DurabilityOptionBlock", "ExistsOptions",
           "GetAllReplicasOptions", "GetAndLockOptions", "GetAndTouchOptions", "GetAnyReplicaOptions", "GetOptions",
           "IncrementOptions", "InsertOptions", "OptionsTimeout", "PrependOptions", "RemoveOptions",
           "ReplaceOptions", "TouchOptions", "UnlockOptions", "UpsertOptions", "ConstrainedInt", "SignedInt64",
           "ExistsMultiOptions", "GetAndLockMultiOptions", "GetMultiOptions", "InsertMultiOptions",
           "LockMultiOptions", "RemoveMultiOptions", "ReplaceMultiOptions", "TouchMultiOptions",
           "UnlockMultiOptions", "UpsertMultiOptions"]


class Collection:
    """A collection of documents: ``scope.collection(name)`` or ``bucket.default_collection()``."""

    def __init__(self, scope: Scope, name: str) -> None:
        self._scope = scope
        self._name = name
        self._bucket = scope._bucket
        self._bucket_name = self._bucket.name
        self._scope_name = scope.name
        self._cid = 0 if (scope.name, name) == ("_default", "_default") else None
        settings = self._bucket._cluster._settings
        self._kv_timeout: float = settings.kv_timeout
        self._durable_timeout: float = settings.kv_durable_timeout
        tc = settings.transcoder
        self._tc = None if tc is None or type(tc) is JSONTranscoder else tc
        self._binary: Optional[BinaryCollection] = None

    @staticmethod
    def default_name() -> str:
        return "_default"

    @property
    def name(self) -> str:
        return self._name

    def binary(self) -> BinaryCollection:
        """Counters and append/prepend on this collection."""
        if self._binary is None:
            self._binary = BinaryCollection(self)
        return self._binary

    def __repr__(self) -> str:
        return "Collection(%s.%s.%s)" % (self._bucket_name, self._scope_name, self._name)

    # ---- shared machinery ----

    def _session(self) -> Any:
        """The bucket's session, with this collection's id resolved."""
        session = self._bucket._connection()
        if self._cid is None:
            self._cid = self._bucket.collection_ids.resolve(self._scope_name, self._name, self._kv_timeout)
        return session

    def _refresh_cid(self, timeout: float) -> bool:
        """After UNKNOWN_COLLECTION: look the id up again; True when it changed."""
        old = self._cid
        self._cid = None
        self._cid = self._bucket.collection_ids.resolve(self._scope_name, self._name, timeout, refresh=True)
        return self._cid != old

    def _timeout(self, o: Optional[Mapping[str, Any]], durable: bool = False) -> float:
        t = o.get("timeout") if o else None
        if t is None:
            return self._durable_timeout if durable else self._kv_timeout
        return timeout_seconds(t)

    def _encoder(self, tc: Any) -> Tuple[int, Any]:
        """(fmt, encoder) for add_items: the built-in JSON rule for the default transcoder."""
        if tc is None:
            tc = self._tc
            if tc is None:
                return _FMT_JSON_1X, None
        elif type(tc) is JSONTranscoder and tc._default:
            return _FMT_JSON_1X, None
        enc = getattr(tc, "encode_value", None)
        if enc is None:
            raise InvalidArgumentException("transcoder must have encode_value and decode_value.")
        return _FMT_JSON_1X, enc

    def _durability(self, o: Optional[Mapping[str, Any]],
                    timeout: float) -> Tuple[int, int, Optional[ClientDurability]]:
        """(level, timeout_ms, ClientDurability or None) from the `durability` option."""
        d = o.get("durability") if o else None
        if d is None:
            return 0, 0, None
        if isinstance(d, ClientDurability):
            return 0, 0, d
        if isinstance(d, ServerDurability):
            d = d.level
        if isinstance(d, (Durability, DurabilityLevel)):
            level = int(d.value)
        else:
            raise InvalidArgumentException("durability must be a ServerDurability or ClientDurability.")
        if level == 0:
            return 0, 0, None
        ms = min(_MAX_DURABLE_TIMEOUT_MS, max(1, int(timeout * 900)))  # 90 % of the op timeout
        return level, ms, None

    def _single(self, op: Any, name: str, key: str, add: Callable[[Any], Any], classes: Any, timeout: float,
                mutation: bool) -> Any:
        """Run a one-key batch with retries (locked, temporary failure, unknown collection)."""
        session = self._session()
        keys = [key]
        deadline = time.monotonic() + timeout
        left = timeout
        refreshed = False
        pause = 0.005
        retries = None
        while True:
            try:
                res, _failed = session.execute(keys, op, add, True, True, classes=classes, timeout=left)
            except (InvalidArgumentException, ValueFormatException) as e:
                if e.key is None:
                    e.key = key
                raise
            rc = res.rc
            if not rc:
                return res
            if rc in _RETRY and not (rc == C.DOCUMENT_LOCKED and name == "unlock"):
                left = deadline - time.monotonic()
                if left > pause:
                    time.sleep(pause)
                    pause = min(pause * 2, 0.1)
                    left = deadline - time.monotonic()
                    retries = RetryLog.after(retries, rc)
                    continue
                raise retried_out(rc, key, name, mutation, res, self, retries)
            if rc == C.UNKNOWN_COLLECTION and not refreshed and self._cid:
                refreshed = True
                if self._refresh_cid(timeout):
                    left = max(0.001, deadline - time.monotonic())
                    retries = RetryLog.after(retries, rc)
                    continue
            raise _exception(rc, key, name, mutation, res, self, retries)

    def _mutate(self, op: Any, name: str, key: str, add: Callable[[Any], Any], classes: Any, timeout: float,
                client: Optional[ClientDurability]) -> MutationResult:
        """A single mutation: run it, give its result the bucket name (for its mutation
        token), then wait for `client` durability when asked."""
        res: MutationResult = self._single(op, name, key, add, classes, timeout, True)
        res._extra = self._bucket_name
        if client is not None:
            self._observe(res, key, client, timeout)
        return res

    def _read_meta(self, res: GetResult, tc: Any) -> GetResult:
        if tc is not None and not (type(tc) is JSONTranscoder and tc._default):
            res._extra = _ReadMeta(tc)
        elif self._tc is not None:
            res._extra = _ReadMeta(self._tc)
        return res

    # ---- reads ----

    def get(self, key: str, *opts: GetOptions, **kwargs: Any) -> GetResult:
        """The document: GetResult (DocumentNotFoundException when missing).

        ``with_expiry=True`` also fetches the expiry (``expiry_time``), through a
        sub-document lookup of ``$document.exptime``."""
        o = _merge(opts, kwargs)
        tc = None
        if o:
            _check_keys(o, GetOptions._valid, "get")
            if o.get("project"):
                return self._get_projected(key, o)
            if o.get("with_expiry"):
                return self._get_with_expiry(key, o)
            tc = o.get("transcoder")
        _check_key(key)
        timeout = self._timeout(o)
        self._cid_now()

        def add(batch: Any) -> None:
            _batch.add_keys(batch, [key], _GET.opcode, 0, 0, self._cid, errors=ERRORS)

        return self._read_meta(self._single(_GET, "get", key, add, _READ_CLASSES, timeout, False), tc)

    def _cid_now(self) -> Optional[int]:
        if self._cid is None:
            self._session()
        return self._cid

    def get_and_touch(self, key: str, expiry: ExpiryArg, *opts: GetAndTouchOptions, **kwargs: Any) -> GetResult:
        """Read the document and set its expiry (a timedelta)."""
        o = _merge(opts, kwargs)
        if o:
            _check_keys(o, GetAndTouchOptions._valid, "get_and_touch")
        _check_key(key)
        return self._read_changing(_GAT, "get_and_touch", key, o, expiry_to_wire(expiry))

    def get_and_lock(self, key: str, lock_time: timedelta, *opts: GetAndLockOptions, **kwargs: Any) -> GetResult:
        """Read and lock the document for `lock_time` (a timedelta); the result's cas unlocks it."""
        o = _merge(opts, kwargs)
        if o:
            _check_keys(o, GetAndLockOptions._valid, "get_and_lock")
        _check_key(key)
        if not isinstance(lock_time, timedelta):
            raise InvalidArgumentException("lock_time must be a timedelta.")
        secs = int(lock_time.total_seconds())
        if secs < 0:
            raise InvalidArgumentException("lock_time cannot be negative.")
        return self._read_changing(_GETL, "get_and_lock", key, o, secs)

    def _read_changing(self, op: Any, name: str, key: str, o: Optional[Mapping[str, Any]], expiry: int) -> GetResult:
        """A read that also changes the document (its expiry, or a lock for `expiry` seconds)."""
        timeout = self._timeout(o)
        self._cid_now()

        def add(batch: Any) -> None:
            _batch.add_keys(batch, [key], op.opcode, expiry, 0, self._cid, errors=ERRORS)

        res = self._single(op, name, key, add, _READ_CLASSES, timeout, True)
        return self._read_meta(res, o.get("transcoder") if o else None)

    def exists(self, key: str, *opts: ExistsOptions, **kwargs: Any) -> ExistsResult:
        """ExistsResult: ``exists`` is False for a missing document (not an error)."""
        o = _merge(opts, kwargs)
        if o:
            _check_keys(o, ExistsOptions._valid, "exists")
        _check_key(key)
        body, _order, _specs = _subdoc.lookup_request([_EXPTIME_SPEC])
        r = _subdoc.run(self, _subdoc.LOOKUP, key, body, b"", 0, 0, 0, self._timeout(o), "exists", False,
                        _EXISTS_CLASSES, missing_ok=True)
        return self._exists_result(key, r)

    @staticmethod
    def _exists_result(key: str, r: Any) -> ExistsResult:
        if r.rc == C.KEY_ENOENT:
            return ExistsResult(rc=r.rc, key=key, cas=0)
        return ExistsResult(rc=0, key=key, cas=r.cas)

    def _get_projected(self, key: str, o: Mapping[str, Any]) -> GetResult:
        _check_key(key)
        value, cas, exptime = _subdoc.get_projected(self, key, o["project"], o.get("with_expiry"), self._timeout(o))
        return self._projected_result(key, o, value, cas, exptime)

    def _projected_result(self, key: str, o: Mapping[str, Any], value: Any, cas: int, exptime: int) -> GetResult:
        res = GetResult(rc=0, key=key, value=value, cas=cas, flags=_FLAGS_JSON)
        res._extra = _ReadMeta(o.get("transcoder") or self._tc or _DEFAULT_JSON, exptime)
        return res

    def _get_with_expiry(self, key: str, o: Mapping[str, Any]) -> GetResult:
        """The document, its flags and expiry in one lookup ($document.exptime, $document.flags, body)."""
        _check_key(key)
        body, order, specs = _subdoc.lookup_request(_WITH_EXPIRY_SPECS)
        r = _subdoc.run(self, _subdoc.LOOKUP, key, body, b"", 0, 0, 0, self._timeout(o), "get", False,
                        _subdoc.LOOKUP_CLASSES)
        return self._with_expiry_result(key, o, r, order, specs)

    def _with_expiry_result(self, key: str, o: Mapping[str, Any], r: Any, order: Any, specs: Any) -> GetResult:
        fields = _subdoc.finish_lookup(r, order, specs)._fields()
        if fields[2][0] != 0:
            raise CouchbaseException("Unexpected sub-document answer for get(with_expiry=True)", key=key)
        exptime = int(fields[0][1]) if fields[0][0] == 0 and fields[0][1] else 0
        flags = int(fields[1][1]) if fields[1][0] == 0 and fields[1][1] else 0
        res = GetResult(rc=0, key=key, value=fields[2][1], cas=r.cas, flags=flags)
        res._extra = _ReadMeta(o.get("transcoder") or self._tc or _DEFAULT_JSON, exptime)
        return res

    # ---- mutations ----

    def _store(self, op: Any, name: str, key: str, value: Any, opts: Sequence[Any], kwargs: Dict[str, Any],
               valid: FrozenSet[str]) -> MutationResult:
        o = _merge(opts, kwargs)
        exp = cas = 0
        tc = None
        if o:
            _check_keys(o, valid, name)
            if "expiry" in o:
                exp = expiry_to_wire(o["expiry"])
            if "cas" in o:
                cas = _cas_arg(o["cas"])
            tc = o.get("transcoder")
            dur = o.get("durability")
        else:
            dur = None
        _check_key(key)
        timeout = self._timeout(o, durable=dur is not None and not isinstance(dur, ClientDurability))
        level, dto, client = self._durability(o, timeout) if dur is not None else (0, 0, None)
        if o and o.get("preserve_expiry"):
            if name == "replace" and "expiry" in o:
                raise InvalidArgumentException("Cannot use expiry together with preserve_expiry.")
            level |= PRESERVE_TTL  # the preserve-TTL frame (docs/protocol.md section 1.3)
        fmt, encoder = self._encoder(tc)
        self._cid_now()
        vals = [value]

        def add(batch: Any) -> None:
            _batch.add_items(batch, [key], vals, op.opcode, fmt, exp, cas, self._cid, level, dto, encoder, ERRORS)

        return self._mutate(op, name, key, add, _MUT_CLASSES, timeout, client)

    def insert(self, key: str, value: Any, *opts: InsertOptions, **kwargs: Any) -> MutationResult:
        """Create the document (DocumentExistsException when it exists)."""
        return self._store(_ADD, "insert", key, value, opts, kwargs, InsertOptions._valid)

    def upsert(self, key: str, value: Any, *opts: UpsertOptions, **kwargs: Any) -> MutationResult:
        """Create or overwrite the document."""
        return self._store(_SET, "upsert", key, value, opts, kwargs, UpsertOptions._valid)

    def replace(self, key: str, value: Any, *opts: ReplaceOptions, **kwargs: Any) -> MutationResult:
        """Overwrite an existing document (``cas`` makes it conditional)."""
        return self._store(_REPLACE, "replace", key, value, opts, kwargs, ReplaceOptions._valid)

    def _keyed_mutation(self, op: Any, name: str, key: str, o: Optional[Mapping[str, Any]], valid: FrozenSet[str],
                        exp: int = 0, cas: int = 0, classes: Any = _MUT_CLASSES, **counter: int) -> MutationResult:
        dur = None
        if o:
            _check_keys(o, valid, name)
            if "cas" in o:
                cas = _cas_arg(o["cas"])
            dur = o.get("durability")
        _check_key(key)
        timeout = self._timeout(o, durable=dur is not None and not isinstance(dur, ClientDurability))
        level, dto, client = self._durability(o, timeout) if dur is not None else (0, 0, None)
        self._cid_now()
        delta = counter.get("delta", 0)
        initial = counter.get("initial", 0)
        create = counter.get("create", 0)

        def add(batch: Any) -> None:
            _batch.add_keys(batch, [key], op.opcode, exp, cas, self._cid, 0, level, dto, delta, initial, create,
                            ERRORS)

        return self._mutate(op, name, key, add, classes, timeout, client)

    def remove(self, key: str, *opts: RemoveOptions, **kwargs: Any) -> MutationResult:
        """Delete the document (``cas`` makes it conditional)."""
        return self._keyed_mutation(_DELETE, "remove", key, _merge(opts, kwargs), RemoveOptions._valid)

    def touch(self, key: str, expiry: ExpiryArg, *opts: TouchOptions, **kwargs: Any) -> MutationResult:
        """Set the document's expiry (a timedelta; timedelta(0) removes it)."""
        return self._keyed_mutation(_TOUCH, "touch", key, _merge(opts, kwargs), TouchOptions._valid,
                                    exp=expiry_to_wire(expiry))

    def unlock(self, key: str, cas: int, *opts: UnlockOptions, **kwargs: Any) -> None:
        """Release a lock taken by get_and_lock, with the cas it returned."""
        o = _merge(opts, kwargs)
        cas = _cas_arg(cas)
        self._keyed_mutation(_UNLOCK, "unlock", key, o, UnlockOptions._valid, cas=cas)

    # ---- sub-document (couchbase._modern.subdoc) ----

    def lookup_in(self, key: str, spec: Iterable[Spec], *opts: LookupInOptions, **kwargs: Any) -> LookupInResult:
        """Read paths of a document: LookupInResult (``content_as[T](i)``, ``exists(i)``)."""
        return _subdoc.lookup_in(self, key, spec, opts, kwargs)

    def mutate_in(self, key: str, spec: Iterable[Spec], *opts: couchbase.options.MutateInOptions,
                  **kwargs: Any) -> MutateInResult:
        """Change paths of a document atomically: MutateInResult."""
        return _subdoc.mutate_in(self, key, spec, opts, kwargs)

    # ---- data structures (couchbase.datastructures) ----

    def couchbase_list(self, key: str) -> _ds.CouchbaseList:
        """The CouchbaseList kept in document `key`."""
        return _ds.CouchbaseList(key, self)

    def couchbase_map(self, key: str) -> _ds.CouchbaseMap:
        return _ds.CouchbaseMap(key, self)

    def couchbase_set(self, key: str) -> _ds.CouchbaseSet:
        return _ds.CouchbaseSet(key, self)

    def couchbase_queue(self, key: str) -> _ds.CouchbaseQueue:
        return _ds.CouchbaseQueue(key, self)

    # deprecated in 4.x, kept for the applications that call them
    def list_append(self, key: str, value: Any, create: bool = False, **kwargs: Any) -> MutateInResult:
        return _ds.list_append(self, key, value, create, **kwargs)

    def list_prepend(self, key: str, value: Any, create: bool = False, **kwargs: Any) -> MutateInResult:
        return _ds.list_prepend(self, key, value, create, **kwargs)

    def list_set(self, key: str, index: int, value: Any, **kwargs: Any) -> MutateInResult:
        return _ds.list_set(self, key, index, value, **kwargs)

    def list_get(self, key: str, index: int, **kwargs: Any) -> Any:
        return _ds.list_get(self, key, index, **kwargs)

    def list_remove(self, key: str, index: int, **kwargs: Any) -> MutateInResult:
        return _ds.list_remove(self, key, index, **kwargs)

    def list_size(self, key: str, **kwargs: Any) -> int:
        return _ds.list_size(self, key, **kwargs)

    def map_add(self, key: str, mapkey: str, value: Any, create: bool = False, **kwargs: Any) -> MutateInResult:
        return _ds.map_add(self, key, mapkey, value, create, **kwargs)

    def map_get(self, key: str, mapkey: str, **kwargs: Any) -> Any:
        return _ds.map_get(self, key, mapkey, **kwargs)

    def map_remove(self, key: str, mapkey: str, **kwargs: Any) -> MutateInResult:
        return _ds.map_remove(self, key, mapkey, **kwargs)

    def map_size(self, key: str, **kwargs: Any) -> int:
        return _ds.map_size(self, key, **kwargs)

    def set_add(self, key: str, value: Any, create: bool = False, **kwargs: Any) -> Optional[MutateInResult]:
        return _ds.set_add(self, key, value, create, **kwargs)

    def set_remove(self, key: str, value: Any, **kwargs: Any) -> Optional[MutateInResult]:
        return _ds.set_remove(self, key, value, **kwargs)

    def set_size(self, key: str, **kwargs: Any) -> int:
        return _ds.set_size(self, key, **kwargs)

    def set_contains(self, key: str, value: Any, **kwargs: Any) -> bool:
        return _ds.set_contains(self, key, value, **kwargs)

    def queue_push(self, key: str, value: Any, create: bool = False, **kwargs: Any) -> MutateInResult:
        return _ds.queue_push(self, key, value, create, **kwargs)

    def queue_pop(self, key: str, **kwargs: Any) -> Any:
        return _ds.queue_pop(self, key, **kwargs)

    def queue_size(self, key: str) -> int:
        return _ds.queue_size(self, key)

    # ---- client durability: OBSERVE_SEQNO polling ----

    def _observe(self, res: Any, key: str, durability: ClientDurability, timeout: float) -> None:
        client_durability.wait(self._bucket._connection(), res, key, durability,
                               max(timeout, self._durable_timeout))

    # ---- multi operations: one batch, one C call (couchbase._modern.multi) ----

    def _multi(self, op: Any, name: str, keys: List[str], add_for: Any, classes: Any, timeout: float, mutation: bool,
               multi_cls: Type[_M], o: Any, tc: Any = None) -> _M:
        return _multi_ops._multi(self, op, name, keys, add_for, classes, timeout, mutation, multi_cls, o, tc)

    _key_list = staticmethod(_multi_ops._key_list)

    def get_multi(self, keys: List[str], *opts: GetMultiOptions, **kwargs: Any) -> MultiGetResult:
        """MultiGetResult for a list of keys, read in one batch."""
        return _multi_ops.get_multi(self, keys, *opts, **kwargs)

    def upsert_multi(self, keys_and_docs: Dict[str, Any], *opts: UpsertMultiOptions,
                     **kwargs: Any) -> MultiMutationResult:
        return _multi_ops.upsert_multi(self, keys_and_docs, *opts, **kwargs)

    def insert_multi(self, keys_and_docs: Dict[str, Any], *opts: InsertMultiOptions,
                     **kwargs: Any) -> MultiMutationResult:
        return _multi_ops.insert_multi(self, keys_and_docs, *opts, **kwargs)

    def replace_multi(self, keys_and_docs: Dict[str, Any], *opts: ReplaceMultiOptions,
                      **kwargs: Any) -> MultiMutationResult:
        return _multi_ops.replace_multi(self, keys_and_docs, *opts, **kwargs)

    def remove_multi(self, keys: List[str], *opts: RemoveMultiOptions, **kwargs: Any) -> MultiMutationResult:
        """Remove a list of keys in one batch (``cas`` per key through per_key_options)."""
        return _multi_ops.remove_multi(self, keys, *opts, **kwargs)

    def touch_multi(self, keys: List[str], expiry: ExpiryArg, *opts: TouchMultiOptions,
                    **kwargs: Any) -> MultiMutationResult:
        return _multi_ops.touch_multi(self, keys, expiry, *opts, **kwargs)

    def exists_multi(self, keys: List[str], *opts: ExistsMultiOptions, **kwargs: Any) -> MultiExistsResult:
        return _multi_ops.exists_multi(self, keys, *opts, **kwargs)

    def get_and_lock_multi(self, keys: List[str], lock_time: timedelta, *opts: GetAndLockMultiOptions,
                           **kwargs: Any) -> MultiGetResult:
        """Read and lock every key for `lock_time`: MultiGetResult (their cas unlock them)."""
        return _multi_ops.get_and_lock_multi(self, keys, lock_time, *opts, **kwargs)

    lock_multi = get_and_lock_multi

    def unlock_multi(self, keys: Union[MultiGetResult, Dict[str, Any]], *opts: UnlockMultiOptions,
                     **kwargs: Any) -> Dict[str, Optional[Exception]]:
        """Unlock keys locked by lock_multi: `keys` is its result or a dict key -> cas. Returns
        a dict key -> None (unlocked) or the exception."""
        return _multi_ops.unlock_multi(self, keys, *opts, **kwargs)

    # ---- replica reads (couchbase._modern.replicas) ----

    def get_any_replica(self, key: str, *opts: GetAnyReplicaOptions, **kwargs: Any) -> GetReplicaResult:
        """The first copy of the document that answers (active or replica): GetReplicaResult."""
        return _replicas.get_any_replica(self, key, opts, kwargs)

    def get_all_replicas(self, key: str, *opts: GetAllReplicasOptions, **kwargs: Any) -> Iterator[GetReplicaResult]:
        """Every copy of the document that answers: an iterable of GetReplicaResult."""
        return _replicas.get_all_replicas(self, key, opts, kwargs)

    def get_any_replica_multi(self, keys: List[str], *opts: GetAnyReplicaMultiOptions,
                              **kwargs: Any) -> MultiGetReplicaResult:
        return _replicas.get_any_replica_multi(self, keys, opts, kwargs)

    def get_all_replicas_multi(self, keys: List[str], *opts: GetAllReplicasMultiOptions,
                               **kwargs: Any) -> MultiGetReplicaResult:
        return _replicas.get_all_replicas_multi(self, keys, opts, kwargs)

    def lookup_in_any_replica(self, key: str, spec: Iterable[Spec], *opts: LookupInAnyReplicaOptions,
                              **kwargs: Any) -> LookupInReplicaResult:
        return _replicas.lookup_in_any_replica(self, key, spec, opts, kwargs)

    def lookup_in_all_replicas(self, key: str, spec: Iterable[Spec], *opts: LookupInAllReplicasOptions,
                               **kwargs: Any) -> Iterator[LookupInReplicaResult]:
        return _replicas.lookup_in_all_replicas(self, key, spec, opts, kwargs)


CBCollection = Collection

_DEFAULT_JSON = JSONTranscoder()
_FLAGS_JSON = 0x02000000
_EXPTIME_SPEC = (0xC5, "$document.exptime", True)
_WITH_EXPIRY_SPECS = [_EXPTIME_SPEC, (0xC5, "$document.flags", True), (0x00, "", False)]
_EXISTS_CLASSES = (dict, ExistsResult, ExistsResult)
