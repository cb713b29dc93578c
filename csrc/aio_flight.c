/* Requests in flight of the event-driven mode: generations, their completions, the answers
 * that find them by opaque, and what failing, moving or closing a socket does to them
 * (aio.h). The engine's entry points and socket steps are in aio.c. */
#define _POSIX_C_SOURCE 200809L
#include "aio.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "packet.h"
#include "prelude.h"
#include "response.h"
#include "tls.h"

int cbc__aio_grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t ncap;
    void *np;
    if (need <= *cap) {
        return 0;
    }
    ncap = *cap ? *cap * 2 : 16;
    while (ncap < need) {
        ncap *= 2;
    }
    np = realloc(*p, ncap * size);
    if (!np) {
        return -1;
    }
    *p = np;
    *cap = ncap;
    return 0;
}

/* ---- bookkeeping of requests ---- */

/* Request `index` of generation `gen` is final (its result holds the outcome). */
void cbc__aio_complete(cbc_AIO *a, uint32_t gen, size_t index)
{
    /* (submit made room for every request in flight: this cannot fail) */
    if (cbc__aio_grow((void **)&a->done, &a->donecap, a->ndone + 1, sizeof(*a->done)) != 0) {
        return;
    }
    a->done[a->ndone].gen = gen;
    a->done[a->ndone].index = (uint32_t)index;
    a->ndone++;
    a->gens[gen].undelivered++;
    a->stats.completions++;
}

/* Request of generation `gen` no longer owes anything. */
void cbc__aio_release(cbc_AIO *a, uint32_t gen)
{
    cbc_AIOGEN *g = &a->gens[gen];
    g->live--;
    a->inflight--;
    if (g->live == 0 && g->state == CBC_GEN_FLIGHT) {
        g->state = CBC_GEN_FINISHED;
        a->nfinished++;
    }
}

static cbc_SERVER *server_of(cbc_AIO *a, const cbc_RESULT *res)
{
    cbc_CONN *conn = a->conn;
    return res->server >= 0 && (size_t)res->server < conn->nservers ? &conn->servers[res->server] : NULL;
}

/* Start of every call that moves the engine: the completions handed out are gone, and
 * the generations they finished go back to the free list. */
void cbc__aio_begin(cbc_AIO *a)
{
    size_t i, k;
    if (a->taken) {
        memmove(a->done, a->done + a->taken, (a->ndone - a->taken) * sizeof(*a->done));
        a->ndone -= a->taken;
        a->taken = 0;
    }
    a->status = 0;
    if (!a->nfinished) {
        return;
    }
    for (i = 0, k = 0; i < a->nflight; i++) {
        uint32_t gid = a->flight[i];
        cbc_AIOGEN *g = &a->gens[gid];
        if (g->state == CBC_GEN_FINISHED && g->undelivered == 0) {
            cbc_batch_reset(g->b);
            g->state = CBC_GEN_FREE;
            a->freeg[a->nfree++] = gid;
            a->nfinished--;
            continue;
        }
        a->flight[k++] = gid;
    }
    a->nflight = k;
}

/* What socket s waits for now (CBC_AIO_READ/WRITE), 0 when closed. */
int cbc__aio_wants(const cbc_SERVER *s)
{
    if (s->fd < 0) {
        return 0;
    }
    switch (s->state) {
    case CBC_SRV_RESOLVING:
        return CBC_AIO_READ;
    case CBC_SRV_CONNECTING:
        return CBC_AIO_WRITE;
    case CBC_SRV_TLS:
        return (cbc__tls_events(s->tls) & POLLOUT) ? CBC_AIO_WRITE : CBC_AIO_READ;
    case CBC_SRV_PRELUDE:
        return CBC_AIO_READ | (!s->can_write && cbc__prelude_unsent(s) ? CBC_AIO_WRITE : 0);
    default:
        return CBC_AIO_READ | (!s->can_write && s->wpos < s->wbuf.len ? CBC_AIO_WRITE : 0);
    }
}

