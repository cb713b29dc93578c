"""Couchbase-bucket mode: bootstrap (KV or REST), config updates, and the retries that
follow topology changes within an operation's timeout.

A Topology keeps its session's core pointed at the cluster's current configuration: the
server list and the vBucket map (or ketama continuum), newest (revEpoch, rev) first.
"""
import logging
import time

from couchbase import exceptions as _exc
from couchbase._core import config as _config
from couchbase._core import http as _http
from couchbase._core import protocol
from couchbase._core.binding import C, csrc_of, error_from, ffi, lib
from couchbase.logs import BOOTSTRAP as _boot_log
from couchbase.logs import TOPOLOGY as _topo_log
from couchbase._core.tls import Security

RETRY_INTERVAL = 0.05
#: the streaming config URIs of a bucket: terse first, then the verbose 2.x one
STREAMING_PATHS = ("/pools/default/bs/%s", "/pools/default/bucketsStreaming/%s")


class Topology:
    """The cluster map of one session (held through a weak proxy: the session owns us)."""

    def __init__(self, session, spec, bucket, username, password, features=protocol.BASE_FEATURES, security=None):
        self.session = session
        #: couchbase._core.tls.Security: TLS (self.tls) and the SASL mechanisms
        self.security = security or Security()
        self.tls = self.security.tls
        self.face = session.face
        self.spec = spec
        self.bucket = bucket
        self.username = username
        self.password = password
        self.features = features
        self.config = None
        self._ctl = session.new_batch()
        self._err = ffi.new("cbc_ERROR *")
        #: result codes after which a request is routed again
        self.retry_codes = (C.NOT_MY_VBUCKET, C.NETWORK_ERROR, C.CONNECT_ERROR, C.NO_MATCHING_SERVER)

    def _error(self, rc, message, **extra):
        return _exc.exception_for(self.face, rc, message, **extra)

    @property
    def user(self):
        return self.username if self.username is not None else self.bucket

    # ---- initial connect ----

    def connect(self):
        session = self.session
        session.set_prelude(protocol.prelude(self.bucket, self.features))
        self.security.apply(session.conn, self.user, self.password, self.face)
        errors = []
        deadline = time.monotonic() + session.timeout
        unresolved = set()
        for kv, host, port in self._attempts():
            if host in unresolved:
                continue  # a name that does not resolve for KV does not for HTTP either
            how = self._log_attempt(kv, host, port)
            try:
                (self._kv_bootstrap if kv else self._http_bootstrap)(host, port, deadline)
            except (_exc.AuthError, _exc.BucketNotFoundError) as e:
                _boot_log.warning("bucket %r: bootstrap from %s:%d over %s refused: %s", self.bucket, host, port,
                                  how, e)
                raise
            except _exc.CouchbaseError as e:
                _boot_log.info("bucket %r: bootstrap from %s:%d over %s failed: %s", self.bucket, host, port, how, e)
                errors.append(e)
                if e.rc == C.UNKNOWN_HOST:
                    unresolved.add(host)
            else:
                self._log_bootstrapped(host, port, how)
                return
        raise self._bootstrap_error(errors)

    def _attempts(self):
        """[(over KV?, host, port)]: KV first on every host, then REST on the default port as
        the fallback (``couchbase://``); REST only for ``http://``."""
        kv_port, rest_port = (11207, 18091) if self.tls is not None else (11210, 8091)
        if self.spec.scheme in ("couchbase", "couchbases"):
            return ([(True, h, p or kv_port) for h, p in self.spec.hosts] +
                    [(False, h, rest_port) for h, _p in self.spec.hosts])
        return [(False, h, p or rest_port) for h, p in self.spec.hosts]

    def _log_attempt(self, kv, host, port):
        how = "KV" if kv else "REST"
        _boot_log.debug("bucket %r: bootstrap from %s:%d over %s", self.bucket, host, port, how)
        return how

    def _log_bootstrapped(self, host, port, how):
        cfg = self.config
        _boot_log.info("bucket %r: bootstrapped from %s:%d over %s: config rev %d (epoch %d), %d nodes, "
                       "%d vbuckets, %d replicas", self.bucket, host, port, how, cfg.rev[1], cfg.rev[0],
                       len(cfg.servers), cfg.nvbuckets, cfg.nreplicas)

    def _bootstrap_error(self, errors):
        """What a bootstrap that failed on every host raises, from each attempt's error."""
        refused = [e for e in errors if isinstance(e, _exc.TLSError)]
        if refused:  # a certificate or TLS problem: no other host will tell more
            _boot_log.warning("bucket %r: bootstrap refused by TLS: %s", self.bucket, refused[0])
            return self._as_face(refused[0])
        last = errors[-1] if errors else None
        _boot_log.warning("bucket %r: bootstrap failed on every host (%s)", self.bucket,
                          ", ".join("%s:%s" % hp for hp in self.spec.hosts))
        if isinstance(last, _exc.CouchbaseError) and last.rc == C.ETIMEDOUT:
            return last
        if errors and all(e.rc == C.UNKNOWN_HOST for e in errors):
            return self._as_face(errors[0])
        return self._error(C.CONNECT_ERROR, "Could not bootstrap from any of %s (%s)"
                           % (", ".join(h for h, _p in self.spec.hosts),
                              "; ".join(_why(e) for e in errors)), inner_cause=last)

    def _as_face(self, e):
        """`e` as an exception of this topology's face (the HTTP client raises classic ones)."""
        if (self.face == _exc.MODERN) == isinstance(e, _exc.CouchbaseException):
            return e
        return self._error(e.rc, e.message, inner_cause=e.inner_cause, csrc_info=e.csrc_info)

    def connect_cached(self, data):
        """Bootstrap from a config saved by an earlier connection (a configuration cache):
        open and authenticate the first data socket it names and ask that node for the
        current config, so a stale cache corrects itself. False, with nothing kept, when the
        data does not parse, names another bucket, or the node does not answer: the caller
        then bootstraps from the network."""
        origin = self.spec.hosts[0][0] if self.spec.hosts else "127.0.0.1"
        deadline = time.monotonic() + self.session.timeout
        try:
            cfg = self._parse(data, origin)  # (over TLS: the TLS ports it names)
            if cfg.name != self.bucket:
                return False
            self.session.set_prelude(protocol.prelude(self.bucket, self.features))
            self.security.apply(self.session.conn, self.user, self.password, self.face)
            self._apply(cfg, force=True)
            timeout_us = max(1000, int((deadline - time.monotonic()) * 1e6))
            self.session.connect_server(0, timeout_us, self._err)
            self._apply(self._parse(self._fetch_config_from(0, deadline), cfg.servers[0][0]), force=True)
        except _exc.CouchbaseError:
            self.config = None
            return False
        return True

    def _kv_bootstrap(self, host, port, deadline):
        self.session.set_servers([(host, port)])
        data = self._fetch_config_from(0, deadline)
        self._apply(self._parse(data, host), force=True)

    def _parse(self, data, host):
        return _config.parse(data, host, tls=self.tls is not None)

    def _http_bootstrap(self, host, port, deadline):
        """The streaming config URIs (terse first, then the verbose 2.x one), first config only."""
        timeout = max(0.05, deadline - time.monotonic())
        status, body = 404, b""
        for path in STREAMING_PATHS:
            status, body = _http.first_streamed_config(host, port, path % self.bucket, self.user,
                                                       self.password or "", timeout=timeout, tls=self.tls)
            if status != 404:
                break
        self._apply(self._parse(self._streamed_config(status, body, host, port), host), force=True)
        # Open and authenticate the first data socket now, so bad credentials surface here.
        timeout_us = max(1000, int((deadline - time.monotonic()) * 1e6))
        self.session.connect_server(0, timeout_us, self._err)

    def _streamed_config(self, status, body, host, port):
        """The config of a streaming URI's answer, or the exception its status means."""
        if status == 401:
            raise self._error(C.AUTH_ERROR, "Authentication failed for bucket %r" % self.bucket)
        if status == 404:
            raise self._error(C.BUCKET_ENOENT, "No such bucket %r" % self.bucket, key=self.bucket)
        if status != 200 or not body:
            raise self._error(C.CONNECT_ERROR, "HTTP %d from %s:%d" % (status, host, port))
        return body

    def _fetch_config_from(self, index, deadline):
        """GET_CLUSTER_CONFIG from server `index` on the control batch; returns the JSON bytes."""
        b = self._ctl
        lib.cbc_batch_reset(b)
        req = ffi.new("cbc_REQUEST *")
        req.opcode = protocol.OP.GET_CLUSTER_CONFIG
        req.server = index
        if lib.cbc_batch_add(b, req, self._err):
            raise error_from(self._err, self.face)
        timeout_us = max(1000, int((deadline - time.monotonic()) * 1e6))
        if lib.cbc_batch_run(b, timeout_us, self._err):
            raise error_from(self._err, self.face)
        r = lib.cbc_batch_results(b)[0]
        if r.rc:
            raise self._config_failure(index, r.rc, csrc_of(r.file, r.line))
        return ffi.unpack(r.value, r.nvalue)

    def _config_failure(self, index, rc, csrc):
        """The exception for a GET_CLUSTER_CONFIG to server `index` that failed with `rc`."""
        detail = self.session.failure_text(index, rc, csrc)
        if rc == C.ACCESS_DENIED or rc == C.NO_BUCKET:
            rc = C.BUCKET_ENOENT
        return self._error(rc, "Bootstrap failed" + (": " + detail if detail else ""), key=self.bucket,
                           csrc_info=csrc)

    def _apply(self, cfg, force=False):
        if not force and not cfg.newer_than(self.config):
            return False
        if self.config is not None and cfg.name and cfg.name != self.bucket:
            return False
        session = self.session
        if self.config is not None:
            _topo_log.info("bucket %r: config rev %d -> %d (epoch %d), nodes %s", self.bucket, self.config.rev[1],
                           cfg.rev[1], cfg.rev[0], ", ".join("%s:%d" % hp for hp in cfg.servers))
        session.set_servers(cfg.servers)
        if cfg.locator == "ketama":
            session.use_ketama()
        else:
            session.use_vbmap(cfg.flat_map(), cfg.nvbuckets, cfg.ncopies)
        self.config = cfg
        session.replicas = cfg.nreplicas
        return True

    # ---- after every run: follow topology changes within the operation's timeout ----

    def _log_retry(self, results, n, codes):
        per = {}
        for i in range(n):
            r = results[i]
            if r.rc in codes:
                key = (r.rc, r.server)
                per[key] = per.get(key, 0) + 1
        nodes = self.session.nodes
        for (rc, server), count in sorted(per.items()):
            where = nodes[server] if 0 <= server < len(nodes) else "no server"
            _topo_log.debug("bucket %r: retrying %d request(s) after %s from %s", self.bucket, count,
                            _exc.code_name(rc), where)

    def refresh(self, hint_index=-1, deadline=None):
        """Fetch a config from any reachable node (the hinted one first); apply it if newer."""
        if deadline is None:
            deadline = time.monotonic() + self.session.timeout
        n = len(self.config.servers) if self.config else 0
        order = ([hint_index] if 0 <= hint_index < n else []) + [i for i in range(n) if i != hint_index]
        for i in order:
            if time.monotonic() >= deadline:
                break
            try:
                data = self._fetch_config_from(i, min(deadline, time.monotonic() + 0.5))
                host = self.config.servers[i][0]
                return self._apply(self._parse(data, host))
            except _exc.CouchbaseError as e:
                _topo_log.debug("bucket %r: no config from %s:%d: %s", self.bucket, *self.config.servers[i], e)
                continue
        for host, port in (self.config.rest if self.config else []):
            if time.monotonic() >= deadline:
                break
            try:
                status, _h, body = _http.request(host, port, "GET", "/pools/default/b/%s" % self.bucket, self.user,
                                                 self.password or "",
                                                 timeout=max(0.05, min(0.5, deadline - time.monotonic())),
                                                 tls=self.tls)
                if status == 200:
                    return self._apply(self._parse(body, host))
            except _exc.CouchbaseError as e:
                _topo_log.debug("bucket %r: no config from REST %s:%d: %s", self.bucket, host, port, e)
                continue
        return False

    def after_run(self, batch, started, timeout=None):
        """Re-route requests that met NOT_MY_VBUCKET or a dead node, until they settle or the
        operation's timeout (`timeout` seconds, else the session's) runs out."""
        codes = self.retry_codes
        session = self.session
        deadline = started + (session.timeout if timeout is None else timeout)
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
            if _topo_log.isEnabledFor(logging.DEBUG):
                self._log_retry(results, n, codes)
            applied = False
            if nmv_body is not None:
                body, server = nmv_body
                try:
                    host = self.config.servers[server][0] if 0 <= server < len(self.config.servers) else "127.0.0.1"
                    applied = self._apply(self._parse(body, host))
                except _exc.CouchbaseError:
                    applied = False
            if not applied:
                applied = self.refresh(-1, deadline)
            if not applied:
                time.sleep(min(RETRY_INTERVAL, max(0.0, deadline - time.monotonic())))
            for rc in retry:
                lib.cbc_batch_requeue(batch, rc)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                # Out of time: the requeued requests become timeouts in one last zero-length run.
                remaining = 0.000001
            if lib.cbc_batch_run(batch, max(1, int(remaining * 1e6)), self._err):
                raise error_from(self._err, self.face)


