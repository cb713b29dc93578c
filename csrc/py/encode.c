/* add_keys and add_items: Python arguments encoded straight into core requests. */
#include "fastpath.h"

#include <string.h>

/* `o` as an unsigned int no larger than `max`; None counts as 0, bool as a number. */
static int to_uint(PyObject *o, unsigned long long max, const char *what, unsigned long long *out)
{
    PyObject *idx;
    unsigned long long v;
    if (o == Py_None) {
        *out = 0;
        return 0;
    }
    if (PyLong_Check(o)) {
        Py_INCREF(o);
        idx = o;
    } else if (!PyFloat_Check(o) && PyIndex_Check(o)) {
        idx = PyNumber_Index(o);
        if (idx == NULL) {
            fp__wrap_exc(fp__exc_arg, o, "Invalid %s", what);
            return -1;
        }
    } else {
        fp__raise_exc(fp__exc_arg, o, "Invalid %s: an int is required, not %.80s", what,
                  Py_TYPE(o)->tp_name);
        return -1;
    }
    v = PyLong_AsUnsignedLongLong(idx);
    if (v == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        fp__raise_exc(fp__exc_arg, o, "Invalid %s: %R is out of range", what, idx);
        Py_DECREF(idx);
        return -1;
    }
    if (v > max) {
        fp__raise_exc(fp__exc_arg, o, "Invalid %s: %R is out of range", what, idx);
        Py_DECREF(idx);
        return -1;
    }
    Py_DECREF(idx);
    *out = v;
    return 0;
}

/* A per-key argument: one int for every key, or a list/tuple of one per key. */
typedef struct {
    PyObject *seq; /* borrowed; NULL for a scalar */
    unsigned long long val;
    unsigned long long max;
    const char *what;
} PARAM;

static int param_init(PARAM *p, PyObject *o, unsigned long long max, const char *what, Py_ssize_t n)
{
    p->seq = NULL;
    p->val = 0;
    p->max = max;
    p->what = what;
    if (PyList_Check(o) || PyTuple_Check(o)) {
        if (PySequence_Fast_GET_SIZE(o) != n) {
            fp__raise_exc(fp__exc_arg, o, "%s: %zd values for %zd keys", what, PySequence_Fast_GET_SIZE(o), n);
            return -1;
        }
        p->seq = o;
        return 0;
    }
    return to_uint(o, max, what, &p->val);
}

static int param_get(PARAM *p, Py_ssize_t i, uint64_t *out)
{
    PyObject *o;
    unsigned long long v = p->val;
    int rc = 0;
    if (p->seq != NULL) {
        if ((o = fp__seq_item(p->seq, i)) == NULL)
            return -1;
        rc = to_uint(o, p->max, p->what, &v);
        Py_DECREF(o);
    }
    *out = (uint64_t)v;
    return rc;
}

/* The wire bytes of a key: str as UTF-8 (cached in the str), bytes as they are. */
static int key_view(PyObject *key, const char **p, Py_ssize_t *n)
{
    if (PyUnicode_Check(key)) {
        *p = PyUnicode_AsUTF8AndSize(key, n);
        if (*p == NULL) {
            fp__wrap_exc(fp__exc_fmt, key, "Couldn't encode key as UTF-8");
            return -1;
        }
    } else if (PyBytes_Check(key)) {
        *p = PyBytes_AS_STRING(key);
        *n = PyBytes_GET_SIZE(key);
    } else {
        fp__raise_exc(fp__exc_fmt, key, "Key must be str (or bytes from a transcoder), not %.80s",
                  Py_TYPE(key)->tp_name);
        return -1;
    }
    if (*n == 0) {
        fp__raise_exc(fp__exc_arg, key, "Empty key (i.e. '', empty string) passed");
        return -1;
    }
    if (*n > CBC_KEY_MAX) {
        fp__raise_exc(fp__exc_arg, key, "Key too long: %zd bytes (the limit is %d)", *n, CBC_KEY_MAX);
        return -1;
    }
    return 0;
}

