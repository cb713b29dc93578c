/* memcached text protocol for plain GETs (see text.h). */
#include "text.h"

#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "errors.h"


#define MAX_REPLY_LINE 1024 /* a VALUE line is under 300 bytes; an error line is short */

int cbc__text_eligible(const cbc_REQUEST *req)
{
    size_t i;
    if (req->opcode != CBC_OP_GET || req->nkey == 0 || req->nkey > CBC_KEY_MAX || req->nextras ||
        req->nvalue || req->durability || req->replica || req->server >= 0) {
        return 0;
    }
    for (i = 0; i < req->nkey; i++) {
        unsigned char c = (unsigned char)req->key[i];
        if (c <= 0x20 || c == 0x7f) {
            return 0;
        }
    }
    return 1;
}

size_t cbc__text_line_size(size_t n, size_t nkeybytes)
{
    return 4 + n + nkeybytes + 2; /* "gets" + " key"... + CRLF */
}

char *cbc__text_line_begin(char *p)
{
    memcpy(p, "gets", 4);
    return p + 4;
}

char *cbc__text_line_add(char *p, const char *key, size_t nkey)
{
    *p++ = ' ';
    memcpy(p, key, nkey);
    return p + nkey;
}

char *cbc__text_line_end(char *p)
{
    p[0] = '\r';
    p[1] = '\n';
    return p + 2;
}

/* Parse a decimal number of at most `max` value from p[0..n); returns the
 * digits consumed, 0 when there are none or it overflows. */
static size_t parse_u64(const char *p, size_t n, uint64_t max, uint64_t *out)
{
    size_t i = 0;
    uint64_t v = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9') {
        uint64_t d = (uint64_t)(p[i] - '0');
        if (v > (max - d) / 10) {
            return 0;
        }
        v = v * 10 + d;
        i++;
    }
    *out = v;
    return i;
}

static int starts(const char *p, size_t n, const char *word)
{
    size_t w = strlen(word);
    return n >= w && memcmp(p, word, w) == 0;
}

int cbc__text_parse(const char *p, size_t n, cbc_TEXTITEM *it)
{
    const char *nl;
    size_t linelen, pos, k;
    uint64_t v;

    memset(it, 0, sizeof(*it));
    nl = memchr(p, '\n', n < MAX_REPLY_LINE ? n : MAX_REPLY_LINE);
    if (!nl) {
        return n >= MAX_REPLY_LINE ? CBC_TEXT_MALFORMED : CBC_TEXT_MORE;
    }
    linelen = (size_t)(nl - p) + 1;
    if (linelen < 2 || nl[-1] != '\r') {
        return CBC_TEXT_MALFORMED;
    }
    it->total = linelen;
    if (linelen == 5 && memcmp(p, "END", 3) == 0) {
        return CBC_TEXT_END;
    }
    if ((linelen == 7 && memcmp(p, "ERROR", 5) == 0) || starts(p, linelen, "ERROR ") ||
        starts(p, linelen, "CLIENT_ERROR")) {
        it->rc = CBC_ERR_EINVAL;
        return CBC_TEXT_ERRLINE;
    }
    if (starts(p, linelen, "SERVER_ERROR")) {
        it->rc = CBC_ERR_SERVER_STATUS;
        return CBC_TEXT_ERRLINE;
    }
    if (!starts(p, linelen, "VALUE ")) {
        return CBC_TEXT_MALFORMED;
    }
    /* VALUE <key> <flags> <bytes> <cas>\r\n */
    linelen -= 2; /* without CRLF */
    pos = 6;
    it->key = p + pos;
    while (pos < linelen && p[pos] != ' ') {
        pos++;
    }
    it->nkey = (size_t)(p + pos - it->key);
    if (it->nkey == 0 || it->nkey > CBC_KEY_MAX || pos >= linelen) {
        return CBC_TEXT_MALFORMED;
    }
    pos++;
    k = parse_u64(p + pos, linelen - pos, 0xffffffffu, &v);
    if (!k || pos + k >= linelen || p[pos + k] != ' ') {
        return CBC_TEXT_MALFORMED;
    }
    it->flags = (uint32_t)v;
    pos += k + 1;
    k = parse_u64(p + pos, linelen - pos, 0xffffffffu, &v);
    if (!k || pos + k >= linelen || p[pos + k] != ' ') {
        return CBC_TEXT_MALFORMED;
    }
    it->nvalue = (size_t)v;
    pos += k + 1;
    k = parse_u64(p + pos, linelen - pos, UINT64_MAX, &it->cas);
    if (!k || pos + k != linelen) {
        return CBC_TEXT_MALFORMED;
    }
    it->voff = linelen + 2;
    it->total = it->voff + it->nvalue + 2;
    if (n < it->total) {
        it->need = it->total;
        return CBC_TEXT_MORE;
    }
    if (p[it->total - 2] != '\r' || p[it->total - 1] != '\n') {
        return CBC_TEXT_MALFORMED;
    }
    return CBC_TEXT_VALUE;
}

/* ---- slots of a run ---- */

static int grow_u32(uint32_t **arr, size_t n, size_t *cap)
{
    if (n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        uint32_t *a = realloc(*arr, nc * sizeof(*a));
        if (!a) {
            return -1;
        }
        *arr = a;
        *cap = nc;
    }
    return 0;
}

