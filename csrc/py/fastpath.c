/* couchbase._fastpath: the per-key hot path of the Python layer, in C.
 *
 * Two jobs, both per key and both too slow in Python bytecode (about 1 us a key):
 *   - encode requests from Python arguments straight into a core batch
 *     (add_keys, add_items);
 *   - turn a finished batch into result objects and a MultiResult (build,
 *     build_single).
 * It links none of the core's symbols. The core is reached only through the
 * cbc_API function table whose address couchbase._batch hands to init(), so
 * this module and couchbase._core share one copy of the core. Batches arrive
 * as integer addresses. couchbase/_batch_py.py implements the same functions
 * with cffi and is the test oracle: behaviour changes go into both.
 *
 * Every function runs with the GIL held. Python code can run in the middle of
 * a call (JSON/pickle converters, transcoders, warnings), so list items are
 * fetched with a bounds check and held with a strong reference while used. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <string.h>

#include "cbc_api.h"
#include "errors.h" /* CBC_ERR_* numbers only; nothing is linked */

#define KEY_MAX 250
#define OP_APPEND 0x0e
#define OP_PREPEND 0x0f

/* 1.x format codes (low bits) and the flags written for them: RFC 0020
 * common flags in the top byte plus the 1.x legacy bits. */
enum { F_JSON = 0, F_PICKLE = 1, F_BYTES = 2, F_UTF8 = 4 };
#define FLAGS_JSON 0x02000000u
#define FLAGS_PICKLE 0x01000001u
#define FLAGS_BYTES 0x03000002u
#define FLAGS_UTF8 0x04000004u
#define DATATYPE_JSON 1

enum { K_VALUE, K_COUNTER, K_OP, K_UNLOCK };

/* ---- state set by init() ---- */

static const cbc_API *g_api;
static PyObject *g_exc_arg;       /* ArgumentError */
static PyObject *g_exc_fmt;       /* ValueFormatError */
static PyObject *g_tc_globals;    /* couchbase.transcoder.__dict__: converters read per call */
static PyObject *g_fmt_auto;      /* the FMT_AUTO sentinel */
static PyObject *g_auto_encode;   /* couchbase.transcoder.auto_encode: handled natively */
static PyObject *g_str_json_enc, *g_str_json_dec, *g_str_pickle_enc, *g_str_pickle_dec;
static PyObject *g_str_pyexc, *g_str_decode_value;

/* ---- ResultBase: the data layout of every result class ---- */

typedef struct {
    PyObject_HEAD
    PyObject *key;   /* NULL: unset (AttributeError) */
    PyObject *value; /* NULL reads as None */
    PyObject *extra; /* anything a subclass needs; decode failures put the exception here */
    unsigned long long cas;
    unsigned long long vbuuid;
    unsigned long long seqno;
    int rc;
    unsigned int flags;
    int vbucket;
} ResultObject;

static PyTypeObject ResultBase_Type;

static int rb_traverse(ResultObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->key);
    Py_VISIT(self->value);
    Py_VISIT(self->extra);
    return 0;
}

static int rb_clear(ResultObject *self)
{
    Py_CLEAR(self->key);
    Py_CLEAR(self->value);
    Py_CLEAR(self->extra);
    return 0;
}

static void rb_dealloc(ResultObject *self)
{
    PyObject_GC_UnTrack(self);
    rb_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Strict unsigned conversion for the keyword constructor. */
static int rb_uint(PyObject *o, unsigned long long max, const char *what, unsigned long long *out)
{
    unsigned long long v;
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, not %.80s", what, Py_TYPE(o)->tp_name);
        return -1;
    }
    v = PyLong_AsUnsignedLongLong(o);
    if (v == (unsigned long long)-1 && PyErr_Occurred())
        return -1;
    if (v > max) {
        PyErr_Format(PyExc_OverflowError, "%s out of range", what);
        return -1;
    }
    *out = v;
    return 0;
}

static int rb_init(ResultObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"rc", "key", "value", "cas", "flags", NULL};
    PyObject *rc = NULL, *key = NULL, *value = NULL, *cas = NULL, *flags = NULL;
    unsigned long long u;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|$OOOOO:ResultBase", kwlist, &rc, &key, &value,
                                     &cas, &flags))
        return -1;
    if (rc) {
        long v = PyLong_AsLong(rc);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (v < INT_MIN || v > INT_MAX) {
            PyErr_SetString(PyExc_OverflowError, "rc out of range");
            return -1;
        }
        self->rc = (int)v;
    }
    if (cas) {
        if (rb_uint(cas, UINT64_MAX, "cas", &u) < 0)
            return -1;
        self->cas = u;
    }
    if (flags) {
        if (rb_uint(flags, UINT32_MAX, "flags", &u) < 0)
            return -1;
        self->flags = (unsigned int)u;
    }
    if (key) {
        Py_INCREF(key);
        Py_XSETREF(self->key, key);
    }
    if (value) {
        Py_INCREF(value);
        Py_XSETREF(self->value, value);
    }
    return 0;
}

