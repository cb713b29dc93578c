/* Event-driven mode: the connection's sockets driven by the caller's event loop (see
 * cbc_api.h for the surface and aio.h for what the other modules call).
 *
 * Requests are added to the open batch (a "generation"); a submit routes them, appends
 * their packets to each socket's write buffer with opaque = a running sequence number
 * (seq0 of the generation + index) and writes each ready socket once. Generations in
 * flight are kept in submission order (`flight`), so an answer's opaque finds its request
 * by a binary search. A generation is recycled once every request of it is final and its
 * completions were handed to the caller. Establishing a socket (resolve, connect, TLS,
 * prelude and SASL) is the blocking path's own state machine (connect.c, prelude.c),
 * stepped by events instead of poll(). */
#define _POSIX_C_SOURCE 200809L
#include "aio.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connect.h"
#include "errors.h"
#include "io.h"
#include "packet.h"
#include "prelude.h"
#include "response.h"

#define RECV_MIN_ROOM 16384   /* grow the read buffer when less than this is free */
#define RECV_GROW 65536
#define READ_CAP (1u << 20)   /* bytes one event call reads at most (then CBC_AIO_AGAIN) */
#define WBUF_KEEP (1u << 20)  /* a drained write buffer larger than this is freed */

typedef cbc_RUN RUN;

/* ---- sockets ---- */

/* Write what the socket takes of its queued requests. */
static void flush(cbc_AIO *a, RUN *run, cbc_SERVER *s)
{
    while (s->wpos < s->wbuf.len) {
        ssize_t w = cbc__sock_send(s, s->wbuf.data + s->wpos, s->wbuf.len - s->wpos);
        a->stats.sends++;
        if (w < 0) {
            SERVER_FAIL(run, s, cbc__connect_io_fail(s, w));
            return;
        }
        if (w == 0) {
            s->can_write = 0;
            if (s->wpos > s->wbuf.len / 2) {
                cbc__buf_consume(&s->wbuf, s->wpos);
                s->wpos = 0;
            }
            return;
        }
        s->wpos += (size_t)w;
    }
    s->wbuf.len = 0;
    s->wpos = 0;
    if (s->wbuf.cap > WBUF_KEEP) {
        cbc__buf_free(&s->wbuf);
    }
}

/* After an event: send what a newly ready socket holds, or its handshake. */
static void settle(cbc_AIO *a, RUN *run, cbc_SERVER *s)
{
    if (s->fd < 0 || !s->can_write) {
        return;
    }
    if (s->state == CBC_SRV_PRELUDE && cbc__prelude_unsent(s)) {
        cbc__prelude_flush(run, s);
    }
    if (s->fd >= 0 && s->state == CBC_SRV_READY && s->wpos < s->wbuf.len) {
        flush(a, run, s);
    }
}

/* Read and parse what socket s has, within this call's share. */
static void on_readable(cbc_AIO *a, RUN *run, cbc_SERVER *s)
{
    cbc_BUF *rb = &s->own_rbuf;
    size_t total = 0;
    s->rbuf = rb;
    if (s->rpos) {
        /* answers before rpos were handed out by earlier calls */
        cbc__buf_consume(rb, s->rpos);
        s->rpos = 0;
    }
    if (rb->len) {
        cbc__resp_parse(run, s); /* complete answers left by a call that was full */
    }
    for (;;) {
        size_t room;
        ssize_t r;
        if (s->fd < 0) {
            return;
        }
        if (cbc__aio_full(a) || total >= READ_CAP) {
            a->status |= CBC_AIO_AGAIN;
            return;
        }
        if (rb->cap - rb->len < RECV_MIN_ROOM && cbc__buf_reserve(rb, RECV_GROW) != 0) {
            SERVER_FAIL(run, s, CBC_ERR_CLIENT_ENOMEM);
            return;
        }
        room = rb->cap - rb->len;
        r = cbc__sock_recv(s, rb->data + rb->len, room);
        if (r == -EAGAIN) {
            return;
        }
        if (r == 0) {
            SERVER_FAIL(run, s, cbc__connect_eof(s));
            return;
        }
        if (r < 0) {
            SERVER_FAIL(run, s, cbc__connect_io_fail(s, r));
            return;
        }
        a->stats.recvs++;
        rb->len += (size_t)r;
        total += (size_t)r;
        s->rx_us = cbc__io_now_us();
        cbc__resp_parse(run, s);
        if ((size_t)r < room && !cbc__sock_pending(s) && s->fd >= 0 && !cbc__aio_full(a)) {
            return; /* drained */
        }
    }
}

