"""TLS and SASL settings without a server: config ports, connection strings, mechanism
choice, authenticators and options."""
import copy
import json

import pytest

from couchbase._core import config as _config
from couchbase._core import connstr as _connstr
from couchbase._core import protocol
from couchbase.exceptions import InvalidArgumentException, ProtocolError

NODES_EXT = {
    "rev": 3, "name": "default", "nodeLocator": "vbucket",
    "vBucketServerMap": {"numReplicas": 0, "serverList": ["$HOST:11210"], "vBucketMap": [[0], [0]]},
    "nodesExt": [{"services": {"kv": 11210, "mgmt": 8091, "capi": 8092, "kvSSL": 11207, "mgmtSSL": 18091,
                               "capiSSL": 18092}, "hostname": "$HOST"}],
}


def test_tls_config_takes_the_ssl_ports_of_nodes_ext():
    cfg = _config.parse(json.dumps(NODES_EXT), "10.0.0.5", tls=True)
    assert (cfg.servers, cfg.rest, cfg.capi) == ([("10.0.0.5", 11207)], [("10.0.0.5", 18091)],
                                                 [("10.0.0.5", 18092)])


def test_plain_config_keeps_the_plain_ports():
    cfg = _config.parse(json.dumps(NODES_EXT), "10.0.0.5")
    assert (cfg.servers, cfg.rest) == ([("10.0.0.5", 11210)], [("10.0.0.5", 8091)])


def test_tls_config_without_kv_ssl_port_is_an_error_not_plaintext():
    doc = copy.deepcopy(NODES_EXT)
    del doc["nodesExt"][0]["services"]["kvSSL"]
    with pytest.raises(ProtocolError, match="kvSSL"):
        _config.parse(json.dumps(doc), "h", tls=True)


def test_tls_config_without_nodes_ext_is_an_error():
    doc = copy.deepcopy(NODES_EXT)
    del doc["nodesExt"]
    doc["nodes"] = [{"hostname": "h:8091", "ports": {"direct": 11210}}]
    with pytest.raises(ProtocolError, match="no TLS ports"):
        _config.parse(json.dumps(doc), "h", tls=True)


@pytest.mark.parametrize("text,tls", [("couchbases://h1,h2/b", True), ("couchbase://h", False),
                                      ("https://h:18091", True), ("memcached://h:1", False)])
def test_connection_string_schemes_say_whether_they_use_tls(text, tls):
    assert _connstr.parse(text).tls is tls


def test_default_tls_ports():
    assert (_connstr.DEFAULT_PORTS["couchbases"], _connstr.DEFAULT_PORTS["https"]) == (11207, 18091)


def test_plain_is_allowed_by_default_only_over_tls():
    scram = protocol.SASL_MECHS["SCRAM-SHA512"] | protocol.SASL_MECHS["SCRAM-SHA256"] | \
        protocol.SASL_MECHS["SCRAM-SHA1"]
    assert protocol.sasl_mask(None, tls=False) == scram
    assert protocol.sasl_mask(None, tls=True) == scram | protocol.SASL_MECHS["PLAIN"]


def test_named_mechanisms_are_exactly_those_allowed():
    assert protocol.sasl_mask(["PLAIN"], tls=False) == protocol.SASL_MECHS["PLAIN"]
    assert protocol.sasl_mask(["scram-sha1"], tls=True) == protocol.SASL_MECHS["SCRAM-SHA1"]


def test_unknown_sasl_mechanism_is_refused():
    from couchbase.auth import PasswordAuthenticator

    with pytest.raises(InvalidArgumentException, match="CRAM-MD5"):
        PasswordAuthenticator("u", "p", allowed_sasl_mechanisms=["CRAM-MD5"])


def test_cert_path_must_be_a_file(tmp_path):
    from couchbase.auth import PasswordAuthenticator

    with pytest.raises(InvalidArgumentException, match="not a readable file"):
        PasswordAuthenticator("u", "p", cert_path=str(tmp_path / "nope.pem"))


def test_certificate_authenticator_needs_certificate_and_key(tmp_path):
    from couchbase.auth import CertificateAuthenticator

    cert = tmp_path / "c.pem"
    cert.write_text("x")
    with pytest.raises(InvalidArgumentException):
        CertificateAuthenticator(cert_path=str(cert))
    auth = CertificateAuthenticator(cert_path=str(cert), key_path=str(cert), trust_store_path=str(cert))
    assert (auth.cert_path, auth.key_path, auth.trust_store_path) == (str(cert),) * 3


@pytest.mark.parametrize("value,mode", [("none", "NONE"), ("peer", "PEER"), ("no_verify", "NO_VERIFY")])
def test_tls_verify_accepts_the_mode_or_its_value(value, mode):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.options import ClusterOptions, TLSVerifyMode

    opts = ClusterOptions(PasswordAuthenticator("u", "p"), tls_verify=value)
    assert opts["tls_verify"] is TLSVerifyMode[mode]


def test_tls_verify_refuses_other_values():
    from couchbase.auth import PasswordAuthenticator
    from couchbase.options import ClusterOptions

    with pytest.raises(InvalidArgumentException):
        ClusterOptions(PasswordAuthenticator("u", "p"), tls_verify="sometimes")


def test_classic_security_from_the_connection_string(tmp_path):
    from couchbase._classic.args import security

    spec = _connstr.parse("couchbases://h/b?certpath=/ca.pem&sasl_mech_force=PLAIN")
    sec = security(spec)
    assert (sec.tls.ca_path, sec.tls.verify, sec.sasl_mechanisms, sec.certificate_auth) == \
        ("/ca.pem", True, ["PLAIN"], False)
    spec = _connstr.parse("couchbases://h/b?certpath=/c.pem&keypath=/k.pem&truststorepath=/ca.pem&ssl=no_verify")
    sec = security(spec)
    assert (sec.tls.ca_path, sec.tls.cert_path, sec.tls.key_path, sec.tls.verify, sec.certificate_auth) == \
        ("/ca.pem", "/c.pem", "/k.pem", False, True)
    assert security(_connstr.parse("couchbase://h/b")).tls is None
    assert security(_connstr.parse("couchbase://h/b"), certpath="/ca.pem").tls.ca_path == "/ca.pem"


def test_core_refuses_auth_with_no_mechanism():
    from couchbase._core.binding import C, ffi, lib

    conn = lib.cbc_conn_new()
    err = ffi.new("cbc_ERROR *")
    try:
        assert lib.cbc_conn_set_auth(conn, b"u", b"p", 0, err) == C.EINVAL
    finally:
        lib.cbc_conn_free(conn)


def test_core_tls_settings_name_an_unusable_ca_file(tmp_path):
    from couchbase._core.binding import C, ffi, lib

    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate")
    conn = lib.cbc_conn_new()
    err = ffi.new("cbc_ERROR *")
    try:
        assert lib.cbc_conn_set_tls(conn, 1, str(bogus).encode(), ffi.NULL, ffi.NULL, 1, err) == C.EINVAL
        assert str(bogus) in ffi.string(err.msg).decode()
    finally:
        lib.cbc_conn_free(conn)
