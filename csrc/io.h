/* Non-blocking sockets: resolve, connect, send, recv, and a monotonic clock.
 *
 * Every call returns at once; waiting is poll()'s job in pipeline.c. Errors come
 * back as negative errno values so callers can map them with cbc_err_from_errno.
 * EINTR is retried inside; SIGPIPE is never raised (MSG_NOSIGNAL / SO_NOSIGPIPE). */
#ifndef CBC_IO_H
#define CBC_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One resolved address (opaque storage big enough for IPv6). */
typedef struct {
    int family;
    unsigned addrlen;
    unsigned char addr[128];
} cbc_ADDR;

/* Resolve host:port into at most `max` addresses. Returns the count (>= 1), or 0
 * when the host does not resolve. Blocks only for names needing DNS. */
size_t cbc__io_resolve(const char *host, int port, cbc_ADDR *out, size_t max);
/* Start a non-blocking TCP connect. *fd receives the socket. Returns 0 when
 * connected already, 1 when in progress (wait for POLLOUT, then
 * cbc__io_connect_result), or -errno (no socket is left open). */
int cbc__io_connect_start(const cbc_ADDR *addr, int *fd);
/* Outcome of an in-progress connect: 0 connected, else -errno. */
int cbc__io_connect_result(int fd);
/* Send up to n bytes: the count sent (> 0), 0 when the socket is full, or -errno. */
ssize_t cbc__io_send(int fd, const char *buf, size_t n);
/* Send from iov[0..n) (n <= CBC_IO_IOV_MAX, the POSIX minimum of IOV_MAX) in
 * one call: the count sent (> 0), 0 when the socket is full, or -errno. */
#define CBC_IO_IOV_MAX 1024
struct iovec;
ssize_t cbc__io_sendv(int fd, const struct iovec *iov, size_t n);
/* Receive up to n bytes: the count (> 0), 0 at end of stream, -EAGAIN when
 * nothing is there yet, or another -errno. */
ssize_t cbc__io_recv(int fd, char *buf, size_t n);
/* Whether an idle socket (no request outstanding) was closed by the peer or
 * has unexpected data: 1 = unusable, 0 = fine. */
int cbc__io_is_stale(int fd);
/* Clear O_NONBLOCK on a connected socket (the pipeline passes MSG_DONTWAIT itself). */
int cbc__io_set_blocking(int fd);
/* One blocking recv bounded by wait_us (SO_RCVTIMEO, cached in *timeo_us per socket and
 * reset only when it would overshoot by more than 10 ms). Returns bytes read, 0 on
 * EOF, -EAGAIN when the wait passed, or -errno. */
ssize_t cbc__io_recv_wait(int fd, char *buf, size_t n, uint64_t wait_us, uint64_t *timeo_us);
void cbc__io_close(int fd);
/* Monotonic time in microseconds. */
uint64_t cbc__io_now_us(void);

#endif /* CBC_IO_H */
