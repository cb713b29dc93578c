"""Map and reduce functions as real JavaScript, in V8 (through mini-racer).

Documents go to the engine in batches: one call maps a whole batch of documents through
every view of a design document and returns every emitted row as one JSON text. A map
function that throws skips that document for that view (as a server does); the first few
errors are reported back for the log.
"""

import asyncio
import atexit
import json
import threading

#: Longest time one engine call may run (a map or reduce function that loops forever).
CALL_TIMEOUT = 60.0

_PRELUDE = r"""
var __fns = [];
var __out = null;
var __id = null;
function emit(key, value) {
  var k = JSON.stringify(key === undefined ? null : key);
  var v = JSON.stringify(value === undefined ? null : value);
  if (k === undefined) k = "null";
  if (v === undefined) v = "null";
  __out.push(key === undefined ? null : key, v, '{"id":' + __id + ',"key":' + k + ',"value":' + v + '}');
}
function sum(values) {
  var s = 0;
  for (var i = 0; i < values.length; i++) s += values[i];
  return s;
}
function log() {}
function dateToArray(date) {
  var d = (typeof date === "string" || typeof date === "number") ? new Date(date) : date;
  if (!(d instanceof Date) || isNaN(d.getTime())) throw new TypeError("dateToArray: not a date");
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(),
          d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
}
var __b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function decodeBase64(s) {
  var out = "", bits = 0, acc = 0;
  for (var i = 0; i < s.length; i++) {
    var v = __b64.indexOf(s.charAt(i));
    if (v < 0) continue;
    acc = (acc << 6) | v; bits += 6;
    if (bits >= 8) { bits -= 8; out += String.fromCharCode((acc >> bits) & 0xff); }
  }
  return out;
}
function __compile(src) {
  var f = (0, eval)("(" + src + ")");
  if (typeof f !== "function") throw new TypeError("the source is not a function");
  __fns.push(f);
  return __fns.length - 1;
}
function __map(ids, batch) {
  ids = JSON.parse(ids);
  var result = new Array(ids.length), errors = [], nerrors = 0;
  for (var j = 0; j < ids.length; j++) {
    var fn = __fns[ids[j]], docs = JSON.parse(batch), per = new Array(docs.length);
    for (var i = 0; i < docs.length; i++) {
      __out = [];
      __id = JSON.stringify(docs[i][0].id);
      try {
        fn(docs[i][1], docs[i][0]);
        per[i] = __out;
      } catch (e) {
        per[i] = null;
        nerrors++;
        if (errors.length < 10) errors.push([docs[i][0].id, String(e)]);
      }
    }
    result[j] = per;
  }
  __out = null;
  return JSON.stringify([nerrors, errors, result]);
}
function __reduce(id, groups, rereduce) {
  var g = JSON.parse(groups), fn = __fns[id], out = new Array(g.length);
  for (var i = 0; i < g.length; i++) {
    var v = fn(rereduce ? null : g[i][0], g[i][1], rereduce);
    out[i] = v === undefined ? null : v;
  }
  return JSON.stringify(out);
}
"""


_V8_LOOP = None
_V8_LOCK = threading.Lock()


def _v8_loop():
    """One process-wide daemon thread with its own asyncio loop: V8 is initialised there
    and every context's calls run there. (V8 must be initialised on a thread that stays
    alive: initialising it on a thread that then ends crashes later contexts.)"""
    global _V8_LOOP
    with _V8_LOCK:
        if _V8_LOOP is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="mock-v8", daemon=True).start()
            _V8_LOOP = loop
        return _V8_LOOP


def new_context():
    """A MiniRacer context on the process's V8 thread (the way to use V8 beside the cluster).
    Keep it for the life of the process: V8 contexts must not be freed from another thread."""
    from py_mini_racer import MiniRacer   # the mock extra
    from py_mini_racer._dll import init_mini_racer
    init_mini_racer(ignore_duplicate_init=True)

    async def make():
        return MiniRacer()                 # adopts the running loop: the V8 thread's
    ctx = asyncio.run_coroutine_threadsafe(make(), _v8_loop()).result()
    with _V8_LOCK:
        if not _CONTEXTS:
            atexit.register(_close_all)
        _CONTEXTS.append(ctx)
    return ctx


_CONTEXTS = []


def _close_all():
    """At exit: drop the engine's function handles and close every context on the V8
    thread (a context freed from another thread during shutdown crashes the process)."""
    if _SHARED is not None:
        _SHARED._compile = _SHARED._map = _SHARED._reduce = None
    import gc
    gc.collect()

    async def close():
        for ctx in _CONTEXTS:
            ctx.close()
    try:
        asyncio.run_coroutine_threadsafe(close(), _V8_LOOP).result(10)
    except Exception:
        pass


class JsError(Exception):
    """A function did not compile, or threw where throwing is an error (reduce)."""


class JsEngine:
    """One V8 context for the cluster; functions are compiled once per source text."""

    def __init__(self):
        self._ctx = None
        self._fids = {}
        self._lock = threading.Lock()

    def _context(self):
        if self._ctx is None:
            ctx = new_context()
            ctx.eval(_PRELUDE)
            self._compile = ctx.eval("__compile")
            self._map = ctx.eval("__map")
            self._reduce = ctx.eval("__reduce")
            self._ctx = ctx
        return self._ctx

    def compile(self, source):
        """The id of the function ``source`` (compiled on first use); JsError if it is not
        a JavaScript function."""
        with self._lock:
            fid = self._fids.get(source)
            if fid is not None:
                return fid
            self._context()
            try:
                fid = int(self._compile(source, timeout_sec=CALL_TIMEOUT))
            except Exception as e:      # syntax errors and the like, as V8 reports them
                raise JsError(str(e).strip().splitlines()[0] if str(e).strip() else repr(e))
            self._fids[source] = fid
            return fid

    def map_batch(self, fids, batch):
        """Run map functions ``fids`` over ``batch`` (JSON text: [[meta, doc], ...]).
        Returns (errors, [(docid, message)...], rows) with rows[view][doc] = [key,
        value JSON, row JSON, key, ...] or None for a document whose map threw."""
        with self._lock:
            try:
                out = self._map(json.dumps(fids), batch, timeout_sec=CALL_TIMEOUT)
            except Exception as e:
                raise JsError("map failed: %s" % (e,))
        return json.loads(out)

    def reduce(self, fid, groups, rereduce):
        """Call reduce ``fid`` on each (keys, values) of ``groups``; one result per group."""
        payload = json.dumps(groups, separators=(",", ":"))
        with self._lock:
            try:
                out = self._reduce(fid, payload, bool(rereduce), timeout_sec=CALL_TIMEOUT)
            except Exception as e:
                raise JsError("reduce failed: %s" % (str(e).strip().splitlines() or [repr(e)])[0])
        return json.loads(out)


_SHARED = None


def shared_engine():
    """The process's one engine (every cluster shares it; compiled functions are keyed by
    their source, so sharing is safe). It lives as long as the process."""
    global _SHARED
    with _V8_LOCK:
        if _SHARED is None:
            _SHARED = JsEngine()
        return _SHARED
