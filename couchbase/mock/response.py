"""Engine results: a response, or one that waits for a condition."""

import json

from . import codec
from . import status as st

DEFAULT_DURABILITY_TIMEOUT = 30.0


class Response:
    __slots__ = ("status", "extras", "key", "value", "cas", "datatype")

    def __init__(self, status=0, extras=b"", key=b"", value=b"", cas=0, datatype=0):
        self.status = status
        self.extras = extras
        self.key = key
        self.value = value
        self.cas = cas
        self.datatype = datatype

    def __repr__(self):
        return "Response(%s, cas=%d, extras=%r, key=%r, value=%r)" % (
            st.name(self.status), self.cas, self.extras, self.key, self.value[:80])


class Deferred:
    """A response held back until ``check()`` is true (-> ``ok``) or ``timeout`` seconds
    pass (-> ``fail``). The transport does the waiting."""

    __slots__ = ("check", "timeout", "ok", "fail")

    def __init__(self, check, timeout, ok, fail):
        self.check = check
        self.timeout = timeout
        self.ok = ok
        self.fail = fail


def error(code, context=None, body=None):
    if body is None and context:
        body = {"error": {"context": context}}
    if body is None:
        return Response(code)
    return Response(code, value=json.dumps(body).encode(), datatype=codec.DT_JSON)