/* ---- the public surface ---- */

cbc_AIO *cbc_aio_new(cbc_CONN *conn, cbc_ERROR *err)
{
    cbc_AIO *a;
    size_t i;
    if (!conn) {
        CBC_FAIL(err, CBC_ERR_EINVAL, "no connection");
        return NULL;
    }
    if (conn->aio) {
        CBC_FAIL(err, CBC_ERR_EINVAL, "the connection is event-driven already");
        return NULL;
    }
    a = calloc(1, sizeof(*a));
    if (!a) {
        CBC_FAIL(err, CBC_ERR_CLIENT_ENOMEM, "no memory for the event-driven engine");
        return NULL;
    }
    cbc_conn_disconnect(conn, -1); /* sockets of blocking runs are not watched by anyone */
    a->conn = conn;
    a->seq = 1;
    conn->aio = a;
    for (i = 0; i < conn->nservers; i++) {
        conn->servers[i].aio = a;
        conn->servers[i].watch_fd = -1;
        conn->tservers[i].aio = a;
        conn->tservers[i].watch_fd = -1;
    }
    return a;
}

void cbc_aio_free(cbc_AIO *a)
{
    cbc_CONN *conn;
    size_t i;
    if (!a) {
        return;
    }
    conn = a->conn;
    for (i = 0; i < conn->nservers; i++) {
        conn->servers[i].aio = NULL;
        conn->tservers[i].aio = NULL;
        cbc__conn_close_server(&conn->servers[i]);
        cbc__buf_free(&conn->servers[i].wbuf);
        conn->servers[i].npending = conn->servers[i].nexpired = 0;
        conn->servers[i].rbuf = NULL;
    }
    cbc_aio_reap(a);
    for (i = 0; i < a->ngens; i++) {
        cbc_batch_free(a->gens[i].b);
    }
    conn->aio = NULL;
    cbc__buf_free(&a->push);
    free(a->gens);
    free(a->freeg);
    free(a->flight);
    free(a->done);
    free(a->grave);
    free(a->watch);
    free(a);
}

cbc_BATCH *cbc_aio_batch(cbc_AIO *a, uint32_t *gen, int *opened)
{
    uint32_t gid;
    /* (no begin(): a decoder run by the caller's dispatch may land here, and the
     * generation being dispatched must not be recycled under it) */
    *opened = 0;
    if (a->open) {
        *gen = a->open_gen;
        return a->gens[a->open_gen].b;
    }
    if (a->nfree) {
        gid = a->freeg[--a->nfree];
    } else {
        cbc_BATCH *b;
        size_t cap = a->gencap;
        if (a->ngens >= 0xfffffffeu ||
            cbc__aio_grow((void **)&a->gens, &a->gencap, a->ngens + 1, sizeof(*a->gens)) != 0) {
            return NULL;
        }
        if (a->gencap != cap) {
            /* every generation fits in the free list and in `flight` at once */
            uint32_t *nf = realloc(a->freeg, a->gencap * sizeof(*nf));
            if (nf) {
                a->freeg = nf;
            }
            if (!nf || cbc__aio_grow((void **)&a->flight, &a->flightcap, a->gencap, sizeof(*a->flight)) != 0) {
                a->gencap = cap;
                return NULL;
            }
        }
        if ((b = cbc_batch_new(a->conn)) == NULL) {
            return NULL;
        }
        b->aio_owned = 1;
        gid = (uint32_t)a->ngens++;
        memset(&a->gens[gid], 0, sizeof(cbc_AIOGEN));
        a->gens[gid].b = b;
    }
    a->gens[gid].state = CBC_GEN_OPEN;
    a->open = 1;
    a->open_gen = gid;
    *gen = gid;
    *opened = 1;
    return a->gens[gid].b;
}

