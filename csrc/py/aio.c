/* aio_start and aio_call: the native half of the event-driven mode
 * (couchbase/_core/aio.py drives it from the event loop).
 *
 * An operation is a record filed once per request it added, in the list of the batch's
 * generation (gens[generation]), so that request i of the batch finds record i:
 *
 *   (future, build)                               one request
 *   [future, build, start, remaining, results, multi_cls]   several (start: index of the
 *                                                 first; results: one slot per request)
 *
 * `build` is (keys, kind, value_cls, op_cls, passthrough, transcoder, no_format), the
 * arguments of the blocking path's builder, or None for a raw answer: the tuple (rc,
 * status, cas, flags, value, seqno, counter, vbuuid, vbucket, server, datatype, file, line).
 *
 * aio_call moves the engine (submit, an event, a tick) and completes every request it
 * reports before returning: results point into read buffers that the next call reuses.
 * A record's future gets the result (or, for several requests, (mres, failed) built as the
 * blocking path builds them, or the list of raw answers). A future that is already done
 * (its task was cancelled) is left alone: the answer is dropped. Nothing here blocks. */
#include "fastpath.h"

#define MAX_ARGS 16

static PyObject *str_set_result, *str_set_exception, *str_done;

static int names_ready(void)
{
    if (!fp__api->aio_batch || !fp__api->aio_gen_batch || !fp__api->aio_deadline || !fp__api->aio_submit ||
        !fp__api->aio_event || !fp__api->aio_tick || !fp__api->aio_done) {
        PyErr_SetString(PyExc_RuntimeError, "the core's cbc_API table has no event-driven mode");
        return -1;
    }
    if (str_done)
        return 0;
    if (!(str_set_result = PyUnicode_InternFromString("set_result")) ||
        !(str_set_exception = PyUnicode_InternFromString("set_exception")) ||
        !(str_done = PyUnicode_InternFromString("done")))
        return -1;
    return 0;
}

static void *addr_of(PyObject *o, const char *what)
{
    void *p = PyLong_Check(o) ? PyLong_AsVoidPtr(o) : NULL;
    if (p == NULL && !PyErr_Occurred())
        PyErr_Format(PyExc_ValueError, "%s must be a non-zero address (int)", what);
    return p;
}

/* The open batch of `aio` and its records list (borrowed), a new list in gens[gen] when the
 * batch was just opened (*opened). NULL with an exception set. */
