"""Couchbase-bucket mode: bootstrap (KV or REST), the socket prelude, config updates and retries."""
import struct
import time
import weakref

from couchbase import _config, _http
from couchbase._binding import C, error_from, ffi, lib
from couchbase.exceptions import (
    AuthError, BucketNotFoundError, ConnectError, CouchbaseError, NetworkError, ProtocolError,
)

OP_HELLO = 0x1F
OP_SASL_AUTH = 0x21
OP_SELECT_BUCKET = 0x89
OP_GET_CLUSTER_CONFIG = 0xB5
OP_GET_REPLICA = 0x83
OP_OBSERVE = 0x92

AGENT = b"couchbase-python/1.0.0"

# HELLO features: TCPNODELAY, MutationSeqno, SELECT_BUCKET, AltRequest, SyncReplication.
BASE_FEATURES = (0x03, 0x04, 0x08, 0x10, 0x11)
# The modern API also asks for XERROR (extended statuses) and Collections.
MODERN_FEATURES = BASE_FEATURES + (0x07, 0x12)

RETRY_INTERVAL = 0.05
_RETRY_CODES = None


def _retry_codes():
    global _RETRY_CODES
    if _RETRY_CODES is None:
        _RETRY_CODES = (C.NOT_MY_VBUCKET, C.NETWORK_ERROR, C.CONNECT_ERROR, C.NO_MATCHING_SERVER)
    return _RETRY_CODES


def encode_packet(opcode, key=b"", value=b"", server=0):
    """One request packet, framed by the C core."""
    req = ffi.new("cbc_REQUEST *")
    kbuf = ffi.new("char[]", key) if key else ffi.NULL
    vbuf = ffi.new("char[]", value) if value else ffi.NULL
    req.opcode = opcode
    req.server = server
    req.key, req.nkey = kbuf, len(key)
    req.value, req.nvalue = vbuf, len(value)
    out = ffi.new("char[]", 64 + len(key) + len(value))
    n = ffi.new("size_t *")
    err = ffi.new("cbc_ERROR *")
    if lib.cbc_pkt_encode(req, 0, 0, 0, out, len(out), n, err):
        raise error_from(err)
    return ffi.buffer(out, n[0])[:]


def prelude(bucket, username, password, features):
    """HELLO, SASL PLAIN and SELECT_BUCKET, replayed by the core on every new socket."""
    hello = encode_packet(OP_HELLO, AGENT, b"".join(struct.pack(">H", f) for f in features))
    user = (username if username is not None else bucket).encode()
    auth = encode_packet(OP_SASL_AUTH, b"PLAIN", b"\0" + user + b"\0" + (password or "").encode())
    select = encode_packet(OP_SELECT_BUCKET, bucket.encode())
    return hello + auth + select


