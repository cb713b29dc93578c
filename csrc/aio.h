/* Event-driven mode: the engine behind cbc_aio_* (cbc_api.h documents the surface):
 * aio.c holds its entry points and socket steps, aio_flight.c the requests in flight.
 *
 * Internal surface for the modules that share sockets with it: the response parser
 * (answers and pushes of event-driven connections come here by their opaque), failing a
 * socket (its requests in flight), the connection (a new server list moves sockets and the
 * requests waiting on them) and closing descriptors (deferred until unwatched). */
#ifndef CBC_AIO_H
#define CBC_AIO_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "conn.h"

/* The descriptors to watch changed other than by a socket's own (a SCRAM derivation
 * started or ended): report CBC_AIO_WATCH. */
void cbc__aio_rewatch(cbc_AIO *aio);
/* Keep `fd` open until the caller has unwatched it (cbc_aio_reap closes it). */
void cbc__aio_bury(cbc_AIO *aio, int fd);
/* The request an answer with `opaque` belongs to: 1 with *slot and *res when it waits
 * for that answer on server `idx` (SENT or EXPIRED), 0 otherwise (the stream is lost). */
int cbc__aio_lookup(cbc_AIO *aio, uint32_t opaque, int idx, cbc_SLOT **slot, cbc_RESULT **res);
/* slot's answer was parsed into its result (which points into s's read buffer at
 * slot->voff): it completes. */
void cbc__aio_answered(cbc_AIO *aio, cbc_SERVER *s, cbc_SLOT *slot);
/* The answer of an EXPIRED slot arrived: dropped. */
void cbc__aio_late(cbc_AIO *aio, cbc_SERVER *s, cbc_SLOT *slot);
/* Socket s (server index idx) failed with rc at file:line: its requests complete with it. */
void cbc__aio_fail_slots(cbc_AIO *aio, cbc_SERVER *s, int idx, int rc, const char *file, int line);
/* A server push: a configuration (opcode 0x01) is kept for cbc_aio_push. */
void cbc__aio_push(cbc_AIO *aio, int idx, const cbc_PKTHDR *h, const char *pkt);
/* Whether the current call has completed as many requests as it may (CBC_AIO_DONE_MAX):
 * the parser stops and the rest waits for the next call. */
int cbc__aio_full(const cbc_AIO *aio);
/* A new server list: map[j] is the new index of old server j (-1: its socket closes).
 * Requests in flight follow their socket or fail with NETWORK_ERROR. */
void cbc__aio_remap(cbc_AIO *aio, const int *map, size_t nold);

/* ---- the engine's state, shared by aio.c (entry points, sockets) and aio_flight.c
 * (requests in flight) ---- */

#define CBC_AIO_NO_DEADLINE UINT64_MAX

enum { CBC_GEN_FREE = 0, CBC_GEN_OPEN, CBC_GEN_FLIGHT, CBC_GEN_FINISHED };

typedef struct {
    cbc_BATCH *b;
    int state;           /* CBC_GEN_* */
    uint32_t seq0;       /* opaque of request 0 */
    size_t live;         /* requests not yet DONE (an EXPIRED one still owes its answer) */
    size_t undelivered;  /* completions not yet handed out by cbc_aio_done */
    uint64_t min_deadline; /* the earliest deadline of its SENT requests, CBC_AIO_NO_DEADLINE when none */
} cbc_AIOGEN;

struct cbc_AIO_s {
    cbc_CONN *conn;
    cbc_AIOGEN *gens;
    size_t ngens, gencap;
    uint32_t *freeg;     /* free generations (a stack) */
    size_t nfree;
    uint32_t *flight;    /* generations in flight, in submission order */
    size_t nflight, flightcap;
    size_t nfinished;    /* FINISHED generations still in `flight` */
    int open;            /* a generation is open */
    uint32_t open_gen;
    uint32_t seq;        /* opaque of the next request submitted */
    size_t inflight;     /* live requests of every generation */
    size_t owing;        /* EXPIRED requests (answers due) */
    cbc_AIO_DONE *done;
    size_t ndone, donecap;
    size_t taken;        /* done[0, taken) were handed out */
    uint32_t lk_gen;     /* what the last cbc__aio_lookup found */
    uint32_t lk_idx;
    int *grave;          /* descriptors to close once unwatched */
    size_t ngrave, gravecap;
    cbc_AIO_WATCH *watch;
    size_t watchcap;
    uint64_t armed;      /* the tick time the caller armed; 0 none; CBC_AIO_NO_DEADLINE: nothing was due */
    int status;          /* CBC_AIO_AGAIN gathered during a call */
    int rewatch;         /* cbc__aio_rewatch was called since the last cbc_aio_watches */
    cbc_BUF push;        /* the latest pushed configuration */
    int push_server;
    int pushed;
    cbc_AIO_STATS stats;
};


/* *p (an array of *cap items of `size` bytes) holds at least `need`. 0, or -1 (unchanged). */
int cbc__aio_grow(void **p, size_t *cap, size_t need, size_t size);
/* Request `index` of generation `gen` is final: reported by cbc_aio_done. */
void cbc__aio_complete(cbc_AIO *a, uint32_t gen, size_t index);
/* A request of generation `gen` owes nothing more (answered, failed, or its late answer came). */
void cbc__aio_release(cbc_AIO *a, uint32_t gen);
/* Start of every call that moves the engine: the completions handed out are gone, and
 * the generations they finished are recycled. */
void cbc__aio_begin(cbc_AIO *a);
/* End of such a call: completed results get their value pointers; the status bits. */
int cbc__aio_end(cbc_AIO *a);
/* What socket s waits for (CBC_AIO_READ/WRITE), 0 when closed. */
int cbc__aio_wants(const cbc_SERVER *s);
/* Request `i` of generation gid timed out: its result says so, its answer is still due. */
void cbc__aio_expire(cbc_AIO *a, uint32_t gid, size_t i);

#endif /* CBC_AIO_H */
