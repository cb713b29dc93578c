/* MD5 (RFC 1321), written from the algorithm description in the RFC.
 * Ketama hashes short strings, so this favours simplicity over streaming:
 * one call digests one contiguous message. */
#include "md5.h"

#include <string.h>

/* T[i] = floor(abs(sin(i + 1)) * 2^32), RFC 1321 section 3.4. */
static const uint32_t T[64] = {
    0xd76aa478U, 0xe8c7b756U, 0x242070dbU, 0xc1bdceeeU,
    0xf57c0fafU, 0x4787c62aU, 0xa8304613U, 0xfd469501U,
    0x698098d8U, 0x8b44f7afU, 0xffff5bb1U, 0x895cd7beU,
    0x6b901122U, 0xfd987193U, 0xa679438eU, 0x49b40821U,
    0xf61e2562U, 0xc040b340U, 0x265e5a51U, 0xe9b6c7aaU,
    0xd62f105dU, 0x02441453U, 0xd8a1e681U, 0xe7d3fbc8U,
    0x21e1cde6U, 0xc33707d6U, 0xf4d50d87U, 0x455a14edU,
    0xa9e3e905U, 0xfcefa3f8U, 0x676f02d9U, 0x8d2a4c8aU,
    0xfffa3942U, 0x8771f681U, 0x6d9d6122U, 0xfde5380cU,
    0xa4beea44U, 0x4bdecfa9U, 0xf6bb4b60U, 0xbebfbc70U,
    0x289b7ec6U, 0xeaa127faU, 0xd4ef3085U, 0x04881d05U,
    0xd9d4d039U, 0xe6db99e5U, 0x1fa27cf8U, 0xc4ac5665U,
    0xf4292244U, 0x432aff97U, 0xab9423a7U, 0xfc93a039U,
    0x655b59c3U, 0x8f0ccc92U, 0xffeff47dU, 0x85845dd1U,
    0x6fa87e4fU, 0xfe2ce6e0U, 0xa3014314U, 0x4e0811a1U,
    0xf7537e82U, 0xbd3af235U, 0x2ad7d2bbU, 0xeb86d391U,
};

/* Per-round left-rotation amounts (four per round, repeated). */
static const uint8_t S[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

static uint32_t rotl(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static void md5_block(uint32_t st[4], const uint8_t blk[64])
{
    uint32_t X[16];
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
    unsigned i;
    /* The message words are little-endian regardless of the host. */
    for (i = 0; i < 16; i++) {
        X[i] = (uint32_t)blk[4 * i] | ((uint32_t)blk[4 * i + 1] << 8) |
               ((uint32_t)blk[4 * i + 2] << 16) | ((uint32_t)blk[4 * i + 3] << 24);
    }
    for (i = 0; i < 64; i++) {
        uint32_t f, tmp;
        unsigned g, round = i / 16;
        switch (round) {
        case 0:
            f = (b & c) | (~b & d);
            g = i;
            break;
        case 1:
            f = (b & d) | (c & ~d);
            g = (5 * i + 1) % 16;
            break;
        case 2:
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
            break;
        default:
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
            break;
        }
        tmp = d;
        d = c;
        c = b;
        b = b + rotl(a + f + X[g] + T[i], S[round][i % 4]);
        a = tmp;
    }
    st[0] += a;
    st[1] += b;
    st[2] += c;
    st[3] += d;
}

void cbc__md5(const void *data, size_t n, uint8_t out[16])
{
    uint32_t st[4] = {0x67452301U, 0xefcdab89U, 0x98badcfeU, 0x10325476U};
    const uint8_t *p = data;
    uint8_t tail[128];
    uint64_t bits = (uint64_t)n * 8;
    size_t left = n, ntail, i;

    while (left >= 64) {
        md5_block(st, p);
        p += 64;
        left -= 64;
    }
    /* Padding: 0x80, zeros to 56 mod 64, then the bit length little-endian. */
    memcpy(tail, p, left);
    tail[left] = 0x80;
    ntail = left + 1 <= 56 ? 64 : 128;
    memset(tail + left + 1, 0, ntail - left - 1);
    for (i = 0; i < 8; i++) {
        tail[ntail - 8 + i] = (uint8_t)(bits >> (8 * i));
    }
    md5_block(st, tail);
    if (ntail == 128) {
        md5_block(st, tail + 64);
    }
    for (i = 0; i < 4; i++) {
        out[4 * i] = (uint8_t)st[i];
        out[4 * i + 1] = (uint8_t)(st[i] >> 8);
        out[4 * i + 2] = (uint8_t)(st[i] >> 16);
        out[4 * i + 3] = (uint8_t)(st[i] >> 24);
    }
}
