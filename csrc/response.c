/* Turning received bytes into results (see response.h). */
#define _POSIX_C_SOURCE 200809L
#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aio.h"
#include "errors.h"
#include "io.h"
#include "packet.h"
#include "prelude.h"
#include "text.h"

typedef cbc_RUN RUN;

/* Whether the current call of a batch run may return: results [0, b->upto) are all
 * final while the run goes on (b->upto < b->n; the last call runs to the end). */
int cbc__resp_reached(const RUN *run)
{
    cbc_BATCH *b = run->b;
    if (!b || b->upto >= b->n) {
        return 0;
    }
    while (b->nfinal < b->upto && b->slots[b->nfinal].state == CBC_SLOT_DONE) {
        b->nfinal++;
    }
    return b->nfinal >= b->upto;
}

void cbc__resp_set_rc(cbc_RESULT *res, int rc, const char *file, int line)
{
    res->rc = rc;
    res->file = rc ? file : NULL;
    res->line = rc ? line : 0;
}


/* A failed socket's read buffer keeps only what its finished results point into; spare
 * capacity above this goes back to the allocator at once. */
#define GIVE_BACK_MIN (1u << 20)

uint64_t cbc_conn_max_response(const cbc_CONN *conn)
{
    return conn && conn->max_response ? conn->max_response : CBC_MAX_RESPONSE_DEFAULT;
}

void cbc_conn_set_max_response(cbc_CONN *conn, uint64_t nbytes)
{
    if (conn) {
        conn->max_response = nbytes;
    }
}

int cbc_conn_last_failure(const cbc_CONN *conn, int index, cbc_ERROR *out)
{
    const cbc_SERVER *s, *t;
    if (!conn || index < 0 || (size_t)index >= conn->nservers) {
        return CBC_FAIL(out, CBC_ERR_EINVAL, "no server %d", index);
    }
    s = &conn->servers[index];
    t = &conn->tservers[index];
    if (t->last_fail_us > s->last_fail_us) {
        s = t;
    }
    if (!s->last_fail_us) {
        memset(out, 0, sizeof(*out));
        return 0;
    }
    *out = s->last_fail;
    return out->code;
}

static void fail_socket(RUN *run, cbc_SERVER *s, int rc, const char *file, int line)
{
    int idx = (int)(s - (s->text ? run->conn->tservers : run->conn->servers));
    size_t i;
    cbc__conn_close_server(s);
    /* The server's other socket (binary or text) is likely gone too: probe it before reuse. */
    (s->text ? run->conn->servers : run->conn->tservers)[idx].last_used_us = 0;
    if (!s->fail_rc) {
        s->fail_rc = rc;
        s->fail_file = file;
        s->fail_line = line;
    }
    s->last_fail.code = rc;
    s->last_fail.file = file;
    s->last_fail.line = line;
    /* The one record of why the socket failed: a reason given just before
     * (cbc__conn_detail: resolve, connect, TLS, handshake, oversized answers ...) or the
     * code's text. */
    if (!s->why_set) {
        snprintf(s->last_fail.msg, sizeof(s->last_fail.msg), "%s: %s", s->name, cbc_strerror(rc));
    }
    s->why_set = 0;
    s->last_fail_us = cbc__io_now_us();
    if (s->rbuf) {
        /* Bytes past the parse position belong to no result: give them back. */
        if (s->rbuf->len > s->rpos) {
            s->rbuf->len = s->rpos;
        }
        if (s->rbuf->cap - s->rbuf->len > GIVE_BACK_MIN) {
            cbc__buf_shrink(s->rbuf);
        }
    }
    if (run->conn->aio) {
        cbc__aio_fail_slots(run->conn->aio, s, idx, rc, file, line);
    } else if (run->b && s->npending) {
        cbc_BATCH *b = run->b;
        for (i = 0; i < b->n; i++) {
            if (b->slots[i].state == CBC_SLOT_SENT && b->results[i].server == idx &&
                b->slots[i].text == s->text) {
                cbc__resp_set_rc(&b->results[i], rc, file, line);
                b->slots[i].state = CBC_SLOT_DONE;
            }
        }
    }
    s->npending = 0;
}

/* Close the socket and fail the requests still waiting on it. */
void cbc__resp_server_fail(RUN *run, cbc_SERVER *s, int rc, const char *file, int line)
{
    fail_socket(run, s, rc, file, line);
}

/* A response announced more than the connection allows: fail the socket before
 * reserving anything for it. */
static void fail_oversized(RUN *run, cbc_SERVER *s, uint64_t announced, const char *what, int line)
{
    cbc__conn_detail(s, "%s: %s of %llu bytes announced, over max_response_size (%llu)", s->name, what,
                     (unsigned long long)announced, (unsigned long long)cbc_conn_max_response(run->conn));
    fail_socket(run, s, CBC_ERR_PROTOCOL_ERROR, __FILE__, line);
}

