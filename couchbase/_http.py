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
    except TimeoutError:
        raise
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
