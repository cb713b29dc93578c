"""Protocol helpers of the engine: opcodes, HELLO features, packets the core frames, the
bodies of OBSERVE and STAT, and the core code of a server status.

The numbers come from the cffi surface (csrc/cbc_api.h), their one source: ``OP.GET`` is
``lib.CBC_OP_GET``. Packets are framed by the C core (``cbc_pkt_encode``).
"""
import struct

from couchbase._version import __version__
from couchbase._core.binding import error_from, ffi, lib


class _Opcodes:
    """``OP.GET`` ... ``OP.SUBDOC_MULTI_MUTATION``: every ``CBC_OP_*`` of the core."""

    def __init__(self):
        for name in dir(lib):
            if name.startswith("CBC_OP_"):
                setattr(self, name[len("CBC_OP_"):], getattr(lib, name))


OP = _Opcodes()
KEY_MAX = lib.CBC_KEY_MAX

#: the client name HELLO sends
AGENT = ("couchbase-python/%s" % __version__).encode()

# HELLO feature codes (docs/protocol.md section 2.2)
FEATURE_DATATYPE = 0x01
FEATURE_TCPNODELAY = 0x03
FEATURE_MUTATION_SEQNO = 0x04
FEATURE_XERROR = 0x07
FEATURE_UNORDERED_EXECUTION = 0x0E
FEATURE_SELECT_BUCKET = 0x08
FEATURE_DUPLEX = 0x0C
FEATURE_CLUSTERMAP_NOTIF = 0x0D
FEATURE_ALT_REQUEST = 0x10
FEATURE_SYNC_REPLICATION = 0x11
FEATURE_COLLECTIONS = 0x12
FEATURE_XATTR = 0x06
FEATURE_PRESERVE_TTL = 0x14
FEATURE_SUBDOC_CREATE_AS_DELETED = 0x17
FEATURE_SUBDOC_REPLICA_READ = 0x1C

#: what the classic face asks for
BASE_FEATURES = (FEATURE_TCPNODELAY, FEATURE_MUTATION_SEQNO, FEATURE_SELECT_BUCKET, FEATURE_ALT_REQUEST,
                 FEATURE_SYNC_REPLICATION)
#: the modern face also asks for extended statuses, collections, xattrs, the preserve-TTL
#: frame and the sub-document document flags
MODERN_FEATURES = BASE_FEATURES + (FEATURE_XERROR, FEATURE_COLLECTIONS, FEATURE_XATTR, FEATURE_PRESERVE_TTL,
                                   FEATURE_SUBDOC_CREATE_AS_DELETED, FEATURE_SUBDOC_REPLICA_READ)


def modern_features(unordered=True):
    """The modern face's HELLO features; with `unordered` (ClusterOptions'
    enable_unordered_execution, on by default as in 4.x) also UnorderedExecution, so that a
    server answers a connection's later requests while a durable write waits for its
    replicas. The core finds every answer by its opaque, in any order. The classic face
    never asks for it: its pipelines may send requests that depend on the ones before."""
    return MODERN_FEATURES + (FEATURE_UNORDERED_EXECUTION,) if unordered else MODERN_FEATURES


def encode_packet(opcode, key=b"", value=b"", server=0):
    """One request packet, framed by the C core."""
    req = ffi.new("cbc_REQUEST *")
    kbuf = ffi.new("char[]", key) if key else ffi.NULL
    vbuf = ffi.new("char[]", value) if value else ffi.NULL
    req.opcode = opcode
    req.server = server
    req.key, req.nkey = kbuf, len(key)
    req.value, req.nvalue = vbuf, len(value)
    out = ffi.new("char[]", 64 + len(key) + len(value))
    n = ffi.new("size_t *")
    err = ffi.new("cbc_ERROR *")
    if lib.cbc_pkt_encode(req, 0, 0, 0, out, len(out), n, err):
        raise error_from(err)
    return ffi.buffer(out, n[0])[:]


def hello(features):
    """HELLO with `features`: the start of every socket (the core runs SASL right after it)."""
    return encode_packet(OP.HELLO, AGENT, b"".join(struct.pack(">H", f) for f in features))


def prelude(bucket, features):
    """HELLO and SELECT_BUCKET, replayed by the core on every new socket (SASL between them)."""
    return hello(features) + encode_packet(OP.SELECT_BUCKET, bucket.encode())


#: SASL mechanism names -> the core's bits (enum cbc_sasl)
SASL_MECHS = {"PLAIN": lib.CBC_SASL_PLAIN, "SCRAM-SHA1": lib.CBC_SASL_SCRAM_SHA1,
              "SCRAM-SHA256": lib.CBC_SASL_SCRAM_SHA256, "SCRAM-SHA512": lib.CBC_SASL_SCRAM_SHA512}


def sasl_mask(allowed, tls):
    """The core's mechanism bits: `allowed` names (None: the default) -> bits. By default
    every SCRAM hash, and PLAIN only over TLS: a password is sent in clear only where the
    user asked for it by name."""
    if allowed is None:
        allowed = ["SCRAM-SHA512", "SCRAM-SHA256", "SCRAM-SHA1"] + (["PLAIN"] if tls else [])
    mask = 0
    for name in allowed:
        mask |= SASL_MECHS[name.upper()]
    return mask


def observe_body(entries):
    """An OBSERVE request value for (vbucket, key bytes) entries."""
    return b"".join(struct.pack(">HH", vb, len(k)) + k for vb, k in entries)


def parse_observe(data):
    """(key bytes, state, cas) for each key of an OBSERVE answer."""
    out = []
    pos = 0
    while pos + 4 <= len(data):
        _vbid, nk = struct.unpack_from(">HH", data, pos)
        key = data[pos + 4:pos + 4 + nk]
        if pos + 4 + nk + 9 > len(data):
            break
        state, cas = struct.unpack_from(">BQ", data, pos + 4 + nk)
        pos += 4 + nk + 9
        out.append((key, state, cas))
    return out


def parse_observe_seqno(data):
    """(vbucket uuid, last persisted seqno, current seqno) of an OBSERVE_SEQNO answer, or None."""
    if len(data) < 27:
        return None
    _fmt, _vb, uuid, persisted, current = struct.unpack_from(">BHQQQ", data)
    return uuid, persisted, current


_STAT_REC = struct.Struct(">HI")


def parse_stat_records(blob):
    """Split a STAT result value (u16 nkey, u32 nvalue, key, value)* into (name, value) pairs."""
    out = []
    pos, end = 0, len(blob)
    while pos + _STAT_REC.size <= end:
        nk, nv = _STAT_REC.unpack_from(blob, pos)
        pos += _STAT_REC.size
        name = blob[pos:pos + nk].decode("utf-8", "replace")
        value = blob[pos + nk:pos + nk + nv].decode("utf-8", "replace")
        pos += nk + nv
        out.append((name, value))
    return out


def code_for_status(status):
    """The core code of a server status (a sub-document spec's, for instance)."""
    return lib.cbc_err_from_status(status)
