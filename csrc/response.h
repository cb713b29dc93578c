/* Turning received bytes into results: binary responses, prelude answers and text
 * replies, and the bookkeeping shared with the run loop (pipeline.c): result codes with
 * their file and line, failing a socket's outstanding requests, and whether a partial
 * run has reached its goal. Internal to the core. */
#ifndef CBC_RESPONSE_H
#define CBC_RESPONSE_H

#include "batch.h"
#include "conn.h"

/* One call of a run: the connection, and the batch (NULL when only connecting). */
typedef struct {
    cbc_CONN *conn;
    cbc_BATCH *b;
} cbc_RUN;

/* Whether the current call of a batch run may return: results [0, b->upto) are all
 * final while the run goes on (b->upto < b->n; the last call runs to the end). */
int cbc__resp_reached(const cbc_RUN *run);
/* Set a result's code and, for a failure, the C file and line that decided it. */
void cbc__resp_set_rc(cbc_RESULT *res, int rc, const char *file, int line);
/* Close the socket and fail the requests still waiting on it (rc, file, line). */
void cbc__resp_server_fail(cbc_RUN *run, cbc_SERVER *s, int rc, const char *file, int line);
/* Parse every complete packet (or text reply) in the socket's read buffer. */
void cbc__resp_parse(cbc_RUN *run, cbc_SERVER *s);

#define SLOT_FAIL(res, code) cbc__resp_set_rc((res), (code), __FILE__, __LINE__)
#define SERVER_FAIL(run, s, code) cbc__resp_server_fail((run), (s), (code), __FILE__, __LINE__)

#endif /* CBC_RESPONSE_H */
