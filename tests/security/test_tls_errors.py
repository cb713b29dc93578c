"""Every TLS failure is its own clear exception, with the host, the port and the reason,
raised within the operation's timeout, in both faces."""
import time

import pytest

from badcerts import PASSWORD, USER

pytestmark = pytest.mark.mock

TIMEOUT = 2.5
MARGIN = 1.0


def _modern(connstr, ca, **opts):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    return Cluster(connstr, ClusterOptions(PasswordAuthenticator(USER, PASSWORD, cert_path=ca), **opts))


def _classic(connstr, ca):
    from couchbase import Couchbase

    return Couchbase.connect(connstr="%s/default?certpath=%s" % (connstr, ca), timeout=TIMEOUT)


def _raises(cls, fn):
    start = time.monotonic()
    with pytest.raises(cls) as info:
        fn()
    assert time.monotonic() - start < TIMEOUT + MARGIN
    return info.value


@pytest.fixture(scope="module")
def wrong_host(make_tls_cluster, bad_certs):
    return make_tls_cluster(nodes=1, tls_cert=bad_certs.wrong_host)


@pytest.fixture(scope="module")
def expired(make_tls_cluster, bad_certs):
    return make_tls_cluster(nodes=1, tls_cert=bad_certs.expired)


def test_untrusted_ca_modern(tls_cluster, bad_certs):
    from couchbase.exceptions import CertificateUntrustedException

    e = _raises(CertificateUntrustedException, lambda: _modern(tls_cluster.connstr_tls, bad_certs.ca_cert))
    port = tls_cluster.info()["nodes"][0]["kv_tls"]
    assert "127.0.0.1:%d" % port in e.message and "unable to get local issuer certificate" in e.message
    assert e.csrc_info and e.csrc_info[0].startswith("csrc/")


def test_untrusted_ca_classic(tls_cluster, bad_certs):
    from couchbase.exceptions import CertificateUntrustedError

    e = _raises(CertificateUntrustedError, lambda: _classic(tls_cluster.connstr_tls, bad_certs.ca_cert))
    assert "certificate verify failed" in str(e)


def test_untrusted_ca_over_https_bootstrap(tls_cluster, bad_certs):
    from couchbase import Couchbase
    from couchbase.exceptions import CertificateUntrustedError

    port = tls_cluster.info()["nodes"][0]["rest_tls"]
    e = _raises(CertificateUntrustedError, lambda: Couchbase.connect(
        bucket="default", host="127.0.0.1", port=port, certpath=bad_certs.ca_cert, timeout=TIMEOUT))
    assert "127.0.0.1:%d" % port in str(e)


def test_hostname_mismatch_modern(wrong_host, bad_certs):
    from couchbase.exceptions import CertificateHostnameException

    e = _raises(CertificateHostnameException, lambda: _modern(wrong_host.connstr_tls, bad_certs.ca_cert))
    assert "mismatch" in e.message


def test_hostname_mismatch_classic(wrong_host, bad_certs):
    from couchbase.exceptions import CertificateHostnameError

    _raises(CertificateHostnameError, lambda: _classic(wrong_host.connstr_tls, bad_certs.ca_cert))


def test_hostname_mismatch_by_name_not_only_by_address(wrong_host, bad_certs):
    from couchbase.exceptions import CertificateHostnameError

    port = wrong_host.info()["nodes"][0]["kv_tls"]
    _raises(CertificateHostnameError, lambda: _classic("couchbases://localhost:%d" % port, bad_certs.ca_cert))


def test_expired_certificate_modern(expired, bad_certs):
    from couchbase.exceptions import CertificateExpiredException

    e = _raises(CertificateExpiredException, lambda: _modern(expired.connstr_tls, bad_certs.ca_cert))
    assert "certificate has expired" in e.message


def test_expired_certificate_classic(expired, bad_certs):
    from couchbase.exceptions import CertificateExpiredError

    _raises(CertificateExpiredError, lambda: _classic(expired.connstr_tls, bad_certs.ca_cert))


def test_own_ca_with_its_good_certificate_connects(make_tls_cluster, bad_certs):
    """The control for the three above: the same CA with a valid certificate is accepted."""
    good = make_tls_cluster(nodes=1, tls_cert=bad_certs.good)
    conn = _classic(good.connstr_tls, bad_certs.ca_cert)
    conn.set("k", 1)
    assert conn.get("k").value == 1


def test_plaintext_server_on_a_tls_port_modern(tls_cluster):
    from couchbase.exceptions import PlaintextServerException

    kv = tls_cluster.info()["nodes"][0]["kv"]
    e = _raises(PlaintextServerException, lambda: _modern("couchbases://127.0.0.1:%d" % kv, tls_cluster.ca_cert))
    assert "127.0.0.1:%d" % kv in e.message and "not a TLS port" in e.message


