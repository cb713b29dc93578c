/* The run loop behind cbc_batch_run and cbc_conn_connect.
 *
 * One pass encodes every pending request into its server's write buffer with
 * opaque = slot index, so a response finds its result without a lookup. Then a
 * single poll() loop over the involved sockets connects, replays the prelude,
 * writes, reads and parses until nothing is outstanding or the deadline passes.
 * Responses are parsed in place in a per-server read buffer that is never
 * compacted during a batch's life, so results can point into it. */
#define _POSIX_C_SOURCE 200809L
#include "pipeline.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "conn.h"
#include "connect.h"
#include "errors.h"
#include "io.h"
#include "packet.h"
#include "prelude.h"
#include "response.h"
#include "text.h"

#define RECV_MIN_ROOM 16384 /* grow the read buffer when less than this is free */
#define RECV_GROW 65536
#define STALE_PROBE_IDLE_US 200000 /* probe kept sockets idle longer than this */
#define KEEP_BUF_MAX (1u << 20) /* own_rbuf (connect only) above this is freed after a run */

typedef cbc_RUN RUN;

static int queue_packet(cbc_SERVER *s, char *p, size_t n);

static int server_active(const RUN *run, const cbc_SERVER *s)
{
    if (s->fd < 0) {
        return 0;
    }
    if (run->b) {
        return s->npending > 0;
    }
    return s->state != CBC_SRV_READY;
}

/* Requests that may be sent twice with the same outcome: reads of every kind. */
static int resendable(uint8_t opcode)
{
    switch (opcode) {
    case CBC_OP_GET: case CBC_OP_GETQ: case CBC_OP_GETK: case CBC_OP_GETKQ:
    case CBC_OP_NOOP: case CBC_OP_VERSION: case CBC_OP_STAT: case CBC_OP_GET_REPLICA:
    case CBC_OP_OBSERVE_SEQNO: case CBC_OP_OBSERVE: case CBC_OP_GET_CLUSTER_CONFIG:
    case CBC_OP_GET_COLLECTIONS_MANIFEST: case CBC_OP_GET_COLLECTION_ID: case CBC_OP_GET_SCOPE_ID:
    case CBC_OP_SUBDOC_GET: case CBC_OP_SUBDOC_EXISTS: case CBC_OP_SUBDOC_MULTI_LOOKUP:
    case CBC_OP_SUBDOC_GET_COUNT: case CBC_OP_GET_ERROR_MAP:
        return 1;
    default:
        return 0;
    }
}

/* The peer closed (or reset) socket s. When the socket was reused from an earlier run
 * (loop_begin does not probe one used moments ago) and nothing of an answer has arrived
 * on it in this run, the server most likely closed it between the runs: the reads
 * queued on it are sent again on a new connection, once, within this run's deadline,
 * and the other requests fail with `rc` (a mutation may have been applied). Otherwise,
 * or when nothing can be sent again, the socket fails as usual. */
#ifdef __GNUC__
__attribute__((noinline, cold))
#endif
static void peer_gone(RUN *run, cbc_SERVER *s, int rc, int line)
{
    cbc_BATCH *b = run->b;
    cbc_CONN *conn = run->conn;
    int idx = (int)(s - (s->text ? conn->tservers : conn->servers));
    size_t i, again = 0;
    /* nothing parsed and nothing unparsed since the run began: no byte of an answer */
    if (s->reused && s->reused == s->rpos + 1 && s->rbuf->len == s->rpos && b) {
        s->reused = 0; /* once: the new socket is not a reused one */
        for (i = 0; i < b->n; i++) {
            cbc_SLOT *slot = &b->slots[i];
            if (slot->state == CBC_SLOT_SENT && b->results[i].server == idx && slot->text == s->text &&
                (s->text || resendable(slot->req.opcode))) {
                slot->state = CBC_SLOT_PENDING; /* out of the failure below */
                again++;
            }
        }
    }
    cbc__resp_server_fail(run, s, rc, __FILE__, line);
    if (!again) {
        return;
    }
    s->fail_rc = 0;
    s->fail_file = NULL;
    s->niov = 0;
    s->iovpos = 0;
    s->can_write = 1;
    for (i = 0; i < b->n; i++) {
        cbc_SLOT *slot = &b->slots[i];
        if (slot->state != CBC_SLOT_PENDING || b->results[i].server != idx || slot->text != s->text) {
            continue;
        }
        slot->state = CBC_SLOT_SENT;
        if (!s->text) {
            if (queue_packet(s, slot->pkt, slot->npkt) != 0) {
                SLOT_FAIL(&b->results[i], CBC_ERR_CLIENT_ENOMEM);
                slot->state = CBC_SLOT_DONE;
                continue;
            }
            s->npending++;
        }
    }
    if (s->text) {
        char *lines;
        size_t nlines;
        if (cbc__text_build(b, s, &lines, &nlines) != 0 || queue_packet(s, lines, nlines) != 0) {
            s->npending = 1; /* so that server_fail fails the queued slots */
            SERVER_FAIL(run, s, CBC_ERR_CLIENT_ENOMEM);
            return;
        }
    }
    if (s->npending) {
        cbc__connect_start(run, s);
    }
}

