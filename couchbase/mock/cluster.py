"""The running cluster: per-node servers on an asyncio loop, and MockCluster, the
thread-side API that starts the loop in a daemon thread."""

import asyncio
import logging
import threading

from . import topology as tp
from .engine import Engine
from .hooks import Hooks
from .http import HttpProtocol
from .memd import MemdProtocol
from .rest import CapiService, RestService
from .samples import load_sample
from .views import ViewService

#: the embedded cluster's events (nodes up and down, failovers, rebalances, buckets); never
#: one record per request
LOG = logging.getLogger("couchbase.mock")


class NodeServer:
    """The three listening ports of one node and their open connections."""

    def __init__(self, core, node):
        self.core = core
        self.node = node
        self.engine = core.engine
        self.hooks = core.hooks
        self.kv_conns = set()
        self.http_conns = set()
        self.servers = []
        self.rest = RestService(core, node)
        self.capi = CapiService(core, node)

    async def start(self, rest_port=0):
        loop = asyncio.get_running_loop()
        host = self.node.host
        kv = await loop.create_server(lambda: MemdProtocol(self), host, self.node.kv_port)
        rest = await loop.create_server(
            lambda: HttpProtocol(self.rest.handle, self.http_conns), host,
            self.node.rest_port or rest_port)
        capi = await loop.create_server(
            lambda: HttpProtocol(self.capi.handle, self.http_conns), host,
            self.node.capi_port)
        self.servers = [kv, rest, capi]
        self.node.kv_port = kv.sockets[0].getsockname()[1]
        self.node.rest_port = rest.sockets[0].getsockname()[1]
        self.node.capi_port = capi.sockets[0].getsockname()[1]
        if self.core.tls_context is not None:
            await self._start_tls(loop, host)
        self.node.running = True
        LOG.info("node %d listening on %s: kv %d, rest %d, views %d%s", self.node.id, host, self.node.kv_port,
                 self.node.rest_port, self.node.capi_port,
                 ", TLS kv %d rest %d" % (self.node.kv_tls_port, self.node.rest_tls_port)
                 if self.core.tls_context is not None else "")

    async def _start_tls(self, loop, host):
        """The TLS twins of the three ports (same services, kvSSL/mgmtSSL/capiSSL)."""
        ctx = self.core.tls_context
        n = self.node
        kv = await loop.create_server(lambda: MemdProtocol(self), host, n.kv_tls_port, ssl=ctx)
        rest = await loop.create_server(lambda: HttpProtocol(self.rest.handle, self.http_conns), host,
                                        n.rest_tls_port, ssl=ctx)
        capi = await loop.create_server(lambda: HttpProtocol(self.capi.handle, self.http_conns), host,
                                        n.capi_tls_port, ssl=ctx)
        self.servers += [kv, rest, capi]
        n.kv_tls_port = kv.sockets[0].getsockname()[1]
        n.rest_tls_port = rest.sockets[0].getsockname()[1]
        n.capi_tls_port = capi.sockets[0].getsockname()[1]

    async def stop(self):
        self.node.running = False
        for s in self.servers:
            s.close()
        for c in list(self.kv_conns) + list(self.http_conns):
            if c.transport is not None:
                c.transport.abort()
        for s in self.servers:
            await s.wait_closed()
        self.servers = []
        LOG.info("node %d stopped", self.node.id)


