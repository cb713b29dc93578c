"""Key-value traffic over TLS against the embedded cluster, both faces, single and multi."""
import pytest

from badcerts import PASSWORD, USER

pytestmark = pytest.mark.mock


def _modern(cluster, **opts):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    auth = PasswordAuthenticator(USER, PASSWORD, cert_path=cluster.ca_cert)
    return Cluster(cluster.connstr_tls, ClusterOptions(auth, **opts))


def _kv_sockets(cluster):
    """(TLS, plaintext) counts of the KV connections the cluster's nodes hold open."""
    tls = plain = 0
    for srv in cluster.core.servers.values():
        for conn in list(srv.kv_conns):
            if conn.transport.get_extra_info("ssl_object") is not None:
                tls += 1
            else:
                plain += 1
    return tls, plain


def test_ready_file_lists_tls_ports_and_ca(tls_cluster):
    info = tls_cluster.info()
    assert info["connstr_tls"] == "couchbases://127.0.0.1:%d" % info["nodes"][0]["kv_tls"]
    assert open(info["ca_cert"]).read().startswith("-----BEGIN CERTIFICATE-----")
    for node in info["nodes"]:
        assert {"kv_tls", "rest_tls"} <= set(node)
        assert node["kv_tls"] not in (node["kv"], node["rest"])


def test_config_advertises_tls_ports_in_nodes_ext(tls_cluster):
    import json

    cfg = json.loads(tls_cluster.config("default"))
    info = tls_cluster.info()
    for ext, node in zip(cfg["nodesExt"], info["nodes"]):
        assert ext["services"]["kvSSL"] == node["kv_tls"]
        assert ext["services"]["mgmtSSL"] == node["rest_tls"]
        assert "capiSSL" in ext["services"]


def test_modern_single_and_multi_ops_over_tls(tls_cluster):
    cluster = _modern(tls_cluster)
    coll = cluster.bucket("default").default_collection()
    coll.upsert("tls-modern", {"over": "tls"})
    assert coll.get("tls-modern").content_as[dict] == {"over": "tls"}
    docs = {"tls-modern-%d" % i: {"i": i} for i in range(100)}
    assert coll.upsert_multi(docs).all_ok
    got = coll.get_multi(list(docs))
    assert {k: v.content_as[dict] for k, v in got.results.items()} == docs
    cluster.close()


def test_every_data_socket_of_a_tls_client_is_tls(make_tls_cluster):
    private = make_tls_cluster(nodes=3, replicas=1)
    cluster = _modern(private)
    coll = cluster.bucket("default").default_collection()
    assert coll.upsert_multi({"k%d" % i: i for i in range(200)}).all_ok
    tls, plain = _kv_sockets(private)
    assert (tls >= 3, plain) == (True, 0)
    cluster.close()


def test_classic_connstr_single_and_multi_ops_over_tls(tls_cluster):
    from couchbase import Couchbase

    conn = Couchbase.connect(connstr="%s/default?certpath=%s" % (tls_cluster.connstr_tls, tls_cluster.ca_cert))
    conn.set("tls-classic", "v1")
    assert conn.get("tls-classic").value == "v1"
    conn.set_multi({"tls-classic-%d" % i: i for i in range(100)})
    res = conn.get_multi(["tls-classic-%d" % i for i in range(100)])
    assert sorted(r.value for r in res.values()) == list(range(100))


def test_classic_certpath_bootstraps_over_https(tls_cluster):
    """host/port/certpath: the REST bootstrap itself goes over HTTPS, then KV over TLS."""
    from couchbase import Couchbase

    port = tls_cluster.info()["nodes"][0]["rest_tls"]
    conn = Couchbase.connect(bucket="secret", password="s3cret", host="127.0.0.1", port=port,
                             certpath=tls_cluster.ca_cert)
    conn.set("tls-https", {"a": 1})
    assert conn.get("tls-https").value == {"a": 1}


def test_enable_tls_option_with_couchbase_scheme_uses_tls_ports(tls_cluster):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    kv_tls = tls_cluster.info()["nodes"][0]["kv_tls"]
    cluster = Cluster("couchbase://127.0.0.1:%d" % kv_tls,
                      ClusterOptions(PasswordAuthenticator(USER, PASSWORD), enable_tls=True,
                                     trust_store_path=tls_cluster.ca_cert))
    coll = cluster.bucket("default").default_collection()
    coll.upsert("tls-enable", 1)
    assert coll.get("tls-enable").content_as[int] == 1
    cluster.close()