static cbc_BATCH *open_batch(cbc_AIO *aio, PyObject *gens, PyObject **records, int *opened)
{
    uint32_t gen;
    cbc_BATCH *b = fp__api->aio_batch(aio, &gen, opened);
    if (b == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    while (PyList_GET_SIZE(gens) <= (Py_ssize_t)gen) {
        if (PyList_Append(gens, Py_None) < 0)
            return NULL;
    }
    *records = PyList_GET_ITEM(gens, (Py_ssize_t)gen);
    if (*opened || !PyList_Check(*records)) {
        PyObject *fresh = PyList_New(0);
        if (fresh == NULL)
            return NULL;
        PyList_SetItem(gens, (Py_ssize_t)gen, fresh); /* the old list's records were all handed out */
        *records = fresh;
    }
    return b;
}

/* aio_start(aio_addr, gens, items, add_args, deadline_us, record) -> int (requests added);
 * the caller makes sure a submit is scheduled. */
PyObject *fp_aio_start(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *vec[MAX_ARGS], *added, *ops, *rec, *extra, *gens, *addr;
    Py_ssize_t i, n, nextra;
    size_t n0, n1;
    cbc_BATCH *batch;
    cbc_AIO *aio;
    unsigned long long deadline;
    long items;
    int opened;

    if (!fp__check_nargs("aio_start", nargs, 6) || !fp__ready() || names_ready() < 0)
        return NULL;
    if ((aio = addr_of(args[0], "aio_addr")) == NULL)
        return NULL;
    gens = args[1];
    if ((items = PyLong_AsLong(args[2])) == -1 && PyErr_Occurred())
        return NULL;
    extra = args[3];
    if ((deadline = PyLong_AsUnsignedLongLong(args[4])) == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    rec = args[5];
    if (!PyTuple_Check(extra) || !PyList_Check(gens)) {
        PyErr_SetString(PyExc_TypeError, "aio_start: add_args must be a tuple and gens a list");
        return NULL;
    }
    nextra = PyTuple_GET_SIZE(extra);
    if (nextra + 1 > MAX_ARGS) {
        PyErr_SetString(PyExc_TypeError, "aio_start: too many arguments");
        return NULL;
    }
    if ((batch = open_batch(aio, gens, &ops, &opened)) == NULL)
        return NULL;
    n0 = fp__api->batch_size(batch);
    if ((size_t)PyList_GET_SIZE(ops) != n0) {
        PyErr_SetString(PyExc_RuntimeError, "aio_start: the operation list is out of step with the batch");
        return NULL;
    }
    if ((addr = PyLong_FromVoidPtr(batch)) == NULL)
        return NULL;
    vec[0] = addr;
    for (i = 0; i < nextra; i++)
        vec[i + 1] = PyTuple_GET_ITEM(extra, i);
    added = items == 2 ? fp_add_subdoc(mod, vec, nextra + 1)
                       : items ? fp_add_items(mod, vec, nextra + 1) : fp_add_keys(mod, vec, nextra + 1);
    Py_DECREF(addr);
    if (added == NULL)
        return NULL; /* the adder dropped what it added; the others' requests stay */
    Py_DECREF(added);
    n1 = fp__api->batch_size(batch);
    n = (Py_ssize_t)(n1 - n0);
    if (PyList_Check(rec)) {
        PyObject *results = PyList_New(n), *start = PyLong_FromSize_t(n0), *count = PyLong_FromSsize_t(n);
        if (!results || !start || !count || PyList_GET_SIZE(rec) < 6) {
            Py_XDECREF(results);
            Py_XDECREF(start);
            Py_XDECREF(count);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "aio_start: a multi record has 6 items");
            goto undo;
        }
        for (i = 0; i < n; i++) {
            Py_INCREF(Py_None);
            PyList_SET_ITEM(results, i, Py_None);
        }
        PyList_SetItem(rec, 2, start);
        PyList_SetItem(rec, 3, count);
        PyList_SetItem(rec, 4, results);
    }
    for (i = 0; i < n; i++) {
        if (PyList_Append(ops, rec) < 0)
            goto undo;
    }
    fp__api->aio_deadline(aio, n0, (uint64_t)deadline);
    return PyLong_FromSsize_t(n);
undo:
    fp__api->batch_undo(batch, n0);
    PyList_SetSlice(ops, (Py_ssize_t)n0, PY_SSIZE_T_MAX, NULL);
    return NULL;
}

/* The raw answer of request `index` (new reference). */
static PyObject *raw_answer(void *batch, size_t index)
{
    const cbc_RESULT *r = fp__api->batch_results((cbc_BATCH *)batch) + index;
    return Py_BuildValue("(iHKIy#KKKHhBzi)", r->rc, r->status, (unsigned long long)r->cas, (unsigned)r->flags,
                         r->value ? r->value : "", (Py_ssize_t)r->nvalue, (unsigned long long)r->seqno,
                         (unsigned long long)r->counter, (unsigned long long)r->vbuuid, r->vbucket, r->server,
                         r->datatype, r->rc ? r->file : NULL, r->rc ? r->line : 0);
}

static PyObject *make(void *batch, size_t index, PyObject *build, Py_ssize_t i)
{
    int bad = 0;
    if (build == Py_None)
        return raw_answer(batch, index);
    if (!PyTuple_Check(build) || PyTuple_GET_SIZE(build) != 7) {
        PyErr_SetString(PyExc_TypeError, "aio: a build is None or a 7-tuple");
        return NULL;
    }
    return fp__build_one(batch, index, PyTuple_GET_ITEM(build, 0), i, &PyTuple_GET_ITEM(build, 1), &bad);
}

/* Hand `o` (or the pending exception when o is NULL) to the future; a future that is
 * done already (cancelled) drops it. Steals o. */
static void resolve(PyObject *fut, PyObject *o)
{
    PyObject *r, *et, *ev, *tb, *d;
    int done;
    if (o == NULL) {
        PyObject *exc = fp__take_exception();
        if (exc == NULL)
            exc = PyObject_CallFunction(PyExc_RuntimeError, "s", "aio: a result could not be built");
        if (exc == NULL) {
            PyErr_WriteUnraisable(fut);
            return;
        }
        r = PyObject_CallMethodOneArg(fut, str_set_exception, exc);
        Py_DECREF(exc);
    } else {
        r = PyObject_CallMethodOneArg(fut, str_set_result, o);
        Py_DECREF(o);
    }
    if (r != NULL) {
        Py_DECREF(r);
        return;
    }
    PyErr_Fetch(&et, &ev, &tb);
    d = PyObject_CallMethodNoArgs(fut, str_done);
    done = d != NULL && PyObject_IsTrue(d) == 1;
    Py_XDECREF(d);
    PyErr_Clear();
    if (done) {
        Py_XDECREF(et);
        Py_XDECREF(ev);
        Py_XDECREF(tb);
        return;
    }
    PyErr_Restore(et, ev, tb);
    PyErr_WriteUnraisable(fut);
}

/* The (mres, failed) pair of a finished multi record, in request order (new reference). */
static PyObject *assemble(PyObject *multi_cls, PyObject *results)
{
    PyObject *mres, *failed, *out;
    Py_ssize_t i, n = PyList_GET_SIZE(results);
    if (multi_cls == Py_None) {
        Py_INCREF(results);
        return results;
    }
    if ((mres = PyObject_CallNoArgs(multi_cls)) == NULL)
        return NULL;
    if (!PyDict_Check(mres) || (failed = PyList_New(0)) == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "multi_cls must build a dict");
        Py_DECREF(mres);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        ResultObject *o = (ResultObject *)PyList_GET_ITEM(results, i);
        Py_ssize_t before = PyDict_GET_SIZE(mres);
        int bad = o->rc != 0 || (o->extra != NULL && PyExceptionInstance_Check(o->extra));
        if (PyDict_SetItem(mres, o->key, (PyObject *)o) < 0 || (bad && PyList_Append(failed, (PyObject *)o) < 0))
            goto fail;
        if (PyDict_GET_SIZE(mres) == before && PyErr_WarnEx(PyExc_RuntimeWarning, "Found duplicate key", 1) < 0)
            goto fail;
    }
    out = PyTuple_Pack(2, mres, failed);
    Py_DECREF(mres);
    Py_DECREF(failed);
    return out;
fail:
    Py_DECREF(mres);
    Py_DECREF(failed);
    return NULL;
}