class ClusterCore:
    """Owns the topology, the engine and the node servers. Runs on the loop thread only."""

    def __init__(self, host="127.0.0.1", nodes=1, replicas=0, vbuckets=1024, buckets=None,
                 users=None, collections=(), port=0, rebalance_delay=0.1, clock=None, kv_port=0, tls=False,
                 no_plain=False, client_cert=False, tls_cert=None):
        self.host = host
        #: ClusterCertificates and the nodes' TLS context when TLS is on (client_cert: True
        #: for the cluster's CA, or a CA file path; tls_cert: (cert, key) the nodes serve)
        self.certs = None
        self.tls_context = None
        if tls:
            from .certs import ClusterCertificates
            self.certs = ClusterCertificates(host, tls_cert,
                                             client_cert if isinstance(client_cert, str) else None)
            self.tls_context = self.certs.server_context(bool(client_cert))
        self.num_nodes = nodes
        self.port = port
        self.kv_port = kv_port
        self.rebalance_delay = rebalance_delay
        self.topo = tp.Topology(host, users, vbuckets, replicas, clock)
        self.engine = Engine(self.topo)
        self.engine.no_plain = no_plain
        self.hooks = Hooks()
        self.servers = {}
        self.loop = None
        self.views = ViewService(self)
        self.views_handler = self.views.handle     # the CAPI port's handler (tests may replace it)
        self._buckets = {"default": None} if buckets is None else dict(buckets)
        self._collections = list(collections)
        self._rebalance_task = None
        self.topo.listeners.append(self._push_configs)

    async def start(self):
        self.loop = asyncio.get_running_loop()
        self.topo.replication.loop = self.loop
        for i in range(self.num_nodes):
            node = self.topo.new_node()
            if i == 0 and self.kv_port:
                node.kv_port = self.kv_port
            srv = self.servers[node.id] = NodeServer(self, node)
            await srv.start(self.port if i == 0 else 0)
        self.topo.activate_initial()
        for name, password in self._buckets.items():
            self.create_bucket(name, password)
        for spec in self._collections:
            self.create_collection(*spec)

    async def stop(self):
        await self.views.stop()
        for srv in self.servers.values():
            if srv.node.running:
                await srv.stop()
        if self.certs is not None:
            self.certs.remove()

    def _push_configs(self, topo):
        for srv in self.servers.values():
            for conn in list(srv.kv_conns):
                conn.push_config(topo)

    # -- buckets and collections -------------------------------------------------------------------
    def create_bucket(self, name, password=None, replicas=None, num_vbuckets=None, **kw):
        bucket = self.topo.create_bucket(name, password, replicas, num_vbuckets, **kw)
        LOG.info("bucket %r created", name)
        return bucket

    def delete_bucket(self, name):
        self.topo.delete_bucket(name)
        LOG.info("bucket %r deleted", name)
        for srv in self.servers.values():
            for conn in list(srv.kv_conns):
                if conn.session.bucket == name:
                    conn.transport.close()

    def create_collection(self, bucket, scope, collection=None, max_ttl=0):
        m = self.topo.buckets[bucket].manifest
        if scope not in m.scopes:
            m.add_scope(scope)
        if collection is not None:
            m.add_collection(scope, collection, max_ttl)
        self.topo.changed()

    def drop_collection(self, bucket, scope, collection):
        b = self.topo.buckets[bucket]
        b.drop_collection_items(b.manifest.drop_collection(scope, collection))
        self.topo.changed()

    # -- topology ------------------------------------------------------------------------------------
    async def failover(self, nid):
        self.topo.failover(nid)
        LOG.warning("node %d failed over (config revision %d)", nid, self.topo.rev)

    async def add_node(self):
        node = self.topo.new_node()
        srv = self.servers[node.id] = NodeServer(self, node)
        await srv.start()
        return node

    async def rebalance(self, eject=()):
        target = self.topo.rebalance_plan(eject)
        LOG.info("rebalance started%s", " (ejecting nodes %s)" % sorted(eject) if eject else "")
        await asyncio.sleep(self.rebalance_delay)
        self.topo.rebalance_commit(target)
        LOG.info("rebalance done (config revision %d)", self.topo.rev)
        for srv in self.servers.values():
            if srv.node.state == tp.EJECTED and srv.node.running:
                await srv.stop()

    def start_rebalance(self, eject=()):
        self._rebalance_task = self.loop.create_task(self.rebalance(eject))
        return self._rebalance_task

    async def remove_node(self, nid):
        await self.rebalance([nid])

    async def stop_node(self, nid):
        srv = self.servers[nid]
        if srv.node.running:
            await srv.stop()

    async def start_node(self, nid):
        srv = self.servers[nid]
        if not srv.node.running:
            await srv.start()

    async def kill_node(self, nid):
        """The node's process dies: ports close, memory and queued replication are lost;
        start_node() restarts it from what it had persisted."""
        await self.stop_node(nid)
        self.topo.replication.kill(nid)
        LOG.warning("node %d killed: what it had not persisted is lost", nid)

    def info(self):
        active = self.topo.config_nodes()
        first = active[0] if active else next(iter(self.topo.nodes.values()))
        info = {"rest_port": first.rest_port,
                "connstr": "couchbase://%s:%d" % (self.host, first.kv_port),
                "nodes": [{"host": n.host, "rest": n.rest_port, "kv": n.kv_port,
                           "capi": n.capi_port} for n in active],
                "buckets": list(self.topo.buckets)}
        if self.certs is not None:
            info["ca_cert"] = self.certs.ca_cert
            info["connstr_tls"] = "couchbases://%s:%d" % (self.host, first.kv_tls_port)
            for entry, n in zip(info["nodes"], active):
                entry.update(kv_tls=n.kv_tls_port, rest_tls=n.rest_tls_port)
        return info


