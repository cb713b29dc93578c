/* Batch internals: requests, their results, and the memory results point into.
 *
 * The public functions (cbc_batch_*) are declared in cbc_api.h; this header
 * exposes the struct to pipeline.c, which fills the results during a run. */
#ifndef CBC_BATCH_H
#define CBC_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cbc_api.h"

enum {
    CBC_SLOT_PENDING = 0, /* to be routed and sent by the next run */
    CBC_SLOT_SENT,        /* written (or queued) to server results[i].server */
    CBC_SLOT_DONE,        /* rc and fields final until reset or requeue */
    CBC_SLOT_EXPIRED      /* event-driven mode only: timed out (its result is final),
                           * its answer is still due on socket results[i].server */
};

/* Where a result's value bytes live; results get real pointers after each run,
 * because the buffers may move while responses arrive. */
enum { CBC_VAL_NONE = -1, CBC_VAL_STAT = -2 };

typedef struct cbc_ACHUNK_s cbc_ACHUNK;

typedef struct {
    cbc_REQUEST req;  /* key/value/extras point into the batch arena */
    char *pkt;        /* the request encoded at add time (opaque = slot index, vbucket
                       * patched by each run), in the arena; NULL when it must be
                       * encoded by the run (lengths the header cannot hold) */
    size_t npkt;
    uint8_t pkt_coll; /* conn->collections when pkt was encoded */
    uint8_t state;    /* CBC_SLOT_* */
    uint8_t text;     /* sent on the server's text socket (text.h) */
    int32_t vsrc;     /* CBC_VAL_*, or the index of the read buffer holding the value */
    size_t voff;      /* value offset in that buffer */
    cbc_BUF *stat;    /* STAT records, allocated on the first stat packet */
    uint64_t deadline; /* event-driven mode: when it times out (cbc_aio_now() us; 0: never) */
} cbc_SLOT;

struct cbc_BATCH_s {
    cbc_CONN *conn;
    cbc_SLOT *slots;
    cbc_RESULT *results;
    size_t n;
    size_t cap;
    cbc_ACHUNK *arena; /* encoded requests (and their keys, which results point to);
                        * chunks never move, and reset keeps them for the next round */
    cbc_ACHUNK *cur;   /* chunk being filled; the chunks after it are unused */
    cbc_BUF *rbufs;    /* per server index: responses, appended and never compacted
                        * until reset, so values from earlier runs stay valid */
    size_t *rhints;    /* per read buffer: its size when reset released it, so the
                        * next round allocates that much at once; 0 when none */
    size_t nrbufs;

    /* A run that cbc_batch_run_until left unfinished (its sockets are in
     * conn->involved[0..ninv), and conn->active is this batch). */
    int running;
    int first_wait;    /* the one-server blocking first read is still to come */
    uint64_t deadline; /* fixed by the call that started the run */
    size_t ninv;
    size_t upto;       /* the current call returns once results [0, upto) are final */
    size_t nfinal;     /* results [0, nfinal) are known final */
    size_t nfixed;     /* results [0, nfixed) have value pointers for rbase */
    char **rbase;      /* per read buffer: its data pointer when those were fixed */

    int aio_owned;     /* a generation of an event-driven engine (aio.c): cbc_batch_undo
                        * truncates instead of resetting */
};

/* n bytes of arena that stay put until reset, or NULL when out of memory. */
char *cbc__batch_alloc(cbc_BATCH *b, size_t n);
/* Make sure there is a read buffer for each of `n` servers. 0, or -1 when out of memory. */
int cbc__batch_ensure_rbufs(cbc_BATCH *b, size_t n);

#endif /* CBC_BATCH_H */
