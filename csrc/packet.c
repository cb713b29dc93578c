/* Request encoding and header parsing for the memcached binary protocol
 * (docs/protocol.md sections 1, 2 and 12). */
#include "packet.h"

#include <string.h>

#include "errors.h"

static char *wr16(char *p, uint16_t v)
{
    p[0] = (char)(v >> 8);
    p[1] = (char)v;
    return p + 2;
}

static char *wr32(char *p, uint32_t v)
{
    p[0] = (char)(v >> 24);
    p[1] = (char)(v >> 16);
    p[2] = (char)(v >> 8);
    p[3] = (char)v;
    return p + 4;
}

static char *wr64(char *p, uint64_t v)
{
    wr32(p, (uint32_t)(v >> 32));
    return wr32(p + 4, (uint32_t)v);
}

size_t cbc__pkt_leb128(uint32_t v, uint8_t *out)
{
    size_t n = 0;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        out[n++] = (uint8_t)(v ? (b | 0x80) : b);
    } while (v);
    return n;
}

int cbc__pkt_is_keyed(uint8_t op)
{
    switch (op) {
    case CBC_OP_GET: case CBC_OP_SET: case CBC_OP_ADD: case CBC_OP_REPLACE: case CBC_OP_DELETE: case CBC_OP_INCREMENT: case CBC_OP_DECREMENT:
    case CBC_OP_GETQ: case CBC_OP_GETK: case CBC_OP_GETKQ: case CBC_OP_APPEND: case CBC_OP_PREPEND:
    case CBC_OP_SETQ: case CBC_OP_ADDQ: case CBC_OP_REPLACEQ: case CBC_OP_DELETEQ: case CBC_OP_INCREMENTQ: case CBC_OP_DECREMENTQ:
    case CBC_OP_APPENDQ: case CBC_OP_PREPENDQ: case CBC_OP_TOUCH: case CBC_OP_GAT: case CBC_OP_GATQ:
    case CBC_OP_GET_REPLICA: case CBC_OP_GET_LOCKED: case CBC_OP_UNLOCK_KEY:
        return 1;
    default:
        /* subdoc single and multi path opcodes */
        return op >= CBC_OP_SUBDOC_GET && op <= CBC_OP_SUBDOC_REPLACE_BODY_WITH_XATTR;
    }
}

int cbc__pkt_is_mutation(uint8_t op)
{
    switch (op) {
    case CBC_OP_SET: case CBC_OP_ADD: case CBC_OP_REPLACE: case CBC_OP_DELETE: case CBC_OP_INCREMENT: case CBC_OP_DECREMENT:
    case CBC_OP_APPEND: case CBC_OP_PREPEND:
    case CBC_OP_SETQ: case CBC_OP_ADDQ: case CBC_OP_REPLACEQ: case CBC_OP_DELETEQ: case CBC_OP_INCREMENTQ: case CBC_OP_DECREMENTQ:
    case CBC_OP_APPENDQ: case CBC_OP_PREPENDQ:
        return 1;
    default:
        return 0;
    }
}

/* Extras the core builds itself; -1 means "send req->extras as given". */
static int built_extras_len(const cbc_REQUEST *req)
{
    switch (req->opcode) {
    case CBC_OP_SET: case CBC_OP_ADD: case CBC_OP_REPLACE:
    case CBC_OP_SETQ: case CBC_OP_ADDQ: case CBC_OP_REPLACEQ:
        return 8;
    case CBC_OP_INCREMENT: case CBC_OP_DECREMENT: case CBC_OP_INCREMENTQ: case CBC_OP_DECREMENTQ:
        return 20;
    case CBC_OP_TOUCH: case CBC_OP_GAT: case CBC_OP_GATQ:
        return 4;
    case CBC_OP_GET_LOCKED:
        /* lock time 0 means "server default", which is what no extras say too */
        return req->expiry ? 4 : 0;
    default:
        return -1;
    }
}

