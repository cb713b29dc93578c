/* build and build_single: result objects and a MultiResult from a finished batch. */
#include "fastpath.h"

#include <string.h>

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
    fp__conv_release(&b->conv);
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
        if (PyUnicode_CompareWithASCIIString(kind, "subdoc") == 0)
            return K_SUBDOC;
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
    cls = (b->kind == K_VALUE || b->kind == K_COUNTER || b->kind == K_SUBDOC) ? value_cls : op_cls;
    if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, &fp__ResultBase_Type)) {
        PyErr_Format(PyExc_TypeError, "%R is not a subclass of couchbase._fastpath.ResultBase", cls);
        return -1;
    }
    b->cls = (PyTypeObject *)cls;
    if ((pt = PyObject_IsTrue(passthrough)) < 0 || (nf = PyObject_IsTrue(no_format)) < 0)
        return -1;
    if (b->kind != K_VALUE || pt)
        b->raw = 1;
    else if (transcoder != Py_None) {
        b->decode_value = PyObject_GetAttr(transcoder, fp__str_decode_value);
        if (b->decode_value == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_AttributeError))
                return -1;
            fp__wrap_exc(fp__exc_fmt, transcoder, "Couldn't find transcoder method decode_value");
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
    return fp__legacy_format(flags);
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
        if ((fn = fp__conv_get(&b->conv.json_dec, fp__str_json_dec)) == NULL)
            return NULL;
        if ((text = PyUnicode_DecodeUTF8(p, n, "strict")) == NULL) {
            v = NULL;
            break;
        }
        v = PyObject_CallOneArg(fn, text);
        if (v == NULL && PyErr_ExceptionMatches(PyExc_Exception)) {
            /* The decoder ran Python code, which may have changed the batch, so the
             * raw bytes come from the text (strict UTF-8 round-trips exactly). */
            PyObject *inner = fp__take_exception();
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
        if ((fn = fp__conv_get(&b->conv.pickle_dec, fp__str_pickle_dec)) == NULL)
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
    *inner_out = fp__take_exception();
    if (bytes == NULL && (bytes = PyBytes_FromStringAndSize(p, n)) == NULL) {
        Py_CLEAR(*inner_out);
        return NULL;
    }
    *raw = bytes;
    return NULL;
}

static const cbc_RESULT *results_of(void *batch, size_t *n)
{
    *n = fp__api->batch_size((cbc_BATCH *)batch);
    return fp__api->batch_results((cbc_BATCH *)batch);
}

/* The result object for request `index` of a batch of `n`, keyed keys[i] (new
 * reference); *failed says whether it belongs in `failed`. */