cbc_BATCH *cbc_aio_gen_batch(cbc_AIO *a, uint32_t gen)
{
    return gen < a->ngens ? a->gens[gen].b : NULL;
}

void cbc_aio_deadline(cbc_AIO *a, size_t from, uint64_t deadline_us)
{
    cbc_BATCH *b;
    size_t i;
    if (!a->open) {
        return;
    }
    b = a->gens[a->open_gen].b;
    for (i = from; i < b->n; i++) {
        b->slots[i].deadline = deadline_us;
    }
}

int cbc_aio_submit(cbc_AIO *a)
{
    cbc_CONN *conn = a->conn;
    uint32_t gid;
    cbc_AIOGEN *g;
    cbc_BATCH *b;
    RUN run;
    size_t i, ninv = 0;
    uint64_t now;

    cbc__aio_begin(a);
    if (!a->open) {
        return cbc__aio_end(a);
    }
    gid = a->open_gen;
    g = &a->gens[gid];
    b = g->b;
    if (b->n == 0) {
        a->open = 0;
        g->state = CBC_GEN_FREE;
        a->freeg[a->nfree++] = gid;
        return cbc__aio_end(a);
    }
    /* room to report every request in flight, so that no completion can be lost */
    if (cbc__aio_grow((void **)&a->done, &a->donecap, a->ndone + a->inflight + b->n, sizeof(*a->done)) != 0) {
        a->status |= CBC_AIO_NOMEM; /* the batch stays open */
        return cbc__aio_end(a);
    }
    a->open = 0;
    now = cbc__io_now_us();
    run.conn = conn;
    run.b = NULL;
    g->state = CBC_GEN_FLIGHT;
    g->seq0 = a->seq;
    g->live = b->n;
    g->undelivered = 0;
    g->min_deadline = CBC_AIO_NO_DEADLINE;
    a->seq += (uint32_t)b->n;
    a->inflight += b->n;
    a->flight[a->nflight++] = gid; /* sized with the generations */
    a->stats.submits++;
    for (i = 0; i < b->n; i++) {
        cbc_SLOT *slot = &b->slots[i];
        cbc_RESULT *res = &b->results[i];
        cbc_SERVER *s;
        uint16_t vb = 0;
        uint32_t opaque = g->seq0 + (uint32_t)i;
        int srv, rc;
        res->status = 0xffff;
        res->opcode = slot->req.opcode;
        res->server = -1;
        res->value = "";
        res->nvalue = 0;
        slot->vsrc = CBC_VAL_NONE;
        slot->state = CBC_SLOT_DONE;
        a->stats.requests++;
        srv = cbc__conn_route(conn, &slot->req, &vb);
        res->vbucket = vb;
        if (srv < 0) {
            SLOT_FAIL(res, CBC_ERR_NO_MATCHING_SERVER);
            goto final;
        }
        if (!slot->pkt || slot->pkt_coll != (conn->collections != 0)) {
            cbc_PKTLAYOUT lay;
            char *p;
            if ((rc = cbc__pkt_layout(&slot->req, conn->collections, &lay)) != 0) {
                SLOT_FAIL(res, rc);
                goto final;
            }
            if ((p = cbc__batch_alloc(b, lay.total)) == NULL) {
                SLOT_FAIL(res, CBC_ERR_CLIENT_ENOMEM);
                goto final;
            }
            cbc__pkt_write(&slot->req, &lay, vb, opaque, p);
            slot->pkt = p;
            slot->npkt = lay.total;
            slot->pkt_coll = (uint8_t)(conn->collections != 0);
        } else {
            slot->pkt[6] = (char)(vb >> 8); /* header bytes 6-7: vbucket */
            slot->pkt[7] = (char)vb;
        }
        slot->pkt[12] = (char)(opaque >> 24); /* header bytes 12-15: opaque */
        slot->pkt[13] = (char)(opaque >> 16);
        slot->pkt[14] = (char)(opaque >> 8);
        slot->pkt[15] = (char)opaque;
        s = &conn->servers[srv];
        if (cbc__buf_append(&s->wbuf, slot->pkt, slot->npkt) != 0) {
            SLOT_FAIL(res, CBC_ERR_CLIENT_ENOMEM);
            goto final;
        }
        if (!s->in_run) {
            s->in_run = 1;
            conn->involved[ninv++] = srv;
        }
        if (s->npending == 0 && s->nexpired == 0) {
            s->rx_us = now; /* silence is measured from when it became busy */
        }
        res->server = (int16_t)srv;
        slot->state = CBC_SLOT_SENT;
        s->npending++;
        if (slot->deadline) {
            if (slot->deadline > s->max_deadline) {
                s->max_deadline = slot->deadline;
            }
            if (slot->deadline < g->min_deadline) {
                g->min_deadline = slot->deadline;
            }
        }
        continue;
    final:
        cbc__aio_complete(a, gid, i);
        cbc__aio_release(a, gid);
    }
    for (i = 0; i < ninv; i++) {
        cbc_SERVER *s = &conn->servers[conn->involved[i]];
        s->in_run = 0;
        if (s->fd < 0) {
            cbc__connect_start(&run, s);
        } else if (s->state == CBC_SRV_READY && s->can_write) {
            flush(a, &run, s);
        }
    }
    if (g->min_deadline != CBC_AIO_NO_DEADLINE && (a->armed == 0 || g->min_deadline < a->armed)) {
        a->status |= CBC_AIO_TIMER;
    }
    return cbc__aio_end(a);
}

