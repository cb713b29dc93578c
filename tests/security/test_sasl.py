"""SASL: the core picks the strongest mechanism the server offers, runs SCRAM for real,
and sends PLAIN only over TLS or when asked by name."""
import pytest

from capture import CaptureProxy
from badcerts import PASSWORD, USER

pytestmark = pytest.mark.mock

SECRET = "Zebra-Quartz-1729-secret"


@pytest.fixture(scope="module")
def plain_cluster():
    """No TLS; every mechanism offered; a user with a password that is easy to spot."""
    from couchbase.mock import MockCluster

    with MockCluster(nodes=1, vbuckets=64, users={USER: PASSWORD, "spotted": SECRET}) as m:
        yield m


@pytest.fixture(scope="module")
def scram_only_cluster():
    """No TLS; PLAIN neither offered nor accepted."""
    from couchbase.mock import MockCluster

    with MockCluster(nodes=1, vbuckets=64, users={USER: PASSWORD}, no_plain=True) as m:
        yield m


def _kv_port(cluster):
    return cluster.info()["nodes"][0]["kv"]


def _modern(connstr, user=USER, password=PASSWORD, **auth):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    return Cluster(connstr, ClusterOptions(PasswordAuthenticator(user, password, **auth)))


def _through_proxy(cluster, **auth):
    """Connect and use one document through a capturing proxy: the proxy's record."""
    with CaptureProxy(_kv_port(cluster)) as proxy:
        c = _modern("couchbase://127.0.0.1:%d" % proxy.port, **auth)
        coll = c.bucket("default").default_collection()
        coll.upsert("sasl-doc", {"n": 1})
        assert coll.get("sasl-doc").content_as[dict] == {"n": 1}
        c.close()
    return proxy


@pytest.mark.parametrize("mech", ["SCRAM-SHA1", "SCRAM-SHA256", "SCRAM-SHA512"])
def test_each_scram_hash_against_a_cluster_refusing_plain(scram_only_cluster, mech):
    proxy = _through_proxy(scram_only_cluster, allowed_sasl_mechanisms=[mech])
    assert set(proxy.sasl_mechanisms_sent()) == {mech}


def test_strongest_offered_mechanism_is_chosen(plain_cluster):
    proxy = _through_proxy(plain_cluster)
    sent = proxy.sasl_mechanisms_sent()
    assert sent and set(sent) == {"SCRAM-SHA512"}


def test_wrong_password_under_scram_is_an_authentication_error(scram_only_cluster):
    from couchbase.exceptions import AuthenticationException

    with pytest.raises(AuthenticationException) as info:
        _modern(scram_only_cluster.connstr, password="not-the-password")
    assert "SCRAM-SHA512" in info.value.message and "refused" in info.value.message


def test_plain_only_server_without_tls_is_refused_with_the_reason(plain_cluster, monkeypatch):
    from couchbase.exceptions import AuthenticationException
    from couchbase.mock import sasl

    monkeypatch.setattr(sasl, "MECHANISMS", "PLAIN")
    with pytest.raises(AuthenticationException) as info:
        _modern(plain_cluster.connstr)
    assert "offers SASL PLAIN" in info.value.message
    assert "PLAIN is sent only over TLS" in info.value.message


def test_plain_allowed_by_name_is_used_without_tls(plain_cluster, monkeypatch):
    from couchbase.mock import sasl

    monkeypatch.setattr(sasl, "MECHANISMS", "PLAIN")
    proxy = _through_proxy(plain_cluster, allowed_sasl_mechanisms=["PLAIN"])
    assert set(proxy.sasl_mechanisms_sent()) == {"PLAIN"}


def test_server_offering_nothing_acceptable_classic(plain_cluster, monkeypatch):
    from couchbase import Couchbase
    from couchbase.exceptions import AuthError

    monkeypatch.setattr(sasl_module(), "MECHANISMS", "CRAM-MD5")
    with pytest.raises(AuthError) as info:
        Couchbase.connect(connstr="%s/default" % plain_cluster.connstr)
    assert "offers SASL nothing it knows" in str(info.value)


def sasl_module():
    from couchbase.mock import sasl

    return sasl


def test_capture_of_a_plaintext_connection_holds_no_password(plain_cluster):
    """The bootstrap connection (the one the proxy carries) holds the whole SASL exchange."""
    proxy = _through_proxy(plain_cluster, user="spotted", password=SECRET)
    wire = proxy.client_bytes + proxy.server_bytes
    assert proxy.sasl_mechanisms_sent() and b"n=spotted,r=" in wire  # the capture saw the login
    assert SECRET.encode() not in wire


def test_capture_shows_the_password_when_plain_is_forced(plain_cluster):
    """The control of the test above: the same capture does see a PLAIN password."""
    proxy = _through_proxy(plain_cluster, user="spotted", password=SECRET, allowed_sasl_mechanisms=["PLAIN"])
    assert SECRET.encode() in proxy.client_bytes


def test_tls_capture_holds_neither_password_nor_data(make_tls_cluster):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    private = make_tls_cluster(nodes=1, users={"spotted": SECRET})
    with CaptureProxy(private.info()["nodes"][0]["kv_tls"]) as proxy:
        c = Cluster("couchbases://127.0.0.1:%d" % proxy.port,
                    ClusterOptions(PasswordAuthenticator("spotted", SECRET, cert_path=private.ca_cert,
                                                         allowed_sasl_mechanisms=["PLAIN"])))
        c.bucket("default").default_collection().upsert("tls-doc", {"n": 1})
        c.close()
    wire = proxy.client_bytes + proxy.server_bytes
    assert proxy.connections >= 1 and proxy.client_bytes[:1] == b"\x16"  # a TLS handshake record
    assert SECRET.encode() not in wire and b"spotted" not in wire
