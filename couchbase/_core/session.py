"""The session: one C connection, its batches, its lock, and the run path of both faces.

Every key-value operation of the classic ``Connection`` and of the modern ``Collection``
comes here:

    enter (lock per lockmode) -> reset the batch -> add (native encoder) -> run (one C
    call, GIL released) -> topology retries -> build results (native builder) -> leave

and gets back its result objects plus the list of failed ones. What to raise is the
face's business: the session raises only batch-level failures, as exceptions of the
face it serves (``face``: couchbase.exceptions.CLASSIC or MODERN).
"""
import logging
import os
import threading
import weakref
from time import monotonic as _monotonic

from couchbase import exceptions as _exc
from couchbase._core import batch as _batch
from couchbase._core import http as _http
from couchbase._core.binding import C, ERROR_TABLE, csrc_of, error_from, error_from_tuple, ffi, lib
from couchbase._core.topology import Topology
from couchbase.logs import IO as _io_log

# lock modes (the classic API's LOCKMODE_* values)
LOCKMODE_NONE = 0
LOCKMODE_EXC = 1
LOCKMODE_WAIT = 2

_BUSY_EXC = ("Couldn't lock. If LOCKMODE_WAIT was passed, then this means that something has gone wrong "
             "internally. Otherwise, this means you are using the Connection object from multiple threads. "
             "This is not allowed (without an explicit lockmode=LOCKMODE_WAIT constructor argument")
_BUSY_NONE = ("Concurrent use of a connection opened with lockmode=LOCKMODE_NONE: another thread is running "
              "an operation on it. Use LOCKMODE_WAIT (the default) to share a connection between threads")

# execute_multi steps: at most this many results, and after the first about this many
# bytes of values, built while the rest of the answers arrive (see Session.execute).
_STEP_RESULTS = 128
_STEP_BYTES = 256 * 1024

#: failures couchbase.io reports (with the server), and what they mean
_IO_FAILURES = {C.ETIMEDOUT: "timed out", C.NETWORK_ERROR: "lost their connection",
                C.CONNECT_ERROR: "could not connect", C.NO_MATCHING_SERVER: "found no server"}
#: codes a failed socket gives its requests (name resolution, connect, TLS, the handshake,
#: a lost connection, a malformed or oversized answer, a timeout): such a failed result gets
#: the socket's reason when the socket's failure record is the one that set its code
_SOCKET_CODES = frozenset(
    [code for code, _t, cat in ERROR_TABLE.values() if cat & 0x02]  # CBC_ERRF_NETWORK
    + [C.PROTOCOL_ERROR, C.ETIMEDOUT, C.CLIENT_ENOMEM, C.AUTH_ERROR, C.SASLMECH_UNAVAILABLE, C.BUCKET_ENOENT])


class _Handle:
    """Owns the C connection and its batches; frees them, batches first."""

    __slots__ = ("conn", "batch", "err", "extra", "addr")

    def __init__(self):
        self.conn = lib.cbc_conn_new()
        if self.conn == ffi.NULL:
            raise MemoryError("cbc_conn_new")
        self.batch = lib.cbc_batch_new(self.conn)
        # the batch's address for the native path (this also initialises the native module)
        self.addr = _batch._addr(self.batch) if _batch.native_available() else 0
        self.err = ffi.new("cbc_ERROR *")
        self.extra = []

    def new_batch(self):
        b = lib.cbc_batch_new(self.conn)
        self.extra.append(b)
        return b

    def close(self):
        for b in self.extra:
            lib.cbc_batch_free(b)
        self.extra = []
        if self.batch is not None:
            lib.cbc_batch_free(self.batch)
            self.batch = None
        if self.conn is not None:
            lib.cbc_conn_free(self.conn)
            self.conn = None

    __del__ = close