/* Request `index` of `batch` completed: its record's share of the work. */
static void complete(void *batch, size_t index, PyObject *rec)
{
    PyObject *fut, *o, *results;
    Py_ssize_t start, remaining, i, k;
    if (PyTuple_Check(rec) && PyTuple_GET_SIZE(rec) == 2) {
        fut = PyTuple_GET_ITEM(rec, 0);
        resolve(fut, make(batch, index, PyTuple_GET_ITEM(rec, 1), 0));
        return;
    }
    if (!PyList_Check(rec) || PyList_GET_SIZE(rec) < 6) {
        PyErr_SetString(PyExc_TypeError, "aio: a record is a 2-tuple or a 6-item list");
        PyErr_WriteUnraisable(rec);
        return;
    }
    fut = PyList_GET_ITEM(rec, 0);
    start = PyLong_AsSsize_t(PyList_GET_ITEM(rec, 2));
    remaining = PyLong_AsSsize_t(PyList_GET_ITEM(rec, 3));
    results = PyList_GET_ITEM(rec, 4);
    i = (Py_ssize_t)index - start;
    if (PyErr_Occurred() || !PyList_Check(results) || i < 0 || i >= PyList_GET_SIZE(results) || remaining < 1) {
        PyErr_Clear();
        PyErr_SetString(PyExc_RuntimeError, "aio: a multi record is out of step with its batch");
        PyErr_WriteUnraisable(rec);
        return;
    }
    o = make(batch, index, PyList_GET_ITEM(rec, 1), i);
    if (o == NULL) {
        o = fp__take_exception(); /* kept in its place; raised when the operation finishes */
        if (o == NULL) {
            Py_INCREF(Py_None);
            o = Py_None;
        }
    }
    PyList_SetItem(results, i, o);
    remaining--;
    PyList_SetItem(rec, 3, PyLong_FromSsize_t(remaining));
    if (remaining)
        return;
    for (k = 0; k < PyList_GET_SIZE(results); k++) {
        PyObject *x = PyList_GET_ITEM(results, k);
        if (PyExceptionInstance_Check(x)) {
            PyErr_SetObject((PyObject *)Py_TYPE(x), x);
            resolve(fut, NULL);
            return;
        }
    }
    resolve(fut, assemble(PyList_GET_ITEM(rec, 5), results));
}