int cbc_aio_event(cbc_AIO *a, int fd, int events)
{
    cbc_CONN *conn = a->conn;
    cbc_SERVER *s = NULL;
    RUN run;
    size_t i;
    cbc__aio_begin(a);
    run.conn = conn;
    run.b = NULL;
    for (i = 0; i < conn->nservers && fd >= 0; i++) {
        if (conn->servers[i].fd == fd) {
            s = &conn->servers[i];
            break;
        }
        if (conn->servers[i].hs.job && conn->servers[i].hs.job_fd == fd) {
            /* a socket's SCRAM derivation is done: its handshake goes on */
            s = &conn->servers[i];
            cbc__prelude_derived(&run, s);
            settle(a, &run, s);
            return cbc__aio_end(a);
        }
    }
    if (!s) {
        return cbc__aio_end(a); /* a descriptor dropped since it was reported */
    }
    if (s->state < CBC_SRV_PRELUDE) {
        cbc__connect_event(&run, s, (short)((events & CBC_AIO_READ) ? POLLIN : POLLOUT));
    } else {
        if (events & CBC_AIO_WRITE) {
            s->can_write = 1;
        }
        if (events & CBC_AIO_READ) {
            on_readable(a, &run, s);
        }
    }
    settle(a, &run, s);
    return cbc__aio_end(a);
}

int cbc_aio_tick(cbc_AIO *a)
{
    cbc_CONN *conn = a->conn;
    uint64_t now = cbc__io_now_us();
    RUN run;
    size_t i, k;
    cbc__aio_begin(a);
    a->armed = 0;
    run.conn = conn;
    run.b = NULL;
    /* A socket still being set up when every request waiting on it is due: it failed to
     * come up in time (its requests get its failure record: "connect took longer ..."). */
    for (i = 0; i < conn->nservers; i++) {
        cbc_SERVER *s = &conn->servers[i];
        if (s->fd >= 0 && s->state != CBC_SRV_READY && s->npending && s->max_deadline &&
            s->max_deadline <= now) {
            cbc__connect_timed_out(s);
            SERVER_FAIL(&run, s, CBC_ERR_ETIMEDOUT);
        }
    }
    for (k = 0; k < a->nflight; k++) {
        uint32_t gid = a->flight[k];
        cbc_AIOGEN *g = &a->gens[gid];
        uint64_t next = CBC_AIO_NO_DEADLINE;
        if (g->state != CBC_GEN_FLIGHT || g->min_deadline > now) {
            continue;
        }
        for (i = 0; i < g->b->n; i++) {
            cbc_SLOT *slot = &g->b->slots[i];
            if (slot->state != CBC_SLOT_SENT || !slot->deadline) {
                continue;
            }
            if (slot->deadline <= now) {
                cbc__aio_expire(a, gid, i);
            } else if (slot->deadline < next) {
                next = slot->deadline;
            }
        }
        a->gens[gid].min_deadline = next;
    }
    for (i = 0; i < conn->nservers; i++) {
        cbc_SERVER *s = &conn->servers[i];
        if (s->fd >= 0 && s->state != CBC_SRV_READY && !s->npending) {
            /* nothing waits for it any more */
            cbc__connect_timed_out(s);
            SERVER_FAIL(&run, s, CBC_ERR_ETIMEDOUT);
        } else if (s->fd >= 0 && s->nexpired && !s->npending && now - s->rx_us >= CBC_AIO_STALL_US) {
            cbc__conn_detail(s, "%s: no answer for %u ms to requests that timed out: the connection is closed",
                             s->name, (unsigned)((now - s->rx_us) / 1000));
            SERVER_FAIL(&run, s, CBC_ERR_NETWORK_ERROR);
            a->stats.stalls++;
        }
    }
    return cbc__aio_end(a);
}

