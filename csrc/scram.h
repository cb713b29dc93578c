/* The client side of SASL SCRAM-SHA1/256/512 (RFC 5802, no channel binding), with
 * PBKDF2 and HMAC from libcrypto.
 *
 *   first  -> "n,,n=<user>,r=<nonce>"                    (SASL_AUTH value)
 *   final  <- "r=<nonce+server>,s=<salt>,i=<iterations>"  (AUTH_CONTINUE value)
 *          -> "c=biws,r=<nonce+server>,p=<proof>"         (SASL_STEP value)
 *   verify <- "v=<server signature>"                      (SASL_STEP success value)
 *
 * The salted password is the costly step (PBKDF2); a cache owned by the connection
 * keeps the last one, so the sockets of one handle derive it once. */
#ifndef CBC_SCRAM_H
#define CBC_SCRAM_H

#include <stddef.h>

#include "buf.h"

/* The hashes, as the SASL bits of cbc_api.h name them. */
enum { CBC_SCRAM_SHA1 = 1, CBC_SCRAM_SHA256 = 2, CBC_SCRAM_SHA512 = 3 };

/* Iteration counts above this are refused (a hostile server could stall the client). */
#define CBC_SCRAM_MAX_ITERATIONS 100000

typedef struct {
    int hash;
    unsigned iterations;
    unsigned char salt[64];
    size_t nsalt;
    unsigned char salted[64];
    int valid;
} cbc_SCRAM_CACHE;

typedef struct cbc_SCRAM_s cbc_SCRAM;

/* NULL when out of memory. user and password are copied. */
cbc_SCRAM *cbc__scram_new(int hash, const char *user, const char *password, cbc_SCRAM_CACHE *cache);
void cbc__scram_free(cbc_SCRAM *sc);
/* Append the client-first message to out. 0, or -1 (no memory / no randomness). */
int cbc__scram_first(cbc_SCRAM *sc, cbc_BUF *out);
/* Append the client-final message for the server-first message to out. 0, or -1 with
 * `why` saying what was wrong with the server's message. */
int cbc__scram_final(cbc_SCRAM *sc, const char *server_first, size_t n, cbc_BUF *out, char *why, size_t nwhy);
/* The same in two halves, for a caller that must not spend the derivation's time (an
 * event loop): take_server_first checks the server-first message and keeps what the final
 * message needs (0, or -1 with `why`); final_cached then appends the client-final message
 * when the connection's cache holds the salted password (1), or says it must be derived
 * (0), which a thread of its own does: derive_start, then, once cbc__scram_job_fd is
 * readable, derive_finish appends the client-final message (0, or -1 with `why`) and
 * releases the job. job_abandon gives up on a job (its thread frees it). */
typedef struct cbc_SCRAM_JOB_s cbc_SCRAM_JOB;
int cbc__scram_take_server_first(cbc_SCRAM *sc, const char *server_first, size_t n, char *why, size_t nwhy);
int cbc__scram_final_cached(cbc_SCRAM *sc, cbc_BUF *out, char *why, size_t nwhy);
cbc_SCRAM_JOB *cbc__scram_derive_start(cbc_SCRAM *sc, const char **why);
int cbc__scram_job_fd(const cbc_SCRAM_JOB *job);
int cbc__scram_derive_finish(cbc_SCRAM *sc, cbc_SCRAM_JOB *job, cbc_BUF *out, char *why, size_t nwhy);
void cbc__scram_job_abandon(cbc_SCRAM_JOB *job);
/* 0 when the server-final message carries the expected server signature. */
int cbc__scram_verify(const cbc_SCRAM *sc, const char *server_final, size_t n);

#endif /* CBC_SCRAM_H */
