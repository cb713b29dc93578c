/* Connection handle: server list, key routing, prelude, explicit connect. */
#define _POSIX_C_SOURCE 200809L
#include "conn.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aio.h"
#include "errors.h"
#include "packet.h"
#include "pipeline.h"
#include "prelude.h"

cbc_CONN *cbc_conn_new(void)
{
    return calloc(1, sizeof(cbc_CONN));
}

void cbc__conn_close_fd(cbc_SERVER *s, int fd)
{
    if (fd < 0) {
        return;
    }
    if (s->aio) {
        cbc__aio_bury(s->aio, fd);
    } else {
        cbc__io_close(fd);
    }
}

void cbc__conn_close_server(cbc_SERVER *s)
{
    if (s->resolve) {
        cbc__io_resolve_abandon(s->resolve);
        s->resolve = NULL;
        if (!s->aio) {
            s->fd = -1; /* s->fd is the job's pipe (event-driven mode watches a copy of it) */
        }
    }
    cbc__tls_free(s->tls);
    s->tls = NULL;
    cbc__conn_close_fd(s, s->fd);
    s->fd = -1;
    s->state = CBC_SRV_CLOSED;
    cbc__prelude_reset(s);
}

void cbc__conn_detail(cbc_SERVER *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->last_fail.msg, sizeof(s->last_fail.msg), fmt, ap);
    va_end(ap);
    s->why_set = 1;
}

int cbc__conn_has_prelude(const cbc_CONN *conn)
{
    return conn->nprelude_ops || conn->sasl_user;
}

cbc_SERVER *cbc__conn_sock(cbc_CONN *conn, int id)
{
    return (size_t)id < conn->nservers ? &conn->servers[id] : &conn->tservers[(size_t)id - conn->nservers];
}

/* Free a socket's buffers; host and name only when it owns them (not a text socket). */
static void server_free(cbc_SERVER *s)
{
    cbc__conn_close_server(s);
    if (!s->text) {
        free(s->host);
        free(s->name);
    }
    free(s->tslots);
    free(s->tlines);
    s->tslots = NULL;
    s->tlines = NULL;
    s->ntslots = s->tslotcap = s->ntlines = s->tlinecap = 0;
    free(s->iov);
    s->iov = NULL;
    s->niov = s->iovcap = s->iovpos = 0;
    cbc__buf_free(&s->own_rbuf);
    cbc__buf_free(&s->wbuf);
    s->wpos = 0;
}

static void set_auth_strings(cbc_CONN *conn, char *user, char *password)
{
    if (conn->sasl_password) {
        memset(conn->sasl_password, 0, strlen(conn->sasl_password));
    }
    free(conn->sasl_user);
    free(conn->sasl_password);
    conn->sasl_user = user;
    conn->sasl_password = password;
    memset(&conn->scram_cache, 0, sizeof(conn->scram_cache));
}

void cbc_conn_free(cbc_CONN *conn)
{
    size_t i;
    if (!conn) {
        return;
    }
    cbc_aio_free(conn->aio);
    cbc__pl_abandon(conn->active);
    for (i = 0; i < conn->nservers; i++) {
        server_free(&conn->servers[i]);
        server_free(&conn->tservers[i]);
    }
    free(conn->servers);
    free(conn->tservers);
    cbc__ketama_free(&conn->ketama);
    cbc__vb_free(&conn->vbmap);
    free(conn->prelude);
    free(conn->prelude_ops);
    set_auth_strings(conn, NULL, NULL);
    cbc__tls_ctx_free(conn->tls);
    free(conn->involved);
    free(conn->pollfds);
    free(conn->pollidx);
    free(conn);
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) {
        memcpy(d, s, n);
    }
    return d;
}