/* The status as an int, after calling args[5](status, fd) when given and needed. */
static PyObject *after(PyObject *const *args, Py_ssize_t nargs, int st, long fd)
{
    if (nargs > 5 && args[5] != Py_None && (st & ~CBC_AIO_DONE)) {
        PyObject *r = PyObject_CallFunction(args[5], "il", st, fd);
        if (r == NULL)
            return NULL;
        Py_DECREF(r);
    }
    return PyLong_FromLong(st);
}

/* aio_call(aio_addr, what, fd, events, gens[, after]) -> status bits
 *   what: 0 submit, 1 event (fd, events), 2 tick; gens[g] is generation g's record list;
 *   after(status, fd) is called when the status holds more than CBC_AIO_DONE (so that an
 *   event loop can run this function itself as a descriptor's callback). */
PyObject *fp_aio_call(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    const cbc_AIO_DONE *done;
    cbc_AIO *aio;
    PyObject *gens;
    long what, fd, events;
    size_t n, k;
    int st;
    (void)mod;

    if (!fp__check_nargs_opt("aio_call", nargs, 5) || !fp__ready() || names_ready() < 0)
        return NULL;
    if ((aio = addr_of(args[0], "aio_addr")) == NULL)
        return NULL;
    what = PyLong_AsLong(args[1]);
    fd = PyLong_AsLong(args[2]);
    events = PyLong_AsLong(args[3]);
    if (PyErr_Occurred())
        return NULL;
    gens = args[4];
    if (!PyList_Check(gens)) {
        PyErr_SetString(PyExc_TypeError, "aio_call: gens must be a list");
        return NULL;
    }
    switch (what) {
    case 0:
        st = fp__api->aio_submit(aio);
        break;
    case 1:
        st = fp__api->aio_event(aio, (int)fd, (int)events);
        break;
    case 2:
        st = fp__api->aio_tick(aio);
        break;
    default:
        PyErr_Format(PyExc_ValueError, "aio_call: unknown step %ld", what);
        return NULL;
    }
    if (!(st & CBC_AIO_DONE))
        return after(args, nargs, st, fd);
    n = fp__api->aio_done(aio, &done);
    for (k = 0; k < n; k++) {
        uint32_t gen = done[k].gen;
        size_t index = done[k].index;
        PyObject *ops, *rec;
        void *batch = fp__api->aio_gen_batch(aio, gen);
        if ((Py_ssize_t)gen >= PyList_GET_SIZE(gens) || !PyList_Check(ops = PyList_GET_ITEM(gens, gen)) ||
            (Py_ssize_t)index >= PyList_GET_SIZE(ops) || batch == NULL) {
            PyErr_Format(PyExc_RuntimeError, "aio: no record for request %zu of generation %u", index,
                         (unsigned)gen);
            PyErr_WriteUnraisable(gens);
            continue;
        }
        rec = PyList_GET_ITEM(ops, (Py_ssize_t)index);
        Py_INCREF(rec);
        Py_INCREF(Py_None);
        PyList_SetItem(ops, (Py_ssize_t)index, Py_None); /* the record goes with its last request */
        complete(batch, index, rec);
        Py_DECREF(rec);
    }
    return after(args, nargs, st, fd);
}
