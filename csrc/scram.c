/* SASL SCRAM client (see scram.h). */
#define _POSIX_C_SOURCE 200809L
#include "scram.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "io.h"

#define NONCE_BYTES 18

struct cbc_SCRAM_s {
    const EVP_MD *md;
    int hash;
    cbc_SCRAM_CACHE *cache;
    char *user;
    char *password;
    char nonce[2 * NONCE_BYTES + 4]; /* base64 of NONCE_BYTES random bytes */
    cbc_BUF auth;        /* AuthMessage: client-first-bare "," server-first "," client-final-bare */
    size_t first_bare;   /* length of client-first-bare in auth */
    unsigned char server_sig[EVP_MAX_MD_SIZE];
    unsigned nsig;
    /* what the server-first message said (cbc__scram_take_server_first) */
    unsigned char salt[96];
    size_t nsalt;
    unsigned iters;
    cbc_BUF rnonce;      /* the combined nonce, for the final message */
};

static const EVP_MD *digest(int hash)
{
    switch (hash) {
    case CBC_SCRAM_SHA1: return EVP_sha1();
    case CBC_SCRAM_SHA256: return EVP_sha256();
    case CBC_SCRAM_SHA512: return EVP_sha512();
    default: return NULL;
    }
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

cbc_SCRAM *cbc__scram_new(int hash, const char *user, const char *password, cbc_SCRAM_CACHE *cache)
{
    cbc_SCRAM *sc = calloc(1, sizeof(*sc));
    if (!sc) {
        return NULL;
    }
    sc->md = digest(hash);
    sc->hash = hash;
    sc->cache = cache;
    sc->user = dupstr(user);
    sc->password = dupstr(password);
    if (!sc->md || !sc->user || !sc->password) {
        cbc__scram_free(sc);
        return NULL;
    }
    return sc;
}

void cbc__scram_free(cbc_SCRAM *sc)
{
    if (!sc) {
        return;
    }
    free(sc->user);
    if (sc->password) {
        OPENSSL_cleanse(sc->password, strlen(sc->password));
        free(sc->password);
    }
    cbc__buf_free(&sc->auth);
    cbc__buf_free(&sc->rnonce);
    OPENSSL_cleanse(sc, sizeof(*sc));
    free(sc);
}

/* saslname: ',' and '=' escaped as "=2C" and "=3D" */
static int append_name(cbc_BUF *b, const char *s)
{
    for (; *s; s++) {
        const char *esc = *s == ',' ? "=2C" : *s == '=' ? "=3D" : NULL;
        if (esc ? cbc__buf_append(b, esc, 3) : cbc__buf_append(b, s, 1)) {
            return -1;
        }
    }
    return 0;
}

int cbc__scram_first(cbc_SCRAM *sc, cbc_BUF *out)
{
    unsigned char raw[NONCE_BYTES];
    size_t start;
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        return -1;
    }
    EVP_EncodeBlock((unsigned char *)sc->nonce, raw, sizeof(raw));
    sc->auth.len = 0;
    if (cbc__buf_append(&sc->auth, "n=", 2) || append_name(&sc->auth, sc->user) ||
        cbc__buf_append(&sc->auth, ",r=", 3) || cbc__buf_append(&sc->auth, sc->nonce, strlen(sc->nonce))) {
        return -1;
    }
    sc->first_bare = sc->auth.len;
    start = out->len;
    if (cbc__buf_append(out, "n,,", 3) || cbc__buf_append(out, sc->auth.data, sc->auth.len)) {
        out->len = start;
        return -1;
    }
    return 0;
}

/* The value of attribute `a` ("a=value" up to the next comma) in msg[0..n). */
static const char *attr(const char *msg, size_t n, char a, size_t *len)
{
    size_t i = 0;
    while (i + 1 < n) {
        size_t end = i;
        while (end < n && msg[end] != ',') {
            end++;
        }
        if (msg[i] == a && msg[i + 1] == '=') {
            *len = end - i - 2;
            return msg + i + 2;
        }
        i = end + 1;
    }
    return NULL;
}

