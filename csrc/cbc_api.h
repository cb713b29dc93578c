/* The C core's public surface: the only header Python sees.
 *
 * Between CDEF-BEGIN and CDEF-END is the cffi cdef (csrc/build_cffi.py slices it
 * out), so it holds plain declarations only: no #include, no macros, no
 * expressions in constants. The C sources include this same header, so there is
 * one declaration of everything Python calls.
 *
 * How a key-value operation runs:
 *
 *   cbc_CONN  holds the server list, the key-to-server map (ketama continuum or
 *             vBucket map), one socket per server and the per-socket "prelude"
 *             (handshake packets replayed on every new socket).
 *   cbc_BATCH holds requests and their results. Python adds N requests
 *             (cbc_batch_add, or the native fast path through cbc_api_table),
 *             then calls cbc_batch_run once: it routes, encodes, connects,
 *             writes, polls and parses until every request has an answer, a
 *             failure or the deadline. cffi releases the GIL for the whole call.
 *             The core never calls back into Python.
 *   Results   are an array of cbc_RESULT, one per request in the order added.
 *             Key and value pointers stay valid until cbc_batch_reset or
 *             cbc_batch_free.
 *
 * Errors: functions return 0 (CBC_ERR_OK) or a code and fill `cbc_ERROR`
 * with the code, the C file and line, and a message. Per-request outcomes are
 * not batch errors: each result carries its own rc, file and line.
 * Codes and their names and texts come from cbc_err_table(). */
#ifndef CBC_API_H
#define CBC_API_H

#include <stddef.h>
#include <stdint.h>

/* CDEF-BEGIN */

/* CBC_CORE_VERSION, as compiled into the core. */
int cbc_core_version(void);

typedef struct cbc_ERROR_s {
    int code;         /* CBC_ERR_* number, 0 when no error */
    const char *file; /* C source file that set it (static storage) */
    int line;
    char msg[256];
} cbc_ERROR;

typedef struct {
    int code;
    const char *name; /* e.g. "KEY_ENOENT" */
    const char *text; /* e.g. "No such key" */
    int categories;   /* CBC_ERRF_* bits */
} cbc_ERRINFO;

/* The whole code table; *n receives its length. Static storage. */
const cbc_ERRINFO *cbc_err_table(size_t *n);
const char *cbc_strerror(int code);
int cbc_err_from_status(uint16_t status);

/* ---- hashing (pure functions, exposed for tests) ---- */

/* zlib-compatible CRC-32 of the bytes. */
uint32_t cbc_vb_crc32(const char *key, size_t nkey);
/* ((crc32 >> 16) & 0x7fff) % nvbuckets */
int cbc_vb_key_to_vbucket(const char *key, size_t nkey, int nvbuckets);

/* ---- packet framing (pure, no I/O; exposed for tests) ---- */

typedef struct {
    uint8_t magic;
    uint8_t opcode;
    uint8_t nframe;    /* framing extras length (alt magics), else 0 */
    uint16_t nkey;
    uint8_t nextras;
    uint8_t datatype;
    uint16_t status;   /* response status, or request vbucket */
    uint32_t nbody;
    uint32_t opaque;
    uint64_t cas;
} cbc_PKTHDR;

/* A request as Python describes it. Strings are borrowed during the call only. */
typedef struct {
    uint8_t opcode;      /* enum cbc_opcode */
    uint8_t datatype;    /* datatype byte to send (0 raw, 1 JSON) */
    int16_t server;      /* -1: route by key; >= 0: send to that server index */
    uint16_t vbucket;    /* used only when server >= 0 */
    uint8_t replica;     /* 0: active copy; N: replica N (GET_REPLICA, SUBDOC_MULTI_LOOKUP) */
    uint8_t durability;  /* 0: none; 1..3: durability level frame (alt magic 0x08) */
    uint16_t durability_timeout_ms; /* 0: server default */
    uint8_t preserve_ttl; /* 1: send the preserve-TTL frame (id 5): the mutation keeps the expiry */
    uint32_t collection; /* collection id; LEB128 prefix sent when collections are on */
    const char *key;
    size_t nkey;
    const char *value;
    size_t nvalue;
    const char *extras;  /* raw extras, only for opcodes whose extras the core does not build */
    size_t nextras;
    uint32_t flags;      /* SET/ADD/REPLACE item flags */
    uint32_t expiry;     /* SET/ADD/REPLACE/INCR/DECR/TOUCH/GAT expiry; GETL lock time */
    uint64_t cas;
    uint64_t delta;      /* INCR/DECR */
    uint64_t initial;    /* INCR/DECR */
    int create;          /* INCR/DECR: 0 = fail when missing (expiry 0xffffffff on the wire) */
} cbc_REQUEST;