/* Send the requests queued in s->iov, trimming entries as they go out. */
static void flush_iov(RUN *run, cbc_SERVER *s)
{
    while (s->iovpos < s->niov) {
        size_t n = s->niov - s->iovpos;
        ssize_t w = cbc__sock_sendv(s, s->iov + s->iovpos, n < CBC_IO_IOV_MAX ? n : CBC_IO_IOV_MAX);
        size_t left;
        if (w == -EPIPE || w == -ECONNRESET) {
            peer_gone(run, s, cbc__connect_io_fail(s, w), __LINE__);
            return;
        }
        if (w < 0) {
            SERVER_FAIL(run, s, cbc__connect_io_fail(s, w));
            return;
        }
        if (w == 0) {
            s->can_write = 0;
            return;
        }
        left = (size_t)w;
        while (left && left >= s->iov[s->iovpos].iov_len) {
            left -= s->iov[s->iovpos].iov_len;
            s->iovpos++;
        }
        if (left) {
            s->iov[s->iovpos].iov_base = (char *)s->iov[s->iovpos].iov_base + left;
            s->iov[s->iovpos].iov_len -= left;
        }
    }
}

/* Write as much as the socket takes: the handshake first, requests once it is answered. */
static void flush(RUN *run, cbc_SERVER *s)
{
    if (s->state == CBC_SRV_READY) {
        flush_iov(run, s);
    } else if (s->state == CBC_SRV_PRELUDE) {
        cbc__prelude_flush(run, s);
    }
}

/* Queue `n` bytes at p for s, merged with the previous entry when adjacent. */
static int queue_packet(cbc_SERVER *s, char *p, size_t n)
{
    if (s->niov && (char *)s->iov[s->niov - 1].iov_base + s->iov[s->niov - 1].iov_len == p) {
        s->iov[s->niov - 1].iov_len += n;
        return 0;
    }
    if (s->niov == s->iovcap) {
        size_t cap = s->iovcap ? s->iovcap * 2 : 64;
        struct iovec *v = realloc(s->iov, cap * sizeof(*v));
        if (!v) {
            return -1;
        }
        s->iov = v;
        s->iovcap = cap;
    }
    s->iov[s->niov].iov_base = p;
    s->iov[s->niov].iov_len = n;
    s->niov++;
    return 0;
}

static void do_read(RUN *run, cbc_SERVER *s)
{
    for (;;) {
        cbc_BUF *rb = s->rbuf;
        size_t room;
        ssize_t r;
        if (rb->cap - rb->len < RECV_MIN_ROOM && cbc__buf_reserve(rb, s->rgrow) != 0) {
            SERVER_FAIL(run, s, CBC_ERR_CLIENT_ENOMEM);
            return;
        }
        room = rb->cap - rb->len;
        r = cbc__sock_recv(s, rb->data + rb->len, room);
        if (r == -EAGAIN) {
            return;
        }
        if (r == 0) {
            /* Peer closed. Before the handshake finished the connection never came up. */
            if (s->state == CBC_SRV_READY) {
                peer_gone(run, s, cbc__connect_eof(s), __LINE__);
            } else {
                SERVER_FAIL(run, s, cbc__connect_eof(s));
            }
            return;
        }
        if (r == -ECONNRESET && s->state == CBC_SRV_READY) {
            peer_gone(run, s, cbc__connect_io_fail(s, r), __LINE__);
            return;
        }
        if (r < 0) {
            SERVER_FAIL(run, s, cbc__connect_io_fail(s, r));
            return;
        }
        rb->len += (size_t)r;
        cbc__resp_parse(run, s);
        /* (a TLS session may hold more than one read returned: drained only when it holds none) */
        if (!server_active(run, s) || ((size_t)r < room && !cbc__sock_pending(s)) || cbc__resp_reached(run)) {
            return; /* done, failed, drained, or the caller's results are in: back to the loop */
        }
    }
}