static int build_ketama(cbc_CONN *conn, cbc_ERROR *err)
{
    const char **names = NULL;
    size_t i;
    int rc = 0;
    if (conn->nservers) {
        names = malloc(conn->nservers * sizeof(*names));
        if (!names) {
            return CBC_FAIL(err, CBC_ERR_CLIENT_ENOMEM, "no memory for the ketama names");
        }
        for (i = 0; i < conn->nservers; i++) {
            names[i] = conn->servers[i].name;
        }
    }
    if (cbc__ketama_build(&conn->ketama, names, conn->nservers) != 0) {
        rc = CBC_FAIL(err, CBC_ERR_CLIENT_ENOMEM, "no memory for the ketama continuum");
    }
    free(names);
    return rc;
}

/* Hand a READY socket (and its TLS session) from `old` to `dst`. */
static void move_socket(cbc_SERVER *dst, cbc_SERVER *old)
{
    dst->fd = old->fd;
    dst->state = old->state;
    dst->tls = old->tls;
    dst->naddrs = old->naddrs;
    dst->addr_idx = old->addr_idx;
    memcpy(dst->addrs, old->addrs, sizeof(old->addrs));
    if (old->aio) {
        /* Event-driven: requests and answers in flight go with the socket. */
        dst->own_rbuf = old->own_rbuf;
        dst->rbuf = &dst->own_rbuf;
        dst->rpos = old->rpos;
        dst->wbuf = old->wbuf;
        dst->wpos = old->wpos;
        dst->npending = old->npending;
        dst->nexpired = old->nexpired;
        dst->rx_us = old->rx_us;
        dst->max_deadline = old->max_deadline;
        dst->can_write = old->can_write;
        dst->watch_fd = old->watch_fd;
        dst->watch_ev = old->watch_ev;
        memset(&old->own_rbuf, 0, sizeof(old->own_rbuf));
        memset(&old->wbuf, 0, sizeof(old->wbuf));
        old->rbuf = NULL;
        old->npending = old->nexpired = 0;
        old->watch_fd = -1;
    }
    old->fd = -1;
    old->tls = NULL;
    old->state = CBC_SRV_CLOSED;
}

int cbc_conn_set_servers(cbc_CONN *conn, const char *const *hosts, const int *ports, size_t n,
                         cbc_ERROR *err)
{
    cbc_SERVER *ns = NULL, *nt = NULL;
    int *inv = NULL, *pidx = NULL;
    struct pollfd *pfds = NULL;
    size_t i, j;

    if (!conn || (n && (!hosts || !ports))) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "no connection or server list");
    }
    for (i = 0; i < n; i++) {
        if (!hosts[i] || !hosts[i][0] || ports[i] <= 0 || ports[i] > 65535) {
            return CBC_FAIL(err, CBC_ERR_INVALID_HOST_FORMAT, "server %zu: bad host or port %d",
                            i, ports[i]);
        }
    }
    cbc__pl_abandon(conn->active); /* its sockets are about to move or close */
    if (n) {
        ns = calloc(n, sizeof(*ns));
        nt = calloc(n, sizeof(*nt));
        inv = malloc(2 * n * sizeof(*inv));
        pidx = malloc(2 * n * sizeof(*pidx));
        pfds = malloc(2 * n * sizeof(*pfds));
        if (!ns || !nt || !inv || !pidx || !pfds) {
            goto nomem;
        }
    }
    for (i = 0; i < n; i++) {
        size_t nname = strlen(hosts[i]) + 8;
        ns[i].aio = nt[i].aio = conn->aio;
        ns[i].watch_fd = nt[i].watch_fd = -1;
        ns[i].fd = -1;
        ns[i].port = ports[i];
        ns[i].host = dupstr(hosts[i]);
        ns[i].name = malloc(nname);
        if (!ns[i].host || !ns[i].name) {
            goto nomem;
        }
        snprintf(ns[i].name, nname, "%s:%d", hosts[i], ports[i]);
        nt[i].fd = -1;
        nt[i].text = 1;
        nt[i].host = ns[i].host;
        nt[i].port = ns[i].port;
        nt[i].name = ns[i].name;
    }
    if (conn->aio && conn->nservers) {
        /* Event-driven: the requests in flight follow their socket, or fail with it. */
        int *map = malloc(conn->nservers * sizeof(*map));
        if (!map) {
            goto nomem;
        }
        for (j = 0; j < conn->nservers; j++) {
            map[j] = -1;
        }
        for (i = 0; i < n; i++) { /* as the move below pairs them */
            for (j = 0; j < conn->nservers; j++) {
                cbc_SERVER *old = &conn->servers[j];
                if (map[j] < 0 && old->fd >= 0 && old->state == CBC_SRV_READY && old->port == ns[i].port &&
                    strcmp(old->host, ns[i].host) == 0) {
                    map[j] = (int)i;
                    break;
                }
            }
        }
        cbc__aio_remap(conn->aio, map, conn->nservers);
        free(map);
    }
    /* Keep the sockets of servers that stay, moving them to their new index. */
    for (i = 0; i < n; i++) {
        for (j = 0; j < conn->nservers; j++) {
            cbc_SERVER *old = &conn->servers[j];
            if (old->fd >= 0 && old->state == CBC_SRV_READY && old->port == ns[i].port &&
                strcmp(old->host, ns[i].host) == 0) {
                move_socket(&ns[i], old);
                break;
            }
        }
        for (j = 0; j < conn->nservers; j++) {
            cbc_SERVER *old = &conn->tservers[j];
            if (old->fd >= 0 && old->state == CBC_SRV_READY && old->port == ns[i].port &&
                strcmp(old->host, ns[i].host) == 0) {
                move_socket(&nt[i], old);
                break;
            }
        }
    }
    for (j = 0; j < conn->nservers; j++) {
        server_free(&conn->servers[j]);
        server_free(&conn->tservers[j]);
    }
    free(conn->servers);
    free(conn->tservers);
    free(conn->involved);
    free(conn->pollfds);
    free(conn->pollidx);
    conn->servers = ns;
    conn->tservers = nt;
    conn->nservers = n;
    conn->involved = inv;
    conn->pollidx = pidx;
    conn->pollfds = pfds;
    if (conn->map_mode == CBC_MAP_KETAMA) {
        return build_ketama(conn, err);
    }
    return 0;

