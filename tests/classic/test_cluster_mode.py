"""The classic API in Couchbase-bucket mode against the embedded cluster: bootstrap, routing, locks, replicas."""
import time

import pytest

from couchbase import Couchbase
from couchbase.exceptions import (
    ArgumentError, AuthError, BucketNotFoundError, ConnectError, KeyExistsError, NotFoundError,
    TemporaryFailError,
)
from couchbase.user_constants import OBS_FOUND, OBS_NOTFOUND
from servers import free_port

pytestmark = pytest.mark.mock


@pytest.fixture
def cb(mock_cluster):
    return Couchbase.connect(bucket="default", host="127.0.0.1", port=mock_cluster.rest_port)


def test_connect_with_rest_port_bootstraps(cb, mock_cluster):
    assert len(cb.server_nodes) == len(mock_cluster.nodes)


def test_couchbase_connstr_bootstraps_over_kv(mock_cluster, uniq):
    c = Couchbase.connect(connstr=mock_cluster.connstr + "/default")
    c.set(uniq + "k", 1)
    assert c.get(uniq + "k").value == 1


def test_host_list_skips_dead_host(mock_cluster, uniq):
    c = Couchbase.connect(bucket="default", host=[("127.0.0.1", free_port()), ("127.0.0.1", mock_cluster.rest_port)])
    c.set(uniq + "k", 1)


def test_unknown_bucket_raises_bucket_not_found(mock_cluster):
    with pytest.raises(BucketNotFoundError):
        Couchbase.connect(bucket="no-such-bucket", host="127.0.0.1", port=mock_cluster.rest_port)


def test_wrong_password_raises_auth_error(mock_cluster):
    with pytest.raises(AuthError):
        Couchbase.connect(bucket="secret", password="wrong", host="127.0.0.1", port=mock_cluster.rest_port)


def test_bucket_password_authenticates(mock_cluster, uniq):
    c = Couchbase.connect(bucket="secret", password="s3cret", host="127.0.0.1", port=mock_cluster.rest_port)
    c.set(uniq + "k", "v")
    assert c.get(uniq + "k").value == "v"


def test_nothing_listening_raises_connect_error():
    with pytest.raises(ConnectError):
        Couchbase.connect(bucket="default", host="127.0.0.1", port=free_port(), timeout=1)


def test_bucket_name_is_required(mock_cluster):
    with pytest.raises(ArgumentError):
        Couchbase.connect(host="127.0.0.1", port=mock_cluster.rest_port)


def test_keys_go_to_the_owning_node(cb, mock_cluster, uniq):
    keys = ["%s%d" % (uniq, i) for i in range(200)]
    cb.set_multi(dict.fromkeys(keys, 1))
    from couchbase._core import config as _config

    cfg = _config.parse(mock_cluster.config("default"), "127.0.0.1")
    for k in keys:
        vb, server = cb._vbmap(k)
        assert cfg.vbmap[vb][0] == server


def test_lock_then_set_without_cas_raises_key_exists(cb, uniq):
    cb.set(uniq + "k", 1)
    cb.lock(uniq + "k", ttl=5)
    with pytest.raises(KeyExistsError):
        cb.set(uniq + "k", 2)


def test_lock_of_locked_key_raises_temporary_fail(cb, uniq):
    cb.set(uniq + "k", 1)
    cb.lock(uniq + "k", ttl=5)
    with pytest.raises(TemporaryFailError):
        cb.lock(uniq + "k", ttl=5)


def test_set_with_lock_cas_releases_lock(cb, uniq):
    cb.set(uniq + "k", 1)
    rv = cb.lock(uniq + "k", ttl=5)
    cb.set(uniq + "k", 2, cas=rv.cas)
    cb.set(uniq + "k", 3)
    assert cb.get(uniq + "k").value == 3


def test_unlock_releases_lock(cb, uniq):
    cb.set(uniq + "k", 1)
    rv = cb.lock(uniq + "k", ttl=5)
    cb.unlock(uniq + "k", rv.cas)
    cb.set(uniq + "k", 2)


def test_unlock_with_wrong_cas_raises_temporary_fail(cb, uniq):
    cb.set(uniq + "k", 1)
    rv = cb.lock(uniq + "k", ttl=5)
    with pytest.raises(TemporaryFailError):
        cb.unlock(uniq + "k", rv.cas + 1)


def test_lock_expires(cb, uniq):
    cb.set(uniq + "k", 1)
    cb.lock(uniq + "k", ttl=1)
    time.sleep(1.6)
    cb.set(uniq + "k", 2)