int cbc__pkt_layout(const cbc_REQUEST *req, int collections, cbc_PKTLAYOUT *lay)
{
    int ext = built_extras_len(req);
    size_t nkey, nbody;
    uint8_t pfx[CBC_PKT_MAX_LEB128];

    if (ext < 0) {
        if (req->nextras > 0xff || (req->nextras && !req->extras)) {
            return CBC_ERR_EINVAL;
        }
        ext = (int)req->nextras;
    }
    if ((req->nkey && !req->key) || (req->nvalue && !req->value)) {
        return CBC_ERR_EINVAL;
    }
    lay->nextras = (uint8_t)ext;
    lay->nprefix = 0;
    if (collections && req->nkey && cbc__pkt_is_keyed(req->opcode)) {
        lay->nprefix = (uint8_t)cbc__pkt_leb128(req->collection, pfx);
    }
    nkey = req->nkey + lay->nprefix;
    lay->nframe = 0;
    if (req->durability) {
        /* frame header byte + level, plus the optional u16 timeout */
        lay->nframe = req->durability_timeout_ms ? 4 : 2;
    }
    if (req->preserve_ttl) {
        /* a frame header byte alone: id 5, no data */
        lay->nframe += 1;
    }
    if (lay->nframe) {
        lay->magic = CBC_PKT_MAGIC_ALT_REQ;
        if (nkey > 0xff) {
            return CBC_ERR_EINVAL;
        }
    } else {
        lay->magic = CBC_PKT_MAGIC_REQ;
        if (nkey > 0xffff) {
            return CBC_ERR_EINVAL;
        }
    }
    lay->nkey = (uint16_t)nkey;
    nbody = (size_t)lay->nframe + lay->nextras + nkey;
    if (req->nvalue > (size_t)0xffffffffU - nbody) {
        return CBC_ERR_EINVAL;
    }
    nbody += req->nvalue;
    lay->nbody = (uint32_t)nbody;
    lay->total = CBC_PKT_HDR_LEN + nbody;
    return 0;
}

void cbc__pkt_write(const cbc_REQUEST *req, const cbc_PKTLAYOUT *lay, uint16_t vbucket,
                    uint32_t opaque, char *out)
{
    char *p = out;
    *p++ = (char)lay->magic;
    *p++ = (char)req->opcode;
    if (lay->magic == CBC_PKT_MAGIC_ALT_REQ) {
        *p++ = (char)lay->nframe;
        *p++ = (char)lay->nkey;
    } else {
        p = wr16(p, lay->nkey);
    }
    *p++ = (char)lay->nextras;
    *p++ = (char)req->datatype;
    p = wr16(p, vbucket);
    p = wr32(p, lay->nbody);
    p = wr32(p, opaque);
    p = wr64(p, req->cas);

    /* FrameInfo: id in the high nibble, data length in the low nibble
     * (docs/protocol.md section 1.3). */
    if (req->durability) {
        uint8_t len = req->durability_timeout_ms ? 3 : 1;
        *p++ = (char)((CBC_PKT_FRAME_DURABILITY << 4) | len);
        *p++ = (char)req->durability;
        if (len == 3) {
            p = wr16(p, req->durability_timeout_ms);
        }
    }
    if (req->preserve_ttl) {
        *p++ = (char)(CBC_PKT_FRAME_PRESERVE_TTL << 4);
    }

    switch (req->opcode) {
    case CBC_OP_SET: case CBC_OP_ADD: case CBC_OP_REPLACE:
    case CBC_OP_SETQ: case CBC_OP_ADDQ: case CBC_OP_REPLACEQ:
        p = wr32(p, req->flags);
        p = wr32(p, req->expiry);
        break;
    case CBC_OP_INCREMENT: case CBC_OP_DECREMENT: case CBC_OP_INCREMENTQ: case CBC_OP_DECREMENTQ:
        p = wr64(p, req->delta);
        p = wr64(p, req->initial);
        /* 0xffffffff tells the server not to create a missing counter */
        p = wr32(p, req->create ? req->expiry : 0xffffffffU);
        break;
    case CBC_OP_TOUCH: case CBC_OP_GAT: case CBC_OP_GATQ:
        p = wr32(p, req->expiry);
        break;
    case CBC_OP_GET_LOCKED:
        if (lay->nextras) {
            p = wr32(p, req->expiry);
        }
        break;
    default:
        if (lay->nextras) {
            memcpy(p, req->extras, lay->nextras);
            p += lay->nextras;
        }
        break;
    }

    if (lay->nprefix) {
        p += cbc__pkt_leb128(req->collection, (uint8_t *)p);
    }
    if (req->nkey) {
        memcpy(p, req->key, req->nkey);
        p += req->nkey;
    }
    if (req->nvalue) {
        memcpy(p, req->value, req->nvalue);
    }
}

