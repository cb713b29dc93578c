/* A new socket's handshake (see prelude.h). */
#define _POSIX_C_SOURCE 200809L
#include "prelude.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aio.h"
#include "connect.h"
#include "errors.h"
#include "packet.h"

typedef cbc_RUN RUN;

#define STATUS_AUTH_CONTINUE 0x21

/* What the answers still due lead to. */
enum {
    STEP_REST = 0, /* everything is queued: the last answer ends the handshake */
    STEP_MECHS,    /* SASL_LIST_MECHS is due: choose a mechanism */
    STEP_SCRAM     /* SCRAM's SASL_AUTH is due: answer the server-first message */
};

static const struct {
    int bit;
    const char *name;
} MECHS[] = { /* strongest first */
    {CBC_SASL_SCRAM_SHA512, "SCRAM-SHA512"},
    {CBC_SASL_SCRAM_SHA256, "SCRAM-SHA256"},
    {CBC_SASL_SCRAM_SHA1, "SCRAM-SHA1"},
    {CBC_SASL_PLAIN, "PLAIN"},
};
#define NMECHS (sizeof(MECHS) / sizeof(MECHS[0]))

void cbc__prelude_reset(cbc_SERVER *s)
{
    if (s->hs.job) {
        cbc__scram_job_abandon(s->hs.job);
        cbc__conn_close_fd(s, s->hs.job_fd);
        if (s->aio) {
            cbc__aio_rewatch(s->aio);
        }
    }
    cbc__scram_free(s->hs.scram);
    if (s->hs.out.data) {
        memset(s->hs.out.data, 0, s->hs.out.cap); /* it may hold a PLAIN password */
    }
    cbc__buf_free(&s->hs.out);
    memset(&s->hs, 0, sizeof(s->hs));
}

static int queue_raw(cbc_SERVER *s, const char *pkts, size_t n, const uint8_t *ops, size_t nops)
{
    if (n == 0) {
        return 0;
    }
    if (s->hs.nops + nops > sizeof(s->hs.ops) || cbc__buf_append(&s->hs.out, pkts, n) != 0) {
        return -1;
    }
    memcpy(s->hs.ops + s->hs.nops, ops, nops);
    s->hs.nops += nops;
    return 0;
}

static int queue(cbc_SERVER *s, uint8_t opcode, const char *key, size_t nkey, const char *value, size_t nvalue)
{
    cbc_REQUEST req;
    size_t need = 0;
    memset(&req, 0, sizeof(req));
    req.opcode = opcode;
    req.key = key;
    req.nkey = nkey;
    req.value = value;
    req.nvalue = nvalue;
    if (s->hs.nops >= sizeof(s->hs.ops) ||
        cbc__buf_reserve(&s->hs.out, CBC_PKT_HDR_LEN + nkey + nvalue + 16) != 0 ||
        cbc_pkt_encode(&req, 0, 0, 0, s->hs.out.data + s->hs.out.len, s->hs.out.cap - s->hs.out.len, &need,
                       NULL) != 0) {
        return -1;
    }
    s->hs.out.len += need;
    s->hs.ops[s->hs.nops++] = opcode;
    return 0;
}

/* The prelude packets after the leading HELLOs. */
static int queue_rest(cbc_CONN *conn, cbc_SERVER *s)
{
    return queue_raw(s, conn->prelude + conn->prelude_split, conn->nprelude - conn->prelude_split,
                     conn->prelude_ops + conn->prelude_nhello, conn->nprelude_ops - conn->prelude_nhello);
}

static void ready(cbc_SERVER *s)
{
    cbc__prelude_reset(s);
    s->state = CBC_SRV_READY;
    s->can_write = 1;
}

