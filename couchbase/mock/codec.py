"""Memcached binary protocol: header, flexible framing, LEB128, vbucket hash. No I/O.

Deliberately independent of the C core so that each can check the other.
"""

import struct
import zlib

HEADER_LEN = 24
HEADER = struct.Struct(">BBHBBHIIQ")
ALT_HEADER = struct.Struct(">BBBBBBHIIQ")

MAGIC_REQ = 0x80
MAGIC_RES = 0x81
MAGIC_ALT_REQ = 0x08
MAGIC_ALT_RES = 0x18
MAGIC_SRV_REQ = 0x82
MAGIC_SRV_RES = 0x83

# opcodes
GET, SET, ADD, REPLACE, DELETE, INCREMENT, DECREMENT, QUIT = range(8)
FLUSH, GETQ, NOOP, VERSION, GETK, GETKQ, APPEND, PREPEND = range(8, 16)
STAT, SETQ, ADDQ, REPLACEQ, DELETEQ, INCREMENTQ, DECREMENTQ, QUITQ = range(16, 24)
FLUSHQ, APPENDQ, PREPENDQ, VERBOSITY, TOUCH, GAT, GATQ, HELLO = range(24, 32)
SASL_LIST_MECHS = 0x20
SASL_AUTH = 0x21
SASL_STEP = 0x22
GET_REPLICA = 0x83
SELECT_BUCKET = 0x89
OBSERVE_SEQNO = 0x91
OBSERVE = 0x92
GET_LOCKED = 0x94
UNLOCK_KEY = 0x95
GET_META = 0xA0
GET_CLUSTER_CONFIG = 0xB5
GET_COLLECTIONS_MANIFEST = 0xBA
GET_COLLECTION_ID = 0xBB
GET_SCOPE_ID = 0xBC
SUBDOC_GET = 0xC5
SUBDOC_EXISTS = 0xC6
SUBDOC_GET_COUNT = 0xD2
SUBDOC_MULTI_LOOKUP = 0xD0
SUBDOC_MULTI_MUTATION = 0xD1
GET_ERROR_MAP = 0xFE
CLUSTERMAP_CHANGE_NOTIFICATION = 0x01  # server push opcode (magic 0x82)

# HELLO features
F_TCPNODELAY = 0x03
F_MUTATION_SEQNO = 0x04
F_XATTR = 0x06
F_XERROR = 0x07
F_SELECT_BUCKET = 0x08
F_SNAPPY = 0x0A
F_JSON = 0x0B
F_DUPLEX = 0x0C
F_CLUSTERMAP_NOTIF = 0x0D
F_UNORDERED = 0x0E
F_TRACING = 0x0F
F_ALT_REQUEST = 0x10
F_SYNC_REPLICATION = 0x11
F_COLLECTIONS = 0x12
F_PRESERVE_TTL = 0x14
F_VATTR = 0x15
F_SUBDOC_CREATE_AS_DELETED = 0x17
F_SUBDOC_DOCUMENT_MACRO = 0x18
F_SUBDOC_REPLICA_READ = 0x1C
F_CONFIG_WITH_KNOWN_VERSION = 0x1D
F_DEDUPE_NMV = 0x1E
F_CLUSTERMAP_NOTIF_BRIEF = 0x1F

# datatype bits
DT_JSON = 0x01
DT_SNAPPY = 0x02
DT_XATTR = 0x04

# request frame ids
FRAME_BARRIER = 0
FRAME_DURABILITY = 1
FRAME_DCP_STREAM_ID = 2
FRAME_IMPERSONATE = 4
FRAME_PRESERVE_TTL = 5
# response frame ids
FRAME_SERVER_DURATION = 0


class Packet:
    """One decoded packet. ``status`` and ``vbucket`` share header bytes 6-7."""

    __slots__ = ("magic", "opcode", "datatype", "vbucket", "opaque", "cas",
                 "framing", "extras", "key", "value")

    def __init__(self, magic, opcode, datatype=0, vbucket=0, opaque=0, cas=0,
                 framing=b"", extras=b"", key=b"", value=b""):
        self.magic = magic
        self.opcode = opcode
        self.datatype = datatype
        self.vbucket = vbucket
        self.opaque = opaque
        self.cas = cas
        self.framing = framing
        self.extras = extras
        self.key = key
        self.value = value

    @property
    def status(self):
        return self.vbucket

    def __repr__(self):
        return ("Packet(magic=0x%02x, opcode=0x%02x, vb/status=0x%x, opaque=%d, cas=%d, "
                "extras=%r, key=%r, value=%r)" % (self.magic, self.opcode, self.vbucket,
                                                  self.opaque, self.cas, self.extras,
                                                  self.key, self.value[:64]))


def _encode(magic, alt_magic, opcode, vb_or_status, key, extras, value, opaque, cas,
            datatype, framing):
    body = len(framing) + len(extras) + len(key) + len(value)
    if framing:
        if len(key) > 255 or len(framing) > 255:
            raise ValueError("flexible framing limits key and frames to 255 bytes")
        head = ALT_HEADER.pack(alt_magic, opcode, len(framing), len(key), len(extras),
                               datatype, vb_or_status, body, opaque, cas)
    else:
        head = HEADER.pack(magic, opcode, len(key), len(extras), datatype, vb_or_status,
                           body, opaque, cas)
    return b"".join((head, framing, extras, key, value))


