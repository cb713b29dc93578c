"""ViewIndexManager of the asyncio face (``bucket.view_indexes()``): the blocking manager's
requests and answers (couchbase.management.views), sent to the bucket's nodes on the event
loop (acouchbase._rest)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List, Tuple

    from couchbase.management.options import (
        DropDesignDocumentOptions, GetAllDesignDocumentsOptions, GetDesignDocumentOptions,
        PublishDesignDocumentOptions, UpsertDesignDocumentOptions,
    )

    from acouchbase._rest import Answers
    from acouchbase.bucket import AsyncBucket

from couchbase.management import views as _blocking
from couchbase.management.views import DesignDocument, DesignDocumentNamespace, View  # noqa: F401 (4.x paths)

from acouchbase._rest import AsyncManager

__all__ = ["ViewIndexManager", "DesignDocument", "DesignDocumentNamespace", "View"]


class _Replayed(_blocking.ViewIndexManager):
    """The blocking manager, its requests answered from what the event loop fetched."""

    def __init__(self, bucket: AsyncBucket, answers: Answers) -> None:
        super().__init__(bucket)
        self._answers = answers

    def _http(self, service: str, method: str, path: str, body: Any, timeout: float,
              idempotent: bool) -> Tuple[int, Any, bytes]:
        answer: Tuple[int, Any, bytes] = self._answers.take(service, method, path, body, timeout, idempotent)
        return answer


class ViewIndexManager(AsyncManager):
    """The design documents of one bucket."""

    _blocking = _Replayed
    _methods = ("get_design_document", "get_all_design_documents", "upsert_design_document",
                "drop_design_document", "publish_design_document")

    def __init__(self, bucket: AsyncBucket) -> None:
        super().__init__(bucket._cluster)
        self._bucket = bucket

    def _make(self, answers: Answers) -> _Replayed:
        return _Replayed(self._bucket, answers)

    async def _fetch(self, *request: Any) -> Tuple[int, Any, bytes]:
        """(status, headers, body) of a request of the blocking manager (its ``_http``)."""
        service, method, path, body, timeout, idempotent = request
        await self._bucket.on_connect()
        answer: Tuple[int, Any, bytes] = await self._bucket._service(service).request(
            method, path, body, "application/json", timeout, idempotent)
        return answer

    if TYPE_CHECKING:  # the coroutines AsyncManager makes of the blocking manager's methods
        async def get_design_document(self, design_doc_name: str, namespace: DesignDocumentNamespace,
                                      *options: GetDesignDocumentOptions, **kwargs: Any) -> DesignDocument: ...

        async def get_all_design_documents(self, namespace: DesignDocumentNamespace,
                                           *options: GetAllDesignDocumentsOptions,
                                           **kwargs: Any) -> List[DesignDocument]: ...

        async def upsert_design_document(self, design_doc_data: DesignDocument, namespace: DesignDocumentNamespace,
                                         *options: UpsertDesignDocumentOptions, **kwargs: Any) -> None: ...

        async def drop_design_document(self, design_doc_name: str, namespace: DesignDocumentNamespace,
                                       *options: DropDesignDocumentOptions, **kwargs: Any) -> None: ...

        async def publish_design_document(self, design_doc_name: str, *options: PublishDesignDocumentOptions,
                                          **kwargs: Any) -> None: ...
