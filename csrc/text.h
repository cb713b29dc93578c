/* memcached text protocol for plain GETs: request lines and reply parsing. No I/O.
 *
 * A batch's text-eligible GETs for one server go out as lines
 * "gets k1 k2 ... kn\r\n"; memcached answers each line with one
 * "VALUE <key> <flags> <bytes> <cas>\r\n<data>\r\n" per found key, in request
 * order, then "END\r\n" (or an error line that ends the line's answer early). */
#ifndef CBC_TEXT_H
#define CBC_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "cbc_api.h"
#include "conn.h"

#define CBC_TEXT_LINE_KEYS 100   /* keys per request line, at most */
#define CBC_TEXT_LINE_BYTES 8192 /* a line is closed before it would pass this */

/* Whether `req` can go out as a text `gets`: a plain GET (no extras, value,
 * durability, replica or explicit server) of a key of 1..250 bytes, none of
 * them a space or control character (0x00..0x20, 0x7f). */
int cbc__text_eligible(const cbc_REQUEST *req);

/* Size of the line for n keys whose lengths add up to nkeybytes. */
size_t cbc__text_line_size(size_t n, size_t nkeybytes);
/* Line writing: begin, then one add per key, then end; each returns the next write position. */
char *cbc__text_line_begin(char *p);
char *cbc__text_line_add(char *p, const char *key, size_t nkey);
char *cbc__text_line_end(char *p);

enum {
    CBC_TEXT_MORE = 0,   /* incomplete: need at least `need` bytes from the start */
    CBC_TEXT_VALUE,      /* key, flags, cas, data at offset voff, length nvalue */
    CBC_TEXT_END,        /* "END": the line's answer is complete */
    CBC_TEXT_ERRLINE,    /* "ERROR", "CLIENT_ERROR ..." or "SERVER_ERROR ...": rc set */
    CBC_TEXT_MALFORMED   /* anything else: the stream cannot be trusted */
};

typedef struct {
    size_t total;  /* bytes the item takes (including the data and its CRLF) */
    size_t need;   /* CBC_TEXT_MORE: bytes needed, 0 when unknown (line not complete) */
    const char *key;
    size_t nkey;
    uint32_t flags;
    uint64_t cas;
    size_t voff;   /* data offset from the item's start */
    size_t nvalue;
    int rc;        /* CBC_TEXT_ERRLINE: CBC_ERR_SERVER_STATUS or CBC_ERR_EINVAL */
} cbc_TEXTITEM;

/* Parse one reply item at p[0..n). Returns CBC_TEXT_*. */
int cbc__text_parse(const char *p, size_t n, cbc_TEXTITEM *it);

/* ---- slots of a run (no I/O: the pipeline sends and receives) ---- */

struct cbc_BATCH_s;
/* Queue batch slot `slot` on text socket ts for this run. 0, or -1 when out of memory. */
int cbc__text_queue(cbc_SERVER *ts, uint32_t slot);
/* Encode ts's queued slots as request lines, contiguous in the batch arena:
 * *out, *nout are the bytes to send. Sets ts->npending to the number of lines
 * and the answer cursor to the first. 0, or -1 when out of memory. */
int cbc__text_build(struct cbc_BATCH_s *b, cbc_SERVER *ts, char **out, size_t *nout);
/* Match the replies in ts->rbuf from ts->rpos to the slots, advancing rpos.
 * Values stay in the buffer; `vsrc` is its index among the batch's read
 * buffers. Returns 0 (done, or waiting for more bytes), else the code to fail
 * the socket with (PROTOCOL_ERROR, CLIENT_ENOMEM). A VALUE line announcing more
 * than `max` bytes returns PROTOCOL_ERROR with *announced set to its length
 * (nothing is reserved for it); *announced is left alone otherwise. */
int cbc__text_consume(struct cbc_BATCH_s *b, cbc_SERVER *ts, int vsrc, uint64_t max, uint64_t *announced);

#endif /* CBC_TEXT_H */
