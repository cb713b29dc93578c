"""The classic face's HTTP requests: ``HttpResult`` building, body decoding per format,
``HTTPError`` for a non-2xx answer, and the private ``_http_request`` primitive."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:

    from couchbase.result import HttpResult

import json

from couchbase.exceptions import ArgumentError, HTTPError, ValueFormatError
from couchbase.result import HttpResult
from couchbase.transcoder import FMT_BYTES, FMT_JSON, FMT_UTF8

# libcouchbase's HTTP constants (1.x ``_libcouchbase`` names)
LCB_HTTP_METHOD_GET, LCB_HTTP_METHOD_POST, LCB_HTTP_METHOD_PUT, LCB_HTTP_METHOD_DELETE = 0, 1, 2, 3
LCB_HTTP_TYPE_VIEW, LCB_HTTP_TYPE_MANAGEMENT = 0, 1
METHMAP = {"GET": LCB_HTTP_METHOD_GET, "PUT": LCB_HTTP_METHOD_PUT, "POST": LCB_HTTP_METHOD_POST,
           "DELETE": LCB_HTTP_METHOD_DELETE}
_METHOD_NAMES = {v: k for k, v in METHMAP.items()}


def method_name(method):
    """'GET' ... from a name or an LCB_HTTP_METHOD_* number; ArgumentError otherwise."""
    if isinstance(method, str) and method.upper() in METHMAP:
        return method.upper()
    if isinstance(method, int) and not isinstance(method, bool) and method in _METHOD_NAMES:
        return _METHOD_NAMES[method]
    raise ArgumentError.pyexc("Unknown HTTP method %r" % (method,), obj=method)


def decode(body, fmt):
    """The body as ``fmt`` says: FMT_JSON decodes JSON (bytes if it is not JSON)."""
    if not body:
        return None
    if fmt == FMT_JSON:
        try:
            return json.loads(body)
        except ValueError:
            return body
    if fmt == FMT_UTF8:
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueFormatError({"message": "Couldn't decode as UTF-8", "inner_cause": e})
    if fmt == FMT_BYTES:
        return bytes(body)
    return body


def result(status, headers, body, url, fmt=FMT_JSON, fetch_headers=True):
    return HttpResult(0, status, decode(body, fmt), url, dict(headers) if fetch_headers else None)


def check(res, quiet=False):
    """Raise HTTPError (``objextra`` = the result, ``key`` = the path) for a non-2xx answer."""
    if not quiet and not res.success:
        raise HTTPError({"message": "HTTP Request failed. Examine 'objextra' for full result",
                         "key": res.url, "objextra": res})
    return res


def exchange(client, method, path, url=None, body=None, content_type=None, fmt=FMT_JSON, quiet=False,
             fetch_headers=True, timeout=75.0, idempotent=None, node=None) -> HttpResult:
    """One request through ``client``: an HttpResult (HTTPError if not 2xx and not quiet)."""
    if idempotent is None:
        idempotent = method == "GET"
    status, headers, data = client.request(method, path, body, content_type, None, timeout, node=node,
                                           idempotent=idempotent)
    return check(result(status, headers, data, url if url is not None else path, fmt, fetch_headers), quiet)


def http_request(conn, type=LCB_HTTP_TYPE_VIEW, method=LCB_HTTP_METHOD_GET, path="", content_type=None,
                 post_data=None, response_format=FMT_JSON, quiet=None, fetch_headers=False, chunked=False,
                 rows_per_call=-1):
    """``Connection._http_request``: ``path`` is relative to the bucket's view base (VIEW)
    or to the management root (MANAGEMENT)."""
    if not isinstance(path, str):
        raise ArgumentError.pyexc("path must be a str", obj=path)
    name = method_name(method)
    if type == LCB_HTTP_TYPE_VIEW:
        client, full = conn._session.http("capi"), "/%s/%s" % (conn.bucket, path.lstrip("/"))
    elif type == LCB_HTTP_TYPE_MANAGEMENT:
        client, full = conn._session.http("mgmt"), "/" + path.lstrip("/")
    else:
        raise ArgumentError.pyexc("Unknown HTTP request type %r" % (type,), obj=type)
    if isinstance(post_data, str):
        post_data = post_data.encode("utf-8")
    conn._session.enter()
    try:
        res = exchange(client, name, full, path, post_data, content_type or "application/json",
                       response_format, True, True, conn.views_timeout)
    finally:
        conn._session.leave()
    if not fetch_headers:
        res.headers = None
    return check(res, bool(quiet))
