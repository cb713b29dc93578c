/* TLS sessions over the core's sockets (see tls.h). */
#define _POSIX_C_SOURCE 200809L
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "errors.h"
#include "io.h"

#define RECORD_MAX 16384 /* plaintext bytes in one TLS record */

struct cbc_TLSCTX_s {
    SSL_CTX *ssl;
};

struct cbc_TLS_s {
    SSL *ssl;
    int fd;
    short want;         /* POLLIN / POLLOUT while the handshake waits */
    int up;             /* handshake done */
    int eof;            /* the peer closed the stream */
    int sys_errno;      /* errno of the last failed socket call */
    size_t nread;       /* bytes received from the socket */
    unsigned char first; /* the first of them */
    uint64_t wait_us;   /* > 0: the next socket read blocks for at most this long */
    uint64_t *timeo_us;
    int rc;             /* code of the last failure */
    char why[160];      /* and its reason */
    const char *name;   /* "host:port", owned by the socket */
    char stage[RECORD_MAX]; /* gathered iovec bytes for one SSL_write */
};

/* ---- the socket BIO ---- */

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

static int bio_read(BIO *b, char *out, int n)
{
    cbc_TLS *t = BIO_get_data(b);
    ssize_t r;
    BIO_clear_retry_flags(b);
    if (n <= 0) {
        return 0;
    }
    if (t->wait_us) {
        r = cbc__io_recv_wait(t->fd, out, (size_t)n, t->wait_us, t->timeo_us);
        t->wait_us = 0; /* one bounded wait per call; later reads only take what is there */
    } else {
        r = cbc__io_recv(t->fd, out, (size_t)n);
    }
    if (r > 0) {
        if (t->nread == 0) {
            t->first = (unsigned char)out[0];
        }
        t->nread += (size_t)r;
        return (int)r;
    }
    if (r == 0) {
        t->eof = 1;
        return 0;
    }
    if (r == -EAGAIN) {
        BIO_set_retry_read(b);
        return -1;
    }
    t->sys_errno = (int)-r;
    errno = t->sys_errno;
    return -1;
}

static int bio_write(BIO *b, const char *in, int n)
{
    cbc_TLS *t = BIO_get_data(b);
    ssize_t w;
    BIO_clear_retry_flags(b);
    if (n <= 0) {
        return 0;
    }
    w = cbc__io_send(t->fd, in, (size_t)n);
    if (w > 0) {
        return (int)w;
    }
    if (w == 0) {
        BIO_set_retry_write(b);
        return -1;
    }
    t->sys_errno = (int)-w;
    errno = t->sys_errno;
    return -1;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    cbc_TLS *t = BIO_get_data(b);
    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_EOF:
        return t ? t->eof : 0;
    default:
        return 0;
    }
}

static int bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static int bio_destroy(BIO *b)
{
    BIO_set_data(b, NULL);
    return 1;
}

static void make_bio_method(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "cbc socket");
    if (m && BIO_meth_set_read(m, bio_read) && BIO_meth_set_write(m, bio_write) &&
        BIO_meth_set_ctrl(m, bio_ctrl) && BIO_meth_set_create(m, bio_create) &&
        BIO_meth_set_destroy(m, bio_destroy)) {
        bio_method = m;
    } else if (m) {
        BIO_meth_free(m);
    }
}

/* ---- settings ---- */

static void ossl_reason(char *buf, size_t n)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    if (r) {
        snprintf(buf, n, "%s", r);
    } else if (e) {
        ERR_error_string_n(e, buf, n);
    } else {
        snprintf(buf, n, "unknown reason");
    }
}

int cbc__tls_ctx_new(const char *ca_file, const char *cert_file, const char *key_file, int verify,
                     cbc_TLSCTX **out, char *why, size_t nwhy)
{
    cbc_TLSCTX *c;
    SSL_CTX *ctx;
    char reason[120];
    *out = NULL;
    pthread_once(&bio_once, make_bio_method);
    ERR_clear_error();
    c = calloc(1, sizeof(*c));
    ctx = c ? SSL_CTX_new(TLS_client_method()) : NULL;
    if (!c || !ctx || !bio_method) {
        free(c);
        SSL_CTX_free(ctx);
        snprintf(why, nwhy, "no memory for the TLS settings");
        return CBC_ERR_CLIENT_ENOMEM;
    }
    c->ssl = ctx;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* read whole records (and what follows) in one socket read */
    SSL_CTX_set_read_ahead(ctx, 1);
    if (verify) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        if (ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1
                    : SSL_CTX_set_default_verify_paths(ctx) != 1) {
            ossl_reason(reason, sizeof(reason));
            snprintf(why, nwhy, "CA certificates %s: %s", ca_file ? ca_file : "(system)", reason);
            goto bad;
        }
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    if (cert_file) {
        const char *kf = key_file ? key_file : cert_file;
        if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
            ossl_reason(reason, sizeof(reason));
            snprintf(why, nwhy, "client certificate %s: %s", cert_file, reason);
            goto bad;
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, kf, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
            ossl_reason(reason, sizeof(reason));
            snprintf(why, nwhy, "client key %s: %s", kf, reason);
            goto bad;
        }
    }
    *out = c;
    return 0;
