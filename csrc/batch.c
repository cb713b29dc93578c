/* Batch façade: requests in, one GIL-free run, results out. */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "errors.h"
#include "packet.h"
#include "pipeline.h"



/* Memory kept between rounds, a speed-for-memory choice: a batch that is reset
 * and filled again (every Connection call) reuses warm pages instead of asking
 * the kernel for fresh zeroed ones. Up to KEEP_ARENA_MAX of arena (the encoded
 * requests) stays allocated until cbc_batch_free; chunks beyond go at reset.
 *
 * Read buffers are the exception: one above KEEP_RBUF_MAX is released at reset,
 * and its size is remembered so that the next round allocates it in one step
 * (no doubling reallocs). Measured with glibc on a 1000 x 16 KiB get: keeping a
 * 16+ MiB read buffer left glibc's trim threshold at its 128 KiB default, so the
 * heap under the freed result bytes objects was trimmed after each round and
 * faulted back in by the next (~4000 page faults, 3x the system time); freeing
 * the mmap'd buffer raises glibc's dynamic mmap/trim thresholds, and the next
 * buffer and the values then come from warm heap. */
#define ARENA_CHUNK 65536          /* first chunk; later ones grow with the total */
#define ARENA_CHUNK_MAX (4u << 20) /* growth stops here (bigger requests get their size) */
#define KEEP_ARENA_MAX (64u << 20)
#define KEEP_RBUF_MAX (1u << 20)

/* Arena chunk: encoded requests live here so that result key pointers stay valid
 * while more requests are added (a growing buffer would move them), and so that
 * a run can send them where they are. */
struct cbc_ACHUNK_s {
    cbc_ACHUNK *next;
    size_t used;
    size_t cap;
    char data[];
};

char *cbc__batch_alloc(cbc_BATCH *b, size_t n)
{
    cbc_ACHUNK *c = b->cur;
    char *p;
    /* Chunks after cur are unused; move on to one that fits, else make one. */
    while (c && c->cap - c->used < n && c->next && c->next->cap >= n) {
        c = c->next;
        c->used = 0;
    }
    if (!c || c->cap - c->used < n) {
        size_t total = 0, cap;
        cbc_ACHUNK *t, *nc;
        for (t = b->arena; t; t = t->next) {
            total += t->cap;
        }
        cap = total < ARENA_CHUNK ? ARENA_CHUNK : total > ARENA_CHUNK_MAX ? ARENA_CHUNK_MAX : total;
        if (cap < n) {
            cap = n;
        }
        nc = malloc(sizeof(*nc) + cap);
        if (!nc) {
            return NULL;
        }
        nc->used = 0;
        nc->cap = cap;
        if (c) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = b->arena;
            b->arena = nc;
        }
        c = nc;
    }
    b->cur = c;
    p = c->data + c->used;
    c->used += n;
    return p;
}

static const char *arena_copy(cbc_BATCH *b, const char *src, size_t n, int *oom)
{
    char *p;
    if (!n) {
        return NULL;
    }
    p = cbc__batch_alloc(b, n);
    if (!p) {
        *oom = 1;
        return NULL;
    }
    memcpy(p, src, n);
    return p;
}

cbc_BATCH *cbc_batch_new(cbc_CONN *conn)
{
    cbc_BATCH *b;
    if (!conn) {
        return NULL;
    }
    b = calloc(1, sizeof(*b));
    if (b) {
        b->conn = conn;
    }
    return b;
}

static void free_stats(cbc_BATCH *b)
{
    size_t i;
    for (i = 0; i < b->n; i++) {
        if (b->slots[i].stat) {
            cbc__buf_free(b->slots[i].stat);
            free(b->slots[i].stat);
            b->slots[i].stat = NULL;
        }
    }
}

void cbc_batch_free(cbc_BATCH *b)
{
    size_t i;
    cbc_ACHUNK *c;
    if (!b) {
        return;
    }
    cbc__pl_abandon(b);
    free_stats(b);
    while ((c = b->arena) != NULL) {
        b->arena = c->next;
        free(c);
    }
    for (i = 0; i < b->nrbufs; i++) {
        cbc__buf_free(&b->rbufs[i]);
    }
    free(b->rbufs);
    free(b->rhints);
    free(b->rbase);
    free(b->slots);
    free(b->results);
    free(b);
}

void cbc_batch_reset(cbc_BATCH *b)
{
    size_t i;
    cbc_ACHUNK *c;
    if (!b) {
        return;
    }
    cbc__pl_abandon(b);
    free_stats(b);
    b->n = 0;
    /* Keep chunks up to KEEP_ARENA_MAX for the next round, in order. */
    {
        size_t kept = 0;
        cbc_ACHUNK **link = &b->arena;
        while ((c = *link) != NULL) {
            if (kept + c->cap > KEEP_ARENA_MAX) {
                *link = c->next;
                free(c);
                continue;
            }
            kept += c->cap;
            c->used = 0;
            link = &c->next;
        }
        b->cur = b->arena;
    }
    for (i = 0; i < b->nrbufs; i++) {
        b->rbufs[i].len = 0;
        if (b->rbufs[i].cap > KEEP_RBUF_MAX) {
            b->rhints[i] = b->rbufs[i].cap;
            cbc__buf_free(&b->rbufs[i]);
        }
    }
}

