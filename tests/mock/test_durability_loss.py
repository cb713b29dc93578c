"""The embedded cluster loses data the way a real one does, and durability prevents it.

A stream of writes runs against 3 nodes with 1 replica and a replication lag; midway,
node 1 is killed (its memory and the mutations its streams had not delivered are gone)
and failed over (its replicas are promoted as they are). Writes acknowledged with
durability (MAJORITY in the modern API, replicate_to=1 in the classic one) must all read
back; writes without it must show losses: the cluster is able to lose them.
"""
import threading
import time
from datetime import timedelta

import pytest

from couchbase import Couchbase
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.durability import Durability, ServerDurability
from couchbase.exceptions import CouchbaseError, CouchbaseException
from couchbase.options import ClusterOptions, ClusterTimeoutOptions, UpsertMultiOptions

pytestmark = [pytest.mark.mock]

LAG = 0.2          # seconds a mutation takes to reach the replica
VICTIM = 1


def lost(read_many, acked):
    """Keys acknowledged with a value that does not read back as that value."""
    keys = list(acked)
    got = {}
    for i in range(0, len(keys), 500):
        got.update(read_many(keys[i:i + 500]))
    return sorted(k for k, v in acked.items() if got.get(k) != v)


class Writer(threading.Thread):
    """Writes batches until told to stop; `write(prefix, start)` returns {key: value} acked."""

    def __init__(self, write, prefix):
        super().__init__(daemon=True)
        self.write, self.prefix = write, prefix
        self.acked = {}
        self.errors = 0
        self.stop = threading.Event()
        self.batches = 0

    def run(self):
        n = 0
        while not self.stop.is_set():
            ok, bad = self.write(self.prefix, n)
            self.acked.update(ok)
            self.errors += bad
            n += 1
            self.batches = n
            time.sleep(0.01)  # a steady stream, not a flood


def run_stream(cluster, durable_write, plain_write, settle=1.0):
    """Durable and plain writers run; node VICTIM is killed and failed over midway."""
    writers = [Writer(durable_write, "d"), Writer(plain_write, "p")]
    for w in writers:
        w.start()
    while min(w.batches for w in writers) < 3:
        time.sleep(0.01)
    cluster.kill_node(VICTIM)
    cluster.failover(VICTIM)
    time.sleep(settle)  # writes go on against the new topology
    for w in writers:
        w.stop.set()
    for w in writers:
        w.join(30)
        assert not w.is_alive()
    return writers


def test_majority_writes_survive_a_killed_node_and_plain_writes_do_not(mock_cluster_factory):
    with mock_cluster_factory(nodes=3, replicas=1, vbuckets=64, replication_lag=LAG) as cluster:
        opts = ClusterOptions(PasswordAuthenticator("Administrator", "password"),
                              timeout_options=ClusterTimeoutOptions(kv_timeout=timedelta(seconds=2),
                                                                    kv_durable_timeout=timedelta(seconds=2)))
        c1, c2 = Cluster(cluster.connstr, opts), Cluster(cluster.connstr, opts)
        durable_coll = c1.bucket("default").default_collection()
        plain_coll = c2.bucket("default").default_collection()
        majority = UpsertMultiOptions(durability=ServerDurability(Durability.MAJORITY), return_exceptions=True)
        plain = UpsertMultiOptions(return_exceptions=True)

        def durable_write(prefix, n):
            docs = {"%s-%d-%d" % (prefix, n, i): {"n": n, "i": i} for i in range(20)}
            res = durable_coll.upsert_multi(docs, majority)
            assert all(isinstance(e, CouchbaseException) for e in res.exceptions.values())
            return {k: docs[k] for k in res.results}, len(res.exceptions)

        def plain_write(prefix, n):
            docs = {"%s-%d-%d" % (prefix, n, i): {"n": n, "i": i} for i in range(100)}
            res = plain_coll.upsert_multi(docs, plain)
            return {k: docs[k] for k in res.results}, len(res.exceptions)

        durable, nondurable = run_stream(cluster, durable_write, plain_write)

        reader = Cluster(cluster.connstr, opts).bucket("default").default_collection()

        def read(keys):
            res = reader.get_multi(keys)
            return {k: r.content_as[dict] for k, r in res.results.items()}

        durable_lost = lost(read, durable.acked)
        plain_lost = lost(read, nondurable.acked)
        print("modern: durable acked %d lost %d; plain acked %d lost %d"
              % (len(durable.acked), len(durable_lost), len(nondurable.acked), len(plain_lost)))
        assert len(durable.acked) >= 40
        assert durable_lost == []
        assert len(plain_lost) > 0


def test_replicate_to_writes_survive_a_killed_node_and_plain_writes_do_not(mock_cluster_factory):
    with mock_cluster_factory(nodes=3, replicas=1, vbuckets=64, replication_lag=LAG) as cluster:
        def connect():
            return Couchbase.connect(bucket="default", host="127.0.0.1", port=cluster.rest_port, timeout=2)

        durable_conn, plain_conn = connect(), connect()

        def durable_write(prefix, n):
            ok, bad = {}, 0
            for i in range(5):
                k, v = "%s-%d-%d" % (prefix, n, i), {"n": n, "i": i}
                try:
                    durable_conn.set(k, v, replicate_to=1)
                    ok[k] = v
                except CouchbaseError:
                    bad += 1
            return ok, bad

        def plain_write(prefix, n):
            docs = {"%s-%d-%d" % (prefix, n, i): {"n": n, "i": i} for i in range(100)}
            try:
                plain_conn.set_multi(docs)
                return docs, 0
            except CouchbaseError as e:
                ok = {k: docs[k] for k, r in e.all_results.items() if r.success}
                return ok, len(docs) - len(ok)

        durable, nondurable = run_stream(cluster, durable_write, plain_write)

        reader = connect()

        def read(keys):
            return {k: r.value for k, r in reader.get_multi(keys, quiet=True).items()}

        durable_lost = lost(read, durable.acked)
        plain_lost = lost(read, nondurable.acked)
        print("classic: replicate_to=1 acked %d lost %d; plain acked %d lost %d"
              % (len(durable.acked), len(durable_lost), len(nondurable.acked), len(plain_lost)))
        assert len(durable.acked) >= 10
        assert durable_lost == []
        assert len(plain_lost) > 0