bad:
    cbc__tls_ctx_free(c);
    ERR_clear_error();
    return CBC_ERR_EINVAL;
}

void cbc__tls_ctx_free(cbc_TLSCTX *ctx)
{
    if (ctx) {
        SSL_CTX_free(ctx->ssl);
        free(ctx);
    }
}

/* ---- sessions ---- */

cbc_TLS *cbc__tls_new(cbc_TLSCTX *ctx, int fd, const char *host, const char *name)
{
    cbc_TLS *t = malloc(sizeof(*t));
    BIO *bio;
    unsigned char ip[16];
    if (!t) {
        return NULL;
    }
    memset(t, 0, offsetof(cbc_TLS, stage));
    t->fd = fd;
    t->name = name;
    t->want = POLLOUT;
    ERR_clear_error();
    t->ssl = SSL_new(ctx->ssl);
    bio = t->ssl ? BIO_new(bio_method) : NULL;
    if (!bio) {
        SSL_free(t->ssl);
        free(t);
        return NULL;
    }
    BIO_set_data(bio, t);
    SSL_set_bio(t->ssl, bio, bio);
    SSL_set_connect_state(t->ssl);
    if (inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host);
    } else {
        SSL_set_hostflags(t->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        SSL_set1_host(t->ssl, host);
        SSL_set_tlsext_host_name(t->ssl, host);
    }
    return t;
}

void cbc__tls_free(cbc_TLS *t)
{
    if (!t) {
        return;
    }
    if (t->up && !t->rc) {
        ERR_clear_error();
        SSL_shutdown(t->ssl); /* close_notify, best effort: the BIO never waits */
    }
    SSL_free(t->ssl);
    ERR_clear_error();
    free(t);
}

/* TLS records start with a content type of 20-24 (change_cipher_spec ... heartbeat). */
static int is_record_start(unsigned char c)
{
    return c >= 20 && c <= 24;
}

static int fail(cbc_TLS *t, int rc, char *why, size_t nwhy, const char *fmt, const char *detail)
{
    t->rc = rc;
    snprintf(t->why, sizeof(t->why), fmt, t->name, detail);
    if (why) {
        snprintf(why, nwhy, "%s", t->why);
    }
    ERR_clear_error();
    return rc;
}

/* The core code and reason of a failed handshake or record operation. */
static int classify(cbc_TLS *t, int sslerr, char *why, size_t nwhy)
{
    long vr = SSL_get_verify_result(t->ssl);
    char reason[120], first[8];
    if (t->nread && !is_record_start(t->first)) {
        snprintf(first, sizeof(first), "0x%02x", t->first);
        return fail(t, CBC_ERR_TLS_PLAINTEXT_SERVER, why, nwhy,
                    "%s: the server answered the TLS handshake in plaintext (first byte %s): not a TLS port",
                    first);
    }
    if (!t->up && vr != X509_V_OK) {
        int rc;
        switch (vr) {
        case X509_V_ERR_HOSTNAME_MISMATCH: case X509_V_ERR_IP_ADDRESS_MISMATCH: case X509_V_ERR_EMAIL_MISMATCH:
            rc = CBC_ERR_TLS_HOSTNAME_MISMATCH;
            break;
        case X509_V_ERR_CERT_HAS_EXPIRED: case X509_V_ERR_CERT_NOT_YET_VALID:
            rc = CBC_ERR_TLS_CERT_EXPIRED;
            break;
        default:
            rc = CBC_ERR_TLS_CERT_UNTRUSTED;
            break;
        }
        return fail(t, rc, why, nwhy, "%s: certificate verify failed: %s", X509_verify_cert_error_string(vr));
    }
    if (!t->up && t->nread == 0 && (t->eof || t->sys_errno == ECONNRESET)) {
        return fail(t, CBC_ERR_TLS_PLAINTEXT_SERVER, why, nwhy,
                    "%s: the server closed the connection without a TLS answer (%s): not a TLS port?",
                    t->eof ? "end of stream" : "connection reset");
    }
    if (sslerr == SSL_ERROR_SYSCALL || (sslerr != SSL_ERROR_SSL && t->sys_errno)) {
        int e = t->sys_errno;
        return fail(t, e ? cbc_err_from_errno(e, !t->up) : CBC_ERR_NETWORK_ERROR, why, nwhy,
                    t->up ? "%s: TLS connection: %s" : "%s: TLS handshake: %s", e ? strerror(e) : "end of stream");
    }
    ossl_reason(reason, sizeof(reason));
    return fail(t, CBC_ERR_TLS_ERROR, why, nwhy, t->up ? "%s: TLS error: %s" : "%s: TLS handshake failed: %s",
                reason);
}

