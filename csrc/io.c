/* Socket calls for the pipeline, each EINTR-safe.
 *
 * Sockets connect in non-blocking mode and switch to blocking mode once connected; every
 * multiplexed send and recv passes MSG_DONTWAIT, so the descriptor's mode matters only to
 * cbc__io_recv_wait, the one blocking read (SO_RCVTIMEO bounds it). */
#define _POSIX_C_SOURCE 200809L
#include "io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
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

static size_t copy_addrs(const struct addrinfo *res, cbc_ADDR *out, size_t max)
{
    const struct addrinfo *ai;
    size_t n = 0;
    for (ai = res; ai && n < max; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof(out[n].addr)) {
            continue;
        }
        out[n].family = ai->ai_family;
        out[n].addrlen = (unsigned)ai->ai_addrlen;
        memcpy(out[n].addr, ai->ai_addr, ai->ai_addrlen);
        n++;
    }
    return n;
}

static int lookup(const char *host, int port, int flags, cbc_ADDR *out, size_t max, size_t *n)
{
    struct addrinfo hints, *res = NULL;
    char service[16];
    int rc;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV | flags;
    snprintf(service, sizeof(service), "%d", port);
    rc = getaddrinfo(host, service, &hints, &res);
    *n = 0;
    if (rc == 0 && res) {
        *n = copy_addrs(res, out, max);
    }
    if (res) {
        freeaddrinfo(res);
    }
    return rc;
}

size_t cbc__io_resolve_numeric(const char *host, int port, cbc_ADDR *out, size_t max)
{
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    if (max == 0) {
        return 0;
    }
    /* inet_pton only: no resolver library is involved, so this never blocks */
    memset(&v4, 0, sizeof(v4));
    memset(&v6, 0, sizeof(v6));
    if (inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons((uint16_t)port);
        out[0].family = AF_INET;
        out[0].addrlen = (unsigned)sizeof(v4);
        memcpy(out[0].addr, &v4, sizeof(v4));
        return 1;
    }
    if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons((uint16_t)port);
        out[0].family = AF_INET6;
        out[0].addrlen = (unsigned)sizeof(v6);
        memcpy(out[0].addr, &v6, sizeof(v6));
        return 1;
    }
    return 0;
}

/* ---- resolver threads ---- */

#define RESOLVE_MAX_ADDRS 8
#define RESOLVE_MAX_JOBS 64 /* threads in flight at once, process-wide */
#define HELPER_STACK (256u * 1024u)

struct cbc_RESOLVE_s {
    pthread_mutex_t lock;
    int refs;      /* the thread and the owner */
    int abandoned; /* the owner is gone: no wake-up write */
    int done;
    int gai_rc;
    int rfd, wfd;  /* pipe: the thread writes one byte when done */
    size_t naddrs;
    cbc_ADDR addrs[RESOLVE_MAX_ADDRS];
    int port;
    char host[1];  /* allocated to fit */
};

static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static int jobs_in_flight;

static void job_unref(cbc_RESOLVE *job)
{
    int last;
    pthread_mutex_lock(&job->lock);
    last = --job->refs == 0;
    pthread_mutex_unlock(&job->lock);
    if (last) {
        close(job->rfd);
        close(job->wfd);
        pthread_mutex_destroy(&job->lock);
        free(job);
    }
}

static void *resolve_thread(void *arg)
{
    cbc_RESOLVE *job = arg;
    cbc_ADDR addrs[RESOLVE_MAX_ADDRS];
    size_t n = 0;
    int rc = lookup(job->host, job->port, 0, addrs, RESOLVE_MAX_ADDRS, &n);
    pthread_mutex_lock(&job->lock);
    memcpy(job->addrs, addrs, n * sizeof(addrs[0]));
    job->naddrs = n;
    job->gai_rc = rc;
    job->done = 1;
    if (!job->abandoned) {
        ssize_t w;
        do {
            w = write(job->wfd, "r", 1);
        } while (w < 0 && errno == EINTR);
    }
    pthread_mutex_unlock(&job->lock);
    pthread_mutex_lock(&jobs_lock);
    jobs_in_flight--;
    pthread_mutex_unlock(&jobs_lock);
    job_unref(job);
    return NULL;
}

int cbc__io_pipe(int fds[2])
{
    int i;
    if (pipe(fds) != 0) {
        return -1;
    }
    for (i = 0; i < 2; i++) {
        if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0 ||
            fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL, 0) | O_NONBLOCK) < 0) {
            close(fds[0]);
            close(fds[1]);
            return -1;
        }
    }
    return 0;
}

cbc_RESOLVE *cbc__io_resolve_start(const char *host, int port, const char **why)
{
    size_t nhost = strlen(host);
    cbc_RESOLVE *job;
    int fds[2];

    pthread_mutex_lock(&jobs_lock);
    if (jobs_in_flight >= RESOLVE_MAX_JOBS) {
        pthread_mutex_unlock(&jobs_lock);
        *why = "too many name resolutions in flight";
        return NULL;
    }
    jobs_in_flight++;
    pthread_mutex_unlock(&jobs_lock);

    job = calloc(1, sizeof(*job) + nhost);
    if (!job || cbc__io_pipe(fds) != 0) {
        free(job);
        *why = job ? "no pipe for the resolver" : "no memory for the resolver";
        goto undo;
    }
    memcpy(job->host, host, nhost + 1);
    job->port = port;
    job->rfd = fds[0];
    job->wfd = fds[1];
    job->refs = 2;
    pthread_mutex_init(&job->lock, NULL);
    if (cbc__io_spawn_detached(resolve_thread, job) != 0) {
        close(fds[0]);
        close(fds[1]);
        pthread_mutex_destroy(&job->lock);
        free(job);
        *why = "no thread for the resolver";
        goto undo;
    }
    return job;

undo:
    pthread_mutex_lock(&jobs_lock);
    jobs_in_flight--;
    pthread_mutex_unlock(&jobs_lock);
    return NULL;
}

int cbc__io_spawn_detached(void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    pthread_t tid;
    int rc = pthread_attr_init(&attr);
    if (rc == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, HELPER_STACK);
        rc = pthread_create(&tid, &attr, fn, arg);
        pthread_attr_destroy(&attr);
    }
    return rc;
}

int cbc__io_resolve_fd(const cbc_RESOLVE *job)
{
    return job->rfd;
}

size_t cbc__io_resolve_finish(cbc_RESOLVE *job, cbc_ADDR *out, size_t max, const char **why)
{
    size_t n = 0;
    pthread_mutex_lock(&job->lock);
    if (job->done) {
        n = job->naddrs < max ? job->naddrs : max;
        memcpy(out, job->addrs, n * sizeof(out[0]));
        if (n == 0) {
            *why = job->gai_rc ? gai_strerror(job->gai_rc) : "no usable address";
        }
    } else {
        *why = "the resolver has not finished";
    }
    job->abandoned = 1;
    pthread_mutex_unlock(&job->lock);
    job_unref(job);
    return n;
}

void cbc__io_resolve_abandon(cbc_RESOLVE *job)
{
    if (job) {
        pthread_mutex_lock(&job->lock);
        job->abandoned = 1;
        pthread_mutex_unlock(&job->lock);
        job_unref(job);
    }
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

int cbc__io_local_address(int fd, char *out, size_t n)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char ip[64], port[16];
    int w;
    if (fd < 0 || !out || !n || getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
        (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) ||
        getnameinfo((struct sockaddr *)&ss, len, ip, sizeof(ip), port, sizeof(port),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        return 0;
    }
    w = snprintf(out, n, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", ip, port);
    return w > 0 && (size_t)w < n;
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