def test_lock_multi_and_unlock_multi(cb, uniq):
    cb.set_multi({uniq + "a": 1, uniq + "b": 2})
    locked = cb.lock_multi([uniq + "a", uniq + "b"], ttl=5)
    assert locked.all_ok
    cb.unlock_multi(locked)
    cb.set_multi({uniq + "a": 3, uniq + "b": 4})


def test_rget_reads_replica(cb, uniq):
    cb.set(uniq + "k", {"r": 1})
    deadline = time.monotonic() + 2
    while True:
        r = cb.rget(uniq + "k", quiet=True)
        if r.success or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert r.value == {"r": 1}


def test_rget_missing_raises_not_found(cb, uniq):
    with pytest.raises(NotFoundError):
        cb.rget(uniq + "missing")


def test_observe_reports_master_and_replica(cb, uniq):
    cb.set(uniq + "k", 1)
    infos = cb.observe(uniq + "k").value
    assert any(i.from_master for i in infos)
    assert all(i.flags in (OBS_FOUND, 1) for i in infos if i.from_master)


def test_observe_missing_key_reports_not_found(cb, uniq):
    infos = cb.observe(uniq + "nokey").value
    assert infos and all(i.flags == OBS_NOTFOUND for i in infos)


def test_stats_lists_every_node(cb, mock_cluster):
    st = cb.stats()
    some = next(iter(st.values()))
    assert len(some) == len(mock_cluster.nodes)


def test_operations_survive_failover(mock_cluster_factory, uniq):
    with mock_cluster_factory(nodes=3, replicas=1, vbuckets=64) as cluster:
        c = Couchbase.connect(bucket="default", host="127.0.0.1", port=cluster.rest_port, timeout=5)
        keys = ["%s%d" % (uniq, i) for i in range(300)]
        c.set_multi({k: k for k in keys})
        cluster.failover(1)
        res = c.get_multi(keys)
        assert all(res[k].value == k for k in keys)


def test_nmv_from_stale_map_is_retried_transparently(mock_cluster_factory, uniq):
    with mock_cluster_factory(nodes=2, replicas=0, vbuckets=16) as cluster:
        c = Couchbase.connect(bucket="default", host="127.0.0.1", port=cluster.rest_port, timeout=5)
        keys = ["%s%d" % (uniq, i) for i in range(100)]
        c.set_multi({k: 1 for k in keys})
        cluster.add_node()
        cluster.rebalance()
        c.set_multi({k: 2 for k in keys})
        assert all(r.value == 2 for r in c.get_multi(keys).values())


def test_set_with_persist_and_replicate_waits_and_succeeds(cb, uniq):
    r = cb.set(uniq + "k", 1, persist_to=1, replicate_to=1)
    assert r.success and cb.get(uniq + "k").value == 1


def test_set_multi_with_replicate_to_succeeds(cb, uniq):
    res = cb.set_multi({uniq + "a": 1, uniq + "b": 2}, replicate_to=-1)
    assert res.all_ok


def test_durability_beyond_replicas_raises_before_sending(cb, uniq):
    with pytest.raises(ArgumentError) as ei:
        cb.set(uniq + "k", 1, replicate_to=2)
    assert ei.value.rc == 0x21
    assert cb.get(uniq + "k", quiet=True).success is False


def test_endure_after_set(cb, uniq):
    cas = cb.set(uniq + "k", 1).cas
    assert cb.endure(uniq + "k", persist_to=2, replicate_to=1, cas=cas).success


def test_delete_with_durability_waits_for_removal(cb, uniq):
    cb.set(uniq + "k", 1)
    assert cb.delete(uniq + "k", replicate_to=1).success


def test_endure_multi_rejects_duplicate_keys(cb, uniq):
    with pytest.raises(ArgumentError) as ei:
        cb.endure_multi([uniq + "k", uniq + "k"])
    assert ei.value.rc == 0x22


def test_single_get_after_nmv_retry_reports_the_final_outcome(cb, mock_cluster, uniq):
    mock_cluster.hooks.force_status(0x07, count=1, opcode=0x00)  # NOT_MY_VBUCKET once, then the real answer
    try:
        with pytest.raises(NotFoundError):
            cb.get(uniq + "missing")
    finally:
        mock_cluster.hooks.clear()


def test_single_set_after_nmv_retry_succeeds(cb, mock_cluster, uniq):
    mock_cluster.hooks.force_status(0x07, count=1, opcode=0x01)
    try:
        assert cb.set(uniq + "k", "v").success
    finally:
        mock_cluster.hooks.clear()
    assert cb.get(uniq + "k").value == "v"
