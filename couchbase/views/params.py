"""View query parameters of the classic API (docs/protocol.md section 10.2).

``Query`` holds every server parameter as a property, checked when assigned (a bad type
or value raises ArgumentError before anything is sent), and encodes them as the query
string (``encoded``).
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

    from couchbase.exceptions import CouchbaseError

import copy
import json
from urllib.parse import quote

from couchbase.exceptions import ArgumentError

__all__ = ["Query", "Params", "UNSPEC", "make_options_string", "make_dvpath", "STALE_OK",
           "STALE_UPDATE_BEFORE", "STALE_UPDATE_AFTER", "ONERROR_CONTINUE", "ONERROR_STOP"]

STALE_OK = "ok"
STALE_UPDATE_BEFORE = "false"
STALE_UPDATE_AFTER = "update_after"
ONERROR_CONTINUE = "continue"
ONERROR_STOP = "stop"


class _Unspec:
    """The value of an option that is not set: falsy, ``str()`` is empty."""

    _instance: Optional[_Unspec] = None

    def __new__(cls) -> _Unspec:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return ""

    def __repr__(self) -> str:
        return "<Placeholder>"

    def __deepcopy__(self, memo: Any) -> _Unspec:
        return self

    def __copy__(self) -> _Unspec:
        return self


UNSPEC = _Unspec()


class Params:
    """Names of the server parameters."""

    STALE = "stale"
    DESCENDING = "descending"
    STARTKEY = "startkey"
    STARTKEY_DOCID = "startkey_docid"
    ENDKEY = "endkey"
    ENDKEY_DOCID = "endkey_docid"
    KEY = "key"
    KEYS = "keys"
    INCLUSIVE_END = "inclusive_end"
    GROUP = "group"
    GROUP_LEVEL = "group_level"
    REDUCE = "reduce"
    SKIP = "skip"
    LIMIT = "limit"
    ON_ERROR = "on_error"
    DEBUG = "debug"
    CONNECTION_TIMEOUT = "connection_timeout"
    FULL_SET = "full_set"
    MAPKEY_SINGLE = "mapkey_single"
    MAPKEY_MULTI = "mapkey_multi"
    MAPKEY_RANGE = "mapkey_range"
    DOCKEY_RANGE = "dockey_range"


def _bad(name: str, value: Any, why: str) -> CouchbaseError:
    return ArgumentError.pyexc("Bad value for view parameter %s: %s" % (name, why), obj=value)


def _bool(name: str, v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        if v in ("true", "false"):
            return v
        raise _bad(name, v, "expected a bool or 'true'/'false'")
    if isinstance(v, (int, float)):
        return "true" if v else "false"
    raise _bad(name, v, "expected a bool")


def _num(name: str, v: Any) -> Any:
    if isinstance(v, bool):
        raise _bad(name, v, "expected an int, not a bool")
    if isinstance(v, str):
        if not v.strip().lstrip("-").isdigit():
            raise _bad(name, v, "expected a numeric string")
        v = int(v)
    if not isinstance(v, int):
        raise _bad(name, v, "expected an int")
    if v < 0:
        raise _bad(name, v, "must not be negative")
    return str(v)


def _json(name: str, v: Any) -> Any:
    try:
        return json.dumps(v)
    except (TypeError, ValueError) as e:
        raise ArgumentError({"message": "View parameter %s is not JSON-serializable" % name,
                             "objextra": v, "inner_cause": e})


def _jarray(name: str, v: Any) -> Any:
    if not isinstance(v, (list, tuple)):
        raise _bad(name, v, "expected a list")
    return _json(name, list(v))


def _string(name: str, v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise _bad(name, v, "expected a str")
    return str(v)


def _stale(name: str, v: Any) -> Any:
    if isinstance(v, str):
        if v in (STALE_OK, STALE_UPDATE_BEFORE, STALE_UPDATE_AFTER):
            return v
        if v in ("true", "false"):
            return STALE_OK if v == "true" else STALE_UPDATE_BEFORE
        raise _bad(name, v, "expected ok, false, update_after or a bool")
    if isinstance(v, (bool, int)):
        return STALE_OK if v else STALE_UPDATE_BEFORE
    raise _bad(name, v, "expected ok, false, update_after or a bool")


def _on_error(name: str, v: Any) -> Any:
    if v not in (ONERROR_CONTINUE, ONERROR_STOP):
        raise _bad(name, v, "expected 'continue' or 'stop'")
    return v


_HANDLERS = {
    "descending": _bool, "inclusive_end": _bool, "full_set": _bool, "group": _bool,
    "reduce": _bool, "debug": _bool,
    "skip": _num, "limit": _num, "group_level": _num, "connection_timeout": _num,
    "key": _json, "startkey": _json, "endkey": _json, "keys": _jarray,
    "startkey_docid": _string, "endkey_docid": _string,
    "stale": _stale, "on_error": _on_error,
}
_ALIASES = {"mapkey_single": "key", "mapkey_multi": "keys"}


class Query:
    """Server parameters of a view query: ``Query(limit=10, descending=True)`` or property
    assignments. ``passthrough=True`` sends values as given (unquoted);
    ``unrecognized_ok=True`` accepts names the SDK does not know."""

    STRING_RANGE_END = "\u0fff"

    if TYPE_CHECKING:  # the server parameters, properties added below the class
        descending: Any
        inclusive_end: Any
        full_set: Any
        group: Any
        reduce: Any
        debug: Any
        skip: Any
        limit: Any
        group_level: Any
        connection_timeout: Any
        key: Any
        startkey: Any
        endkey: Any
        keys: Any
        startkey_docid: Any
        endkey_docid: Any
        stale: Any
        on_error: Any
        mapkey_single: Any
        mapkey_multi: Any

    def __init__(self, passthrough: bool = False, unrecognized_ok: bool = False, **params: Any) -> None:
        self.passthrough = passthrough
        self.unrecognized_ok = unrecognized_ok
        self._real: Dict[str, Tuple[Any, str]] = {}  # name -> (user value, encoded text)
        self._extra: Dict[str, Any] = {}             # unrecognized name -> value
        self._raw: Optional[str] = None              # a raw query string prefix (Query.from_any(str))
        self.update(**params)

    # -- setting ----------------------------------------------------------------------------
    def _set(self, name: str, value: Any) -> None:
        name = _ALIASES.get(name, name)
        if name in ("mapkey_range", "dockey_range"):
            return self._set_range(name, value)
        handler = _HANDLERS.get(name)
        if handler is None:
            if not self.unrecognized_ok:
                raise ArgumentError.pyexc("Unrecognized view parameter %r" % (name,), obj=name)
            if value is UNSPEC:
                self._extra.pop(name, None)
            else:
                self._extra[name] = value
            return
        if value is UNSPEC:
            self._real.pop(name, None)
            return
        if self.passthrough:
            if value is None or isinstance(value, bool):
                raise _bad(name, value, "passthrough values must be strings or numbers")
            text = _string(name, value)
        else:
            text = handler(name, value)
        self._real[name] = (value, text)

    def _set_range(self, name: str, value: Any) -> None:
        lo, hi = ("startkey", "endkey") if name == "mapkey_range" else ("startkey_docid", "endkey_docid")
        if value is UNSPEC or (isinstance(value, list) and not value):
            self._real.pop(lo, None)
            self._real.pop(hi, None)
            return
        if not isinstance(value, list) or not 1 <= len(value) <= 2:
            raise ArgumentError.pyexc("%s must be a list of one or two elements" % name, obj=value)
        if lo in self._real or hi in self._real:
            raise ArgumentError.pyexc("%s cannot be combined with an explicit %s or %s" % (name, lo, hi),
                                      obj=value)
        self._set(lo, value[0])
        if len(value) == 2:
            self._set(hi, value[1])

    def update(self, copy: bool = False, **params: Any) -> Query:
        """Set ``params``; return self (or, with ``copy=True``, an updated deep copy)."""
        target = self._deepcopy() if copy else self
        for name, value in params.items():
            target._set(name, value)
        return target

    def _deepcopy(self) -> Query:
        return copy.deepcopy(self)

    @classmethod
    def from_any(cls, params: Union[Query, Dict[str, Any], str]) -> Query:
        """A Query from a Query (deep copy), a dict of parameters or a raw query string."""
        if isinstance(params, cls):
            return params._deepcopy()
        if isinstance(params, dict):
            return cls(**params)
        if isinstance(params, str):
            q = cls()
            q._raw = params
            return q
        raise ArgumentError.pyexc("Query parameters must be a Query, a dict or a str", obj=params)

    # -- reading ----------------------------------------------------------------------------
    def _get(self, name: str) -> Any:
        entry = self._real.get(name)
        return UNSPEC if entry is None else entry[0]

    def _texts(self) -> Dict[str, str]:
        return {k: v[1] for k, v in self._real.items()}

    @property
    def encoded(self) -> str:
        """The query string: ``k=v`` pairs joined by ``&`` (values quoted unless passthrough)."""
        parts = [self._raw] if self._raw else []
        for k, (_v, text) in self._real.items():
            if self.passthrough:
                parts.append("%s=%s" % (k, text))
            else:
                parts.append("%s=%s" % (quote(k, safe="/"), quote(text, safe="/")))
        for k, v in self._extra.items():
            parts.append("%s=%s" % (k, v))
        return "&".join(parts)

    @property
    def has_blob(self) -> bool:
        """True when ``keys`` is set (long key lists go in a POST body)."""
        return "keys" in self._real

    def __repr__(self) -> str:
        return "Query:%r" % (self.encoded,)

    __str__ = __repr__

    @property
    def mapkey_range(self) -> List[Any]:
        return [self.startkey, self.endkey]

    @mapkey_range.setter
    def mapkey_range(self, value: Sequence[Any]) -> None:
        self._set("mapkey_range", value)

    @property
    def dockey_range(self) -> List[Any]:
        return [self.startkey_docid, self.endkey_docid]

    @dockey_range.setter
    def dockey_range(self, value: Sequence[Any]) -> None:
        self._set("dockey_range", value)


def _prop(name: str) -> Any:
    def getter(self: Query) -> Any:
        return self._get(name)

    def setter(self: Query, value: Any) -> None:
        self._set(name, value)
    return property(getter, setter, doc="The %r server parameter (UNSPEC when not set)." % name)


for _name in _HANDLERS:
    setattr(Query, _name, _prop(_name))
Query.mapkey_single = _prop("key")
Query.mapkey_multi = _prop("keys")


def make_options_string(params: Union[Query, Dict[str, Any]], unrecognized_ok: bool = False,
                        passthrough: bool = False) -> str:
    """The encoded query string of a dict or a Query."""
    if isinstance(params, Query):
        return params.encoded
    return Query(passthrough=passthrough, unrecognized_ok=unrecognized_ok, **params).encoded


def make_dvpath(ddoc: str, view: str) -> str:
    return "_design/%s/_view/%s?" % (ddoc, view)
