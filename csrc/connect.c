/* Establishing a socket (see connect.h). */
#define _POSIX_C_SOURCE 200809L
#include "connect.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "io.h"
#include "prelude.h"
#include "tls.h"

typedef cbc_RUN RUN;

#define DETAIL cbc__conn_detail

/* TCP is up: TLS next when the connection uses it, else the handshake packets. */
static void on_connected(RUN *run, cbc_SERVER *s)
{
    cbc__io_set_blocking(s->fd); /* failure only costs the blocking first read (it then polls) */
    s->rcvtimeo_us = 0;
    s->addr_idx = 0;
    s->can_write = 1;
    if (run->conn->tls) {
        s->tls = cbc__tls_new(run->conn->tls, s->fd, s->host, s->name);
        if (!s->tls) {
            DETAIL(s, "%s: no memory for a TLS session", s->name);
            SERVER_FAIL(run, s, CBC_ERR_CLIENT_ENOMEM);
            return;
        }
        s->state = CBC_SRV_TLS;
        cbc__connect_event(run, s, POLLOUT);
        return;
    }
    cbc__prelude_begin(run, s);
}

/* Try the resolved addresses from addr_idx on, until one connects or starts to. */
static void try_addrs(RUN *run, cbc_SERVER *s)
{
    int last = ECONNREFUSED;
    while (s->addr_idx < s->naddrs) {
        int fd, rc = cbc__io_connect_start(&s->addrs[s->addr_idx], &fd);
        if (rc >= 0) {
            s->fd = fd;
            if (rc == 0) {
                on_connected(run, s);
            } else {
                s->state = CBC_SRV_CONNECTING;
            }
            return;
        }
        last = -rc;
        s->addr_idx++;
    }
    s->addr_idx = 0;
    DETAIL(s, "%s: connect: %s", s->name, strerror(last));
    SERVER_FAIL(run, s, cbc_err_from_errno(last, 1));
}

void cbc__connect_start(RUN *run, cbc_SERVER *s)
{
    const char *why = NULL;
    s->addr_idx = 0;
    s->naddrs = cbc__io_resolve_numeric(s->host, s->port, s->addrs, CBC_CONN_MAX_ADDRS);
    if (s->naddrs) {
        try_addrs(run, s);
        return;
    }
    s->resolve = cbc__io_resolve_start(s->host, s->port, &why);
    if (!s->resolve) {
        DETAIL(s, "%s: cannot resolve %s: %s", s->name, s->host, why);
        SERVER_FAIL(run, s, CBC_ERR_CLIENT_ETMPFAIL);
        return;
    }
    s->fd = cbc__io_resolve_fd(s->resolve);
    if (s->aio) {
        /* An event loop watches the descriptor: a copy of our own, closed once unwatched,
         * so that the job closing its pipe never leaves the loop a reused number. */
        s->fd = dup(s->fd);
        if (s->fd < 0) {
            cbc__io_resolve_abandon(s->resolve);
            s->resolve = NULL;
            DETAIL(s, "%s: cannot resolve %s: %s", s->name, s->host, strerror(errno));
            SERVER_FAIL(run, s, CBC_ERR_CLIENT_ETMPFAIL);
            return;
        }
    }
    s->state = CBC_SRV_RESOLVING;
}

static void finish_resolve(RUN *run, cbc_SERVER *s)
{
    const char *why = "";
    cbc_RESOLVE *job = s->resolve;
    s->resolve = NULL;
    if (s->aio) {
        cbc__conn_close_fd(s, s->fd); /* our copy of the job's pipe */
    }
    s->fd = -1; /* the pipe belongs to the job */
    s->state = CBC_SRV_CLOSED;
    s->naddrs = cbc__io_resolve_finish(job, s->addrs, CBC_CONN_MAX_ADDRS, &why);
    if (s->naddrs == 0) {
        DETAIL(s, "%s: the host name %s does not resolve: %s", s->name, s->host, why);
        SERVER_FAIL(run, s, CBC_ERR_UNKNOWN_HOST);
        return;
    }
    try_addrs(run, s);
}

