/* The run loop: route, encode, connect, write, poll, read and parse until every
 * request is answered, failed, or the deadline passes.
 *
 * Runs with no Python state and calls no callbacks; cffi releases the GIL for the
 * whole call. One thread per connection at a time. */
#ifndef CBC_PIPELINE_H
#define CBC_PIPELINE_H

#include <stdint.h>

#include "cbc_api.h"

/* Run every pending request of `b` (see cbc_batch_run). Per-request outcomes go
 * to the results; returns non-zero only when the run itself could not proceed
 * (CLIENT_ENOMEM). Leaves the results' value pointers to the caller. */
int cbc__pl_run(cbc_BATCH *b, uint64_t timeout_us, cbc_ERROR *err);
/* Connect server `index` and complete its prelude within timeout_us. 0 when the
 * socket is READY; otherwise the failure code (CONNECT_ERROR, UNKNOWN_HOST,
 * ETIMEDOUT, AUTH_ERROR, BUCKET_ENOENT, ...) with `err` filled. */
int cbc__pl_connect(cbc_CONN *conn, int index, uint64_t timeout_us, cbc_ERROR *err);

#endif /* CBC_PIPELINE_H */
