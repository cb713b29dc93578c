/* Growable byte buffer: reserve/append/consume. No protocol knowledge.
 *
 * A zero-initialised cbc_BUF is an empty, valid buffer. `data` may move on any
 * call that grows the buffer, so callers that must survive growth keep offsets,
 * not pointers. Not thread-safe; one owner at a time. */
#ifndef CBC_BUF_H
#define CBC_BUF_H

#include <stddef.h>

typedef struct {
    char *data;
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated */
} cbc_BUF;

/* Make room for at least `extra` more bytes after `len`. 0, or -1 when out of memory
 * (the buffer is then unchanged). */
int cbc__buf_reserve(cbc_BUF *buf, size_t extra);
/* Append n bytes. 0, or -1 when out of memory. */
int cbc__buf_append(cbc_BUF *buf, const void *bytes, size_t n);
/* Drop the first n bytes (n <= len), moving the rest to the front. */
void cbc__buf_consume(cbc_BUF *buf, size_t n);
/* Room for the rest of an item of `total` bytes of which the last `have` are in the
 * buffer, grown with what arrives rather than with what was announced: at most as much
 * again as `have` (64 KiB at least) per call, so a length no data backs reserves
 * little. 0, or -1 when out of memory. */
int cbc__buf_grow_toward(cbc_BUF *buf, size_t have, size_t total);
/* Give back the capacity beyond `len` (all of it when empty); the bytes stay. */
void cbc__buf_shrink(cbc_BUF *buf);
/* Release the memory; the buffer is empty and valid afterwards. */
void cbc__buf_free(cbc_BUF *buf);

#endif /* CBC_BUF_H */
