"""Couchbase-bucket mode for an event-driven session (couchbase._core.aio): the blocking
Topology's bootstrap (KV first, then REST) and config updates, with every exchange awaited
on the event loop instead of run in a blocking call.

What is not I/O is the blocking Topology's own code: the order of the attempts, the errors a
failed bootstrap raises, parsing and applying configs (``_parse``, ``_apply``). Requests
that meet a topology change (``retry_codes``: NOT_MY_VBUCKET, a dead node) are retried by
their face once ``settle`` has updated the map; concurrent failures share one refresh. A
server's configuration push (CLUSTERMAP_CHANGE_NOTIFICATION) is applied when it is newer.
"""
import asyncio
import time
import weakref

from couchbase import exceptions as _exc
from couchbase._core import aio_http as _aio_http
from couchbase._core import protocol
from couchbase._core.aio import AioSession, Request
from couchbase._core.binding import C, strerror
from couchbase._core.tls import Security
from couchbase._core.topology import RETRY_INTERVAL, STREAMING_PATHS, Topology
from couchbase.logs import BOOTSTRAP as _boot_log
from couchbase.logs import TOPOLOGY as _topo_log

#: what the asyncio face asks in HELLO beyond the modern features: configuration pushes
PUSH_FEATURES = (protocol.FEATURE_DUPLEX, protocol.FEATURE_CLUSTERMAP_NOTIF)


async def bootstrap(session, spec, bucket, username, password, features, collections=False, security=None):
    """Session.bootstrap for an event-driven session: follow `bucket`'s topology, connected."""
    session.topology = AioTopology(weakref.proxy(session), spec, bucket, username, password, features, security)
    if collections:
        session.use_collections(True)
    await session.topology.connect()