int cbc_pkt_encode(const cbc_REQUEST *req, uint16_t vbucket, uint32_t opaque, int collections,
                   char *out, size_t nout, size_t *written, cbc_ERROR *err)
{
    cbc_PKTLAYOUT lay;
    int rc;
    if (written) {
        *written = 0;
    }
    if (!req) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "no request");
    }
    rc = cbc__pkt_layout(req, collections, &lay);
    if (rc) {
        return CBC_FAIL(err, rc, "lengths do not fit the header (key %zu, extras %zu, value %zu)",
                        req->nkey, req->nextras, req->nvalue);
    }
    if (written) {
        *written = lay.total;
    }
    if (!out || nout < lay.total) {
        return CBC_FAIL(err, CBC_ERR_E2BIG, "packet needs %zu bytes, buffer has %zu", lay.total,
                        nout);
    }
    cbc__pkt_write(req, &lay, vbucket, opaque, out);
    return 0;
}

int cbc_pkt_parse_header(const char *buf, size_t nbuf, cbc_PKTHDR *hdr, cbc_ERROR *err)
{
    uint8_t magic;
    if (!buf || nbuf < CBC_PKT_HDR_LEN) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "header needs %d bytes, got %zu", CBC_PKT_HDR_LEN,
                        nbuf);
    }
    magic = (uint8_t)buf[0];
    hdr->magic = magic;
    hdr->opcode = (uint8_t)buf[1];
    switch (magic) {
    case CBC_PKT_MAGIC_REQ:
    case CBC_PKT_MAGIC_RES:
    case CBC_PKT_MAGIC_SRV_REQ:
    case CBC_PKT_MAGIC_SRV_RES:
        hdr->nframe = 0;
        hdr->nkey = cbc__rd16(buf + 2);
        break;
    case CBC_PKT_MAGIC_ALT_REQ:
    case CBC_PKT_MAGIC_ALT_RES:
        hdr->nframe = (uint8_t)buf[2];
        hdr->nkey = (uint8_t)buf[3];
        break;
    default:
        return CBC_FAIL(err, CBC_ERR_PROTOCOL_ERROR, "bad magic 0x%02x", magic);
    }
    hdr->nextras = (uint8_t)buf[4];
    hdr->datatype = (uint8_t)buf[5];
    hdr->status = cbc__rd16(buf + 6);
    hdr->nbody = cbc__rd32(buf + 8);
    hdr->opaque = cbc__rd32(buf + 12);
    hdr->cas = cbc__rd64(buf + 16);
    if ((uint32_t)hdr->nframe + hdr->nextras + hdr->nkey > hdr->nbody) {
        return CBC_FAIL(err, CBC_ERR_PROTOCOL_ERROR,
                        "frame %u + extras %u + key %u exceed body %u", hdr->nframe,
                        hdr->nextras, hdr->nkey, (unsigned)hdr->nbody);
    }
    return 0;
}