static PyMemberDef rb_members[] = {
    {"rc", T_INT, offsetof(ResultObject, rc), 0, "core status code (0 = success)"},
    {"key", T_OBJECT_EX, offsetof(ResultObject, key), 0, "the key (AttributeError when unset)"},
    {"value", T_OBJECT, offsetof(ResultObject, value), 0, "the value (None when unset)"},
    {"cas", T_ULONGLONG, offsetof(ResultObject, cas), 0, "CAS (u64, 0 when absent)"},
    {"flags", T_UINT, offsetof(ResultObject, flags), 0, "item flags (u32)"},
    {"_vbuuid", T_ULONGLONG, offsetof(ResultObject, vbuuid), 0, "mutation token: vBucket UUID"},
    {"_seqno", T_ULONGLONG, offsetof(ResultObject, seqno), 0, "mutation token: sequence number"},
    {"_vbucket", T_INT, offsetof(ResultObject, vbucket), 0, "vBucket the request went to"},
    {"_extra", T_OBJECT, offsetof(ResultObject, extra), 0, "free slot for subclasses"},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject ResultBase_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "couchbase._fastpath.ResultBase",
    .tp_basicsize = sizeof(ResultObject),
    .tp_dealloc = (destructor)rb_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Data layout of the result classes: rc, key, value, cas, flags and a free _extra slot.\n"
              "ResultBase(*, rc=0, key=<unset>, value=None, cas=0, flags=0)",
    .tp_traverse = (traverseproc)rb_traverse,
    .tp_clear = (inquiry)rb_clear,
    .tp_members = rb_members,
    .tp_init = (initproc)rb_init,
    .tp_new = PyType_GenericNew,
};

/* ---- errors ---- */

/* The pending exception, normalised and with its traceback, or NULL. */
static PyObject *take_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    if (t == NULL)
        return NULL;
    PyErr_NormalizeException(&t, &v, &tb);
    if (v == NULL) {
        v = t;
        t = NULL;
    } else if (tb != NULL) {
        PyException_SetTraceback(v, tb);
    }
    Py_XDECREF(t);
    Py_XDECREF(tb);
    return v;
#endif
}

/* Raise cls.pyexc(message, obj, inner). */
static void raise_v(PyObject *cls, PyObject *obj, PyObject *inner, const char *fmt, va_list ap)
{
    PyObject *msg = PyUnicode_FromFormatV(fmt, ap), *exc;
    if (msg == NULL)
        return;
    exc = PyObject_CallMethodObjArgs(cls, g_str_pyexc, msg, obj ? obj : Py_None,
                                     inner ? inner : Py_None, NULL);
    Py_DECREF(msg);
    if (exc == NULL)
        return;
    if (PyExceptionInstance_Check(exc))
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    else
        PyErr_SetString(PyExc_TypeError, "pyexc() did not return an exception");
    Py_DECREF(exc);
}

static void raise_exc(PyObject *cls, PyObject *obj, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    raise_v(cls, obj, NULL, fmt, ap);
    va_end(ap);
}

/* Replace the pending exception with cls.pyexc(message, obj, inner=<it>). */
static void wrap_exc(PyObject *cls, PyObject *obj, const char *fmt, ...)
{
    va_list ap;
    PyObject *inner = take_exception();
    va_start(ap, fmt);
    raise_v(cls, obj, inner, fmt, ap);
    va_end(ap);
    Py_XDECREF(inner);
}

/* ---- argument helpers ---- */

static int ready(void)
{
    if (g_api != NULL)
        return 1;
    PyErr_SetString(PyExc_RuntimeError, "couchbase._fastpath.init() has not run");
    return 0;
}

static int check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t want)
{
    if (nargs == want)
        return 1;
    PyErr_Format(PyExc_TypeError, "%s() takes %zd positional arguments (%zd given)", name, want, nargs);
    return 0;
}

static void *batch_from(PyObject *addr)
{
    void *p = PyLong_Check(addr) ? PyLong_AsVoidPtr(addr) : NULL;
    if (p == NULL && !PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, "batch must be a non-zero address (int)");
    return p;
}