/* Encode `req` as one packet into out[0..nout). On success *written is the
 * packet size. `vbucket` goes into the header; `collections` adds the LEB128
 * prefix. Fails with CBC_ERR_EINVAL (bad lengths) or CBC_ERR_E2BIG (nout too small;
 * *written then holds the size needed). */
int cbc_pkt_encode(const cbc_REQUEST *req, uint16_t vbucket, uint32_t opaque, int collections,
                   char *out, size_t nout, size_t *written, cbc_ERROR *err);

/* Parse a 24-byte header. Returns 0 with *hdr filled, or CBC_ERR_PROTOCOL_ERROR
 * for an unknown magic or inconsistent lengths. */
int cbc_pkt_parse_header(const char *buf, size_t nbuf, cbc_PKTHDR *hdr, cbc_ERROR *err);

/* ---- connection ---- */

typedef struct cbc_CONN_s cbc_CONN;

cbc_CONN *cbc_conn_new(void);
/* Closes every socket and frees everything. NULL is ignored. */
void cbc_conn_free(cbc_CONN *conn);
/* Replace the server list. Sockets to servers whose host:port stays in the list
 * are kept (and move to their new index); the others are closed. */
int cbc_conn_set_servers(cbc_CONN *conn, const char *const *hosts, const int *ports, size_t n,
                         cbc_ERROR *err);
size_t cbc_conn_nservers(const cbc_CONN *conn);
/* Route keys with the ketama continuum built from the current server list,
 * each server named "host:port" as given (docs/protocol.md section 7). */
int cbc_conn_use_ketama(cbc_CONN *conn, cbc_ERROR *err);
/* Route keys by vBucket: map is nvb rows of ncopies server indices (-1 = none),
 * row-major; copy 0 is active, copy N is replica N. Replaces any previous map. */
int cbc_conn_use_vbmap(cbc_CONN *conn, const int16_t *map, size_t nvb, size_t ncopies,
                       cbc_ERROR *err);
/* Packets sent on every new socket before any request (HELLO, SELECT_BUCKET ...),
 * concatenated, at most 24. Each must be answered with status 0, except HELLO (0x1f),
 * whose failure means "no features". The SASL exchange of cbc_conn_set_auth runs
 * after the leading HELLO packets. A failed prelude fails the requests for that
 * server with the mapped code (AUTH_ERROR, BUCKET_ENOENT ...). */
int cbc_conn_set_prelude(cbc_CONN *conn, const char *packets, size_t n, cbc_ERROR *err);
/* Send the LEB128 collection prefix with every key (HELLO Collections acked). */
void cbc_conn_set_collections(cbc_CONN *conn, int enabled);
/* Send plain GETs (no extras, durability or replica; keys without spaces or
 * control characters) as memcached text-protocol `gets` lines over a second
 * socket per server, which memcached answers with less CPU per key. Used only
 * in ketama mode without a prelude (plain memcached); results look the same as
 * binary ones (a miss has no value text). Default off. */
void cbc_conn_set_text_gets(cbc_CONN *conn, int enabled);
/* The largest response a server may announce, in bytes: the body length of a binary
 * response, the value length of a text VALUE line. A larger announcement fails the
 * socket at once with PROTOCOL_ERROR (its requests fail; cbc_conn_last_failure names
 * the server and the size) before any memory is reserved for it. 0 restores the
 * default, CBC_MAX_RESPONSE_DEFAULT. */