/* The first wait of a one-server run: a blocking recv bounded by the time left, then
 * the usual parse; what remains continues in the poll loop. */
static void read_blocking(RUN *run, cbc_SERVER *s, uint64_t wait_us)
{
    cbc_BUF *rb = s->rbuf;
    ssize_t r;
    if (rb->cap - rb->len < RECV_MIN_ROOM && cbc__buf_reserve(rb, s->rgrow) != 0) {
        SERVER_FAIL(run, s, CBC_ERR_CLIENT_ENOMEM);
        return;
    }
    r = cbc__sock_recv_wait(s, rb->data + rb->len, rb->cap - rb->len, wait_us);
    if (r == -EAGAIN) {
        return; /* the deadline check at the top of the loop takes over */
    }
    if (r == 0 || r == -ECONNRESET) {
        peer_gone(run, s, r ? cbc__connect_io_fail(s, r) : cbc__connect_eof(s), __LINE__);
        return;
    }
    if (r < 0) {
        SERVER_FAIL(run, s, cbc__connect_io_fail(s, r));
        return;
    }
    rb->len += (size_t)r;
    cbc__resp_parse(run, s);
}

static void involve(RUN *run, int idx, cbc_BUF *rbuf)
{
    cbc_SERVER *s = cbc__conn_sock(run->conn, idx);
    s->in_run = 1;
    s->can_write = 1;
    s->fail_rc = 0;
    s->fail_file = NULL;
    s->fail_line = 0;
    s->npending = 0;
    s->niov = 0;
    s->iovpos = 0;
    s->rbuf = rbuf;
    /* Unparsed bytes left by an earlier run cannot belong to this one. */
    s->rpos = rbuf->len;
    s->rgrow = RECV_GROW;
    s->ntslots = 0;
}

static void release(cbc_SERVER *s)
{
    s->in_run = 0;
    s->rbuf = NULL;
    s->ntslots = 0;
    s->niov = 0;
    s->iovpos = 0;
    if (s->own_rbuf.cap > KEEP_BUF_MAX) {
        cbc__buf_free(&s->own_rbuf);
    }
}

static short poll_events(const cbc_SERVER *s)
{
    switch (s->state) {
    case CBC_SRV_RESOLVING: case CBC_SRV_CONNECTING: case CBC_SRV_TLS:
        return cbc__connect_events(s);
    case CBC_SRV_PRELUDE:
        return (short)(POLLIN | (!s->can_write && cbc__prelude_unsent(s) ? POLLOUT : 0));
    default:
        return (short)(POLLIN | (!s->can_write && s->iovpos < s->niov ? POLLOUT : 0));
    }
}

/* Before the first wait: drop stale kept sockets, start connecting the needed ones. */
static void loop_begin(RUN *run, size_t ninv)
{
    cbc_CONN *conn = run->conn;
    size_t k;
    for (k = 0; k < ninv; k++) {
        cbc_SERVER *s = cbc__conn_sock(conn, conn->involved[k]);
        /* A socket idle for a while may have been closed by the server since the last
         * run; nothing was sent on it yet, so reconnecting now is safe. A socket used
         * moments ago is not probed (one syscall less per run): if the server closed it
         * in that window, its reads go again on a new connection (peer_gone) and its
         * mutations fail with NETWORK_ERROR; the next run reconnects. */
        if (s->fd >= 0 && (s->state != CBC_SRV_READY ||
                           (cbc__io_now_us() - s->last_used_us > STALE_PROBE_IDLE_US &&
                            cbc__sock_is_stale(s)))) {
            cbc__conn_close_server(s);
        }
        s->reused = s->fd >= 0 ? s->rpos + 1 : 0;
        if (s->fd < 0 && (run->b ? s->npending > 0 : 1)) {
            cbc__connect_start(run, s);
        }
    }
}