class RawResult:
    """One answer of ``Session.raw_run``: the core's result fields as Python values."""

    __slots__ = ("rc", "status", "cas", "flags", "value", "seqno", "counter", "vbuuid", "vbucket", "server",
                 "datatype", "csrc")

    def __init__(self, r):
        self.rc = r.rc
        self.status = r.status
        self.cas = r.cas
        self.flags = r.flags
        self.value = ffi.unpack(r.value, r.nvalue) if r.nvalue else b""
        self.seqno = r.seqno
        self.counter = r.counter
        self.vbuuid = r.vbuuid
        self.vbucket = r.vbucket
        self.server = r.server
        self.datatype = r.datatype
        self.csrc = csrc_of(r.file, r.line) if r.rc else ()


class Request:
    """A request the batch builder does not describe (control, sub-document, observe):
    the fields of the core's cbc_REQUEST, for ``Session.raw_run``."""

    __slots__ = ("opcode", "key", "value", "server", "vbucket", "collection", "extras", "replica")

    def __init__(self, opcode, key=b"", value=b"", server=-1, vbucket=0, collection=0, extras=b"", replica=0):
        self.opcode = opcode
        self.key = key
        self.value = value
        self.server = server
        self.vbucket = vbucket
        self.collection = collection
        self.extras = extras
        self.replica = replica