static int core_add(void *batch, const cbc_REQUEST *req, PyObject *key)
{
    cbc_ERROR err;
    err.code = 0;
    err.msg[0] = '\0';
    if (fp__api->batch_add((cbc_BATCH *)batch, req, &err) == 0)
        return 0;
    if (err.code == CBC_ERR_CLIENT_ENOMEM) {
        PyErr_NoMemory();
        return -1;
    }
    err.msg[sizeof err.msg - 1] = '\0';
    fp__raise_exc(fp__exc_arg, key, "Request rejected: %s (core code 0x%X)",
              err.msg[0] ? err.msg : fp__api->strerror(err.code), (unsigned)err.code);
    return -1;
}

/* A fp__converter from couchbase.transcoder's globals (new reference). */
/* ---- add_keys ---- */

static PyObject *add_keys(void *batch, PyObject *const *args, int legacy);
static PyObject *add_items(void *batch, PyObject *const *args, int legacy);

/* The entry points: argument count, batch, and the optional per-call error classes
 * (the argument after the required ones) around the implementation. add_items takes one
 * more optional argument after those: true for the 1.x flags (see add_items). */
static PyObject *with_errors(const char *name, PyObject *const *args, Py_ssize_t nargs, Py_ssize_t want,
                             PyObject *(*impl)(void *, PyObject *const *, int), int more)
{
    void *batch;
    PyObject *save[2], *out;
    int legacy = 0;
    if (more && nargs == want + 2) {
        if ((legacy = PyObject_IsTrue(args[want + 1])) < 0)
            return NULL;
        nargs--;
    }
    if (!fp__check_nargs_opt(name, nargs, want) || !fp__ready() || (batch = fp__batch_from(args[0])) == NULL)
        return NULL;
    if (fp__errors_enter(nargs > want ? args[want] : NULL, save) < 0)
        return NULL;
    out = impl(batch, args, legacy);
    fp__errors_leave(save);
    return out;
}

PyObject *fp_add_keys(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    (void)mod;
    return with_errors("add_keys", args, nargs, 12, add_keys, 0);
}

PyObject *fp_add_items(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    (void)mod;
    return with_errors("add_items", args, nargs, 11, add_items, 1);
}

static PyObject *add_subdoc(void *batch, PyObject *const *args, int legacy);

PyObject *fp_add_subdoc(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    (void)mod;
    return with_errors("add_subdoc", args, nargs, 10, add_subdoc, 0);
}