static int hmac(const EVP_MD *md, const unsigned char *key, size_t nkey, const void *msg, size_t nmsg,
                unsigned char *out, unsigned *nout)
{
    return HMAC(md, key, (int)nkey, msg, nmsg, out, nout) ? 0 : -1;
}

/* The cached SaltedPassword for sc's salt and count: 1 with out filled, else 0. */
static int from_cache(const cbc_SCRAM *sc, unsigned char *out, size_t nout)
{
    const cbc_SCRAM_CACHE *c = sc->cache;
    if (c && c->valid && c->hash == sc->hash && c->iterations == sc->iters && c->nsalt == sc->nsalt &&
        memcmp(c->salt, sc->salt, sc->nsalt) == 0) {
        memcpy(out, c->salted, nout);
        return 1;
    }
    return 0;
}

static void to_cache(cbc_SCRAM *sc, const unsigned char *salted, size_t nout)
{
    cbc_SCRAM_CACHE *c = sc->cache;
    if (c && sc->nsalt <= sizeof(c->salt) && nout <= sizeof(c->salted)) {
        c->hash = sc->hash;
        c->iterations = sc->iters;
        c->nsalt = sc->nsalt;
        memcpy(c->salt, sc->salt, sc->nsalt);
        memcpy(c->salted, salted, nout);
        c->valid = 1;
    }
}

int cbc__scram_take_server_first(cbc_SCRAM *sc, const char *msg, size_t n, char *why, size_t nwhy)
{
    size_t nr = 0, ns = 0, ni = 0, nnonce = strlen(sc->nonce);
    const char *r = attr(msg, n, 'r', &nr), *s = attr(msg, n, 's', &ns), *it = attr(msg, n, 'i', &ni);
    char num[16];
    unsigned long iters;
    int nsalt;

    if (!r || !s || !it || nr <= nnonce || memcmp(r, sc->nonce, nnonce) != 0) {
        snprintf(why, nwhy, "the server's SCRAM message lacks a nonce that extends ours");
        return -1;
    }
    if (ni == 0 || ni >= sizeof(num) || ns == 0 || ns > 4 * sizeof(sc->salt) / 3 || ns % 4) {
        snprintf(why, nwhy, "the server's SCRAM salt or iteration count is malformed");
        return -1;
    }
    memcpy(num, it, ni);
    num[ni] = '\0';
    iters = strtoul(num, NULL, 10);
    if (iters == 0 || iters > CBC_SCRAM_MAX_ITERATIONS) {
        snprintf(why, nwhy, "the server asks for %s SCRAM iterations (at most %d are accepted)", num,
                 CBC_SCRAM_MAX_ITERATIONS);
        return -1;
    }
    nsalt = EVP_DecodeBlock(sc->salt, (const unsigned char *)s, (int)ns);
    if (nsalt <= 0) {
        snprintf(why, nwhy, "the server's SCRAM salt is not base64");
        return -1;
    }
    nsalt -= (s[ns - 1] == '=') + (s[ns - 2] == '='); /* EVP_DecodeBlock counts padding as bytes */
    sc->nsalt = (size_t)nsalt;
    sc->iters = (unsigned)iters;

    /* AuthMessage = client-first-bare "," server-first "," client-final-without-proof */
    sc->auth.len = sc->first_bare;
    sc->rnonce.len = 0;
    if (cbc__buf_append(&sc->auth, ",", 1) || cbc__buf_append(&sc->auth, msg, n) ||
        cbc__buf_append(&sc->auth, ",c=biws,r=", 10) || cbc__buf_append(&sc->auth, r, nr) ||
        cbc__buf_append(&sc->rnonce, r, nr)) {
        snprintf(why, nwhy, "no memory for the SCRAM exchange");
        return -1;
    }
    return 0;
}

