/* TLS for the core's sockets (OpenSSL).
 *
 * A cbc_TLSCTX holds the settings of one connection handle (CA, client certificate,
 * verification); a cbc_TLS is one socket's session. Sessions talk to their socket
 * through a BIO of our own that passes MSG_DONTWAIT | MSG_NOSIGNAL, so a session never
 * blocks (except for the one bounded read of cbc__tls_recv_wait) and never raises
 * SIGPIPE, whatever the descriptor's mode.
 *
 * Every client session: TLS 1.2 at least, renegotiation refused, the certificate chain
 * and the host name (or IP address) verified unless verification was turned off. The
 * I/O calls follow io.h's conventions; a TLS failure returns CBC_IO_ETLS, and
 * cbc__tls_failure then gives its core code and reason. */
#ifndef CBC_TLS_H
#define CBC_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct cbc_TLSCTX_s cbc_TLSCTX;
typedef struct cbc_TLS_s cbc_TLS;
struct iovec;

/* Outside every errno value. */
#define CBC_IO_ETLS (-100000)

/* Client settings: `ca_file` (PEM; NULL: the system's trust store), a client
 * certificate chain and key (PEM; key NULL: in the certificate file), `verify` 0 to
 * accept any certificate. Returns 0, or CBC_ERR_EINVAL / CLIENT_ENOMEM with `why`
 * holding the file and OpenSSL's reason. */
int cbc__tls_ctx_new(const char *ca_file, const char *cert_file, const char *key_file, int verify,
                     cbc_TLSCTX **out, char *why, size_t nwhy);
void cbc__tls_ctx_free(cbc_TLSCTX *ctx);

/* A client session over connected socket `fd`, checking the certificate against
 * `host`; `name` ("host:port") starts every reason. NULL when out of memory. */
cbc_TLS *cbc__tls_new(cbc_TLSCTX *ctx, int fd, const char *host, const char *name);
/* Free the session (a close_notify is sent if it was up, without waiting). */
void cbc__tls_free(cbc_TLS *t);

/* Advance the handshake: 0 when done, 1 while it waits (poll for cbc__tls_events),
 * or a core code (TLS_CERT_UNTRUSTED, TLS_HOSTNAME_MISMATCH, TLS_CERT_EXPIRED,
 * TLS_PLAINTEXT_SERVER, TLS_ERROR, CONNECT_ERROR ...) with `why` filled. */
int cbc__tls_handshake(cbc_TLS *t, char *why, size_t nwhy);
/* POLLIN or POLLOUT: what the handshake waits for. */
short cbc__tls_events(const cbc_TLS *t);

ssize_t cbc__tls_send(cbc_TLS *t, const char *buf, size_t n);
/* At most one TLS record's worth of iov[0..n) per record; returns what was taken. */
ssize_t cbc__tls_sendv(cbc_TLS *t, const struct iovec *iov, size_t n);
ssize_t cbc__tls_recv(cbc_TLS *t, char *buf, size_t n);
/* cbc__tls_recv whose first socket read blocks for at most wait_us (see
 * cbc__io_recv_wait; *timeo_us caches SO_RCVTIMEO). */
ssize_t cbc__tls_recv_wait(cbc_TLS *t, char *buf, size_t n, uint64_t wait_us, uint64_t *timeo_us);
/* Whether the session holds received bytes not yet returned by cbc__tls_recv. */
int cbc__tls_pending(const cbc_TLS *t);
/* Like cbc__io_is_stale, through the session (post-handshake messages such as TLS 1.3
 * session tickets are consumed, not taken for stray data). */
int cbc__tls_is_stale(cbc_TLS *t);
/* The code and reason of the failure behind the last CBC_IO_ETLS. */
int cbc__tls_failure(const cbc_TLS *t, char *why, size_t nwhy);

#endif /* CBC_TLS_H */
