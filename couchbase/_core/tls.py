"""TLS settings of one connection, for both halves of the engine: the C core's sockets
(``cbc_conn_set_tls``) and the Python HTTP client (an ``ssl.SSLContext`` made from the same
settings: CA file, verification, client certificate).

Either half refuses the same things and reports them with the same core codes
(``classify`` for the HTTP client's ssl errors):
an untrusted certificate, a host name mismatch, an expired certificate, a plaintext
server on a TLS port (``couchbase.exceptions`` has a class for each).
"""
import importlib

from couchbase._core import protocol
from couchbase._core.binding import C, error_from, ffi, lib

#: verify_code of ssl.SSLCertVerificationError (OpenSSL's X509_V_ERR_*) -> core code name
_VERIFY_CODES = {9: "TLS_CERT_EXPIRED", 10: "TLS_CERT_EXPIRED", 62: "TLS_HOSTNAME_MISMATCH",
                 63: "TLS_HOSTNAME_MISMATCH", 64: "TLS_HOSTNAME_MISMATCH"}
#: reasons of ssl.SSLError that mean the peer answered without TLS
_PLAINTEXT_REASONS = {"WRONG_VERSION_NUMBER", "PACKET_LENGTH_TOO_LONG", "RECORD_LAYER_FAILURE", "HTTP_REQUEST",
                      "UNKNOWN_PROTOCOL"}


class TLSSettings:
    """``ca_path`` (PEM; None: the system's trust store), ``verify`` (chain and host name),
    ``cert_path``/``key_path`` (a client certificate; key None: in the certificate file)."""

    __slots__ = ("ca_path", "verify", "cert_path", "key_path", "_context")

    def __init__(self, ca_path=None, verify=True, cert_path=None, key_path=None):
        self.ca_path = ca_path
        self.verify = bool(verify)
        self.cert_path = cert_path
        self.key_path = key_path
        self._context = None

    def __repr__(self):
        return "TLSSettings(ca_path=%r, verify=%r, cert_path=%r, key_path=%r)" % (
            self.ca_path, self.verify, self.cert_path, self.key_path)

    def apply(self, conn, face):
        """Turn TLS on for every socket of the core connection `conn`."""
        err = ffi.new("cbc_ERROR *")
        args = [ffi.new("char[]", p.encode()) if p else ffi.NULL for p in (self.ca_path, self.cert_path, self.key_path)]
        if lib.cbc_conn_set_tls(conn, 1, args[0], args[1], args[2], 1 if self.verify else 0, err):
            raise error_from(err, face)

    def ssl_context(self):
        """The ssl.SSLContext of the HTTP client (made once)."""
        if self._context is None:
            ssl = importlib.import_module("ssl")
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.options |= getattr(ssl, "OP_NO_RENEGOTIATION", 0)
            if self.verify:
                if self.ca_path:
                    ctx.load_verify_locations(cafile=self.ca_path)
                else:
                    ctx.load_default_certs()
            else:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            if self.cert_path:
                ctx.load_cert_chain(self.cert_path, self.key_path)
            self._context = ctx
        return self._context


class Security:
    """How a connection encrypts and authenticates: ``tls`` (TLSSettings, or None for
    plaintext), ``sasl_mechanisms`` (names allowed, None for the default: every SCRAM hash,
    PLAIN only over TLS) and ``certificate_auth`` (a client certificate authenticates: no SASL)."""

    __slots__ = ("tls", "sasl_mechanisms", "certificate_auth")

    def __init__(self, tls=None, sasl_mechanisms=None, certificate_auth=False):
        self.tls = tls
        self.sasl_mechanisms = sasl_mechanisms
        self.certificate_auth = certificate_auth

    def apply(self, conn, user, password, face):
        """Set TLS and SASL on the core connection `conn` (a cffi cbc_CONN *)."""
        if self.tls is not None:
            self.tls.apply(conn, face)
        err = ffi.new("cbc_ERROR *")
        if self.certificate_auth or user is None:
            rc = lib.cbc_conn_set_auth(conn, ffi.NULL, ffi.NULL, 0, err)
        else:
            mask = protocol.sasl_mask(self.sasl_mechanisms, self.tls is not None)
            rc = lib.cbc_conn_set_auth(conn, user.encode(), (password or "").encode(), mask, err)
        if rc:
            raise error_from(err, face)


def classify(exc):
    """(core code, reason) of an ssl failure `exc` of the HTTP client (raised while
    connecting, in the handshake or mid-exchange), or None when `exc` is no TLS failure."""
    ssl = importlib.import_module("ssl")
    if isinstance(exc, ssl.SSLCertVerificationError):
        name = _VERIFY_CODES.get(exc.verify_code, "TLS_CERT_UNTRUSTED")
        reason = "certificate verify failed: %s" % (exc.verify_message,)
    elif isinstance(exc, ssl.SSLError) and exc.reason in _PLAINTEXT_REASONS:
        name, reason = "TLS_PLAINTEXT_SERVER", "the server did not answer in TLS (%s): not a TLS port" % exc.reason
    elif isinstance(exc, (ssl.SSLEOFError, ssl.SSLZeroReturnError)):
        name, reason = "TLS_PLAINTEXT_SERVER", "the server closed the connection without a TLS answer: not a TLS port?"
    elif isinstance(exc, ssl.SSLError):
        name, reason = "TLS_ERROR", "TLS handshake failed: %s" % (exc.reason or exc,)
    elif isinstance(exc, TimeoutError) and "handshake" in str(exc):
        name, reason = "ETIMEDOUT", "the TLS handshake did not complete within the timeout (not a TLS port?)"
    else:
        return None
    return getattr(C, name), reason
