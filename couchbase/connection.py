"""The classic Connection: key-value operations, their _multi forms, and stats."""
import os
import numbers
import threading
from time import monotonic as _monotonic

from couchbase import _batch, _endure, connstr
from couchbase._binding import C, error_from, ffi, lib
from couchbase._ops import OP_STAT, OPS
from couchbase.exceptions import *  # noqa: F401,F403  (1.x re-exports the tree here)
from couchbase.exceptions import ArgumentError, CouchbaseError, ObjectThreadError, ValueFormatError
from couchbase.result import *  # noqa: F401,F403
from couchbase.result import MultiResult, OperationResult, Result, ValueResult
from couchbase.transcoder import FMT_AUTO, FMT_BYTES, FMT_JSON, FMT_UTF8
from couchbase.user_constants import *  # noqa: F401,F403
from couchbase.user_constants import LOCKMODE_EXC, LOCKMODE_NONE, LOCKMODE_WAIT

_MAX_TTL = 0xFFFFFFFF


def _bootstrap_retry_codes():
    from couchbase._bootstrap import _retry_codes

    return _retry_codes()

_CLASSIC = (MultiResult, ValueResult, OperationResult)
# execute_multi steps: at most this many results, and after the first about this many
# bytes of values, built while the rest of the answers arrive (see _execute).
_STEP_RESULTS = 128
_STEP_BYTES = 256 * 1024
_OP_GET = OPS["get"]
_OP_SET = OPS["set"]

_MISS = C.KEY_ENOENT


class _Core:
    """Owns the C connection and its reusable batch; frees both, batch first."""

    __slots__ = ("conn", "batch", "err", "extra", "addr")

    def __init__(self):
        self.conn = lib.cbc_conn_new()
        if self.conn == ffi.NULL:
            raise MemoryError("cbc_conn_new")
        self.batch = lib.cbc_batch_new(self.conn)
        # the batch's address for the native fast path (this also initialises the native module)
        self.addr = _batch._addr(self.batch) if _batch.native_available() else 0
        self.err = ffi.new("cbc_ERROR *")
        self.extra = []

    def new_batch(self):
        """Another batch on the same connection (control traffic), freed with it."""
        b = lib.cbc_batch_new(self.conn)
        self.extra.append(b)
        return b

    def close(self):
        for b in self.extra:
            lib.cbc_batch_free(b)
        self.extra = []
        if self.batch is not None:
            lib.cbc_batch_free(self.batch)
            self.batch = None
        if self.conn is not None:
            lib.cbc_conn_free(self.conn)
            self.conn = None

    __del__ = close


def _ttl(value, what="ttl"):
    """Validate an expiry: None/False/0 = none; a non-negative int that fits u32."""
    if type(value) is int and 0 <= value <= _MAX_TTL:
        return value
    if value is None or value is False:
        return 0
    if isinstance(value, bool):
        return int(value)
    if not isinstance(value, numbers.Integral) or value < 0 or value > _MAX_TTL:
        raise ArgumentError.pyexc("Invalid %s: %r (a non-negative int is required)" % (what, value), obj=value)
    return int(value)


def _cas(value):
    if type(value) is int and 0 <= value < 2**64:
        return value
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value < 2**64:
        raise ArgumentError.pyexc("Invalid CAS: %r" % (value,), obj=value)
    return int(value)


def _key_list(keys):
    """Keys of a _multi call as a list, with the 1.x rules for what is accepted."""
    if isinstance(keys, (str, bytes, bytearray)):
        raise ArgumentError.pyexc("Keys must be iterable and have known length", obj=keys)
    if isinstance(keys, dict):
        out = list(keys)
    elif isinstance(keys, (list, tuple)):
        out = keys if isinstance(keys, list) else list(keys)
    else:
        if not hasattr(keys, "__len__") or not hasattr(keys, "__iter__"):
            raise ArgumentError.pyexc("Keys must be iterable and have known length", obj=keys)
        out = list(keys)
        if len(out) != len(keys):
            raise ArgumentError.pyexc("Keys iterable reported a wrong length", obj=keys)
    if not out:
        raise ArgumentError.pyexc("Key list is empty", obj=keys)
    return out


def _require_dict(kv):
    if not isinstance(kv, dict):
        raise ArgumentError.pyexc("Keys must be a dictionary", obj=kv)
    if not kv:
        raise ArgumentError.pyexc("Key list is empty", obj=kv)
    return kv


def _per_key(keys, values, name, conv):
    """Per-key option from a dict value: an int, a dict {name: n}, or a Result (its .cas)."""
    out = []
    for k in keys:
        v = values[k]
        if isinstance(v, dict):
            v = v.get(name, 0)
        elif isinstance(v, Result):
            v = getattr(v, name, 0)
        out.append(conv(v))
    return out


