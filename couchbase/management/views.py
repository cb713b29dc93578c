"""Design documents of a bucket (4.x ``bucket.view_indexes()``): ViewIndexManager,
DesignDocument, View, DesignDocumentNamespace."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

    from couchbase._modern.views import ViewBucket
    from couchbase.management.options import (
        DropDesignDocumentOptions, GetAllDesignDocumentsOptions, GetDesignDocumentOptions, PublishDesignDocumentOptions,
        UpsertDesignDocumentOptions,
    )

import json
from datetime import timedelta
from enum import Enum
from urllib.parse import quote

from couchbase._modern.views import view_error
from couchbase.exceptions import DesignDocumentNotFoundException, InvalidArgumentException
from couchbase.management.options import (  # noqa: F401
    DropDesignDocumentOptions, GetAllDesignDocumentsOptions, GetDesignDocumentOptions,
    PublishDesignDocumentOptions, UpsertDesignDocumentOptions,
)

__all__ = ["ViewIndexManager", "DesignDocument", "View", "DesignDocumentNamespace"]


class DesignDocumentNamespace(Enum):
    PRODUCTION = False
    DEVELOPMENT = True

    def to_str(self) -> str:
        return "development" if self.value else "production"

    def prefix(self, name: str) -> str:
        return "dev_" + name if self.value and not name.startswith("dev_") else name

    @classmethod
    def unprefix(cls, name: str) -> str:
        for p in ("_design/", "dev_"):
            if name.startswith(p):
                name = name[len(p):]
        return name

    @classmethod
    def from_str(cls, value: Optional[str]) -> DesignDocumentNamespace:
        return cls.PRODUCTION if value == "production" else cls.DEVELOPMENT


class View:
    def __init__(self, map: str, reduce: Optional[str] = None, name: Optional[str] = None) -> None:
        self.map = map
        self.reduce = reduce

    def as_dict(self, name: Optional[str] = None) -> Dict[str, Any]:
        out: Dict[str, Any] = {"map": self.map}
        if self.reduce:
            out["reduce"] = self.reduce
        if name:
            out["name"] = name
        return out

    def to_json(self) -> str:
        return json.dumps(self.as_dict())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, View) and (self.map, self.reduce) == (other.map, other.reduce)

    def __repr__(self) -> str:
        return "View(%r)" % (self.as_dict(),)


class DesignDocument:
    def __init__(self, name: str, views: Dict[str, View], namespace: Optional[DesignDocumentNamespace] = None,
                 rev: Optional[str] = None) -> None:
        self.name = DesignDocumentNamespace.unprefix(name)
        self.views = views
        self.namespace = namespace
        self.rev = rev

    def add_view(self, name: str, view: View) -> DesignDocument:
        self.views[name] = view
        return self

    def get_view(self, name: str) -> Optional[View]:
        return self.views.get(name)

    def as_dict(self, namespace: Optional[DesignDocumentNamespace] = None) -> Dict[str, Any]:
        out: Dict[str, Any] = {"name": self.name}
        if namespace is not None:
            out["ns"] = namespace.to_str()
        out["views"] = {k: v.as_dict(name=k) for k, v in self.views.items()}
        if self.rev:
            out["rev"] = self.rev
        return out

    @classmethod
    def from_json(cls, raw: Dict[str, Any]) -> DesignDocument:
        views = {k: View(v.get("map"), v.get("reduce")) for k, v in (raw.get("views") or {}).items()}
        return cls(raw.get("name", ""), views, DesignDocumentNamespace.from_str(raw.get("namespace")),
                   raw.get("rev"))

    def __repr__(self) -> str:
        return "DesignDocument(%r)" % (self.as_dict(self.namespace),)


def _ns(namespace: DesignDocumentNamespace) -> DesignDocumentNamespace:
    if isinstance(namespace, DesignDocumentNamespace):
        return namespace
    raise InvalidArgumentException("namespace must be a DesignDocumentNamespace")


class ViewIndexManager:
    """Design documents of one bucket, over the views (CAPI) and management services."""

    def __init__(self, bucket: ViewBucket) -> None:
        self._bucket = bucket

    def _timeout(self, options: Sequence[Any], kwargs: Mapping[str, Any]) -> float:
        t = kwargs.get("timeout")
        for o in options:
            if isinstance(o, dict) and "timeout" in o:
                t = o["timeout"] if t is None else t
        return t.total_seconds() if isinstance(t, timedelta) else self._bucket._management_timeout

    def _request(self, service: str, method: str, path: str, body: Any = None, options: Sequence[Any] = (),
                 kwargs: Optional[Mapping[str, Any]] = None) -> Tuple[Any, bytes]:
        status, headers, data = self._http(service, method, path, body, self._timeout(options, kwargs or {}),
                                           method == "GET")
        if status // 100 != 2:
            raise view_error(status, data)
        return headers, data

    def _http(self, service: str, method: str, path: str, body: Any, timeout: float,
              idempotent: bool) -> Tuple[int, Any, bytes]:
        """(status, headers, body) of one request to a node of the bucket's `service` (``capi``:
        design documents, ``mgmt``: their list); the asyncio face answers it on the event loop."""
        client = self._bucket._connection().http(service)
        status, headers, data = client.request(method, path, body, "application/json", None, timeout,
                                               idempotent=idempotent)
        return status, headers, data

    def _ddoc_path(self, name: str) -> str:
        return "/%s/_design/%s" % (quote(self._bucket.name, safe=""), quote(name, safe=""))

    def get_design_document(self, design_doc_name: str, namespace: DesignDocumentNamespace,
                            *options: GetDesignDocumentOptions, **kwargs: Any) -> DesignDocument:
        ns = _ns(namespace)
        full = ns.prefix(design_doc_name)
        headers, data = self._request("capi", "GET", self._ddoc_path(full), options=options, kwargs=kwargs)
        doc = json.loads(data)
        meta: Dict[str, Any] = {}
        for k, v in headers.items():
            if k.lower() == "x-couchbase-meta":
                meta = json.loads(v)
        views = {k: View(v.get("map"), v.get("reduce")) for k, v in (doc.get("views") or {}).items()}
        return DesignDocument(design_doc_name, views, ns, meta.get("rev"))

    def get_all_design_documents(self, namespace: DesignDocumentNamespace, *options: GetAllDesignDocumentsOptions,
                                 **kwargs: Any) -> List[DesignDocument]:
        ns = _ns(namespace)
        _h, data = self._request("mgmt", "GET", "/pools/default/buckets/%s/ddocs" % quote(self._bucket.name, safe=""),
                                 options=options, kwargs=kwargs)
        out: List[DesignDocument] = []
        for row in json.loads(data).get("rows", []):
            meta = row["doc"]["meta"]
            name = meta["id"][len("_design/"):]
            if name.startswith("dev_") != bool(ns.value):
                continue
            views = {k: View(v.get("map"), v.get("reduce"))
                     for k, v in (row["doc"]["json"].get("views") or {}).items()}
            out.append(DesignDocument(name, views, ns, meta.get("rev")))
        return out

    def upsert_design_document(self, design_doc_data: DesignDocument, namespace: DesignDocumentNamespace,
                               *options: UpsertDesignDocumentOptions, **kwargs: Any) -> None:
        ns = _ns(namespace)
        if not isinstance(design_doc_data, DesignDocument):
            raise InvalidArgumentException("design_doc_data must be a DesignDocument")
        body = json.dumps({"views": {k: v.as_dict() for k, v in design_doc_data.views.items()}})
        self._request("capi", "PUT", self._ddoc_path(ns.prefix(design_doc_data.name)), body, options, kwargs)

    def drop_design_document(self, design_doc_name: str, namespace: DesignDocumentNamespace,
                             *options: DropDesignDocumentOptions, **kwargs: Any) -> None:
        ns = _ns(namespace)
        self._request("capi", "DELETE", self._ddoc_path(ns.prefix(design_doc_name)), options=options, kwargs=kwargs)

    def publish_design_document(self, design_doc_name: str, *options: PublishDesignDocumentOptions,
                                **kwargs: Any) -> None:
        try:
            doc = self.get_design_document(design_doc_name, DesignDocumentNamespace.DEVELOPMENT,
                                           *options, **kwargs)  # type: ignore[arg-type]
        except DesignDocumentNotFoundException:
            raise
        self.upsert_design_document(doc, DesignDocumentNamespace.PRODUCTION, *options, **kwargs)  # type: ignore[arg-type]
