"""The classic Connection: key-value operations, their _multi forms, and stats.

A thin face over the engine's Session (couchbase._core.session), which owns the sockets,
the lock and the run path; this module holds the 1.x argument rules, result classes and
what is raised.
"""
import numbers

from couchbase._version import __version__

from couchbase._classic import args as _args
from couchbase._classic import design as _design
from couchbase._classic import http as _http
from couchbase._classic import endure as _endure
from couchbase._classic import replicas as _replicas
from couchbase._classic import stats as _stats
from couchbase._core import batch as _batch
from couchbase._core import connstr
from couchbase._core import ops as _ops
from couchbase._core.binding import C
from couchbase._core.protocol import BASE_FEATURES
from couchbase._core.session import Session
from couchbase.exceptions import *  # noqa: F401,F403  (1.x re-exports the tree here)
from couchbase.exceptions import CLASSIC, ArgumentError, CouchbaseError, ValueFormatError
from couchbase.result import *  # noqa: F401,F403
from couchbase.result import MultiResult, OperationResult, ValueResult
from couchbase.transcoder import FMT_AUTO, FMT_BYTES, FMT_JSON, FMT_UTF8, auto_encode
from couchbase.user_constants import *  # noqa: F401,F403
from couchbase.user_constants import LOCKMODE_EXC, LOCKMODE_NONE, LOCKMODE_WAIT

_CLASSIC = (MultiResult, ValueResult, OperationResult)
OPS = _ops.BY_NAME
_OP_GET = _ops.GET
_OP_SET = _ops.SET
_GET_OPCODE = _OP_GET.opcode
_SET_OPCODE = _OP_SET.opcode
_MISS = C.KEY_ENOENT
_ttl, _cas, _key_list, _require_dict, _per_key = _args.ttl, _args.cas, _args.key_list, _args.require_dict, \
    _args.per_key


