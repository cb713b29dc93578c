"""SASL mechanisms: PLAIN and SCRAM-SHA1/256/512 (RFC 5802, no channel binding)."""

import base64
import functools
import hashlib
import hmac
import os

MECHANISMS = "SCRAM-SHA512 SCRAM-SHA256 SCRAM-SHA1 PLAIN"
SCRAM_HASHES = {"SCRAM-SHA512": "sha512", "SCRAM-SHA256": "sha256", "SCRAM-SHA1": "sha1"}
ITERATIONS = 4096


@functools.lru_cache(maxsize=256)
def salted_password(hname, password, salt, iterations):
    return hashlib.pbkdf2_hmac(hname, password.encode(), salt, iterations)


def _hmac(hname, key, msg):
    return hmac.new(key, msg, hname).digest()


def _xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def client_proof(hname, password, salt, iterations, auth_message):
    """(client proof, server signature) for ``auth_message``."""
    sp = salted_password(hname, password, salt, iterations)
    ckey = _hmac(hname, sp, b"Client Key")
    stored = hashlib.new(hname, ckey).digest()
    proof = _xor(ckey, _hmac(hname, stored, auth_message))
    server_sig = _hmac(hname, _hmac(hname, sp, b"Server Key"), auth_message)
    return proof, server_sig


def _attrs(msg):
    """Parse ``a=..,b=..`` keeping everything up to the next comma (nonces may hold spaces)."""
    out = {}
    for part in msg.split(","):
        if len(part) >= 2 and part[1] == "=":
            out[part[0]] = part[2:]
    return out


def _unescape(user):
    return user.replace("=2C", ",").replace("=3D", "=")


def parse_plain(data):
    """``authzid\\0user\\0password`` -> (user, password) or None."""
    parts = bytes(data).split(b"\0")
    if len(parts) != 3:
        return None
    try:
        return parts[1].decode(), parts[2].decode()
    except UnicodeDecodeError:
        return None


class ScramServer:
    """One SCRAM exchange. ``lookup(user)`` returns the password or None."""

    def __init__(self, mech, lookup, server_nonce=None, salt=None, iterations=ITERATIONS):
        self.hname = SCRAM_HASHES[mech]
        self.lookup = lookup
        self.server_nonce = server_nonce
        self.salt = salt
        self.iterations = iterations
        self.user = None
        self._first_bare = None
        self._server_first = None
        self._nonce = None

    def first(self, data):
        """Client-first -> server-first text, or None if malformed."""
        try:
            msg = bytes(data).decode()
        except UnicodeDecodeError:
            return None
        if not msg.startswith("n,"):
            return None    # "p=" (channel binding) and "y," are refused
        idx = msg.find(",", 2)
        if idx < 0:
            return None
        bare = msg[idx + 1:]
        a = _attrs(bare)
        if "n" not in a or "r" not in a:
            return None
        self.user = _unescape(a["n"])
        self._first_bare = bare
        snonce = self.server_nonce or base64.b64encode(os.urandom(18)).decode()
        self._nonce = a["r"] + snonce
        if self.salt is None:
            # stable per user so the PBKDF2 result can be cached across connections
            self.salt = hashlib.sha256(b"salt:" + self.user.encode()).digest()[:16]
        self._server_first = "r=%s,s=%s,i=%d" % (self._nonce,
                                                 base64.b64encode(self.salt).decode(),
                                                 self.iterations)
        return self._server_first

    def final(self, data):
        """Client-final -> server-final text (``v=...``) or None if the proof is wrong."""
        if self._server_first is None:
            return None
        try:
            msg = bytes(data).decode()
        except UnicodeDecodeError:
            return None
        pidx = msg.rfind(",p=")
        if pidx < 0:
            return None
        without_proof = msg[:pidx]
        a = _attrs(without_proof)
        if a.get("r") != self._nonce or a.get("c") != "biws":
            return None
        password = self.lookup(self.user)
        if password is None:
            return None
        auth = ",".join((self._first_bare, self._server_first, without_proof)).encode()
        proof, sig = client_proof(self.hname, password, self.salt, self.iterations, auth)
        try:
            given = base64.b64decode(msg[pidx + 3:], validate=True)
        except ValueError:
            return None
        if not hmac.compare_digest(given, proof):
            return None
        return "v=" + base64.b64encode(sig).decode()


class ScramClient:
    """Client side of SCRAM, used by the self-tests and the benchmark client."""

    def __init__(self, mech, user, password, client_nonce=None):
        self.hname = SCRAM_HASHES[mech]
        self.user = user
        self.password = password
        self.nonce = client_nonce or base64.b64encode(os.urandom(18)).decode()
        self.first_bare = "n=%s,r=%s" % (user.replace("=", "=3D").replace(",", "=2C"),
                                         self.nonce)
        self.server_sig = None

    def first(self):
        return ("n,," + self.first_bare).encode()

    def final(self, server_first):
        sf = bytes(server_first).decode()
        a = _attrs(sf)
        if not a["r"].startswith(self.nonce):
            raise ValueError("server nonce does not extend the client nonce")
        salt = base64.b64decode(a["s"])
        without_proof = "c=biws,r=" + a["r"]
        auth = ",".join((self.first_bare, sf, without_proof)).encode()
        proof, self.server_sig = client_proof(self.hname, self.password, salt, int(a["i"]),
                                              auth)
        return (without_proof + ",p=" + base64.b64encode(proof).decode()).encode()

    def verify(self, server_final):
        return bytes(server_final).decode() == "v=" + base64.b64encode(self.server_sig).decode()