/* The poll loop over the involved servers (conn->involved[0..ninv)). Returns 1 when
 * the run is over (nothing outstanding, or the deadline passed), 0 when it stopped
 * early because cbc__resp_reached(). *first_wait: the one-server blocking read is still unused. */
static int loop(RUN *run, size_t ninv, uint64_t deadline, int *first_wait)
{
    cbc_CONN *conn = run->conn;
    struct pollfd *pfds = conn->pollfds;
    int *pidx = conn->pollidx;
    size_t k;

    for (;;) {
        nfds_t nfds = 0, i;
        uint64_t now;
        long long wait_ms;
        int rc;

        /* Checked before writing, so an expired deadline sends nothing. */
        now = cbc__io_now_us();
        if (now >= deadline) {
            for (k = 0; k < ninv; k++) {
                cbc_SERVER *s = cbc__conn_sock(conn, conn->involved[k]);
                if (server_active(run, s)) {
                    /* Answers still in flight would desync the stream: close it. */
                    cbc__connect_timed_out(s);
                    SERVER_FAIL(run, s, CBC_ERR_ETIMEDOUT);
                }
            }
            return 1;
        }
        for (k = 0; k < ninv; k++) {
            cbc_SERVER *s = cbc__conn_sock(conn, conn->involved[k]);
            if (server_active(run, s) && s->can_write) {
                flush(run, s);
            }
            if (server_active(run, s) && s->state >= CBC_SRV_PRELUDE && cbc__sock_pending(s)) {
                do_read(run, s); /* received bytes a TLS session holds: poll() cannot see them */
            }
            if (!server_active(run, s)) {
                continue;
            }
            pfds[nfds].fd = s->fd;
            pfds[nfds].events = poll_events(s);
            pfds[nfds].revents = 0;
            pidx[nfds] = conn->involved[k];
            nfds++;
        }
        if (nfds == 0) {
            return 1;
        }
        if (cbc__resp_reached(run)) {
            return 0; /* written what could be; the rest continues in the next call */
        }
        now = cbc__io_now_us(); /* a large flush may have taken a while */
        if (now >= deadline) {
            continue;
        }
        if (nfds == 1 && *first_wait) {
            /* One server, everything sent: wait in recv itself rather than poll + recv. */
            cbc_SERVER *s = cbc__conn_sock(conn, pidx[0]);
            *first_wait = 0;
            if (s->state == CBC_SRV_READY && s->iovpos == s->niov && pfds[0].events == POLLIN) {
                read_blocking(run, s, deadline - now);
                continue;
            }
        }
        wait_ms = (long long)((deadline - now + 999) / 1000);
        if (wait_ms > INT_MAX) {
            wait_ms = INT_MAX;
        }
        rc = poll(pfds, nfds, (int)wait_ms);
        if (rc < 0) {
            int e = errno;
            if (e == EINTR || e == EAGAIN) {
                continue;
            }
            for (i = 0; i < nfds; i++) {
                SERVER_FAIL(run, cbc__conn_sock(conn, pidx[i]), cbc_err_from_errno(e, 0));
            }
            return 1;
        }
        for (i = 0; i < nfds && rc > 0; i++) {
            cbc_SERVER *s = cbc__conn_sock(conn, pidx[i]);
            short ev = pfds[i].revents;
            if (!ev) {
                continue;
            }
            rc--;
            if (s->fd != pfds[i].fd) {
                continue;
            }
            if (s->state < CBC_SRV_PRELUDE) {
                cbc__connect_event(run, s, ev);
                continue;
            }
            if (ev & POLLNVAL) {
                SERVER_FAIL(run, s, CBC_ERR_NETWORK_ERROR);
                continue;
            }
            if (ev & POLLOUT) {
                s->can_write = 1;
            }
            if (ev & (POLLIN | POLLHUP | POLLERR)) {
                do_read(run, s);
            }
        }
    }
}

