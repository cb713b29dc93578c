"""SCRAM and PLAIN: RFC 5802 / RFC 7677 vectors from docs/protocol.md 11.3."""

import base64

from couchbase.mock import sasl


def _exchange(mech, user, password, cnonce, snonce, salt_b64, iterations):
    salt = base64.b64decode(salt_b64)
    server = sasl.ScramServer(mech, {user: password}.get, server_nonce=snonce, salt=salt,
                              iterations=iterations)
    client = sasl.ScramClient(mech, user, password, client_nonce=cnonce)
    first = server.first(client.first())
    final = client.final(first.encode())
    return first, final.decode(), server.final(final), client


def test_scram_sha1_rfc5802_vector():
    first, final, server_final, client = _exchange(
        "SCRAM-SHA1", "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL", "3rfcNHYJY1ZVvWVs7j",
        "QSXCR+Q6sek8bf92", 4096)
    assert first == "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"
    assert final == ("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
                     "p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")
    assert server_final == "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="
    assert client.verify(server_final.encode())


def test_scram_sha256_rfc7677_vector():
    _, final, server_final, _ = _exchange(
        "SCRAM-SHA256", "user", "pencil", "rOprNGfwEbeRWgbNEkqO",
        "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", "W22ZaJ0SNY7soEsUEjb6gQ==", 4096)
    assert final.endswith(",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    assert server_final == "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="


def test_scram_wrong_password_fails():
    server = sasl.ScramServer("SCRAM-SHA512", {"u": "right"}.get)
    client = sasl.ScramClient("SCRAM-SHA512", "u", "wrong")
    first = server.first(client.first())
    assert server.final(client.final(first.encode())) is None


def test_scram_unknown_user_gets_challenge_then_fails():
    server = sasl.ScramServer("SCRAM-SHA256", {}.get)
    client = sasl.ScramClient("SCRAM-SHA256", "ghost", "x")
    first = server.first(client.first())
    assert first.startswith("r=" + client.nonce)
    assert server.final(client.final(first.encode())) is None


def test_scram_nonce_with_spaces_is_kept_whole():
    nonce = "0x76 0x1b 0xffffff96 0x52"
    server = sasl.ScramServer("SCRAM-SHA512", {"u": "p"}.get)
    client = sasl.ScramClient("SCRAM-SHA512", "u", "p", client_nonce=nonce)
    first = server.first(client.first())
    assert first.startswith("r=" + nonce)
    assert server.final(client.final(first.encode())).startswith("v=")


def test_scram_channel_binding_refused():
    server = sasl.ScramServer("SCRAM-SHA1", {"u": "p"}.get)
    assert server.first(b"p=tls-unique,,n=u,r=abc") is None


def test_plain_parse():
    assert sasl.parse_plain(b"\0user\0pw") == ("user", "pw")
    assert sasl.parse_plain(b"garbage") is None