static PyObject *add_keys(void *batch, PyObject *const *args, int legacy)
{
    /* requests added before this call stay (event-driven batches) */
    size_t n0 = fp__api->batch_size((cbc_BATCH *)batch);
    PyObject *keys;
    Py_ssize_t n, i;
    unsigned long long opcode, collection, replica, durability, dtimeout;
    uint64_t u;
    PARAM expiry, cas, delta, initial, create;
    cbc_REQUEST req;

    (void)legacy; /* flags are add_items' business */
    keys = args[1];
    if (!PyList_Check(keys) && !PyTuple_Check(keys)) {
        fp__raise_exc(fp__exc_arg, keys, "keys must be a list or tuple");
        goto fail;
    }
    n = PySequence_Fast_GET_SIZE(keys);
    if (to_uint(args[2], 0xff, "opcode", &opcode) < 0 ||
        param_init(&expiry, args[3], UINT32_MAX, "expiry", n) < 0 ||
        param_init(&cas, args[4], UINT64_MAX, "cas", n) < 0 ||
        to_uint(args[5], UINT32_MAX, "collection", &collection) < 0 ||
        to_uint(args[6], 0xff, "replica", &replica) < 0 ||
        to_uint(args[7], 0x1ff, "durability", &durability) < 0 ||
        to_uint(args[8], 0xffff, "durability_timeout", &dtimeout) < 0 ||
        param_init(&delta, args[9], UINT64_MAX, "delta", n) < 0 ||
        param_init(&initial, args[10], UINT64_MAX, "initial", n) < 0 ||
        param_init(&create, args[11], UINT64_MAX, "create", n) < 0)
        goto fail;

    memset(&req, 0, sizeof req);
    req.opcode = (uint8_t)opcode;
    req.server = -1;
    req.replica = (uint8_t)replica;
    req.durability = (uint8_t)durability;
    req.preserve_ttl = (durability & FP_PRESERVE_TTL) != 0;
    req.durability_timeout_ms = (uint16_t)dtimeout;
    req.collection = (uint32_t)collection;
    req.expiry = (uint32_t)expiry.val;
    req.cas = cas.val;
    req.delta = delta.val;
    req.initial = initial.val;
    req.create = create.val != 0;

    for (i = 0; i < n; i++) {
        const char *kp;
        Py_ssize_t nk;
        PyObject *key = fp__seq_item(keys, i);
        if (key == NULL)
            goto fail;
        if (key_view(key, &kp, &nk) < 0)
            goto fail_key;
        req.key = kp;
        req.nkey = (size_t)nk;
        if (expiry.seq) {
            if (param_get(&expiry, i, &u) < 0)
                goto fail_key;
            req.expiry = (uint32_t)u;
        }
        if (cas.seq && param_get(&cas, i, &req.cas) < 0)
            goto fail_key;
        if (delta.seq && param_get(&delta, i, &req.delta) < 0)
            goto fail_key;
        if (initial.seq && param_get(&initial, i, &req.initial) < 0)
            goto fail_key;
        if (create.seq) {
            if (param_get(&create, i, &u) < 0)
                goto fail_key;
            req.create = u != 0;
        }
        if (core_add(batch, &req, key) < 0)
            goto fail_key;
        Py_DECREF(key);
        continue;
    fail_key:
        Py_DECREF(key);
        goto fail;
    }
    return PyLong_FromSsize_t(n);

fail:
    fp__api->batch_undo((cbc_BATCH *)batch, n0);
    return NULL;
}

/* ---- add_items: value encoding ---- */

typedef struct {
    const char *p;
    Py_ssize_t n;
    PyObject *owner; /* new reference keeping p alive (may be NULL) */
    uint32_t flags;
    uint8_t datatype;
} ENCODED;

static int auto_format(PyObject *v)
{
    if (PyUnicode_Check(v))
        return F_UTF8;
    if (PyBytes_Check(v) || PyByteArray_Check(v))
        return F_BYTES;
    if (PyDict_Check(v) || PyList_Check(v) || PyTuple_Check(v) || PyBool_Check(v) || v == Py_None)
        return F_JSON;
    return F_PICKLE;
}

