"""Scope and collection management (``bucket.collections()``), through the REST API
(``/pools/default/buckets/NAME/scopes``): applications create their scopes and collections at
start-up, against the embedded cluster or a real server alike."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Tuple

    from couchbase.cluster import Cluster
    from couchbase.exceptions import CouchbaseException
    from couchbase.management.options import (
        CreateScopeOptions, DropScopeOptions, GetAllScopesOptions, UpdateCollectionOptions,
    )

from datetime import timedelta

from couchbase._modern.rest import Rest, path_escape
from couchbase.exceptions import (
    BucketDoesNotExistException, CollectionAlreadyExistsException, CollectionNotFoundException,
    FeatureUnavailableException, InvalidArgumentException, ScopeAlreadyExistsException, ScopeNotFoundException,
    UnsupportedOperation,
)
from couchbase.management.options import (  # noqa: F401  (4.x import paths)
    CreateCollectionOptions, CreateScopeOptions, DropCollectionOptions, DropScopeOptions, GetAllScopesOptions,
    UpdateCollectionOptions,
)

__all__ = ["CollectionManager", "CollectionSpec", "ScopeSpec", "CreateCollectionSettings", "UpdateCollectionSettings",
           "CreateCollectionOptions", "CreateScopeOptions", "DropCollectionOptions", "DropScopeOptions",
           "GetAllScopesOptions", "UpdateCollectionOptions"]


class CollectionSpec:
    """A collection: ``name``, ``scope_name``, ``max_expiry`` (timedelta), ``history``."""

    def __init__(self, collection_name: str, scope_name: str = "_default", max_expiry: Optional[timedelta] = None,
                 max_ttl: Optional[timedelta] = None, history: Optional[bool] = None) -> None:
        self._name = collection_name
        self._scope_name = scope_name
        self._max_expiry = max_expiry if max_expiry is not None else max_ttl
        self._history = history

    @property
    def name(self) -> str:
        return self._name

    @property
    def scope_name(self) -> str:
        return self._scope_name

    @property
    def max_expiry(self) -> Optional[timedelta]:
        return self._max_expiry

    max_ttl = max_expiry

    @property
    def history(self) -> Optional[bool]:
        return self._history

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CollectionSpec) and (self._name, self._scope_name, self._max_expiry,
                                                      self._history) == (other._name, other._scope_name,
                                                                         other._max_expiry, other._history)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "CollectionSpec(%r, %r, max_expiry=%r, history=%r)" % (self._name, self._scope_name, self._max_expiry,
                                                                    self._history)


class ScopeSpec:
    """A scope: ``name`` and its ``collections`` (CollectionSpec)."""

    def __init__(self, name: str, collections: List[CollectionSpec]) -> None:
        self._name = name
        self._collections = collections

    @property
    def name(self) -> str:
        return self._name

    @property
    def collections(self) -> List[CollectionSpec]:
        return self._collections

    def __repr__(self) -> str:
        return "ScopeSpec(%r, %r)" % (self._name, self._collections)


class CreateCollectionSettings:
    """Settings of a new collection: ``max_expiry`` (timedelta; -1 s: never expire), ``history``."""

    def __init__(self, max_expiry: Optional[timedelta] = None, history: Optional[bool] = None) -> None:
        self._max_expiry = max_expiry
        self._history = history

    @property
    def max_expiry(self) -> Optional[timedelta]:
        return self._max_expiry

    @property
    def history(self) -> Optional[bool]:
        return self._history


class UpdateCollectionSettings(CreateCollectionSettings):
    """Changes to a collection: ``max_expiry``, ``history``."""


def _settings_form(settings: Optional[CreateCollectionSettings]) -> Dict[str, str]:
    form: Dict[str, str] = {}
    if settings is None:
        return form
    if settings.max_expiry is not None:
        if not isinstance(settings.max_expiry, timedelta):
            raise InvalidArgumentException("max_expiry must be a timedelta.")
        seconds = int(settings.max_expiry.total_seconds())
        if seconds < -1:
            raise InvalidArgumentException("max_expiry must be -1 or more seconds.")
        form["maxTTL"] = str(seconds)
    if settings.history is not None:
        form["history"] = "true" if settings.history else "false"
    return form


class CollectionManager:
    """``bucket.collections()``: scopes and collections of one bucket."""

    def __init__(self, cluster: Cluster, bucket_name: str) -> None:
        self._rest = Rest(cluster)
        self._bucket = bucket_name
        self._base = "/pools/default/buckets/%s/scopes" % path_escape(bucket_name)

    @staticmethod
    def _opts(options: Sequence[Any], kwargs: Dict[str, Any]) -> Dict[str, Any]:
        o = dict(options[0]) if options and options[0] else {}
        o.update(kwargs)
        return o

    def _not_found(self, status: int, path: str, text: str) -> CouchbaseException:
        """A 404: the collection, the scope or the bucket is missing (the answer's text says which)."""
        if "Collection with name " in text and " is not found" in text:
            return self._rest.error(CollectionNotFoundException, status, path, text)
        if "Scope with name " in text and " is not found" in text:
            return self._rest.error(ScopeNotFoundException, status, path, text)
        return self._rest.error(BucketDoesNotExistException, status, path, text, "The bucket does not exist.")

    def get_all_scopes(self, *options: GetAllScopesOptions, **kwargs: Any) -> List[ScopeSpec]:
        """[ScopeSpec] of the bucket."""
        status, text = self._rest.call("GET", self._base, None, self._opts(options, kwargs))
        if status == 404:
            raise self._not_found(status, self._base, text)
        if status == 400:
            raise self._rest.error(UnsupportedOperation, status, self._base, text)
        if status != 200:
            raise self._rest.common_error(status, self._base, text)
        doc = self._rest.json(status, self._base, text)
        out: List[ScopeSpec] = []
        for s in doc.get("scopes", []):
            colls = [CollectionSpec(c["name"], s["name"], timedelta(seconds=c.get("maxTTL", 0)), history=c.get("history"))
                     for c in s.get("collections", [])]
            out.append(ScopeSpec(s["name"], colls))
        return out

    def create_scope(self, scope_name: str, *options: CreateScopeOptions, **kwargs: Any) -> None:
        """ScopeAlreadyExistsException when the scope exists."""
        status, text = self._rest.call("POST", self._base, {"name": scope_name}, self._opts(options, kwargs))
        if status == 200:
            return None
        if status == 400:
            if "Scope with name " in text and " already exists" in text:
                raise self._rest.error(ScopeAlreadyExistsException, status, self._base, text)
            if "Not allowed on this version of cluster" in text:
                raise self._rest.error(FeatureUnavailableException, status, self._base, text)
            raise self._rest.error(InvalidArgumentException, status, self._base, text)
        if status == 404:
            raise self._not_found(status, self._base, text)
        raise self._rest.common_error(status, self._base, text)

    def drop_scope(self, scope_name: str, *options: DropScopeOptions, **kwargs: Any) -> None:
        """ScopeNotFoundException when there is no such scope."""
        path = "%s/%s" % (self._base, path_escape(scope_name))
        status, text = self._rest.call("DELETE", path, None, self._opts(options, kwargs))
        if status == 200:
            return None
        if status == 400:
            raise self._rest.error(UnsupportedOperation, status, path, text)
        if status == 404:
            raise self._not_found(status, path, text)
        raise self._rest.common_error(status, path, text)

    @staticmethod
    def _collection_args(args: Sequence[Any],
                         kwargs: Dict[str, Any]) -> Tuple[str, str, Optional[CreateCollectionSettings], Sequence[Any]]:
        """(scope, collection, settings, options) of the 4.x form (scope_name, collection_name,
        settings=None, *options) or the deprecated one (CollectionSpec, *options)."""
        if args and isinstance(args[0], CollectionSpec):
            spec = args[0]
            settings = CreateCollectionSettings(max_expiry=spec.max_expiry, history=spec.history) \
                if spec.max_expiry is not None or spec.history is not None else None
            return spec.scope_name, spec.name, settings, args[1:]
        args = list(args)
        scope = kwargs.pop("scope_name", None) or (args.pop(0) if args else None)
        name = kwargs.pop("collection_name", None) or (args.pop(0) if args else None)
        settings = kwargs.pop("settings", None)
        if settings is None and args and isinstance(args[0], CreateCollectionSettings):
            settings = args.pop(0)
        if not isinstance(scope, str) or not isinstance(name, str):
            raise InvalidArgumentException("Expected a scope name and a collection name.")
        return scope, name, settings, tuple(args)

    def create_collection(self, *args: Any, **kwargs: Any) -> None:
        """``create_collection(scope_name, collection_name, settings=None, *options)``."""
        scope, name, settings, options = self._collection_args(args, kwargs)
        path = "%s/%s/collections" % (self._base, path_escape(scope))
        form: Dict[str, str] = {"name": name}
        form.update(_settings_form(settings))
        status, text = self._rest.call("POST", path, form, self._opts(options, kwargs))
        if status == 200:
            return None
        if status == 400:
            if "Collection with name " in text and " already exists" in text:
                raise self._rest.error(CollectionAlreadyExistsException, status, path, text)
            raise self._rest.error(InvalidArgumentException, status, path, text)
        if status == 404:
            raise self._not_found(status, path, text)
        raise self._rest.common_error(status, path, text)

    def drop_collection(self, *args: Any, **kwargs: Any) -> None:
        """``drop_collection(scope_name, collection_name, *options)``."""
        scope, name, _settings, options = self._collection_args(args, kwargs)
        path = "%s/%s/collections/%s" % (self._base, path_escape(scope), path_escape(name))
        status, text = self._rest.call("DELETE", path, None, self._opts(options, kwargs))
        if status == 200:
            return None
        if status == 400:
            raise self._rest.error(UnsupportedOperation, status, path, text)
        if status == 404:
            raise self._not_found(status, path, text)
        raise self._rest.common_error(status, path, text)

    def update_collection(self, scope_name: str, collection_name: str, settings: UpdateCollectionSettings,
                          *options: UpdateCollectionOptions, **kwargs: Any) -> None:
        """Change a collection's ``max_expiry`` or ``history``."""
        path = "%s/%s/collections/%s" % (self._base, path_escape(scope_name), path_escape(collection_name))
        status, text = self._rest.call("PATCH", path, _settings_form(settings), self._opts(options, kwargs))
        if status == 200:
            return None
        if status == 400:
            raise self._rest.error(InvalidArgumentException, status, path, text)
        if status == 404:
            raise self._not_found(status, path, text)
        raise self._rest.common_error(status, path, text)