nomem:
    if (ns) {
        for (i = 0; i < n; i++) {
            free(ns[i].host);
            free(ns[i].name);
        }
    }
    free(ns);
    free(nt);
    free(inv);
    free(pidx);
    free(pfds);
    return CBC_FAIL(err, CBC_ERR_CLIENT_ENOMEM, "no memory for %zu servers", n);
}

size_t cbc_conn_nservers(const cbc_CONN *conn)
{
    return conn ? conn->nservers : 0;
}

int cbc_conn_use_ketama(cbc_CONN *conn, cbc_ERROR *err)
{
    int rc;
    if (!conn) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "no connection");
    }
    rc = build_ketama(conn, err);
    if (rc == 0) {
        conn->map_mode = CBC_MAP_KETAMA;
        cbc__vb_free(&conn->vbmap);
    }
    return rc;
}

int cbc_conn_use_vbmap(cbc_CONN *conn, const int16_t *map, size_t nvb, size_t ncopies,
                       cbc_ERROR *err)
{
    if (!conn || (nvb && ncopies && !map)) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "no connection or map");
    }
    if (nvb == 0 || ncopies == 0 || nvb > 0x10000) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "bad map shape %zu x %zu", nvb, ncopies);
    }
    if (cbc__vb_set(&conn->vbmap, map, nvb, ncopies) != 0) {
        return CBC_FAIL(err, CBC_ERR_CLIENT_ENOMEM, "no memory for a %zu x %zu map", nvb,
                        ncopies);
    }
    conn->map_mode = CBC_MAP_VBUCKET;
    cbc__ketama_free(&conn->ketama);
    return 0;
}