int cbc__batch_ensure_rbufs(cbc_BATCH *b, size_t n)
{
    cbc_BUF *nb;
    size_t *nh;
    char **nbase;
    if (n <= b->nrbufs) {
        return 0;
    }
    nbase = realloc(b->rbase, n * sizeof(*nbase));
    if (!nbase) {
        return -1;
    }
    b->rbase = nbase;
    memset(nbase + b->nrbufs, 0, (n - b->nrbufs) * sizeof(*nbase));
    nh = realloc(b->rhints, n * sizeof(*nh));
    if (!nh) {
        return -1;
    }
    b->rhints = nh;
    nb = realloc(b->rbufs, n * sizeof(*nb));
    if (!nb) {
        return -1;
    }
    memset(nb + b->nrbufs, 0, (n - b->nrbufs) * sizeof(*nb));
    memset(nh + b->nrbufs, 0, (n - b->nrbufs) * sizeof(*nh));
    b->rbufs = nb;
    b->nrbufs = n;
    return 0;
}

static int grow(cbc_BATCH *b)
{
    size_t cap = b->cap ? b->cap * 2 : 16;
    cbc_SLOT *slots;
    cbc_RESULT *results;
    slots = realloc(b->slots, cap * sizeof(*slots));
    if (!slots) {
        return -1;
    }
    b->slots = slots;
    results = realloc(b->results, cap * sizeof(*results));
    if (!results) {
        return -1;
    }
    b->results = results;
    b->cap = cap;
    return 0;
}

int cbc_batch_add(cbc_BATCH *b, const cbc_REQUEST *req, cbc_ERROR *err)
{
    cbc_SLOT *slot;
    cbc_RESULT *res;
    cbc_PKTLAYOUT lay;
    int oom = 0;
    if (!b || !req) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "no batch or request");
    }
    if (req->nkey == 0 && req->server < 0) {
        return CBC_FAIL(err, CBC_ERR_EMPTY_KEY, "empty key");
    }
    if (req->nkey > CBC_KEY_MAX) {
        return CBC_FAIL(err, CBC_ERR_KEY_TOO_LONG, "key of %zu bytes (at most %d)", req->nkey,
                        CBC_KEY_MAX);
    }
    if ((req->nkey && !req->key) || (req->nvalue && !req->value) ||
        (req->nextras && !req->extras) || req->nextras > 0xff ||
        req->nvalue > 0xffffffffu - 0x200) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "bad lengths (key %zu, value %zu, extras %zu)",
                        req->nkey, req->nvalue, req->nextras);
    }
    /* opaque is a u32 slot index */
    if (b->n >= 0xffffffffu) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "batch is full");
    }
    if (b->n == b->cap && grow(b) != 0) {
        return CBC_FAIL(err, CBC_ERR_CLIENT_ENOMEM, "no memory for %zu requests", b->n + 1);
    }
    slot = &b->slots[b->n];
    res = &b->results[b->n];
    slot->req = *req;
    slot->pkt = NULL;
    slot->npkt = 0;
    slot->pkt_coll = (uint8_t)(b->conn->collections != 0);
    if (cbc__pkt_layout(req, slot->pkt_coll, &lay) == 0) {
        /* The one copy of the request's bytes: encoded as it will be sent. Key
         * and value then point into the packet. */
        char *p = cbc__batch_alloc(b, lay.total);
        size_t koff = CBC_PKT_HDR_LEN + lay.nframe + lay.nextras + lay.nprefix;
        if (!p) {
            return CBC_FAIL(err, CBC_ERR_CLIENT_ENOMEM, "no memory to copy the request");
        }
        cbc__pkt_write(req, &lay, 0, (uint32_t)b->n, p);
        slot->pkt = p;
        slot->npkt = lay.total;
        slot->req.key = req->nkey ? p + koff : NULL;
        slot->req.value = req->nvalue ? p + koff + req->nkey : NULL;
        slot->req.extras = arena_copy(b, req->extras, req->nextras, &oom);
    } else {
        /* The run fails it with the layout's code, as it always has. */
        slot->req.key = arena_copy(b, req->key, req->nkey, &oom);
        slot->req.value = arena_copy(b, req->value, req->nvalue, &oom);
        slot->req.extras = arena_copy(b, req->extras, req->nextras, &oom);
    }
    if (oom) {
        /* The arena bytes already taken are reclaimed at reset. */
        return CBC_FAIL(err, CBC_ERR_CLIENT_ENOMEM, "no memory to copy the request");
    }
    slot->state = CBC_SLOT_PENDING;
    slot->vsrc = CBC_VAL_NONE;
    slot->voff = 0;
    slot->stat = NULL;
    slot->deadline = 0;
    memset(res, 0, sizeof(*res));
    res->status = 0xffff;
    res->opcode = req->opcode;
    res->server = -1;
    res->key = slot->req.key ? slot->req.key : "";
    res->nkey = req->nkey;
    res->value = "";
    b->n++;
    return 0;
}