int cbc__tls_handshake(cbc_TLS *t, char *why, size_t nwhy)
{
    int r, e;
    ERR_clear_error();
    t->sys_errno = 0;
    r = SSL_connect(t->ssl);
    if (r == 1) {
        t->up = 1;
        return 0;
    }
    e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        t->want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
        return 1;
    }
    return classify(t, e, why, nwhy);
}

short cbc__tls_events(const cbc_TLS *t)
{
    return t->want;
}

ssize_t cbc__tls_send(cbc_TLS *t, const char *buf, size_t n)
{
    int r, e;
    if (n > INT_MAX) {
        n = INT_MAX;
    }
    ERR_clear_error();
    t->sys_errno = 0;
    r = SSL_write(t->ssl, buf, (int)n);
    if (r > 0) {
        return r;
    }
    e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
        return 0;
    }
    if (e == SSL_ERROR_SYSCALL && t->sys_errno) {
        return -t->sys_errno;
    }
    classify(t, e, NULL, 0);
    return CBC_IO_ETLS;
}

ssize_t cbc__tls_sendv(cbc_TLS *t, const struct iovec *iov, size_t n)
{
    size_t i, off = 0, total = 0;
    const char *p;
    ssize_t w;
    /* A request that fills a record goes out from where it is; smaller ones are gathered.
     * A retry after WANT_WRITE gathers the same bytes again (the caller's iov is unchanged
     * until bytes are reported sent), as SSL_write requires. */
    if (n && iov[0].iov_len >= RECORD_MAX) {
        p = iov[0].iov_base;
        off = RECORD_MAX;
    } else {
        for (i = 0; i < n && off < RECORD_MAX; i++) {
            size_t take = iov[i].iov_len < RECORD_MAX - off ? iov[i].iov_len : RECORD_MAX - off;
            memcpy(t->stage + off, iov[i].iov_base, take);
            off += take;
        }
        p = t->stage;
    }
    if (off == 0) {
        return 0;
    }
    w = cbc__tls_send(t, p, off);
    if (w > 0) {
        total = (size_t)w;
    }
    return total ? (ssize_t)total : w;
}

ssize_t cbc__tls_recv(cbc_TLS *t, char *buf, size_t n)
{
    int r, e;
    if (n > INT_MAX) {
        n = INT_MAX;
    }
    ERR_clear_error();
    t->sys_errno = 0;
    r = SSL_read(t->ssl, buf, (int)n);
    if (r > 0) {
        return r;
    }
    e = SSL_get_error(t->ssl, r);
    switch (e) {
    case SSL_ERROR_WANT_READ: case SSL_ERROR_WANT_WRITE:
        return -EAGAIN;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        if (t->sys_errno == EAGAIN) {
            return -EAGAIN; /* the bounded first wait passed */
        }
        return t->sys_errno ? -t->sys_errno : 0;
    default:
        classify(t, e, NULL, 0);
        return CBC_IO_ETLS;
    }
}

ssize_t cbc__tls_recv_wait(cbc_TLS *t, char *buf, size_t n, uint64_t wait_us, uint64_t *timeo_us)
{
    ssize_t r;
    t->wait_us = wait_us ? wait_us : 1;
    t->timeo_us = timeo_us;
    r = cbc__tls_recv(t, buf, n);
    t->wait_us = 0;
    return r;
}

int cbc__tls_pending(const cbc_TLS *t)
{
    return SSL_has_pending(t->ssl);
}

int cbc__tls_is_stale(cbc_TLS *t)
{
    char c;
    int r, e;
    ERR_clear_error();
    t->sys_errno = 0;
    r = SSL_peek(t->ssl, &c, 1);
    if (r > 0) {
        return 1; /* bytes nobody asked for */
    }
    e = SSL_get_error(t->ssl, r);
    ERR_clear_error();
    return e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
}

int cbc__tls_failure(const cbc_TLS *t, char *why, size_t nwhy)
{
    snprintf(why, nwhy, "%s", t->why);
    return t->rc ? t->rc : CBC_ERR_TLS_ERROR;
}
