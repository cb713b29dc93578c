/* Turning received bytes into results (see response.h). */
#define _POSIX_C_SOURCE 200809L
#include "response.h"

#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "packet.h"
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


/* Close the socket and fail the requests still waiting on it. */
void cbc__resp_server_fail(RUN *run, cbc_SERVER *s, int rc, const char *file, int line)
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
    if (run->b && s->npending) {
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

/* Fill the result a response belongs to. 0 when the stream is broken (server failed). */
static int on_response(RUN *run, cbc_SERVER *s, const cbc_PKTHDR *h, size_t pos)
{
    cbc_BATCH *b = run->b;
    int idx = (int)(s - run->conn->servers);
    cbc_SLOT *slot;
    cbc_RESULT *res;
    const char *extras, *key;
    size_t voff;
    uint32_t nvalue;
    int rc;

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
    extras = s->rbuf->data + pos + CBC_PKT_HDR_LEN + h->nframe;
    key = extras + h->nextras;
    voff = pos + CBC_PKT_HDR_LEN + h->nframe + h->nextras + h->nkey;
    nvalue = h->nbody - h->nframe - h->nextras - h->nkey;

    if (slot->req.opcode == CBC_OP_STAT && h->status == 0 && h->nkey != 0) {
        /* One packet per statistic; the empty-key packet ends the stream. */
        if (append_stat(slot, key, h->nkey, key + h->nkey, nvalue) != 0) {
            SLOT_FAIL(res, CBC_ERR_CLIENT_ENOMEM);
        }
        return 1;
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
    if (h->status == 0) {
        uint8_t op = slot->req.opcode;
        if (h->nextras == 4 && is_get_family(op)) {
            res->flags = cbc__rd32(extras);
        } else if (h->nextras == 16 && cbc__pkt_is_mutation(op)) {
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

/* Check one handshake answer; the last one makes the socket READY. */
static int on_prelude_answer(RUN *run, cbc_SERVER *s, const cbc_PKTHDR *h)
{
    uint8_t expect = run->conn->prelude_ops[s->panswered];
    if (h->opcode != expect) {
        SERVER_FAIL(run, s, CBC_ERR_PROTOCOL_ERROR);
        return 0;
    }
    /* A HELLO refusal only means "no features" (2013-era servers, memcached). */
    if (h->status != 0 && expect != CBC_OP_HELLO) {
        int rc;
        switch (expect) {
        case CBC_OP_SASL_LIST_MECHS: case CBC_OP_SASL_AUTH: case CBC_OP_SASL_STEP:
            rc = CBC_ERR_AUTH_ERROR;
            break;
        case CBC_OP_SELECT_BUCKET:
            rc = CBC_ERR_BUCKET_ENOENT;
            break;
        default:
            rc = cbc_err_from_status(h->status);
            break;
        }
        SERVER_FAIL(run, s, rc);
        return 0;
    }
    s->panswered++;
    if (s->panswered >= run->conn->nprelude_ops) {
        s->state = CBC_SRV_READY;
        s->can_write = 1;
    }
    return 1;
}

void cbc__resp_parse(RUN *run, cbc_SERVER *s)
{
    cbc_BUF *rb = s->rbuf;
    if (s->text) {
        int rc = cbc__text_consume(run->b, s, (int)(run->conn->nservers + (size_t)(s - run->conn->tservers)));
        if (rc) {
            SERVER_FAIL(run, s, rc);
        }
        return;
    }
    while (s->fd >= 0 && rb->len - s->rpos >= CBC_PKT_HDR_LEN) {
        cbc_PKTHDR h;
        size_t avail = rb->len - s->rpos, total;
        int ok;
        if (cbc_pkt_parse_header(rb->data + s->rpos, avail, &h, NULL) != 0 ||
            h.magic == CBC_PKT_MAGIC_REQ || h.magic == CBC_PKT_MAGIC_ALT_REQ ||
            h.magic == CBC_PKT_MAGIC_SRV_RES) {
            SERVER_FAIL(run, s, CBC_ERR_PROTOCOL_ERROR);
            return;
        }
        total = CBC_PKT_HDR_LEN + (size_t)h.nbody;
        if (avail < total) {
            /* Room for the whole packet now, so the next recv can complete it. */
            if (cbc__buf_reserve(rb, total - avail) != 0) {
                SERVER_FAIL(run, s, CBC_ERR_CLIENT_ENOMEM);
            }
            return;
        }
        if (h.magic == CBC_PKT_MAGIC_SRV_REQ) {
            ok = 1; /* server push (config change); nothing here acts on it */
        } else if (s->state == CBC_SRV_PRELUDE) {
            ok = on_prelude_answer(run, s, &h);
        } else {
            ok = on_response(run, s, &h, s->rpos);
        }
        if (!ok) {
            return;
        }
        s->rpos += total;
    }
}
