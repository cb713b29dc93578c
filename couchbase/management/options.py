"""Option classes of the management API (``couchbase.management.options``).

Each is a ``dict`` of keyword arguments (None values dropped); ``timeout`` is a timedelta
and defaults to the cluster's ``management_timeout``. The user options carry
``domain_name`` ("local" unless given). The design-document options serve the view index
manager (``couchbase.management.views``).
"""
from couchbase.exceptions import InvalidArgumentException


class _MgmtOptions(dict):
    """Base of the management options: known keys only."""

    _valid = frozenset(("timeout", "parent_span"))

    def __init__(self, **kwargs):
        for k in kwargs:
            if k not in self._valid:
                raise InvalidArgumentException("Unknown option %r for %s." % (k, type(self).__name__))
        super().__init__({k: v for k, v in kwargs.items() if v is not None})

    @classmethod
    def get_valid_keys(cls):
        return sorted(cls._valid)


class UserOptions(_MgmtOptions):
    """Options of the user operations: ``domain_name`` ("local" or "external"), ``timeout``."""

    _valid = frozenset(("timeout", "parent_span", "domain_name"))

    def __init__(self, domain_name="local", timeout=None, parent_span=None, **kwargs):
        super().__init__(domain_name=domain_name, timeout=timeout, parent_span=parent_span, **kwargs)

class CreateBucketOptions(_MgmtOptions):
    pass


class UpdateBucketOptions(_MgmtOptions):
    pass


class DropBucketOptions(_MgmtOptions):
    pass


class GetAllBucketOptions(_MgmtOptions):
    pass


class GetBucketOptions(_MgmtOptions):
    pass


class FlushBucketOptions(_MgmtOptions):
    pass


class BucketDescribeOptions(_MgmtOptions):
    pass


class GetAllScopesOptions(_MgmtOptions):
    pass


class CreateCollectionOptions(_MgmtOptions):
    pass


class DropCollectionOptions(_MgmtOptions):
    pass


class CreateScopeOptions(_MgmtOptions):
    pass


class DropScopeOptions(_MgmtOptions):
    pass


class UpdateCollectionOptions(_MgmtOptions):
    pass


class GetUserOptions(UserOptions):
    pass


class GetAllUsersOptions(UserOptions):
    pass


class UpsertUserOptions(UserOptions):
    pass


class ChangePasswordOptions(UserOptions):
    pass


class DropUserOptions(UserOptions):
    pass


class GetRolesOptions(_MgmtOptions):
    pass


class DropGroupOptions(_MgmtOptions):
    pass


class GetGroupOptions(_MgmtOptions):
    pass


class GetAllGroupsOptions(_MgmtOptions):
    pass


class UpsertGroupOptions(_MgmtOptions):
    pass


class GetAllQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'scope_name'))


class CreateQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'condition', 'deferred', 'ignore_if_exists', 'num_replicas', 'scope_name'))


class CreatePrimaryQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'condition', 'deferred', 'ignore_if_exists', 'index_name', 'num_replicas', 'scope_name'))


class DropQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'ignore_if_not_exists', 'scope_name'))


class DropPrimaryQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'ignore_if_not_exists', 'index_name', 'scope_name'))


class WatchQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'scope_name', 'watch_primary'))


class BuildDeferredQueryIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('collection_name', 'scope_name'))


class CreateDataverseOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('ignore_if_exists',))


class DropDataverseOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('ignore_if_not_exists',))


class CreateDatasetOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('condition', 'dataverse_name', 'ignore_if_exists'))


class DropDatasetOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('dataverse_name', 'ignore_if_not_exists'))


class GetAllDatasetOptions(_MgmtOptions):
    pass


class CreateAnalyticsIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('dataverse_name', 'ignore_if_exists'))


class DropAnalyticsIndexOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('dataverse_name', 'ignore_if_not_exists'))


class GetAllAnalyticsIndexesOptions(_MgmtOptions):
    pass


class ConnectLinkOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('dataverse_name', 'force', 'link_name'))


class DisconnectLinkOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('dataverse_name', 'link_name'))


class GetPendingMutationsOptions(_MgmtOptions):
    pass


class CreateLinkAnalyticsOptions(_MgmtOptions):
    pass


class ReplaceLinkAnalyticsOptions(_MgmtOptions):
    pass


class DropLinkAnalyticsOptions(_MgmtOptions):
    pass


class GetLinksAnalyticsOptions(_MgmtOptions):
    _valid = _MgmtOptions._valid | frozenset(('dataverse_name', 'link_type', 'name'))


class UpsertSearchIndexOptions(_MgmtOptions):
    pass


class DropSearchIndexOptions(_MgmtOptions):
    pass


class GetSearchIndexOptions(_MgmtOptions):
    pass


class GetAllSearchIndexesOptions(_MgmtOptions):
    pass


class GetSearchIndexedDocumentsCountOptions(_MgmtOptions):
    pass


class PauseIngestSearchIndexOptions(_MgmtOptions):
    pass


class ResumeIngestSearchIndexOptions(_MgmtOptions):
    pass


class AllowQueryingSearchIndexOptions(_MgmtOptions):
    pass


class DisallowQueryingSearchIndexOptions(_MgmtOptions):
    pass


class FreezePlanSearchIndexOptions(_MgmtOptions):
    pass


class UnfreezePlanSearchIndexOptions(_MgmtOptions):
    pass


class AnalyzeDocumentSearchIndexOptions(_MgmtOptions):
    pass


class GetSearchIndexStatsOptions(_MgmtOptions):
    pass


class GetAllSearchIndexStatsOptions(_MgmtOptions):
    pass


class GetDesignDocumentOptions(_MgmtOptions):
    pass


class GetAllDesignDocumentsOptions(_MgmtOptions):
    pass


class UpsertDesignDocumentOptions(_MgmtOptions):
    pass


class DropDesignDocumentOptions(_MgmtOptions):
    pass


class PublishDesignDocumentOptions(_MgmtOptions):
    pass


class UpsertFunctionOptions(_MgmtOptions):
    pass


class DropFunctionOptions(_MgmtOptions):
    pass


class DeployFunctionOptions(_MgmtOptions):
    pass


class GetAllFunctionOptions(_MgmtOptions):
    pass


class GetFunctionOptions(_MgmtOptions):
    pass


class PauseFunctionOptions(_MgmtOptions):
    pass


class ResumeFunctionOptions(_MgmtOptions):
    pass


class UndeployFunctionOptions(_MgmtOptions):
    pass


class FunctionsStatusOptions(_MgmtOptions):
    pass


class EventingFunctionOptions(_MgmtOptions):
    pass
