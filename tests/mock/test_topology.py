"""topology.py and store.py: maps, failover, rebalance phases, config JSON."""

import json

from couchbase.mock import topology as tp
from couchbase.mock.store import BucketStore, ManualClock


def make(nodes=3, replicas=1, nvb=8):
    t = tp.Topology(num_vbuckets=nvb, replicas=replicas)
    for _ in range(nodes):
        t.new_node().running = True
    t.activate_initial()
    t.create_bucket("default")
    return t


def test_balanced_map_places_replicas_on_other_nodes():
    rows = tp.balanced_map([0, 1, 2], 6, 2)
    assert all(len(set(r)) == 3 for r in rows)
    assert [r[0] for r in rows] == [0, 1, 2, 0, 1, 2]
    assert tp.balanced_map([0], 2, 1) == [[0, -1], [0, -1]]


def test_config_fields_and_order():
    t = make()
    cfg = json.loads(t.config_bytes("default", 1))
    vbsm = cfg["vBucketServerMap"]
    assert len(vbsm["serverList"]) == len(cfg["nodes"]) == len(cfg["nodesExt"]) == 3
    assert cfg["nodesExt"][1]["thisNode"] and cfg["nodes"][1]["thisNode"]
    assert vbsm["numReplicas"] == 1 and "vBucketMapForward" not in vbsm
    assert cfg["collectionsManifestUid"] == "0" and "durableWrite" in cfg["bucketCapabilities"]


def test_failover_promotes_and_bumps_rev():
    t = make()
    rev = t.rev
    before = [list(r) for r in t.maps["default"].map]
    t.failover(0)
    assert t.rev > rev
    for old, new in zip(before, t.maps["default"].map):
        assert 0 not in new
        if old[0] == 0:
            assert new[0] == old[1] and new[1] == -1
    cfg = t.bucket_config("default")
    assert len(cfg["nodesExt"]) == 2


def test_rebalance_publishes_forward_map_then_commits():
    t = make(nodes=2)
    n = t.new_node()
    n.running = True
    target = t.rebalance_plan()
    cfg = t.bucket_config("default")
    assert "vBucketMapForward" in cfg["vBucketServerMap"] and len(cfg["nodesExt"]) == 3
    t.rebalance_commit(target)
    cfg = t.bucket_config("default")
    assert "vBucketMapForward" not in cfg["vBucketServerMap"]
    assert {r[0] for r in cfg["vBucketServerMap"]["vBucketMap"]} == {0, 1, 2}


def test_remove_node_by_rebalance():
    t = make()
    t.rebalance_commit(t.rebalance_plan(eject=[2]))
    assert t.nodes[2].state == tp.EJECTED
    assert all(2 not in r for r in t.maps["default"].map)


def test_listeners_called_on_change():
    t = make()
    seen = []
    t.listeners.append(lambda topo: seen.append(topo.rev))
    t.create_bucket("other")
    assert seen == [t.rev]


def test_store_direct_access_and_manifest():
    clock = ManualClock()
    b = BucketStore("b", num_vbuckets=4, clock=clock)
    b.set("k", {"a": 1}, expiry=5)
    assert b.get("k") == b'{"a":1}' or b.get("k") == b'{"a": 1}'
    clock.advance(6)
    assert b.get("k") is None
    b.manifest.add_scope("s")
    cid = b.manifest.add_collection("s", "c", max_ttl=9)
    b.set("x", b"raw", collection="s.c")
    assert b.item("x", collection="s.c").flags == 0x03000000
    m = b.manifest.to_json()
    assert m["uid"] == "2" and m["scopes"][1]["collections"][0] == {"name": "c", "uid": "%x" % cid,
                                                                    "maxTTL": 9}