/* End of a call: completed results get their value pointers, and the status bits. */
int cbc__aio_end(cbc_AIO *a)
{
    cbc_CONN *conn = a->conn;
    int st = a->status;
    size_t i;
    for (i = 0; i < a->ndone; i++) {
        cbc_BATCH *b = a->gens[a->done[i].gen].b;
        cbc_SLOT *slot = &b->slots[a->done[i].index];
        cbc_RESULT *res = &b->results[a->done[i].index];
        if (slot->vsrc >= 0 && (size_t)slot->vsrc < conn->nservers && res->nvalue) {
            res->value = conn->servers[slot->vsrc].own_rbuf.data + slot->voff;
        } else if (slot->vsrc == CBC_VAL_STAT && slot->stat && slot->stat->len) {
            res->value = slot->stat->data;
            res->nvalue = slot->stat->len;
        } else {
            res->value = "";
            res->nvalue = 0;
        }
    }
    if (a->ndone) {
        st |= CBC_AIO_DONE;
    }
    if (a->ngrave || a->rewatch) {
        st |= CBC_AIO_WATCH;
    }
    for (i = 0; i < conn->nservers && !(st & CBC_AIO_WATCH); i++) {
        cbc_SERVER *s = &conn->servers[i];
        int w = cbc__aio_wants(s);
        if (s->watch_fd != (w ? s->fd : -1) || (w && s->watch_ev != w)) {
            st |= CBC_AIO_WATCH;
        }
    }
    if (a->armed == 0 && (a->inflight || a->owing)) {
        st |= CBC_AIO_TIMER;
    }
    if (a->pushed) {
        st |= CBC_AIO_PUSH;
    }
    return st;
}

/* ---- the internal surface (aio.h) ---- */

void cbc__aio_rewatch(cbc_AIO *a)
{
    a->rewatch = 1;
}

void cbc__aio_bury(cbc_AIO *a, int fd)
{
    if (cbc__aio_grow((void **)&a->grave, &a->gravecap, a->ngrave + 1, sizeof(*a->grave)) != 0) {
        /* No room to defer it: closing now risks a reused number in the caller's
         * selector, leaking it risks nothing worse than one descriptor. */
        return;
    }
    a->grave[a->ngrave++] = fd;
}

