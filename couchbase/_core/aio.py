"""The event-driven session: one C connection in the core's event-driven mode (cbc_aio_*,
csrc/aio.c), driven by an asyncio event loop with no thread of its own.

    face coroutine -> start(...)      the operation's requests go into the open batch
                                      (the native encoder) and its record into the batch's
                                      list; the first one of a loop iteration schedules _flush
                                      (the iteration's last callback submits at once)
    _flush (end of the iteration)     cbc_aio_submit: all operations started during one
                                      iteration leave in one batch, one send per socket
    reader / writer callbacks         cbc_aio_event: connect, handshake, write, read, parse;
                                      each completed request is built by the native builder
                                      and handed to its future (_fastpath.aio_call)
    one timer                         cbc_aio_tick at the earliest deadline: timeouts
    face coroutine <- result          the face decides what to raise; after a topology
                                      change (retry_codes) it awaits ``settle`` and retries

Every callback does a bounded amount of work (the core completes at most
CBC_AIO_DONE_MAX requests per call and says when to come back), so the loop is never held.
Descriptors are watched as the core lists them and closed by the core only once unwatched.
"""
import collections
import time

from couchbase import exceptions as _exc
from couchbase._core import batch as _batch
from couchbase._core.binding import C, error_from, ffi, lib
from couchbase._core.session import LOCKMODE_NONE, Request, Session

_fp = _batch._fp
_READ, _WRITE = lib.CBC_AIO_READ, lib.CBC_AIO_WRITE
_DONE, _WATCH, _TIMER, _AGAIN, _PUSH, _NOMEM = (lib.CBC_AIO_DONE, lib.CBC_AIO_WATCH, lib.CBC_AIO_TIMER,
                                               lib.CBC_AIO_AGAIN, lib.CBC_AIO_PUSH, lib.CBC_AIO_NOMEM)
_SUBMIT, _EVENT, _TICK = 0, 1, 2
_STATS = ("submits", "requests", "sends", "recvs", "completions", "expired", "late", "stalls", "pushes")

__all__ = ["AioSession", "AioRaw", "Request", "deadline_us"]


def deadline_us(timeout):
    """The core's deadline (cbc_aio_now() microseconds) `timeout` seconds from now."""
    return time.monotonic_ns() // 1000 + max(1, int(timeout * 1e6))


class AioRaw:
    """A raw answer (a request the builder does not describe): the fields of the core's
    result, as ``Session.raw_run`` gives them."""

    __slots__ = ("rc", "status", "cas", "flags", "value", "seqno", "counter", "vbuuid", "vbucket", "server",
                 "datatype", "csrc")

    def __init__(self, t):
        (self.rc, self.status, self.cas, self.flags, self.value, self.seqno, self.counter, self.vbuuid,
         self.vbucket, self.server, self.datatype, file, line) = t
        self.csrc = (file, line) if file else ()


