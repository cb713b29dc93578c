/* Establishing a socket, inside the run loop and within the run's deadline:
 *
 *   CLOSED -> RESOLVING (names only: a resolver thread, its pipe polled)
 *          -> CONNECTING (non-blocking connect, each resolved address in turn)
 *          -> TLS (handshake, when the connection uses TLS)
 *          -> PRELUDE / READY (prelude.c)
 *
 * Every failure fails the socket with a core code and leaves "host:port: reason" in
 * the socket's `last_fail` (cbc__conn_detail). Internal to the core. */
#ifndef CBC_CONNECT_H
#define CBC_CONNECT_H

#include <sys/types.h>

#include "conn.h"
#include "response.h"

/* Start establishing closed socket s. */
void cbc__connect_start(cbc_RUN *run, cbc_SERVER *s);
/* What to poll for while s is RESOLVING, CONNECTING or in TLS. */
short cbc__connect_events(const cbc_SERVER *s);
/* poll() reported `revents` for s in one of those states: take the next step. */
void cbc__connect_event(cbc_RUN *run, cbc_SERVER *s, short revents);
/* The deadline passed with s still being set up or answering: say where it was. */
void cbc__connect_timed_out(cbc_SERVER *s);
/* The core code for a failed socket call's result `neg` (-errno or CBC_IO_ETLS), with
 * the socket's failure reason set. */
int cbc__connect_io_fail(cbc_SERVER *s, ssize_t neg);
/* The peer closed the stream: the core code, with the failure reason set. */
int cbc__connect_eof(cbc_SERVER *s);

#endif /* CBC_CONNECT_H */