/* Item i of a list or tuple as a new reference; a list may have shrunk. */
static PyObject *seq_item(PyObject *seq, Py_ssize_t i)
{
    PyObject *o;
    if (PyTuple_Check(seq)) {
        o = PyTuple_GET_ITEM(seq, i);
    } else {
        if (i >= PyList_GET_SIZE(seq)) {
            PyErr_SetString(PyExc_RuntimeError, "list changed size during the call");
            return NULL;
        }
        o = PyList_GET_ITEM(seq, i);
    }
    Py_INCREF(o);
    return o;
}

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
            wrap_exc(g_exc_arg, o, "Invalid %s", what);
            return -1;
        }
    } else {
        raise_exc(g_exc_arg, o, "Invalid %s: an int is required, not %.80s", what,
                  Py_TYPE(o)->tp_name);
        return -1;
    }
    v = PyLong_AsUnsignedLongLong(idx);
    if (v == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        raise_exc(g_exc_arg, o, "Invalid %s: %R is out of range", what, idx);
        Py_DECREF(idx);
        return -1;
    }
    if (v > max) {
        raise_exc(g_exc_arg, o, "Invalid %s: %R is out of range", what, idx);
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
            raise_exc(g_exc_arg, o, "%s: %zd values for %zd keys", what, PySequence_Fast_GET_SIZE(o), n);
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
        if ((o = seq_item(p->seq, i)) == NULL)
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
            wrap_exc(g_exc_fmt, key, "Couldn't encode key as UTF-8");
            return -1;
        }
    } else if (PyBytes_Check(key)) {
        *p = PyBytes_AS_STRING(key);
        *n = PyBytes_GET_SIZE(key);
    } else {
        raise_exc(g_exc_fmt, key, "Key must be str (or bytes from a transcoder), not %.80s",
                  Py_TYPE(key)->tp_name);
        return -1;
    }
    if (*n == 0) {
        raise_exc(g_exc_arg, key, "Empty key (i.e. '', empty string) passed");
        return -1;
    }
    if (*n > KEY_MAX) {
        raise_exc(g_exc_arg, key, "Key too long: %zd bytes (the limit is %d)", *n, KEY_MAX);
        return -1;
    }
    return 0;
}

static int core_add(void *batch, const cbc_REQUEST *req, PyObject *key)
{
    cbc_ERROR err;
    err.code = 0;
    err.msg[0] = '\0';
    if (g_api->batch_add((cbc_BATCH *)batch, req, &err) == 0)
        return 0;
    if (err.code == CBC_ERR_CLIENT_ENOMEM) {
        PyErr_NoMemory();
        return -1;
    }
    err.msg[sizeof err.msg - 1] = '\0';
    raise_exc(g_exc_arg, key, "Request rejected: %s (core code 0x%X)",
              err.msg[0] ? err.msg : g_api->strerror(err.code), (unsigned)err.code);
    return -1;
}

/* A converter from couchbase.transcoder's globals (new reference). */
static PyObject *converter(PyObject *name)
{
    PyObject *f = PyDict_GetItemWithError(g_tc_globals, name);
    if (f == NULL) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_RuntimeError, "couchbase.transcoder has no %U", name);
        return NULL;
    }
    Py_INCREF(f);
    return f;
}

/* ---- add_keys ---- */

PyDoc_STRVAR(add_keys_doc,
             "add_keys(batch_addr, keys, opcode, expiry, cas, collection, replica, durability,\n"
             "         durability_timeout, delta, initial, create) -> int\n\n"
             "Add one request per key (see couchbase._batch.add_keys). On error the batch is reset.");