size_t cbc_batch_size(const cbc_BATCH *b)
{
    return b ? b->n : 0;
}

/* Results [0, upto) get real value pointers: the read buffers may have moved while
 * responses arrived. Those fixed by an earlier call of the same run are skipped
 * unless a buffer has moved since. */
static void fix_values(cbc_BATCH *b, size_t upto)
{
    size_t i;
    for (i = 0; i < b->nrbufs; i++) {
        if (b->rbase[i] != b->rbufs[i].data) {
            b->rbase[i] = b->rbufs[i].data;
            b->nfixed = 0;
        }
    }
    for (i = b->nfixed; i < upto; i++) {
        cbc_SLOT *slot = &b->slots[i];
        cbc_RESULT *res = &b->results[i];
        if (slot->vsrc >= 0 && (size_t)slot->vsrc < b->nrbufs && res->nvalue) {
            res->value = b->rbufs[slot->vsrc].data + slot->voff;
        } else if (slot->vsrc == CBC_VAL_STAT && slot->stat && slot->stat->len) {
            res->value = slot->stat->data;
            res->nvalue = slot->stat->len;
        } else {
            res->value = "";
            res->nvalue = 0;
        }
    }
    if (upto > b->nfixed) {
        b->nfixed = upto;
    }
}

/* A read buffer that no finished result points into can start over, so a batch
 * that is requeued and rerun does not grow without bound. */
static void reclaim_rbufs(cbc_BATCH *b)
{
    unsigned char small[64], *used = small;
    size_t i;
    if (b->nrbufs > sizeof(small)) {
        used = calloc(b->nrbufs, 1);
        if (!used) {
            return;
        }
    } else {
        memset(small, 0, sizeof(small));
    }
    for (i = 0; i < b->n; i++) {
        if (b->slots[i].state == CBC_SLOT_DONE && b->slots[i].vsrc >= 0 &&
            (size_t)b->slots[i].vsrc < b->nrbufs) {
            used[b->slots[i].vsrc] = 1;
        }
    }
    for (i = 0; i < b->nrbufs; i++) {
        if (!used[i]) {
            b->rbufs[i].len = 0;
        }
    }
    if (used != small) {
        free(used);
    }
}

int cbc_batch_run_until(cbc_BATCH *b, size_t upto, uint64_t timeout_us, cbc_ERROR *err)
{
    if (!b || !b->conn) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "no batch");
    }
    if (b->conn->aio) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "the connection is event-driven (cbc_aio_new): it has no blocking run");
    }
    if (upto > b->n) {
        upto = b->n;
    }
    if (!b->running) {
        int rc;
        reclaim_rbufs(b);
        b->nfixed = 0;
        rc = cbc__pl_start(b, timeout_us, err);
        if (rc) {
            fix_values(b, b->n);
            return rc;
        }
    }
    cbc__pl_step(b, upto);
    fix_values(b, b->running ? upto : b->n);
    return 0;
}

int cbc_batch_run(cbc_BATCH *b, uint64_t timeout_us, cbc_ERROR *err)
{
    return cbc_batch_run_until(b, b ? b->n : 0, timeout_us, err);
}

const cbc_RESULT *cbc_batch_results(const cbc_BATCH *b)
{
    return b ? b->results : NULL;
}

size_t cbc_batch_requeue(cbc_BATCH *b, int rc)
{
    size_t i, n = 0;
    if (!b) {
        return 0;
    }
    if (b->running) {
        cbc__pl_abandon(b);
        fix_values(b, b->n);
    }
    for (i = 0; i < b->n; i++) {
        if (b->slots[i].state == CBC_SLOT_DONE && b->results[i].rc == rc) {
            b->slots[i].state = CBC_SLOT_PENDING;
            n++;
        }
    }
    return n;
}

void cbc_batch_undo(cbc_BATCH *b, size_t n)
{
    size_t i;
    if (!b) {
        return;
    }
    if (!b->aio_owned) {
        cbc_batch_reset(b);
        return;
    }
    /* Requests of other callers are in the batch before `n`: keep them. The arena bytes of
     * the dropped ones come back at the batch's reset. */
    for (i = n; i < b->n; i++) {
        if (b->slots[i].stat) {
            cbc__buf_free(b->slots[i].stat);
            free(b->slots[i].stat);
            b->slots[i].stat = NULL;
        }
    }
    if (n < b->n) {
        b->n = n;
    }
}

const cbc_API *cbc_api_table(void)
{
    static const cbc_API api = {
        CBC_CORE_VERSION,  cbc_batch_add,     cbc_batch_size,   cbc_batch_results,
        cbc_batch_reset,   cbc_strerror,      cbc_batch_run,    cbc_batch_run_until,
        cbc_batch_undo,    cbc_aio_batch,     cbc_aio_gen_batch, cbc_aio_deadline,
        cbc_aio_submit,    cbc_aio_event,     cbc_aio_tick,     cbc_aio_done,
    };
    return &api;
}
