"""Authentication by client certificate: the cluster requires one on its TLS ports and maps
its subject's common name to the user; no password crosses the wire."""
import pytest

from badcerts import USER

pytestmark = pytest.mark.mock


@pytest.fixture(scope="module")
def cert_cluster(make_tls_cluster):
    return make_tls_cluster(nodes=2, replicas=1, client_cert=True, no_plain=True)


def test_certificate_authenticator_runs_kv_ops(cert_cluster):
    from couchbase.auth import CertificateAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    cert, key = cert_cluster.issue_client_cert(USER)
    auth = CertificateAuthenticator(cert_path=cert, key_path=key, trust_store_path=cert_cluster.ca_cert)
    cluster = Cluster(cert_cluster.connstr_tls, ClusterOptions(auth))
    coll = cluster.bucket("default").default_collection()
    coll.upsert("by-cert", {"who": "cert"})
    assert coll.get("by-cert").content_as[dict] == {"who": "cert"}
    assert coll.upsert_multi({"c%d" % i: i for i in range(50)}).all_ok
    cluster.close()


def test_classic_client_certificate_from_the_connection_string(cert_cluster):
    from couchbase import Couchbase

    cert, key = cert_cluster.issue_client_cert(USER)
    conn = Couchbase.connect(connstr="%s/default?certpath=%s&keypath=%s&truststorepath=%s"
                             % (cert_cluster.connstr_tls, cert, key, cert_cluster.ca_cert))
    conn.set("classic-cert", 7)
    assert conn.get("classic-cert").value == 7


def test_client_certificate_authenticates_https_bootstrap(cert_cluster):
    from couchbase import Couchbase

    cert, key = cert_cluster.issue_client_cert(USER)
    port = cert_cluster.info()["nodes"][0]["rest_tls"]
    conn = Couchbase.connect(connstr="https://127.0.0.1:%d/default?certpath=%s&keypath=%s&truststorepath=%s"
                             % (port, cert, key, cert_cluster.ca_cert))
    conn.set("https-cert", 8)
    assert conn.get("https-cert").value == 8


def test_missing_client_certificate_is_refused(cert_cluster):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.exceptions import TLSException
    from couchbase.options import ClusterOptions

    with pytest.raises(TLSException) as info:
        Cluster(cert_cluster.connstr_tls, ClusterOptions(PasswordAuthenticator(USER, "password",
                                                                               cert_path=cert_cluster.ca_cert)))
    assert "client certificate" in info.value.message


def test_certificate_of_an_unknown_user_authenticates_nothing(cert_cluster):
    from couchbase.auth import CertificateAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.exceptions import CouchbaseException
    from couchbase.options import ClusterOptions

    cert, key = cert_cluster.issue_client_cert("nobody")
    auth = CertificateAuthenticator(cert_path=cert, key_path=key, trust_store_path=cert_cluster.ca_cert)
    cluster = Cluster(cert_cluster.connstr_tls, ClusterOptions(auth))
    with pytest.raises(CouchbaseException):
        cluster.bucket("default")


def test_certificate_authenticator_needs_tls(cert_cluster):
    from couchbase.auth import CertificateAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.exceptions import InvalidArgumentException
    from couchbase.options import ClusterOptions

    cert, key = cert_cluster.issue_client_cert(USER)
    with pytest.raises(InvalidArgumentException):
        Cluster(cert_cluster.connstr, ClusterOptions(CertificateAuthenticator(cert_path=cert, key_path=key)))