void cbc_conn_set_max_response(cbc_CONN *conn, uint64_t nbytes);
uint64_t cbc_conn_max_response(const cbc_CONN *conn);
/* Why server `index`'s socket (binary or text, the latest) last failed: returns the code
 * (0 when it never failed) and fills `out` with it, the C file and line and a message
 * "host:port: reason" (name resolution, connect, TLS, the handshake and its SASL
 * exchange, a closed or reset connection, an oversized or malformed response, a
 * timeout ...). Kept until the next failure or cbc_conn_set_servers. */
int cbc_conn_last_failure(const cbc_CONN *conn, int index, cbc_ERROR *out);
/* The local address ("ip:port", "[ip]:port" for IPv6) of server `index`'s binary socket
 * while it is open, in out[n]: 1, or 0 (no such server, no open socket, or n too small). */
int cbc_conn_local_address(const cbc_CONN *conn, int index, char *out, size_t n);
/* SASL on every new socket, after the prelude's leading HELLO packets and before the
 * rest: the core asks the server for its mechanisms (SASL_LIST_MECHS) and runs the
 * strongest one that `mechs` (enum cbc_sasl bits) allows: SCRAM-SHA512, SCRAM-SHA256,
 * SCRAM-SHA1, then PLAIN; a SCRAM exchange checks the server's signature too. user
 * NULL: no SASL. Closes every socket. A server that offers none of the allowed
 * mechanisms fails the socket with SASLMECH_UNAVAILABLE, refused credentials with
 * AUTH_ERROR (cbc_conn_last_failure says which mechanism and why). */
int cbc_conn_set_auth(cbc_CONN *conn, const char *user, const char *password, int mechs, cbc_ERROR *err);
/* TLS (1.2 or later, renegotiation refused) on every socket when `enabled`: the
 * server's certificate chain is verified against ca_file (PEM; NULL: the system's
 * trust store) and its name against the host name or address, unless verify is 0.
 * cert_file/key_file (PEM; key_file NULL: the key is in cert_file): a client
 * certificate. Closes every socket. EINVAL (message: the file and OpenSSL's reason)
 * when a file cannot be used. Handshake failures fail the socket with
 * TLS_CERT_UNTRUSTED, TLS_HOSTNAME_MISMATCH, TLS_CERT_EXPIRED, TLS_PLAINTEXT_SERVER or
 * TLS_ERROR. */
int cbc_conn_set_tls(cbc_CONN *conn, int enabled, const char *ca_file, const char *cert_file,
                     const char *key_file, int verify, cbc_ERROR *err);
/* Connect (and run the prelude on) server `index` now, within timeout_us. */
int cbc_conn_connect(cbc_CONN *conn, int index, uint64_t timeout_us, cbc_ERROR *err);
/* Close the socket of one server (-1: all). The next request reconnects. */
void cbc_conn_disconnect(cbc_CONN *conn, int index);
/* Where a key goes: *vbucket (0 for ketama) and *server (-1 when no server
 * holds that copy). replica 0 is the active copy. */
int cbc_conn_map_key(const cbc_CONN *conn, const char *key, size_t nkey, int replica,
                     int *vbucket, int *server, cbc_ERROR *err);

/* ---- batch ---- */

typedef struct {
    int rc;              /* CBC_ERR_* for this request */
    uint16_t status;     /* raw server status; 0xffff when no response arrived */
    uint8_t opcode;
    uint8_t datatype;
    uint32_t flags;      /* item flags (GET family extras) */
    uint64_t cas;
    uint64_t counter;    /* INCR/DECR result */
    uint64_t vbuuid;     /* mutation token (16-byte extras), else 0 */
    uint64_t seqno;
    uint16_t vbucket;
    int16_t server;      /* server index it was sent to, -1 if never sent */
    const char *key;     /* the key as added (no collection prefix) */
    size_t nkey;
    const char *value;   /* response value; STAT: records (see cbc_batch_run) */
    size_t nvalue;
    const char *file;    /* where rc was set; NULL when rc == 0 */
    int line;
} cbc_RESULT;

typedef struct cbc_BATCH_s cbc_BATCH;

/* A batch belongs to one connection and must not outlive it. */
cbc_BATCH *cbc_batch_new(cbc_CONN *conn);
void cbc_batch_free(cbc_BATCH *batch);
/* Forget all requests and results; buffers are kept for reuse. */
void cbc_batch_reset(cbc_BATCH *batch);
/* Append a request (key, value and extras are copied). Fails with EMPTY_KEY,
 * KEY_TOO_LONG (over 250 bytes), EINVAL or CLIENT_ENOMEM; nothing is added then. */