int cbc__text_queue(cbc_SERVER *ts, uint32_t slot)
{
    if (grow_u32(&ts->tslots, ts->ntslots, &ts->tslotcap) != 0) {
        return -1;
    }
    ts->tslots[ts->ntslots++] = slot;
    return 0;
}

int cbc__text_build(cbc_BATCH *b, cbc_SERVER *ts, char **out, size_t *nout)
{
    size_t i, total = 0, n = 0, kb = 0, line = 0, left = 0;
    char *p;

    ts->ntlines = 0;
    for (i = 0; i < ts->ntslots; i++) {
        size_t nkey = b->slots[ts->tslots[i]].req.nkey;
        if (n && (n == CBC_TEXT_LINE_KEYS ||
                  cbc__text_line_size(n + 1, kb + nkey) > CBC_TEXT_LINE_BYTES)) {
            if (grow_u32(&ts->tlines, ts->ntlines, &ts->tlinecap) != 0) {
                return -1;
            }
            ts->tlines[ts->ntlines++] = (uint32_t)n;
            total += cbc__text_line_size(n, kb);
            n = kb = 0;
        }
        n++;
        kb += nkey;
    }
    if (n) {
        if (grow_u32(&ts->tlines, ts->ntlines, &ts->tlinecap) != 0) {
            return -1;
        }
        ts->tlines[ts->ntlines++] = (uint32_t)n;
        total += cbc__text_line_size(n, kb);
    }
    if (!total || (p = cbc__batch_alloc(b, total)) == NULL) {
        return -1;
    }
    *out = p;
    *nout = total;
    for (i = 0; i < ts->ntslots; i++) {
        const cbc_REQUEST *req = &b->slots[ts->tslots[i]].req;
        if (!left) {
            p = cbc__text_line_begin(p);
            left = ts->tlines[line++];
        }
        p = cbc__text_line_add(p, req->key, req->nkey);
        if (--left == 0) {
            p = cbc__text_line_end(p);
        }
    }
    ts->npending = ts->ntlines;
    ts->tline = 0;
    ts->tcur = 0;
    ts->tline_end = ts->tlines[0];
    return 0;
}

static void finish(cbc_BATCH *b, uint32_t i, int rc, uint16_t status, int line)
{
    cbc_RESULT *res = &b->results[i];
    res->rc = rc;
    res->status = status;
    res->file = rc ? __FILE__ : NULL;
    res->line = rc ? line : 0;
    b->slots[i].state = CBC_SLOT_DONE;
}

/* Fail or miss the rest of the current line, and move to the next one. */
static void end_line(cbc_BATCH *b, cbc_SERVER *ts, int rc, uint16_t status, int line)
{
    for (; ts->tcur < ts->tline_end; ts->tcur++) {
        finish(b, ts->tslots[ts->tcur], rc, status, line);
    }
    ts->npending--;
    if (++ts->tline < ts->ntlines) {
        ts->tline_end += ts->tlines[ts->tline];
    }
}

int cbc__text_consume(cbc_BATCH *b, cbc_SERVER *ts, int vsrc, uint64_t max, uint64_t *announced)
{
    cbc_BUF *rb = ts->rbuf;
    while (ts->npending && rb->len > ts->rpos) {
        cbc_TEXTITEM it;
        size_t avail = rb->len - ts->rpos, j;
        int kind = cbc__text_parse(rb->data + ts->rpos, avail, &it);
        if ((kind == CBC_TEXT_MORE || kind == CBC_TEXT_VALUE) && it.nvalue > max) {
            *announced = it.nvalue;
            return CBC_ERR_PROTOCOL_ERROR;
        }
        switch (kind) {
        case CBC_TEXT_MORE:
            if (it.need > avail && cbc__buf_grow_toward(rb, avail, it.need) != 0) {
                return CBC_ERR_CLIENT_ENOMEM;
            }
            return 0;
        case CBC_TEXT_END:
            end_line(b, ts, CBC_ERR_KEY_ENOENT, 0x01, __LINE__);
            break;
        case CBC_TEXT_ERRLINE:
            end_line(b, ts, it.rc, 0xffff, __LINE__);
            break;
        case CBC_TEXT_VALUE:
            /* Answers come in request order, found keys only: the first slot from
             * the cursor with this key is the one; the ones skipped are misses. */
            for (j = ts->tcur; j < ts->tline_end; j++) {
                const cbc_REQUEST *req = &b->slots[ts->tslots[j]].req;
                if (req->nkey == it.nkey && memcmp(req->key, it.key, it.nkey) == 0) {
                    break;
                }
            }
            if (j == ts->tline_end) {
                return CBC_ERR_PROTOCOL_ERROR;
            }
            for (; ts->tcur < j; ts->tcur++) {
                finish(b, ts->tslots[ts->tcur], CBC_ERR_KEY_ENOENT, 0x01, __LINE__);
            }
            {
                uint32_t i = ts->tslots[ts->tcur++];
                cbc_RESULT *res = &b->results[i];
                res->flags = it.flags;
                res->cas = it.cas;
                res->nvalue = it.nvalue;
                b->slots[i].vsrc = vsrc;
                b->slots[i].voff = ts->rpos + it.voff;
                finish(b, i, 0, 0, 0);
            }
            break;
        default:
            return CBC_ERR_PROTOCOL_ERROR;
        }
        ts->rpos += it.total;
    }
    return 0;
}
