"""Fixtures of the TLS and SASL tests: embedded clusters with TLS, and certificates that
must be refused (another CA, another host name, expired)."""
import datetime
import os

import pytest

USER, PASSWORD = "Administrator", "password"


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


class BadCertificates:
    """A CA of the tests' own, and certificates from it that a client must refuse."""

    def __init__(self, directory):
        import trustme

        self.dir = directory
        self.ca = trustme.CA(organization_name="tests")
        self.ca_cert = self._write("other-ca.pem", self.ca.cert_pem.bytes())
        now = datetime.datetime.now(datetime.timezone.utc)
        self.wrong_host = self._leaf("wrong-host", self.ca.issue_cert("db.example.com"))
        self.expired = self._leaf("expired", self.ca.issue_cert("127.0.0.1", "localhost",
                                                                not_before=now - datetime.timedelta(days=30),
                                                                not_after=now - datetime.timedelta(days=1)))
        self.good = self._leaf("good", self.ca.issue_cert("127.0.0.1", "localhost"))

    def _write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def _leaf(self, stem, leaf):
        return (self._write(stem + ".pem", b"".join(b.bytes() for b in leaf.cert_chain_pems)),
                self._write(stem + ".key", leaf.private_key_pem.bytes()))


@pytest.fixture(scope="session")
def bad_certs(tmp_path_factory):
    return BadCertificates(str(tmp_path_factory.mktemp("certs")))
