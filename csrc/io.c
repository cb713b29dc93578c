/* Socket calls for the pipeline, each EINTR-safe.
 *
 * Sockets connect in non-blocking mode and switch to blocking mode once connected; every
 * multiplexed send and recv passes MSG_DONTWAIT, so the descriptor's mode matters only to
 * cbc__io_recv_wait, the one blocking read (SO_RCVTIMEO bounds it). */
#define _POSIX_C_SOURCE 200809L
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifdef MSG_NOSIGNAL
#define SEND_FLAGS (MSG_NOSIGNAL | MSG_DONTWAIT)
#else
#define SEND_FLAGS MSG_DONTWAIT
#endif

size_t cbc__io_resolve(const char *host, int port, cbc_ADDR *out, size_t max)
{
    struct addrinfo hints, *res = NULL, *ai;
    char service[16];
    size_t n = 0;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(service, sizeof(service), "%d", port);
    if (getaddrinfo(host, service, &hints, &res) != 0 || !res) {
        return 0;
    }
    for (ai = res; ai && n < max; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof(out[n].addr)) {
            continue;
        }
        out[n].family = ai->ai_family;
        out[n].addrlen = (unsigned)ai->ai_addrlen;
        memcpy(out[n].addr, ai->ai_addr, ai->ai_addrlen);
        n++;
    }
    freeaddrinfo(res);
    return n;
}

int cbc__io_connect_start(const cbc_ADDR *addr, int *fd)
{
    int s, flags, one = 1, rc;
    *fd = -1;
    s = socket(addr->family, SOCK_STREAM, 0);
    if (s < 0) {
        return -errno;
    }
    flags = fcntl(s, F_GETFL, 0);
    if (flags < 0 || fcntl(s, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(s, F_SETFD, FD_CLOEXEC) < 0) {
        rc = -errno;
        close(s);
        return rc;
    }
    /* Requests are small and pipelined; Nagle would only add latency. */
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
#ifdef SO_NOSIGPIPE
    setsockopt(s, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#endif
    rc = connect(s, (const struct sockaddr *)addr->addr, (socklen_t)addr->addrlen);
    if (rc == 0) {
        *fd = s;
        return 0;
    }
    /* EINTR on a non-blocking connect leaves it in progress, like EINPROGRESS. */
    if (errno == EINPROGRESS || errno == EINTR) {
        *fd = s;
        return 1;
    }
    rc = -errno;
    close(s);
    return rc;
}

int cbc__io_connect_result(int fd)
{
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) {
        return -errno;
    }
    return soerr ? -soerr : 0;
}

ssize_t cbc__io_send(int fd, const char *buf, size_t n)
{
    for (;;) {
        ssize_t w = send(fd, buf, n, SEND_FLAGS);
        if (w >= 0) {
            return w;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 0;
        }
        return -errno;
    }
}

ssize_t cbc__io_sendv(int fd, const struct iovec *iov, size_t n)
{
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = (struct iovec *)iov;
    msg.msg_iovlen = n;
    for (;;) {
        ssize_t w = sendmsg(fd, &msg, SEND_FLAGS);
        if (w >= 0) {
            return w;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 0;
        }
        return -errno;
    }
}

/* recv with EINTR retried; -EAGAIN when nothing came (or the wait passed), -errno on error. */
static ssize_t recv_retry(int fd, char *buf, size_t n, int flags)
{
    for (;;) {
        ssize_t r = recv(fd, buf, n, flags);
        if (r >= 0) {
            return r;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return -EAGAIN;
        }
        return -errno;
    }
}

ssize_t cbc__io_recv(int fd, char *buf, size_t n)
{
    return recv_retry(fd, buf, n, MSG_DONTWAIT);
}

int cbc__io_set_blocking(int fd)
{
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        return -errno;
    }
    return 0;
}

ssize_t cbc__io_recv_wait(int fd, char *buf, size_t n, uint64_t wait_us, uint64_t *timeo_us)
{
    /* SO_RCVTIMEO is set only when the cached value would overshoot the wait by more
     * than the slack (or is far shorter): in a steady loop of equal timeouts, never. */
    const uint64_t slack = 10000;
    if (*timeo_us == 0 || *timeo_us > wait_us + slack || *timeo_us < wait_us / 2) {
        struct timeval tv;
        uint64_t us = wait_us ? wait_us : 1;
        tv.tv_sec = (time_t)(us / 1000000);
        tv.tv_usec = (long)(us % 1000000);
        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
            return -errno;
        }
        *timeo_us = us;
    }
    return recv_retry(fd, buf, n, 0);
}

int cbc__io_is_stale(int fd)
{
    char c;
    for (;;) {
        ssize_t r = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return 0;
        }
        /* EOF, an error, or bytes nobody asked for: the stream cannot be trusted. */
        return 1;
    }
}

void cbc__io_close(int fd)
{
    if (fd >= 0) {
        close(fd);
    }
}

uint64_t cbc__io_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