int cbc_conn_set_prelude(cbc_CONN *conn, const char *packets, size_t n, cbc_ERROR *err)
{
    size_t off = 0, count = 0;
    char *copy = NULL;
    uint8_t *ops = NULL;
    if (!conn || (n && !packets)) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "no connection or packets");
    }
    /* Validate first: each packet must be a complete request. */
    while (off < n) {
        cbc_PKTHDR hdr;
        if (cbc_pkt_parse_header(packets + off, n - off, &hdr, err) != 0 ||
            (hdr.magic != CBC_PKT_MAGIC_REQ && hdr.magic != CBC_PKT_MAGIC_ALT_REQ) ||
            hdr.nbody > n - off - CBC_PKT_HDR_LEN) {
            return CBC_FAIL(err, CBC_ERR_EINVAL, "prelude packet %zu at offset %zu is malformed",
                            count, off);
        }
        off += CBC_PKT_HDR_LEN + hdr.nbody;
        count++;
    }
    if (count > CBC_PRELUDE_MAX_PACKETS) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "%zu prelude packets (at most %d)", count, CBC_PRELUDE_MAX_PACKETS);
    }
    if (n) {
        copy = malloc(n);
        ops = malloc(count);
        if (!copy || !ops) {
            free(copy);
            free(ops);
            return CBC_FAIL(err, CBC_ERR_CLIENT_ENOMEM, "no memory for the prelude");
        }
        memcpy(copy, packets, n);
        for (off = 0, count = 0; off < n; count++) {
            ops[count] = (uint8_t)packets[off + 1];
            off += CBC_PKT_HDR_LEN + cbc__rd32(packets + off + 8);
        }
    }
    free(conn->prelude);
    free(conn->prelude_ops);
    conn->prelude = copy;
    conn->nprelude = n;
    conn->prelude_ops = ops;
    conn->nprelude_ops = count;
    conn->prelude_split = 0;
    conn->prelude_nhello = 0;
    while (conn->prelude_nhello < count && ops[conn->prelude_nhello] == CBC_OP_HELLO) {
        conn->prelude_split += CBC_PKT_HDR_LEN + cbc__rd32(copy + conn->prelude_split + 8);
        conn->prelude_nhello++;
    }
    return 0;
}

static char *dup_or_null(const char *s, int *nomem)
{
    char *d = s ? dupstr(s) : NULL;
    if (s && !d) {
        *nomem = 1;
    }
    return d;
}

int cbc_conn_set_auth(cbc_CONN *conn, const char *user, const char *password, int mechs, cbc_ERROR *err)
{
    int nomem = 0;
    char *u, *p;
    if (!conn) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "no connection");
    }
    if (user && (mechs & CBC_SASL_ALL) == 0) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "no SASL mechanism allowed (bits 0x%x)", (unsigned)mechs);
    }
    u = dup_or_null(user, &nomem);
    p = dup_or_null(user ? (password ? password : "") : NULL, &nomem);
    if (nomem) {
        free(u);
        free(p);
        return CBC_FAIL(err, CBC_ERR_CLIENT_ENOMEM, "no memory for the credentials");
    }
    cbc_conn_disconnect(conn, -1); /* sockets authenticated otherwise */
    set_auth_strings(conn, u, p);
    conn->sasl_mechs = mechs & CBC_SASL_ALL;
    return 0;
}

int cbc_conn_set_tls(cbc_CONN *conn, int enabled, const char *ca_file, const char *cert_file,
                     const char *key_file, int verify, cbc_ERROR *err)
{
    cbc_TLSCTX *ctx = NULL;
    char why[sizeof(err->msg)];
    int rc;
    if (!conn) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "no connection");
    }
    if (enabled) {
        rc = cbc__tls_ctx_new(ca_file, cert_file, key_file, verify, &ctx, why, sizeof(why));
        if (rc) {
            return CBC_FAIL(err, rc, "%s", why);
        }
    }
    cbc_conn_disconnect(conn, -1); /* sockets set up with other settings */
    cbc__tls_ctx_free(conn->tls);
    conn->tls = ctx;
    return 0;
}

void cbc_conn_set_collections(cbc_CONN *conn, int enabled)
{
    if (conn) {
        conn->collections = enabled ? 1 : 0;
    }
}

void cbc_conn_set_text_gets(cbc_CONN *conn, int enabled)
{
    if (conn) {
        conn->text_gets = enabled ? 1 : 0;
    }
}