/* Encode with a built-in format. */
static int encode_builtin(int f, PyObject *v, CONVERTERS *conv, const uint32_t *flags, ENCODED *out)
{
    PyObject *fn, *r;
    const char *what;
    out->owner = NULL;
    out->datatype = 0;
    switch (f) {
    case F_UTF8:
        out->flags = flags[F_UTF8];
        if (!PyUnicode_Check(v)) {
            fp__raise_exc(fp__exc_fmt, v, "Expected str for FMT_UTF8, got %.80s", Py_TYPE(v)->tp_name);
            return -1;
        }
        if ((out->p = PyUnicode_AsUTF8AndSize(v, &out->n)) == NULL) {
            fp__wrap_exc(fp__exc_fmt, v, "Couldn't encode value as UTF-8");
            return -1;
        }
        return 0;
    case F_BYTES:
        out->flags = flags[F_BYTES];
        if (PyBytes_Check(v)) {
            out->p = PyBytes_AS_STRING(v);
            out->n = PyBytes_GET_SIZE(v);
        } else if (PyByteArray_Check(v)) {
            /* no Python code runs before the core copies it */
            out->p = PyByteArray_AS_STRING(v);
            out->n = PyByteArray_GET_SIZE(v);
        } else {
            fp__raise_exc(fp__exc_fmt, v, "Expected bytes or bytearray for FMT_BYTES, got %.80s",
                      Py_TYPE(v)->tp_name);
            return -1;
        }
        return 0;
    case F_JSON:
        out->flags = flags[F_JSON];
        out->datatype = DATATYPE_JSON;
        fn = fp__conv_get(&conv->json_enc, fp__str_json_enc);
        what = "JSON";
        break;
    default:
        out->flags = flags[F_PICKLE];
        fn = fp__conv_get(&conv->pickle_enc, fp__str_pickle_enc);
        what = "pickle";
        break;
    }
    if (fn == NULL)
        return -1;
    if ((r = PyObject_CallOneArg(fn, v)) == NULL) {
        fp__wrap_exc(fp__exc_fmt, v, "Couldn't encode value as %s", what);
        return -1;
    }
    if (PyBytes_Check(r)) {
        out->p = PyBytes_AS_STRING(r);
        out->n = PyBytes_GET_SIZE(r);
    } else if (PyUnicode_Check(r)) {
        if ((out->p = PyUnicode_AsUTF8AndSize(r, &out->n)) == NULL) {
            Py_DECREF(r);
            fp__wrap_exc(fp__exc_fmt, v, "Couldn't encode the %s text as UTF-8", what);
            return -1;
        }
    } else {
        fp__raise_exc(fp__exc_fmt, v, "The %s encoder returned %.80s, not str or bytes", what,
                  Py_TYPE(r)->tp_name);
        Py_DECREF(r);
        return -1;
    }
    out->owner = r;
    return 0;
}

/* Encode with a user callable returning (bytes, flags); the flags are kept unmasked. */
static int encode_custom(PyObject *encoder, PyObject *v, ENCODED *out)
{
    PyObject *r = PyObject_CallOneArg(encoder, v), *b, *fl;
    unsigned long long flags;
    out->owner = NULL;
    out->datatype = 0;
    if (r == NULL) {
        if (!PyErr_ExceptionMatches(fp__exc_fmt)) {
            if (!PyErr_ExceptionMatches(PyExc_Exception))
                return -1;
            fp__wrap_exc(fp__exc_fmt, v, "User-Defined transcoder failed");
        }
        return -1;
    }
    if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 2) {
        fp__raise_exc(fp__exc_fmt, r, "Transcoder.encode_value must return a (bytes, flags) tuple, not %.80s",
                  Py_TYPE(r)->tp_name);
        goto fail;
    }
    b = PyTuple_GET_ITEM(r, 0);
    fl = PyTuple_GET_ITEM(r, 1);
    if (!PyBytes_Check(b)) {
        fp__raise_exc(fp__exc_fmt, r, "Transcoder.encode_value must return bytes, not %.80s",
                  Py_TYPE(b)->tp_name);
        goto fail;
    }
    if (!PyLong_Check(fl)) {
        fp__raise_exc(fp__exc_fmt, r, "Transcoder.encode_value flags must be an int, not %.80s",
                  Py_TYPE(fl)->tp_name);
        goto fail;
    }
    flags = PyLong_AsUnsignedLongLong(fl);
    if ((flags == (unsigned long long)-1 && PyErr_Occurred()) || flags > UINT32_MAX) {
        PyErr_Clear();
        fp__raise_exc(fp__exc_fmt, r, "Transcoder.encode_value flags %R do not fit 32 bits", fl);
        goto fail;
    }
    out->p = PyBytes_AS_STRING(b);
    out->n = PyBytes_GET_SIZE(b);
    out->flags = (uint32_t)flags;
    out->owner = r;
    return 0;
fail:
    Py_DECREF(r);
    return -1;
}

