"""Certificates a TLS client must refuse, from a CA of the tests' own (trustme), and the
credentials of the security tests' clusters."""
import datetime
import os

USER, PASSWORD = "Administrator", "password"


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
