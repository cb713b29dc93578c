"""A small HTTP/1.1 client over http.client: basic auth, timeouts, and streamed config reads."""
import base64
import contextlib
import importlib

from couchbase._core.binding import C
from couchbase.exceptions import ConnectError, TimeoutError

STREAM_DELIMITER = b"\n\n\n\n"


def auth_header(username, password):
    if username is None:
        return {}
    token = base64.b64encode(("%s:%s" % (username, password or "")).encode()).decode()
    return {"Authorization": "Basic " + token}


def _client():
    """http.client, imported on first use: it pulls in the email package (tens of ms), which a
    memcached-only or KV-bootstrapped application never needs."""
    return importlib.import_module("http.client")


@contextlib.contextmanager
def _exchange(host, port, timeout):
    """An HTTP connection whose socket and protocol failures become TimeoutError/ConnectError."""
    http_client = _client()
    conn = http_client.HTTPConnection(host, port, timeout=timeout)
    try:
        yield conn
    except OSError as e:
        if "timed out" in str(e):
            raise TimeoutError({"rc": C.ETIMEDOUT, "message": "HTTP exchange with %s:%d timed out" % (host, port),
                                "inner_cause": e})
        raise ConnectError({"rc": C.CONNECT_ERROR, "message": "HTTP exchange with %s:%d failed" % (host, port),
                            "inner_cause": e})
    except http_client.HTTPException as e:
        raise ConnectError({"rc": C.CONNECT_ERROR, "message": "Bad HTTP answer from %s:%d" % (host, port), "inner_cause": e})
    finally:
        conn.close()


def request(host, port, method, path, username=None, password=None, body=None, content_type=None, timeout=2.5):
    """Send one request; return (status, headers dict, body bytes). Network failures raise."""
    headers = auth_header(username, password)
    if body is not None:
        headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        if isinstance(body, str):
            body = body.encode()
    with _exchange(host, port, timeout) as conn:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, dict(resp.getheaders()), data


def first_streamed_config(host, port, path, username=None, password=None, timeout=2.5, limit=16 << 20):
    """Open a streaming config URI and return (status, first config bytes); the stream is closed.

    The server writes config + "\\n\\n\\n\\n" and repeats on every change; chunk boundaries are
    not message boundaries, so bytes are gathered until the delimiter shows up."""
    with _exchange(host, port, timeout) as conn:
        conn.request("GET", path, headers=auth_header(username, password))
        resp = conn.getresponse()
        if resp.status != 200:
            resp.read()
            return resp.status, b""
        buf = b""
        while STREAM_DELIMITER not in buf:
            chunk = resp.read1(65536)
            if not chunk:
                break
            buf += chunk
            if len(buf) > limit:
                raise ConnectError({"rc": C.CONNECT_ERROR, "message": "Streamed config from %s:%d is too large" % (host, port)})
        return 200, buf.split(STREAM_DELIMITER, 1)[0]