int cbc_batch_add(cbc_BATCH *batch, const cbc_REQUEST *req, cbc_ERROR *err);
size_t cbc_batch_size(const cbc_BATCH *batch);
/* Run every pending request until all are answered or timeout_us passes.
 * Runs without the GIL and touches no Python state. Returns 0 when the batch
 * ran (per-request outcomes are in the results: ETIMEDOUT for those unanswered
 * at the deadline, NETWORK_ERROR/CONNECT_ERROR for those whose server failed,
 * NO_MATCHING_SERVER when the map names no server); otherwise fills `err`.
 * A STAT request collects every reply packet into its value as records of
 * u16 nkey, u32 nvalue (big-endian), key bytes, value bytes. */
int cbc_batch_run(cbc_BATCH *batch, uint64_t timeout_us, cbc_ERROR *err);
/* The same run, returned from as soon as results [0, upto) are all final
 * (answered, failed or timed out; upto is capped at cbc_batch_size), so that
 * the caller can use them while later answers are still arriving. Results
 * [0, upto) are valid on return; later ones are not yet (their value pointers
 * may be stale). The next call continues the run where it stopped (everything
 * pending is sent by the first call; the deadline is the one that call set, and
 * timeout_us of later calls is ignored); a call with upto == cbc_batch_size
 * finishes it, exactly as cbc_batch_run (which is run_until(size)).
 * cbc_batch_reset, cbc_batch_requeue, cbc_batch_free, a run of another batch on
 * the connection, cbc_conn_connect, cbc_conn_set_servers and
 * cbc_conn_disconnect abandon an unfinished run: sockets with answers still in
 * flight are closed and their requests fail with ETIMEDOUT, as at a deadline. */
int cbc_batch_run_until(cbc_BATCH *batch, size_t upto, uint64_t timeout_us, cbc_ERROR *err);
/* The result array (cbc_batch_size entries). */
const cbc_RESULT *cbc_batch_results(const cbc_BATCH *batch);
/* Mark the requests whose rc equals `rc` as pending again, to be re-routed with
 * the connection's current map by the next cbc_batch_run (after a
 * NOT_MY_VBUCKET config update or a node failure). Returns how many. */
size_t cbc_batch_requeue(cbc_BATCH *batch, int rc);

/* Drop the requests added at index n and after (an adder's failure); a batch that is not
 * owned by an event-driven engine (cbc_aio_batch) is reset instead, as an adder's failure
 * always did. */
void cbc_batch_undo(cbc_BATCH *batch, size_t n);

/* ---- event-driven mode (csrc/aio.c) ----
 *
 * The same connection, batches, encoder and builder, driven by the caller's event loop
 * instead of the core's poll(): no call blocks, waits or sleeps, and none runs longer
 * than the work it is handed (answers are parsed at most CBC_AIO_DONE_MAX per call).
 *
 *   cbc_aio_new(conn)      puts conn into event-driven mode for good: its blocking entry
 *                          points (cbc_batch_run, cbc_batch_run_until, cbc_conn_connect)
 *                          then fail with EINVAL, and text-protocol gets are never used.
 *   cbc_aio_batch()        the "open" batch: requests added to it (cbc_batch_add or the
 *                          native adders) wait for the next submit. Each batch is a
 *                          generation `gen` (a small integer, reused once the batch is done).
 *                          cbc_aio_deadline gives its new requests their deadline.
 *   cbc_aio_submit()       routes every request of the open batch, appends it to its
 *                          socket's write buffer with opaque = a running sequence number,
 *                          starts connecting closed sockets (resolve, connect, TLS, the
 *                          prelude and SASL, each step an event) and writes each ready
 *                          socket's buffer with one send. The batch is then in flight;
 *                          many are, across loop iterations, on the same sockets.
 *   cbc_aio_watches()      the descriptors to watch and for what (CBC_AIO_READ/WRITE).
 *   cbc_aio_event(fd, ev)  a watched descriptor is readable/writable: the core takes the
 *                          next step (connect, handshake, write, read and parse).
 *   cbc_aio_tick()         time passed: requests past their deadline complete with
 *                          ETIMEDOUT (their late answers are dropped when they come), a
 *                          socket still being set up when all its requests have timed
 *                          out fails with ETIMEDOUT, and a socket that owes only answers to
 *                          timed-out requests and has been silent for CBC_AIO_STALL_US is
 *                          closed. cbc_aio_arm() says when the next tick is due.
 *   cbc_aio_done()         the requests completed by the last call, as (gen, index): each
 *                          one's cbc_RESULT (in cbc_aio_gen_batch(gen)) is final, its value
 *                          pointer valid until the next cbc_aio_* call. A request completes
 *                          exactly once (answer, failure or timeout).
 *
 * Submit, event and tick return CBC_AIO_* status bits: what the caller should look at
 * next. Every failure is a result with its code and the C file and line that set it; a
 * failed socket also keeps its failure record (cbc_conn_last_failure). Descriptors the
 * core closes stay open until the caller has seen cbc_aio_watches() without them and
 * called cbc_aio_reap(), so an event loop never watches a number that was reused. A
 * server's configuration pushes (CLUSTERMAP_CHANGE_NOTIFICATION) are kept for
 * cbc_aio_push(). One thread at a time per engine; the core never calls back. */