static void finish_connect(RUN *run, cbc_SERVER *s)
{
    int rc = cbc__io_connect_result(s->fd);
    if (rc == 0) {
        on_connected(run, s);
        return;
    }
    cbc__conn_close_fd(s, s->fd);
    s->fd = -1;
    s->state = CBC_SRV_CLOSED;
    s->addr_idx++;
    if (s->addr_idx < s->naddrs) {
        try_addrs(run, s);
    } else {
        s->addr_idx = 0;
        DETAIL(s, "%s: connect: %s", s->name, strerror(-rc));
        SERVER_FAIL(run, s, cbc_err_from_errno(-rc, 1));
    }
}

short cbc__connect_events(const cbc_SERVER *s)
{
    switch (s->state) {
    case CBC_SRV_RESOLVING:
        return POLLIN;
    case CBC_SRV_TLS:
        return cbc__tls_events(s->tls);
    default:
        return POLLOUT;
    }
}

void cbc__connect_event(RUN *run, cbc_SERVER *s, short revents)
{
    char why[sizeof(s->last_fail.msg)];
    int rc;
    (void)revents;
    switch (s->state) {
    case CBC_SRV_RESOLVING:
        finish_resolve(run, s);
        return;
    case CBC_SRV_CONNECTING:
        finish_connect(run, s);
        return;
    case CBC_SRV_TLS:
        rc = cbc__tls_handshake(s->tls, why, sizeof(why));
        if (rc == 0) {
            cbc__prelude_begin(run, s);
        } else if (rc != 1) {
            DETAIL(s, "%s", why);
            SERVER_FAIL(run, s, rc);
        }
        return;
    default:
        return;
    }
}

void cbc__connect_timed_out(cbc_SERVER *s)
{
    switch (s->state) {
    case CBC_SRV_RESOLVING:
        DETAIL(s, "%s: resolving the host name %s took longer than the timeout", s->name, s->host);
        break;
    case CBC_SRV_CONNECTING:
        DETAIL(s, "%s: connect took longer than the timeout", s->name);
        break;
    case CBC_SRV_TLS:
        DETAIL(s, "%s: the TLS handshake took longer than the timeout", s->name);
        break;
    case CBC_SRV_PRELUDE:
        DETAIL(s, "%s: the server did not answer the handshake within the timeout", s->name);
        break;
    default:
        DETAIL(s, "%s: answers did not arrive within the timeout", s->name);
        break;
    }
}

int cbc__connect_io_fail(cbc_SERVER *s, ssize_t neg)
{
    int connecting = s->state != CBC_SRV_READY;
    if (neg == CBC_IO_ETLS && s->tls) {
        char why[sizeof(s->last_fail.msg)];
        int rc = cbc__tls_failure(s->tls, why, sizeof(why));
        DETAIL(s, "%s", why);
        return rc;
    }
    if ((neg == -ECONNRESET || neg == -EPIPE) && s->tls && s->state == CBC_SRV_PRELUDE && s->hs.nanswered == 0) {
        /* A reset instead of a close (our handshake packets reached a socket the server had
         * already closed): the same refusal as the close cbc__connect_eof describes. */
        return cbc__connect_eof(s);
    }
    DETAIL(s, "%s: %s", s->name, strerror((int)-neg));
    return cbc_err_from_errno((int)-neg, connecting);
}

int cbc__connect_eof(cbc_SERVER *s)
{
    if (s->state == CBC_SRV_READY) {
        DETAIL(s, "%s: the server closed the connection", s->name);
        return CBC_ERR_NETWORK_ERROR;
    }
    if (s->tls && s->state == CBC_SRV_PRELUDE && s->hs.nanswered == 0) {
        /* What a server that refuses the client's certificate (or its absence) does after a
         * TLS 1.3 handshake, when it sends no alert. */
        DETAIL(s, "%s: the server closed the TLS connection before answering anything "
                  "(does it require a client certificate?)", s->name);
        return CBC_ERR_TLS_ERROR;
    }
    DETAIL(s, "%s: the server closed the connection during the handshake", s->name);
    return CBC_ERR_CONNECT_ERROR;
}