/* The client-final message from the salted password, appended to out. */
static int finish(cbc_SCRAM *sc, const unsigned char *salted, cbc_BUF *out, char *why, size_t nwhy)
{
    size_t dlen = (size_t)EVP_MD_get_size(sc->md), i, start = out->len;
    unsigned char ckey[EVP_MAX_MD_SIZE], stored[EVP_MAX_MD_SIZE];
    unsigned char csig[EVP_MAX_MD_SIZE], skey[EVP_MAX_MD_SIZE], proof[EVP_MAX_MD_SIZE];
    char proof64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    unsigned len;
    int rc = -1;
    if (hmac(sc->md, salted, dlen, "Client Key", 10, ckey, &len) ||
        EVP_Digest(ckey, dlen, stored, &len, sc->md, NULL) != 1 ||
        hmac(sc->md, stored, dlen, sc->auth.data, sc->auth.len, csig, &len) ||
        hmac(sc->md, salted, dlen, "Server Key", 10, skey, &len) ||
        hmac(sc->md, skey, dlen, sc->auth.data, sc->auth.len, sc->server_sig, &sc->nsig)) {
        snprintf(why, nwhy, "SCRAM computation failed in libcrypto");
        goto done;
    }
    for (i = 0; i < dlen; i++) {
        proof[i] = ckey[i] ^ csig[i];
    }
    EVP_EncodeBlock((unsigned char *)proof64, proof, (int)dlen);
    if (cbc__buf_append(out, "c=biws,r=", 9) || cbc__buf_append(out, sc->rnonce.data, sc->rnonce.len) ||
        cbc__buf_append(out, ",p=", 3) || cbc__buf_append(out, proof64, strlen(proof64))) {
        snprintf(why, nwhy, "no memory for the SCRAM exchange");
        goto done;
    }
    to_cache(sc, salted, dlen);
    rc = 0;
done:
    if (rc) {
        out->len = start;
    }
    OPENSSL_cleanse(ckey, sizeof(ckey));
    OPENSSL_cleanse(skey, sizeof(skey));
    return rc;
}

int cbc__scram_final_cached(cbc_SCRAM *sc, cbc_BUF *out, char *why, size_t nwhy)
{
    unsigned char salted[EVP_MAX_MD_SIZE];
    int rc;
    if (!from_cache(sc, salted, (size_t)EVP_MD_get_size(sc->md))) {
        return 0;
    }
    rc = finish(sc, salted, out, why, nwhy);
    OPENSSL_cleanse(salted, sizeof(salted));
    return rc ? -1 : 1;
}

int cbc__scram_final(cbc_SCRAM *sc, const char *msg, size_t n, cbc_BUF *out, char *why, size_t nwhy)
{
    unsigned char salted[EVP_MAX_MD_SIZE];
    size_t dlen = (size_t)EVP_MD_get_size(sc->md);
    int rc;
    if (cbc__scram_take_server_first(sc, msg, n, why, nwhy) != 0) {
        return -1;
    }
    if ((rc = cbc__scram_final_cached(sc, out, why, nwhy)) != 0) {
        return rc > 0 ? 0 : -1;
    }
    if (PKCS5_PBKDF2_HMAC(sc->password, (int)strlen(sc->password), sc->salt, (int)sc->nsalt, (int)sc->iters, sc->md,
                          (int)dlen, salted) != 1) {
        snprintf(why, nwhy, "SCRAM computation failed in libcrypto");
        return -1;
    }
    rc = finish(sc, salted, out, why, nwhy);
    OPENSSL_cleanse(salted, sizeof(salted));
    return rc;
}

/* ---- the derivation in a thread of its own ---- */

#define JOBS_MAX 16 /* derivations in flight at once, process-wide */

struct cbc_SCRAM_JOB_s {
    pthread_mutex_t lock;
    int refs;          /* the thread and the owner */
    int abandoned;
    int ok;
    int rfd, wfd;      /* the thread writes one byte when done */
    const EVP_MD *md;
    char *password;
    unsigned char salt[96];
    size_t nsalt;
    unsigned iters;
    size_t nout;
    unsigned char out[EVP_MAX_MD_SIZE];
};

static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static int jobs_in_flight;

static void job_unref(cbc_SCRAM_JOB *job)
{
    int last;
    pthread_mutex_lock(&job->lock);
    last = --job->refs == 0;
    pthread_mutex_unlock(&job->lock);
    if (last) {
        close(job->rfd);
        close(job->wfd);
        OPENSSL_cleanse(job->password, strlen(job->password));
        free(job->password);
        OPENSSL_cleanse(job, sizeof(*job));
        free(job);
    }
}

