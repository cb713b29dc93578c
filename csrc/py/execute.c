/* execute(): one call for a single-request operation: reset, add, run, build.
 *
 * Each step is the module's own (fp_add_keys / fp_add_items / fp_build_single); the run
 * is the core's cbc_batch_run through the function table, with the GIL released around
 * it exactly as cffi would. Folding the four calls into one removes the Python frames and
 * cffi argument conversions that dominate a single get or set. */
#include "fastpath.h"

#define MAX_ARGS 16

/* args = (addr,) + extra, into out[]; returns the count or -1 with an exception set. */
static Py_ssize_t join_args(PyObject *addr, PyObject *extra, PyObject **out)
{
    Py_ssize_t i, n;
    if (!PyTuple_Check(extra)) {
        PyErr_SetString(PyExc_TypeError, "execute: argument groups must be tuples");
        return -1;
    }
    n = PyTuple_GET_SIZE(extra);
    if (n + 1 > MAX_ARGS) {
        PyErr_SetString(PyExc_TypeError, "execute: too many arguments");
        return -1;
    }
    out[0] = addr;
    for (i = 0; i < n; i++) {
        out[i + 1] = PyTuple_GET_ITEM(extra, i);
    }
    return n + 1;
}

PyObject *fp_execute(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *vec[MAX_ARGS];
    PyObject *added;
    Py_ssize_t n;
    void *batch;
    unsigned long long timeout_us;
    cbc_ERROR err;
    int rc, items;

    if (!fp__check_nargs("execute", nargs, 5) || !fp__ready())
        return NULL;
    batch = fp__batch_from(args[0]);
    if (batch == NULL)
        return NULL;
    /* 0 (False): add_keys, 1 (True): add_items, 2: add_subdoc */
    items = (int)PyLong_AsLong(args[1]);
    if (items == -1 && PyErr_Occurred())
        return NULL;
    timeout_us = PyLong_AsUnsignedLongLong(args[3]);
    if (timeout_us == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;

    fp__api->batch_reset((cbc_BATCH *)batch);
    n = join_args(args[0], args[2], vec);
    if (n < 0)
        return NULL;
    added = items == 2 ? fp_add_subdoc(mod, vec, n) : items ? fp_add_items(mod, vec, n) : fp_add_keys(mod, vec, n);
    if (added == NULL)
        return NULL; /* the adder reset the batch: nothing is sent */
    Py_DECREF(added);

    memset(&err, 0, sizeof(err));
    Py_BEGIN_ALLOW_THREADS
    rc = fp__api->batch_run((cbc_BATCH *)batch, (uint64_t)timeout_us, &err);
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        /* A batch-level failure: the caller raises it like any cbc_ERROR. */
        return Py_BuildValue("(O(iysi))", Py_None, rc, err.msg, err.file ? err.file : "", err.line);
    }
    n = join_args(args[0], args[4], vec);
    if (n < 0)
        return NULL;
    return fp_build_single(mod, vec, n);
}
