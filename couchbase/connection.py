"""The classic Connection: key-value operations, their _multi forms, and stats.

A thin face over the engine's Session (couchbase._core.session), which owns the sockets,
the lock and the run path; this module holds the 1.x methods, result classes and what is
raised. The rules behind them live in couchbase._classic (arguments, connecting and the
configuration cache, pipelines, Items, counters, durability, replicas, stats, timings).
Errors are raised outside ``except`` blocks, so that an exception a caller keeps holds no
frame (and so no reference) of the connection.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Literal, Optional, Tuple, Type, Union
    from couchbase._classic.arg_types import Fmt, Key, Keys, KeyValues
    from couchbase.transcoder import Transcoder
    from couchbase.views.iterator import View

from couchbase._classic import args as _args
from couchbase._classic import cntl as _settings_mod
from couchbase._classic import connect as _connect
from couchbase._classic import counters as _counters
from couchbase._classic import design as _design
from couchbase._classic import duplicates as _dupes
from couchbase._classic import endure as _endure
from couchbase._classic import http as _http
from couchbase._classic import itemops as _items
from couchbase._classic import pipeline as _pipeline
from couchbase._classic import properties as _props
from couchbase._classic import replicas as _replicas
from couchbase._classic import stats as _stats
from couchbase._classic import timings as _timings
from couchbase._classic.endure import DurabilityContext  # noqa: F401  (1.2 name in this module)
from couchbase._classic.pipeline import Pipeline  # noqa: F401
from couchbase._core import batch as _batch
from couchbase._core import ops as _ops
from couchbase._core.binding import C, CORE_VERSION
from couchbase._core.session import Session
from couchbase._version import __version__
from couchbase.exceptions import *  # noqa: F401,F403  (1.x re-exports the tree here)
from couchbase.items import ItemCollection
from couchbase.exceptions import CLASSIC, ArgumentError, CouchbaseError, PipelineError, ValueFormatError, _detach
from couchbase.result import *  # noqa: F401,F403
from couchbase.result import Arguments, MultiResult, OperationResult, ValueResult
from couchbase.user_constants import *  # noqa: F401,F403
from couchbase.user_constants import FMT_JSON, FMT_UTF8, LOCKMODE_EXC, LOCKMODE_NONE, LOCKMODE_WAIT

_CLASSIC = (MultiResult, ValueResult, OperationResult)
OPS = _ops.BY_NAME
_OP_GET = _ops.GET
_OP_SET = _ops.SET
_GET_OPCODE = _OP_GET.opcode
_SET_OPCODE = _OP_SET.opcode
_MISS = C.KEY_ENOENT
_ttl, _cas, _key_list, _require_dict, _per_key = _args.ttl, _args.cas, _args.key_list, _args.require_dict, \
    _args.per_key
_BAD_ARGS = "Bad/insufficient arguments provided."
_NO_DURABILITY = (0, 0)
_APPENDS = ("append", "prepend")


class Connection(_props.ConnectionProperties):
    """A connection to one bucket (or a set of memcached servers).

    Keyword arguments only: ``bucket``, ``host`` (a name, a list of names or of
    ``(name, port)`` pairs; tried in order), ``port`` (REST, 8091), ``username``,
    ``password``, ``quiet``, ``timeout`` (seconds), ``default_format``, ``lockmode``
    (LOCKMODE_WAIT by default), ``unlock_gil``, ``transcoder``, ``connstr``,
    ``conncache``/``config_cache`` (a configuration cache file), ``common_flags`` (write
    RFC 0020 common flags instead of the 1.x client's), ``max_response_size`` (bytes a
    server may announce for one response; larger fails with ProtocolError; default 21 MiB),
    ``certpath`` (a CA file: connect over TLS, REST port 18091 by default; see
    docs/security.md for the connection string's TLS options), ``_no_connect_exceptions``.
    """

    def __init__(self, *, bucket: Optional[str] = None, host: Any = "localhost", port: Optional[int] = None, username: Optional[str] = None,
                 password: Optional[str] = None, quiet: bool = False, timeout: float = 2.5, default_format: Any = FMT_JSON,
                 lockmode: int = LOCKMODE_WAIT, unlock_gil: bool = True, transcoder: Optional[Transcoder] = None,
                 connstr: Optional[str] = None, conncache: Optional[str] = None, config_cache: Optional[str] = None,
                 common_flags: bool = False, max_response_size: Optional[int] = None, certpath: Optional[str] = None,
                 experimental_gevent_support: bool = False, _no_connect_exceptions: bool = False, _flags: int = 0,
                 _cntl: Optional[Dict[int, Any]] = None, _conntype: int = 0, _errors: Any = None, _iops: Any = None,
                 **unknown: Any) -> None:
        self._pipe = self._dur_ctx = self._timings = None
        self._pipe_batches = []
        self._fast = self._closed = self._connected = False
        self._settings = _settings_mod.Settings()
        self._error_log = []
        self._session = self._core = Session(CLASSIC, LOCKMODE_NONE)
        self._fast_single = self._core.fast_single  # bound once: the per-key path of get/set
        bad: Optional[Exception] = None
        if unknown or _conntype != 0:
            bad = TypeError("unexpected keyword(s): %s" % ", ".join(list(unknown) or ["_conntype"]))
        if lockmode not in (LOCKMODE_NONE, LOCKMODE_EXC, LOCKMODE_WAIT) or isinstance(lockmode, bool):
            bad = TypeError("Invalid lockmode %r" % (lockmode,))
        if bad is None:
            try:
                self.quiet = quiet
                self.timeout = timeout
                self.default_format = _args.default_format(default_format, constructor=True)
                self.transcoder = transcoder
                self.max_response_size = max_response_size
                self._privflags = _flags
            except (TypeError, ValueError, CouchbaseError) as e:
                bad = e
        if bad is not None:
            raise ArgumentError({"message": _BAD_ARGS, "inner_cause": bad})
        self.views_timeout = 75.0
        self.data_passthrough = 0
        self._legacy = not common_flags
        self._unlock_gil = bool(unlock_gil) and not experimental_gevent_support
        self._core.lockmode = lockmode if self._unlock_gil else LOCKMODE_NONE
        self._update_fast()
        self._bucket = bucket
        self._ctor = (_connect.spec_for(host, port, bucket, connstr, certpath is not None), username, password,
                      conncache or config_cache, _no_connect_exceptions, certpath)
        for op, value in (_cntl or {}).items():
            self._cntl(op, value)
        self._do_ctor_connect()

    def _do_ctor_connect(self) -> None:
        """Connect, at the end of the constructor (1.2: a subclass may override this and
        call ``_connect()`` later)."""
        self._connect()

    def _connect(self) -> None:
        """Bootstrap now, unless done already."""
        if self._ctor is not None:
            spec, username, password, cache, swallow, certpath = self._ctor
            self._bucket = _connect.open_connection(self, spec, self._bucket, username, password, cache, swallow,
                                                    certpath)
            self._ctor = None

    def _update_fast(self) -> None:
        """Whether plain single get/set may take the one-native-call path (Session.fast_single)."""
        s = self._core
        self._fast = (s.transcoder is None and not s.passthrough and s.lockmode == LOCKMODE_WAIT
                      and self._session is s and self._pipe is None and self._dur_ctx is None)

    def __repr__(self) -> str:
        return "<%s.%s bucket=%s, nodes=%r at 0x%x>" % (
            type(self).__module__, type(self).__name__, self._bucket, self._core.nodes, id(self))

    # ---- keys, running, failures ----

    def _wire(self, keys: Any) -> Any:
        """(keys as the batch takes them: str, or bytes from a transcoder; result keys)."""
        tc = self._core.transcoder
        if tc is not None:
            return _args.transcoded_keys(tc, keys)
        if (len(keys) != 1 or type(keys[0]) is not str) and (bytes in map(type, keys) or
                                                              bytearray in map(type, keys)):
            bad = next(k for k in keys if isinstance(k, (bytes, bytearray)))
            raise ValueFormatError.pyexc("Key must be a str, not bytes", obj=bad)
        return keys, keys

    def _keys_for_wire(self, keys: Any) -> Any:
        return self._wire(keys)[0]

    def _execute(self, keys: Any, op: Any, add: Any, quiet: bool = False, no_format: bool = False) -> Any:
        """Run one batch on the session and raise its first failure (unless a quiet miss)."""
        if self._pipe is not None:
            return self._pipe.queue(keys, op, add, quiet, False, no_format)
        if self._pflags & _dupes.WARNEXPLICIT:
            out, failed = _dupes.run_explicit(self._session.execute, keys, op, add, False, no_format,
                                              classes=_CLASSIC)
        else:
            out, failed = self._session.execute(keys, op, add, False, no_format, classes=_CLASSIC)
        if failed:
            self._check(failed, op, quiet, out)
        return out

    def _run_one(self, keys: Any, op: Any, items: Any, add_args: Any, quiet: bool = False, no_format: bool = False) -> Any:
        """One request through the session's single-operation path (or into the pipeline)."""
        if self._pipe is not None:
            adder = _batch.add_items if items else _batch.add_keys
            return self._pipe.queue(keys, op, lambda b: adder(b, *add_args), quiet, True, no_format)
        res, failed = self._session.run_single(keys, op, items, add_args, no_format, _CLASSIC)
        if failed:
            self._check(failed, op, quiet, None)
        return res

    def _deferrable(self, fn: Callable[[], Any], single: bool) -> Any:
        """fn(), or queued in the pipeline (operations that take more than one round)."""
        if self._pipe is not None:
            return self._pipe.defer(fn, single)
        return fn()

    def _check(self, failed: Any, op: Any, quiet: bool, mres: Any) -> None:
        """Raise the first failure that is not a quiet miss."""
        exc = self._failure(failed, op, quiet, mres)
        if exc is not None:
            raise exc

    def _failure(self, failed: Any, op: Any, quiet: bool, mres: Any) -> Optional[CouchbaseError]:
        """The exception for the first failure that is not a quiet miss, or None."""
        for r in failed:
            if r._extra is not None:
                _detach(r._extra)
        if quiet and op.quiet_ok:
            failed = [r for r in failed if r.rc != _MISS]
            if not failed:
                return None
        if mres is None:
            mres = MultiResult({failed[0].key: failed[0]})
        return self._error_for(failed, mres)

    @staticmethod
    def _error_for(failed: Any, mres: Any) -> CouchbaseError:
        r = failed[0]
        if r.rc == 0:  # decoded value could not be decoded
            return ValueFormatError({"message": "Failed to decode bytes", "key": r.key, "result": r,
                                     "objextra": r.value, "all_results": mres, "inner_cause": r._extra})
        # a failed socket's reason ("host:port: ...") when the session noted one
        message = r._extra if isinstance(r._extra, str) else "Operational Error"
        return CouchbaseError.rc_to_exctype(r.rc)({"rc": r.rc, "key": r.key, "message": message, "result": r,
                                                   "all_results": mres, "csrc_info": r._csrc or ()})

    def _raise(self, failed: Any, mres: Any) -> None:
        raise self._error_for(failed, mres)

    def _quiet_for(self, quiet: Optional[bool]) -> bool:
        return self._quiet if quiet is None else bool(quiet)

    def _record_error(self, rc: int, text: str) -> None:
        self._error_log.append((rc, text))
        del self._error_log[:-1000]

    # ---- storage ----

    def _durable(self, persist_to: int, replicate_to: int) -> Any:
        if not (persist_to or replicate_to) and self._dur_ctx is not None:
            persist_to, replicate_to = self._dur_ctx[:2]
        return _endure.requirements(self, persist_to, replicate_to)

    def _encoder_for(self, name: str, fmt: Any) -> Any:
        return _args.encoder_for(self._core.transcoder, self._default_format, name, fmt)

    def _store(self, name: str, keys: Any, values: Any, cas: Any, ttl: Any, fmt: Any, single: bool, persist_to: int = 0,
               replicate_to: int = 0) -> Any:
        op = OPS[name]
        if persist_to or replicate_to or self._dur_ctx is not None or type(persist_to) is not int \
                or type(replicate_to) is not int:
            durable = self._durable(persist_to, replicate_to)
            if (durable[0] or durable[1]) and self._pipe is not None:
                return self._pipe.defer(lambda: self._store(name, keys, values, cas, ttl, fmt, single, *durable),
                                        single)
        else:
            durable = _NO_DURABILITY
        wire, rkeys = self._wire(keys)
        if type(ttl) is not _args.PerKey:  # per-key ttls are checked already (1.0 Arguments)
            ttl = _ttl(ttl)
        if fmt is None:
            fmt = self._default_format if name not in _APPENDS else FMT_UTF8
        if type(fmt) is int and self._core.transcoder is None and name not in _APPENDS:
            encoder = None  # the built-in rule, done by the native encoder
        else:
            fmt, encoder = self._encoder_for(name, fmt)
        legacy = self._legacy
        if single:
            res = self._run_one(rkeys, op, True, (wire, values, op.opcode, fmt, ttl, cas, 0, 0, 0, encoder, None,
                                                  legacy))
        else:
            def add(batch: Any) -> None:
                _batch.add_items(batch, wire, values, op.opcode, fmt, expiry=ttl, cas=cas, encoder=encoder,
                                 legacy_flags=legacy)

            res = self._execute(rkeys, op, add)
        if durable[0] or durable[1]:
            self._endure_results({res.key: res.cas} if single else {k: r.cas for k, r in res.items()}, durable)
        return res

    def _endure_results(self, cas_by_key: Any, durable: Any, check_removed: bool = False) -> Any:
        timeout = (self._dur_ctx[2] if self._dur_ctx else 0) or self._settings.durability_timeout
        _endure.endure(self, cas_by_key, durable[0], durable[1], timeout, self._settings.durability_interval,
                       check_removed)

    def set(self, key: Key, value: Any, cas: int = 0, ttl: int = 0, format: Fmt = None, persist_to: int = 0,
            replicate_to: int = 0) -> OperationResult:
        """Store ``value`` under ``key`` unconditionally (or only if ``cas`` matches)."""
        if self._fast and type(key) is str and not (cas or ttl or persist_to or replicate_to) and _batch._native:
            fmt = self._default_format if format is None else format
            if type(fmt) is int:
                keys = (key,)
                # ttl and cas are falsy here; passed on so that the encoder refuses {} or ""
                res, failed = self._fast_single(keys, _OP_SET, True, (keys, (value,), _SET_OPCODE, fmt, ttl, cas, 0,
                                                                      0, 0, None, None, self._legacy), ValueResult,
                                                OperationResult)
                if failed:
                    self._check(failed, _OP_SET, False, None)
                return res
        return self._store("set", [key], [value], _cas(cas), ttl, format, True, persist_to, replicate_to)

    def add(self, key: Key, value: Any, ttl: int = 0, format: Fmt = None, persist_to: int = 0, replicate_to: int = 0) -> OperationResult:
        """Store only if ``key`` does not exist (KeyExistsError otherwise)."""
        return self._store("add", [key], [value], 0, ttl, format, True, persist_to, replicate_to)

    def replace(self, key: Key, value: Any, cas: int = 0, ttl: int = 0, format: Fmt = None, persist_to: int = 0,
                replicate_to: int = 0) -> OperationResult:
        """Store only if ``key`` exists (NotFoundError otherwise)."""
        return self._store("replace", [key], [value], _cas(cas), ttl, format, True, persist_to, replicate_to)

    def append(self, key: Key, value: Any, cas: int = 0, ttl: int = 0, format: Fmt = None, persist_to: int = 0,
               replicate_to: int = 0) -> OperationResult:
        """Append bytes/text to an existing value (NotStoredError if missing)."""
        return self._store("append", [key], [value], _cas(cas), ttl, format, True, persist_to, replicate_to)

    def prepend(self, key: Key, value: Any, cas: int = 0, ttl: int = 0, format: Fmt = None, persist_to: int = 0,
                replicate_to: int = 0) -> OperationResult:
        """Prepend bytes/text to an existing value (NotStoredError if missing)."""
        return self._store("prepend", [key], [value], _cas(cas), ttl, format, True, persist_to, replicate_to)

    def _store_multi(self, name: str, kv: Any, ttl: int, format: Fmt, persist_to: int = 0, replicate_to: int = 0) -> MultiResult:
        if isinstance(kv, ItemCollection):
            return self._deferrable(lambda: _items.store(self, name, kv, ttl, format, persist_to, replicate_to),
                                    False)
        kv = _require_dict(kv)
        values = list(kv.values())
        if _batch.has_type(values, Arguments):  # 1.0: per-key value, cas and ttl
            values, cas, ttl = _args.arguments(values, ttl)
            return self._store(name, list(kv), values, cas, ttl, format, False, persist_to, replicate_to)
        return self._store(name, list(kv), values, 0, ttl, format, False, persist_to, replicate_to)

    def set_multi(self, keys: KeyValues, ttl: int = 0, format: Fmt = None, persist_to: int = 0, replicate_to: int = 0) -> MultiResult:
        """Store every ``{key: value}`` of the dict (or every Item) in one batch."""
        return self._store_multi("set", keys, ttl, format, persist_to, replicate_to)

    def add_multi(self, keys: KeyValues, ttl: int = 0, format: Fmt = None, persist_to: int = 0, replicate_to: int = 0) -> MultiResult:
        return self._store_multi("add", keys, ttl, format, persist_to, replicate_to)

    def replace_multi(self, keys: KeyValues, ttl: int = 0, format: Fmt = None, persist_to: int = 0, replicate_to: int = 0) -> MultiResult:
        return self._store_multi("replace", keys, ttl, format, persist_to, replicate_to)

    def append_multi(self, keys: KeyValues, ttl: int = 0, format: Fmt = None, persist_to: int = 0, replicate_to: int = 0) -> MultiResult:
        return self._store_multi("append", keys, ttl, format, persist_to, replicate_to)

    def prepend_multi(self, keys: KeyValues, ttl: int = 0, format: Fmt = None, persist_to: int = 0, replicate_to: int = 0) -> MultiResult:
        return self._store_multi("prepend", keys, ttl, format, persist_to, replicate_to)

    def append_items(self, items: ItemCollection, **kwargs: Any) -> MultiResult:
        """append_multi over Items; each successful Item's value gets its fragment appended."""
        return self.append_multi(items, **kwargs)

    def prepend_items(self, items: ItemCollection, **kwargs: Any) -> MultiResult:
        """prepend_multi over Items; each successful Item's value gets its fragment prepended."""
        return self.prepend_multi(items, **kwargs)

    # ---- retrieval and key operations ----

    def _keyed(self, name: str, keys: Any, single: bool, quiet: Optional[bool] = None, expiry: Any = 0, cas: Any = 0,
               no_format: bool = False, **counter: Any) -> Any:
        op = OPS[name]
        wire, rkeys = self._wire(keys)
        q = self._quiet_for(quiet) if op.quiet_ok else False
        if single:
            return self._run_one(rkeys, op, False, (wire, op.opcode, expiry, cas, 0, 0, 0, 0, counter.get("delta", 0),
                                                    counter.get("initial", 0), counter.get("create", 0)), q,
                                 no_format)

        def add(batch: Any) -> None:
            _batch.add_keys(batch, wire, op.opcode, expiry=expiry, cas=cas, **counter)

        return self._execute(rkeys, op, add, q, no_format)

    def _keyed_items(self, name: str, items: Any, single: bool = False, **kw: Any) -> Any:
        return self._deferrable(lambda: _items.keyed(self, name, items, **kw), single)

    def get(self, key: Key, ttl: int = 0, quiet: Optional[bool] = None, replica: bool = False, no_format: bool = False) -> ValueResult:
        """Fetch ``key``; a non-zero ``ttl`` also resets its expiry (get-and-touch)."""
        if self._fast and type(key) is str and not (ttl or replica or no_format) and _batch._native:
            keys = (key,)
            res, failed = self._fast_single(keys, _OP_GET, False, (keys, _GET_OPCODE, ttl, 0, 0, 0, 0, 0, 0,
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

    def get_multi(self, keys: Keys, ttl: int = 0, quiet: Optional[bool] = None, replica: bool = False,
                  no_format: bool = False) -> MultiResult:
        """Fetch many keys in one batch; a dict's values are per-key ttls."""
        if _items.is_items(keys):
            return self._keyed_items("get", keys, quiet=quiet, ttl=ttl)
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

    def rget(self, key: Key, replica_index: Optional[int] = None, quiet: Optional[bool] = None) -> ValueResult:
        """Read ``key`` from a replica (the first that answers, or replica ``replica_index``)."""
        self._bootstrap_required("rget")
        return self._deferrable(lambda: _replicas.rget(self, [key], replica_index, self._quiet_for(quiet), True),
                                True)

    def rget_multi(self, keys: Keys, replica_index: Optional[int] = None, quiet: Optional[bool] = None) -> MultiResult:
        """rget for many keys; returns a MultiResult."""
        self._bootstrap_required("rget")
        klist = _key_list(keys)
        return self._deferrable(lambda: _replicas.rget(self, klist, replica_index, self._quiet_for(quiet), False),
                                False)

    def _bootstrap_required(self, what: str) -> None:
        if self._core.topology is None:
            raise CouchbaseError.rc_to_exctype(C.NOT_SUPPORTED)(
                {"rc": C.NOT_SUPPORTED, "message": "%s needs a Couchbase bucket: memcached servers "
                 "do not implement it (they leave the request unanswered)" % what})

    def delete(self, key: Key, cas: int = 0, quiet: Optional[bool] = None, persist_to: int = 0, replicate_to: int = 0) -> OperationResult:
        """Remove ``key`` (only if ``cas`` matches, when given)."""
        durable = self._durable(persist_to, replicate_to)
        if durable[0] or durable[1]:
            return self._deferrable(lambda: self._delete_durable([key], True, quiet, _cas(cas), durable), True)
        return self._keyed("delete", [key], True, quiet, cas=_cas(cas))

    def delete_multi(self, keys: Keys, quiet: Optional[bool] = None, persist_to: int = 0, replicate_to: int = 0) -> MultiResult:
        """Remove many keys; a dict's values are CAS values (int, Result or {'cas': n})."""
        if _items.is_items(keys):
            return self._keyed_items("delete", keys, quiet=quiet)
        klist = _key_list(keys)
        cas = _per_key(klist, keys, "cas", _cas) if isinstance(keys, dict) else 0
        durable = self._durable(persist_to, replicate_to)
        if durable[0] or durable[1]:
            return self._deferrable(lambda: self._delete_durable(klist, False, quiet, cas, durable), False)
        return self._keyed("delete", klist, False, quiet, cas=cas)

    def _delete_durable(self, keys: Any, single: bool, quiet: Optional[bool], cas: Any, durable: Any) -> Any:
        res = self._keyed("delete", keys, single, quiet, cas=cas)
        done = {res.key: res.cas} if single and res.success else \
            {} if single else {k: r.cas for k, r in res.items() if r.success}
        if done:
            self._endure_results(done, durable, check_removed=True)
        return res

    def endure(self, key: Key, persist_to: int = -1, replicate_to: int = -1, cas: int = 0, check_removed: bool = False,
               timeout: float = 5.0, interval: float = 0.010) -> OperationResult:
        """Wait until ``key`` is persisted on ``persist_to`` nodes and replicated to ``replicate_to``."""
        durable = _endure.requirements(self, persist_to, replicate_to)
        cas = _cas(cas)
        return self._deferrable(lambda: _endure.endure(self, {key: cas}, durable[0], durable[1], timeout, interval,
                                                       check_removed)[key], True)

    def endure_multi(self, keys: Keys, persist_to: int = -1, replicate_to: int = -1, timeout: float = 5.0, interval: float = 0.010,
                     check_removed: bool = False) -> MultiResult:
        """endure() for many keys: an iterable, a dict {key: cas}, a MultiResult, Results or Items."""
        keys = _items.cas_map(keys) if _items.is_items(keys) else _args.results_to_cas(keys)
        klist = _key_list(keys)
        if len(set(klist)) != len(klist):
            raise ArgumentError({"rc": C.DUPLICATE_COMMANDS, "message": "Duplicate keys in endure_multi"})
        cas = _per_key(klist, keys, "cas", _cas) if isinstance(keys, dict) else [0] * len(klist)
        durable = _endure.requirements(self, persist_to, replicate_to)
        return self._deferrable(lambda: _endure.endure(self, dict(zip(klist, cas)), durable[0], durable[1], timeout,
                                                       interval, check_removed), False)

    def durability(self, persist_to: int = -1, replicate_to: int = -1, timeout: float = 0.0) -> DurabilityContext:
        """A context manager: mutations inside it that pass no durability arguments use these."""
        return DurabilityContext(self, persist_to, replicate_to, timeout)

    def touch(self, key: Key, ttl: int = 0) -> OperationResult:
        """Set a new expiry on ``key`` (0 removes it)."""
        return self._keyed("touch", [key], True, None, expiry=_ttl(ttl))

    def touch_multi(self, keys: Keys, ttl: int = 0) -> MultiResult:
        if _items.is_items(keys):
            return self._keyed_items("touch", keys, ttl=ttl)
        klist = _key_list(keys)
        if isinstance(keys, dict):
            return self._keyed("touch", klist, False, None, expiry=_per_key(klist, keys, "ttl", _ttl))
        return self._keyed("touch", klist, False, None, expiry=_ttl(ttl))

    def lock(self, key: Key, ttl: int = 0) -> ValueResult:
        """Get and lock ``key`` for ``ttl`` seconds (0: the server's default, 15 s, as the manual
        says); the result's CAS unlocks it."""
        ttl = _ttl(ttl)
        self._bootstrap_required("lock")
        return self._keyed("lock", [key], True, None, expiry=ttl)

    def lock_multi(self, keys: Keys, ttl: int = 0) -> MultiResult:
        if _items.is_items(keys):
            return self._keyed_items("lock", keys, ttl=ttl)
        klist = _key_list(keys)
        expiry = _per_key(klist, keys, "ttl", _ttl) if isinstance(keys, dict) else _ttl(ttl)
        self._bootstrap_required("lock")
        return self._keyed("lock", klist, False, None, expiry=expiry)

    def unlock(self, key: Key, cas: int) -> OperationResult:
        """Release a lock taken by :meth:`lock`, with the CAS it returned."""
        cas = _cas(cas)
        if not cas:
            raise ArgumentError.pyexc("CAS must be specified for unlock")
        self._bootstrap_required("unlock")
        return self._keyed("unlock", [key], True, None, cas=cas)

    def unlock_multi(self, keys: Keys) -> MultiResult:
        """Unlock many keys: a dict {key: cas | Result | {'cas': n}}, a list of Results, or Items."""
        if _items.is_items(keys):
            return self._keyed_items("unlock", keys)
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

    _counter_args = staticmethod(_counters.counter_args)

    def _arith(self, key: Key, amount: int, initial: Optional[int], ttl: int, sign: int) -> ValueResult:
        amount, init, create, ttl = _counters.counter_args(amount, initial, ttl)
        amount *= sign
        return self._keyed("incr" if amount >= 0 else "decr", [key], True, None, expiry=ttl, delta=abs(amount),
                           initial=init, create=create)

    def incr(self, key: Key, amount: int = 1, initial: Optional[int] = None, ttl: int = 0) -> ValueResult:
        """Add ``amount`` to the counter; create it with ``initial`` when missing (if given)."""
        return self._arith(key, amount, initial, ttl, 1)

    def decr(self, key: Key, amount: int = 1, initial: Optional[int] = None, ttl: int = 0) -> ValueResult:
        """Subtract ``amount`` (stops at 0); create with ``initial`` when missing (if given)."""
        return self._arith(key, amount, initial, ttl, -1)

    def arithmetic(self, key: Key, amount: int = 1, initial: Optional[int] = None, ttl: int = 0) -> ValueResult:
        """Add a signed ``amount`` (negative decrements)."""
        return self._arith(key, amount, initial, ttl, 1)

    def _arith_multi(self, name: str, keys: Any, amount: int, initial: Optional[int], ttl: int, sign: int) -> MultiResult:
        if _items.is_items(keys):
            return self._keyed_items(name, keys, amount=amount, initial=initial, ttl=ttl)
        return _counters.arith_multi(self, keys, amount, initial, ttl, sign)

    def incr_multi(self, keys: Keys, amount: int = 1, initial: Optional[int] = None, ttl: int = 0) -> MultiResult:
        return self._arith_multi("incr", keys, amount, initial, ttl, 1)

    def decr_multi(self, keys: Keys, amount: int = 1, initial: Optional[int] = None, ttl: int = 0) -> MultiResult:
        return self._arith_multi("decr", keys, amount, initial, ttl, -1)

    def arithmetic_multi(self, keys: Keys, amount: int = 1, initial: Optional[int] = None, ttl: int = 0) -> MultiResult:
        if not _items.is_items(keys):
            _require_dict(keys)
        return self._arith_multi("arithmetic", keys, amount, initial, ttl, 1)

    # ---- item syntax ----

    def __getitem__(self, key: Key) -> ValueResult:
        return self.get(key)

    def __setitem__(self, key: Key, value: Any) -> None:
        self.set(key, value)

    def __delitem__(self, key: Key) -> None:
        self.delete(key)

    # ---- informational ----

    def stats(self, keys: Union[None, str, List[str]] = None) -> Dict[str, Dict[str, Any]]:
        """Server statistics: ``{stat_name: {"host:port": value}}``; ``keys`` names stat groups
        (a str, or a list of them, whose stats are merged)."""
        groups = _stats.groups(keys)
        return self._deferrable(lambda: _stats.stats(self, groups), False)

    def observe(self, key: Key, master_only: bool = False) -> ValueResult:
        """Where ``key``'s copies stand: a ValueResult whose value lists one ObserveInfo per node."""
        self._bootstrap_required("observe")
        wire = _replicas.observe_keys(self, [key])
        return self._deferrable(lambda: _replicas.observe(self, [key], wire, master_only, True), True)

    def observe_multi(self, keys: Keys, master_only: bool = False) -> MultiResult:
        self._bootstrap_required("observe")
        klist = _key_list(keys)
        wire = _replicas.observe_keys(self, klist)
        return self._deferrable(lambda: _replicas.observe(self, klist, wire, master_only, False), False)

    def errors(self, clear_existing: bool = True) -> Tuple[Tuple[int, str], ...]:
        """The connection-level errors seen (bootstrap failures): a tuple of (rc, text)."""
        out = tuple(self._error_log)
        if clear_existing:
            self._error_log = []
        return out

    # ---- views, design documents, raw HTTP (couchbase._classic.design / http) ----

    def query(self, design: str, view: str, use_devmode: bool = False, itercls: Optional[Type[View]] = None, **kwargs: Any) -> View:
        """A lazy ``couchbase.views.iterator.View`` of ``design/view``: keyword parameters
        (or ``query=Query(...)``/a raw query string), ``include_docs``, ``streaming``,
        ``row_processor``."""
        from couchbase.views.iterator import View
        design = _design.dev_name(design, use_devmode)
        return (itercls or View)(self, design, view, **kwargs)

    def _view(self, ddoc: str, view: str, use_devmode: bool = False, params: Any = None, unrecognized_ok: bool = False,
              passthrough: bool = False) -> HttpResult:
        return _design.view(self, ddoc, view, use_devmode, params, unrecognized_ok, passthrough)

    def _http_request(self, type: int = 0, method: int = 0, path: str = "", content_type: Optional[str] = None, post_data: Any = None,
                      response_format: int = FMT_JSON, quiet: Optional[bool] = None, fetch_headers: bool = False, chunked: bool = False,
                      rows_per_call: int = -1) -> HttpResult:
        return _http.http_request(self, type, method, path, content_type, post_data, response_format, quiet,
                                  fetch_headers, chunked, rows_per_call)

    def design_create(self, name: str, design: Any, use_devmode: bool = True, syncwait: float = 0) -> HttpResult:
        """Store design document ``name`` (``dev_`` prefixed with use_devmode): HttpResult."""
        return _design.design_create(self, name, design, use_devmode, syncwait)

    def design_get(self, name: str, use_devmode: bool = True) -> HttpResult:
        return _design.design_get(self, name, use_devmode)

    def design_publish(self, name: str, syncwait: float = 0) -> HttpResult:
        """Copy the development design document ``dev_NAME`` to production ``NAME``."""
        return _design.design_publish(self, name, syncwait)

    def design_delete(self, name: str, use_devmode: bool = True, syncwait: float = 0) -> HttpResult:
        return _design.design_delete(self, name, use_devmode, syncwait)

    @staticmethod
    def lcb_version() -> Tuple[str, int]:
        """(text, number) of the libcouchbase API level this core provides: 2.3.0, whose features
        (error categories, master-only observe, durability) are all here, so version-gated 1.x
        code takes the paths it should. The text names this package's version too."""
        return ("2.3.0 (couchbase %s, cbc core %d)" % (__version__, CORE_VERSION), 0x020300)

    # ---- pipelines, lock, timings, settings ----

    def pipeline(self) -> Pipeline:
        """A context manager queueing the operations inside it; see couchbase._classic.pipeline."""
        return Pipeline(self)

    def _pipeline_begin(self) -> None:
        if self._pipe is not None:
            raise PipelineError.pyexc("A pipeline is already in progress")
        self._core.check_open()
        self._pipe = _pipeline.Queue(self)
        self._core.http_refused = "Views and HTTP requests cannot run inside a pipeline"
        self._update_fast()

    def _pipeline_end(self) -> Any:
        queue, self._pipe = self._pipe, None
        self._core.http_refused = None
        self._update_fast()
        if queue is None:
            raise PipelineError.pyexc("No pipeline in progress")
        return queue.run()

    def _thr_lockop(self, is_unlock: int) -> Any:
        """Take (0) or release (1) the connection's lock by hand (ObjectThreadError under LOCKMODE_NONE)."""
        return self._core.thread_lock(bool(is_unlock))

    def _start_timings(self) -> None:
        _timings.start(self)

    def _get_timings(self) -> Any:
        return _timings.get(self)

    def _stop_timings(self) -> None:
        _timings.stop(self)

    def _cntl(self, op: int, value: Any = None, value_type: Any = None) -> Any:
        """Read or change a setting by its lcb_cntl number (see couchbase._classic.cntl)."""
        return _settings_mod.cntl(self, op, value, value_type)

    def _vbmap(self, key: Key) -> Tuple[int, int]:
        """(vBucket, server index) of ``key``."""
        wire = self._keys_for_wire([key])[0]
        self._core.check_open()
        return self._core.map_key(wire.encode() if isinstance(wire, str) else wire)

    # ---- closing ----

    def _close(self) -> None:
        """Close every socket now; later operations raise ClientTemporaryFailError."""
        self._core.close()
        self._closed = True
        self._pipe_batches = []  # freed with the connection

    close = _close

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self._close()
        return False