void cbc__prelude_begin(RUN *run, cbc_SERVER *s)
{
    cbc_CONN *conn = run->conn;
    int rc = 0;
    cbc__prelude_reset(s);
    if (s->text || !cbc__conn_has_prelude(conn)) {
        ready(s);
        return;
    }
    s->state = CBC_SRV_PRELUDE;
    rc = queue_raw(s, conn->prelude, conn->prelude_split, conn->prelude_ops, conn->prelude_nhello);
    if (rc == 0 && conn->sasl_user) {
        s->hs.step = STEP_MECHS;
        rc = queue(s, CBC_OP_SASL_LIST_MECHS, NULL, 0, NULL, 0);
    } else if (rc == 0) {
        rc = queue_rest(conn, s);
    }
    if (rc != 0) {
        cbc__conn_detail(s, "%s: no memory for the handshake", s->name);
        SERVER_FAIL(run, s, CBC_ERR_CLIENT_ENOMEM);
    }
}

int cbc__prelude_unsent(const cbc_SERVER *s)
{
    return s->hs.sent < s->hs.out.len;
}

void cbc__prelude_flush(RUN *run, cbc_SERVER *s)
{
    while (s->can_write && s->hs.sent < s->hs.out.len) {
        ssize_t w = cbc__sock_send(s, s->hs.out.data + s->hs.sent, s->hs.out.len - s->hs.sent);
        if (w < 0) {
            SERVER_FAIL(run, s, cbc__connect_io_fail(s, w));
            return;
        }
        if (w == 0) {
            s->can_write = 0;
            return;
        }
        s->hs.sent += (size_t)w;
    }
}

static int fail(RUN *run, cbc_SERVER *s, int rc)
{
    SERVER_FAIL(run, s, rc);
    return 0;
}

static void mech_names(int bits, char *out, size_t n)
{
    size_t i, len = 0;
    out[0] = '\0';
    for (i = 0; i < NMECHS; i++) {
        if ((bits & MECHS[i].bit) && len < n) {
            len += (size_t)snprintf(out + len, n - len, "%s%s", len ? " " : "", MECHS[i].name);
        }
    }
}

/* SASL_LIST_MECHS answered with the offered names in v[0..n): start the strongest one allowed. */
static int start_auth(RUN *run, cbc_SERVER *s, const char *v, size_t n)
{
    cbc_CONN *conn = run->conn;
    int offered = 0;
    size_t i = 0, j;
    char allowed[64], offer[64];
    while (i < n) {
        size_t end = i;
        while (end < n && v[end] != ' ') {
            end++;
        }
        for (j = 0; j < NMECHS; j++) {
            if (strlen(MECHS[j].name) == end - i && memcmp(MECHS[j].name, v + i, end - i) == 0) {
                offered |= MECHS[j].bit;
            }
        }
        i = end + 1;
    }
    for (j = 0; j < NMECHS && !(offered & conn->sasl_mechs & MECHS[j].bit); j++) {
    }
    if (j == NMECHS) {
        mech_names(conn->sasl_mechs, allowed, sizeof(allowed));
        mech_names(offered, offer, sizeof(offer));
        cbc__conn_detail(s, "%s: the server offers SASL %s; the client allows %s%s", s->name,
                 offered ? offer : "nothing it knows", allowed,
                 (offered & CBC_SASL_PLAIN) && !conn->tls ? " (PLAIN is sent only over TLS unless allowed explicitly)"
                                                          : "");
        return fail(run, s, CBC_ERR_SASLMECH_UNAVAILABLE);
    }
    s->hs.mech = MECHS[j].bit;
    if (s->hs.mech == CBC_SASL_PLAIN) {
        size_t nu = strlen(conn->sasl_user), np = strlen(conn->sasl_password);
        cbc_BUF plain = {NULL, 0, 0};
        int rc = cbc__buf_append(&plain, "", 1) || cbc__buf_append(&plain, conn->sasl_user, nu) ||
                 cbc__buf_append(&plain, "", 1) || cbc__buf_append(&plain, conn->sasl_password, np) ||
                 queue(s, CBC_OP_SASL_AUTH, "PLAIN", 5, plain.data, plain.len) || queue_rest(conn, s);
        if (plain.data) {
            memset(plain.data, 0, plain.cap);
        }
        cbc__buf_free(&plain);
        s->hs.step = STEP_REST;
        return rc ? fail(run, s, CBC_ERR_CLIENT_ENOMEM) : 1;
    } else {
        cbc_BUF first = {NULL, 0, 0};
        int hash = s->hs.mech == CBC_SASL_SCRAM_SHA512 ? CBC_SCRAM_SHA512
                   : s->hs.mech == CBC_SASL_SCRAM_SHA256 ? CBC_SCRAM_SHA256 : CBC_SCRAM_SHA1;
        int rc;
        s->hs.scram = cbc__scram_new(hash, conn->sasl_user, conn->sasl_password, &conn->scram_cache);
        rc = !s->hs.scram || cbc__scram_first(s->hs.scram, &first) ||
             queue(s, CBC_OP_SASL_AUTH, MECHS[j].name, strlen(MECHS[j].name), first.data, first.len);
        cbc__buf_free(&first);
        s->hs.step = STEP_SCRAM;
        return rc ? fail(run, s, CBC_ERR_CLIENT_ENOMEM) : 1;
    }
}

