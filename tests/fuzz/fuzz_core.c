/* libFuzzer harness: server bytes into the C core's parsers, through the real run loop.
 *
 * Input: byte 0 picks the socket kind (even: binary, odd: text `gets`), byte 1 the
 * max_response bound (0: the default, else 16 << (byte % 24)); the rest is what the
 * server "sends". The server end is a socketpair whose peer writes the bytes and closes,
 * so pipeline.c reads, response.c/text.c parse, and batch.c fixes result pointers, as in a
 * real run. Every result's value is read afterwards, so a pointer past the buffer shows
 * under AddressSanitizer. Build: `make fuzz` (clang -fsanitize=fuzzer,address,undefined). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "batch.h"
#include "cbc_api.h"
#include "conn.h"
#include "io.h"

static const uint8_t OPS[] = {CBC_OP_GET, CBC_OP_STAT, CBC_OP_INCREMENT, CBC_OP_GET_COLLECTION_ID,
                              CBC_OP_SET, CBC_OP_GETK, CBC_OP_GET, CBC_OP_DELETE};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *hosts[] = {"127.0.0.1"};
    int ports[] = {11211};
    cbc_ERROR err;
    cbc_CONN *conn;
    cbc_BATCH *b;
    cbc_SERVER *s;
    int sv[2], text;
    size_t i, n;
    volatile unsigned sum = 0;
    const cbc_RESULT *res;

    if (size < 2) {
        return 0;
    }
    text = data[0] & 1;
    conn = cbc_conn_new();
    if (cbc_conn_set_servers(conn, hosts, ports, 1, &err) || cbc_conn_use_ketama(conn, &err)) {
        abort();
    }
    cbc_conn_set_text_gets(conn, text);
    if (data[1]) {
        cbc_conn_set_max_response(conn, (uint64_t)16 << (data[1] % 24));
    }
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        abort();
    }
    /* the server's reply, all of it, then end of stream */
    if (size > 2 && write(sv[1], data + 2, size - 2) < 0) {
        abort();
    }
    shutdown(sv[1], SHUT_WR);
    s = text ? &conn->tservers[0] : &conn->servers[0];
    s->fd = sv[0];
    s->state = CBC_SRV_READY;
    s->last_used_us = cbc__io_now_us();

    b = cbc_batch_new(conn);
    for (i = 0; i < sizeof(OPS); i++) {
        cbc_REQUEST req;
        char key[8];
        memset(&req, 0, sizeof(req));
        req.server = -1;
        req.opcode = text ? CBC_OP_GET : OPS[i];
        key[0] = 'k';
        key[1] = (char)('0' + i);
        req.key = key;
        req.nkey = 2;
        if (req.opcode == CBC_OP_SET) {
            req.value = "v";
            req.nvalue = 1;
        }
        if (req.opcode == CBC_OP_STAT) {
            req.nkey = 0;
            req.key = NULL;
        }
        cbc_batch_add(b, &req, &err);
    }
    cbc_batch_run(b, 20000, &err);
    res = cbc_batch_results(b);
    n = cbc_batch_size(b);
    for (i = 0; i < n; i++) {
        size_t j;
        for (j = 0; j < res[i].nvalue; j++) {
            sum += (unsigned char)res[i].value[j];
        }
    }
    cbc_batch_free(b);
    cbc_conn_free(conn); /* closes sv[0] */
    close(sv[1]);
    return 0;
}