typedef struct cbc_AIO_s cbc_AIO;

enum { CBC_AIO_READ = 1, CBC_AIO_WRITE = 2 };
/* Status bits of cbc_aio_submit, cbc_aio_event and cbc_aio_tick. */
enum {
    CBC_AIO_DONE = 1,  /* requests completed: cbc_aio_done */
    CBC_AIO_WATCH = 2, /* the descriptors to watch changed: cbc_aio_watches, then cbc_aio_reap */
    CBC_AIO_TIMER = 4, /* a deadline is due before the armed one (or none is armed): cbc_aio_arm */
    CBC_AIO_AGAIN = 8, /* a socket has answers left to parse: call cbc_aio_event(fd, READ) again
                        * soon (its descriptor may not become readable again) */
    CBC_AIO_PUSH = 16, /* a server pushed a configuration: cbc_aio_push */
    CBC_AIO_NOMEM = 32 /* submit: no memory to track the open batch, which stays open (drop
                        * its requests with cbc_batch_undo(batch, 0) and fail them) */
};
/* At most this many requests complete per call; the rest waits for the next one (AGAIN). */
enum { CBC_AIO_DONE_MAX = 128 };
/* A socket that owes only the answers of timed-out requests is closed after this long
 * without a byte from its server. */
enum { CBC_AIO_STALL_US = 2000000 };

typedef struct {
    int fd;
    int events; /* CBC_AIO_READ | CBC_AIO_WRITE */
} cbc_AIO_WATCH;

typedef struct {
    uint32_t gen;
    uint32_t index;
} cbc_AIO_DONE;

typedef struct {
    uint64_t submits;     /* cbc_aio_submit calls that sent requests */
    uint64_t requests;    /* requests submitted */
    uint64_t sends;       /* send calls on sockets (handshakes included) */
    uint64_t recvs;       /* recv calls that returned bytes */
    uint64_t completions; /* requests completed (answered, failed or timed out) */
    uint64_t expired;     /* requests that timed out */
    uint64_t late;        /* answers that arrived after their request timed out (dropped) */
    uint64_t stalls;      /* sockets closed for owing only late answers too long */
    uint64_t pushes;      /* configuration pushes received */
} cbc_AIO_STATS;

/* Event-driven mode for conn (NULL with `err` filled when out of memory, or when conn
 * already has an engine). The engine must be freed before the connection. */
cbc_AIO *cbc_aio_new(cbc_CONN *conn, cbc_ERROR *err);
/* Free the engine and its batches and close every socket of the connection (stop
 * watching their descriptors first). Requests in flight are forgotten. NULL is ignored. */
void cbc_aio_free(cbc_AIO *aio);
/* The open batch (one is made or recycled when none is open: *opened is then 1, else 0),
 * *gen its generation; NULL when out of memory. */
