/* couchbase._fastpath: the per-key hot path of the Python layer, in C.
 *
 * This file: module init, init(), ResultBase, and the helpers shared by encode.c
 * and build.c (see fastpath.h).
 *
 * Two jobs, both per key and both too slow in Python bytecode (about 1 us a key):
 *   - encode requests from Python arguments straight into a core batch
 *     (add_keys, add_items, add_subdoc);
 *   - turn a finished batch into result objects and a MultiResult (build,
 *     build_single).
 * It links none of the core's symbols. The core is reached only through the
 * cbc_API function table whose address couchbase._core.batch hands to init(), so
 * this module and couchbase._core share one copy of the core. Batches arrive
 * as integer addresses. couchbase/_batch_py.py implements the same functions
 * with cffi and is the test oracle: behaviour changes go into both.
 *
 * Every function runs with the GIL held. Python code can run in the middle of
 * a call (JSON/pickle converters, transcoders, warnings), so list items are
 * fetched with a bounds check and held with a strong reference while used. */
#include "fastpath.h"

#include <structmember.h>

#include <string.h>

/* ---- state set by init() ---- */

const cbc_API *fp__api;
PyObject *fp__exc_arg;       /* ArgumentError, or a call's own class */
PyObject *fp__exc_fmt;       /* ValueFormatError, or a call's own class */
uint32_t fp__flags[5];
const uint32_t fp__legacy_flags[5] = {F_JSON, F_PICKLE, F_BYTES, 0, F_UTF8};
PyObject *fp__tc_globals;    /* couchbase.transcoder.__dict__: converters read per call */
PyObject *fp__fmt_auto;      /* the FMT_AUTO sentinel */
PyObject *fp__auto_encode;   /* couchbase.transcoder.auto_encode: handled natively */
PyObject *fp__str_json_enc, *fp__str_json_dec, *fp__str_pickle_enc, *fp__str_pickle_dec;
PyObject *fp__str_pyexc, *fp__str_decode_value;

/* ---- ResultBase: the data layout of every result class ---- */

static int rb_traverse(ResultObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->key);
    Py_VISIT(self->value);
    Py_VISIT(self->extra);
    Py_VISIT(self->csrc);
    return 0;
}

static int rb_clear(ResultObject *self)
{
    Py_CLEAR(self->key);
    Py_CLEAR(self->value);
    Py_CLEAR(self->extra);
    Py_CLEAR(self->csrc);
    return 0;
}

static void rb_dealloc(ResultObject *self)
{
    PyObject_GC_UnTrack(self);
    rb_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* A result made in Python (not by a builder): no answer from no server yet. */
static PyObject *rb_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    ResultObject *self = (ResultObject *)PyType_GenericNew(type, args, kwds);
    if (self != NULL) {
        self->status = 0xffff;
        self->server = -1;
    }
    return (PyObject *)self;
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
    {"_status", T_INT, offsetof(ResultObject, status), 0, "raw server status (0xffff: no answer arrived)"},
    {"_server", T_INT, offsetof(ResultObject, server), 0, "index of the server the request went to (-1: never sent)"},
    {"_extra", T_OBJECT, offsetof(ResultObject, extra), 0, "free slot for subclasses"},
    {"_csrc", T_OBJECT, offsetof(ResultObject, csrc), 0, "(C file, line) that set a failed rc, else None"},
    {NULL, 0, 0, 0, NULL},
};

PyTypeObject fp__ResultBase_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "couchbase._core._fastpath.ResultBase",
    .tp_basicsize = sizeof(ResultObject),
    .tp_dealloc = (destructor)rb_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Data layout of the result classes: rc, key, value, cas, flags, where the request went\n"
              "and what the server answered (_vbucket, _server, _status) and a free _extra slot.\n"
              "ResultBase(*, rc=0, key=<unset>, value=None, cas=0, flags=0)",
    .tp_traverse = (traverseproc)rb_traverse,
    .tp_clear = (inquiry)rb_clear,
    .tp_members = rb_members,
    .tp_init = (initproc)rb_init,
    .tp_new = rb_new,
};

/* ---- errors ---- */

/* The pending exception, normalised and with its traceback, or NULL. */
PyObject *fp__take_exception(void)
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
    exc = PyObject_CallMethodObjArgs(cls, fp__str_pyexc, msg, obj ? obj : Py_None,
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

void fp__raise_exc(PyObject *cls, PyObject *obj, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    raise_v(cls, obj, NULL, fmt, ap);
    va_end(ap);
}

/* Replace the pending exception with cls.pyexc(message, obj, inner=<it>). */
void fp__wrap_exc(PyObject *cls, PyObject *obj, const char *fmt, ...)
{
    va_list ap;
    PyObject *inner = fp__take_exception();
    va_start(ap, fmt);
    raise_v(cls, obj, inner, fmt, ap);
    va_end(ap);
    Py_XDECREF(inner);
}

/* ---- argument helpers ---- */

int fp__ready(void)
{
    if (fp__api != NULL)
        return 1;
    PyErr_SetString(PyExc_RuntimeError, "couchbase._fastpath.init() has not run");
    return 0;
}

int fp__check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t want)
{
    if (nargs == want)
        return 1;
    PyErr_Format(PyExc_TypeError, "%s() takes %zd positional arguments (%zd given)", name, want, nargs);
    return 0;
}

