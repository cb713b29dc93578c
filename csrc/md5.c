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

static uint32_t rotl(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

/* The four auxiliary functions of RFC 1321 section 3.4. */
#define F(x, y, z) (((x) & (y)) | (~(x) & (z)))
#define G(x, y, z) (((x) & (z)) | ((y) & ~(z)))
#define H(x, y, z) ((x) ^ (y) ^ (z))
#define I(x, y, z) ((y) ^ ((x) | ~(z)))

/* a = b + ((a + f(b, c, d) + X[k] + T[i]) <<< s), one step of a round */
#define STEP(f, a, b, c, d, k, s, i) (a) = (b) + rotl((a) + f((b), (c), (d)) + X[k] + T[i], (s))

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
    /* Ketama hashes every key, so the 64 steps are spelled out for speed:
     * round 1 takes words in order, round 2 (5i + 1) mod 16, round 3
     * (3i + 5) mod 16, round 4 7i mod 16. */
    for (i = 0; i < 16; i += 4) {
        STEP(F, a, b, c, d, i, 7, i);
        STEP(F, d, a, b, c, i + 1, 12, i + 1);
        STEP(F, c, d, a, b, i + 2, 17, i + 2);
        STEP(F, b, c, d, a, i + 3, 22, i + 3);
    }
    for (i = 16; i < 32; i += 4) {
        STEP(G, a, b, c, d, (5 * i + 1) % 16, 5, i);
        STEP(G, d, a, b, c, (5 * i + 6) % 16, 9, i + 1);
        STEP(G, c, d, a, b, (5 * i + 11) % 16, 14, i + 2);
        STEP(G, b, c, d, a, (5 * i + 16) % 16, 20, i + 3);
    }
    for (i = 32; i < 48; i += 4) {
        STEP(H, a, b, c, d, (3 * i + 5) % 16, 4, i);
        STEP(H, d, a, b, c, (3 * i + 8) % 16, 11, i + 1);
        STEP(H, c, d, a, b, (3 * i + 11) % 16, 16, i + 2);
        STEP(H, b, c, d, a, (3 * i + 14) % 16, 23, i + 3);
    }
    for (i = 48; i < 64; i += 4) {
        STEP(I, a, b, c, d, (7 * i) % 16, 6, i);
        STEP(I, d, a, b, c, (7 * i + 7) % 16, 10, i + 1);
        STEP(I, c, d, a, b, (7 * i + 14) % 16, 15, i + 2);
        STEP(I, b, c, d, a, (7 * i + 21) % 16, 21, i + 3);
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