def encode_request(opcode, key=b"", extras=b"", value=b"", vbucket=0, opaque=0, cas=0,
                   datatype=0, framing=b""):
    """Request bytes; magic 0x08 is used when ``framing`` is not empty."""
    return _encode(MAGIC_REQ, MAGIC_ALT_REQ, opcode, vbucket, key, extras, value, opaque,
                   cas, datatype, framing)


def encode_response(opcode, status=0, key=b"", extras=b"", value=b"", opaque=0, cas=0,
                    datatype=0, framing=b""):
    """Response bytes; magic 0x18 is used when ``framing`` is not empty."""
    return _encode(MAGIC_RES, MAGIC_ALT_RES, opcode, status, key, extras, value, opaque,
                   cas, datatype, framing)


def encode_server_request(opcode, key=b"", extras=b"", value=b"", opaque=0, datatype=0):
    return HEADER.pack(MAGIC_SRV_REQ, opcode, len(key), len(extras), datatype, 0,
                       len(extras) + len(key) + len(value), opaque, 0) + extras + key + value


def decode(buf, offset=0):
    """Decode one packet at ``offset``: (Packet, next offset) or (None, offset) if short.

    Raises ValueError on an unknown magic.
    """
    if len(buf) - offset < HEADER_LEN:
        return None, offset
    magic, opcode, keylen, extlen, datatype, vb, bodylen, opaque, cas = \
        HEADER.unpack_from(buf, offset)
    end = offset + HEADER_LEN + bodylen
    if end > len(buf):
        return None, offset
    if magic in (MAGIC_ALT_REQ, MAGIC_ALT_RES):
        framelen, keylen = keylen >> 8, keylen & 0xFF
    elif magic in (MAGIC_REQ, MAGIC_RES, MAGIC_SRV_REQ, MAGIC_SRV_RES):
        framelen = 0
    else:
        raise ValueError("bad magic 0x%02x" % magic)
    p = offset + HEADER_LEN
    mv = bytes(buf[p:end])
    a = framelen
    b = a + extlen
    c = b + keylen
    if c > bodylen:
        raise ValueError("lengths exceed body")
    return Packet(magic, opcode, datatype, vb, opaque, cas, mv[:a], mv[a:b], mv[b:c],
                  mv[c:]), end


class Decoder:
    """Incremental decoder: ``feed(bytes)`` returns the complete packets so far."""

    def __init__(self):
        self._buf = bytearray()

    def feed(self, data):
        self._buf += data
        out = []
        off = 0
        while True:
            pkt, nxt = decode(self._buf, off)
            if pkt is None:
                break
            out.append(pkt)
            off = nxt
        if off:
            del self._buf[:off]
        return out


def parse_frames(data):
    """Frame-info section -> list of (id, bytes). Raises ValueError if malformed."""
    out = []
    i = 0
    n = len(data)
    while i < n:
        b = data[i]
        i += 1
        fid, flen = b >> 4, b & 0x0F
        if fid == 15:
            if i >= n:
                raise ValueError("truncated frame id")
            fid = 15 + data[i]
            i += 1
        if flen == 15:
            if i >= n:
                raise ValueError("truncated frame length")
            flen = 15 + data[i]
            i += 1
        if i + flen > n:
            raise ValueError("truncated frame data")
        out.append((fid, bytes(data[i:i + flen])))
        i += flen
    return out


def encode_frame(fid, data=b""):
    head = bytearray()
    ln = len(data)
    first = (min(fid, 15) << 4) | min(ln, 15)
    head.append(first)
    if fid >= 15:
        head.append(fid - 15)
    if ln >= 15:
        head.append(ln - 15)
    return bytes(head) + bytes(data)


def durability_frame(level, timeout_ms=None):
    data = bytes([level]) if timeout_ms is None else struct.pack(">BH", level, timeout_ms)
    return encode_frame(FRAME_DURABILITY, data)


def encode_duration(micros):
    """Server-duration frame value (docs/protocol.md 1.3)."""
    return min(65535, int(round((micros * 2) ** (1 / 1.74))))


def decode_duration(encoded):
    return (encoded ** 1.74) / 2


def leb128_encode(value):
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def leb128_decode(data):
    """(value, bytes used); ValueError on a missing stop byte, >5 bytes or non-canonical."""
    value = 0
    shift = 0
    for i, b in enumerate(data[:5]):
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            if i > 0 and b == 0:
                raise ValueError("non-canonical LEB128")
            if value > 0xFFFFFFFF:
                raise ValueError("LEB128 value exceeds 32 bits")
            return value, i + 1
        shift += 7
    raise ValueError("unterminated LEB128")


def vbucket_of(key, num_vbuckets):
    """CRC32-based vbucket id of the logical key (docs/protocol.md 6.1)."""
    if isinstance(key, str):
        key = key.encode()
    return ((zlib.crc32(key) >> 16) & 0x7FFF) % num_vbuckets


def hello_features(codes):
    return b"".join(struct.pack(">H", c) for c in codes)