class AioTopology(Topology):
    """The cluster map of one event-driven session."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._refreshing = None

    # ---- bootstrap ----

    async def connect(self):
        session = self.session
        session.set_prelude(protocol.prelude(self.bucket, self.features))
        self.security.apply(session.conn, self.user, self.password, self.face)
        deadline = time.monotonic() + session.timeout
        errors, unresolved = [], set()
        for kv, host, port in self._attempts():
            if host in unresolved:
                continue
            how = self._log_attempt(kv, host, port)
            try:
                await (self._kv_bootstrap if kv else self._http_bootstrap)(host, port, deadline)
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

    async def _kv_bootstrap(self, host, port, deadline):
        self.session.set_servers([(host, port)])
        data = await self._fetch_config_from(0, deadline)
        self._apply(self._parse(data, host), force=True)

    async def _http_bootstrap(self, host, port, deadline):
        timeout = max(0.05, deadline - time.monotonic())
        status, body = 404, b""
        for path in STREAMING_PATHS:
            status, body = await _aio_http.first_streamed_config(host, port, path % self.bucket, self.user,
                                                                 self.password or "", timeout=timeout, tls=self.tls)
            if status != 404:
                break
        self._apply(self._parse(self._streamed_config(status, body, host, port), host), force=True)
        # Open and authenticate the first data socket now, so bad credentials surface here.
        r = (await self.session.raw_run([Request(protocol.OP.NOOP, server=0)],
                                        max(0.001, deadline - time.monotonic()), retry=False))[0]
        if r.rc:
            detail = self.session.failure_text(0, r.rc, r.csrc) or self.session.failure_text(0)
            raise self._error(r.rc, detail or strerror(r.rc), csrc_info=r.csrc)

    async def _fetch_config_from(self, index, deadline):
        r = (await self.session.raw_run([Request(protocol.OP.GET_CLUSTER_CONFIG, server=index)],
                                        max(0.001, deadline - time.monotonic()), retry=False))[0]
        if r.rc:
            raise self._config_failure(index, r.rc, r.csrc)
        return r.value

    # ---- config updates ----

    async def refresh(self, hint_index=-1, deadline=None):
        """Fetch a config from any reachable node (KV, then REST); apply it if newer."""
        if deadline is None:
            deadline = time.monotonic() + self.session.timeout
        n = len(self.config.servers) if self.config else 0
        order = ([hint_index] if 0 <= hint_index < n else []) + [i for i in range(n) if i != hint_index]
        for i in order:
            if time.monotonic() >= deadline:
                break
            try:
                data = await self._fetch_config_from(i, min(deadline, time.monotonic() + 0.5))
                return self._apply(self._parse(data, self.config.servers[i][0]))
            except _exc.CouchbaseError as e:
                _topo_log.debug("bucket %r: no config from %s:%d: %s", self.bucket, *self.config.servers[i], e)
        for host, port in (self.config.rest if self.config else []):
            if time.monotonic() >= deadline:
                break
            try:
                status, _h, body = await _aio_http.request(
                    host, port, "GET", "/pools/default/b/%s" % self.bucket, self.user, self.password or "",
                    timeout=max(0.05, min(0.5, deadline - time.monotonic())), tls=self.tls)
                if status == 200:
                    return self._apply(self._parse(body, host))
            except _exc.CouchbaseError as e:
                _topo_log.debug("bucket %r: no config from REST %s:%d: %s", self.bucket, host, port, e)
        return False

    async def _refresh_round(self, deadline):
        try:
            return await self.refresh(-1, deadline)
        finally:
            self._refreshing = None

    async def settle(self, results, deadline):
        """Requests that met a topology change (`results`, rc in retry_codes): update the
        map (a NOT_MY_VBUCKET answer's config, else a refresh shared with every request
        failing meanwhile; a pause when nothing changed). True when they may go again
        before `deadline` (time.monotonic())."""
        if time.monotonic() >= deadline:
            return False
        applied = False
        for r in results:
            value = getattr(r, "value", None)
            if r.rc == C.NOT_MY_VBUCKET and isinstance(value, bytes) and value:
                try:
                    servers = self.config.servers
                    host = servers[r.server][0] if 0 <= r.server < len(servers) else "127.0.0.1"
                    applied = self._apply(self._parse(value, host))
                except _exc.CouchbaseError:
                    applied = False
                break
        if not applied:
            task = self._refreshing
            if task is None:
                task = self._refreshing = asyncio.ensure_future(self._refresh_round(deadline))
            try:
                applied = await asyncio.shield(task)
            except _exc.CouchbaseError:
                applied = False
        if not applied:
            await asyncio.sleep(min(RETRY_INTERVAL, max(0.0, deadline - time.monotonic())))
        return time.monotonic() < deadline

    def pushed(self, data, server):
        """A configuration a server pushed: applied when newer."""
        try:
            servers = self.config.servers if self.config else []
            host = servers[server][0] if 0 <= server < len(servers) else "127.0.0.1"
            if self._apply(self._parse(data, host)):
                _topo_log.info("bucket %r: applied the configuration pushed by %s", self.bucket,
                               "%s:%d" % servers[server] if 0 <= server < len(servers) else "a server")
        except _exc.CouchbaseError as e:
            _topo_log.debug("bucket %r: a pushed configuration was not applied: %s", self.bucket, e)


async def probe_credentials(loop, hosts, username, password, timeout, face=_exc.MODERN, security=None):
    """The blocking topology's probe_credentials on the event loop: HELLO and SASL (or a
    client certificate) on the first of `hosts` that answers. Returns (None, the
    authenticated bucket-less session, kept for the cluster's nodes and ping) or ((last core
    code, its detail), None) when no host answered; raises the face's authentication or TLS
    error."""
    security = security or Security()
    pre = protocol.hello((protocol.FEATURE_TCPNODELAY, protocol.FEATURE_XERROR))
    last = tls_failure = None
    for host, port in hosts:
        session = AioSession(face, loop, timeout)
        keep = False
        try:
            try:
                session.set_servers([(host, port)])
            except _exc.CouchbaseError as e:
                last = (e.rc, e.message)
                continue
            session.set_prelude(pre)
            security.apply(session.conn, username, password, face)
            r = (await session.raw_run([Request(protocol.OP.NOOP, server=0)], timeout, retry=False))[0]
            if not r.rc:
                keep = True
                return None, session
            detail = session.failure_text(0) or strerror(r.rc)
            if r.rc in (C.AUTH_ERROR, C.ACCESS_DENIED, C.SASLMECH_UNAVAILABLE):
                raise _exc.exception_for(face, r.rc, detail, csrc_info=r.csrc)
            if tls_failure is None and (_exc.code_name(r.rc) or "").startswith("TLS_"):
                tls_failure = _exc.exception_for(face, r.rc, detail, csrc_info=r.csrc)
            last = (r.rc, detail)
        finally:
            if not keep:
                session.close()
    if tls_failure is not None:
        raise tls_failure
    return last or (0, "no host to connect to"), None