int fp__check_nargs_opt(const char *name, Py_ssize_t nargs, Py_ssize_t want)
{
    if (nargs == want || nargs == want + 1)
        return 1;
    PyErr_Format(PyExc_TypeError, "%s() takes %zd or %zd positional arguments (%zd given)", name, want,
                 want + 1, nargs);
    return 0;
}

int fp__errors_enter(PyObject *errors, PyObject **save)
{
    save[0] = fp__exc_arg;
    save[1] = fp__exc_fmt;
    if (errors == NULL || errors == Py_None)
        return 0;
    if (!PyTuple_Check(errors) || PyTuple_GET_SIZE(errors) != 2) {
        PyErr_SetString(PyExc_TypeError, "errors must be None or a tuple (argument_cls, format_cls)");
        return -1;
    }
    /* borrowed: the caller's tuple lives for the whole call */
    fp__exc_arg = PyTuple_GET_ITEM(errors, 0);
    fp__exc_fmt = PyTuple_GET_ITEM(errors, 1);
    return 0;
}

void fp__errors_leave(PyObject **save)
{
    fp__exc_arg = save[0];
    fp__exc_fmt = save[1];
}

void *fp__batch_from(PyObject *addr)
{
    void *p = PyLong_Check(addr) ? PyLong_AsVoidPtr(addr) : NULL;
    if (p == NULL && !PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, "batch must be a non-zero address (int)");
    return p;
}

/* Item i of a list or tuple as a new reference; a list may have shrunk. */
PyObject *fp__seq_item(PyObject *seq, Py_ssize_t i)
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

PyObject *fp__converter(PyObject *name)
{
    PyObject *f = PyDict_GetItemWithError(fp__tc_globals, name);
    if (f == NULL) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_RuntimeError, "couchbase.transcoder has no %U", name);
        return NULL;
    }
    Py_INCREF(f);
    return f;
}

/* ---- converters ---- */

void fp__conv_release(CONVERTERS *c)
{
    Py_CLEAR(c->json_enc);
    Py_CLEAR(c->json_dec);
    Py_CLEAR(c->pickle_enc);
    Py_CLEAR(c->pickle_dec);
}

PyObject *fp__conv_get(PyObject **slot, PyObject *name)
{
    if (*slot == NULL)
        *slot = fp__converter(name);
    return *slot;
}

/* The 1.x rule: bits tested in the order UTF8, BYTES, PICKLE; else JSON. */
int fp__legacy_format(unsigned long long f)
{
    return (f & 4) ? F_UTF8 : (f & 2) ? F_BYTES : (f & 1) ? F_PICKLE : F_JSON;
}

/* FMT_AUTO: str -> UTF8, bytes-like -> BYTES, containers/bool/None -> JSON, else PICKLE. */

PyDoc_STRVAR(add_keys_doc,
             "add_keys(batch_addr, keys, opcode, expiry, cas, collection, replica, durability,\n"
             "         durability_timeout, delta, initial, create[, errors]) -> int\n\n"
             "Add one request per key (see couchbase._core.batch.add_keys). On error the batch is reset\n"
             "(an event-driven engine's batch only loses what this call added).");

PyDoc_STRVAR(add_items_doc,
             "add_items(batch_addr, keys, values, opcode, fmt, expiry, cas, collection, durability,\n"
             "          durability_timeout, encoder[, errors[, legacy_flags]]) -> int\n\n"
             "Add one store request per (key, value) (see couchbase._core.batch.add_items). On error the\n"
             "batch is reset.");

PyDoc_STRVAR(add_subdoc_doc,
             "add_subdoc(batch_addr, key, opcode, value, extras, cas, collection, durability,\n"
             "           durability_timeout, replica[, errors]) -> int\n\n"
             "Add one sub-document request whose body and extras are built (see\n"
             "couchbase._core.batch.add_subdoc). On error the batch is reset.");

PyDoc_STRVAR(build_doc,
             "build(batch_addr, keys, kind, multi_cls, value_cls, op_cls, passthrough, transcoder,\n"
             "      no_format) -> (mres, failed)\n\n"
             "Result objects for a finished batch (see couchbase._core.batch.build).");