def _why(e):
    """One failed bootstrap attempt in a line."""
    text = str(e.message or e)
    if e.inner_cause is not None and not isinstance(e.inner_cause, _exc.CouchbaseError):
        text += ": %s" % (e.inner_cause,)
    return text


def probe_credentials(hosts, username, password, timeout, face=_exc.MODERN, security=None):
    """HELLO and SASL (or a client certificate) on the first of `hosts` (host, port) that
    answers, so bad credentials and certificates surface before any bucket is opened.
    Returns None on success; raises the face's authentication or TLS error, or returns
    (last core code, its detail) when no host answered."""
    security = security or Security()
    pre = protocol.hello((protocol.FEATURE_TCPNODELAY,))
    last = None
    tls_failure = None
    err = ffi.new("cbc_ERROR *")
    for host, port in hosts:
        conn = lib.cbc_conn_new()
        try:
            name = ffi.new("char[]", host.encode())  # kept alive while the array points at it
            if lib.cbc_conn_set_servers(conn, ffi.new("const char *[]", [name]), ffi.new("int[]", [port]), 1, err):
                last = (err.code, ffi.string(err.msg).decode("utf-8", "replace"))
                continue
            if lib.cbc_conn_set_prelude(conn, pre, len(pre), err):
                raise error_from(err, face)
            security.apply(conn, username, password, face)
            if lib.cbc_conn_connect(conn, 0, int(timeout * 1e6), err) == 0:
                return None
            if err.code in (C.AUTH_ERROR, C.ACCESS_DENIED, C.SASLMECH_UNAVAILABLE):
                raise error_from(err, face)
            if tls_failure is None and (_exc.code_name(err.code) or "").startswith("TLS_"):
                tls_failure = error_from(err, face)
            last = (err.code, ffi.string(err.msg).decode("utf-8", "replace"))
        finally:
            lib.cbc_conn_free(conn)
    if tls_failure is not None:
        raise tls_failure
    return last or (0, "no host to connect to")
