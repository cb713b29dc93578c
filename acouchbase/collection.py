"""AsyncCollection: every key-value operation of the modern API as an awaitable.

The modern face's own code does the work that is not I/O: the blocking Collection's
argument handling and request building are borrowed as they are (its methods run with an
AsyncCollection as `self`, whose run points -- ``_single``, ``_mutate``, ``_multi``,
``_read_meta``, ``_observe`` -- are coroutines here), and the results and exceptions come
from the same builders (couchbase._modern.*: results, ``_exception``, ``finish_*``,
``multi_result``, the replica pickers). The run points start requests on the bucket's
event-driven session (couchbase._core.aio) and await them: coalesced with every other
operation of the loop iteration, timed out by the core's deadlines on the loop's timer,
retried after a topology change without blocking. A cancelled await drops its answer.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import (
        Any, Awaitable, Callable, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Sequence, Union,
    )

    from datetime import timedelta

    import couchbase.options  # MutateInOptions by its full name: couchbase.subdocument has it too
    from couchbase._core.aio import AioSession
    from couchbase._modern.option_keys import ExpiryArg
    from couchbase._modern.results import (
        ExistsResult, GetReplicaResult, LookupInReplicaResult, LookupInResult, MultiExistsResult,
        MultiGetReplicaResult, MultiGetResult, MultiMutationResult, MutateInResult,
    )
    from couchbase.durability import ClientDurability
    from couchbase.options import (
        ExistsMultiOptions, GetAndLockMultiOptions, GetAndLockOptions, GetAndTouchOptions, GetMultiOptions,
        GetOptions, InsertMultiOptions, InsertOptions, LookupInOptions, RemoveMultiOptions, RemoveOptions,
        ReplaceMultiOptions, ReplaceOptions, TouchMultiOptions, TouchOptions, UnlockMultiOptions, UpsertMultiOptions,
        UpsertOptions,
    )
    from couchbase.subdocument import Spec

    from acouchbase.bucket import AsyncBucket
    from acouchbase.scope import AsyncScope

import asyncio
import time

from couchbase._core import ops
from couchbase._core.aio import deadline_us
from couchbase._core.binding import C
from couchbase._modern import client_durability
from couchbase._modern import multi as _multi_ops
from couchbase._modern import replicas as _replicas
from couchbase._modern import subdoc as _subdoc
from couchbase._modern.kv import (
    ERRORS, _FMT_JSON_1X, _GET, _RETRY, _SET, _UNLOCK, _cas_arg, _check_key, _check_keys, _exception, _merge,
    RetryLog, retried_out,
)
from couchbase._modern.results import GetResult, MutationResult
from couchbase import collection as _blocking
from couchbase.collection import _EXISTS_CLASSES, _EXPTIME_SPEC, _WITH_EXPIRY_SPECS
from couchbase.exceptions import InvalidArgumentException, ValueFormatException
from couchbase.options import (
    ExistsOptions, GetAllReplicasMultiOptions, GetAllReplicasOptions, GetAnyReplicaMultiOptions,
    GetAnyReplicaOptions, LookupInAllReplicasOptions, LookupInAnyReplicaOptions, UnlockOptions,
)

from acouchbase.binary_collection import BinaryCollection

__all__ = ["AsyncCollection", "Collection"]

#: the blocking face's code, run with an AsyncCollection as `self` (or `coll`): its run points are
#: coroutines here, so what it returns is awaited and its declared (blocking) types do not apply
_BlockingCollection: Any = _blocking.Collection
_aio_multi: Any = _multi_ops
_GET_BUILD = ("value", GetResult, MutationResult, 0, None, True)
_MUT_BUILD = ("op", GetResult, MutationResult, 0, None, True)
_SUBDOC_LOOKUP = _subdoc.LOOKUP
_SUBDOC_MUTATION = _subdoc.MUTATION


def _accept_ok(rc: int) -> bool:
    return not rc


class AsyncCollection:
    """A collection of an AsyncBucket: ``bucket.default_collection()``,
    ``scope.collection(name)``. Every operation is a coroutine."""

    # the fields Collection.__init__ sets
    _scope: AsyncScope
    _name: str
    _bucket: AsyncBucket
    _bucket_name: str
    _scope_name: str
    _cid: Optional[int]
    _kv_timeout: float
    _durable_timeout: float
    _tc: Any
    _binary: Optional[BinaryCollection]

    def __init__(self, scope: AsyncScope, name: str) -> None:
        _BlockingCollection.__init__(self, scope, name)  # the same fields, no traffic

    # ---- the blocking face's code, borrowed: arguments, requests, results ----
    if TYPE_CHECKING:
        @property
        def name(self) -> str: ...

        @staticmethod
        def default_name() -> str: ...
    else:
        name = _BlockingCollection.name
        default_name = staticmethod(_BlockingCollection.default_name)
    _timeout = _BlockingCollection._timeout
    _encoder = _BlockingCollection._encoder
    _durability = _BlockingCollection._durability
    _store = _BlockingCollection._store
    _keyed_mutation = _BlockingCollection._keyed_mutation
    _read_changing = _BlockingCollection._read_changing
    _exists_result = staticmethod(_BlockingCollection._exists_result)
    _projected_result = _BlockingCollection._projected_result
    _with_expiry_result = _BlockingCollection._with_expiry_result
    _key_list = staticmethod(_multi_ops._key_list)

    def __repr__(self) -> str:
        return "AsyncCollection(%s.%s.%s)" % (self._bucket_name, self._scope_name, self._name)

    def binary(self) -> BinaryCollection:
        """Counters and append/prepend on this collection (awaitables)."""
        if self._binary is None:
            self._binary = BinaryCollection(self)
        return self._binary

    # ---- readiness: the bucket connected, the collection id known ----

    def _session(self) -> AioSession:
        return self._bucket._connection()

    def _cid_now(self) -> Optional[int]:
        return self._cid

    async def _ready(self) -> None:
        bucket = self._bucket
        if bucket._session is None:
            await bucket.on_connect()
        if self._cid is None:
            await self._resolve_cid(self._kv_timeout)

    async def _resolve_cid(self, timeout: float, refresh: bool = False) -> None:
        ids: Any = self._bucket.collection_ids  # set once the bucket is connected (_ready)
        if not refresh:
            cid = ids.cached(self._scope_name, self._name)
            if cid is not None:
                self._cid = cid
                return
        r = (await self._session().raw_run([ids.request(self._scope_name, self._name)], timeout))[0]
        self._cid = ids.answer(self._scope_name, self._name, r)

    async def _refresh_cid(self, timeout: float) -> bool:
        old = self._cid
        self._cid = None
        await self._resolve_cid(timeout, refresh=True)
        return self._cid != old

    # ---- the run points ----

    async def _run(self, start: Callable[[int], Awaitable[Any]], key: str, name: str, mutation: bool, timeout: float,
                   accept: Callable[[int], bool] = _accept_ok, exc: Callable[..., Exception] = _exception,
                   first: Any = None, deadline: Optional[float] = None) -> Any:
        """One request (start(deadline) gives its future) with the retries of single
        operations: locked / temporary failure / sync write in progress until the timeout,
        a topology change (settle, then again), an unknown collection (its id refreshed once).
        `first`: the result of a first attempt already made (by a fast path), before `deadline`."""
        session = self._session()
        if deadline is None:
            deadline = time.monotonic() + timeout
        refreshed = False
        pause = 0.005
        retries = None
        while True:
            if first is not None:
                res, first = first, None
            else:
                try:
                    res = await start(int(deadline * 1e6))
                except (InvalidArgumentException, ValueFormatException) as e:
                    if e.key is None:
                        e.key = key
                    raise
            rc = res.rc
            if accept(rc):
                return res
            if rc in _RETRY and not (rc == C.DOCUMENT_LOCKED and name == "unlock"):
                if deadline - time.monotonic() > pause:
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, 0.1)
                    retries = RetryLog.after(retries, rc)
                    continue
                raise retried_out(rc, key, name, mutation, session.note_failure(res), self, retries, exc)
            topo = session.topology
            if topo is not None and rc in topo.retry_codes and await topo.settle([res], deadline):
                retries = RetryLog.after(retries, rc)
                continue
            if rc == C.UNKNOWN_COLLECTION and not refreshed and self._cid:
                refreshed = True
                if await self._refresh_cid(timeout):
                    deadline = max(deadline, time.monotonic() + 0.001)
                    retries = RetryLog.after(retries, rc)
                    continue
            raise exc(rc, key, name, mutation, session.note_failure(res), self, retries)

    async def _single(self, op: Any, name: str, key: str, add: Callable[[Any], Any], classes: Any, timeout: float,
                      mutation: bool) -> Any:
        session = self._session()
        build = ([key], op.kind, classes[1], classes[2], 0, None, True)
        return await self._run(lambda dl: session.start_add(add, build, dl), key, name, mutation, timeout)

    async def _mutate(self, op: Any, name: str, key: str, add: Callable[[Any], Any], classes: Any, timeout: float,
                      client: Optional[ClientDurability]) -> Any:
        res = await self._single(op, name, key, add, classes, timeout, True)
        res._extra = self._bucket_name
        if client is not None:
            await self._observe(res, key, client, timeout)
        return res

    async def _read_meta(self, res: Awaitable[Any], tc: Any) -> GetResult:
        return _BlockingCollection._read_meta(self, await res, tc)

    async def _subdoc_run(self, op: Any, key: str, body: Any, extras: Any, cas: int, durability: int, dto: int,
                          timeout: float, name: str, mutation: bool, classes: Any, missing_ok: bool = False) -> Any:
        """couchbase._modern.subdoc.run on the event loop."""
        session = self._session()
        build = ([key], op.kind, classes[1], classes[2], 0, None, True)

        def start(dl: int) -> Any:
            return session.start(2, (key, op.opcode, body, extras, cas, self._cid, durability, dto, 0, ERRORS),
                                 build, dl)

        def accept(rc: int) -> bool:
            return not rc or rc == C.SUBDOC_MULTI_FAILURE or (missing_ok and rc == C.KEY_ENOENT)

        return await self._run(start, key, name, mutation, timeout, accept, _subdoc._exception)

    async def _observe(self, res: Any, key: str, durability: ClientDurability, timeout: float) -> None:
        """ClientDurability: OBSERVE_SEQNO polled on the event loop (client_durability's plan)."""
        session = self._session()
        p = client_durability.plan(session, res, key, durability)
        if p is None:
            return
        deadline = time.monotonic() + max(timeout, self._durable_timeout)
        pause = 0.002
        while True:
            answers = await session.raw_run(p.requests, max(0.001, deadline - time.monotonic()))
            if client_durability.met(p, answers):
                return
            if time.monotonic() + pause >= deadline:
                raise client_durability.not_met(key, durability)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def _positional(self, add: Callable[[Any], Any], nkeys: int, op: Any, classes: Any,
                          timeout: float) -> Any:
        """Requests `add(batch)` adds (`nkeys` of them), their results keyed by position;
        the whole set once more after a topology change."""
        session = self._session()
        deadline = time.monotonic() + timeout
        build = (list(range(nkeys)), op.kind, classes[1], classes[2], 0, None, True)
        while True:
            mres, _failed = await session.start_add(add, build, int(deadline * 1e6), dict)
            topo = session.topology
            stale = [r for r in mres.values() if topo is not None and r.rc in topo.retry_codes]
            if not stale or not await topo.settle(stale, deadline):
                return mres

    async def _multi(self, op: Any, name: str, keys: List[str], add_for: Any, classes: Any, timeout: float,
                     mutation: bool, multi_cls: Any, o: Any, tc: Any = None) -> Any:
        """couchbase._modern.multi._multi on the event loop: every key in one batch; keys that
        met a topology change go again once the map is updated."""
        session = self._session()
        deadline = time.monotonic() + timeout
        build = (keys, op.kind, classes[1], classes[2], 0, None, True)
        mres, _failed = await session.start_add(lambda b: add_for(b, self._cid, keys), build, int(deadline * 1e6),
                                                dict)
        topo = session.topology
        refreshed = False
        while True:
            again = [k for k, r in mres.items() if topo is not None and r.rc in topo.retry_codes]
            if not again or not await topo.settle([mres[k] for k in again], deadline):
                if refreshed or not self._cid or not any(r.rc == C.UNKNOWN_COLLECTION for r in mres.values()):
                    break
                refreshed = True
                if not await self._refresh_cid(timeout):
                    break
                again = [k for k, r in mres.items() if r.rc == C.UNKNOWN_COLLECTION]
            more, _failed = await session.start_add(lambda b, ks=again: add_for(b, self._cid, ks),
                                                    (again,) + build[1:],
                                                    deadline_us(max(0.001, deadline - time.monotonic())), dict)
            mres.update(more)
        for r in mres.values():
            if r.rc:
                session.note_failure(r)
        return _multi_ops.multi_result(self, mres, name, mutation, multi_cls, o, classes, tc)

    # ---- reads ----

    async def get(self, key: str, *opts: GetOptions, **kwargs: Any) -> GetResult:
        """The document: GetResult (DocumentNotFoundException when missing)."""
        bucket = self._bucket
        session = bucket._session
        if not opts and not kwargs and type(key) is str and self._cid is not None and session is not None \
                and not bucket._closed:
            # the plain get: one native call starts it; failures take the general path
            keys = [key]
            args = (keys, 0, 0, 0, self._cid, 0, 0, 0, 0, 0, 0, ERRORS)
            build = (keys,) + _GET_BUILD
            deadline = time.monotonic() + self._kv_timeout
            res = await session.start(0, args, build, int(deadline * 1e6))
            if res.rc:
                res = await self._run(lambda dl: session.start(0, args, build, dl), key, "get", False,
                                      self._kv_timeout, first=res, deadline=deadline)
            return res if self._tc is None else _BlockingCollection._read_meta(self, res, None)
        await self._ready()
        return await _BlockingCollection.get(self, key, *opts, **kwargs)

    async def _get_projected(self, key: str, o: Mapping[str, Any]) -> GetResult:
        _check_key(key)
        plan = _subdoc.projection(o["project"], o.get("with_expiry"))
        res = await self._subdoc_run(_SUBDOC_LOOKUP, key, plan[2], b"", 0, 0, 0, self._timeout(o), "get", False,
                                     _subdoc.LOOKUP_CLASSES)
        value, cas, exptime = _subdoc.projected(res, plan, o.get("with_expiry"))
        return self._projected_result(key, o, value, cas, exptime)

    async def _get_with_expiry(self, key: str, o: Mapping[str, Any]) -> GetResult:
        _check_key(key)
        body, order, specs = _subdoc.lookup_request(_WITH_EXPIRY_SPECS)
        r = await self._subdoc_run(_SUBDOC_LOOKUP, key, body, b"", 0, 0, 0, self._timeout(o), "get", False,
                                   _subdoc.LOOKUP_CLASSES)
        return self._with_expiry_result(key, o, r, order, specs)

    async def get_and_touch(self, key: str, expiry: ExpiryArg, *opts: GetAndTouchOptions,
                            **kwargs: Any) -> GetResult:
        """Read the document and set its expiry (a timedelta)."""
        await self._ready()
        return await _BlockingCollection.get_and_touch(self, key, expiry, *opts, **kwargs)

    async def get_and_lock(self, key: str, lock_time: timedelta, *opts: GetAndLockOptions,
                           **kwargs: Any) -> GetResult:
        """Read and lock the document for `lock_time` (a timedelta)."""
        await self._ready()
        return await _BlockingCollection.get_and_lock(self, key, lock_time, *opts, **kwargs)

    async def exists(self, key: str, *opts: ExistsOptions, **kwargs: Any) -> ExistsResult:
        """ExistsResult: ``exists`` is False for a missing document (not an error)."""
        await self._ready()
        o = _merge(opts, kwargs)
        if o:
            _check_keys(o, ExistsOptions._valid, "exists")
        _check_key(key)
        body, _order, _specs = _subdoc.lookup_request([_EXPTIME_SPEC])
        r = await self._subdoc_run(_SUBDOC_LOOKUP, key, body, b"", 0, 0, 0, self._timeout(o), "exists", False,
                                   _EXISTS_CLASSES, missing_ok=True)
        return self._exists_result(key, r)

    # ---- mutations ----

    async def upsert(self, key: str, value: Any, *opts: UpsertOptions, **kwargs: Any) -> MutationResult:
        """Create or overwrite the document."""
        bucket = self._bucket
        session = bucket._session
        if not opts and not kwargs and type(key) is str and self._cid is not None and session is not None \
                and self._tc is None and not bucket._closed:
            # the plain upsert: one native call starts it; failures take the general path
            keys = [key]
            args = (keys, [value], _SET.opcode, _FMT_JSON_1X, 0, 0, self._cid, 0, 0, None, ERRORS)
            build = (keys,) + _MUT_BUILD
            deadline = time.monotonic() + self._kv_timeout
            res = await session.start(1, args, build, int(deadline * 1e6))
            if res.rc:
                res = await self._run(lambda dl: session.start(1, args, build, dl), key, "upsert", True,
                                      self._kv_timeout, first=res, deadline=deadline)
            res._extra = self._bucket_name
            return res
        await self._ready()
        return await _BlockingCollection.upsert(self, key, value, *opts, **kwargs)

    async def insert(self, key: str, value: Any, *opts: InsertOptions, **kwargs: Any) -> MutationResult:
        """Create the document (DocumentExistsException when it exists)."""
        await self._ready()
        return await _BlockingCollection.insert(self, key, value, *opts, **kwargs)

    async def replace(self, key: str, value: Any, *opts: ReplaceOptions, **kwargs: Any) -> MutationResult:
        """Overwrite an existing document (``cas`` makes it conditional)."""
        await self._ready()
        return await _BlockingCollection.replace(self, key, value, *opts, **kwargs)

    async def remove(self, key: str, *opts: RemoveOptions, **kwargs: Any) -> MutationResult:
        """Delete the document (``cas`` makes it conditional)."""
        await self._ready()
        return await _BlockingCollection.remove(self, key, *opts, **kwargs)

    async def touch(self, key: str, expiry: ExpiryArg, *opts: TouchOptions, **kwargs: Any) -> MutationResult:
        """Set the document's expiry (a timedelta; timedelta(0) removes it)."""
        await self._ready()
        return await _BlockingCollection.touch(self, key, expiry, *opts, **kwargs)

    async def unlock(self, key: str, cas: int, *opts: UnlockOptions, **kwargs: Any) -> None:
        """Release a lock taken by get_and_lock, with the cas it returned."""
        await self._ready()
        o = _merge(opts, kwargs)
        await self._keyed_mutation(_UNLOCK, "unlock", key, o, UnlockOptions._valid, cas=_cas_arg(cas))

    # ---- sub-document ----

    async def lookup_in(self, key: str, spec: Iterable[Spec], *opts: LookupInOptions,
                        **kwargs: Any) -> LookupInResult:
        """Read paths of a document: LookupInResult."""
        await self._ready()
        body, extras, timeout, order, specs = _subdoc.lookup_in_args(self, key, spec, opts, kwargs)
        res = await self._subdoc_run(_SUBDOC_LOOKUP, key, body, extras, 0, 0, 0, timeout, "lookup_in", False,
                                     _subdoc.LOOKUP_CLASSES)
        return _subdoc.finish_lookup(res, order, specs)

    async def mutate_in(self, key: str, spec: Iterable[Spec], *opts: couchbase.options.MutateInOptions,
                        **kwargs: Any) -> MutateInResult:
        """Change paths of a document atomically: MutateInResult."""
        await self._ready()
        a = _subdoc.mutate_in_args(self, key, spec, opts, kwargs)
        body, extras, cas, durability, dto, timeout, name, order, specs, client, insert = a
        res = await self._subdoc_run(_SUBDOC_MUTATION, key, body, extras, cas, durability, dto, timeout, name,
                                     True, _subdoc._MUTATION_CLASSES)
        res = _subdoc.finish_mutation(res, order, specs, key, self._bucket_name, insert)
        if client is not None:
            await self._observe(res, key, client, timeout)
        return res

    # ---- replica reads ----

    async def _read_copies(self, keys: List[str], timeout: float) -> Any:
        plan, add = _replicas.read_plan(self._session(), self._cid, keys)
        mres = await self._positional(add, len(plan), ops.GET, _replicas._GET_CLASSES, timeout)
        return _replicas.read_answers(keys, plan, mres)

    async def get_any_replica(self, key: str, *opts: GetAnyReplicaOptions,
                              **kwargs: Any) -> GetReplicaResult:
        """The first copy of the document that answers (active or replica): GetReplicaResult."""
        await self._ready()
        o = _replicas.single_args(key, opts, kwargs, GetAnyReplicaOptions._valid, "get_any_replica")
        copies = await self._read_copies([key], self._timeout(o))
        return _replicas._any(key, copies[key], _replicas._transcoder(self, o))

    async def get_all_replicas(self, key: str, *opts: GetAllReplicasOptions,
                               **kwargs: Any) -> Iterator[GetReplicaResult]:
        """Every copy of the document that answers: an iterable of GetReplicaResult."""
        await self._ready()
        o = _replicas.single_args(key, opts, kwargs, GetAllReplicasOptions._valid, "get_all_replicas")
        copies = await self._read_copies([key], self._timeout(o))
        return (r for r in _replicas._all(key, copies[key], _replicas._transcoder(self, o)))

    async def _replica_multi(self, keys: List[str], opts: Sequence[Any], kwargs: Dict[str, Any],
                             valid: FrozenSet[str], name: str, pick: Any) -> Any:
        await self._ready()
        o = _replicas.multi_args(keys, opts, kwargs, valid, name)
        return _replicas.multi_result(self, o, await self._read_copies(keys, self._timeout(o)), pick)

    async def get_any_replica_multi(self, keys: List[str], *opts: GetAnyReplicaMultiOptions,
                                    **kwargs: Any) -> MultiGetReplicaResult:
        return await self._replica_multi(keys, opts, kwargs, GetAnyReplicaMultiOptions._valid,
                                         "get_any_replica_multi", _replicas._any)

    async def get_all_replicas_multi(self, keys: List[str], *opts: GetAllReplicasMultiOptions,
                                     **kwargs: Any) -> MultiGetReplicaResult:
        return await self._replica_multi(keys, opts, kwargs, GetAllReplicasMultiOptions._valid,
                                         "get_all_replicas_multi", _replicas._all)

    async def _lookup_copies(self, key: str, spec: Iterable[Spec], opts: Sequence[Any], kwargs: Dict[str, Any],
                             valid: FrozenSet[str], name: str) -> Any:
        await self._ready()
        o = _merge(opts, kwargs)
        copies, add, order, specs = _replicas.lookup_plan(self._session(), self._cid, key, spec, o, valid, name)
        mres = await self._positional(add, len(copies), _SUBDOC_LOOKUP, _replicas._LOOKUP_CLASSES, self._timeout(o))
        return _replicas.lookup_answers(key, copies, mres, order, specs)

    async def lookup_in_any_replica(self, key: str, spec: Iterable[Spec], *opts: LookupInAnyReplicaOptions,
                                    **kwargs: Any) -> LookupInReplicaResult:
        return _replicas.lookup_any(key, await self._lookup_copies(key, spec, opts, kwargs,
                                                                   LookupInAnyReplicaOptions._valid,
                                                                   "lookup_in_any_replica"))

    async def lookup_in_all_replicas(self, key: str, spec: Iterable[Spec], *opts: LookupInAllReplicasOptions,
                                     **kwargs: Any) -> Iterator[LookupInReplicaResult]:
        return _replicas.lookup_all(key, await self._lookup_copies(key, spec, opts, kwargs,
                                                                   LookupInAllReplicasOptions._valid,
                                                                   "lookup_in_all_replicas"))

    # ---- multi operations: one batch per call (couchbase._modern.multi) ----

    async def get_multi(self, keys: List[str], *opts: GetMultiOptions, **kwargs: Any) -> MultiGetResult:
        """MultiGetResult for a list of keys, read in one batch."""
        await self._ready()
        return await _aio_multi.get_multi(self, keys, *opts, **kwargs)

    async def upsert_multi(self, keys_and_docs: Dict[str, Any], *opts: UpsertMultiOptions,
                           **kwargs: Any) -> MultiMutationResult:
        await self._ready()
        return await _aio_multi.upsert_multi(self, keys_and_docs, *opts, **kwargs)

    async def insert_multi(self, keys_and_docs: Dict[str, Any], *opts: InsertMultiOptions,
                           **kwargs: Any) -> MultiMutationResult:
        await self._ready()
        return await _aio_multi.insert_multi(self, keys_and_docs, *opts, **kwargs)

    async def replace_multi(self, keys_and_docs: Dict[str, Any], *opts: ReplaceMultiOptions,
                            **kwargs: Any) -> MultiMutationResult:
        await self._ready()
        return await _aio_multi.replace_multi(self, keys_and_docs, *opts, **kwargs)

    async def remove_multi(self, keys: List[str], *opts: RemoveMultiOptions,
                           **kwargs: Any) -> MultiMutationResult:
        await self._ready()
        return await _aio_multi.remove_multi(self, keys, *opts, **kwargs)

    async def touch_multi(self, keys: List[str], expiry: ExpiryArg, *opts: TouchMultiOptions,
                          **kwargs: Any) -> MultiMutationResult:
        await self._ready()
        return await _aio_multi.touch_multi(self, keys, expiry, *opts, **kwargs)

    async def get_and_lock_multi(self, keys: List[str], lock_time: timedelta, *opts: GetAndLockMultiOptions,
                                 **kwargs: Any) -> MultiGetResult:
        """Read and lock every key for `lock_time`: MultiGetResult."""
        await self._ready()
        return await _aio_multi.get_and_lock_multi(self, keys, lock_time, *opts, **kwargs)

    lock_multi = get_and_lock_multi

    async def unlock_multi(self, keys: Union[MultiGetResult, Dict[str, Any]], *opts: UnlockMultiOptions,
                           **kwargs: Any) -> Dict[str, Optional[Exception]]:
        """Unlock keys locked by lock_multi: a dict key -> None (unlocked) or the exception."""
        await self._ready()
        klist, add_for, timeout, o = _multi_ops.unlock_plan(self, keys, opts, kwargs)
        return _multi_ops.unlock_result(await self._multi(_UNLOCK, "unlock", klist, add_for, _multi_ops._MUT_CLASSES,
                                                          timeout, True, _multi_ops.MultiMutationResult, o))

    async def exists_multi(self, keys: List[str], *opts: ExistsMultiOptions,
                           **kwargs: Any) -> MultiExistsResult:
        """MultiExistsResult: one sub-document lookup per key, all in one batch."""
        await self._ready()
        keys, o, timeout, add = _multi_ops.exists_plan(self, keys, opts, kwargs)
        mres = await self._positional(add, len(keys), _SUBDOC_LOOKUP, _multi_ops._EXISTS_CLASSES, timeout)
        return _multi_ops.exists_result(keys, mres, o, self)


Collection = AsyncCollection
