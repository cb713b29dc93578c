"""The management REST client of the modern API: one request to the first node that answers.

Managers build (method, path, form) and read (status, body); the texts a real server answers
with decide some exception classes (``error``), as they do for the 4.x SDK.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Tuple

    from couchbase.exceptions import CouchbaseException

import json
import time
from urllib.parse import quote, urlencode

from couchbase._core import http as _http
from couchbase.exceptions import (
    MODERN, AuthenticationException, CouchbaseError, InternalServerFailureException, ManagementErrorContext,
    QuotaLimitedException, RateLimitedException, TLSError, UnAmbiguousTimeoutException, exception_for,
)


def path_escape(name: str) -> str:
    """A name as one URL path segment."""
    return quote(name, safe="")


class Rest:
    """Management requests of one Cluster."""

    def __init__(self, cluster):
        self._cluster = cluster

    def _timeout(self, options):
        t = options.get("timeout") if options else None
        if t is not None:
            return t.total_seconds()
        return self._cluster._settings.management_timeout

    def call(self, method, path, form=None, options=None) -> Tuple[int, str]:
        """(status, body text) of the first node that answers within the timeout."""
        cluster = self._cluster
        cluster._check_open()
        s = cluster._settings
        timeout = self._timeout(options)
        deadline = time.monotonic() + timeout
        body = urlencode(form) if form is not None else None
        last = None
        for host, port in cluster._nodes.rest_endpoints():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                status, _headers, data = _http.request(host, port, method, path, s.username, s.password, body=body,
                                                       timeout=left, tls=s.security.tls)
            except CouchbaseError as e:
                if isinstance(e, TLSError):  # a refused certificate: no other node will do better
                    raise exception_for(MODERN, e.rc, e.message, inner_cause=e) from None
                last = e
                continue
            text = data.decode("utf-8", "replace")
            if status == 401:
                raise AuthenticationException("The management request was not authorized.",
                                              context=self.context(status, path, text))
            return status, text
        raise UnAmbiguousTimeoutException("No management node answered %s %s." % (method, path), inner_cause=last)

    @staticmethod
    def context(status, path, text):
        return ManagementErrorContext(http_status=status, path=path, content=text)

    def error(self, cls, status, path, text, message=None) -> CouchbaseException:
        """An exception of class `cls` carrying the answer."""
        return cls(message or _summary(text) or "HTTP %d" % status, context=self.context(status, path, text))

    def common_error(self, status, path, text) -> CouchbaseException:
        """What any other unexpected answer means (429: limits; else a server failure)."""
        if status == 429:
            if "Limit(s) exceeded" in text:
                return self.error(RateLimitedException, status, path, text)
            if "Maximum number of collections has been reached" in text:
                return self.error(QuotaLimitedException, status, path, text)
        return self.error(InternalServerFailureException, status, path, text)

    def json(self, status, path, text) -> Any:
        try:
            return json.loads(text)
        except ValueError:
            raise self.error(InternalServerFailureException, status, path, text, "Unparseable answer") from None


def _summary(text):
    """The error texts of a JSON error body, joined; else the text itself."""
    try:
        doc = json.loads(text)
    except ValueError:
        return text.strip()[:300]
    if isinstance(doc, dict):
        errors = doc.get("errors", doc)
        if isinstance(errors, dict):
            return ". ".join(str(v) for v in errors.values())
        if isinstance(errors, list):
            return ". ".join(str(v) for v in errors)
    return str(doc)[:300]
