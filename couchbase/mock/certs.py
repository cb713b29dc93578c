"""Certificates of an embedded cluster with TLS (trustme, from the ``mock`` extra).

At start the cluster makes its own CA and one certificate for its nodes (SAN
``IP:127.0.0.1``, ``DNS:localhost`` and the cluster's host), written as PEM files into a
temporary directory that is removed at stop. Client certificates for users come from the
same CA (``issue_client_cert``); the server maps a client certificate to the user named
by its subject's common name, as a Couchbase server configured with ``subject.cn`` does.
"""

import os
import shutil
import ssl
import tempfile


class ClusterCertificates:
    """``ca_cert``: the CA's PEM path; ``node_cert``/``node_key``: what the nodes serve
    (``node_cert=(cert, key)`` serves a certificate of the caller's instead);
    ``client_ca``: the CA file client certificates must chain to (default ``ca_cert``)."""

    def __init__(self, host="127.0.0.1", node_cert=None, client_ca=None):
        import trustme  # the mock extra; only a cluster with TLS needs it

        self.dir = tempfile.mkdtemp(prefix="couchbase-mock-tls-")
        self._ca = trustme.CA(organization_name="couchbase.mock")
        self.ca_cert = self._write("ca.pem", self._ca.cert_pem.bytes())
        if node_cert is not None:
            self.node_cert, self.node_key = node_cert
        else:
            names = ["127.0.0.1", "localhost"] + ([host] if host not in ("127.0.0.1", "localhost") else [])
            leaf = self._ca.issue_cert(*names, common_name="couchbase.mock node")
            self.node_cert = self._write("node.pem", b"".join(b.bytes() for b in leaf.cert_chain_pems))
            self.node_key = self._write("node.key", leaf.private_key_pem.bytes())
        self.client_ca = client_ca or self.ca_cert

    def _write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def server_context(self, client_cert=False):
        """The nodes' TLS context: TLS 1.2 at least; with `client_cert` a client
        certificate issued by ``client_ca`` is required."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.node_cert, self.node_key)
        if client_cert:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(cafile=self.client_ca)
        return ctx

    def issue_client_cert(self, user):
        """(certificate path, key path) of a client certificate for `user`, from the cluster's CA."""
        leaf = self._ca.issue_cert("%s.client.invalid" % "".join(c if c.isalnum() else "-" for c in user).lower(),
                                   common_name=user)
        stem = "client-%d" % len(os.listdir(self.dir))
        cert = self._write(stem + ".pem", b"".join(b.bytes() for b in leaf.cert_chain_pems))
        key = self._write(stem + ".key", leaf.private_key_pem.bytes())
        return cert, key

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def peer_user(transport):
    """The user a verified client certificate names (subject common name), or None."""
    cert = transport.get_extra_info("peercert") if transport is not None else None
    if not cert:
        return None
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return None