static PyObject *fp_add_keys(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    void *batch;
    PyObject *keys;
    Py_ssize_t n, i;
    unsigned long long opcode, collection, replica, durability, dtimeout;
    uint64_t u;
    PARAM expiry, cas, delta, initial, create;
    cbc_REQUEST req;
    (void)mod;

    if (!check_nargs("add_keys", nargs, 12) || !ready() || (batch = batch_from(args[0])) == NULL)
        return NULL;
    keys = args[1];
    if (!PyList_Check(keys) && !PyTuple_Check(keys)) {
        raise_exc(g_exc_arg, keys, "keys must be a list or tuple");
        goto fail;
    }
    n = PySequence_Fast_GET_SIZE(keys);
    if (to_uint(args[2], 0xff, "opcode", &opcode) < 0 ||
        param_init(&expiry, args[3], UINT32_MAX, "expiry", n) < 0 ||
        param_init(&cas, args[4], UINT64_MAX, "cas", n) < 0 ||
        to_uint(args[5], UINT32_MAX, "collection", &collection) < 0 ||
        to_uint(args[6], 0xff, "replica", &replica) < 0 ||
        to_uint(args[7], 0xff, "durability", &durability) < 0 ||
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
        PyObject *key = seq_item(keys, i);
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
    g_api->batch_reset((cbc_BATCH *)batch);
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

/* Converters, fetched from couchbase.transcoder on first use within one call. */
typedef struct {
    PyObject *json_enc, *json_dec, *pickle_enc, *pickle_dec;
} CONVERTERS;

static void conv_release(CONVERTERS *c)
{
    Py_CLEAR(c->json_enc);
    Py_CLEAR(c->json_dec);
    Py_CLEAR(c->pickle_enc);
    Py_CLEAR(c->pickle_dec);
}

static PyObject *conv_get(PyObject **slot, PyObject *name)
{
    if (*slot == NULL)
        *slot = converter(name);
    return *slot;
}

/* The 1.x rule: bits tested in the order UTF8, BYTES, PICKLE; else JSON. */
static int legacy_format(unsigned long long f)
{
    return (f & 4) ? F_UTF8 : (f & 2) ? F_BYTES : (f & 1) ? F_PICKLE : F_JSON;
}

/* FMT_AUTO: str -> UTF8, bytes-like -> BYTES, containers/bool/None -> JSON, else PICKLE. */
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
static int encode_builtin(int f, PyObject *v, CONVERTERS *conv, ENCODED *out)
{
    PyObject *fn, *r;
    const char *what;
    out->owner = NULL;
    out->datatype = 0;
    switch (f) {
    case F_UTF8:
        out->flags = FLAGS_UTF8;
        if (!PyUnicode_Check(v)) {
            raise_exc(g_exc_fmt, v, "Expected str for FMT_UTF8, got %.80s", Py_TYPE(v)->tp_name);
            return -1;
        }
        if ((out->p = PyUnicode_AsUTF8AndSize(v, &out->n)) == NULL) {
            wrap_exc(g_exc_fmt, v, "Couldn't encode value as UTF-8");
            return -1;
        }
        return 0;
    case F_BYTES:
        out->flags = FLAGS_BYTES;
        if (PyBytes_Check(v)) {
            out->p = PyBytes_AS_STRING(v);
            out->n = PyBytes_GET_SIZE(v);
        } else if (PyByteArray_Check(v)) {
            /* no Python code runs before the core copies it */
            out->p = PyByteArray_AS_STRING(v);
            out->n = PyByteArray_GET_SIZE(v);
        } else {
            raise_exc(g_exc_fmt, v, "Expected bytes or bytearray for FMT_BYTES, got %.80s",
                      Py_TYPE(v)->tp_name);
            return -1;
        }
        return 0;
    case F_JSON:
        out->flags = FLAGS_JSON;
        out->datatype = DATATYPE_JSON;
        fn = conv_get(&conv->json_enc, g_str_json_enc);
        what = "JSON";
        break;
    default:
        out->flags = FLAGS_PICKLE;
        fn = conv_get(&conv->pickle_enc, g_str_pickle_enc);
        what = "pickle";
        break;
    }
    if (fn == NULL)
        return -1;
    if ((r = PyObject_CallOneArg(fn, v)) == NULL) {
        wrap_exc(g_exc_fmt, v, "Couldn't encode value as %s", what);
        return -1;
    }
    if (PyBytes_Check(r)) {
        out->p = PyBytes_AS_STRING(r);
        out->n = PyBytes_GET_SIZE(r);
    } else if (PyUnicode_Check(r)) {
        if ((out->p = PyUnicode_AsUTF8AndSize(r, &out->n)) == NULL) {
            Py_DECREF(r);
            wrap_exc(g_exc_fmt, v, "Couldn't encode the %s text as UTF-8", what);
            return -1;
        }
    } else {
        raise_exc(g_exc_fmt, v, "The %s encoder returned %.80s, not str or bytes", what,
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
        if (!PyErr_ExceptionMatches(g_exc_fmt)) {
            if (!PyErr_ExceptionMatches(PyExc_Exception))
                return -1;
            wrap_exc(g_exc_fmt, v, "User-Defined transcoder failed");
        }
        return -1;
    }
    if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 2) {
        raise_exc(g_exc_fmt, r, "Transcoder.encode_value must return a (bytes, flags) tuple, not %.80s",
                  Py_TYPE(r)->tp_name);
        goto fail;
    }
    b = PyTuple_GET_ITEM(r, 0);
    fl = PyTuple_GET_ITEM(r, 1);
    if (!PyBytes_Check(b)) {
        raise_exc(g_exc_fmt, r, "Transcoder.encode_value must return bytes, not %.80s",
                  Py_TYPE(b)->tp_name);
        goto fail;
    }
    if (!PyLong_Check(fl)) {
        raise_exc(g_exc_fmt, r, "Transcoder.encode_value flags must be an int, not %.80s",
                  Py_TYPE(fl)->tp_name);
        goto fail;
    }
    flags = PyLong_AsUnsignedLongLong(fl);
    if ((flags == (unsigned long long)-1 && PyErr_Occurred()) || flags > UINT32_MAX) {
        PyErr_Clear();
        raise_exc(g_exc_fmt, r, "Transcoder.encode_value flags %R do not fit 32 bits", fl);
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

PyDoc_STRVAR(add_items_doc,
             "add_items(batch_addr, keys, values, opcode, fmt, expiry, cas, collection, durability,\n"
             "          durability_timeout, encoder) -> int\n\n"
             "Add one store request per (key, value) (see couchbase._batch.add_items). On error the\n"
             "batch is reset.");

static PyObject *fp_add_items(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    void *batch;
    PyObject *keys, *values, *fmt, *encoder;
    Py_ssize_t n, i;
    unsigned long long opcode, collection, durability, dtimeout, fmtbits;
    uint64_t u;
    int fixed = -1, keep_flags;
    PARAM expiry, cas;
    CONVERTERS conv = {NULL, NULL, NULL, NULL};
    cbc_REQUEST req;
    (void)mod;

    if (!check_nargs("add_items", nargs, 11) || !ready() || (batch = batch_from(args[0])) == NULL)
        return NULL;
    keys = args[1];
    values = args[2];
    fmt = args[4];
    encoder = args[10];
    if (!PyList_Check(keys) && !PyTuple_Check(keys)) {
        raise_exc(g_exc_arg, keys, "keys must be a list or tuple");
        goto fail;
    }
    if (!PyList_Check(values) && !PyTuple_Check(values)) {
        raise_exc(g_exc_arg, values, "values must be a list or tuple");
        goto fail;
    }
    n = PySequence_Fast_GET_SIZE(keys);
    if (PySequence_Fast_GET_SIZE(values) != n) {
        raise_exc(g_exc_arg, values, "%zd values for %zd keys", PySequence_Fast_GET_SIZE(values), n);
        goto fail;
    }
    if (encoder == g_auto_encode) {
        encoder = Py_None; /* transcoder.auto_encode is the built-in FMT_AUTO rule: done here */
    } else if (encoder == Py_None && fmt != g_fmt_auto) {
        if (to_uint(fmt, UINT32_MAX, "format", &fmtbits) < 0)
            goto fail;
        fixed = legacy_format(fmtbits); /* one format for every value */
    } else if (encoder != Py_None && !PyCallable_Check(encoder)) {
        raise_exc(g_exc_arg, encoder, "encoder must be callable");
        goto fail;
    }
    if (to_uint(args[3], 0xff, "opcode", &opcode) < 0 ||
        param_init(&expiry, args[5], UINT32_MAX, "expiry", n) < 0 ||
        param_init(&cas, args[6], UINT64_MAX, "cas", n) < 0 ||
        to_uint(args[7], UINT32_MAX, "collection", &collection) < 0 ||
        to_uint(args[8], 0xff, "durability", &durability) < 0 ||
        to_uint(args[9], 0xffff, "durability_timeout", &dtimeout) < 0)
        goto fail;
    /* append/prepend: the server keeps the document's flags */
    keep_flags = opcode == OP_APPEND || opcode == OP_PREPEND;

    memset(&req, 0, sizeof req);
    req.opcode = (uint8_t)opcode;
    req.server = -1;
    req.durability = (uint8_t)durability;
    req.durability_timeout_ms = (uint16_t)dtimeout;
    req.collection = (uint32_t)collection;
    req.expiry = (uint32_t)expiry.val;
    req.cas = cas.val;

    for (i = 0; i < n; i++) {
        const char *kp;
        Py_ssize_t nk;
        ENCODED enc;
        PyObject *value = NULL, *key = seq_item(keys, i);
        enc.owner = NULL;
        if (key == NULL)
            goto fail;
        if (key_view(key, &kp, &nk) < 0 || (value = seq_item(values, i)) == NULL)
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
        } else if (encode_builtin(fixed >= 0 ? fixed : auto_format(value), value, &conv, &enc) < 0) {
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
    conv_release(&conv);
    return PyLong_FromSsize_t(n);

fail:
    conv_release(&conv);
    g_api->batch_reset((cbc_BATCH *)batch);
    return NULL;
}

/* ---- build: results to objects ---- */

typedef struct {
    int kind;
    PyTypeObject *cls;      /* the class built for this kind */
    int raw;                /* values stay bytes */
    PyObject *decode_value; /* bound transcoder.decode_value, or NULL */
    PyObject *flags_arg;    /* no_format with a transcoder: decode_value gets FMT_BYTES */
    CONVERTERS conv;
} BUILD;

static void build_release(BUILD *b)
{
    Py_CLEAR(b->decode_value);
    Py_CLEAR(b->flags_arg);
    conv_release(&b->conv);
}

static int kind_of(PyObject *kind)
{
    if (PyUnicode_Check(kind)) {
        if (PyUnicode_CompareWithASCIIString(kind, "value") == 0)
            return K_VALUE;
        if (PyUnicode_CompareWithASCIIString(kind, "op") == 0)
            return K_OP;
        if (PyUnicode_CompareWithASCIIString(kind, "counter") == 0)
            return K_COUNTER;
        if (PyUnicode_CompareWithASCIIString(kind, "unlock") == 0)
            return K_UNLOCK;
    }
    PyErr_Format(PyExc_ValueError, "unknown result kind %R", kind);
    return -1;
}

static int build_init(BUILD *b, PyObject *kind, PyObject *value_cls, PyObject *op_cls,
                      PyObject *passthrough, PyObject *transcoder, PyObject *no_format)
{
    PyObject *cls;
    int pt, nf;
    memset(b, 0, sizeof *b);
    if ((b->kind = kind_of(kind)) < 0)
        return -1;
    cls = (b->kind == K_VALUE || b->kind == K_COUNTER) ? value_cls : op_cls;
    if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, &ResultBase_Type)) {
        PyErr_Format(PyExc_TypeError, "%R is not a subclass of couchbase._fastpath.ResultBase", cls);
        return -1;
    }
    b->cls = (PyTypeObject *)cls;
    if ((pt = PyObject_IsTrue(passthrough)) < 0 || (nf = PyObject_IsTrue(no_format)) < 0)
        return -1;
    if (b->kind != K_VALUE || pt)
        b->raw = 1;
    else if (transcoder != Py_None) {
        b->decode_value = PyObject_GetAttr(transcoder, g_str_decode_value);
        if (b->decode_value == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_AttributeError))
                return -1;
            wrap_exc(g_exc_fmt, transcoder, "Couldn't find transcoder method decode_value");
            return -1;
        }
        if (nf && (b->flags_arg = PyLong_FromLong(F_BYTES)) == NULL)
            return -1;
    } else if (nf) {
        b->raw = 1;
    }
    return 0;
}

/* Read rule: common flags when the top byte is set, else the 1.x legacy bits. */
static int read_format(uint32_t flags)
{
    if (flags & 0xFF000000u) {
        switch ((flags >> 24) & 0x0F) {
        case 1:
            return F_PICKLE;
        case 2:
            return F_JSON;
        case 3:
            return F_BYTES;
        case 4:
            return F_UTF8;
        default:
            break;
        }
    }
    return legacy_format(flags);
}

/* The decoded value (new reference). A decoder failure (an Exception) is not an error:
 * *raw receives the raw bytes and *inner_out the exception, and NULL is returned with no
 * exception set. Anything else (memory, KeyboardInterrupt) returns NULL with it set.
 * `r` is not read once Python code has run: that code may have changed the batch. */
static PyObject *decode(BUILD *b, const cbc_RESULT *r, PyObject **raw, PyObject **inner_out)
{
    const char *p = r->value ? r->value : "";
    Py_ssize_t n = (Py_ssize_t)r->nvalue;
    PyObject *bytes = NULL, *text, *fn, *v;

    if (b->raw)
        return PyBytes_FromStringAndSize(p, n);
    if (b->decode_value) {
        PyObject *fl, *argv[2];
        if ((bytes = PyBytes_FromStringAndSize(p, n)) == NULL)
            return NULL;
        if (b->flags_arg) {
            fl = b->flags_arg;
            Py_INCREF(fl);
        } else if ((fl = PyLong_FromUnsignedLong(r->flags)) == NULL) {
            Py_DECREF(bytes);
            return NULL;
        }
        argv[0] = bytes;
        argv[1] = fl;
        v = PyObject_Vectorcall(b->decode_value, argv, 2, NULL);
        Py_DECREF(fl);
        goto done;
    }
    switch (read_format(r->flags)) {
    case F_BYTES:
        return PyBytes_FromStringAndSize(p, n);
    case F_UTF8:
        v = PyUnicode_DecodeUTF8(p, n, "strict");
        break;
    case F_JSON:
        if ((fn = conv_get(&b->conv.json_dec, g_str_json_dec)) == NULL)
            return NULL;
        if ((text = PyUnicode_DecodeUTF8(p, n, "strict")) == NULL) {
            v = NULL;
            break;
        }
        v = PyObject_CallOneArg(fn, text);
        if (v == NULL && PyErr_ExceptionMatches(PyExc_Exception)) {
            /* The decoder ran Python code, which may have changed the batch, so the
             * raw bytes come from the text (strict UTF-8 round-trips exactly). */
            PyObject *inner = take_exception();
            bytes = PyUnicode_AsUTF8String(text);
            Py_DECREF(text);
            if (bytes == NULL) {
                Py_XDECREF(inner);
                return NULL;
            }
            *inner_out = inner;
            *raw = bytes;
            return NULL;
        }
        Py_DECREF(text);
        break;
    default:
        if ((fn = conv_get(&b->conv.pickle_dec, g_str_pickle_dec)) == NULL)
            return NULL;
        if ((bytes = PyBytes_FromStringAndSize(p, n)) == NULL)
            return NULL;
        v = PyObject_CallOneArg(fn, bytes);
        break;
    }
done:
    if (v != NULL || !PyErr_ExceptionMatches(PyExc_Exception)) {
        Py_XDECREF(bytes);
        return v;
    }
    /* only the C decoders (UTF-8) get here without bytes: no Python code ran, p is valid */
    *inner_out = take_exception();
    if (bytes == NULL && (bytes = PyBytes_FromStringAndSize(p, n)) == NULL) {
        Py_CLEAR(*inner_out);
        return NULL;
    }
    *raw = bytes;
    return NULL;
}

static const cbc_RESULT *results_of(void *batch, size_t *n)
{
    *n = g_api->batch_size((cbc_BATCH *)batch);
    return g_api->batch_results((cbc_BATCH *)batch);
}

/* The result object for request `index` of a batch of `n`, keyed keys[i] (new
 * reference); *failed says whether it belongs in `failed`. */
static PyObject *make_result(BUILD *b, void *batch, size_t index, size_t n, PyObject *keys,
                             Py_ssize_t i, int *failed)
{
    const cbc_RESULT *r;
    size_t now;
    ResultObject *o = (ResultObject *)b->cls->tp_alloc(b->cls, 0);
    if (o == NULL)
        return NULL;
    /* Fetched after the allocation: it can run the GC and so finalizers, and any Python
     * code (those, decoders, warning hooks) could have added to or reset the batch. */
    r = results_of(batch, &now);
    if (now != n || index >= now) {
        PyErr_SetString(PyExc_RuntimeError, "the batch changed during build");
        goto fail;
    }
    r += index;
    o->rc = r->rc;
    o->vbuuid = r->vbuuid;
    o->seqno = r->seqno;
    o->vbucket = r->vbucket;
    *failed = r->rc != 0;
    if (r->rc == 0) {
        switch (b->kind) {
        case K_VALUE: {
            PyObject *raw = NULL, *inner = NULL;
            o->cas = r->cas;
            o->flags = r->flags;
            o->value = decode(b, r, &raw, &inner);
            if (o->value == NULL) {
                if (raw == NULL)
                    goto fail;
                /* the caller raises ValueFormatError(objextra=value, inner_cause=_extra) */
                o->value = raw;
                o->extra = inner;
                *failed = 1;
            }
            break;
        }
        case K_COUNTER:
            o->cas = r->cas;
            if ((o->value = PyLong_FromUnsignedLongLong(r->counter)) == NULL)
                goto fail;
            break;
        case K_OP:
            o->cas = r->cas;
            break;
        default: /* K_UNLOCK: CAS 0 */
            break;
        }
    }
    /* the key last: decoders are Python code and may have changed the list */
    if ((o->key = seq_item(keys, i)) == NULL)
        goto fail;
    return (PyObject *)o;
fail:
    Py_DECREF(o);
    return NULL;
}

PyDoc_STRVAR(build_doc,
             "build(batch_addr, keys, kind, multi_cls, value_cls, op_cls, passthrough, transcoder,\n"
             "      no_format) -> (mres, failed)\n\n"
             "Result objects for a finished batch (see couchbase._batch.build).");

static PyObject *fp_build(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    void *batch;
    PyObject *keys, *mres = NULL, *failed = NULL, *ret;
    size_t n, i;
    BUILD b;
    (void)mod;

    if (!check_nargs("build", nargs, 9) || !ready() || (batch = batch_from(args[0])) == NULL)
        return NULL;
    keys = args[1];
    if (!PyList_Check(keys) && !PyTuple_Check(keys)) {
        PyErr_SetString(PyExc_TypeError, "keys must be a list or tuple");
        return NULL;
    }
    if (build_init(&b, args[2], args[4], args[5], args[6], args[7], args[8]) < 0)
        goto fail;
    n = g_api->batch_size((cbc_BATCH *)batch);
    if ((size_t)PySequence_Fast_GET_SIZE(keys) != n) {
        PyErr_Format(PyExc_ValueError, "the batch has %zu results for %zd keys", n,
                     PySequence_Fast_GET_SIZE(keys));
        goto fail;
    }
    if ((mres = PyObject_CallNoArgs(args[3])) == NULL)
        goto fail;
    if (!PyDict_Check(mres)) {
        PyErr_SetString(PyExc_TypeError, "multi_cls must build a dict");
        goto fail;
    }
    if ((failed = PyList_New(0)) == NULL)
        goto fail;

    for (i = 0; i < n; i++) {
        int bad;
        Py_ssize_t before;
        PyObject *o = make_result(&b, batch, i, n, keys, (Py_ssize_t)i, &bad);
        if (o == NULL)
            goto fail;
        before = PyDict_GET_SIZE(mres);
        if (PyDict_SetItem(mres, ((ResultObject *)o)->key, o) < 0 ||
            (bad && PyList_Append(failed, o) < 0)) {
            Py_DECREF(o);
            goto fail;
        }
        Py_DECREF(o);
        /* the dict did not grow: a later copy of a key replaced the earlier one */
        if (PyDict_GET_SIZE(mres) == before &&
            PyErr_WarnEx(PyExc_RuntimeWarning, "Found duplicate key", 1) < 0)
            goto fail;
    }
    build_release(&b);
    ret = PyTuple_Pack(2, mres, failed);
    Py_DECREF(mres);
    Py_DECREF(failed);
    return ret;

fail:
    build_release(&b);
    Py_XDECREF(mres);
    Py_XDECREF(failed);
    return NULL;
}

PyDoc_STRVAR(build_single_doc,
             "build_single(batch_addr, keys, kind, value_cls, op_cls, passthrough, transcoder,\n"
             "             no_format, index) -> (result, failed_or_None)\n\n"
             "The result object of request `index`, keyed keys[0] (see couchbase._batch.build_single).");

static PyObject *fp_build_single(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    void *batch;
    PyObject *keys, *o, *ret;
    size_t n;
    Py_ssize_t index;
    int bad;
    BUILD b;
    (void)mod;

    if (!check_nargs("build_single", nargs, 9) || !ready() || (batch = batch_from(args[0])) == NULL)
        return NULL;
    keys = args[1];
    if ((!PyList_Check(keys) && !PyTuple_Check(keys)) || PySequence_Fast_GET_SIZE(keys) < 1) {
        PyErr_SetString(PyExc_TypeError, "keys must be a non-empty list or tuple");
        return NULL;
    }
    if ((index = PyLong_AsSsize_t(args[8])) == -1 && PyErr_Occurred())
        return NULL;
    if (build_init(&b, args[2], args[3], args[4], args[5], args[6], args[7]) < 0)
        goto fail;
    n = g_api->batch_size((cbc_BATCH *)batch);
    if (index < 0 || (size_t)index >= n) {
        PyErr_Format(PyExc_IndexError, "result %zd of a batch of %zu", index, n);
        goto fail;
    }
    if ((o = make_result(&b, batch, (size_t)index, n, keys, 0, &bad)) == NULL)
        goto fail;
    build_release(&b);
    ret = PyTuple_Pack(2, o, bad ? o : Py_None);
    Py_DECREF(o);
    return ret;
fail:
    build_release(&b);
    return NULL;
}

/* ---- init ---- */

PyDoc_STRVAR(init_doc,
             "init(api_addr, argument_error, value_format_error, transcoder_globals, fmt_auto,\n"
             "     auto_encode) -> None\n\n"
             "Install the core's cbc_API table (its address, an int) and the Python objects the\n"
             "encoders and builders use. May be called again to replace them.");

static PyObject *fp_init(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    const cbc_API *api;
    (void)mod;
    if (!check_nargs("init", nargs, 6))
        return NULL;
    api = (const cbc_API *)(PyLong_Check(args[0]) ? PyLong_AsVoidPtr(args[0]) : NULL);
    if (api == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "api_addr must be a non-zero address (int)");
        return NULL;
    }
    if (api->version != CBC_CORE_VERSION) {
        PyErr_Format(PyExc_ImportError,
                     "couchbase._fastpath was built for core interface %d but the core reports %d: "
                     "rebuild with `make build`",
                     CBC_CORE_VERSION, api->version);
        return NULL;
    }
    if (!api->batch_add || !api->batch_size || !api->batch_results || !api->batch_reset ||
        !api->strerror) {
        PyErr_SetString(PyExc_ImportError, "the core's cbc_API table is incomplete");
        return NULL;
    }
    if (!PyDict_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "transcoder_globals must be a dict");
        return NULL;
    }
    Py_INCREF(args[1]);
    Py_XSETREF(g_exc_arg, args[1]);
    Py_INCREF(args[2]);
    Py_XSETREF(g_exc_fmt, args[2]);
    Py_INCREF(args[3]);
    Py_XSETREF(g_tc_globals, args[3]);
    Py_INCREF(args[4]);
    Py_XSETREF(g_fmt_auto, args[4]);
    Py_INCREF(args[5]);
    Py_XSETREF(g_auto_encode, args[5]);
    g_api = api;
    Py_RETURN_NONE;
}

