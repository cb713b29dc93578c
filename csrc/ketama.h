/* Ketama continuum for memcached buckets (docs/protocol.md section 7). */
#ifndef CBC_KETAMA_H
#define CBC_KETAMA_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t point;
    int server; /* index into the names the continuum was built from */
} cbc_KPOINT;

typedef struct {
    cbc_KPOINT *points; /* sorted by point, owned */
    size_t npoints;
} cbc_KETAMA;

/* Build 160 points per server from md5("<name>-<r>"), r = 0..39, names being
 * "host:port". Replaces what `k` held. 0, or -1 when out of memory (k unchanged). */
int cbc__ketama_build(cbc_KETAMA *k, const char *const *names, size_t n);
/* Server owning `key`: the first point >= the key's hash, wrapping to the first
 * point. -1 when the continuum is empty. */
int cbc__ketama_lookup(const cbc_KETAMA *k, const char *key, size_t nkey);
void cbc__ketama_free(cbc_KETAMA *k);

#endif /* CBC_KETAMA_H */
