/* Internal header of couchbase._fastpath (csrc/py/): what its files share.
 *
 * fastpath.c  module init, init(), the ResultBase type, errors and argument helpers
 * encode.c    add_keys / add_items: Python arguments to core requests
 * build.c     build / build_single / build_range: a batch's results to objects;
 *             execute_multi: run a batch in steps, building each step's results
 * execute.c   execute: reset, add, run (GIL released) and build for one request
 * aio.c       aio_start / aio_call: the event-driven mode's adder and dispatcher
 *
 * Everything here runs with the GIL held. Shared names carry the fp__ prefix. */
#ifndef CBC_PY_FASTPATH_H
#define CBC_PY_FASTPATH_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

#include "cbc_api.h"
#include "errors.h" /* CBC_ERR_* numbers only; nothing is linked */


/* 1.x format codes (the FMT_* numbers of the public API, checked against
 * couchbase/_formats.py by init()). The flag words written for each format are
 * read from Python at init() (fp__flags), so couchbase/_formats.py is their one
 * source. */
enum { F_JSON = 0, F_PICKLE = 1, F_BYTES = 2, F_UTF8 = 4 };
#define DATATYPE_JSON 1

enum { K_VALUE, K_COUNTER, K_OP, K_UNLOCK, K_SUBDOC };

/* In the durability argument of the adders: also send the preserve-TTL frame. */
#define FP_PRESERVE_TTL 0x100
/* ---- state set by init() (fastpath.c) ---- */

extern const cbc_API *fp__api;
/* The classes raised for bad arguments and unencodable values: ArgumentError and
 * ValueFormatError from init(), or the pair a caller passes for one call (the modern
 * API passes its InvalidArgumentException and ValueFormatException). Borrowed while
 * a call has replaced them (fp__errors_enter/leave). */
extern PyObject *fp__exc_arg;
extern PyObject *fp__exc_fmt;
/* Item flags written for F_JSON, F_PICKLE, F_BYTES, F_UTF8 (indexed by format): the
 * common flags of couchbase/_formats.py, and the 1.x client's (the format code itself),
 * which add_items writes when its caller asks for them. */
extern uint32_t fp__flags[5];
extern const uint32_t fp__legacy_flags[5];
#define FMT_MASK_1X 7
extern PyObject *fp__tc_globals;  /* couchbase.transcoder.__dict__: converters read per call */
extern PyObject *fp__fmt_auto;    /* the FMT_AUTO sentinel */
extern PyObject *fp__auto_encode; /* couchbase.transcoder.auto_encode: handled natively */
extern PyObject *fp__str_json_enc, *fp__str_json_dec, *fp__str_pickle_enc, *fp__str_pickle_dec;
extern PyObject *fp__str_pyexc, *fp__str_decode_value;

/* ---- ResultBase: the data layout of every result class ---- */

typedef struct {
    PyObject_HEAD
    PyObject *key;   /* NULL: unset (AttributeError) */
    PyObject *value; /* NULL reads as None */
    PyObject *extra; /* anything a subclass needs; decode failures put the exception here */
    PyObject *csrc;  /* (C file, line) that set a failed rc, else NULL (reads as None) */
    unsigned long long cas;
    unsigned long long vbuuid;
    unsigned long long seqno;
    int rc;
    unsigned int flags;
    int vbucket;
    int status;      /* raw server status; 0xffff when no answer arrived */
    int server;      /* index of the server the request went to; -1 when never sent */
} ResultObject;

extern PyTypeObject fp__ResultBase_Type;

/* ---- errors ---- */

/* The pending exception, normalised and with its traceback, or NULL. */
PyObject *fp__take_exception(void);
/* Raise cls.pyexc(message, obj). */
void fp__raise_exc(PyObject *cls, PyObject *obj, const char *fmt, ...);
/* Replace the pending exception with cls.pyexc(message, obj, inner=<it>). */
void fp__wrap_exc(PyObject *cls, PyObject *obj, const char *fmt, ...);

/* ---- argument helpers ---- */

/* 1 when init() has run, else 0 with RuntimeError set. */
int fp__ready(void);
int fp__check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t want);
/* Like fp__check_nargs for a function with one optional trailing argument. */
int fp__check_nargs_opt(const char *name, Py_ssize_t nargs, Py_ssize_t want);

/* The exception classes of one call: `errors` is None or (argument_cls, format_cls).
 * enter installs them (saving the previous pair in save[2]); leave restores. */
int fp__errors_enter(PyObject *errors, PyObject **save);
void fp__errors_leave(PyObject **save);
/* The batch address an int carries, or NULL with an exception set. */
void *fp__batch_from(PyObject *addr);
/* Item i of a list or tuple as a new reference; a list may have shrunk. */
PyObject *fp__seq_item(PyObject *seq, Py_ssize_t i);
/* A converter from couchbase.transcoder's globals (new reference). */
PyObject *fp__converter(PyObject *name);

/* Converters, fetched from couchbase.transcoder on first use within one call. */
typedef struct {
    PyObject *json_enc, *json_dec, *pickle_enc, *pickle_dec;
} CONVERTERS;

void fp__conv_release(CONVERTERS *c);
/* *slot, fetched by name on first use (borrowed from the CONVERTERS), or NULL. */
PyObject *fp__conv_get(PyObject **slot, PyObject *name);
/* The 1.x rule: bits tested in the order UTF8, BYTES, PICKLE; else JSON. */
int fp__legacy_format(unsigned long long f);

/* ---- the module's functions (METH_FASTCALL) ---- */

PyObject *fp_add_keys(PyObject *mod, PyObject *const *args, Py_ssize_t nargs);  /* encode.c */
PyObject *fp_add_items(PyObject *mod, PyObject *const *args, Py_ssize_t nargs); /* encode.c */
PyObject *fp_add_subdoc(PyObject *mod, PyObject *const *args, Py_ssize_t nargs); /* encode.c */
PyObject *fp_build(PyObject *mod, PyObject *const *args, Py_ssize_t nargs);     /* build.c */
PyObject *fp_build_single(PyObject *mod, PyObject *const *args, Py_ssize_t nargs); /* build.c */
PyObject *fp_build_range(PyObject *mod, PyObject *const *args, Py_ssize_t nargs);  /* build.c */
PyObject *fp_execute_multi(PyObject *mod, PyObject *const *args, Py_ssize_t nargs); /* build.c */
PyObject *fp_execute(PyObject *mod, PyObject *const *args, Py_ssize_t nargs);   /* execute.c */
PyObject *fp_aio_start(PyObject *mod, PyObject *const *args, Py_ssize_t nargs); /* aio.c */
PyObject *fp_aio_call(PyObject *mod, PyObject *const *args, Py_ssize_t nargs);  /* aio.c */

/* One result object of `batch` (build.c): request `index`, keyed keys[i]; bargs = kind,
 * value_cls, op_cls, passthrough, transcoder, no_format. NULL with an exception set. */
PyObject *fp__build_one(void *batch, size_t index, PyObject *keys, Py_ssize_t i, PyObject *const *bargs,
                        int *failed);

#endif /* CBC_PY_FASTPATH_H */
