"""Option classes of the management API (``couchbase.management.options``).

Each is a ``dict`` of keyword arguments (None values dropped); ``timeout`` is a timedelta
and defaults to the cluster's ``management_timeout``. The user options carry
``domain_name`` ("local" unless given). The design-document options serve the view index
manager (``couchbase.management.views``).
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, FrozenSet, List, Optional

    from datetime import timedelta

    from typing_extensions import Unpack

    from couchbase._modern import option_keys as _k

from couchbase.exceptions import InvalidArgumentException


class _MgmtOptions(dict):  # type: ignore[type-arg]
    """Base of the management options: known keys only."""

    _valid: FrozenSet[str] = frozenset(("timeout", "parent_span"))

    def __init__(self, **kwargs: Any) -> None:
        for k in kwargs:
            if k not in self._valid:
                raise InvalidArgumentException("Unknown option %r for %s." % (k, type(self).__name__))
        super().__init__({k: v for k, v in kwargs.items() if v is not None})

    @classmethod
    def get_valid_keys(cls) -> List[str]:
        return sorted(cls._valid)


class UserOptions(_MgmtOptions):
    """Options of the user operations: ``domain_name`` ("local" or "external"), ``timeout``."""

    _valid = frozenset(("timeout", "parent_span", "domain_name"))

    def __init__(self, domain_name: str = "local", timeout: Optional[timedelta] = None, parent_span: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(domain_name=domain_name, timeout=timeout, parent_span=parent_span, **kwargs)

class CreateBucketOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.CreateBucketOptionsKeys]) -> None: ...


class UpdateBucketOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.UpdateBucketOptionsKeys]) -> None: ...


class DropBucketOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropBucketOptionsKeys]) -> None: ...


class GetAllBucketOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAllBucketOptionsKeys]) -> None: ...


class GetBucketOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetBucketOptionsKeys]) -> None: ...


class FlushBucketOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.FlushBucketOptionsKeys]) -> None: ...


class BucketDescribeOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.BucketDescribeOptionsKeys]) -> None: ...


class GetAllScopesOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAllScopesOptionsKeys]) -> None: ...


class CreateCollectionOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.CreateCollectionOptionsKeys]) -> None: ...


class DropCollectionOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropCollectionOptionsKeys]) -> None: ...


class CreateScopeOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.CreateScopeOptionsKeys]) -> None: ...


class DropScopeOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropScopeOptionsKeys]) -> None: ...


class UpdateCollectionOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.UpdateCollectionOptionsKeys]) -> None: ...


class GetUserOptions(UserOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetUserOptionsKeys]) -> None: ...


class GetAllUsersOptions(UserOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAllUsersOptionsKeys]) -> None: ...


class UpsertUserOptions(UserOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.UpsertUserOptionsKeys]) -> None: ...


class ChangePasswordOptions(UserOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ChangePasswordOptionsKeys]) -> None: ...


class DropUserOptions(UserOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropUserOptionsKeys]) -> None: ...


class GetRolesOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetRolesOptionsKeys]) -> None: ...


class DropGroupOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropGroupOptionsKeys]) -> None: ...


class GetGroupOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetGroupOptionsKeys]) -> None: ...


class GetAllGroupsOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAllGroupsOptionsKeys]) -> None: ...


class UpsertGroupOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.UpsertGroupOptionsKeys]) -> None: ...


class GetAllQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'scope_name'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAllQueryIndexOptionsKeys]) -> None: ...


class CreateQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'condition', 'deferred', 'ignore_if_exists', 'num_replicas', 'scope_name'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.CreateQueryIndexOptionsKeys]) -> None: ...


class CreatePrimaryQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'condition', 'deferred', 'ignore_if_exists', 'index_name', 'num_replicas', 'scope_name'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.CreatePrimaryQueryIndexOptionsKeys]) -> None: ...


class DropQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'ignore_if_not_exists', 'scope_name'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropQueryIndexOptionsKeys]) -> None: ...


class DropPrimaryQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'ignore_if_not_exists', 'index_name', 'scope_name'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropPrimaryQueryIndexOptionsKeys]) -> None: ...


class WatchQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'scope_name', 'watch_primary'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.WatchQueryIndexOptionsKeys]) -> None: ...


class BuildDeferredQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'scope_name'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.BuildDeferredQueryIndexOptionsKeys]) -> None: ...


class CreateDataverseOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('ignore_if_exists',))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.CreateDataverseOptionsKeys]) -> None: ...


class DropDataverseOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('ignore_if_not_exists',))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropDataverseOptionsKeys]) -> None: ...


class CreateDatasetOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('condition', 'dataverse_name', 'ignore_if_exists'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.CreateDatasetOptionsKeys]) -> None: ...


class DropDatasetOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('dataverse_name', 'ignore_if_not_exists'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropDatasetOptionsKeys]) -> None: ...


class GetAllDatasetOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAllDatasetOptionsKeys]) -> None: ...


class CreateAnalyticsIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('dataverse_name', 'ignore_if_exists'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.CreateAnalyticsIndexOptionsKeys]) -> None: ...


class DropAnalyticsIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('dataverse_name', 'ignore_if_not_exists'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropAnalyticsIndexOptionsKeys]) -> None: ...


class GetAllAnalyticsIndexesOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAllAnalyticsIndexesOptionsKeys]) -> None: ...


class ConnectLinkOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('dataverse_name', 'force', 'link_name'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ConnectLinkOptionsKeys]) -> None: ...


class DisconnectLinkOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('dataverse_name', 'link_name'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DisconnectLinkOptionsKeys]) -> None: ...


class GetPendingMutationsOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetPendingMutationsOptionsKeys]) -> None: ...


class CreateLinkAnalyticsOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.CreateLinkAnalyticsOptionsKeys]) -> None: ...


class ReplaceLinkAnalyticsOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ReplaceLinkAnalyticsOptionsKeys]) -> None: ...


class DropLinkAnalyticsOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropLinkAnalyticsOptionsKeys]) -> None: ...


class GetLinksAnalyticsOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('dataverse_name', 'link_type', 'name'))
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetLinksAnalyticsOptionsKeys]) -> None: ...


class UpsertSearchIndexOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.UpsertSearchIndexOptionsKeys]) -> None: ...


class DropSearchIndexOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropSearchIndexOptionsKeys]) -> None: ...


class GetSearchIndexOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetSearchIndexOptionsKeys]) -> None: ...


class GetAllSearchIndexesOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAllSearchIndexesOptionsKeys]) -> None: ...


class GetSearchIndexedDocumentsCountOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetSearchIndexedDocumentsCountOptionsKeys]) -> None: ...


class PauseIngestSearchIndexOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.PauseIngestSearchIndexOptionsKeys]) -> None: ...


class ResumeIngestSearchIndexOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ResumeIngestSearchIndexOptionsKeys]) -> None: ...


class AllowQueryingSearchIndexOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.AllowQueryingSearchIndexOptionsKeys]) -> None: ...


class DisallowQueryingSearchIndexOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DisallowQueryingSearchIndexOptionsKeys]) -> None: ...


class FreezePlanSearchIndexOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.FreezePlanSearchIndexOptionsKeys]) -> None: ...


class UnfreezePlanSearchIndexOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.UnfreezePlanSearchIndexOptionsKeys]) -> None: ...


class AnalyzeDocumentSearchIndexOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.AnalyzeDocumentSearchIndexOptionsKeys]) -> None: ...


class GetSearchIndexStatsOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetSearchIndexStatsOptionsKeys]) -> None: ...


class GetAllSearchIndexStatsOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAllSearchIndexStatsOptionsKeys]) -> None: ...


class GetDesignDocumentOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetDesignDocumentOptionsKeys]) -> None: ...


class GetAllDesignDocumentsOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAllDesignDocumentsOptionsKeys]) -> None: ...


class UpsertDesignDocumentOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.UpsertDesignDocumentOptionsKeys]) -> None: ...


class DropDesignDocumentOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropDesignDocumentOptionsKeys]) -> None: ...


class PublishDesignDocumentOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.PublishDesignDocumentOptionsKeys]) -> None: ...


class UpsertFunctionOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.UpsertFunctionOptionsKeys]) -> None: ...


class DropFunctionOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DropFunctionOptionsKeys]) -> None: ...


class DeployFunctionOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.DeployFunctionOptionsKeys]) -> None: ...


class GetAllFunctionOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetAllFunctionOptionsKeys]) -> None: ...


class GetFunctionOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.GetFunctionOptionsKeys]) -> None: ...


class PauseFunctionOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.PauseFunctionOptionsKeys]) -> None: ...


class ResumeFunctionOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.ResumeFunctionOptionsKeys]) -> None: ...


class UndeployFunctionOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.UndeployFunctionOptionsKeys]) -> None: ...


class FunctionsStatusOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.FunctionsStatusOptionsKeys]) -> None: ...


class EventingFunctionOptions(_MgmtOptions):
    if TYPE_CHECKING:
        def __init__(self, **kwargs: Unpack[_k.EventingFunctionOptionsKeys]) -> None: ...