static int append_stat(cbc_SLOT *slot, const char *key, uint16_t nkey, const char *val,
                       uint32_t nval)
{
    unsigned char hdr[6];
    if (!slot->stat) {
        slot->stat = calloc(1, sizeof(cbc_BUF));
        if (!slot->stat) {
            return -1;
        }
    }
    hdr[0] = (unsigned char)(nkey >> 8);
    hdr[1] = (unsigned char)nkey;
    hdr[2] = (unsigned char)(nval >> 24);
    hdr[3] = (unsigned char)(nval >> 16);
    hdr[4] = (unsigned char)(nval >> 8);
    hdr[5] = (unsigned char)nval;
    if (cbc__buf_reserve(slot->stat, sizeof(hdr) + nkey + (size_t)nval) != 0) {
        return -1;
    }
    cbc__buf_append(slot->stat, hdr, sizeof(hdr));
    cbc__buf_append(slot->stat, key, nkey);
    cbc__buf_append(slot->stat, val, nval);
    return 0;
}

static int is_get_family(uint8_t op)
{
    switch (op) {
    case CBC_OP_GET: case CBC_OP_GETQ: case CBC_OP_GETK: case CBC_OP_GETKQ: case CBC_OP_GAT: case CBC_OP_GATQ:
    case CBC_OP_GET_REPLICA: case CBC_OP_GET_LOCKED:
        return 1;
    default:
        return 0;
    }
}

/* Fill `res` of `slot` from the response at offset pos of s's read buffer. 0 when it was
 * one record of a STAT answer (the request goes on), 1 when the request is answered. */
static inline int fill(cbc_SERVER *s, int idx, const cbc_PKTHDR *h, size_t pos, cbc_SLOT *slot, cbc_RESULT *res)
{
    const char *extras, *key;
    size_t voff;
    uint32_t nvalue;
    int rc;

    extras = s->rbuf->data + pos + CBC_PKT_HDR_LEN + h->nframe;
    key = extras + h->nextras;
    voff = pos + CBC_PKT_HDR_LEN + h->nframe + h->nextras + h->nkey;
    nvalue = h->nbody - h->nframe - h->nextras - h->nkey;

    if (slot->req.opcode == CBC_OP_STAT && h->status == 0 && h->nkey != 0) {
        /* One packet per statistic; the empty-key packet ends the stream. */
        if (append_stat(slot, key, h->nkey, key + h->nkey, nvalue) != 0) {
            SLOT_FAIL(res, CBC_ERR_CLIENT_ENOMEM);
        }
        return 0;
    }

    res->status = h->status;
    res->cas = h->cas;
    res->datatype = h->datatype;
    rc = cbc_err_from_status(h->status);
    if (rc) {
        SLOT_FAIL(res, rc);
    } else if (res->rc == 0) {
        /* a STAT whose record buffer could not grow keeps CLIENT_ENOMEM */
        cbc__resp_set_rc(res, 0, NULL, 0);
    }
    if (rc == 0) { /* success, or sub-document success on a deleted document */
        uint8_t op = slot->req.opcode;
        if (h->nextras == 4 && is_get_family(op)) {
            res->flags = cbc__rd32(extras);
        } else if (h->nextras == 16 && (cbc__pkt_is_mutation(op) || op == CBC_OP_SUBDOC_MULTI_MUTATION)) {
            res->vbuuid = cbc__rd64(extras);
            res->seqno = cbc__rd64(extras + 8);
        } else if (h->nextras == 12 && (op == CBC_OP_GET_COLLECTION_ID || op == CBC_OP_GET_SCOPE_ID)) {
            /* manifest uid u64 + id u32; the result has no extras field */
            res->seqno = cbc__rd64(extras);
            res->counter = cbc__rd32(extras + 8);
        }
        if (nvalue == 8 && (op == CBC_OP_INCREMENT || op == CBC_OP_DECREMENT || op == CBC_OP_INCREMENTQ ||
                            op == CBC_OP_DECREMENTQ)) {
            res->counter = cbc__rd64(s->rbuf->data + voff);
        }
    }
    if (slot->req.opcode == CBC_OP_STAT) {
        slot->vsrc = slot->stat ? CBC_VAL_STAT : CBC_VAL_NONE;
    } else {
        slot->vsrc = idx;
        slot->voff = voff;
        res->nvalue = nvalue;
    }
    slot->state = CBC_SLOT_DONE;
    s->npending--;
    return 1;
}

/* Fill the result a response belongs to. 0 when the stream is broken (server failed). */
static int on_response(RUN *run, cbc_SERVER *s, const cbc_PKTHDR *h, size_t pos)
{
    cbc_BATCH *b = run->b;
    int idx = (int)(s - run->conn->servers);
    cbc_SLOT *slot;
    cbc_RESULT *res;

    /* Anything but an answer to a request we sent on this socket means we have
     * lost track of the stream; nothing after it can be trusted. */
    if (!b || h->opaque >= b->n) {
        SERVER_FAIL(run, s, CBC_ERR_PROTOCOL_ERROR);
        return 0;
    }
    slot = &b->slots[h->opaque];
    res = &b->results[h->opaque];
    if (slot->state != CBC_SLOT_SENT || res->server != idx || h->opcode != slot->req.opcode) {
        SERVER_FAIL(run, s, CBC_ERR_PROTOCOL_ERROR);
        return 0;
    }
    fill(s, idx, h, pos, slot, res);
    return 1;
}