static PyObject *add_items(void *batch, PyObject *const *args, int legacy)
{
    /* requests added before this call stay (event-driven batches) */
    size_t n0 = fp__api->batch_size((cbc_BATCH *)batch);
    PyObject *keys, *values, *fmt, *encoder;
    Py_ssize_t n, i;
    unsigned long long opcode, collection, durability, dtimeout, fmtbits = 0;
    uint64_t u;
    int fixed = -1, keep_flags;
    uint32_t flags[5]; /* the flags written for each format in this call */
    PARAM expiry, cas;
    CONVERTERS conv = {NULL, NULL, NULL, NULL};
    cbc_REQUEST req;

    keys = args[1];
    values = args[2];
    fmt = args[4];
    encoder = args[10];
    if (!PyList_Check(keys) && !PyTuple_Check(keys)) {
        fp__raise_exc(fp__exc_arg, keys, "keys must be a list or tuple");
        goto fail;
    }
    if (!PyList_Check(values) && !PyTuple_Check(values)) {
        fp__raise_exc(fp__exc_arg, values, "values must be a list or tuple");
        goto fail;
    }
    n = PySequence_Fast_GET_SIZE(keys);
    if (PySequence_Fast_GET_SIZE(values) != n) {
        fp__raise_exc(fp__exc_arg, values, "%zd values for %zd keys", PySequence_Fast_GET_SIZE(values), n);
        goto fail;
    }
    if (encoder == fp__auto_encode) {
        encoder = Py_None; /* transcoder.auto_encode is the built-in FMT_AUTO rule: done here */
    } else if (encoder == Py_None && fmt != fp__fmt_auto) {
        if (to_uint(fmt, UINT32_MAX, "format", &fmtbits) < 0)
            goto fail;
        fixed = fp__legacy_format(fmtbits); /* one format for every value */
    } else if (encoder != Py_None && !PyCallable_Check(encoder)) {
        fp__raise_exc(fp__exc_arg, encoder, "encoder must be callable");
        goto fail;
    }
    memcpy(flags, legacy ? fp__legacy_flags : fp__flags, sizeof flags);
    if (legacy && fixed >= 0)
        flags[fixed] = (uint32_t)(fmtbits & FMT_MASK_1X); /* 1.x: the format argument's low bits */
    if (to_uint(args[3], 0xff, "opcode", &opcode) < 0 ||
        param_init(&expiry, args[5], UINT32_MAX, "expiry", n) < 0 ||
        param_init(&cas, args[6], UINT64_MAX, "cas", n) < 0 ||
        to_uint(args[7], UINT32_MAX, "collection", &collection) < 0 ||
        to_uint(args[8], 0x1ff, "durability", &durability) < 0 ||
        to_uint(args[9], 0xffff, "durability_timeout", &dtimeout) < 0)
        goto fail;
    /* append/prepend: the server keeps the document's flags */
    keep_flags = opcode == CBC_OP_APPEND || opcode == CBC_OP_PREPEND;

    memset(&req, 0, sizeof req);
    req.opcode = (uint8_t)opcode;
    req.server = -1;
    req.durability = (uint8_t)durability;
    req.preserve_ttl = (durability & FP_PRESERVE_TTL) != 0;
    req.durability_timeout_ms = (uint16_t)dtimeout;
    req.collection = (uint32_t)collection;
    req.expiry = (uint32_t)expiry.val;
    req.cas = cas.val;

    for (i = 0; i < n; i++) {
        const char *kp;
        Py_ssize_t nk;
        ENCODED enc;
        PyObject *value = NULL, *key = fp__seq_item(keys, i);
        enc.owner = NULL;
        if (key == NULL)
            goto fail;
        if (key_view(key, &kp, &nk) < 0 || (value = fp__seq_item(values, i)) == NULL)
            goto fail_item;
        if (expiry.seq) {
            if (param_get(&expiry, i, &u) < 0)
                goto fail_item;
            req.expiry = (uint32_t)u;
        }
        if (cas.seq && param_get(&cas, i, &req.cas) < 0)
            goto fail_item;
        /* the value last: from here to core_add no Python code runs, so a bytearray's
         * buffer cannot move under us */
        if (encoder != Py_None) {
            if (encode_custom(encoder, value, &enc) < 0)
                goto fail_item;
        } else if (encode_builtin(fixed >= 0 ? fixed : auto_format(value), value, &conv, flags, &enc) < 0) {
            goto fail_item;
        }
        req.key = kp;
        req.nkey = (size_t)nk;
        req.value = enc.p;
        req.nvalue = (size_t)enc.n;
        req.flags = keep_flags ? 0 : enc.flags;
        req.datatype = keep_flags ? 0 : enc.datatype;
        if (core_add(batch, &req, key) < 0)
            goto fail_item;
        Py_DECREF(key);
        Py_DECREF(value);
        Py_XDECREF(enc.owner);
        continue;
    fail_item:
        Py_DECREF(key);
        Py_XDECREF(value);
        Py_XDECREF(enc.owner);
        goto fail;
    }
    fp__conv_release(&conv);
    return PyLong_FromSsize_t(n);

fail:
    fp__conv_release(&conv);
    fp__api->batch_undo((cbc_BATCH *)batch, n0);
    return NULL;
}