int cbc_conn_connect(cbc_CONN *conn, int index, uint64_t timeout_us, cbc_ERROR *err)
{
    cbc_SERVER *s;
    if (!conn || index < 0 || (size_t)index >= conn->nservers) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "no server %d", index);
    }
    if (conn->aio) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "the connection is event-driven (cbc_aio_new): it has no blocking connect");
    }
    s = &conn->servers[index];
    if (s->fd >= 0 && s->state == CBC_SRV_READY && !cbc__sock_is_stale(s)) {
        return 0;
    }
    return cbc__pl_connect(conn, index, timeout_us, err);
}

int cbc_conn_local_address(const cbc_CONN *conn, int index, char *out, size_t n)
{
    if (!conn || index < 0 || (size_t)index >= conn->nservers) {
        return 0;
    }
    return cbc__io_local_address(conn->servers[index].fd, out, n);
}

void cbc_conn_disconnect(cbc_CONN *conn, int index)
{
    size_t i;
    if (!conn) {
        return;
    }
    cbc__pl_abandon(conn->active);
    if (conn->aio) {
        /* the requests in flight on the sockets about to close fail (NETWORK_ERROR) */
        for (i = 0; i < conn->nservers; i++) {
            if (index < 0 || (size_t)index == i) {
                cbc__aio_fail_slots(conn->aio, &conn->servers[i], (int)i, CBC_ERR_NETWORK_ERROR, __FILE__, __LINE__);
            }
        }
    }
    if (index < 0) {
        for (i = 0; i < conn->nservers; i++) {
            cbc__conn_close_server(&conn->servers[i]);
            cbc__conn_close_server(&conn->tservers[i]);
        }
    } else if ((size_t)index < conn->nservers) {
        cbc__conn_close_server(&conn->servers[index]);
        cbc__conn_close_server(&conn->tservers[index]);
    }
}

int cbc__conn_route(const cbc_CONN *conn, const cbc_REQUEST *req, uint16_t *vbucket)
{
    int server = -1;
    *vbucket = 0;
    if (req->server >= 0) {
        *vbucket = req->vbucket;
        server = req->server;
    } else if (conn->map_mode == CBC_MAP_VBUCKET) {
        /* replica reads: GET_REPLICA, and sub-document lookups with the replica-read flag */
        size_t copy = (req->opcode == CBC_OP_GET_REPLICA || req->opcode == CBC_OP_SUBDOC_MULTI_LOOKUP)
                          ? req->replica : 0;
        server = cbc__vb_map_key(&conn->vbmap, req->key, req->nkey, copy, vbucket);
    } else if (conn->map_mode == CBC_MAP_KETAMA) {
        /* memcached buckets keep one copy of each key */
        if (req->opcode == CBC_OP_GET_REPLICA && req->replica) {
            server = -1;
        } else if (conn->nservers == 1 && conn->ketama.npoints) {
            server = 0; /* the whole ring is one server: skip the MD5 */
        } else {
            server = cbc__ketama_lookup(&conn->ketama, req->key, req->nkey);
        }
    }
    /* A map may name servers that a later server list no longer has. */
    if (server < 0 || (size_t)server >= conn->nservers) {
        return -1;
    }
    return server;
}

int cbc_conn_map_key(const cbc_CONN *conn, const char *key, size_t nkey, int replica,
                     int *vbucket, int *server, cbc_ERROR *err)
{
    cbc_REQUEST req;
    uint16_t vb = 0;
    int s;
    if (!conn || !vbucket || !server || (nkey && !key) || replica < 0 || replica > 255) {
        return CBC_FAIL(err, CBC_ERR_EINVAL, "bad arguments");
    }
    memset(&req, 0, sizeof(req));
    req.opcode = replica ? CBC_OP_GET_REPLICA : CBC_OP_GET;
    req.replica = (uint8_t)replica;
    req.server = -1;
    req.key = key;
    req.nkey = nkey;
    s = cbc__conn_route(conn, &req, &vb);
    *vbucket = vb;
    *server = s;
    return 0;
}