class Connection:
    """A connection to one bucket (or a set of memcached servers).

    Keyword arguments only: ``bucket``, ``host``, ``port``, ``username``, ``password``,
    ``quiet``, ``timeout`` (seconds), ``default_format``, ``lockmode``, ``unlock_gil``,
    ``transcoder``, ``connstr``, ``max_response_size`` (bytes a server may announce for one
    response; larger fails with ProtocolError; default 21 MiB).
    """

    def __init__(self, bucket=None, host="localhost", port=8091, username=None, password=None,
                 quiet=False, timeout=2.5, default_format=FMT_JSON, lockmode=LOCKMODE_WAIT,
                 unlock_gil=True, transcoder=None, connstr=None, conncache=None, config_cache=None,
                 max_response_size=None, **unknown):
        if unknown:
            raise ArgumentError({"message": "Bad/insufficient arguments provided.",
                                 "inner_cause": TypeError("unexpected keyword(s): %s" % ", ".join(unknown))})
        self._fast = False
        self._session = Session(CLASSIC, LOCKMODE_NONE)
        self._fast_single = self._session.fast_single  # bound once: the per-key path of get/set
        self.quiet = quiet
        self.timeout = timeout
        self.default_format = default_format
        self.transcoder = transcoder
        self.data_passthrough = 0
        self.max_response_size = max_response_size
        if lockmode not in (LOCKMODE_NONE, LOCKMODE_EXC, LOCKMODE_WAIT):
            raise ArgumentError.pyexc("Invalid lockmode %r" % (lockmode,), obj=lockmode)
        self._unlock_gil = bool(unlock_gil)
        self._session.lockmode = lockmode if self._unlock_gil else LOCKMODE_NONE
        self._update_fast()
        self._bucket = bucket
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
            self._session.use_memcached([(h, p or connstr.DEFAULT_PORTS["memcached"]) for h, p in spec.hosts])
            self._bucket = bucket or spec.bucket or "default"
            return
        if bucket is None:
            bucket = spec.bucket
        if not bucket:
            raise ArgumentError.pyexc("A bucket name must be given")
        self._bucket = bucket
        if password is not None and username is None:
            username = bucket
        self._session.bootstrap(spec, bucket, username, password, BASE_FEATURES)

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

    # ---- properties ----

    @property
    def bucket(self):
        return self._bucket

    @property
    def server_nodes(self):
        return list(self._session.nodes)

    @property
    def configured_replica_count(self):
        return self._session.replicas

    @property
    def max_response_size(self):
        """The largest response a server may announce, in bytes (see the constructor)."""
        return self._session.max_response_size

    @max_response_size.setter
    def max_response_size(self, nbytes):
        self._session.max_response_size = nbytes

    @property
    def lockmode(self):
        return self._session.lockmode

    @property
    def unlock_gil(self):
        return int(self._unlock_gil)

    @property
    def closed(self):
        return self._session.closed

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
        return self._session.timeout

    @timeout.setter
    def timeout(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError("timeout must be a number of seconds")
        if value <= 0:
            raise ValueError("timeout must be positive")
        self._session.timeout = float(value)

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
        return self._session.transcoder

    @transcoder.setter
    def transcoder(self, value):
        if isinstance(value, type):
            value = value()
        self._session.transcoder = value or None
        self._update_fast()

    @property
    def data_passthrough(self):
        return self._session.passthrough

    @data_passthrough.setter
    def data_passthrough(self, value):
        self._session.passthrough = 1 if value else 0
        self._update_fast()

    def _update_fast(self):
        """Whether plain single get/set may take the one-native-call path (Session.fast_single)."""
        s = self._session
        self._fast = s.transcoder is None and not s.passthrough and s.lockmode == LOCKMODE_WAIT

    def __repr__(self):
        return "<%s.%s bucket=%s, nodes=%r at 0x%x>" % (
            type(self).__module__, type(self).__name__, self._bucket, self._session.nodes, id(self))

    # ---- keys, failures ----

    def _keys_for_wire(self, keys):
        """Keys as the batch takes them: str, or bytes from a transcoder's encode_key."""
        tc = self._session.transcoder
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

    def _execute(self, keys, op, add, quiet=False, single=False, no_format=False):
        """Run one batch on the session and raise its first failure (unless a quiet miss)."""
        out, failed = self._session.execute(keys, op, add, single, no_format, classes=_CLASSIC)
        if failed:
            self._check(failed, op, quiet, out if not single else None)
        return out

    def _check(self, failed, op, quiet, mres):
        """Raise the first failure that is not a quiet miss."""
        if quiet and op.quiet_ok:
            failed = [r for r in failed if r.rc != _MISS]
            if not failed:
                return
        if mres is None:
            mres = MultiResult({failed[0].key: failed[0]})
        self._raise(failed, mres)

    @staticmethod
    def _raise(failed, mres):
        r = failed[0]
        if r.rc == 0:  # decoded value could not be decoded
            raise ValueFormatError({"message": "Failed to decode bytes", "key": r.key, "result": r,
                                    "objextra": r.value, "all_results": mres,
                                    "inner_cause": getattr(r, "_extra", None)})
        cls = CouchbaseError.rc_to_exctype(r.rc)
        # a failed socket's reason ("host:port: ...") when the session noted one
        message = r._extra if isinstance(r._extra, str) else "Operational Error"
        raise cls({"rc": r.rc, "key": r.key, "message": message, "result": r,
                   "all_results": mres, "csrc_info": r._csrc or ()})

    def _quiet_for(self, quiet):
        return self._quiet if quiet is None else bool(quiet)

    # ---- storage ----

    def _store(self, name, keys, values, cas, ttl, fmt, single, persist_to=0, replicate_to=0):
        op = OPS[name]
        durable = _endure.requirements(self, persist_to, replicate_to)
        wire = self._keys_for_wire(keys)
        ttl = _ttl(ttl)
        tc = self._session.transcoder
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
            encoder = auto_encode
        elif not isinstance(fmt, int) or isinstance(fmt, bool):
            raise ArgumentError.pyexc("format must be an int", obj=fmt)

        if single:
            res, failed = self._session.run_single(keys, op, True, (wire, values, op.opcode, fmt, ttl, cas, 0, 0, 0,
                                                                     encoder), False, _CLASSIC)
            if failed:
                self._check(failed, op, False, None)
        else:
            def add(batch):
                _batch.add_items(batch, wire, values, op.opcode, fmt, expiry=ttl, cas=cas, encoder=encoder)

            res = self._execute(keys, op, add)
        if durable[0] or durable[1]:
            self._endure_results(res, single, durable)
        return res

    def _endure_results(self, res, single, durable, check_removed=False):
        items = {res.key: res.cas} if single else {k: r.cas for k, r in res.items()}
        _endure.endure(self, items, durable[0], durable[1], self._session.timeout, 0.01, check_removed)

    def set(self, key, value, cas=0, ttl=0, format=None, persist_to=0, replicate_to=0):
        """Store ``value`` under ``key`` unconditionally (or only if ``cas`` matches)."""
        if self._fast and type(key) is str and not (cas or ttl or persist_to or replicate_to) and _batch._native:
            fmt = self._default_format if format is None else format
            if type(fmt) is int:
                keys = (key,)
                res, failed = self._fast_single(keys, _OP_SET, True, (keys, (value,), _SET_OPCODE, fmt, 0,
                                                                             0, 0, 0, 0, None), ValueResult,
                                                        OperationResult)
                if failed:
                    self._check(failed, _OP_SET, False, None)
                return res
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
            res, failed = self._session.run_single(keys, op, False, add_args, no_format, _CLASSIC)
            if failed:
                self._check(failed, op, self._quiet_for(quiet) if op.quiet_ok else False, None)
            return res

        def add(batch):
            _batch.add_keys(batch, wire, op.opcode, expiry=expiry, cas=cas, **counter)

        return self._execute(keys, op, add, self._quiet_for(quiet) if op.quiet_ok else False, False, no_format)

    def get(self, key, ttl=0, quiet=None, replica=False, no_format=False):
        """Fetch ``key``; a non-zero ``ttl`` also resets its expiry (get-and-touch)."""
        if self._fast and type(key) is str and not (ttl or replica or no_format) and _batch._native:
            keys = (key,)
            res, failed = self._fast_single(keys, _OP_GET, False, (keys, _GET_OPCODE, 0, 0, 0, 0, 0, 0, 0,
                                                                          0, 0), ValueResult, OperationResult)
            if failed:
                self._check(failed, _OP_GET, self._quiet if quiet is None else quiet, None)
            return res
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
        self._bootstrap_required("rget")
        return _replicas.rget(self, [key], replica_index, self._quiet_for(quiet), True)

    def rget_multi(self, keys, replica_index=None, quiet=None):
        self._bootstrap_required("rget")
        return _replicas.rget(self, _key_list(keys), replica_index, self._quiet_for(quiet), False)

    def _bootstrap_required(self, what):
        if self._session.topology is None:
            raise CouchbaseError.rc_to_exctype(C.NOT_SUPPORTED)(
                {"rc": C.NOT_SUPPORTED, "message": "%s needs a Couchbase bucket: memcached servers "
                 "do not implement it (they leave the request unanswered)" % what})

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
        keys = _args.results_to_cas(keys)
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
        keys = _args.results_to_cas(keys)
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
        return _stats.stats(self, keys)

    def observe(self, key, master_only=False):
        self._bootstrap_required("observe")
        return _replicas.observe(self, [key], master_only, True)

    def observe_multi(self, keys, master_only=False):
        self._bootstrap_required("observe")
        return _replicas.observe(self, _key_list(keys), master_only, False)

    # ---- views, design documents, raw HTTP (couchbase._classic.design / http) ----

    @property
    def views_timeout(self):
        """Seconds a view or design-document request may take (75 by default); a streamed
        view may stay silent this long between two pieces."""
        return getattr(self, "_views_timeout", 75.0)

    @views_timeout.setter
    def views_timeout(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ArgumentError.pyexc("views_timeout must be a positive number", obj=value)
        self._views_timeout = float(value)

    def query(self, design, view, use_devmode=False, itercls=None, **kwargs):
        """A lazy ``couchbase.views.iterator.View`` of ``design/view``: keyword parameters
        (or ``query=Query(...)``/a raw query string), ``include_docs``, ``streaming``,
        ``row_processor``."""
        from couchbase.views.iterator import View
        design = _design.dev_name(design, use_devmode)
        return (itercls or View)(self, design, view, **kwargs)

    def _view(self, ddoc, view, use_devmode=False, params=None, unrecognized_ok=False, passthrough=False):
        return _design.view(self, ddoc, view, use_devmode, params, unrecognized_ok, passthrough)

    def _http_request(self, type=0, method=0, path="", content_type=None, post_data=None, response_format=FMT_JSON,
                      quiet=None, fetch_headers=False, chunked=False, rows_per_call=-1):
        return _http.http_request(self, type, method, path, content_type, post_data, response_format, quiet,
                                  fetch_headers, chunked, rows_per_call)

    def design_create(self, name, design, use_devmode=True, syncwait=0):
        """Store design document ``name`` (``dev_`` prefixed with use_devmode): HttpResult."""
        return _design.design_create(self, name, design, use_devmode, syncwait)

    def design_get(self, name, use_devmode=True):
        return _design.design_get(self, name, use_devmode)

    def design_publish(self, name, syncwait=0):
        """Copy the development design document ``dev_NAME`` to production ``NAME``."""
        return _design.design_publish(self, name, syncwait)

    def design_delete(self, name, use_devmode=True, syncwait=0):
        return _design.design_delete(self, name, use_devmode, syncwait)

    @staticmethod
    def lcb_version():
        """(version string, version number) of the C core, as the 1.x client reported libcouchbase's."""
        parts = [int(p) for p in __version__.split(".")[:3]]
        return ("cbc-%s" % __version__, parts[0] << 16 | parts[1] << 8 | parts[2])

    def _close(self):
        """Close every socket; later operations raise ClientTemporaryFailError."""
        self._session.close()

    def _vbmap(self, key):
        wire = self._keys_for_wire([key])[0]
        return self._session.map_key(wire.encode() if isinstance(wire, str) else wire)