size_t cbc_aio_done(cbc_AIO *a, const cbc_AIO_DONE **out)
{
    size_t i;
    for (i = a->taken; i < a->ndone; i++) {
        a->gens[a->done[i].gen].undelivered--;
    }
    a->taken = a->ndone;
    *out = a->done;
    return a->ndone;
}

size_t cbc_aio_watches(cbc_AIO *a, const cbc_AIO_WATCH **out)
{
    cbc_CONN *conn = a->conn;
    size_t i, n = 0;
    if (cbc__aio_grow((void **)&a->watch, &a->watchcap, conn->nservers ? 2 * conn->nservers : 1,
                      sizeof(*a->watch)) != 0) {
        *out = a->watch;
        return 0;
    }
    a->rewatch = 0;
    for (i = 0; i < conn->nservers; i++) {
        cbc_SERVER *s = &conn->servers[i];
        int w = cbc__aio_wants(s);
        s->watch_fd = w ? s->fd : -1;
        s->watch_ev = w;
        if (w) {
            a->watch[n].fd = s->fd;
            a->watch[n].events = w;
            n++;
        }
        if (s->hs.job) { /* a SCRAM derivation: its wake-up descriptor */
            a->watch[n].fd = s->hs.job_fd;
            a->watch[n].events = CBC_AIO_READ;
            n++;
        }
    }
    *out = a->watch;
    return n;
}

void cbc_aio_reap(cbc_AIO *a)
{
    size_t i;
    for (i = 0; i < a->ngrave; i++) {
        cbc__io_close(a->grave[i]);
    }
    a->ngrave = 0;
}

uint64_t cbc_aio_arm(cbc_AIO *a)
{
    cbc_CONN *conn = a->conn;
    uint64_t next = CBC_AIO_NO_DEADLINE;
    size_t i;
    for (i = 0; i < a->nflight; i++) {
        cbc_AIOGEN *g = &a->gens[a->flight[i]];
        if (g->state == CBC_GEN_FLIGHT && g->min_deadline < next) {
            next = g->min_deadline;
        }
    }
    for (i = 0; i < conn->nservers; i++) {
        cbc_SERVER *s = &conn->servers[i];
        if (s->fd < 0) {
            continue;
        }
        if (s->state != CBC_SRV_READY && !s->npending) {
            next = 0 + 1; /* due at once: the next tick closes it */
        } else if (s->nexpired && !s->npending && s->rx_us + CBC_AIO_STALL_US < next) {
            next = s->rx_us + CBC_AIO_STALL_US;
        }
    }
    a->armed = next;
    return next == CBC_AIO_NO_DEADLINE ? 0 : next;
}

uint64_t cbc_aio_now(void)
{
    return cbc__io_now_us();
}

int cbc_aio_push(cbc_AIO *a, const char **value, size_t *n, int *server)
{
    if (!a->pushed) {
        return 0;
    }
    a->pushed = 0;
    *value = a->push.data;
    *n = a->push.len;
    *server = a->push_server;
    return 1;
}

void cbc_aio_stats(const cbc_AIO *a, cbc_AIO_STATS *out)
{
    *out = a->stats;
}

