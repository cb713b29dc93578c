/* Ketama continuum, as libcouchbase and sdk-rfcs RFC 0026 define it. */
#include "ketama.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md5.h"

#define KETAMA_HASHES_PER_SERVER 40 /* each digest yields 4 points: 160 per server */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static int cmp_point(const void *a, const void *b)
{
    const cbc_KPOINT *x = a, *y = b;
    if (x->point != y->point) {
        return x->point < y->point ? -1 : 1;
    }
    /* Equal points are rare; ordering them by server keeps the ring deterministic. */
    return x->server - y->server;
}

int cbc__ketama_build(cbc_KETAMA *k, const char *const *names, size_t n)
{
    cbc_KPOINT *pts = NULL;
    size_t npts = 0, i;
    int r, j;
    if (n) {
        if (n > (size_t)-1 / (sizeof(*pts) * KETAMA_HASHES_PER_SERVER * 4)) {
            return -1;
        }
        pts = malloc(n * KETAMA_HASHES_PER_SERVER * 4 * sizeof(*pts));
        if (!pts) {
            return -1;
        }
    }
    for (i = 0; i < n; i++) {
        size_t nname = strlen(names[i]);
        char *buf = malloc(nname + 16);
        if (!buf) {
            free(pts);
            return -1;
        }
        for (r = 0; r < KETAMA_HASHES_PER_SERVER; r++) {
            uint8_t d[16];
            int len = snprintf(buf, nname + 16, "%s-%d", names[i], r);
            cbc__md5(buf, (size_t)len, d);
            for (j = 0; j < 4; j++) {
                pts[npts].point = le32(d + 4 * j);
                pts[npts].server = (int)i;
                npts++;
            }
        }
        free(buf);
    }
    if (npts) {
        qsort(pts, npts, sizeof(*pts), cmp_point);
    }
    free(k->points);
    k->points = pts;
    k->npoints = npts;
    return 0;
}

int cbc__ketama_lookup(const cbc_KETAMA *k, const char *key, size_t nkey)
{
    uint8_t d[16];
    uint32_t h;
    size_t lo, hi;
    if (k->npoints == 0) {
        return -1;
    }
    cbc__md5(key, nkey, d);
    h = le32(d);
    /* Binary search for the first point >= h. */
    lo = 0;
    hi = k->npoints;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->points[mid].point < h) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == k->npoints) {
        lo = 0;
    }
    return k->points[lo].server;
}

void cbc__ketama_free(cbc_KETAMA *k)
{
    free(k->points);
    k->points = NULL;
    k->npoints = 0;
}