class Bootstrap:
    """Keeps a Connection's C core pointed at the cluster's current topology."""

    def __init__(self, conn, spec, bucket, username, password, features=BASE_FEATURES):
        self.conn = weakref.proxy(conn)  # the Connection owns us: no cycle
        self.spec = spec
        self.bucket = bucket
        self.username = username
        self.password = password
        self.features = features
        self.config = None
        self.origin = None
        self._ctl = conn._core.new_batch()
        self._err = ffi.new("cbc_ERROR *")
        self._last_refresh = 0.0

    # ---- initial connect ----

    def connect(self):
        core = self.conn._core
        pre = prelude(self.bucket, self.username, self.password, self.features)
        if lib.cbc_conn_set_prelude(core.conn, pre, len(pre), core.err):
            raise error_from(core.err)
        errors = []
        deadline = time.monotonic() + self.conn._timeout
        if self.spec.scheme == "couchbase":
            # KV first on every host, then REST on the default port as the fallback.
            attempts = [(self._kv_bootstrap, h, p or 11210) for h, p in self.spec.hosts]
            attempts += [(self._http_bootstrap, h, 8091) for h, _p in self.spec.hosts]
        else:
            attempts = [(self._http_bootstrap, h, p or 8091) for h, p in self.spec.hosts]
        for method, host, port in attempts:
            try:
                return method(host, port, deadline)
            except (AuthError, BucketNotFoundError):
                raise
            except CouchbaseError as e:
                errors.append(e)
        last = errors[-1] if errors else None
        if isinstance(last, CouchbaseError) and last.rc in (C.ETIMEDOUT,):
            raise last
        raise ConnectError({"rc": C.CONNECT_ERROR, "message": "Could not bootstrap from any of %s"
                            % ", ".join("%s:%s" % hp for hp in self.spec.hosts), "inner_cause": last})

    def _kv_bootstrap(self, host, port, deadline):
        self.conn._set_servers([(host, port)])
        data = self._fetch_config_from(0, deadline)
        self._apply(_config.parse(data, host), force=True)

    def _http_bootstrap(self, host, port, deadline):
        """The streaming config URIs (terse first, then the verbose 2.x one), first config only."""
        user = self.username if self.username is not None else self.bucket
        timeout = max(0.05, deadline - time.monotonic())
        status, body = 404, b""
        for path in ("/pools/default/bs/%s", "/pools/default/bucketsStreaming/%s"):
            status, body = _http.first_streamed_config(host, port, path % self.bucket, user, self.password or "",
                                                       timeout=timeout)
            if status != 404:
                break
        if status == 401:
            raise AuthError({"rc": C.AUTH_ERROR, "message": "Authentication failed for bucket %r" % self.bucket})
        if status == 404:
            raise BucketNotFoundError({"rc": C.BUCKET_ENOENT, "message": "No such bucket %r" % self.bucket,
                                       "key": self.bucket})
        if status != 200 or not body:
            raise ConnectError({"rc": C.CONNECT_ERROR, "message": "HTTP %d from %s:%d" % (status, host, port)})
        self._apply(_config.parse(body, host), force=True)
        # Open and authenticate the first data socket now, so bad credentials surface here.
        self._check_server(0, deadline)

    def _check_server(self, index, deadline):
        core = self.conn._core
        timeout_us = max(1000, int((deadline - time.monotonic()) * 1e6))
        if lib.cbc_conn_connect(core.conn, index, timeout_us, self._err):
            raise error_from(self._err)

    def _fetch_config_from(self, index, deadline):
        """GET_CLUSTER_CONFIG from server `index` on the control batch; returns the JSON bytes."""
        b = self._ctl
        lib.cbc_batch_reset(b)
        req = ffi.new("cbc_REQUEST *")
        req.opcode = OP_GET_CLUSTER_CONFIG
        req.server = index
        if lib.cbc_batch_add(b, req, self._err):
            raise error_from(self._err)
        timeout_us = max(1000, int((deadline - time.monotonic()) * 1e6))
        if lib.cbc_batch_run(b, timeout_us, self._err):
            raise error_from(self._err)
        r = lib.cbc_batch_results(b)[0]
        if r.rc:
            rc = r.rc
            if rc == C.ACCESS_DENIED or rc == C.NO_BUCKET:
                rc = C.BUCKET_ENOENT
            cls = CouchbaseError.rc_to_exctype(rc)
            raise cls({"rc": rc, "message": "Bootstrap failed", "key": self.bucket,
                       "csrc_info": (ffi.string(r.file).decode(), r.line) if r.file != ffi.NULL else ()})
        return ffi.unpack(r.value, r.nvalue)

    def _apply(self, cfg, force=False):
        if not force and not cfg.newer_than(self.config):
            return False
        if self.config is not None and cfg.name and cfg.name != self.bucket:
            return False
        self.conn._set_servers(cfg.servers)
        core = self.conn._core
        if cfg.locator == "ketama":
            rc = lib.cbc_conn_use_ketama(core.conn, core.err)
        else:
            flat = cfg.flat_map()
            rc = lib.cbc_conn_use_vbmap(core.conn, ffi.new("int16_t[]", flat), cfg.nvbuckets, cfg.ncopies,
                                        core.err)
        if rc:
            raise error_from(core.err)
        self.config = cfg
        self.conn._replicas = cfg.nreplicas
        return True

    # ---- after every run: follow topology changes within the operation's timeout ----

    def refresh(self, hint_index=-1, deadline=None):
        """Fetch a config from any reachable node (the hinted one first); apply it if newer."""
        if deadline is None:
            deadline = time.monotonic() + self.conn._timeout
        n = len(self.config.servers) if self.config else 0
        order = ([hint_index] if 0 <= hint_index < n else []) + [i for i in range(n) if i != hint_index]
        for i in order:
            if time.monotonic() >= deadline:
                break
            try:
                data = self._fetch_config_from(i, min(deadline, time.monotonic() + 0.5))
                host = self.config.servers[i][0]
                return self._apply(_config.parse(data, host))
            except CouchbaseError:
                continue
        for host, port in (self.config.rest if self.config else []):
            if time.monotonic() >= deadline:
                break
            try:
                user = self.username if self.username is not None else self.bucket
                status, _h, body = _http.request(host, port, "GET", "/pools/default/b/%s" % self.bucket, user,
                                                 self.password or "", timeout=max(0.05, min(0.5, deadline - time.monotonic())))
                if status == 200:
                    return self._apply(_config.parse(body, host))
            except CouchbaseError:
                continue
        return False

    def after_run(self, batch, started, timeout=None):
        """Re-route requests that met NOT_MY_VBUCKET or a dead node, until they settle or the
        operation's timeout (`timeout` seconds, else the connection's) runs out."""
        codes = _retry_codes()
        conn = self.conn
        deadline = started + (conn._timeout if timeout is None else timeout)
        while True:
            n = lib.cbc_batch_size(batch)
            results = lib.cbc_batch_results(batch)
            retry = {}
            nmv_body = None
            for i in range(n):
                rc = results[i].rc
                if rc in codes:
                    retry[rc] = retry.get(rc, 0) + 1
                    if rc == C.NOT_MY_VBUCKET and nmv_body is None and results[i].nvalue:
                        nmv_body = (ffi.unpack(results[i].value, results[i].nvalue), results[i].server)
            if not retry or time.monotonic() >= deadline:
                return
            applied = False
            if nmv_body is not None:
                body, server = nmv_body
                try:
                    host = self.config.servers[server][0] if 0 <= server < len(self.config.servers) else "127.0.0.1"
                    applied = self._apply(_config.parse(body, host))
                except CouchbaseError:
                    applied = False
            if not applied:
                hint = -1
                applied = self.refresh(hint, deadline)
            if not applied:
                time.sleep(min(RETRY_INTERVAL, max(0.0, deadline - time.monotonic())))
            for rc in retry:
                lib.cbc_batch_requeue(batch, rc)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                # Out of time: the requeued requests become timeouts in one last zero-length run.
                remaining = 0.000001
            if lib.cbc_batch_run(batch, max(1, int(remaining * 1e6)), conn._core.err):
                raise error_from(conn._core.err)

    # ---- replica reads and observe ----

    def rget(self, keys, replica_index, quiet, single):
        from couchbase import _batch
        from couchbase.connection import _MISS
        from couchbase.result import MultiResult, OperationResult, ValueResult

        nrep = self.config.nreplicas if self.config else 0
        if nrep == 0:
            raise CouchbaseError.rc_to_exctype(C.NO_MATCHING_SERVER)(
                {"rc": C.NO_MATCHING_SERVER, "message": "The bucket has no replicas"})
        if replica_index is not None:
            if not isinstance(replica_index, int) or not 0 <= replica_index < nrep:
                from couchbase.exceptions import ArgumentError

                raise ArgumentError.pyexc("replica_index must be in 0..%d" % (nrep - 1), obj=replica_index)
            indexes = [replica_index + 1]
        else:
            indexes = list(range(1, nrep + 1))
        wire = self.conn._keys_for_wire(keys)
        tagged = [(k, i) for i in indexes for k in keys]
        conn = self.conn
        conn._acquire()
        try:
            b = conn._core.batch
            lib.cbc_batch_reset(b)
            for i in indexes:
                _batch.add_keys(b, wire, OP_GET_REPLICA, replica=i)
            started = time.monotonic()
            if lib.cbc_batch_run(b, conn._timeout_us, conn._core.err):
                raise error_from(conn._core.err)
            self.after_run(b, started)
            mres, _failed = _batch.build(b, tagged, "value", MultiResult, ValueResult, OperationResult,
                                         conn._passthrough, conn._transcoder, False)
            srcs = {}
            res = lib.cbc_batch_results(b)
            for j in range(lib.cbc_batch_size(b)):
                if res[j].rc and res[j].file != ffi.NULL:
                    srcs[tagged[j]] = (ffi.string(res[j].file).decode(), res[j].line)
        finally:
            conn._release()
        out = MultiResult()
        src_for = {}
        for k in keys:
            best = None
            for i in indexes:
                r = mres[(k, i)]
                if best is None or (r.success and not best.success):
                    best = r
                    src_for[k] = srcs.get((k, i), ())
            best.key = k
            out[k] = best
        failed = [(r, src_for.get(k, ())) for k, r in out.items() if not r.success
                  and not (quiet and r.rc == _MISS)]
        if failed:
            conn._raise(failed, out)
        return out[keys[0]] if single else out

    def observe(self, keys, master_only, single):
        from couchbase.result import MultiResult, ObserveInfo, ValueResult

        conn = self.conn
        wire = [k.encode() if isinstance(k, str) else k for k in conn._keys_for_wire(keys)]
        ncopies = 1 if master_only else (self.config.ncopies if self.config else 1)
        # One OBSERVE per (server), listing the keys that server holds a copy of.
        per_server = {}
        vb = ffi.new("int *")
        srv = ffi.new("int *")
        for idx, k in enumerate(wire):
            for copy in range(ncopies):
                if lib.cbc_conn_map_key(conn._core.conn, k, len(k), copy, vb, srv, self._err):
                    raise error_from(self._err)
                if srv[0] >= 0:
                    per_server.setdefault(srv[0], []).append((idx, vb[0], copy))
        conn._acquire()
        try:
            b = conn._core.batch
            lib.cbc_batch_reset(b)
            order = []
            keep = []
            for server, entries in sorted(per_server.items()):
                body = b"".join(struct.pack(">HH", vbid, len(wire[idx])) + wire[idx] for idx, vbid, _c in entries)
                req = ffi.new("cbc_REQUEST *")
                buf = ffi.new("char[]", body)
                keep.append(buf)
                req.opcode = OP_OBSERVE
                req.server = server
                req.value, req.nvalue = buf, len(body)
                if lib.cbc_batch_add(b, req, self._err):
                    raise error_from(self._err)
                order.append(entries)
            if lib.cbc_batch_run(b, conn._timeout_us, conn._core.err):
                raise error_from(conn._core.err)
            res = lib.cbc_batch_results(b)
            infos = {i: [] for i in range(len(keys))}
            for j, entries in enumerate(order):
                r = res[j]
                if r.rc:
                    continue
                data = ffi.unpack(r.value, r.nvalue)
                pos = 0
                copies = {idx: c for idx, _vb, c in entries}
                lookup = {wire[idx]: idx for idx, _vb, _c in entries}
                while pos + 4 <= len(data):
                    _vbid, nk = struct.unpack_from(">HH", data, pos)
                    key = data[pos + 4:pos + 4 + nk]
                    state, cas = struct.unpack_from(">BQ", data, pos + 4 + nk)
                    pos += 4 + nk + 9
                    idx = lookup.get(key)
                    if idx is not None:
                        infos[idx].append(ObserveInfo(state, int(copies[idx] == 0), cas))
        finally:
            conn._release()
        out = MultiResult()
        for i, k in enumerate(keys):
            r = ValueResult()
            r.rc = 0
            r.key = k
            r.value = infos[i]
            out[k] = r
        return out[keys[0]] if single else out
