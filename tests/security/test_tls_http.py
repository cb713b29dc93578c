"""Views, design documents and management REST over HTTPS (``couchbases://``): the HTTP
client wraps its sockets in TLS where it makes them (``open_socket``), talks to the TLS
ports the config advertises (capiSSL, mgmtSSL), and refuses a bad certificate or a
plaintext port with the TLS exception classes."""
import pytest

from badcerts import PASSWORD, USER
from couchbase._core import http as _http
from couchbase._core.tls import TLSSettings

pytestmark = pytest.mark.mock

POSTS = {"post-1": {"title": "First", "date": "2013-01-10"}, "post-2": {"title": "Second", "date": "2013-03-02"}}
RECENT = {"views": {"recent": {"map": "function (doc) { if (doc.date) { emit(doc.date, doc.title); } }"}}}


@pytest.fixture
def sockets(monkeypatch):
    """(host, port, over TLS) of every HTTP socket the client opens during the test."""
    made = []
    real = _http.open_socket

    def spy(host, port, timeout, tls=None):
        made.append((host, port, tls is not None))
        return real(host, port, timeout, tls)

    monkeypatch.setattr(_http, "open_socket", spy)
    return made


def _tls_ports(cluster, attr):
    return {n.__getattribute__(attr) for n in cluster.core.topo.nodes.values()}


def _modern(cluster):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    return Cluster(cluster.connstr_tls, ClusterOptions(PasswordAuthenticator(USER, PASSWORD, cert_path=cluster.ca_cert)))


def test_classic_views_and_design_documents_go_over_https(tls_cluster, sockets):
    from couchbase import Couchbase

    conn = Couchbase.connect(connstr="%s/default?certpath=%s" % (tls_cluster.connstr_tls, tls_cluster.ca_cert))
    conn.set_multi(POSTS)
    conn.design_create("tlsblog", RECENT, use_devmode=False, syncwait=10)
    rows = list(conn.query("tlsblog", "recent", descending=True, stale=False))
    assert [(r.key, r.value) for r in rows] == [("2013-03-02", "Second"), ("2013-01-10", "First")]
    conn.design_delete("tlsblog", use_devmode=False, syncwait=10)
    capi_tls = _tls_ports(tls_cluster, "capi_tls_port")
    assert sockets and all(tls and port in capi_tls for _h, port, tls in sockets)


def test_modern_view_query_and_index_manager_go_over_https(tls_cluster, sockets):
    from couchbase.management.views import DesignDocument, DesignDocumentNamespace, View
    from couchbase.options import ViewOptions
    from couchbase.views import ViewScanConsistency

    cluster = _modern(tls_cluster)
    try:
        bucket = cluster.bucket("default")
        bucket.default_collection().upsert_multi(POSTS)
        manager = bucket.view_indexes()
        manager.upsert_design_document(DesignDocument("tlsdates", {"recent": View(RECENT["views"]["recent"]["map"])}),
                                       DesignDocumentNamespace.PRODUCTION)
        result = bucket.view_query("tlsdates", "recent", ViewOptions(
            namespace=DesignDocumentNamespace.PRODUCTION, scan_consistency=ViewScanConsistency.REQUEST_PLUS))
        assert [row.key for row in result.rows()] == ["2013-01-10", "2013-03-02"]
        manager.drop_design_document("tlsdates", DesignDocumentNamespace.PRODUCTION)
    finally:
        cluster.close()
    capi_tls = _tls_ports(tls_cluster, "capi_tls_port")
    assert sockets and all(tls and port in capi_tls for _h, port, tls in sockets)


def test_modern_management_goes_over_https(tls_cluster, sockets):
    from couchbase.management.collections import CollectionSpec
    from couchbase.management.users import Role, User

    cluster = _modern(tls_cluster)
    try:
        assert "default" in [b.name for b in cluster.buckets().get_all_buckets()]
        users = cluster.users()
        users.upsert_user(User(username="tls-user", password="tls-secret", roles=[Role(name="data_reader",
                                                                                    bucket="default")]))
        assert [r.name for r in users.get_user("tls-user").user.roles] == ["data_reader"]
        users.drop_user("tls-user")
        collections = cluster.bucket("default").collections()
        collections.create_scope("tls_scope")
        collections.create_collection(CollectionSpec("c1", "tls_scope"))
        scopes = {s.name: [c.name for c in s.collections] for s in collections.get_all_scopes()}
        assert scopes["tls_scope"] == ["c1"]
        collections.drop_scope("tls_scope")
    finally:
        cluster.close()
    rest_tls = _tls_ports(tls_cluster, "rest_tls_port")
    assert sockets and all(tls and port in rest_tls for _h, port, tls in sockets)


