/* The run loop: route, encode, connect, write, poll, read and parse until every
 * request is answered, failed, or the deadline passes.
 *
 * Runs with no Python state and calls no callbacks; cffi releases the GIL for the
 * whole call. One thread per connection at a time. */
#ifndef CBC_PIPELINE_H
#define CBC_PIPELINE_H

#include <stdint.h>

#include "cbc_api.h"

/* Start a run of every pending request of `b` (see cbc_batch_run): route and queue
 * them, start connecting; b->running says whether there is anything to wait for.
 * An unfinished run of another batch on the connection is abandoned first. Returns
 * non-zero only when the run could not start (CLIENT_ENOMEM). Leaves the results'
 * value pointers to the caller. */
int cbc__pl_start(cbc_BATCH *b, uint64_t timeout_us, cbc_ERROR *err);
/* Continue b's run until results [0, upto) are final (upto < b->n), or to its end
 * (then b->running becomes 0). */
void cbc__pl_step(cbc_BATCH *b, size_t upto);
/* End b's unfinished run now: sockets with answers in flight are closed and their
 * requests fail with ETIMEDOUT. Nothing when b has no unfinished run. */
void cbc__pl_abandon(cbc_BATCH *b);
/* Connect server `index` and complete its prelude within timeout_us. 0 when the
 * socket is READY; otherwise the failure code (CONNECT_ERROR, UNKNOWN_HOST,
 * ETIMEDOUT, AUTH_ERROR, BUCKET_ENOENT, ...) with `err` filled. */
int cbc__pl_connect(cbc_CONN *conn, int index, uint64_t timeout_us, cbc_ERROR *err);

#endif /* CBC_PIPELINE_H */