class Session:
    """A connection to a set of servers, shared by one face object (a classic Connection
    or a modern Bucket and its collections)."""

    def __init__(self, face, lockmode=LOCKMODE_WAIT, timeout=2.5):
        self.face = face
        self._h = _Handle()
        self._lock = threading.Lock()
        self.lockmode = lockmode
        self.timeout = timeout
        #: what the builder decodes with (the classic face sets these)
        self.transcoder = None
        self.passthrough = 0
        #: couchbase._core.topology.Topology for a Couchbase bucket, None for memcached
        self.topology = None
        self.nodes = []
        self.replicas = 0
        self._raw = None
        self._http = {}
        #: why HTTP requests are refused right now (a classic pipeline is open), or None
        self.http_refused = None
        self._text_gets = False
        #: (code, message) raised by every operation once the connection is closed, when not a
        #: plain close (a bootstrap failure the classic face was asked to swallow)
        self.closed_reason = None

    # ---- settings ----

    @property
    def timeout(self):
        return self._timeout

    @timeout.setter
    def timeout(self, seconds):
        self._timeout = seconds
        self.timeout_us = int(seconds * 1e6)

    @property
    def max_response_size(self):
        """The largest response (binary body, text value) a server may announce, in bytes;
        a larger announcement fails that server's socket with ProtocolError before any
        memory is reserved for it. Default lib.CBC_MAX_RESPONSE_DEFAULT (21 MiB: the
        server's 20 MiB item limit plus room for xattrs, key and extras)."""
        return lib.cbc_conn_max_response(self._h.conn)

    @max_response_size.setter
    def max_response_size(self, nbytes):
        if nbytes is None:
            nbytes = 0
        if isinstance(nbytes, bool) or not isinstance(nbytes, int) or nbytes < 0 or nbytes >= 1 << 64:
            raise _exc.exception_for(self.face, C.EINVAL,
                                     "max_response_size must be a non-negative int (bytes; 0: the default)")
        lib.cbc_conn_set_max_response(self._h.conn, nbytes)

    def failure_text(self, server, rc=None, csrc=None):
        """Why server index `server`'s socket last failed ("host:port: reason", from the
        core's one failure record, cbc_conn_last_failure), or None. With `rc` (and `csrc`,
        the (file, line) of a result) only when that failure is the one that set them."""
        h = self._h
        if h.conn is None or server is None or server < 0:
            return None
        err = ffi.new("cbc_ERROR *")
        if not lib.cbc_conn_last_failure(h.conn, server, err):
            return None
        if rc is not None and (err.code != rc or (csrc and csrc != csrc_of(err.file, err.line))):
            return None
        return ffi.string(err.msg).decode(errors="replace")

    def local_address(self, server):
        """"ip:port" of this end of server index `server`'s socket while it is open, or None."""
        h = self._h
        if h.conn is None or server is None or server < 0:
            return None
        out = ffi.new("char[64]")
        if not lib.cbc_conn_local_address(h.conn, server, out, len(out)):
            return None
        return ffi.string(out).decode()

    def _note_failures(self, failed):
        """Put the failing socket's reason ("host:port: ...") on the failed results its
        failure set, as their ``_extra``, for both faces' exception messages."""
        for r in failed:
            rc = r.rc
            if rc in _SOCKET_CODES and r._extra is None:
                try:
                    srv = self.map_key(r.key.encode() if isinstance(r.key, str) else r.key)[1]
                except Exception:  # a key the map cannot route names no server
                    continue
                r._extra = self.failure_text(srv, rc, r._csrc)

    @property
    def closed(self):
        return self._h.conn is None

    @property
    def conn(self):
        """The cffi cbc_CONN * (for the engine's own modules)."""
        return self._h.conn

    def new_batch(self):
        """Another batch on the same connection (control traffic), freed with it."""
        return self._h.new_batch()

    def close(self, reason=None):
        """Close every socket now. Later operations raise ClientTemporaryFailError, or the
        code and message of `reason` (code, message). Closing twice is harmless."""
        if self.lockmode == LOCKMODE_WAIT:
            self._lock.acquire()
        elif not self._lock.acquire(False):
            raise _exc.ObjectThreadError.pyexc(_BUSY_EXC if self.lockmode == LOCKMODE_EXC else _BUSY_NONE)
        try:
            if reason is not None:
                self.closed_reason = reason
            self._h.close()
            for client in self._http.values():
                client.close()
        finally:
            self._lock.release()

    def check_open(self):
        """Raise what an operation would raise on a closed connection."""
        if self._h.conn is None:
            raise self._closed_error()

    # ---- HTTP services of the bucket ----

    def http(self, service="capi"):
        """The keep-alive HTTP client for a service of this session's bucket: ``capi``
        (views, design documents) or ``mgmt`` (management REST), with the bucket's
        credentials; its nodes follow the current config."""
        if self.http_refused is not None:
            raise _exc.PipelineError.pyexc(self.http_refused)
        client = self._http.get(service)
        if client is None:
            topo = self.topology
            if topo is None:
                raise _exc.exception_for(self.face, C.NOT_SUPPORTED, "This connection has no %s service" % service)
            field = "capi" if service == "capi" else "rest"

            def nodes(topo=topo, field=field):
                return getattr(topo.config, field, None) or []

            client = _http.HttpClient(nodes, topo.user, topo.password or "", self.face,
                                      refresh=lambda topo=topo: topo.refresh(), tls=topo.tls)
            self._http[service] = client
        return client

    # ---- servers and routing ----

    def set_servers(self, hosts):
        """Point the core at (host, port) pairs."""
        h = self._h
        names = [ffi.new("char[]", host.encode()) for host, _p in hosts]
        rc = lib.cbc_conn_set_servers(h.conn, ffi.new("const char *[]", names),
                                      ffi.new("int[]", [p for _h, p in hosts]), len(hosts), h.err)
        if rc:
            raise error_from(h.err, self.face)
        self.nodes = ["%s:%d" % hp for hp in hosts]

    def use_memcached(self, hosts, text_gets=None):
        """Plain memcached servers: ketama routing, no prelude. Plain GETs go out as text
        `gets` lines on a second socket per server, which memcached serves with less CPU
        per key (COUCHBASE_TEXT_GETS=0 turns that off)."""
        self.set_servers(hosts)
        self.use_ketama()
        if text_gets is None:
            text_gets = os.environ.get("COUCHBASE_TEXT_GETS", "1") != "0"
        self._text_gets = bool(text_gets)
        lib.cbc_conn_set_text_gets(self._h.conn, self._text_gets)

    def use_ketama(self):
        h = self._h
        if lib.cbc_conn_use_ketama(h.conn, h.err):
            raise error_from(h.err, self.face)

    def use_vbmap(self, flat, nvbuckets, ncopies):
        h = self._h
        if lib.cbc_conn_use_vbmap(h.conn, ffi.new("int16_t[]", flat), nvbuckets, ncopies, h.err):
            raise error_from(h.err, self.face)

    def set_prelude(self, packets):
        h = self._h
        if lib.cbc_conn_set_prelude(h.conn, packets, len(packets), h.err):
            raise error_from(h.err, self.face)

    def use_collections(self, enabled=True):
        lib.cbc_conn_set_collections(self._h.conn, 1 if enabled else 0)

    def connect_server(self, index, timeout_us, err=None):
        """Open (and authenticate) the socket of server `index` now."""
        err = err if err is not None else self._h.err
        if lib.cbc_conn_connect(self._h.conn, index, timeout_us, err):
            raise error_from(err, self.face)

    @property
    def nservers(self):
        return lib.cbc_conn_nservers(self._h.conn)

    def map_key(self, key, replica=0):
        """(vbucket, server index) of copy `replica` of `key` (bytes); server -1 when none."""
        vb, srv = ffi.new("int *"), ffi.new("int *")
        h = self._h
        if lib.cbc_conn_map_key(h.conn, key, len(key), replica, vb, srv, h.err):
            raise error_from(h.err, self.face)
        return vb[0], srv[0]

    # ---- locking ----

    def enter(self):
        """Take the connection for one operation, as the lock mode says; raises when closed.

        WAIT blocks until the connection is free; EXC raises ObjectThreadError when another
        thread has it. NONE promises that only one thread uses the connection; a second
        thread entering anyway is refused with ObjectThreadError too (a non-blocking
        acquire: as cheap as a flag, and atomic), so that misuse can never run two
        operations on one C connection at once."""
        mode = self.lockmode
        if mode == LOCKMODE_WAIT:
            self._lock.acquire()
        elif not self._lock.acquire(False):
            raise _exc.ObjectThreadError.pyexc(_BUSY_EXC if mode == LOCKMODE_EXC else _BUSY_NONE)
        if self._h.conn is None:
            self.leave()
            raise self._closed_error()

    def leave(self):
        self._lock.release()

    def _closed_error(self):
        rc, message = self.closed_reason or (C.CLIENT_ETMPFAIL, "Connection is closed")
        return _exc.exception_for(self.face, rc, message)

    def thread_lock(self, release):
        """The classic ``_thr_lockop``: take (blocking) or release the connection's lock by hand."""
        if self.lockmode == LOCKMODE_NONE:
            raise _exc.ObjectThreadError.pyexc("The connection's lockmode is LOCKMODE_NONE: it has no lock")
        if not release:
            self._lock.acquire()
            return True
        if not self._lock.locked():
            raise _exc.ObjectThreadError.pyexc("The connection's lock is not held")
        self._lock.release()
        return True

    # ---- the run path ----

    def execute(self, keys, op, add, single=False, no_format=False, result_keys=None, classes=None,
                timeout=None):
        """Reset the batch, let `add(batch)` fill it, run it in one C call, build results.

        Returns ``(result, failed)`` for `single` (`failed` is a list or None), else
        ``(multi, failed)``: `classes` = (multi, value, op) result classes; `timeout`
        (seconds) replaces the session's for this call only. `failed` lists the results
        with an rc or a value that would not decode, in request order."""
        multi_cls, value_cls, op_cls = classes
        self.enter()
        try:
            h = self._h
            batch = h.batch
            lib.cbc_batch_reset(batch)
            add(batch)
            started = _monotonic()
            timeout_us = self.timeout_us if timeout is None else int(timeout * 1e6)
            rkeys = result_keys if result_keys is not None else keys
            passthrough = self.passthrough
            if passthrough:
                rkeys = [k.encode() if isinstance(k, str) else k for k in rkeys]
            if not single and self.topology is None and _batch.using_native():
                # Plain memcached (no topology retry needs the whole run first): results
                # are built in steps while later answers are still arriving.
                out, failed = _batch._fp.execute_multi(
                    _batch._addr(batch), timeout_us, _STEP_RESULTS, _STEP_BYTES, rkeys, op.kind, multi_cls,
                    value_cls, op_cls, passthrough, _batch._custom(self.transcoder), no_format)
                if out is None:
                    raise error_from_tuple(failed, self.face)
                if failed:
                    self._log_failures(batch, timeout_us)
                    self._note_failures(failed)
                return out, failed
            if lib.cbc_batch_run(batch, timeout_us, h.err):
                raise error_from(h.err, self.face)
            if self.topology is not None:
                self.topology.after_run(batch, started, timeout)
            if single:
                res, bad = _batch.build_single(batch, rkeys, op.kind, multi_cls, value_cls, op_cls, passthrough,
                                               self.transcoder, no_format)
                if bad is not None:
                    self._log_failures(batch, timeout_us)
                if bad is not None and res.rc:
                    self._note_failures((res,))
                return res, ([res] if bad is not None else None)
            out, failed = _batch.build(batch, rkeys, op.kind, multi_cls, value_cls, op_cls, passthrough,
                                       self.transcoder, no_format)
            if failed:
                self._log_failures(batch, timeout_us)
                self._note_failures(failed)
            return out, failed
        finally:
            self.leave()

    def run_single(self, keys, op, items, add_args, no_format=False, classes=None, timeout=None):
        """A one-request operation: reset, add, run and build in one native call.

        `add_args` are the positional arguments after the batch of batch.add_keys (`items`
        0 or False), add_items (1 or True) or add_subdoc (2); an `errors` pair may end them.
        `timeout` (seconds) replaces the session's for this call. Returns ``(result,
        failed)`` as execute does for a single request. Without the native module this is
        execute."""
        if not _batch.using_native():
            adder = _batch.add_subdoc if items == 2 else _batch.add_items if items else _batch.add_keys
            return self.execute(keys, op, lambda b: adder(b, *add_args), True, no_format, classes=classes,
                                timeout=timeout)
        _multi, value_cls, op_cls = classes
        self.enter()
        try:
            passthrough = self.passthrough
            rkeys = [k.encode() if isinstance(k, str) else k for k in keys] if passthrough else keys
            started = _monotonic()
            res, failed = _batch._fp.execute(
                self._h.addr, items, add_args, self.timeout_us if timeout is None else int(timeout * 1e6),
                (rkeys, op.kind, value_cls, op_cls, passthrough, _batch._custom(self.transcoder), no_format, 0))
            if failed is not None:
                res, failed = self._after_single(res, failed, op, rkeys, started, classes, no_format, timeout)
        finally:
            self.leave()
        return res, failed

    def fast_single(self, keys, op, items, add_args, value_cls, op_cls):
        """The plain single get/set of the classic face: one native call under the lock.

        Only for lock mode WAIT with no transcoder and no passthrough (the face checks);
        the lock is inlined here because this is the per-key path of single operations."""
        lock = self._lock
        lock.acquire()
        h = self._h
        if h.conn is None:
            lock.release()
            raise self._closed_error()
        try:
            started = _monotonic()
            res, failed = _batch._fp.execute(h.addr, items, add_args, self.timeout_us,
                                             (keys, op.kind, value_cls, op_cls, 0, None, False, 0))
            if failed is not None:
                res, failed = self._after_single(res, failed, op, keys, started, (None, value_cls, op_cls))
        finally:
            lock.release()
        return res, failed

    def _after_single(self, res, failed, op, rkeys, started, classes, no_format=False, timeout=None):
        """A single request that failed: a batch-level error raises; a topology retry may
        settle it. Returns (result, [result] or None); runs under the lock."""
        if res is None:
            raise error_from_tuple(failed, self.face)
        self._log_failures(self._h.batch, self.timeout_us)
        if self.topology is not None and res.rc in self.topology.retry_codes:
            batch = self._h.batch
            self.topology.after_run(batch, started, timeout)
            multi_cls, value_cls, op_cls = classes
            res, bad = _batch.build_single(batch, rkeys, op.kind, multi_cls, value_cls, op_cls, self.passthrough,
                                           self.transcoder, no_format)
            if bad is None:
                return res, None
        if res.rc:
            self._note_failures((res,))
        return res, [res]

    def _log_failures(self, batch, timeout_us):
        """Warn about requests that timed out or met a failed connection, per server
        (couchbase.io); runs only for a batch with failures, under the lock."""
        if not _io_log.isEnabledFor(logging.WARNING):
            return
        per = {}
        res = lib.cbc_batch_results(batch)
        for i in range(lib.cbc_batch_size(batch)):
            rc = res[i].rc
            if rc in _IO_FAILURES:
                key = (rc, res[i].server)
                per[key] = per.get(key, 0) + 1
        nodes = self.nodes
        for (rc, server), count in sorted(per.items()):
            where = nodes[server] if 0 <= server < len(nodes) else "no server"
            what = "timed out after %.3fs" % (timeout_us / 1e6) if rc == C.ETIMEDOUT else _IO_FAILURES[rc]
            _io_log.warning("%d request(s) to %s %s", count, where, what)

    def run_batch(self, batch, timeout=None):
        """Run `batch` as its caller filled it (over several calls; the classic pipeline), in
        one C call, with topology retries, under the lock. Results are read with
        batch.build_range. The requests to one server keep their order: memcached's text
        `gets` (which go out on a second socket) are off for the run."""
        self.enter()
        text_gets = self._text_gets
        try:
            h = self._h
            if text_gets:
                lib.cbc_conn_set_text_gets(h.conn, False)
            timeout_us = self.timeout_us if timeout is None else int(timeout * 1e6)
            started = _monotonic()
            if lib.cbc_batch_run(batch, timeout_us, h.err):
                raise error_from(h.err, self.face)
            if self.topology is not None:
                self.topology.after_run(batch, started, timeout)
        finally:
            if text_gets and self._h.conn is not None:
                lib.cbc_conn_set_text_gets(self._h.conn, True)
            self.leave()

    def add_requests(self, batch, requests):
        """Add `requests` (Request objects) to `batch` (the core copies their bytes)."""
        err = self._h.err
        for r in requests:
            req = ffi.new("cbc_REQUEST *")
            req.opcode = r.opcode
            req.server = r.server
            req.vbucket = r.vbucket
            req.collection = r.collection
            req.replica = r.replica
            keep = []
            for field, data in (("key", r.key), ("value", r.value), ("extras", r.extras)):
                if data:
                    buf = ffi.new("char[]", data)
                    keep.append(buf)
                    setattr(req, field, buf)
                    setattr(req, "n" + field, len(data))
            if lib.cbc_batch_add(batch, req, err):
                raise error_from(err, self.face)

    def raw_run(self, requests, timeout=None, retry=True):
        """Run `requests` (Request objects) on the control batch, with topology retries
        unless `retry` is false; returns one RawResult per request."""
        timeout = self._timeout if timeout is None else timeout
        timeout_us = max(1000, int(timeout * 1e6))
        self.enter()
        try:
            if self._raw is None:
                self._raw = self._h.new_batch()
            b = self._raw
            lib.cbc_batch_reset(b)
            err = self._h.err
            self.add_requests(b, requests)
            started = _monotonic()
            if lib.cbc_batch_run(b, timeout_us, err):
                raise error_from(err, self.face)
            if retry and self.topology is not None:
                self.topology.after_run(b, started, timeout)
            res = lib.cbc_batch_results(b)
            return [RawResult(res[i]) for i in range(lib.cbc_batch_size(b))]
        finally:
            self.leave()

    # ---- Couchbase buckets ----

    def bootstrap(self, spec, bucket, username, password, features, collections=False, cached=None,
                  security=None):
        """Follow the topology of `bucket` (couchbase._core.topology): connect now.
        `security`: couchbase._core.tls.Security (TLS, SASL mechanisms), None for the defaults.

        `cached` is a config saved by an earlier connection (a configuration cache): when it
        still leads to a live node the network bootstrap is skipped, and True is returned."""
        self.topology = Topology(weakref.proxy(self), spec, bucket, username, password, features, security)
        if collections:
            self.use_collections(True)
        if cached is not None and self.topology.connect_cached(cached):
            return True
        self.topology.connect()
        return False
