/* Memcached binary framing: header pack/unpack, request encoding, LEB128.
 * No I/O. cbc_pkt_encode and cbc_pkt_parse_header are declared in cbc_api.h. */
#ifndef CBC_PACKET_H
#define CBC_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "cbc_api.h"

#define CBC_PKT_HDR_LEN 24
#define CBC_PKT_MAGIC_REQ 0x80
#define CBC_PKT_MAGIC_RES 0x81
#define CBC_PKT_MAGIC_ALT_REQ 0x08
#define CBC_PKT_MAGIC_ALT_RES 0x18
#define CBC_PKT_MAGIC_SRV_REQ 0x82 /* server push */
#define CBC_PKT_MAGIC_SRV_RES 0x83
#define CBC_PKT_MAX_LEB128 5
#define CBC_PKT_FRAME_DURABILITY 1
#define CBC_PKT_FRAME_PRESERVE_TTL 5

/* Sizes of the parts of one encoded request. */
typedef struct {
    uint8_t magic;
    uint8_t nframe;
    uint8_t nextras;
    uint8_t nprefix;   /* LEB128 collection prefix bytes, counted in nkey */
    uint16_t nkey;     /* wire key length, prefix included */
    uint32_t nbody;
    size_t total;      /* header + body */
} cbc_PKTLAYOUT;

/* Work out the layout of `req`. 0, or CBC_ERR_EINVAL when a length does not fit
 * the header (key over 0xffff, or over 255 with flexible framing; body over 4 GiB). */
int cbc__pkt_layout(const cbc_REQUEST *req, int collections, cbc_PKTLAYOUT *lay);
/* Write the packet laid out by cbc__pkt_layout into out[0..lay->total). */
void cbc__pkt_write(const cbc_REQUEST *req, const cbc_PKTLAYOUT *lay, uint16_t vbucket,
                    uint32_t opaque, char *out);
/* Unsigned LEB128 of v into out; returns the byte count (1..5). */
size_t cbc__pkt_leb128(uint32_t v, uint8_t *out);
/* Whether `opcode` names a document (gets the collection prefix). */
int cbc__pkt_is_keyed(uint8_t opcode);
/* Whether a response to `opcode` may carry the 16-byte mutation token extras. */
int cbc__pkt_is_mutation(uint8_t opcode);

static inline uint16_t cbc__rd16(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint16_t)((u[0] << 8) | u[1]);
}

static inline uint32_t cbc__rd32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return ((uint32_t)u[0] << 24) | ((uint32_t)u[1] << 16) | ((uint32_t)u[2] << 8) | u[3];
}

static inline uint64_t cbc__rd64(const char *p)
{
    return ((uint64_t)cbc__rd32(p) << 32) | cbc__rd32(p + 4);
}

#endif /* CBC_PACKET_H */