class MockCluster:
    """An embedded cluster whose event loop runs in a daemon thread.

    ``MockCluster(nodes=3, replicas=1, vbuckets=64, buckets={"default": None,
    "secret": "pw"}, users={"Administrator": "password"},
    collections=[("default", "inventory", "airline")])``. Node numbers used by
    failover/stop_node/... are node ids: 0..nodes-1 at start, then one more per add_node().
    TLS: ``tls=True`` (TLS twins of every port), ``no_plain=True`` (SASL PLAIN refused),
    ``client_cert=True`` or a CA path (client certificates required on the TLS ports),
    ``tls_cert=(cert, key)`` (serve this certificate instead of the cluster's own).
    """

    def __init__(self, nodes=1, replicas=0, vbuckets=1024, buckets=None, users=None,
                 collections=(), host="127.0.0.1", port=0, rebalance_delay=0.1, clock=None,
                 replication_lag=0.0, persist_delay=0.0, kv_port=0, tls=False, no_plain=False, client_cert=False,
                 tls_cert=None):
        if not host.startswith("127.") and host not in ("localhost", "::1"):
            raise ValueError("the mock listens on loopback addresses only")
        colls = []
        for c in collections:
            if isinstance(c, str):
                c = tuple(c.split("."))
            colls.append(tuple(c))
        self.core = ClusterCore(host, nodes, replicas, vbuckets, buckets,
                                users if users is not None else {"Administrator": "password"},
                                colls, port, rebalance_delay, clock, kv_port, tls, no_plain, client_cert,
                                tls_cert)
        self.core.topo.replication.set_lag(replication_lag)
        self.core.topo.replication.set_persist_delay(persist_delay)
        self._thread = None
        self._loop = None

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self):
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure = []

        def run():
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.core.start())
            except BaseException as e:   # report bind errors to the caller
                failure.append(e)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.core.stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="couchbase-mock", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread = None
            raise failure[0]
        return self

    def stop(self):
        if self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _call(self, coro, timeout=60):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _sync(self, fn, *args, **kw):
        async def wrapper():
            return fn(*args, **kw)
        return self._call(wrapper())

    # -- information ---------------------------------------------------------------------------------
    @property
    def topology(self):
        return self.core.topo

    @property
    def hooks(self):
        return self.core.hooks

    @property
    def connstr(self):
        return self.info()["connstr"]

    @property
    def rest_port(self):
        return self.info()["rest_port"]

    @property
    def nodes(self):
        """Every node ever created, indexed by node id: host, ports, state, running."""
        return [dict(n.ports(), id=n.id, state=n.state, running=n.running)
                for n in self.core.topo.nodes.values()]

    def info(self):
        """The object the command line writes to its ready file."""
        return self._sync(self.core.info)

    @property
    def connstr_tls(self):
        """``couchbases://`` to node 0's TLS KV port (a cluster started with ``tls=True``)."""
        return self.info()["connstr_tls"]

    @property
    def ca_cert(self):
        """Path of the cluster CA's certificate (PEM), None without TLS."""
        return self.core.certs.ca_cert if self.core.certs is not None else None

    def issue_client_cert(self, user):
        """(certificate path, key path): a client certificate for `user` from the cluster's CA."""
        return self.core.certs.issue_client_cert(user)

    def bucket(self, name):
        """Direct access to a bucket's documents (BucketStore) for tests."""
        return self.core.topo.buckets[name]

    def config(self, bucket=None, node=0):
        """The terse config JSON a node serves (bytes, with $HOST)."""
        return self._sync(self.core.topo.config_bytes, bucket, node)

    # -- control ---------------------------------------------------------------------------------------
    def failover(self, i):
        self._call(self.core.failover(i))

    def add_node(self):
        """Start a new node (not yet serving data; call rebalance()). Returns its id."""
        return self._call(self.core.add_node()).id

    def remove_node(self, i):
        self._call(self.core.remove_node(i))

    def rebalance(self, eject=()):
        self._call(self.core.rebalance(list(eject)))

    def stop_node(self, i):
        self._call(self.core.stop_node(i))

    def kill_node(self, i):
        """Node `i` dies: ports close and its memory is lost (writes it had not persisted,
        and what its replication streams had not delivered); start_node(i) restarts it
        from its disk."""
        self._call(self.core.kill_node(i))

    # -- replication and persistence -----------------------------------------------------------
    def set_replication_lag(self, seconds):
        """Seconds from a write on an active copy to its arrival on the replicas (0: at once)."""
        self._sync(self.core.topo.replication.set_lag, seconds)

    def set_persist_delay(self, seconds):
        """Seconds from a change of a copy to its simulated disk (0: at once)."""
        self._sync(self.core.topo.replication.set_persist_delay, seconds)

    def pause_replication(self):
        """Every replication stream holds its mutations until resume_replication()."""
        self._sync(self.core.topo.replication.pause)

    def resume_replication(self):
        self._sync(self.core.topo.replication.resume)

    def start_node(self, i):
        self._call(self.core.start_node(i))

    def create_bucket(self, name, password=None, replicas=None, num_vbuckets=None, **kw):
        self._sync(self.core.create_bucket, name, password, replicas, num_vbuckets, **kw)
        return self.bucket(name)

    def delete_bucket(self, name):
        self._sync(self.core.delete_bucket, name)

    def create_collection(self, bucket, scope, collection=None, max_ttl=0):
        self._sync(self.core.create_collection, bucket, scope, collection, max_ttl)

    def drop_collection(self, bucket, scope, collection):
        self._sync(self.core.drop_collection, bucket, scope, collection)

    def load_sample(self, name, path):
        """Load a sample zip into bucket ``name`` (created if missing)."""
        def do():
            if name not in self.core.topo.buckets:
                self.core.create_bucket(name)
            return load_sample(self.core.topo.buckets[name], path)
        return self._sync(do)