static const char *mech_name(int bit)
{
    size_t j;
    for (j = 0; j < NMECHS; j++) {
        if (MECHS[j].bit == bit) {
            return MECHS[j].name;
        }
    }
    return "SASL";
}

static int auth_refused(RUN *run, cbc_SERVER *s, uint16_t status)
{
    cbc__conn_detail(s, "%s: the server refused %s authentication for user \"%s\" (status 0x%02x)",
             s->name, mech_name(s->hs.mech), run->conn->sasl_user, status);
    return fail(run, s, CBC_ERR_AUTH_ERROR);
}

/* The client-final message is in `final` (or computing it failed, `why`): queue it and the rest. */
static int send_final(RUN *run, cbc_SERVER *s, int failed, cbc_BUF *final, const char *why)
{
    const char *name = mech_name(s->hs.mech);
    int rc;
    if (failed) {
        cbc__buf_free(final);
        cbc__conn_detail(s, "%s: %s: %s", s->name, name, why);
        return fail(run, s, CBC_ERR_AUTH_ERROR);
    }
    rc = queue(s, CBC_OP_SASL_STEP, name, strlen(name), final->data, final->len) || queue_rest(run->conn, s);
    cbc__buf_free(final);
    s->hs.step = STEP_REST;
    return rc ? fail(run, s, CBC_ERR_CLIENT_ENOMEM) : 1;
}

/* SCRAM's SASL_AUTH answered (AUTH_CONTINUE, server-first in v): send the proof. An
 * event-driven socket has the salted password derived in a thread (never on the caller's
 * event loop) unless its connection has it cached; the handshake then waits for it. */
static int scram_step(RUN *run, cbc_SERVER *s, const char *v, size_t n)
{
    cbc_BUF final = {NULL, 0, 0};
    char why[120];
    const char *reason = NULL;
    int rc;
    if (!s->aio) {
        rc = cbc__scram_final(s->hs.scram, v, n, &final, why, sizeof(why));
        return send_final(run, s, rc != 0, &final, why);
    }
    if (cbc__scram_take_server_first(s->hs.scram, v, n, why, sizeof(why)) != 0) {
        return send_final(run, s, 1, &final, why);
    }
    if ((rc = cbc__scram_final_cached(s->hs.scram, &final, why, sizeof(why))) != 0) {
        return send_final(run, s, rc < 0, &final, why);
    }
    s->hs.job = cbc__scram_derive_start(s->hs.scram, &reason);
    s->hs.job_fd = s->hs.job ? dup(cbc__scram_job_fd(s->hs.job)) : -1;
    if (s->hs.job_fd < 0) {
        cbc__scram_job_abandon(s->hs.job);
        s->hs.job = NULL;
        cbc__conn_detail(s, "%s: %s", s->name, reason ? reason : "no descriptor for the SCRAM derivation");
        return fail(run, s, CBC_ERR_CLIENT_ETMPFAIL);
    }
    cbc__aio_rewatch(s->aio);
    return 1; /* cbc__prelude_derived goes on */
}