class Connection:
    """A connection to one bucket (or a set of memcached servers).

    Keyword arguments only: ``bucket``, ``host``, ``port``, ``username``, ``password``,
    ``quiet``, ``timeout`` (seconds), ``default_format``, ``lockmode``, ``unlock_gil``,
    ``transcoder``, ``connstr``.
    """

    def __init__(self, bucket=None, host="localhost", port=8091, username=None, password=None,
                 quiet=False, timeout=2.5, default_format=FMT_JSON, lockmode=LOCKMODE_WAIT,
                 unlock_gil=True, transcoder=None, connstr=None, conncache=None, config_cache=None,
                 **unknown):
        if unknown:
            raise ArgumentError({"message": "Bad/insufficient arguments provided.",
                                 "inner_cause": TypeError("unexpected keyword(s): %s" % ", ".join(unknown))})
        self._fast = False
        self._core = _Core()
        self._lock = threading.Lock()
        self._lockmode = LOCKMODE_NONE
        self.quiet = quiet
        self.timeout = timeout
        self.default_format = default_format
        self.transcoder = transcoder
        self.data_passthrough = 0
        if lockmode not in (LOCKMODE_NONE, LOCKMODE_EXC, LOCKMODE_WAIT):
            raise ArgumentError.pyexc("Invalid lockmode %r" % (lockmode,), obj=lockmode)
        self._unlock_gil = bool(unlock_gil)
        self._lockmode = lockmode if self._unlock_gil else LOCKMODE_NONE
        self._update_fast()
        self._bucket = bucket
        self._nodes = []
        self._replicas = 0
        self._bootstrap = None
        self._connect(bucket, host, port, username, password, connstr)

    # ---- connecting ----

    def _connect(self, bucket, host, port, username, password, text):
        if text is None and isinstance(host, str) and "://" in host:
            text = host
        if text is not None:
            spec = connstr.parse(text)
        else:
            spec = connstr.ConnStr("http", self._host_list(host, port), bucket)
        if spec.scheme == "memcached":
            hosts = [(h, p or connstr.DEFAULT_PORTS["memcached"]) for h, p in spec.hosts]
            self._set_servers(hosts)
            rc = lib.cbc_conn_use_ketama(self._core.conn, self._core.err)
            if rc:
                raise error_from(self._core.err)
            # Plain GETs as text `gets` lines on a second socket per server: memcached
            # spends less CPU per key on them. COUCHBASE_TEXT_GETS=0 turns it off.
            lib.cbc_conn_set_text_gets(self._core.conn,
                                       os.environ.get("COUCHBASE_TEXT_GETS", "1") != "0")
            self._bucket = bucket or spec.bucket or "default"
            return
        from couchbase._bootstrap import Bootstrap

        if bucket is None:
            bucket = spec.bucket
        if not bucket:
            raise ArgumentError.pyexc("A bucket name must be given")
        self._bucket = bucket
        if password is not None and username is None:
            username = bucket
        self._bootstrap = Bootstrap(self, spec, bucket, username, password)
        self._bootstrap.connect()

    @staticmethod
    def _host_list(host, port):
        if isinstance(port, bool) or not isinstance(port, int):
            raise ArgumentError.pyexc("port must be an int", obj=port)
        if isinstance(host, str):
            host = [host]
        if not isinstance(host, (list, tuple)) or not host:
            raise ArgumentError.pyexc("host must be a str or a list of hosts", obj=host)
        out = []
        for h in host:
            if isinstance(h, (list, tuple)) and len(h) == 2:
                out.append((str(h[0]), int(h[1])))
            elif isinstance(h, str):
                out.append((h, port))
            else:
                raise ArgumentError.pyexc("Invalid host entry %r" % (h,), obj=h)
        return out

    def _set_servers(self, hosts):
        """Point the C core at (host, port) pairs."""
        names = [ffi.new("char[]", h.encode()) for h, _p in hosts]
        rc = lib.cbc_conn_set_servers(self._core.conn, ffi.new("const char *[]", names),
                                      ffi.new("int[]", [p for _h, p in hosts]), len(hosts), self._core.err)
        if rc:
            raise error_from(self._core.err)
        self._nodes = ["%s:%d" % hp for hp in hosts]

    # ---- properties ----

    @property
    def bucket(self):
        return self._bucket

    @property
    def server_nodes(self):
        return list(self._nodes)

    @property
    def configured_replica_count(self):
        return self._replicas

    @property
    def lockmode(self):
        return self._lockmode

    @property
    def unlock_gil(self):
        return int(self._unlock_gil)

    @property
    def closed(self):
        return self._core.conn is None

    @property
    def connected(self):
        return True

    @property
    def quiet(self):
        return self._quiet

    @quiet.setter
    def quiet(self, value):
        if value is None or isinstance(value, str):
            raise TypeError("quiet must be a bool or int")
        self._quiet = 1 if value else 0

    @property
    def timeout(self):
        return self._timeout

    @timeout.setter
    def timeout(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError("timeout must be a number of seconds")
        if value <= 0:
            raise ValueError("timeout must be positive")
        self._timeout = float(value)
        self._timeout_us = int(value * 1e6)

    @property
    def default_format(self):
        return self._default_format

    @default_format.setter
    def default_format(self, value):
        if value is None:
            value = FMT_JSON
        if value is not FMT_AUTO and (isinstance(value, bool) or not isinstance(value, int)):
            raise ArgumentError.pyexc("default_format must be an int format", obj=value)
        self._default_format = value

    @property
    def transcoder(self):
        return self._transcoder

    @transcoder.setter
    def transcoder(self, value):
        if isinstance(value, type):
            value = value()
        self._transcoder = value or None
        self._update_fast()

    @property
    def data_passthrough(self):
        return self._passthrough

    @data_passthrough.setter
    def data_passthrough(self, value):
        self._passthrough = 1 if value else 0
        self._update_fast()

    def _update_fast(self):
        """Whether plain single get/set may take the one-native-call path (_fast_single)."""
        self._fast = (getattr(self, "_transcoder", 1) is None and not getattr(self, "_passthrough", 1)
                      and getattr(self, "_lockmode", None) == LOCKMODE_WAIT)

    def __repr__(self):
        return "<%s.%s bucket=%s, nodes=%r at 0x%x>" % (
            type(self).__module__, type(self).__name__, self._bucket, self._nodes, id(self))

    # ---- the one path every KV operation takes ----

    def _acquire(self):
        mode = self._lockmode
        if mode == LOCKMODE_WAIT:
            self._lock.acquire()
        elif mode == LOCKMODE_EXC:
            if not self._lock.acquire(False):
                raise ObjectThreadError.pyexc(
                    "Couldn't lock. If LOCKMODE_WAIT was passed, then this means that something "
                    "has gone wrong internally. Otherwise, this means you are using the Connection "
                    "object from multiple threads. This is not allowed (without an explicit "
                    "lockmode=LOCKMODE_WAIT constructor argument")
        if self._core.conn is None:
            self._release()
            raise CouchbaseError.rc_to_exctype(C.CLIENT_ETMPFAIL)(
                {"rc": C.CLIENT_ETMPFAIL, "message": "Connection is closed"})

    def _release(self):
        if self._lockmode != LOCKMODE_NONE:
            self._lock.release()

    def _keys_for_wire(self, keys):
        """Keys as _batch takes them: str, or bytes from a transcoder's encode_key."""
        tc = self._transcoder
        if tc is None and len(keys) == 1:
            if type(keys[0]) is str:
                return keys
        elif tc is not None and hasattr(tc, "encode_key"):
            out = []
            for k in keys:
                try:
                    b = tc.encode_key(k)
                except CouchbaseError:
                    raise
                except Exception as e:
                    raise ValueFormatError({"message": "Transcoder.encode_key failed", "inner_cause": e, "objextra": k})
                if not isinstance(b, bytes):
                    raise ValueFormatError.pyexc("Transcoder.encode_key must return bytes", obj=b)
                if not b:
                    raise ValueFormatError.pyexc("Transcoder.encode_key returned an empty string", obj=k)
                out.append(b)
            return out
        if bytes in map(type, keys) or bytearray in map(type, keys):
            bad = next(k for k in keys if isinstance(k, (bytes, bytearray)))
            raise ValueFormatError.pyexc("Key must be a str, not bytes", obj=bad)
        return keys

    def _execute(self, keys, op, add, quiet=False, single=False, no_format=False, result_keys=None,
                 classes=None, raiser=None, timeout=None):
        """Reset the batch, let `add` fill it, run it in one C call, build results, raise failures.

        `classes` = (multi, value, op) result classes and `raiser(failed, mres)` let the
        modern API share this path with its own result and exception types; `timeout`
        (seconds) replaces the connection's for this call only."""
        multi_cls, value_cls, op_cls = classes or _CLASSIC
        if self._lockmode == LOCKMODE_WAIT:
            self._lock.acquire()
            if self._core.conn is None:
                self._lock.release()
                self._acquire()  # raises the closed-connection error
        else:
            self._acquire()
        try:
            core = self._core
            batch = core.batch
            lib.cbc_batch_reset(batch)
            add(batch)
            started = _monotonic()
            timeout_us = self._timeout_us if timeout is None else int(timeout * 1e6)
            rkeys = result_keys if result_keys is not None else keys
            passthrough = self._passthrough
            if not single and self._bootstrap is None and _batch.using_native():
                # Plain memcached (no topology retry needs the whole run first): results
                # are built in steps while later answers are still arriving.
                if passthrough:
                    rkeys = [k.encode() if isinstance(k, str) else k for k in rkeys]
                mres, failed = _batch._fp.execute_multi(
                    _batch._addr(batch), timeout_us, _STEP_RESULTS, _STEP_BYTES, rkeys, op.kind, multi_cls,
                    value_cls, op_cls, passthrough, _batch._custom(self._transcoder), no_format)
                if mres is None:
                    rc, msg, file, line = failed
                    raise CouchbaseError.rc_to_exctype(rc)({
                        "rc": rc, "key": None, "message": msg.decode(errors="replace") or None,
                        "csrc_info": (file, line) if file else ()})
            else:
                rc = lib.cbc_batch_run(batch, timeout_us, core.err)
                if rc:
                    raise error_from(core.err)
                if self._bootstrap is not None:
                    self._bootstrap.after_run(batch, started, timeout)
                if passthrough:
                    rkeys = [k.encode() if isinstance(k, str) else k for k in rkeys]
                tc = self._transcoder
                if single:
                    res, failed = _batch.build_single(batch, rkeys, op.kind, multi_cls, value_cls, op_cls,
                                                      passthrough, tc, no_format)
                    failed = [res] if failed else None
                    mres = None
                else:
                    mres, failed = _batch.build(batch, rkeys, op.kind, multi_cls, value_cls, op_cls,
                                                passthrough, tc, no_format)
            if failed:
                failed = self._failures(failed, op, quiet)
        finally:
            self._release()
        if failed:
            if mres is None:
                mres = multi_cls({failed[0][0].key: failed[0][0]})
            (raiser or self._raise)(failed, mres)
        return res if single else mres

    def _fast_single(self, keys, op, items, add_args, quiet):
        """The plain single get/set: one native call under the lock, no transcoder or
        passthrough (callers check self._fast and _batch._native)."""
        lock = self._lock
        lock.acquire()
        core = self._core
        if core.conn is None:
            lock.release()
            self._acquire()  # raises the closed-connection error
        try:
            started = _monotonic()
            res, failed = _batch._fp.execute(core.addr, items, add_args, self._timeout_us,
                                             (keys, op.kind, ValueResult, OperationResult, 0, None, False, 0))
            if failed is not None:
                res, failed = self._after_single(res, failed, op, quiet, keys, started, _CLASSIC)
        finally:
            lock.release()
        if failed:
            self._raise(failed, MultiResult({res.key: res}))
        return res

    def _after_single(self, res, failed, op, quiet, rkeys, started, classes, no_format=False):
        """A single request that failed: batch-level error, topology retry, then which failures
        to raise (as _failures). Returns (result, failures); runs under the lock."""
        if res is None:
            rc, msg, file, line = failed
            raise CouchbaseError.rc_to_exctype(rc)({"rc": rc, "message": msg.decode(errors="replace") or None,
                                                    "csrc_info": (file, line) if file else ()})
        if self._bootstrap is not None and res.rc in _bootstrap_retry_codes():
            batch = self._core.batch
            self._bootstrap.after_run(batch, started)
            multi_cls, value_cls, op_cls = classes
            res, failed = _batch.build_single(batch, rkeys, op.kind, multi_cls, value_cls, op_cls,
                                              self._passthrough, self._transcoder, no_format)
            if failed is None:
                return res, None
        return res, self._failures([res], op, quiet)

    def _run_single(self, keys, op, items, add_args, quiet=False, no_format=False, classes=None, raiser=None):
        """One-request operations: reset, add, run and build in one native call.

        `add_args` are _batch.add_items's (items true) or add_keys's positional arguments after
        the batch. Without the native module this is _execute with the same arguments."""
        if not _batch.using_native():
            adder = _batch.add_items if items else _batch.add_keys
            return self._execute(keys, op, lambda b: adder(b, *add_args), quiet, True, no_format,
                                 classes=classes, raiser=raiser)
        multi_cls, value_cls, op_cls = classes or _CLASSIC
        lock = self._lock
        if self._lockmode == LOCKMODE_WAIT:
            lock.acquire()
            if self._core.conn is None:
                lock.release()
                self._acquire()  # raises the closed-connection error
        else:
            self._acquire()
        try:
            batch = self._core.batch
            passthrough = self._passthrough
            rkeys = [k.encode() if isinstance(k, str) else k for k in keys] if passthrough else keys
            tc = _batch._custom(self._transcoder)
            started = _monotonic()
            res, failed = _batch._fp.execute(_batch._addr(batch), items, add_args, self._timeout_us,
                                             (rkeys, op.kind, value_cls, op_cls, passthrough, tc, no_format, 0))
            if failed is not None:
                res, failed = self._after_single(res, failed, op, quiet, rkeys, started, classes or _CLASSIC,
                                                 no_format)
        finally:
            self._release()
        if failed:
            (raiser or self._raise)(failed, multi_cls({res.key: res}))
        return res

    def _failures(self, failed, op, quiet):
        """(result, csrc_info) for each failure that is not a quiet miss; read while the batch is ours."""
        results = lib.cbc_batch_results(self._core.batch)
        n = lib.cbc_batch_size(self._core.batch)
        srcs = [(ffi.string(results[i].file).decode(), results[i].line)
                for i in range(n) if results[i].rc and results[i].file != ffi.NULL]
        out = []
        it = iter(srcs)
        for r in failed:
            src = next(it, ()) if r.rc else ()
            if r.rc == _MISS and quiet and op.quiet_ok:
                continue
            out.append((r, src))
        return out

    @staticmethod
    def _raise(failed, mres):
        r, src = failed[0]
        if r.rc == 0:  # decoded value could not be decoded
            raise ValueFormatError({"message": "Failed to decode bytes", "key": r.key, "result": r,
                                    "objextra": r.value, "all_results": mres,
                                    "inner_cause": getattr(r, "_extra", None)})
        cls = CouchbaseError.rc_to_exctype(r.rc)
        raise cls({"rc": r.rc, "key": r.key, "message": "Operational Error", "result": r,
                   "all_results": mres, "csrc_info": src})

    def _quiet_for(self, quiet):
        return self._quiet if quiet is None else bool(quiet)

    # ---- storage ----

    def _store(self, name, keys, values, cas, ttl, fmt, single, persist_to=0, replicate_to=0):
        op = OPS[name]
        durable = _endure.requirements(self, persist_to, replicate_to)
        wire = self._keys_for_wire(keys)
        ttl = _ttl(ttl)
        tc = self._transcoder
        if fmt is None:
            fmt = self._default_format if name not in ("append", "prepend") else FMT_UTF8
        if name in ("append", "prepend") and tc is None:
            if fmt is FMT_AUTO or not (fmt & (FMT_BYTES | FMT_UTF8)):
                raise ArgumentError.pyexc("Only FMT_BYTES and FMT_UTF8 are supported for append/prepend", obj=fmt)
        encoder = None
        if tc is not None:
            def encoder(v, _enc=tc.encode_value, _fmt=fmt):
                return _enc(v, _fmt)
        elif fmt is FMT_AUTO:
            from couchbase.transcoder import auto_encode as encoder
        elif not isinstance(fmt, int) or isinstance(fmt, bool):
            raise ArgumentError.pyexc("format must be an int", obj=fmt)

        if single:
            res = self._run_single(keys, op, True, (wire, values, op.opcode, fmt, ttl, cas, 0, 0, 0, encoder))
        else:
            def add(batch):
                _batch.add_items(batch, wire, values, op.opcode, fmt, expiry=ttl, cas=cas, encoder=encoder)

            res = self._execute(keys, op, add, single=False)
        if durable[0] or durable[1]:
            self._endure_results(res, single, durable)
        return res

    def _endure_results(self, res, single, durable, check_removed=False):
        items = {res.key: res.cas} if single else {k: r.cas for k, r in res.items()}
        _endure.endure(self, items, durable[0], durable[1], self._timeout, 0.01, check_removed)

    def set(self, key, value, cas=0, ttl=0, format=None, persist_to=0, replicate_to=0):
        """Store ``value`` under ``key`` unconditionally (or only if ``cas`` matches)."""
        if self._fast and type(key) is str and not (cas or ttl or persist_to or replicate_to) and _batch._native:
            fmt = self._default_format if format is None else format
            if type(fmt) is int:
                keys = (key,)
                return self._fast_single(keys, _OP_SET, True, (keys, (value,), 0x01, fmt, 0, 0, 0, 0, 0, None),
                                         False)
        return self._store("set", [key], [value], _cas(cas), ttl, format, True, persist_to, replicate_to)

    def add(self, key, value, ttl=0, format=None, persist_to=0, replicate_to=0):
        """Store only if ``key`` does not exist (KeyExistsError otherwise)."""
        return self._store("add", [key], [value], 0, ttl, format, True, persist_to, replicate_to)

    def replace(self, key, value, cas=0, ttl=0, format=None, persist_to=0, replicate_to=0):
        """Store only if ``key`` exists (NotFoundError otherwise)."""
        return self._store("replace", [key], [value], _cas(cas), ttl, format, True, persist_to, replicate_to)

    def append(self, key, value, cas=0, ttl=0, format=None, persist_to=0, replicate_to=0):
        """Append bytes/text to an existing value (NotStoredError if missing)."""
        return self._store("append", [key], [value], _cas(cas), ttl, format, True, persist_to, replicate_to)

    def prepend(self, key, value, cas=0, ttl=0, format=None, persist_to=0, replicate_to=0):
        """Prepend bytes/text to an existing value (NotStoredError if missing)."""
        return self._store("prepend", [key], [value], _cas(cas), ttl, format, True, persist_to, replicate_to)

    def _store_multi(self, name, kv, ttl, format, persist_to=0, replicate_to=0):
        kv = _require_dict(kv)
        keys = list(kv)
        return self._store(name, keys, list(kv.values()), 0, ttl, format, False, persist_to, replicate_to)

    def set_multi(self, keys, ttl=0, format=None, persist_to=0, replicate_to=0):
        """Store every ``{key: value}`` of the dict in one batch."""
        return self._store_multi("set", keys, ttl, format, persist_to, replicate_to)

    def add_multi(self, keys, ttl=0, format=None, persist_to=0, replicate_to=0):
        return self._store_multi("add", keys, ttl, format, persist_to, replicate_to)

    def replace_multi(self, keys, ttl=0, format=None, persist_to=0, replicate_to=0):
        return self._store_multi("replace", keys, ttl, format, persist_to, replicate_to)

    def append_multi(self, keys, ttl=0, format=None, persist_to=0, replicate_to=0):
        return self._store_multi("append", keys, ttl, format, persist_to, replicate_to)

    def prepend_multi(self, keys, ttl=0, format=None, persist_to=0, replicate_to=0):
        return self._store_multi("prepend", keys, ttl, format, persist_to, replicate_to)

    # ---- retrieval and key operations ----

    def _keyed(self, name, keys, single, quiet=None, expiry=0, cas=0, no_format=False, **counter):
        op = OPS[name]
        wire = self._keys_for_wire(keys)
        if single:
            add_args = (wire, op.opcode, expiry, cas, 0, 0, 0, 0, counter.get("delta", 0),
                        counter.get("initial", 0), counter.get("create", 0))
            return self._run_single(keys, op, False, add_args,
                                    quiet=self._quiet_for(quiet) if op.quiet_ok else False, no_format=no_format)

        def add(batch):
            _batch.add_keys(batch, wire, op.opcode, expiry=expiry, cas=cas, **counter)

        return self._execute(keys, op, add, quiet=self._quiet_for(quiet) if op.quiet_ok else False,
                             single=single, no_format=no_format)

    def get(self, key, ttl=0, quiet=None, replica=False, no_format=False):
        """Fetch ``key``; a non-zero ``ttl`` also resets its expiry (get-and-touch)."""
        if self._fast and type(key) is str and not (ttl or replica or no_format) and _batch._native:
            keys = (key,)
            return self._fast_single(keys, _OP_GET, False, (keys, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                                     self._quiet if quiet is None else bool(quiet))
        ttl = _ttl(ttl)
        if replica:
            if ttl:
                raise ArgumentError.pyexc("replica reads cannot take a ttl")
            return self.rget(key, quiet=quiet)
        return self._keyed("gat" if ttl else "get", [key], True, quiet, expiry=ttl, no_format=no_format)

    def get_multi(self, keys, ttl=0, quiet=None, replica=False, no_format=False):
        """Fetch many keys in one batch; a dict's values are per-key ttls."""
        klist = _key_list(keys)
        ttl = _ttl(ttl)
        if isinstance(keys, dict):
            if ttl:
                raise ArgumentError.pyexc("Both a global and per-key ttl were given")
            per = _per_key(klist, keys, "ttl", _ttl)
            return self._keyed("gat", klist, False, quiet, expiry=per, no_format=no_format)
        if replica:
            return self.rget_multi(klist, quiet=quiet)
        return self._keyed("gat" if ttl else "get", klist, False, quiet, expiry=ttl, no_format=no_format)

    def rget(self, key, replica_index=None, quiet=None):
        """Read ``key`` from a replica (the first that answers, or replica ``replica_index``)."""
        return self._bootstrap_required("rget").rget([key], replica_index, self._quiet_for(quiet), True)

    def rget_multi(self, keys, replica_index=None, quiet=None):
        return self._bootstrap_required("rget").rget(_key_list(keys), replica_index, self._quiet_for(quiet), False)

    def _bootstrap_required(self, what):
        if self._bootstrap is None:
            raise CouchbaseError.rc_to_exctype(C.NOT_SUPPORTED)(
                {"rc": C.NOT_SUPPORTED, "message": "%s needs a Couchbase bucket: memcached servers "
                 "do not implement it (they leave the request unanswered)" % what})
        return self._bootstrap

    def delete(self, key, cas=0, quiet=None, persist_to=0, replicate_to=0):
        """Remove ``key`` (only if ``cas`` matches, when given)."""
        durable = _endure.requirements(self, persist_to, replicate_to)
        res = self._keyed("delete", [key], True, quiet, cas=_cas(cas))
        if (durable[0] or durable[1]) and res.success:
            self._endure_results(res, True, durable, check_removed=True)
        return res

    def delete_multi(self, keys, quiet=None, persist_to=0, replicate_to=0):
        """Remove many keys; a dict's values are CAS values (int, Result or {'cas': n})."""
        klist = _key_list(keys)
        cas = _per_key(klist, keys, "cas", _cas) if isinstance(keys, dict) else 0
        durable = _endure.requirements(self, persist_to, replicate_to)
        res = self._keyed("delete", klist, False, quiet, cas=cas)
        if durable[0] or durable[1]:
            done = type(res)((k, r) for k, r in res.items() if r.success)
            if done:
                self._endure_results(done, False, durable, check_removed=True)
        return res

    def endure(self, key, persist_to=-1, replicate_to=-1, cas=0, check_removed=False, timeout=5.0,
               interval=0.010):
        """Wait until ``key`` is persisted on ``persist_to`` nodes and replicated to ``replicate_to``."""
        durable = _endure.requirements(self, persist_to, replicate_to)
        return _endure.endure(self, {key: _cas(cas)}, durable[0], durable[1], timeout, interval,
                              check_removed)[key]

    def endure_multi(self, keys, persist_to=-1, replicate_to=-1, timeout=5.0, interval=0.010,
                     check_removed=False):
        """endure() for many keys: an iterable, a dict {key: cas} or a MultiResult."""
        if isinstance(keys, (list, tuple)) and keys and all(isinstance(r, Result) for r in keys):
            keys = {r.key: r.cas for r in keys}
        klist = _key_list(keys)
        if len(set(klist)) != len(klist):
            raise ArgumentError({"rc": C.DUPLICATE_COMMANDS, "message": "Duplicate keys in endure_multi"})
        cas = _per_key(klist, keys, "cas", _cas) if isinstance(keys, dict) else [0] * len(klist)
        durable = _endure.requirements(self, persist_to, replicate_to)
        return _endure.endure(self, dict(zip(klist, cas)), durable[0], durable[1], timeout, interval,
                              check_removed)

    def touch(self, key, ttl=0):
        """Set a new expiry on ``key`` (0 removes it)."""
        return self._keyed("touch", [key], True, None, expiry=_ttl(ttl))

    def touch_multi(self, keys, ttl=0):
        klist = _key_list(keys)
        if isinstance(keys, dict):
            return self._keyed("touch", klist, False, None, expiry=_per_key(klist, keys, "ttl", _ttl))
        return self._keyed("touch", klist, False, None, expiry=_ttl(ttl))

    def lock(self, key, ttl=0):
        """Get and lock ``key`` for ``ttl`` seconds; the result's CAS unlocks it."""
        ttl = _ttl(ttl)
        if not ttl:
            raise ArgumentError.pyexc("Lock must have an expiry")
        self._bootstrap_required("lock")
        return self._keyed("lock", [key], True, None, expiry=ttl)

    def lock_multi(self, keys, ttl=0):
        klist = _key_list(keys)
        self._bootstrap_required("lock")
        if isinstance(keys, dict):
            per = _per_key(klist, keys, "ttl", _ttl)
            if not all(per):
                raise ArgumentError.pyexc("Lock must have an expiry")
            return self._keyed("lock", klist, False, None, expiry=per)
        ttl = _ttl(ttl)
        if not ttl:
            raise ArgumentError.pyexc("Lock must have an expiry")
        return self._keyed("lock", klist, False, None, expiry=ttl)

    def unlock(self, key, cas):
        """Release a lock taken by :meth:`lock`, with the CAS it returned."""
        cas = _cas(cas)
        if not cas:
            raise ArgumentError.pyexc("CAS must be specified for unlock")
        self._bootstrap_required("unlock")
        return self._keyed("unlock", [key], True, None, cas=cas)

    def unlock_multi(self, keys):
        """Unlock many keys: a dict {key: cas | Result | {'cas': n}}, or a list of Results."""
        if isinstance(keys, (list, tuple)) and keys and all(isinstance(r, Result) for r in keys):
            keys = {r.key: r.cas for r in keys}
        klist = _key_list(keys)
        if not isinstance(keys, dict):
            raise ArgumentError.pyexc("unlock_multi needs a dict of key: cas", obj=keys)
        cas = _per_key(klist, keys, "cas", _cas)
        if not all(cas):
            raise ArgumentError.pyexc("CAS must be specified for unlock")
        self._bootstrap_required("unlock")
        return self._keyed("unlock", klist, False, None, cas=cas)

    # ---- counters ----

    @staticmethod
    def _counter_args(amount, initial, ttl):
        if isinstance(amount, bool) or not isinstance(amount, numbers.Integral):
            raise ArgumentError.pyexc("amount must be an int", obj=amount)
        if initial is not None and (isinstance(initial, bool) or not isinstance(initial, numbers.Integral)
                                    or not 0 <= initial < 2**64):
            raise ArgumentError.pyexc("initial must be a non-negative int", obj=initial)
        if abs(amount) >= 2**64:
            raise ArgumentError.pyexc("amount out of range", obj=amount)
        return int(amount), (0 if initial is None else int(initial)), int(initial is not None), _ttl(ttl)

    def _arith(self, keys, amount, initial, ttl, single, sign):
        amount, init, create, ttl = self._counter_args(amount, initial, ttl)
        amount *= sign
        name = "incr" if amount >= 0 else "decr"
        return self._keyed(name, keys, single, None, expiry=ttl, delta=abs(amount), initial=init, create=create)

    def incr(self, key, amount=1, initial=None, ttl=0):
        """Add ``amount`` to the counter; create it with ``initial`` when missing (if given)."""
        return self._arith([key], amount, initial, ttl, True, 1)

    def decr(self, key, amount=1, initial=None, ttl=0):
        """Subtract ``amount`` (stops at 0); create with ``initial`` when missing (if given)."""
        return self._arith([key], amount, initial, ttl, True, -1)

    def arithmetic(self, key, amount=1, initial=None, ttl=0):
        """Add a signed ``amount`` (negative decrements)."""
        return self._arith([key], amount, initial, ttl, True, 1)

    def _arith_multi(self, keys, amount, initial, ttl, sign):
        klist = _key_list(keys)
        if not isinstance(keys, dict):
            return self._arith(klist, amount, initial, ttl, False, sign)
        ups, downs = [], []
        for k in klist:
            spec = keys[k]
            if isinstance(spec, dict):
                if "delta" not in spec:
                    raise ArgumentError.pyexc("Per-key counter options need 'delta'", obj=spec)
                a, i, c, t = self._counter_args(spec["delta"], spec.get("initial", initial), spec.get("ttl", ttl))
            elif isinstance(spec, numbers.Integral) and not isinstance(spec, bool):
                a, i, c, t = self._counter_args(spec * sign, initial, ttl)
            else:
                raise ArgumentError.pyexc("Per-key counter value must be an int or a dict", obj=spec)
            (ups if a >= 0 else downs).append((k, abs(a), i, c, t))
        out = MultiResult()
        for name, group in (("incr", ups), ("decr", downs)):
            if group:
                ks = [g[0] for g in group]
                out.update(self._keyed(name, ks, False, None, expiry=[g[4] for g in group],
                                       delta=[g[1] for g in group], initial=[g[2] for g in group],
                                       create=[g[3] for g in group]))
        return out

    def incr_multi(self, keys, amount=1, initial=None, ttl=0):
        return self._arith_multi(keys, amount, initial, ttl, 1)

    def decr_multi(self, keys, amount=1, initial=None, ttl=0):
        return self._arith_multi(keys, amount, initial, ttl, -1)

    def arithmetic_multi(self, keys, amount=1, initial=None, ttl=0):
        _require_dict(keys)
        return self._arith_multi(keys, amount, initial, ttl, 1)

    # ---- item syntax ----

    def __getitem__(self, key):
        return self.get(key)

    def __setitem__(self, key, value):
        self.set(key, value)

    def __delitem__(self, key):
        self.delete(key)

    # ---- informational ----

    def stats(self, keys=None):
        """Server statistics: ``{stat_name: {"host:port": value}}``; ``keys`` names stat groups."""
        from couchbase._stats import stats

        return stats(self, keys)

    def observe(self, key, master_only=False):
        return self._bootstrap_required("observe").observe([key], master_only, True)

    def observe_multi(self, keys, master_only=False):
        return self._bootstrap_required("observe").observe(_key_list(keys), master_only, False)

    @staticmethod
    def lcb_version():
        return ("cbc-1.0.0", 0x010000)

    def _close(self):
        """Close every socket; later operations raise ClientTemporaryFailError."""
        self._acquire()
        try:
            self._core.close()
        finally:
            self._release()

    def _vbmap(self, key):
        vb, srv = ffi.new("int *"), ffi.new("int *")
        wire = self._keys_for_wire([key])[0]
        b = wire.encode() if isinstance(wire, str) else wire
        rc = lib.cbc_conn_map_key(self._core.conn, b, len(b), 0, vb, srv, self._core.err)
        if rc:
            raise error_from(self._core.err)
        return vb[0], srv[0]
