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

/* Resolve a numeric host (IPv4 or IPv6 literal) into at most `max` addresses without
 * any lookup. Returns the count, or 0 when `host` is not a numeric address. */
size_t cbc__io_resolve_numeric(const char *host, int port, cbc_ADDR *out, size_t max);

/* Name resolution that never blocks the caller: getaddrinfo runs in a detached thread
 * of its own, and the caller polls cbc__io_resolve_fd(job) for POLLIN, so the wait is
 * bounded by the caller's deadline even when the resolver hangs. */
typedef struct cbc_RESOLVE_s cbc_RESOLVE;
/* Start resolving host:port. Returns the job, or NULL (out of memory, no thread, or
 * too many resolutions in flight) with *why set to a static description. */
cbc_RESOLVE *cbc__io_resolve_start(const char *host, int port, const char **why);
/* The descriptor that becomes readable once the job is done. */
int cbc__io_resolve_fd(const cbc_RESOLVE *job);
/* Collect a finished job's addresses (at most `max`) and release it. Returns the
 * count; 0 when the name does not resolve, with *why set to the resolver's reason. */
size_t cbc__io_resolve_finish(cbc_RESOLVE *job, cbc_ADDR *out, size_t max, const char **why);
/* A pipe for a helper thread's wake-up: both ends non-blocking and close-on-exec. 0, or -1. */
int cbc__io_pipe(int fds[2]);
/* Run fn(arg) in a detached helper thread (256 KiB of stack): 0, or the pthread error. */
int cbc__io_spawn_detached(void *(*fn)(void *), void *arg);
/* Give up on a job (finished or not): its thread frees it when getaddrinfo returns. */
void cbc__io_resolve_abandon(cbc_RESOLVE *job);
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
/* The local address of a connected socket as "ip:port" ("[ip]:port" for IPv6) in out[n]:
 * 1, or 0 when there is none (closed, not IP) or it does not fit. */
int cbc__io_local_address(int fd, char *out, size_t n);
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