cbc_BATCH *cbc_aio_batch(cbc_AIO *aio, uint32_t *gen, int *opened);
/* The batch of generation `gen` (NULL for an unknown one). */
cbc_BATCH *cbc_aio_gen_batch(cbc_AIO *aio, uint32_t gen);
/* Deadline (cbc_aio_now() microseconds; 0: none) of the open batch's requests from index
 * `from` on. */
void cbc_aio_deadline(cbc_AIO *aio, size_t from, uint64_t deadline_us);
/* Send the open batch (nothing when none is open or it is empty). */
int cbc_aio_submit(cbc_AIO *aio);
/* Descriptor `fd` is ready for `events` (CBC_AIO_READ/WRITE; an error or hang-up is READ). */
int cbc_aio_event(cbc_AIO *aio, int fd, int events);
/* Deadlines up to now. */
int cbc_aio_tick(cbc_AIO *aio);
/* Completions of the last call (see above): *out points to them, valid until the next call. */
size_t cbc_aio_done(cbc_AIO *aio, const cbc_AIO_DONE **out);
/* Every descriptor to watch now (valid until the next call). */
size_t cbc_aio_watches(cbc_AIO *aio, const cbc_AIO_WATCH **out);
/* Close the descriptors the core dropped; call after applying cbc_aio_watches. */
void cbc_aio_reap(cbc_AIO *aio);
/* When cbc_aio_tick is next due (cbc_aio_now() microseconds), 0 when nothing waits; the
 * engine takes it as the armed time for CBC_AIO_TIMER. */
uint64_t cbc_aio_arm(cbc_AIO *aio);
/* The monotonic clock of deadlines, in microseconds (CLOCK_MONOTONIC). */
uint64_t cbc_aio_now(void);
/* The latest configuration pushed by a server since the last call: 1 with *value and *n (the
 * config JSON, valid until the next cbc_aio_* call) and *server (its index), else 0. */
int cbc_aio_push(cbc_AIO *aio, const char **value, size_t *n, int *server);
void cbc_aio_stats(const cbc_AIO *aio, cbc_AIO_STATS *out);

/* Function table for the native object-building module (csrc/py/), which
 * receives its address from Python and so shares this one copy of the core. */
typedef struct {
    int version;
    int (*batch_add)(cbc_BATCH *, const cbc_REQUEST *, cbc_ERROR *);
    size_t (*batch_size)(const cbc_BATCH *);
    const cbc_RESULT *(*batch_results)(const cbc_BATCH *);
    void (*batch_reset)(cbc_BATCH *);
    const char *(*strerror)(int);
    /* The same call as cbc_batch_run: the native module releases the GIL around it. */
    int (*batch_run)(cbc_BATCH *, uint64_t, cbc_ERROR *);
    /* cbc_batch_run_until, likewise called without the GIL. */
    int (*batch_run_until)(cbc_BATCH *, size_t, uint64_t, cbc_ERROR *);
    /* cbc_batch_undo: what an adder does when it fails. */
    void (*batch_undo)(cbc_BATCH *, size_t);
    /* The event-driven mode, for the native dispatcher (called with the GIL held: none
     * of them blocks). */
    cbc_BATCH *(*aio_batch)(cbc_AIO *, uint32_t *, int *);
    cbc_BATCH *(*aio_gen_batch)(cbc_AIO *, uint32_t);
    void (*aio_deadline)(cbc_AIO *, size_t, uint64_t);
    int (*aio_submit)(cbc_AIO *);
    int (*aio_event)(cbc_AIO *, int, int);
    int (*aio_tick)(cbc_AIO *);
    size_t (*aio_done)(cbc_AIO *, const cbc_AIO_DONE **);
} cbc_API;

const cbc_API *cbc_api_table(void);

/* ---- protocol constants: the one source for C, the native module and Python
 * (cffi exposes enum constants as lib.CBC_*) ---- */

/* Version of this interface; the native module and couchbase/_core/binding.py
 * refuse a build whose halves disagree. */
enum { CBC_CORE_VERSION = 8 };

/* The default bound on what one response may announce (cbc_conn_set_max_response):
 * the server's 20 MiB item limit plus 1 MiB for extended attributes, key, extras and
 * framing. */