static void *derive_thread(void *arg)
{
    cbc_SCRAM_JOB *job = arg;
    int ok = PKCS5_PBKDF2_HMAC(job->password, (int)strlen(job->password), job->salt, (int)job->nsalt,
                               (int)job->iters, job->md, (int)job->nout, job->out) == 1;
    pthread_mutex_lock(&job->lock);
    job->ok = ok;
    if (!job->abandoned) {
        ssize_t w;
        do {
            w = write(job->wfd, "d", 1);
        } while (w < 0 && errno == EINTR);
    }
    pthread_mutex_unlock(&job->lock);
    pthread_mutex_lock(&jobs_lock);
    jobs_in_flight--;
    pthread_mutex_unlock(&jobs_lock);
    job_unref(job);
    return NULL;
}

cbc_SCRAM_JOB *cbc__scram_derive_start(cbc_SCRAM *sc, const char **why)
{
    cbc_SCRAM_JOB *job;
    int fds[2];
    pthread_mutex_lock(&jobs_lock);
    if (jobs_in_flight >= JOBS_MAX) {
        pthread_mutex_unlock(&jobs_lock);
        *why = "too many SCRAM derivations in flight";
        return NULL;
    }
    jobs_in_flight++;
    pthread_mutex_unlock(&jobs_lock);
    job = calloc(1, sizeof(*job));
    if (!job || !(job->password = dupstr(sc->password)) || cbc__io_pipe(fds) != 0) {
        if (job) {
            free(job->password);
        }
        free(job);
        *why = "no memory or pipe for the SCRAM derivation";
        goto undo;
    }
    job->md = sc->md;
    memcpy(job->salt, sc->salt, sc->nsalt);
    job->nsalt = sc->nsalt;
    job->iters = sc->iters;
    job->nout = (size_t)EVP_MD_get_size(sc->md);
    job->rfd = fds[0];
    job->wfd = fds[1];
    job->refs = 2;
    pthread_mutex_init(&job->lock, NULL);
    if (cbc__io_spawn_detached(derive_thread, job) != 0) {
        job->refs = 1;
        job_unref(job);
        *why = "no thread for the SCRAM derivation";
        goto undo;
    }
    return job;
undo:
    pthread_mutex_lock(&jobs_lock);
    jobs_in_flight--;
    pthread_mutex_unlock(&jobs_lock);
    return NULL;
}

int cbc__scram_job_fd(const cbc_SCRAM_JOB *job)
{
    return job->rfd;
}

int cbc__scram_derive_finish(cbc_SCRAM *sc, cbc_SCRAM_JOB *job, cbc_BUF *out, char *why, size_t nwhy)
{
    int rc = -1;
    char c;
    pthread_mutex_lock(&job->lock);
    if (read(job->rfd, &c, 1) == 1 && job->ok) {
        rc = 0;
    }
    pthread_mutex_unlock(&job->lock);
    if (rc == 0) {
        rc = finish(sc, job->out, out, why, nwhy);
    } else {
        snprintf(why, nwhy, "SCRAM computation failed in libcrypto");
    }
    job_unref(job);
    return rc;
}

void cbc__scram_job_abandon(cbc_SCRAM_JOB *job)
{
    if (job) {
        pthread_mutex_lock(&job->lock);
        job->abandoned = 1;
        pthread_mutex_unlock(&job->lock);
        job_unref(job);
    }
}

int cbc__scram_verify(const cbc_SCRAM *sc, const char *msg, size_t n)
{
    char expect[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 4];
    size_t nv = 0;
    const char *v = attr(msg, n, 'v', &nv);
    if (!v || sc->nsig == 0) {
        return -1;
    }
    EVP_EncodeBlock((unsigned char *)expect, sc->server_sig, (int)sc->nsig);
    return nv == strlen(expect) && CRYPTO_memcmp(v, expect, nv) == 0 ? 0 : -1;
}