PyDoc_STRVAR(build_single_doc,
             "build_single(batch_addr, keys, kind, value_cls, op_cls, passthrough, transcoder,\n"
             "             no_format, index) -> (result, failed_or_None)\n\n"
             "The result object of request `index`, keyed keys[0] (see couchbase._core.batch.build_single).");

PyDoc_STRVAR(execute_doc,
             "execute(batch_addr, items, add_args, timeout_us, build_args)\n"
             "    -> (result, failed_or_None) | (None, (rc, msg, file, line))\n\n"
             "Reset the batch, add_items(batch_addr, *add_args) if `items` is 1 (True),\n"
             "add_subdoc(...) if it is 2, else add_keys(batch_addr, *add_args), run it with the\n"
             "GIL released, and return\n"
             "build_single(batch_addr, *build_args). A batch-level failure of the run comes back\n"
             "as (None, (rc, msg, file, line)); the batch keeps its results either way.");

PyDoc_STRVAR(build_range_doc,
             "build_range(batch_addr, keys, start, end, kind, mres, failed, value_cls, op_cls,\n"
             "            passthrough, transcoder, no_format) -> None\n\n"
             "Build results [start, end) as build does, into the dict `mres` and the list `failed`\n"
             "(results of an unfinished run_until are valid up to its `upto`).");

PyDoc_STRVAR(execute_multi_doc,
             "execute_multi(batch_addr, timeout_us, chunk, chunk_bytes, keys, kind, multi_cls,\n"
             "              value_cls, op_cls, passthrough, transcoder, no_format)\n"
             "    -> (mres, failed) | (None, (rc, msg, file, line))\n\n"
             "Run the batch with cbc_batch_run_until in steps, the GIL released while waiting,\n"
             "and build each step's results (as build) while later answers arrive. A step is at\n"
             "most `chunk` results and, after the first, about `chunk_bytes` of values. A\n"
             "batch-level failure comes back as (None, (rc, msg, file, line)).");

PyDoc_STRVAR(aio_start_doc,
             "aio_start(aio_addr, gens, items, add_args, deadline_us, record) -> int\n\n"
             "Add one operation to an event-driven engine's open batch (opened when none is, its\n"
             "record list then a new gens[generation]): add_keys, add_items or add_subdoc as for\n"
             "execute, its requests' deadline, and `record` appended once per request added; returns\n"
             "how many. A failing adder drops only what it added.");

PyDoc_STRVAR(aio_call_doc,
             "aio_call(aio_addr, what, fd, events, gens[, after]) -> int\n\n"
             "Move an event-driven engine (what: 0 submit, 1 event on fd, 2 tick) and complete\n"
             "every request it reports from its record in gens[generation] (see csrc/py/aio.c);\n"
             "returns the engine's CBC_AIO_* status bits, after calling after(status, fd) when\n"
             "they ask for more than the completions.");

/* ---- init ---- */

PyDoc_STRVAR(init_doc,
             "init(api_addr, argument_error, value_format_error, transcoder_globals, fmt_auto,\n"
             "     auto_encode) -> None\n\n"
             "Install the core's cbc_API table (its address, an int) and the Python objects the\n"
             "encoders and builders use. May be called again to replace them.");

/* fp__flags from the transcoder globals' FLAGS_* words, after checking that their
 * FMT_* codes are the ones this module switches on. */
static int read_flags(PyObject *globals)
{
    static const struct {
        const char *fmt, *flags;
        int code;
    } names[] = {{"FMT_JSON", "FLAGS_JSON", F_JSON},
                 {"FMT_PICKLE", "FLAGS_PICKLE", F_PICKLE},
                 {"FMT_BYTES", "FLAGS_BYTES", F_BYTES},
                 {"FMT_UTF8", "FLAGS_UTF8", F_UTF8}};
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        PyObject *code = PyDict_GetItemString(globals, names[i].fmt);
        PyObject *flags = PyDict_GetItemString(globals, names[i].flags);
        unsigned long v;
        if (code == NULL || flags == NULL || !PyLong_Check(code) || !PyLong_Check(flags) ||
            PyLong_AsLong(code) != names[i].code) {
            PyErr_Format(PyExc_ImportError, "transcoder globals lack a valid %s/%s pair", names[i].fmt,
                         names[i].flags);
            return -1;
        }
        v = PyLong_AsUnsignedLong(flags);
        if (PyErr_Occurred() || v > UINT32_MAX)
            return -1;
        fp__flags[names[i].code] = (uint32_t)v;
    }
    return 0;
}

