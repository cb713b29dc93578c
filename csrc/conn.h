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
#include "vbucket.h"

#define CBC_CONN_MAX_ADDRS 8

/* Socket states. A socket survives runs only in READY; a run that ends with a
 * socket in any other state closes it. */
enum {
    CBC_SRV_CLOSED = 0,
    CBC_SRV_CONNECTING, /* non-blocking connect in progress */
    CBC_SRV_PRELUDE,    /* connected, handshake packets in flight */
    CBC_SRV_READY
};

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
    size_t pwritten;  /* prelude bytes sent on this socket */
    uint64_t rcvtimeo_us; /* SO_RCVTIMEO currently set on fd (0: none) */
    uint64_t last_used_us; /* end of the last run that used fd */
    size_t panswered; /* prelude packets answered */
    cbc_ERROR last_fail;  /* the socket's latest failure, kept across runs: code, C file and
                           * line, and a message naming host:port (cbc_conn_last_failure) */
    uint64_t last_fail_us; /* when it failed (0: never); the newer of a server's two sockets wins */

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
    /* Run scratch sized to 2 * nservers (binary and text socket of each server), so
     * a run allocates nothing per server. Socket id i < nservers is servers[i], else
     * tservers[i - nservers]. */
    int *involved;
    void *pollfds;
    int *pollidx;
    struct cbc_BATCH_s *active; /* batch whose run is unfinished (run_until), or NULL */
    uint64_t max_response; /* largest body a response may announce; 0: CBC_MAX_RESPONSE_DEFAULT */
};

/* Route one request: *server (>= 0) and *vbucket, or -1 when no server holds it
 * (vbucket may still be set). Honors req->server, req->vbucket and GET_REPLICA. */
int cbc__conn_route(const cbc_CONN *conn, const cbc_REQUEST *req, uint16_t *vbucket);
/* The socket with id `id` (see involved). */
cbc_SERVER *cbc__conn_sock(cbc_CONN *conn, int id);
/* Close server `s`'s socket and forget its handshake progress. */
void cbc__conn_close_server(cbc_SERVER *s);

#endif /* CBC_CONN_H */