def test_plaintext_server_on_a_tls_port_classic(tls_cluster):
    from couchbase.exceptions import PlaintextServerError

    kv = tls_cluster.info()["nodes"][0]["kv"]
    _raises(PlaintextServerError, lambda: _classic("couchbases://127.0.0.1:%d" % kv, tls_cluster.ca_cert))


def test_tls_port_not_listening_classic(tls_cluster):
    from servers import free_port

    from couchbase.exceptions import ConnectError, TLSError

    port = free_port()
    e = _raises(ConnectError, lambda: _classic("couchbases://127.0.0.1:%d" % port, tls_cluster.ca_cert))
    assert not isinstance(e, TLSError)
    assert "127.0.0.1:%d: connect: Connection refused" % port in str(e)


def test_tls_port_not_listening_modern(tls_cluster):
    from servers import free_port

    from couchbase.exceptions import UnAmbiguousTimeoutException

    port = free_port()
    e = _raises(UnAmbiguousTimeoutException, lambda: _modern("couchbases://127.0.0.1:%d" % port, tls_cluster.ca_cert))
    assert "127.0.0.1:%d: connect: Connection refused" % port in e.message


def test_unreadable_ca_file_is_an_argument_error(tls_cluster, tmp_path):
    from couchbase.exceptions import InvalidArgumentException

    with pytest.raises(InvalidArgumentException):
        _modern(tls_cluster.connstr_tls, str(tmp_path / "missing.pem"))


def test_ca_file_that_is_not_a_certificate_names_the_file(tls_cluster, tmp_path):
    from couchbase.exceptions import CouchbaseError

    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate\n")
    with pytest.raises(CouchbaseError) as info:
        _classic(tls_cluster.connstr_tls, str(bogus))
    assert str(bogus) in str(info.value)


def test_connection_works_after_a_refused_certificate(tls_cluster, bad_certs):
    """A failed handshake leaves nothing behind: the same process connects right after."""
    from couchbase.exceptions import CertificateUntrustedError

    with pytest.raises(CertificateUntrustedError):
        _classic(tls_cluster.connstr_tls, bad_certs.ca_cert)
    conn = _classic(tls_cluster.connstr_tls, tls_cluster.ca_cert)
    conn.set("after-refusal", 1)
    assert conn.get("after-refusal").value == 1


class _OldTLSServer:
    """A TLS server that speaks TLS 1.0 and 1.1 only (one connection at a time)."""

    def __init__(self, bad_certs):
        import socket
        import ssl
        import threading
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            self.ctx.minimum_version = ssl.TLSVersion.TLSv1
            self.ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        self.ctx.load_cert_chain(*bad_certs.good)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.versions = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                with self.ctx.wrap_socket(conn, server_side=True) as tls:
                    self.versions.append(tls.version())
            except OSError:
                pass


def test_server_below_tls_1_2_is_refused(bad_certs):
    import ssl
    import socket
    import warnings

    from couchbase.exceptions import TLSError

    old = _OldTLSServer(bad_certs)
    e = _raises(TLSError, lambda: _classic("couchbases://127.0.0.1:%d" % old.port, bad_certs.ca_cert))
    assert "protocol version" in str(e)
    # the control: a client that allows TLS 1.1 gets through to this server
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx = ssl.create_default_context(cafile=bad_certs.ca_cert)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", old.port)), server_hostname="127.0.0.1") as s:
        assert s.version() in ("TLSv1", "TLSv1.1")
    old.sock.close()


class _ResettingTLSServer:
    """Completes the TLS handshake (1.3: the client's certificate is judged after it), then
    resets the connection instead of closing it, as a server refusing a client certificate
    does when the client's first bytes reach a socket it has already closed."""

    def __init__(self, bad_certs):
        import socket
        import ssl
        import threading

        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(*bad_certs.good)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        import socket
        import struct

        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                tls = self.ctx.wrap_socket(conn, server_side=True)
                tls.recv(1)  # the client's first handshake packet has arrived
                tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                tls.close()  # RST, no close_notify
            except OSError:
                pass


def test_a_reset_before_any_answer_on_a_tls_connection_is_a_tls_error_naming_the_likely_cause(bad_certs):
    from couchbase.exceptions import TLSError

    srv = _ResettingTLSServer(bad_certs)
    try:
        e = _raises(TLSError, lambda: _classic("couchbases://127.0.0.1:%d" % srv.port, bad_certs.ca_cert))
        assert "127.0.0.1:%d" % srv.port in str(e) and "client certificate" in str(e)
    finally:
        srv.sock.close()
