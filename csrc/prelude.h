/* A new socket's handshake: the connection's prelude packets (HELLO, SELECT_BUCKET ...)
 * and, between them, the SASL exchange when the connection has credentials:
 *
 *   HELLO + SASL_LIST_MECHS           -> the server's mechanisms; the strongest allowed
 *   SASL_AUTH (PLAIN) + the rest      -> done
 *   SASL_AUTH (SCRAM client-first)    -> AUTH_CONTINUE with the server-first message
 *   SASL_STEP (client-final) + rest   -> the server's signature, checked
 *
 * Answers are matched in order; the last one makes the socket READY. Internal. */
#ifndef CBC_PRELUDE_H
#define CBC_PRELUDE_H

#include "conn.h"
#include "response.h"

/* TCP (and TLS) are up: queue the first packets, or make the socket READY when the
 * connection has no handshake. */
void cbc__prelude_begin(cbc_RUN *run, cbc_SERVER *s);
/* Whether queued handshake bytes are still to be sent. */
int cbc__prelude_unsent(const cbc_SERVER *s);
/* Send what the socket takes of the queued handshake bytes. */
void cbc__prelude_flush(cbc_RUN *run, cbc_SERVER *s);
/* One handshake answer (header h, the whole packet at pkt). 0 when it failed the socket. */
int cbc__prelude_answer(cbc_RUN *run, cbc_SERVER *s, const cbc_PKTHDR *h, const char *pkt);
/* Event-driven mode: the SCRAM derivation a handshake waits for (its descriptor,
 * s->hs.job_fd, became readable): send the proof. */
void cbc__prelude_derived(cbc_RUN *run, cbc_SERVER *s);
/* Forget the handshake (the socket closes). */
void cbc__prelude_reset(cbc_SERVER *s);

#endif /* CBC_PRELUDE_H */
