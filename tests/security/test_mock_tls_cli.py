"""The embedded cluster's command line with --tls, --no-plain and --client-cert, as a user runs it."""
import json
import os
import signal
import subprocess
import sys

import pytest

pytestmark = pytest.mark.mock

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _start(tmp_path, *flags):
    ready = tmp_path / "ready.json"
    p = subprocess.Popen([sys.executable, "-m", "couchbase.mock", "--nodes", "2", "--vbuckets", "16",
                          "--ready-file", str(ready)] + list(flags), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, cwd=ROOT)
    line = p.stdout.readline()
    if not line:
        p.wait(10)
        return p, None
    info = json.loads(line)
    assert json.loads(ready.read_text()) == info
    return p, info


def _stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        assert p.wait(10) == 0
    finally:
        if p.poll() is None:
            p.kill()


def test_tls_ready_file_grows_by_exactly_the_tls_keys(tmp_path):
    p, info = _start(tmp_path, "--tls", "--no-plain")
    try:
        assert set(info) == {"rest_port", "connstr", "nodes", "buckets", "ca_cert", "connstr_tls"}
        for node in info["nodes"]:
            assert set(node) == {"host", "rest", "kv", "capi", "kv_tls", "rest_tls"}
        assert info["connstr_tls"] == "couchbases://127.0.0.1:%d" % info["nodes"][0]["kv_tls"]
        from couchbase import Couchbase

        conn = Couchbase.connect(connstr="%s/default?certpath=%s" % (info["connstr_tls"], info["ca_cert"]))
        conn.set("cli-tls", 1)
        assert conn.get("cli-tls").value == 1
    finally:
        _stop(p)
    assert not os.path.exists(info["ca_cert"])  # the cluster's certificates go with it


def test_no_plain_refuses_plain_from_the_command_line(tmp_path):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.exceptions import AuthenticationException
    from couchbase.options import ClusterOptions

    p, info = _start(tmp_path, "--no-plain")
    try:
        assert "ca_cert" not in info
        with pytest.raises(AuthenticationException, match="offers SASL"):
            Cluster(info["connstr"], ClusterOptions(PasswordAuthenticator("Administrator", "password",
                                                                          allowed_sasl_mechanisms=["PLAIN"])))
        Cluster(info["connstr"], ClusterOptions(PasswordAuthenticator("Administrator", "password"))).close()
    finally:
        _stop(p)


def test_client_cert_requires_a_certificate(tmp_path, bad_certs):
    """--client-cert CA: the TLS ports want a client certificate from that CA."""
    from couchbase import Couchbase
    from couchbase.exceptions import TLSError

    p, info = _start(tmp_path, "--tls", "--client-cert", bad_certs.ca_cert)
    try:
        with pytest.raises(TLSError):
            Couchbase.connect(connstr="%s/default?certpath=%s" % (info["connstr_tls"], info["ca_cert"]), timeout=2)
        leaf = bad_certs.ca.issue_cert("client.invalid", common_name="Administrator")
        cert, key = tmp_path / "client.pem", tmp_path / "client.key"
        cert.write_bytes(b"".join(b.bytes() for b in leaf.cert_chain_pems))
        key.write_bytes(leaf.private_key_pem.bytes())
        conn = Couchbase.connect(connstr="%s/default?certpath=%s&keypath=%s&truststorepath=%s"
                                 % (info["connstr_tls"], cert, key, info["ca_cert"]))
        conn.set("cli-cert", 2)
        assert conn.get("cli-cert").value == 2
    finally:
        _stop(p)


def test_client_cert_without_tls_is_a_usage_error(tmp_path):
    p, info = _start(tmp_path, "--client-cert")
    assert info is None and p.returncode == 2
    assert "--client-cert needs --tls" in p.stderr.read()