static PyObject *fp_init(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    const cbc_API *api;
    (void)mod;
    if (!fp__check_nargs("init", nargs, 6))
        return NULL;
    api = (const cbc_API *)(PyLong_Check(args[0]) ? PyLong_AsVoidPtr(args[0]) : NULL);
    if (api == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "api_addr must be a non-zero address (int)");
        return NULL;
    }
    if (api->version != CBC_CORE_VERSION) {
        PyErr_Format(PyExc_ImportError,
                     "couchbase._core._fastpath was built for core interface %d but the core reports %d: "
                     "rebuild with `make build`",
                     CBC_CORE_VERSION, api->version);
        return NULL;
    }
    if (!api->batch_add || !api->batch_size || !api->batch_results || !api->batch_reset ||
        !api->strerror || !api->batch_run || !api->batch_undo) {
        PyErr_SetString(PyExc_ImportError, "the core's cbc_API table is incomplete");
        return NULL;
    }
    if (!PyDict_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "transcoder_globals must be a dict");
        return NULL;
    }
    if (read_flags(args[3]) < 0)
        return NULL;
    Py_INCREF(args[1]);
    Py_XSETREF(fp__exc_arg, args[1]);
    Py_INCREF(args[2]);
    Py_XSETREF(fp__exc_fmt, args[2]);
    Py_INCREF(args[3]);
    Py_XSETREF(fp__tc_globals, args[3]);
    Py_INCREF(args[4]);
    Py_XSETREF(fp__fmt_auto, args[4]);
    Py_INCREF(args[5]);
    Py_XSETREF(fp__auto_encode, args[5]);
    fp__api = api;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(has_type_doc,
             "has_type(seq, cls) -> bool\n\n"
             "Whether an item of the list or tuple `seq` is exactly of type `cls` (subclasses do not\n"
             "count): a scan at C speed, for argument forms a face must notice before encoding.");

static PyObject *fp_has_type(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t i, n;
    PyObject **items;
    (void)mod;
    if (!fp__check_nargs("has_type", nargs, 2))
        return NULL;
    if (!PyList_Check(args[0]) && !PyTuple_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "has_type: seq must be a list or tuple");
        return NULL;
    }
    n = PySequence_Fast_GET_SIZE(args[0]);
    items = PySequence_Fast_ITEMS(args[0]);
    for (i = 0; i < n; i++) {
        if ((PyObject *)Py_TYPE(items[i]) == args[1])
            Py_RETURN_TRUE;
    }
    Py_RETURN_FALSE;
}

static PyMethodDef fp_methods[] = {
    {"has_type", (PyCFunction)(void (*)(void))fp_has_type, METH_FASTCALL, has_type_doc},
    {"init", (PyCFunction)(void (*)(void))fp_init, METH_FASTCALL, init_doc},
    {"add_keys", (PyCFunction)(void (*)(void))fp_add_keys, METH_FASTCALL, add_keys_doc},
    {"add_items", (PyCFunction)(void (*)(void))fp_add_items, METH_FASTCALL, add_items_doc},
    {"add_subdoc", (PyCFunction)(void (*)(void))fp_add_subdoc, METH_FASTCALL, add_subdoc_doc},
    {"build", (PyCFunction)(void (*)(void))fp_build, METH_FASTCALL, build_doc},
    {"build_single", (PyCFunction)(void (*)(void))fp_build_single, METH_FASTCALL, build_single_doc},
    {"execute", (PyCFunction)(void (*)(void))fp_execute, METH_FASTCALL, execute_doc},
    {"build_range", (PyCFunction)(void (*)(void))fp_build_range, METH_FASTCALL, build_range_doc},
    {"execute_multi", (PyCFunction)(void (*)(void))fp_execute_multi, METH_FASTCALL, execute_multi_doc},
    {"aio_start", (PyCFunction)(void (*)(void))fp_aio_start, METH_FASTCALL, aio_start_doc},
    {"aio_call", (PyCFunction)(void (*)(void))fp_aio_call, METH_FASTCALL, aio_call_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fp_module = {
    PyModuleDef_HEAD_INIT,
    "couchbase._core._fastpath",
    "Native request encoding and result building for couchbase._core.batch.",
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
    if (!(fp__str_json_enc = intern("_json_encode")) || !(fp__str_json_dec = intern("_json_decode")) ||
        !(fp__str_pickle_enc = intern("_pickle_encode")) ||
        !(fp__str_pickle_dec = intern("_pickle_decode")) || !(fp__str_pyexc = intern("pyexc")) ||
        !(fp__str_decode_value = intern("decode_value")))
        return NULL;
    if (PyType_Ready(&fp__ResultBase_Type) < 0)
        return NULL;
    if ((m = PyModule_Create(&fp_module)) == NULL)
        return NULL;
    Py_INCREF(&fp__ResultBase_Type);
    if (PyModule_AddObject(m, "ResultBase", (PyObject *)&fp__ResultBase_Type) < 0) {
        Py_DECREF(&fp__ResultBase_Type);
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddIntConstant(m, "CORE_VERSION", CBC_CORE_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