def test_tls_verify_none_accepts_an_untrusted_certificate(tls_cluster):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions, TLSVerifyMode

    cluster = Cluster(tls_cluster.connstr_tls, ClusterOptions(PasswordAuthenticator(USER, PASSWORD),
                                                              tls_verify=TLSVerifyMode.NONE))
    coll = cluster.bucket("default").default_collection()
    coll.upsert("tls-noverify", 2)
    assert coll.get("tls-noverify").content_as[int] == 2
    cluster.close()


def test_idle_tls_socket_is_reused_not_reopened(make_tls_cluster):
    """The probe of an idle socket reads through its TLS session: a live socket passes it
    and serves the next run (no new connection)."""
    import time

    from couchbase import Couchbase

    private = make_tls_cluster(nodes=1)
    conn = Couchbase.connect(connstr="%s/default?certpath=%s" % (private.connstr_tls, private.ca_cert))
    conn.set("idle", 1)
    before = {id(c) for srv in private.core.servers.values() for c in srv.kv_conns}
    time.sleep(0.3)  # longer than the stale-probe idle threshold
    assert conn.get("idle").value == 1
    assert {id(c) for srv in private.core.servers.values() for c in srv.kv_conns} == before


def test_large_values_cross_many_tls_records(tls_cluster):
    """Values far larger than a TLS record (16 KiB) and batches far larger than the socket
    buffer: partial writes, records split across reads and data held inside the session."""
    from couchbase import FMT_BYTES, Couchbase

    conn = Couchbase.connect(connstr="%s/default?certpath=%s" % (tls_cluster.connstr_tls, tls_cluster.ca_cert),
                             timeout=20)
    big = {"tls-big-%d" % i: b"v" + bytes([i % 251]) * (64 * 1024 + i) for i in range(100)}
    conn.set_multi(big, format=FMT_BYTES)
    got = conn.get_multi(list(big))
    assert {k: r.value for k, r in got.items()} == big
    huge = b"\xab" * (5 * 1024 * 1024 + 7)
    conn.set("tls-huge", huge, format=FMT_BYTES)
    assert conn.get("tls-huge").value == huge


def test_silent_server_on_the_tls_port_times_out_naming_the_handshake(tls_cluster):
    import time

    from servers import FakeServer

    from couchbase import Couchbase
    from couchbase.exceptions import CouchbaseError

    with FakeServer("silent") as srv:
        t0 = time.monotonic()
        with pytest.raises(CouchbaseError) as info:
            Couchbase.connect(connstr="couchbases://127.0.0.1:%d/default?certpath=%s" % (srv.port, tls_cluster.ca_cert),
                              timeout=0.5)
        assert time.monotonic() - t0 < 0.5 + 0.5
    assert "TLS handshake took longer than the timeout" in str(info.value)


def test_classic_configuration_cache_over_tls_connects_to_the_tls_ports(tls_cluster, tmp_path, monkeypatch):
    """A cached config bootstraps a TLS connection on the nodes' TLS ports (the cache holds
    the config as served: both port sets), with no HTTP bootstrap."""
    from couchbase import Couchbase
    from couchbase._core import http as _http
    from couchbase._libcouchbase import LCB_CNTL_CONFIG_CACHE_LOADED

    path = str(tmp_path / "cache")
    port = tls_cluster.info()["nodes"][0]["rest_tls"]
    c1 = Couchbase.connect(bucket="default", host="127.0.0.1", port=port, certpath=tls_cluster.ca_cert,
                           config_cache=path)
    c1.set("tls-cached", 1)

    def no_http(*a, **kw):
        raise AssertionError("the HTTP bootstrap ran although the cache is valid")

    monkeypatch.setattr(_http, "first_streamed_config", no_http)
    c2 = Couchbase.connect(bucket="default", host="127.0.0.1", port=port, certpath=tls_cluster.ca_cert,
                           config_cache=path)
    assert c2._cntl(LCB_CNTL_CONFIG_CACHE_LOADED) == 1
    assert c2.get("tls-cached").value == 1
    assert {p for _h, p in c2._session.topology.config.servers} == {n["kv_tls"] for n in tls_cluster.info()["nodes"]}