/* The run is over: only READY sockets outlive it; the others are closed. */
static void loop_end(RUN *run, size_t ninv)
{
    cbc_CONN *conn = run->conn;
    uint64_t end = cbc__io_now_us();
    size_t k;
    for (k = 0; k < ninv; k++) {
        cbc_SERVER *s = cbc__conn_sock(conn, conn->involved[k]);
        if (s->fd >= 0 && s->state != CBC_SRV_READY) {
            cbc__conn_close_server(s);
        }
        s->last_used_us = end;
    }
    for (k = 0; k < ninv; k++) {
        release(cbc__conn_sock(conn, conn->involved[k]));
    }
}

/* End a batch's run (over, or abandoned). */
static void run_end(RUN *run)
{
    cbc_BATCH *b = run->b;
    loop_end(run, b->ninv);
    b->ninv = 0;
    b->running = 0;
    if (run->conn->active == b) {
        run->conn->active = NULL;
    }
}

void cbc__pl_abandon(cbc_BATCH *b)
{
    RUN run;
    size_t k;
    if (!b || !b->running) {
        return;
    }
    run.conn = b->conn;
    run.b = b;
    for (k = 0; k < b->ninv; k++) {
        cbc_SERVER *s = cbc__conn_sock(run.conn, run.conn->involved[k]);
        if (server_active(&run, s)) {
            /* as at a deadline: answers still in flight would desync the stream */
            SERVER_FAIL(&run, s, CBC_ERR_ETIMEDOUT);
        }
    }
    run_end(&run);
}

void cbc__pl_step(cbc_BATCH *b, size_t upto)
{
    RUN run;
    if (!b->running) {
        return;
    }
    run.conn = b->conn;
    run.b = b;
    b->upto = upto;
    if (loop(&run, b->ninv, b->deadline, &b->first_wait)) {
        run_end(&run);
    }
}