void cbc__prelude_derived(RUN *run, cbc_SERVER *s)
{
    cbc_BUF final = {NULL, 0, 0};
    char why[120];
    cbc_SCRAM_JOB *job = s->hs.job;
    int rc;
    if (!job) {
        return;
    }
    s->hs.job = NULL;
    cbc__conn_close_fd(s, s->hs.job_fd);
    cbc__aio_rewatch(s->aio);
    rc = cbc__scram_derive_finish(s->hs.scram, job, &final, why, sizeof(why));
    send_final(run, s, rc != 0, &final, why);
}

int cbc__prelude_answer(RUN *run, cbc_SERVER *s, const cbc_PKTHDR *h, const char *pkt)
{
    uint8_t expect;
    const char *value = pkt + CBC_PKT_HDR_LEN + h->nframe + h->nextras + h->nkey;
    size_t nvalue = h->nbody - h->nframe - h->nextras - h->nkey;
    if (s->hs.nanswered >= s->hs.nops || h->opcode != s->hs.ops[s->hs.nanswered]) {
        cbc__conn_detail(s, "%s: unexpected answer (opcode 0x%02x) during the handshake",
                 s->name, h->opcode);
        return fail(run, s, CBC_ERR_PROTOCOL_ERROR);
    }
    expect = s->hs.ops[s->hs.nanswered++];
    switch (expect) {
    case CBC_OP_HELLO:
        break; /* a refusal only means "no features" (2013-era servers, memcached) */
    case CBC_OP_SASL_LIST_MECHS:
        if (h->status != 0) {
            cbc__conn_detail(s, "%s: the server refused SASL_LIST_MECHS (status 0x%02x)",
                     s->name, h->status);
            return fail(run, s, CBC_ERR_AUTH_ERROR);
        }
        if (!start_auth(run, s, value, nvalue)) {
            return 0;
        }
        break;
    case CBC_OP_SASL_AUTH:
        if (s->hs.mech == 0) { /* a SASL packet of the caller's prelude */
            if (h->status != 0) {
                cbc__conn_detail(s, "%s: the server refused the prelude's SASL_AUTH (status 0x%02x)", s->name,
                                 h->status);
                return fail(run, s, CBC_ERR_AUTH_ERROR);
            }
        } else if (s->hs.mech != CBC_SASL_PLAIN && h->status == STATUS_AUTH_CONTINUE) {
            if (!scram_step(run, s, value, nvalue)) {
                return 0;
            }
        } else if (h->status != 0 || s->hs.mech != CBC_SASL_PLAIN) {
            /* (a SCRAM exchange the server ends at once proves nothing: refused too) */
            return auth_refused(run, s, h->status);
        }
        break;
    case CBC_OP_SASL_STEP:
        if (h->status != 0) {
            return auth_refused(run, s, h->status);
        }
        if (cbc__scram_verify(s->hs.scram, value, nvalue) != 0) {
            cbc__conn_detail(s, "%s: the server's %s signature is wrong: it does not hold the user's credentials",
                             s->name, mech_name(s->hs.mech));
            return fail(run, s, CBC_ERR_AUTH_ERROR);
        }
        break;
    case CBC_OP_SELECT_BUCKET:
        if (h->status != 0) {
            cbc__conn_detail(s, "%s: the server refused to select the bucket (status 0x%02x)",
                     s->name, h->status);
            return fail(run, s, CBC_ERR_BUCKET_ENOENT);
        }
        break;
    default:
        if (h->status != 0) {
            cbc__conn_detail(s, "%s: handshake request 0x%02x failed (status 0x%02x)", s->name,
                     expect, h->status);
            return fail(run, s, cbc_err_from_status(h->status));
        }
        break;
    }
    if (s->hs.nanswered == s->hs.nops && s->hs.step == STEP_REST) {
        ready(s);
    }
    return 1;
}
