/* Connection handle internals: server list, sockets, key-to-server map, prelude.
 *
 * The public functions (cbc_conn_*) are declared in cbc_api.h. This header
 * exposes the struct to pipeline.c and batch.c, which drive the sockets.
 * A connection is used by one thread at a time (the Python Connection holds a lock). */
#ifndef CBC_CONN_H
#define CBC_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "buf.h"
#include "cbc_api.h"
#include "io.h"
#include "ketama.h"
#include "scram.h"
#include "tls.h"
#include "vbucket.h"

#define CBC_CONN_MAX_ADDRS 8

/* Socket states, in the order a socket goes through them (connect.c, prelude.c). A
 * socket survives runs only in READY; a run that ends with a socket in any other state
 * closes it. */
enum {
    CBC_SRV_CLOSED = 0,
    CBC_SRV_RESOLVING,  /* a resolver thread looks the name up; fd is its wake-up pipe */
    CBC_SRV_CONNECTING, /* non-blocking connect in progress */
    CBC_SRV_TLS,        /* connected, TLS handshake in progress */
    CBC_SRV_PRELUDE,    /* connected, handshake packets in flight */
    CBC_SRV_READY
};

/* SASL mechanisms, as the bits of cbc_conn_set_auth (cbc_api.h). */
#define CBC_SASL_ALL (CBC_SASL_PLAIN | CBC_SASL_SCRAM_SHA1 | CBC_SASL_SCRAM_SHA256 | CBC_SASL_SCRAM_SHA512)
#define CBC_PRELUDE_MAX_PACKETS 24 /* what cbc_conn_set_prelude accepts */

/* One socket's handshake (prelude.c): the packets queued for it, which answers are
 * still due, and the SASL exchange. */
typedef struct {
    cbc_BUF out;       /* packets queued, sent from `sent` on */
    size_t sent;
    uint8_t ops[CBC_PRELUDE_MAX_PACKETS + 8]; /* opcode of each queued packet, in order */
    size_t nops;
    size_t nanswered;
    int step;          /* what the next answer leads to (prelude.c) */
    int mech;          /* the CBC_SASL_* bit chosen, 0 before SASL_LIST_MECHS is answered */
    cbc_SCRAM *scram;
    cbc_SCRAM_JOB *job; /* event-driven mode: the salted password being derived in a thread */
    int job_fd;         /* (then) our copy of its wake-up descriptor, watched by the caller */
} cbc_PRELUDE;

enum { CBC_MAP_NONE = 0, CBC_MAP_KETAMA, CBC_MAP_VBUCKET };

typedef struct {
    char *host;
    int port;
    char *name; /* "host:port", the ketama authority */
    int fd;     /* -1 when closed */
    int state;  /* CBC_SRV_* */
    cbc_ADDR addrs[CBC_CONN_MAX_ADDRS];
    size_t naddrs;
    size_t addr_idx;  /* address being tried */
    uint64_t rcvtimeo_us; /* SO_RCVTIMEO currently set on fd (0: none) */
    uint64_t last_used_us; /* end of the last run that used fd */
    cbc_RESOLVE *resolve; /* the name lookup in flight (RESOLVING) */
    cbc_TLS *tls;       /* the TLS session, when the connection uses TLS */
    cbc_PRELUDE hs;     /* handshake state (PRELUDE) */
    cbc_ERROR last_fail;  /* the socket's latest failure, kept across runs: code, C file and
                           * line, and "host:port: reason" (cbc_conn_last_failure) */
    uint64_t last_fail_us; /* when it failed (0: never); the newer of a server's two sockets wins */
    int why_set;        /* last_fail.msg already holds the reason of the failure about to be
                         * recorded (cbc__conn_detail); else it is "host:port: <code's text>" */

    /* Per-run scratch, owned by pipeline.c. */
    int in_run;
    int can_write;      /* last send did not hit EAGAIN */
    size_t reused;      /* kept from an earlier run: 1 + rpos when this run began (0: a new
                         * socket). If the peer turns out to have closed it before anything
                         * of an answer arrived, its reads go again (pipeline.c, peer_gone) */
    int fail_rc;        /* why the socket failed in this run, 0 if it did not */
    const char *fail_file;
    int fail_line;
    size_t npending;    /* batch requests sent and not answered */
    struct iovec *iov;  /* this run's requests: packets in the batch arena, adjacent
                         * ones merged; sent with sendmsg, no copy. Kept between runs */
    size_t niov;
    size_t iovcap;
    size_t iovpos;      /* first entry not fully sent (entries are trimmed as sent) */
    cbc_BUF *rbuf;      /* where responses land in this run */
    size_t rpos;        /* parse position in rbuf */
    size_t rgrow;       /* how much to grow rbuf by when it runs short */
    cbc_BUF own_rbuf;   /* rbuf for runs without a batch (cbc_conn_connect) */

    /* Text sockets only (see text.h). npending counts request lines, not slots:
     * the socket stays busy until the last line's END is read. */
    int text;           /* 1: the server's text-protocol socket (conn->tservers) */
    uint32_t *tslots;   /* this run's slots in send order; kept between runs */
    size_t ntslots, tslotcap;
    uint32_t *tlines;   /* keys per request line */
    size_t ntlines, tlinecap;
    size_t tline;       /* line being answered */
    size_t tcur;        /* next unanswered position in tslots */
    size_t tline_end;   /* end of the line being answered in tslots */

    /* Event-driven mode (aio.c); blocking runs leave these alone. */
    struct cbc_AIO_s *aio; /* non-NULL: descriptors close through the engine (cbc_aio_reap) */
    cbc_BUF wbuf;       /* requests appended by submits, sent from wpos on */
    size_t wpos;
    size_t nexpired;    /* answers still due to requests that timed out */
    uint64_t rx_us;     /* when bytes last arrived (or the socket last became busy) */
    uint64_t max_deadline; /* the latest deadline of the requests queued on it */
    int watch_fd;       /* what the caller watches for it (cbc_aio_watches) */
    int watch_ev;
} cbc_SERVER;