def test_https_to_a_server_with_another_ca_is_refused_as_untrusted(tls_cluster, bad_certs):
    from couchbase.exceptions import CertificateUntrustedError

    port = tls_cluster.info()["nodes"][0]["rest_tls"]
    with pytest.raises(CertificateUntrustedError) as e:
        _http.request("127.0.0.1", port, "GET", "/pools", USER, PASSWORD, tls=TLSSettings(bad_certs.ca_cert))
    assert str(e.value.message).startswith("127.0.0.1:%d: certificate verify failed" % port)


def test_https_to_a_certificate_for_another_host_is_refused(make_tls_cluster, bad_certs):
    from couchbase.exceptions import CertificateHostnameError

    other = make_tls_cluster(nodes=1, tls_cert=bad_certs.wrong_host)
    with pytest.raises(CertificateHostnameError):
        _http.request("127.0.0.1", other.info()["nodes"][0]["rest_tls"], "GET", "/pools", USER, PASSWORD,
                      tls=TLSSettings(bad_certs.ca_cert))


def test_https_to_a_plaintext_port_fails_within_the_timeout_naming_the_port(tls_cluster):
    from couchbase.exceptions import TimeoutError

    port = tls_cluster.info()["nodes"][0]["rest"]  # an HTTP server waits for a request line
    with pytest.raises(TimeoutError) as e:
        _http.request("127.0.0.1", port, "GET", "/pools", USER, PASSWORD, timeout=0.5,
                      tls=TLSSettings(tls_cluster.ca_cert))
    assert e.value.message == "127.0.0.1:%d: the TLS handshake did not complete within the timeout (not a TLS port?)" % port


def test_management_refused_by_tls_raises_the_modern_tls_exception(tls_cluster, bad_certs, monkeypatch):
    from couchbase.exceptions import CertificateUntrustedException

    cluster = _modern(tls_cluster)
    try:
        # the KV probe passed with the right CA; REST now meets a CA it does not trust
        monkeypatch.setattr(cluster._settings.security.tls, "_context",
                            TLSSettings(bad_certs.ca_cert).ssl_context())
        with pytest.raises(CertificateUntrustedException):
            cluster.buckets().get_all_buckets()
    finally:
        cluster.close()


def test_async_view_query_and_index_manager_go_over_https(tls_cluster, monkeypatch):
    import asyncio

    from acouchbase.cluster import Cluster
    from couchbase._core import aio_http
    from couchbase.auth import PasswordAuthenticator
    from couchbase.management.views import DesignDocument, DesignDocumentNamespace, View
    from couchbase.options import ClusterOptions, ViewOptions
    from couchbase.views import ViewScanConsistency

    made = []  # (port, whether the connection speaks TLS) of every HTTP connection the loop opens
    real = aio_http._open

    async def spy(host, port, tls, deadline, loop):
        reader, writer = await real(host, port, tls, deadline, loop)
        made.append((port, writer.get_extra_info("ssl_object") is not None))
        return reader, writer

    monkeypatch.setattr(aio_http, "_open", spy)
    prod = DesignDocumentNamespace.PRODUCTION

    async def main():
        cluster = await Cluster.connect(tls_cluster.connstr_tls, ClusterOptions(
            PasswordAuthenticator(USER, PASSWORD, cert_path=tls_cluster.ca_cert)))
        try:
            bucket = cluster.bucket("default")
            await bucket.on_connect()
            await bucket.default_collection().upsert_multi(POSTS)
            manager = bucket.view_indexes()
            await manager.upsert_design_document(
                DesignDocument("aiotlsdates", {"recent": View(RECENT["views"]["recent"]["map"])}), prod)
            result = bucket.view_query("aiotlsdates", "recent", ViewOptions(
                namespace=prod, scan_consistency=ViewScanConsistency.REQUEST_PLUS))
            keys = [row.key async for row in result]
            await manager.drop_design_document("aiotlsdates", prod)
            return keys
        finally:
            await cluster.close()

    assert asyncio.run(main()) == ["2013-01-10", "2013-03-02"]
    capi_tls = _tls_ports(tls_cluster, "capi_tls_port")
    assert {port for port, _tls in made} <= capi_tls | _tls_ports(tls_cluster, "rest_tls_port")
    assert any(port in capi_tls for port, _tls in made)
    assert made and all(tls for _port, tls in made)