/* The same for an event-driven connection: the opaque names the request among every
 * batch in flight; a timed-out request's answer is dropped. */
static int on_aio_response(RUN *run, cbc_SERVER *s, const cbc_PKTHDR *h, size_t pos)
{
    cbc_AIO *aio = run->conn->aio;
    int idx = (int)(s - run->conn->servers);
    cbc_SLOT *slot;
    cbc_RESULT *res;
    if (!cbc__aio_lookup(aio, h->opaque, idx, &slot, &res) || h->opcode != slot->req.opcode) {
        cbc__conn_detail(s, "%s: an answer (opcode 0x%02x, opaque %u) to no request in flight on this socket",
                         s->name, h->opcode, (unsigned)h->opaque);
        SERVER_FAIL(run, s, CBC_ERR_PROTOCOL_ERROR);
        return 0;
    }
    if (slot->state == CBC_SLOT_EXPIRED) {
        if (!(h->opcode == CBC_OP_STAT && h->status == 0 && h->nkey != 0)) {
            cbc__aio_late(aio, s, slot);
        }
        return 1;
    }
    if (fill(s, idx, h, pos, slot, res)) {
        cbc__aio_answered(aio, s, slot);
    }
    return 1;
}

/* Remove rb's bytes [from, to). */
static void cut(cbc_BUF *rb, size_t from, size_t to)
{
    memmove(rb->data + from, rb->data + to, rb->len - to);
    rb->len -= to - from;
}

void cbc__resp_parse(RUN *run, cbc_SERVER *s)
{
    cbc_BUF *rb = s->rbuf;
    size_t scan;
    if (s->text) {
        uint64_t announced = 0;
        int rc = cbc__text_consume(run->b, s, (int)(run->conn->nservers + (size_t)(s - run->conn->tservers)),
                                   cbc_conn_max_response(run->conn), &announced);
        if (rc && announced) {
            fail_oversized(run, s, announced, "text value", __LINE__);
        } else if (rc) {
            SERVER_FAIL(run, s, rc);
        }
        return;
    }
    /* Packets no result points into (server pushes, prelude answers, copied stat
     * records) are cut out of the buffer, so that a stream of them holds no memory:
     * [rpos, scan) are such bytes, removed in one move before the next kept packet or
     * at the end (nothing past rpos is referenced yet). */
    scan = s->rpos;
    while (s->fd >= 0 && rb->len - scan >= CBC_PKT_HDR_LEN) {
        if (run->conn->aio && cbc__aio_full(run->conn->aio)) {
            break; /* the rest waits for the next call (CBC_AIO_AGAIN) */
        }
        cbc_PKTHDR h;
        size_t avail = rb->len - scan, total;
        int ok, keep;
        if (cbc_pkt_parse_header(rb->data + scan, avail, &h, NULL) != 0 ||
            h.magic == CBC_PKT_MAGIC_REQ || h.magic == CBC_PKT_MAGIC_ALT_REQ ||
            h.magic == CBC_PKT_MAGIC_SRV_RES) {
            SERVER_FAIL(run, s, CBC_ERR_PROTOCOL_ERROR);
            return;
        }
        if (h.nbody > cbc_conn_max_response(run->conn)) {
            fail_oversized(run, s, h.nbody, "response body", __LINE__);
            return;
        }
        total = CBC_PKT_HDR_LEN + (size_t)h.nbody;
        keep = h.magic != CBC_PKT_MAGIC_SRV_REQ && s->state != CBC_SRV_PRELUDE &&
               !(h.opcode == CBC_OP_STAT && h.status == 0 && h.nkey != 0);
        if (scan != s->rpos && (keep || avail < total)) {
            cut(rb, s->rpos, scan);
            scan = s->rpos;
        }
        if (avail < total) {
            if (cbc__buf_grow_toward(rb, avail, total) != 0) {
                SERVER_FAIL(run, s, CBC_ERR_CLIENT_ENOMEM);
            }
            return;
        }
        if (h.magic == CBC_PKT_MAGIC_SRV_REQ) {
            ok = 1; /* server push (config change): kept for an event-driven engine */
            if (run->conn->aio) {
                cbc__aio_push(run->conn->aio, (int)(s - run->conn->servers), &h, rb->data + scan);
            }
        } else if (s->state == CBC_SRV_PRELUDE) {
            ok = cbc__prelude_answer(run, s, &h, rb->data + scan);
        } else if (run->conn->aio) {
            ok = on_aio_response(run, s, &h, scan);
        } else {
            ok = on_response(run, s, &h, scan);
        }
        if (!ok) {
            return;
        }
        scan += total;
        if (keep) {
            s->rpos = scan;
        }
    }
    if (s->fd >= 0 && scan != s->rpos) {
        cut(rb, s->rpos, scan);
    }
}