struct cbc_CONN_s {
    cbc_SERVER *servers;
    size_t nservers;
    cbc_SERVER *tservers; /* per server: the text-protocol socket for plain GETs
                           * (host, port and name borrowed from servers[i]) */
    int text_gets;        /* send plain GETs as text `gets` (ketama, no prelude only) */
    int map_mode; /* CBC_MAP_* */
    cbc_KETAMA ketama;
    cbc_VBMAP vbmap;
    int collections;
    char *prelude;   /* concatenated request packets */
    size_t nprelude;
    uint8_t *prelude_ops; /* opcode of each prelude packet, in order */
    size_t nprelude_ops;
    size_t prelude_split; /* bytes of the leading HELLO packets: SASL goes after them */
    size_t prelude_nhello; /* how many they are */
    char *sasl_user;      /* NULL: no SASL exchange */
    char *sasl_password;
    int sasl_mechs;       /* CBC_SASL_* bits allowed */
    cbc_SCRAM_CACHE scram_cache;
    cbc_TLSCTX *tls;      /* non-NULL: every socket speaks TLS */
    /* Run scratch sized to 2 * nservers (binary and text socket of each server), so
     * a run allocates nothing per server. Socket id i < nservers is servers[i], else
     * tservers[i - nservers]. */
    int *involved;
    void *pollfds;
    int *pollidx;
    struct cbc_BATCH_s *active; /* batch whose run is unfinished (run_until), or NULL */
    uint64_t max_response; /* largest body a response may announce; 0: CBC_MAX_RESPONSE_DEFAULT */
    struct cbc_AIO_s *aio; /* the event-driven engine (aio.c), NULL in blocking mode */
};

/* Route one request: *server (>= 0) and *vbucket, or -1 when no server holds it
 * (vbucket may still be set). Honors req->server, req->vbucket and GET_REPLICA. */
int cbc__conn_route(const cbc_CONN *conn, const cbc_REQUEST *req, uint16_t *vbucket);
/* The socket with id `id` (see involved). */
cbc_SERVER *cbc__conn_sock(cbc_CONN *conn, int id);
/* Close server `s`'s socket and forget its handshake progress (`last_fail` stays). */
void cbc__conn_close_server(cbc_SERVER *s);
/* Close descriptor `fd` of socket s: at once, or in event-driven mode once the caller
 * stopped watching it (aio.c). */
void cbc__conn_close_fd(cbc_SERVER *s, int fd);
/* The reason of the failure about to be recorded on s (SERVER_FAIL next), from a printf
 * format: "host:port: reason" (cut to fit). One record per socket, s->last_fail. */
void cbc__conn_detail(cbc_SERVER *s, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Whether new sockets run a handshake (prelude packets or SASL). */
int cbc__conn_has_prelude(const cbc_CONN *conn);

/* Socket I/O through the socket's TLS session when it has one (io.h conventions; a
 * TLS failure is CBC_IO_ETLS, see cbc__connect_io_fail). */
static inline ssize_t cbc__sock_send(cbc_SERVER *s, const char *buf, size_t n)
{
    return s->tls ? cbc__tls_send(s->tls, buf, n) : cbc__io_send(s->fd, buf, n);
}
static inline ssize_t cbc__sock_sendv(cbc_SERVER *s, const struct iovec *iov, size_t n)
{
    return s->tls ? cbc__tls_sendv(s->tls, iov, n) : cbc__io_sendv(s->fd, iov, n);
}
static inline ssize_t cbc__sock_recv(cbc_SERVER *s, char *buf, size_t n)
{
    return s->tls ? cbc__tls_recv(s->tls, buf, n) : cbc__io_recv(s->fd, buf, n);
}
static inline ssize_t cbc__sock_recv_wait(cbc_SERVER *s, char *buf, size_t n, uint64_t wait_us)
{
    return s->tls ? cbc__tls_recv_wait(s->tls, buf, n, wait_us, &s->rcvtimeo_us)
                  : cbc__io_recv_wait(s->fd, buf, n, wait_us, &s->rcvtimeo_us);
}
/* Received bytes held by the TLS session (poll() cannot see them). */
static inline int cbc__sock_pending(const cbc_SERVER *s)
{
    return s->tls ? cbc__tls_pending(s->tls) : 0;
}
static inline int cbc__sock_is_stale(cbc_SERVER *s)
{
    return s->tls ? cbc__tls_is_stale(s->tls) : cbc__io_is_stale(s->fd);
}

#endif /* CBC_CONN_H */