int cbc__aio_lookup(cbc_AIO *a, uint32_t opaque, int idx, cbc_SLOT **slot, cbc_RESULT **res)
{
    uint32_t base, t;
    size_t lo, hi;
    cbc_AIOGEN *g;
    uint32_t off;
    if (!a->nflight) {
        return 0;
    }
    base = a->gens[a->flight[0]].seq0;
    t = opaque - base;
    lo = 0;
    hi = a->nflight; /* the last generation whose first opaque is <= t, in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->gens[a->flight[mid]].seq0 - base <= t) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    g = &a->gens[a->flight[lo]];
    off = t - (g->seq0 - base);
    if (g->state != CBC_GEN_FLIGHT || off >= g->b->n) {
        return 0;
    }
    *slot = &g->b->slots[off];
    *res = &g->b->results[off];
    if (((*slot)->state != CBC_SLOT_SENT && (*slot)->state != CBC_SLOT_EXPIRED) || (*res)->server != idx) {
        return 0;
    }
    a->lk_gen = a->flight[lo];
    a->lk_idx = off;
    return 1;
}

void cbc__aio_answered(cbc_AIO *a, cbc_SERVER *s, cbc_SLOT *slot)
{
    (void)s;
    (void)slot;
    cbc__aio_complete(a, a->lk_gen, a->lk_idx);
    cbc__aio_release(a, a->lk_gen);
}

void cbc__aio_late(cbc_AIO *a, cbc_SERVER *s, cbc_SLOT *slot)
{
    slot->state = CBC_SLOT_DONE;
    if (s->nexpired) {
        s->nexpired--;
    }
    a->owing--;
    a->stats.late++;
    cbc__aio_release(a, a->lk_gen);
}

void cbc__aio_fail_slots(cbc_AIO *a, cbc_SERVER *s, int idx, int rc, const char *file, int line)
{
    size_t k, i;
    if (s->npending || s->nexpired) {
        for (k = 0; k < a->nflight; k++) {
            uint32_t gid = a->flight[k];
            cbc_BATCH *b = a->gens[gid].b;
            if (a->gens[gid].state != CBC_GEN_FLIGHT) {
                continue;
            }
            for (i = 0; i < b->n; i++) {
                cbc_SLOT *slot = &b->slots[i];
                if (b->results[i].server != idx) {
                    continue;
                }
                if (slot->state == CBC_SLOT_SENT) {
                    cbc__resp_set_rc(&b->results[i], rc, file, line);
                    slot->state = CBC_SLOT_DONE;
                    cbc__aio_complete(a, gid, i);
                    cbc__aio_release(a, gid);
                } else if (slot->state == CBC_SLOT_EXPIRED) {
                    slot->state = CBC_SLOT_DONE;
                    a->owing--;
                    cbc__aio_release(a, gid);
                }
            }
        }
    }
    s->npending = 0;
    s->nexpired = 0;
    s->wbuf.len = 0;
    s->wpos = 0;
    s->max_deadline = 0;
}

void cbc__aio_push(cbc_AIO *a, int idx, const cbc_PKTHDR *h, const char *pkt)
{
    size_t off = CBC_PKT_HDR_LEN + h->nframe + h->nextras + h->nkey;
    if (h->opcode != 0x01 || h->nbody <= off - CBC_PKT_HDR_LEN) {
        return; /* not a configuration (or a brief one without its body) */
    }
    a->push.len = 0;
    if (cbc__buf_append(&a->push, pkt + off, h->nbody - (off - CBC_PKT_HDR_LEN)) != 0) {
        return;
    }
    a->push_server = idx;
    a->pushed = 1;
    a->stats.pushes++;
}

int cbc__aio_full(const cbc_AIO *a)
{
    return a->ndone >= CBC_AIO_DONE_MAX;
}

void cbc__aio_remap(cbc_AIO *a, const int *map, size_t nold)
{
    size_t k, i;
    for (k = 0; k < a->nflight; k++) {
        uint32_t gid = a->flight[k];
        cbc_BATCH *b = a->gens[gid].b;
        if (a->gens[gid].state != CBC_GEN_FLIGHT) {
            continue;
        }
        for (i = 0; i < b->n; i++) {
            cbc_SLOT *slot = &b->slots[i];
            cbc_RESULT *res = &b->results[i];
            int j = res->server;
            if ((slot->state != CBC_SLOT_SENT && slot->state != CBC_SLOT_EXPIRED) || j < 0 || (size_t)j >= nold) {
                continue;
            }
            if (map[j] >= 0) {
                res->server = (int16_t)map[j];
            } else if (slot->state == CBC_SLOT_SENT) {
                /* its socket closes: a retry (topology) may send it elsewhere */
                SLOT_FAIL(res, CBC_ERR_NETWORK_ERROR);
                slot->state = CBC_SLOT_DONE;
                cbc__aio_complete(a, gid, i);
                cbc__aio_release(a, gid);
            } else {
                slot->state = CBC_SLOT_DONE;
                a->owing--;
                cbc__aio_release(a, gid);
            }
        }
    }
}


/* Request `i` of generation gid timed out. */
void cbc__aio_expire(cbc_AIO *a, uint32_t gid, size_t i)
{
    cbc_BATCH *b = a->gens[gid].b;
    cbc_SERVER *s = server_of(a, &b->results[i]);
    SLOT_FAIL(&b->results[i], CBC_ERR_ETIMEDOUT);
    b->slots[i].state = CBC_SLOT_EXPIRED; /* its answer, if it comes, is dropped */
    if (s) {
        s->npending--;
        s->nexpired++;
    }
    a->owing++;
    a->stats.expired++;
    cbc__aio_complete(a, gid, i);
}