enum { CBC_MAX_RESPONSE_DEFAULT = 22020096 };
/* SASL mechanisms (cbc_conn_set_auth). */
enum cbc_sasl {
    CBC_SASL_PLAIN = 1,
    CBC_SASL_SCRAM_SHA1 = 2,
    CBC_SASL_SCRAM_SHA256 = 4,
    CBC_SASL_SCRAM_SHA512 = 8
};

/* The longest key the server accepts, in bytes. */
enum { CBC_KEY_MAX = 250 };

/* Opcodes of the memcached binary protocol (docs/protocol.md section 2). */
enum cbc_opcode {
    CBC_OP_GET = 0x00,
    CBC_OP_SET = 0x01,
    CBC_OP_ADD = 0x02,
    CBC_OP_REPLACE = 0x03,
    CBC_OP_DELETE = 0x04,
    CBC_OP_INCREMENT = 0x05,
    CBC_OP_DECREMENT = 0x06,
    CBC_OP_QUIT = 0x07,
    CBC_OP_FLUSH = 0x08,
    CBC_OP_GETQ = 0x09,
    CBC_OP_NOOP = 0x0a,
    CBC_OP_VERSION = 0x0b,
    CBC_OP_GETK = 0x0c,
    CBC_OP_GETKQ = 0x0d,
    CBC_OP_APPEND = 0x0e,
    CBC_OP_PREPEND = 0x0f,
    CBC_OP_STAT = 0x10,
    CBC_OP_SETQ = 0x11,
    CBC_OP_ADDQ = 0x12,
    CBC_OP_REPLACEQ = 0x13,
    CBC_OP_DELETEQ = 0x14,
    CBC_OP_INCREMENTQ = 0x15,
    CBC_OP_DECREMENTQ = 0x16,
    CBC_OP_APPENDQ = 0x19,
    CBC_OP_PREPENDQ = 0x1a,
    CBC_OP_TOUCH = 0x1c,
    CBC_OP_GAT = 0x1d,
    CBC_OP_GATQ = 0x1e,
    CBC_OP_HELLO = 0x1f,
    CBC_OP_SASL_LIST_MECHS = 0x20,
    CBC_OP_SASL_AUTH = 0x21,
    CBC_OP_SASL_STEP = 0x22,
    CBC_OP_GET_REPLICA = 0x83,
    CBC_OP_SELECT_BUCKET = 0x89,
    CBC_OP_OBSERVE_SEQNO = 0x91,
    CBC_OP_OBSERVE = 0x92,
    CBC_OP_GET_LOCKED = 0x94,
    CBC_OP_UNLOCK_KEY = 0x95,
    CBC_OP_GET_CLUSTER_CONFIG = 0xb5,
    CBC_OP_GET_COLLECTIONS_MANIFEST = 0xba,
    CBC_OP_GET_COLLECTION_ID = 0xbb,
    CBC_OP_GET_SCOPE_ID = 0xbc,
    CBC_OP_SUBDOC_GET = 0xc5,
    CBC_OP_SUBDOC_EXISTS = 0xc6,
    CBC_OP_SUBDOC_DICT_ADD = 0xc7,
    CBC_OP_SUBDOC_DICT_UPSERT = 0xc8,
    CBC_OP_SUBDOC_DELETE = 0xc9,
    CBC_OP_SUBDOC_REPLACE = 0xca,
    CBC_OP_SUBDOC_ARRAY_PUSH_LAST = 0xcb,
    CBC_OP_SUBDOC_ARRAY_PUSH_FIRST = 0xcc,
    CBC_OP_SUBDOC_ARRAY_INSERT = 0xcd,
    CBC_OP_SUBDOC_ARRAY_ADD_UNIQUE = 0xce,
    CBC_OP_SUBDOC_COUNTER = 0xcf,
    CBC_OP_SUBDOC_MULTI_LOOKUP = 0xd0,
    CBC_OP_SUBDOC_MULTI_MUTATION = 0xd1,
    CBC_OP_SUBDOC_GET_COUNT = 0xd2,
    CBC_OP_SUBDOC_REPLACE_BODY_WITH_XATTR = 0xd3,
    CBC_OP_GET_ERROR_MAP = 0xfe
};

/* CDEF-END */

#endif /* CBC_API_H */