static PyMethodDef fp_methods[] = {
    {"init", (PyCFunction)(void (*)(void))fp_init, METH_FASTCALL, init_doc},
    {"add_keys", (PyCFunction)(void (*)(void))fp_add_keys, METH_FASTCALL, add_keys_doc},
    {"add_items", (PyCFunction)(void (*)(void))fp_add_items, METH_FASTCALL, add_items_doc},
    {"build", (PyCFunction)(void (*)(void))fp_build, METH_FASTCALL, build_doc},
    {"build_single", (PyCFunction)(void (*)(void))fp_build_single, METH_FASTCALL, build_single_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fp_module = {
    PyModuleDef_HEAD_INIT,
    "couchbase._fastpath",
    "Native request encoding and result building for couchbase._batch.",
    -1,
    fp_methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

static PyObject *intern(const char *s)
{
    return PyUnicode_InternFromString(s);
}

PyMODINIT_FUNC PyInit__fastpath(void)
{
    PyObject *m;
    if (!(g_str_json_enc = intern("_json_encode")) || !(g_str_json_dec = intern("_json_decode")) ||
        !(g_str_pickle_enc = intern("_pickle_encode")) ||
        !(g_str_pickle_dec = intern("_pickle_decode")) || !(g_str_pyexc = intern("pyexc")) ||
        !(g_str_decode_value = intern("decode_value")))
        return NULL;
    if (PyType_Ready(&ResultBase_Type) < 0)
        return NULL;
    if ((m = PyModule_Create(&fp_module)) == NULL)
        return NULL;
    Py_INCREF(&ResultBase_Type);
    if (PyModule_AddObject(m, "ResultBase", (PyObject *)&ResultBase_Type) < 0) {
        Py_DECREF(&ResultBase_Type);
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddIntConstant(m, "CORE_VERSION", CBC_CORE_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
