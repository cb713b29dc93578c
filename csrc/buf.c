/* Growable byte buffer. */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

int cbc__buf_reserve(cbc_BUF *buf, size_t extra)
{
    size_t need, cap;
    char *p;
    if (extra > (size_t)-1 - buf->len) {
        return -1;
    }
    need = buf->len + extra;
    if (need <= buf->cap) {
        return 0;
    }
    /* Doubling keeps appends amortised O(1); start at 4 KiB so small batches
     * settle after one allocation. */
    cap = buf->cap ? buf->cap : 4096;
    while (cap < need) {
        if (cap > (size_t)-1 / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    p = realloc(buf->data, cap);
    if (!p) {
        return -1;
    }
    buf->data = p;
    buf->cap = cap;
    return 0;
}

int cbc__buf_append(cbc_BUF *buf, const void *bytes, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if (cbc__buf_reserve(buf, n) != 0) {
        return -1;
    }
    memcpy(buf->data + buf->len, bytes, n);
    buf->len += n;
    return 0;
}

void cbc__buf_consume(cbc_BUF *buf, size_t n)
{
    if (n >= buf->len) {
        buf->len = 0;
        return;
    }
    memmove(buf->data, buf->data + n, buf->len - n);
    buf->len -= n;
}

#define GROW_TOWARD_MIN 65536

int cbc__buf_grow_toward(cbc_BUF *buf, size_t have, size_t total)
{
    size_t want = total > have ? total - have : 0, step = have > GROW_TOWARD_MIN ? have : GROW_TOWARD_MIN;
    if (want > step) {
        want = step;
    }
    return buf->cap - buf->len >= want ? 0 : cbc__buf_reserve(buf, want);
}

void cbc__buf_shrink(cbc_BUF *buf)
{
    char *p;
    if (buf->len == 0) {
        cbc__buf_free(buf);
        return;
    }
    if (buf->cap == buf->len) {
        return;
    }
    p = realloc(buf->data, buf->len);
    if (p) { /* a failed shrink keeps the larger block, which is still valid */
        buf->data = p;
        buf->cap = buf->len;
    }
}

void cbc__buf_free(cbc_BUF *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
}