static PyObject *make_result(BUILD *b, void *batch, size_t index, size_t n, PyObject *keys,
                             Py_ssize_t i, int *failed)
{
    const cbc_RESULT *r;
    const char *file;
    int line;
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
    o->status = r->status;
    o->server = r->server;
    *failed = r->rc != 0;
    /* static strings: still valid once Python code has run */
    file = r->rc ? r->file : NULL;
    line = r->line;
    if (b->kind == K_SUBDOC) {
        /* whatever the outcome: the body (per-spec results), CAS and the server status
         * (in `flags`), which the face reads to tell the spec failures apart */
        o->cas = r->cas;
        o->flags = r->status;
        if ((o->value = PyBytes_FromStringAndSize(r->value ? r->value : "", (Py_ssize_t)r->nvalue)) == NULL)
            goto fail;
    } else if (r->rc == 0) {
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
    if ((o->key = fp__seq_item(keys, i)) == NULL)
        goto fail;
    if (file != NULL && (o->csrc = Py_BuildValue("(si)", file, line)) == NULL)
        goto fail;
    return (PyObject *)o;
fail:
    Py_DECREF(o);
    return NULL;
}

/* Results [start, end) of a batch of n into mres (a dict) and failed (a list). 0, or -1
 * with an exception set. */
static int build_into(BUILD *b, void *batch, PyObject *keys, size_t start, size_t end, size_t n,
                      PyObject *mres, PyObject *failed)
{
    size_t i;
    for (i = start; i < end; i++) {
        int bad;
        Py_ssize_t before;
        PyObject *o = make_result(b, batch, i, n, keys, (Py_ssize_t)i, &bad);
        if (o == NULL)
            return -1;
        before = PyDict_GET_SIZE(mres);
        if (PyDict_SetItem(mres, ((ResultObject *)o)->key, o) < 0 ||
            (bad && PyList_Append(failed, o) < 0)) {
            Py_DECREF(o);
            return -1;
        }
        Py_DECREF(o);
        /* the dict did not grow: a later copy of a key replaced the earlier one */
        if (PyDict_GET_SIZE(mres) == before &&
            PyErr_WarnEx(PyExc_RuntimeWarning, "Found duplicate key", 1) < 0)
            return -1;
    }
    return 0;
}

/* Shared argument checks of build, build_range and execute_multi: keys (a list or
 * tuple as long as the batch) and the builder. *n receives the batch size. */
static int build_args(BUILD *b, void *batch, PyObject *keys, PyObject *const *a, size_t *n)
{
    if (!PyList_Check(keys) && !PyTuple_Check(keys)) {
        PyErr_SetString(PyExc_TypeError, "keys must be a list or tuple");
        return -1;
    }
    /* a = kind, value_cls, op_cls, passthrough, transcoder, no_format */
    if (build_init(b, a[0], a[1], a[2], a[3], a[4], a[5]) < 0)
        return -1;
    *n = fp__api->batch_size((cbc_BATCH *)batch);
    if ((size_t)PySequence_Fast_GET_SIZE(keys) != *n) {
        PyErr_Format(PyExc_ValueError, "the batch has %zu results for %zd keys", *n,
                     PySequence_Fast_GET_SIZE(keys));
        return -1;
    }
    return 0;
}

static PyObject *new_multi(PyObject *multi_cls)
{
    PyObject *mres = PyObject_CallNoArgs(multi_cls);
    if (mres != NULL && !PyDict_Check(mres)) {
        PyErr_SetString(PyExc_TypeError, "multi_cls must build a dict");
        Py_CLEAR(mres);
    }
    return mres;
}

/* End of build / execute_multi: release the builder and hand back (mres, failed) when
 * `ok`, else drop both (an exception is set). Steals the references to mres and failed. */
static PyObject *finish(BUILD *b, PyObject *mres, PyObject *failed, int ok)
{
    PyObject *ret = ok ? PyTuple_Pack(2, mres, failed) : NULL;
    build_release(b);
    Py_XDECREF(mres);
    Py_XDECREF(failed);
    return ret;
}

PyObject *fp_build(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    void *batch;
    PyObject *mres = NULL, *failed = NULL, *a[6];
    size_t n;
    BUILD b;
    (void)mod;

    memset(&b, 0, sizeof b);
    if (!fp__check_nargs("build", nargs, 9) || !fp__ready() || (batch = fp__batch_from(args[0])) == NULL)
        return NULL;
    /* build(addr, keys, kind, multi_cls, value_cls, op_cls, passthrough, transcoder, no_format) */
    a[0] = args[2];
    a[1] = args[4];
    a[2] = args[5];
    a[3] = args[6];
    a[4] = args[7];
    a[5] = args[8];
    if (build_args(&b, batch, args[1], a, &n) < 0 || (mres = new_multi(args[3])) == NULL ||
        (failed = PyList_New(0)) == NULL || build_into(&b, batch, args[1], 0, n, n, mres, failed) < 0)
        goto fail;
    return finish(&b, mres, failed, 1);

fail:
    return finish(&b, mres, failed, 0);
}

PyObject *fp_build_range(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    void *batch;
    PyObject *mres, *failed;
    Py_ssize_t start, end;
    size_t n;
    BUILD b;
    (void)mod;

    memset(&b, 0, sizeof b);
    /* build_range(addr, keys, start, end, kind, mres, failed, value_cls, op_cls, passthrough,
     *             transcoder, no_format) */
    if (!fp__check_nargs("build_range", nargs, 12) || !fp__ready() ||
        (batch = fp__batch_from(args[0])) == NULL)
        return NULL;
    if (((start = PyLong_AsSsize_t(args[2])) == -1 || (end = PyLong_AsSsize_t(args[3])) == -1) &&
        PyErr_Occurred())
        return NULL;
    mres = args[5];
    failed = args[6];
    if (!PyDict_Check(mres) || !PyList_Check(failed)) {
        PyErr_SetString(PyExc_TypeError, "build_range: mres must be a dict and failed a list");
        return NULL;
    }
    {
        PyObject *a[6];
        a[0] = args[4];
        a[1] = args[7];
        a[2] = args[8];
        a[3] = args[9];
        a[4] = args[10];
        a[5] = args[11];
        if (build_args(&b, batch, args[1], a, &n) < 0)
            goto fail;
    }
    if (start < 0 || end < start || (size_t)end > n) {
        PyErr_Format(PyExc_IndexError, "results [%zd, %zd) of a batch of %zu", start, end, n);
        goto fail;
    }
    if (build_into(&b, batch, args[1], (size_t)start, (size_t)end, n, mres, failed) < 0)
        goto fail;
    build_release(&b);
    Py_RETURN_NONE;
fail:
    build_release(&b);
    return NULL;
}

/* Smallest and largest chunk execute_multi builds at a time. */
#define CHUNK_MIN 8

PyObject *fp_execute_multi(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    void *batch;
    PyObject *keys, *mres = NULL, *failed = NULL, *a[6];
    unsigned long long timeout_us;
    Py_ssize_t chunk_max, chunk_bytes;
    size_t n, done = 0, chunk, vbytes = 0;
    cbc_ERROR err;
    BUILD b;
    (void)mod;

    memset(&b, 0, sizeof b);
    /* execute_multi(addr, timeout_us, chunk, chunk_bytes, keys, kind, multi_cls, value_cls,
     *               op_cls, passthrough, transcoder, no_format) */
    if (!fp__check_nargs("execute_multi", nargs, 12) || !fp__ready() ||
        (batch = fp__batch_from(args[0])) == NULL)
        return NULL;
    timeout_us = PyLong_AsUnsignedLongLong(args[1]);
    if (timeout_us == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    if (((chunk_max = PyLong_AsSsize_t(args[2])) == -1 ||
         (chunk_bytes = PyLong_AsSsize_t(args[3])) == -1) && PyErr_Occurred())
        return NULL;
    if (chunk_max < 1 || chunk_bytes < 1) {
        PyErr_SetString(PyExc_ValueError, "execute_multi: chunk and chunk_bytes must be positive");
        return NULL;
    }
    keys = args[4];
    a[0] = args[5];
    a[1] = args[7];
    a[2] = args[8];
    a[3] = args[9];
    a[4] = args[10];
    a[5] = args[11];
    if (build_args(&b, batch, keys, a, &n) < 0 || (mres = new_multi(args[6])) == NULL ||
        (failed = PyList_New(0)) == NULL)
        goto fail;

    chunk = (size_t)chunk_max;
    for (;;) {
        size_t end, now, i;
        const cbc_RESULT *r;
        int rc;
        end = n - done > chunk ? done + chunk : n;
        memset(&err, 0, sizeof(err));
        Py_BEGIN_ALLOW_THREADS
        rc = fp__api->batch_run_until((cbc_BATCH *)batch, end, (uint64_t)timeout_us, &err);
        Py_END_ALLOW_THREADS
        if (rc != 0) {
            /* A batch-level failure: the caller raises it like any cbc_ERROR. */
            build_release(&b);
            Py_DECREF(mres);
            Py_DECREF(failed);
            return Py_BuildValue("(O(iysi))", Py_None, rc, err.msg, err.file ? err.file : "",
                                 err.line);
        }
        if (end == done)
            break; /* an empty batch: the run is complete */
        r = results_of(batch, &now);
        if (now != n) {
            PyErr_SetString(PyExc_RuntimeError, "the batch changed during build");
            goto fail;
        }
        for (i = done; i < end; i++)
            vbytes += r[i].nvalue;
        if (build_into(&b, batch, keys, done, end, n, mres, failed) < 0)
            goto fail;
        done = end;
        if (done == n)
            break;
        /* Next chunk: about chunk_bytes of values, so that large values come back in
         * small steps and the last step's build (not overlapped) stays short. */
        chunk = vbytes / done ? (size_t)chunk_bytes / (vbytes / done) : (size_t)chunk_max;
        if (chunk > (size_t)chunk_max)
            chunk = (size_t)chunk_max;
        if (chunk < CHUNK_MIN)
            chunk = CHUNK_MIN;
    }
    return finish(&b, mres, failed, 1);

fail:
    return finish(&b, mres, failed, 0);
}

PyObject *fp__build_one(void *batch, size_t index, PyObject *keys, Py_ssize_t i, PyObject *const *bargs,
                        int *failed)
{
    PyObject *o = NULL;
    size_t n;
    BUILD b;
    if (build_init(&b, bargs[0], bargs[1], bargs[2], bargs[3], bargs[4], bargs[5]) == 0) {
        n = fp__api->batch_size((cbc_BATCH *)batch);
        if (index < n)
            o = make_result(&b, batch, index, n, keys, i, failed);
        else
            PyErr_Format(PyExc_IndexError, "result %zu of a batch of %zu", index, n);
    }
    build_release(&b);
    return o;
}

PyObject *fp_build_single(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    void *batch;
    PyObject *keys, *o, *ret;
    size_t n;
    Py_ssize_t index;
    int bad;
    BUILD b;
    (void)mod;

    if (!fp__check_nargs("build_single", nargs, 9) || !fp__ready() || (batch = fp__batch_from(args[0])) == NULL)
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
    n = fp__api->batch_size((cbc_BATCH *)batch);
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