class AioSession(Session):
    """A Session whose core is driven by `loop` (an asyncio event loop, uvloop included).
    The blocking run methods of Session are not available on it; operations are started
    with ``start``/``start_add``/``raw_run`` and awaited."""

    def __init__(self, face, loop, timeout=2.5):
        if not _batch.native_available():
            raise ImportError("the asyncio face needs couchbase._core._fastpath (run `make build`)")
        super().__init__(face, LOCKMODE_NONE, timeout)
        h = self._h
        self._aio = lib.cbc_aio_new(h.conn, h.err)
        if self._aio == ffi.NULL:
            raise error_from(h.err, face)
        _batch._addr(h.batch)  # initialises the native module
        self._aio_addr = int(ffi.cast("uintptr_t", self._aio))
        self.loop = loop
        self._gens = []        # generation -> the records of its requests
        self._flushing = False  # a submit of the open batch is scheduled
        self._new_future = loop.create_future
        #: the callbacks asyncio's own loop still runs in this iteration (None on other loops):
        #: when none are left, a batch is sent at once instead of one iteration later
        ready = getattr(loop, "_ready", None)
        self._ready = ready if isinstance(ready, collections.deque) else None
        self._watched = {}     # fd -> events the loop watches for it
        self._timer = None
        self._kicked = False
        self._genp = ffi.new("uint32_t *")
        self._openedp = ffi.new("int *")
        self._watchp = ffi.new("cbc_AIO_WATCH **")
        self._pushp = (ffi.new("char **"), ffi.new("size_t *"), ffi.new("int *"))

    # ---- starting operations ----

    def _open_batch(self):
        """(batch, its records) of the open batch (opened when none is); its submit scheduled."""
        b = lib.cbc_aio_batch(self._aio, self._genp, self._openedp)
        if b == ffi.NULL:
            raise MemoryError("no memory for the event-driven batch")
        gen = self._genp[0]
        gens = self._gens
        while len(gens) <= gen:
            gens.append(None)
        if self._openedp[0] or gens[gen] is None:
            gens[gen] = []  # the old list's records were all handed out
        self._schedule()
        return b, gens[gen]

    def _schedule(self):
        if not self._flushing:
            self._flushing = True
            self.loop.call_soon(self._flush)

    def start(self, items, add_args, build, deadline):
        """One request through the native adder (add_keys: `items` 0, add_items: 1,
        add_subdoc: 2, with `add_args` after the batch): a future of its result object, built
        with `build` = (keys, kind, value_cls, op_cls, passthrough, transcoder, no_format)."""
        if self._aio is None:
            raise self._closed_error()
        fut = self._new_future()
        _fp.aio_start(self._aio_addr, self._gens, items, add_args, deadline, (fut, build))
        if not self._flushing:
            ready = self._ready
            if ready is not None and not ready:
                # the last callback of the iteration: nothing else can join the batch
                _fp.aio_call(self._aio_addr, _SUBMIT, -1, 0, self._gens, self._after)
            else:
                self._flushing = True
                self.loop.call_soon(self._flush)
        return fut

    def start_add(self, add, build, deadline, multi_cls=None):
        """The requests `add(batch)` adds (the faces' adder closures): a future of
        ``(mres, failed)`` as Session.execute builds them (``multi_cls``), of the single
        result when `multi_cls` is None and one request was added, or of the list of
        AioRaw tuples when `build` is None."""
        if self._aio is None:
            raise self._closed_error()
        batch, records = self._open_batch()
        n0 = len(records)
        try:
            add(batch)
        except BaseException:
            lib.cbc_batch_undo(batch, n0)  # the closure may have called several adders
            raise
        n = lib.cbc_batch_size(batch) - n0
        fut = self.loop.create_future()
        if n == 1 and multi_cls is None and build is not None:
            rec = (fut, build)
        elif n == 0:
            fut.set_result((multi_cls(), []) if multi_cls is not None else [])
            return fut
        else:
            rec = [fut, build, n0, n, [None] * n, multi_cls]
        records.extend([rec] * n)
        lib.cbc_aio_deadline(self._aio, n0, deadline)
        return fut

    def start_raw(self, requests, deadline):
        """Requests (Request objects) the builder does not describe: a future of their raw
        answers (tuples, see AioRaw), in order."""
        return self.start_add(lambda batch: self.add_requests(batch, requests), None, deadline)

    async def raw_run(self, requests, timeout=None, retry=True):
        """AioRaw answers of `requests`; with `retry`, requests that met a topology change
        are sent again (within `timeout`) once the map has been updated."""
        timeout = self._timeout if timeout is None else timeout
        deadline = time.monotonic() + max(0.001, timeout)
        out = [AioRaw(t) for t in await self.start_raw(requests, deadline_us(timeout))]
        topo = self.topology
        while retry and topo is not None:
            again = [i for i, r in enumerate(out) if r.rc in topo.retry_codes]
            if not again or not await topo.settle([out[i] for i in again], deadline):
                break
            answers = await self.start_raw([requests[i] for i in again],
                                           deadline_us(max(0.001, deadline - time.monotonic())))
            for i, t in zip(again, answers):
                out[i] = AioRaw(t)
        return out

    # ---- moving the engine ----

    def _flush(self):
        self._flushing = False
        if self._aio is not None:
            _fp.aio_call(self._aio_addr, _SUBMIT, -1, 0, self._gens, self._after)

    # (the loop runs _fastpath.aio_call itself for readable and writable descriptors)

    def _again(self, fd):
        """A socket left answers unparsed (CBC_AIO_AGAIN): the rest of them."""
        if self._aio is not None:
            _fp.aio_call(self._aio_addr, _EVENT, fd, _READ, self._gens, self._after)

    def _on_timer(self):
        self._timer = None
        self._kicked = False
        if self._aio is not None:
            _fp.aio_call(self._aio_addr, _TICK, -1, 0, self._gens, self._after)

    def kick(self):
        """A tick soon: completions the core gathered outside a call (a new server list
        failed the requests of a closed socket) are handed out, and the watches follow."""
        if not self._kicked and self._aio is not None:
            self._kicked = True
            self.loop.call_soon(self._on_timer)

    def _after(self, st, fd):
        """What a call's status bits beyond CBC_AIO_DONE ask for (`fd`: the descriptor the
        call was about, -1 for a submit or a tick)."""
        if st & _NOMEM:
            batch, records = self._open_batch()
            lib.cbc_batch_undo(batch, 0)
            self._fail_records(records, MemoryError("no memory to send the loop iteration's requests"))
            del records[:]
        if st & _WATCH:
            self._sync_watches()
        if st & _TIMER:
            self._arm()
        if st & _AGAIN and fd >= 0:
            self.loop.call_soon(self._again, fd)
        if st & _PUSH:
            self._take_push()

    def _sync_watches(self):
        loop = self.loop
        n = lib.cbc_aio_watches(self._aio, self._watchp)
        arr = self._watchp[0]
        want = {arr[i].fd: arr[i].events for i in range(n)}
        for fd, ev in self._watched.items():
            new = want.get(fd, 0)
            if ev & _READ and not new & _READ:
                loop.remove_reader(fd)
            if ev & _WRITE and not new & _WRITE:
                loop.remove_writer(fd)
        call, addr, gens, after = _fp.aio_call, self._aio_addr, self._gens, self._after
        for fd, ev in want.items():
            old = self._watched.get(fd, 0)
            if ev & _READ and not old & _READ:
                loop.add_reader(fd, call, addr, _EVENT, fd, _READ, gens, after)
            if ev & _WRITE and not old & _WRITE:
                loop.add_writer(fd, call, addr, _EVENT, fd, _WRITE, gens, after)
        self._watched = want
        lib.cbc_aio_reap(self._aio)  # descriptors the core dropped: unwatched now, closed

    def _arm(self):
        at = lib.cbc_aio_arm(self._aio)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if at:
            delay = max(0.0, (at - lib.cbc_aio_now()) / 1e6)
            self._timer = self.loop.call_later(delay, self._on_timer)

    def _take_push(self):
        v, n, srv = self._pushp
        if lib.cbc_aio_push(self._aio, v, n, srv) and self.topology is not None:
            self.topology.pushed(ffi.unpack(v[0], n[0]), srv[0])

    # ---- servers (a new list may fail requests in flight: hand them out soon) ----

    def set_servers(self, hosts):
        Session.set_servers(self, hosts)
        self.kick()

    def stats(self):
        """The core's counters of this connection (sends, recvs, requests ...): a dict."""
        st = ffi.new("cbc_AIO_STATS *")
        if self._aio is not None:
            lib.cbc_aio_stats(self._aio, st)
        return {k: getattr(st, k) for k in _STATS}

    # ---- failures ----

    def note_failure(self, res):
        """The failing socket's reason ("host:port: ...") on a failed result, as its _extra
        (what Session._note_failures does for a blocking run)."""
        if res.rc:
            self._note_failures((res,))
        return res

    def _fail_records(self, records, exc):
        for rec in records:
            fut = rec[0] if rec is not None else None
            if fut is not None and not fut.done():
                fut.set_exception(exc)

    # ---- closing ----

    def close(self, reason=None):
        """Stop watching, fail what is in flight (the face's closed error), free the engine."""
        aio = self._aio
        if aio is not None:
            self._aio = None
            for fd, ev in self._watched.items():
                if ev & _READ:
                    self.loop.remove_reader(fd)
                if ev & _WRITE:
                    self.loop.remove_writer(fd)
            self._watched = {}
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if reason is not None:
                self.closed_reason = reason
            exc = self._closed_error()
            for records in self._gens:
                if records:
                    self._fail_records(records, exc)
            del self._gens[:]  # (the same list object: the loop's callbacks hold it)
            lib.cbc_aio_free(aio)
        Session.close(self, reason)

    # ---- the blocking run path does not exist here ----

    def _blocking(self, *_a, **_k):
        raise _exc.exception_for(self.face, C.EINVAL, "an event-driven session has no blocking operations")

    execute = run_single = fast_single = run_batch = connect_server = _blocking

