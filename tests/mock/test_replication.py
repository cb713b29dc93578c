"""Each node of the embedded cluster holds its own copies; replication, persistence,
failover and a killed node behave as on a real cluster (couchbase/mock/replication.py)."""
import time
from datetime import timedelta

import pytest

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.durability import Durability, ServerDurability
from couchbase.exceptions import DocumentNotFoundException, DurabilityAmbiguousException, TimeoutException
from couchbase.mock import MockCluster, codec
from couchbase.options import ClusterOptions, ClusterTimeoutOptions, UpsertOptions

pytestmark = [pytest.mark.mock]
NVB = 16


@pytest.fixture
def cluster():
    with MockCluster(nodes=3, replicas=1, vbuckets=NVB, buckets={"default": None}) as c:
        yield c


def collection(cluster, timeout=2.0):
    opts = ClusterOptions(PasswordAuthenticator("Administrator", "password"),
                          timeout_options=ClusterTimeoutOptions(kv_timeout=timedelta(seconds=timeout),
                                                                kv_durable_timeout=timedelta(seconds=timeout)))
    return Cluster(cluster.connstr, opts).bucket("default").default_collection()


def row(cluster, key):
    return cluster.topology.maps["default"].map[codec.vbucket_of(key.encode(), NVB)]


def copy_of(cluster, key, nid):
    """Node nid's copy of the key's document (Item) or None."""
    vb = codec.vbucket_of(key.encode(), NVB)
    c = cluster.bucket("default").node(nid).vbuckets.get(vb)
    return None if c is None else c.items.get((0, key.encode()))


def test_each_node_holds_its_own_copy(cluster):
    coll = collection(cluster)
    coll.upsert("k", {"a": 1})
    active, replica = row(cluster, "k")
    other = ({0, 1, 2} - {active, replica}).pop()
    assert copy_of(cluster, "k", active).value == b'{"a":1}'
    assert copy_of(cluster, "k", replica).value == b'{"a":1}'
    assert copy_of(cluster, "k", other) is None


def test_paused_replication_keeps_the_replica_behind_until_resumed(cluster):
    coll = collection(cluster)
    cluster.pause_replication()
    coll.upsert("k", {"a": 1})
    active, replica = row(cluster, "k")
    assert copy_of(cluster, "k", active) is not None
    assert copy_of(cluster, "k", replica) is None
    cluster.resume_replication()
    assert copy_of(cluster, "k", replica) is not None


def test_failover_promotes_the_replica_as_it_is(cluster):
    coll = collection(cluster)
    coll.upsert("kept", {"v": 1})
    cluster.pause_replication()
    coll.upsert("kept", {"v": 2})     # never reaches the replica
    active, _replica = row(cluster, "kept")
    cluster.failover(active)
    cluster.resume_replication()
    assert coll.get("kept").content_as[dict] == {"v": 1}


def test_majority_waits_for_the_replica_acknowledgement(cluster):
    coll = collection(cluster, timeout=1.0)
    cluster.pause_replication()
    t0 = time.monotonic()
    with pytest.raises((DurabilityAmbiguousException, TimeoutException)):
        coll.upsert("d", {"a": 1}, UpsertOptions(durability=ServerDurability(Durability.MAJORITY)))
    assert time.monotonic() - t0 >= 0.4
    cluster.resume_replication()
    coll.upsert("d", {"a": 2}, UpsertOptions(durability=ServerDurability(Durability.MAJORITY)))
    assert copy_of(cluster, "d", row(cluster, "d")[1]).value == b'{"a":2}'


def test_majority_with_lag_takes_the_lag(cluster):
    coll = collection(cluster)
    cluster.set_replication_lag(0.2)
    t0 = time.monotonic()
    coll.upsert("lag", {"a": 1}, UpsertOptions(durability=ServerDurability(Durability.MAJORITY)))
    assert time.monotonic() - t0 >= 0.2
    coll.upsert("lag2", {"a": 1})  # without durability: answered before the replica has it
    assert copy_of(cluster, "lag2", row(cluster, "lag2")[1]) is None


def test_persist_to_majority_waits_for_the_disk(cluster):
    coll = collection(cluster)
    cluster.set_persist_delay(0.3)
    t0 = time.monotonic()
    coll.upsert("p", {"a": 1}, UpsertOptions(durability=ServerDurability(Durability.PERSIST_TO_MAJORITY)))
    assert time.monotonic() - t0 >= 0.3


def test_killed_node_restarts_from_its_disk(cluster):
    coll = collection(cluster)
    coll.upsert("old", {"a": 1})      # persisted at once
    active = row(cluster, "old")[0]
    key = next("new%d" % i for i in range(1000) if row(cluster, "new%d" % i)[0] == active)
    cluster.set_persist_delay(60)
    coll.upsert(key, {"a": 2})        # in memory only
    cluster.kill_node(active)
    cluster.start_node(active)
    assert coll.get("old").content_as[dict] == {"a": 1}
    with pytest.raises(DocumentNotFoundException):
        coll.get(key)


def test_mutation_hook_sees_active_writes_and_deletes(cluster):
    seen = []
    store = cluster.bucket("default")
    store.add_mutation_listener(lambda cid, key: seen.append((key, store.get(key) is None)))
    coll = collection(cluster)
    coll.upsert("h", {"a": 1})
    coll.remove("h")
    assert seen == [(b"h", False), (b"h", True)]