int cbc__pl_start(cbc_BATCH *b, uint64_t timeout_us, cbc_ERROR *err)
{
    cbc_CONN *conn = b->conn;
    RUN run;
    uint64_t now = cbc__io_now_us();
    uint64_t deadline = timeout_us > UINT64_MAX - now ? UINT64_MAX : now + timeout_us;
    size_t ninv = 0, i;
    /* Plain memcached only: a text socket has no handshake. */
    int text = conn->text_gets && conn->map_mode == CBC_MAP_KETAMA && !cbc__conn_has_prelude(conn) &&
               !conn->collections;

    if (conn->active) {
        cbc__pl_abandon(conn->active); /* one unfinished run per connection */
    }
    run.conn = conn;
    run.b = b;
    if (cbc__batch_ensure_rbufs(b, conn->nservers * (text ? 2 : 1)) != 0) {
        return CBC_FAIL(err, CBC_ERR_CLIENT_ENOMEM, "no memory for %zu read buffers",
                        conn->nservers);
    }
    for (i = 0; i < b->n; i++) {
        cbc_SLOT *slot = &b->slots[i];
        cbc_RESULT *res = &b->results[i];
        cbc_SERVER *s;
        cbc_PKTLAYOUT lay;
        uint16_t vb = 0;
        int srv, rc;
        if (slot->state != CBC_SLOT_PENDING) {
            continue;
        }
        res->status = 0xffff;
        res->opcode = slot->req.opcode;
        res->datatype = 0;
        res->flags = 0;
        res->cas = 0;
        res->counter = 0;
        res->vbuuid = 0;
        res->seqno = 0;
        res->server = -1;
        res->value = ""; /* the real pointer once final (cbc_batch_run_until) */
        res->nvalue = 0;
        cbc__resp_set_rc(res, 0, NULL, 0);
        slot->vsrc = CBC_VAL_NONE;
        if (slot->stat) {
            slot->stat->len = 0;
        }
        slot->state = CBC_SLOT_DONE;
        slot->text = 0;

        srv = cbc__conn_route(conn, &slot->req, &vb);
        res->vbucket = vb;
        if (srv < 0) {
            SLOT_FAIL(res, CBC_ERR_NO_MATCHING_SERVER);
            continue;
        }
        if (text && cbc__text_eligible(&slot->req)) {
            /* Lines are built once every slot is routed (below). */
            s = &conn->tservers[srv];
            if (!s->in_run) {
                conn->involved[ninv++] = (int)(conn->nservers + (size_t)srv);
                involve(&run, (int)(conn->nservers + (size_t)srv), &b->rbufs[conn->nservers + (size_t)srv]);
            }
            if (cbc__text_queue(s, (uint32_t)i) != 0) {
                SLOT_FAIL(res, CBC_ERR_CLIENT_ENOMEM);
                continue;
            }
            res->server = (int16_t)srv;
            slot->text = 1;
            slot->state = CBC_SLOT_SENT;
            continue;
        }
        if (!slot->pkt || slot->pkt_coll != (conn->collections != 0)) {
            /* Not encoded at add time, or the collections setting changed since. */
            char *p;
            rc = cbc__pkt_layout(&slot->req, conn->collections, &lay);
            if (rc) {
                SLOT_FAIL(res, rc);
                continue;
            }
            if ((p = cbc__batch_alloc(b, lay.total)) == NULL) {
                SLOT_FAIL(res, CBC_ERR_CLIENT_ENOMEM);
                continue;
            }
            cbc__pkt_write(&slot->req, &lay, vb, (uint32_t)i, p);
            slot->pkt = p;
            slot->npkt = lay.total;
            slot->pkt_coll = (uint8_t)(conn->collections != 0);
        } else {
            slot->pkt[6] = (char)(vb >> 8); /* header bytes 6-7: vbucket */
            slot->pkt[7] = (char)vb;
        }
        s = &conn->servers[srv];
        if (!s->in_run) {
            conn->involved[ninv++] = srv;
            involve(&run, srv, &b->rbufs[srv]);
            if (b->rhints[srv] > s->rgrow) {
                /* as big as last round's at once: no doubling reallocs */
                s->rgrow = b->rhints[srv];
                b->rhints[srv] = 0;
            }
        }
        if (queue_packet(s, slot->pkt, slot->npkt) != 0) {
            SLOT_FAIL(res, CBC_ERR_CLIENT_ENOMEM);
            continue;
        }
        res->server = (int16_t)srv;
        slot->state = CBC_SLOT_SENT;
        s->npending++;
    }
    for (i = 0; i < ninv; i++) {
        cbc_SERVER *s = cbc__conn_sock(conn, conn->involved[i]);
        char *lines;
        size_t nlines;
        if (s->text && (cbc__text_build(b, s, &lines, &nlines) != 0 ||
                        queue_packet(s, lines, nlines) != 0)) {
            s->npending = 1; /* so that server_fail fails the queued slots */
            SERVER_FAIL(&run, s, CBC_ERR_CLIENT_ENOMEM);
        }
    }
    b->deadline = deadline;
    b->ninv = ninv;
    b->first_wait = 1;
    b->nfinal = 0;
    b->running = 1;
    conn->active = b;
    loop_begin(&run, ninv);
    return 0;
}

int cbc__pl_connect(cbc_CONN *conn, int index, uint64_t timeout_us, cbc_ERROR *err)
{
    cbc_SERVER *s = &conn->servers[index];
    RUN run;
    uint64_t now = cbc__io_now_us();
    uint64_t deadline = timeout_us > UINT64_MAX - now ? UINT64_MAX : now + timeout_us;
    int first_wait = 1;

    if (conn->active) {
        cbc__pl_abandon(conn->active); /* it may use this socket and conn->involved */
    }
    run.conn = conn;
    run.b = NULL;
    s->own_rbuf.len = 0;
    conn->involved[0] = index;
    involve(&run, index, &s->own_rbuf);
    loop_begin(&run, 1);
    loop(&run, 1, deadline, &first_wait);
    loop_end(&run, 1);
    if (s->fd >= 0 && s->state == CBC_SRV_READY) {
        return 0;
    }
    if (s->fail_rc && s->last_fail.code) {
        /* the socket's failure record: code, C file and line, "host:port: reason" */
        if (err) {
            *err = s->last_fail;
        }
        return s->last_fail.code;
    }
    return cbc__err_set(err, CBC_ERR_CONNECT_ERROR, __FILE__, __LINE__, "%s: %s", s->name,
                        cbc_strerror(CBC_ERR_CONNECT_ERROR));
}
