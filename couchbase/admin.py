"""``Admin``: a handle on a cluster's management REST API (1.x ``couchbase.admin``)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, NoReturn, Optional, Union

    from couchbase.result import HttpResult

from couchbase._classic import http as _chttp
from couchbase._core import http as _http
from couchbase._core.binding import C
from couchbase._core.session import Session
from couchbase.connection import Connection
from couchbase.exceptions import CLASSIC, ArgumentError, AuthError, BadHandleError, exception_for
from couchbase.transcoder import FMT_JSON
from couchbase.user_constants import LOCKMODE_WAIT

__all__ = ["Admin", "METHMAP"]

METHMAP = dict(_chttp.METHMAP)

#: Key-value methods of Connection, which an Admin refuses with BadHandleError.
_KV_METHODS = (
    "set", "add", "replace", "append", "prepend", "get", "delete", "touch", "lock", "unlock", "incr", "decr",
    "arithmetic", "rget", "observe", "endure", "stats", "query", "design_create", "design_get",
    "design_publish", "design_delete", "_view")


class Admin(Connection):
    """``Admin(username, password, host='localhost', port=8091)``: checks the credentials
    at once (AuthError, or ConnectError when nothing answers); other keyword arguments
    are ignored. ``http_request`` sends a request to the REST API."""

    def __init__(self, username: str, password: Optional[str], host: str = "localhost", port: int = 8091,
                 **kwargs: Any) -> None:
        self._session = Session(CLASSIC, LOCKMODE_WAIT)
        self._bucket = None
        self.quiet = False
        self.timeout = kwargs.get("timeout", 2.5) if isinstance(kwargs.get("timeout"), (int, float)) else 2.5
        self.username = username
        self.password = password
        self.host = host
        self.port = port
        self._client = _http.HttpClient([(host, port)], username, password or "", CLASSIC)
        status, _headers, _body = self._client.request("GET", "/pools", timeout=self.timeout)
        if status == 401:
            raise AuthError.pyexc("Authentication failed for user %r" % (username,))

    def http_request(self, path: str, method: str = "GET", content: Union[None, str, bytes] = None,
                     content_type: str = "application/json", response_format: int = FMT_JSON) -> HttpResult:
        """An HttpResult of the REST API (HTTPError, with the result as ``objextra``, for a
        non-2xx status). ``path`` is relative to the root (``pools/default``)."""
        if not isinstance(path, str):
            raise ArgumentError.pyexc("path must be a str", obj=path)
        if not isinstance(method, str) or method.upper() not in METHMAP:
            raise ArgumentError.pyexc("method must be GET, PUT, POST or DELETE", obj=method)
        if content is not None and not isinstance(content, (str, bytes)):
            raise ArgumentError.pyexc("content must be a str or bytes", obj=content)
        self._session.enter()
        try:
            return _chttp.exchange(self._client, method.upper(), "/" + path.lstrip("/"), path, content,
                                   content_type, response_format, timeout=self.views_timeout)
        finally:
            self._session.leave()

    def _close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:
        return "Admin<%s:%d>" % (self.host, self.port)


def _bad_handle(name: str) -> Callable[..., NoReturn]:
    def method(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
        raise exception_for(CLASSIC, C.EBADHANDLE, "%s is not available on an Admin handle" % name)
    method.__name__ = name
    return method


for _name in _KV_METHODS:
    for _suffix in ("", "_multi"):
        if hasattr(Connection, _name + _suffix):
            setattr(Admin, _name + _suffix, _bad_handle(_name + _suffix))
del _name, _suffix