/* ---- add_subdoc: one sub-document request whose body and extras Python has built ---- */

/* args: batch, key, opcode, value (bytes), extras (bytes), cas, collection, durability
 * (| FP_PRESERVE_TTL), durability_timeout, replica */
static PyObject *add_subdoc(void *batch, PyObject *const *args, int legacy)
{
    /* requests added before this call stay (event-driven batches) */
    size_t n0 = fp__api->batch_size((cbc_BATCH *)batch);
    PyObject *key = args[1], *value = args[3], *extras = args[4];
    unsigned long long opcode, cas, collection, durability, dtimeout, replica;
    const char *kp;
    Py_ssize_t nk;
    cbc_REQUEST req;

    (void)legacy;
    if (!PyBytes_Check(value) || !PyBytes_Check(extras)) {
        fp__raise_exc(fp__exc_arg, value, "sub-document value and extras must be bytes");
        goto fail;
    }
    if (PyBytes_GET_SIZE(extras) > 0xff) {
        fp__raise_exc(fp__exc_arg, extras, "sub-document extras too long");
        goto fail;
    }
    if (key_view(key, &kp, &nk) < 0 ||
        to_uint(args[2], 0xff, "opcode", &opcode) < 0 ||
        to_uint(args[5], UINT64_MAX, "cas", &cas) < 0 ||
        to_uint(args[6], UINT32_MAX, "collection", &collection) < 0 ||
        to_uint(args[7], 0x1ff, "durability", &durability) < 0 ||
        to_uint(args[8], 0xffff, "durability_timeout", &dtimeout) < 0 ||
        to_uint(args[9], 0xff, "replica", &replica) < 0)
        goto fail;
    memset(&req, 0, sizeof req);
    req.opcode = (uint8_t)opcode;
    req.server = -1;
    req.replica = (uint8_t)replica;
    req.durability = (uint8_t)durability;
    req.preserve_ttl = (durability & FP_PRESERVE_TTL) != 0;
    req.durability_timeout_ms = (uint16_t)dtimeout;
    req.collection = (uint32_t)collection;
    req.cas = (uint64_t)cas;
    req.key = kp;
    req.nkey = (size_t)nk;
    req.value = PyBytes_AS_STRING(value);
    req.nvalue = (size_t)PyBytes_GET_SIZE(value);
    req.extras = PyBytes_AS_STRING(extras);
    req.nextras = (size_t)PyBytes_GET_SIZE(extras);
    /* a JSON-typed body would not be the spec list the server expects: raw */
    req.datatype = 0;
    if (core_add(batch, &req, key) < 0)
        goto fail;
    return PyLong_FromLong(1);

fail:
    fp__api->batch_undo((cbc_BATCH *)batch, n0);
    return NULL;
}
