"""Fixtures of the TLS and SASL tests: embedded clusters with TLS, and certificates that
must be refused (another CA, another host name, expired)."""
import pytest

from badcerts import PASSWORD, USER, BadCertificates


def _mock(**kw):
    from couchbase.mock import MockCluster

    kw.setdefault("buckets", {"default": None})
    kw["users"] = dict({USER: PASSWORD}, **kw.get("users", {}))
    return MockCluster(vbuckets=64, tls=True, **kw)


@pytest.fixture(scope="session")
def tls_cluster():
    """Two nodes with TLS twins of every port; SASL PLAIN refused, so a login proves SCRAM."""
    with _mock(nodes=2, replicas=1, no_plain=True, buckets={"default": None, "secret": "s3cret"}) as m:
        yield m


@pytest.fixture(scope="session")
def make_tls_cluster():
    """Builds a private cluster with TLS (clusters whose certificates or settings differ)."""
    started = []

    def make(**kw):
        m = _mock(**kw).start()
        started.append(m)
        return m

    yield make
    for m in started:
        m.stop()


@pytest.fixture(scope="session")
def bad_certs(tmp_path_factory):
    return BadCertificates(str(tmp_path_factory.mktemp("certs")))
