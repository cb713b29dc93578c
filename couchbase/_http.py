"""A small HTTP/1.1 client over http.client: basic auth, timeouts, and streamed config reads."""
import base64
import http.client
import json

from couchbase.exceptions import AuthError, BucketNotFoundError, ConnectError, HTTPError, TimeoutError


def auth_header(username, password):
    if username is None:
        return {}
    token = base64.b64encode(("%s:%s" % (username, password or "")).encode()).decode()
    return {"Authorization": "Basic " + token}


def request(host, port, method, path, username=None, password=None, body=None, content_type=None, timeout=2.5):
    """Send one request; return (status, headers dict, body bytes). Network failures raise."""
    headers = auth_header(username, password)
    if body is not None:
        headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        if isinstance(body, str):
            body = body.encode()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, dict(resp.getheaders()), data
    except OSError as e:
        if "timed out" in str(e):
            raise TimeoutError({"rc": 0x17, "message": "HTTP request to %s:%d timed out" % (host, port),
                                "inner_cause": e})
        raise ConnectError({"rc": 0x18, "message": "HTTP request to %s:%d failed" % (host, port),
                            "inner_cause": e})
    except http.client.HTTPException as e:
        raise ConnectError({"rc": 0x18, "message": "Bad HTTP answer from %s:%d" % (host, port),
                            "inner_cause": e})
    finally:
        conn.close()


def first_streamed_config(host, port, path, username=None, password=None, timeout=2.5, limit=16 << 20):
    """Open a streaming config URI and return (status, first config bytes); the stream is closed.

    The server writes config + "\\n\\n\\n\\n" and repeats on every change; chunk boundaries are
    not message boundaries, so bytes are gathered until the delimiter shows up."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=auth_header(username, password))
        resp = conn.getresponse()
        if resp.status != 200:
            resp.read()
            return resp.status, b""
        buf = b""
        while b"\n\n\n\n" not in buf:
            chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(1)
            if not chunk:
                break
            buf += chunk
            if len(buf) > limit:
                raise ConnectError({"rc": 0x18, "message": "Streamed config from %s:%d is too large" % (host, port)})
        return 200, buf.split(b"\n\n\n\n", 1)[0]
    except OSError as e:
        if "timed out" in str(e):
            raise TimeoutError({"rc": 0x17, "message": "Config stream from %s:%d timed out" % (host, port),
                                "inner_cause": e})
        raise ConnectError({"rc": 0x18, "message": "Config stream from %s:%d failed" % (host, port),
                            "inner_cause": e})
    except http.client.HTTPException as e:
        raise ConnectError({"rc": 0x18, "message": "Bad HTTP answer from %s:%d" % (host, port), "inner_cause": e})
    finally:
        conn.close()


def get_json(host, port, path, username=None, password=None, timeout=2.5, bucket=None):
    """GET a JSON document; 401 -> AuthError, 404 -> BucketNotFoundError (for bucket paths) or HTTPError."""
    status, _headers, data = request(host, port, "GET", path, username, password, timeout=timeout)
    if status == 401:
        raise AuthError({"rc": 0x02, "message": "Authentication failed for %s" % path})
    if status == 404 and bucket is not None:
        raise BucketNotFoundError({"rc": 0x19, "message": "No such bucket: %s" % bucket, "key": bucket})
    if not 200 <= status < 300:
        raise HTTPError({"message": "HTTP %d for %s" % (status, path), "key": path, "objextra": data})
    return json.loads(data)
