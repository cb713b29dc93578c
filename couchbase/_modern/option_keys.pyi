"""The keyword arguments of every ``*Options`` class, for type checkers (never imported at
run time): ``couchbase.options`` and ``couchbase.management.options`` type each class's
``__init__`` as ``**kwargs: Unpack[<Class>Keys]``. Every key of a class's ``_valid`` set is
here (tests/unit/test_option_keys.py checks both ways); ``None`` is accepted and dropped.
"""
from datetime import datetime, timedelta
from typing import Any, Dict, Iterable, List, Optional, Union

from typing_extensions import TypedDict

from couchbase._modern.transcoders import Serializer, Transcoder
from couchbase._modern.views import ViewErrorMode, ViewOrdering, ViewScanConsistency
from couchbase.analytics import AnalyticsScanConsistency
from couchbase.auth import Authenticator
from couchbase.diagnostics import ClusterState, ServiceType
from couchbase.durability import ClientDurability, Durability, DurabilityLevel, ServerDurability
from couchbase.management.views import DesignDocumentNamespace
from couchbase.mutation_state import MutationState
from couchbase.n1ql import QueryProfile, QueryScanConsistency
from couchbase.options import (
    AppendOptions, ClusterMetricsOptions, ClusterOrphanReportingOptions, ClusterTimeoutOptions,
    ClusterTracingOptions, DecrementOptions, DeltaValue, ExistsOptions, GetAllReplicasOptions, GetAndLockOptions,
    GetAnyReplicaOptions, GetOptions, IncrementOptions, InsertOptions, LockMode, PrependOptions, RemoveOptions,
    ReplaceOptions, SignedInt64, TLSVerifyMode, TouchOptions, UnlockOptions, UpsertOptions,
)
from couchbase.search import HighlightStyle, SearchScanConsistency
from couchbase.subdocument import StoreSemantics

#: what a mutation's ``durability`` takes
DurabilityArg = Union[ServerDurability, ClientDurability, DurabilityLevel, Durability]
#: what ``expiry`` takes: relative (timedelta, ``timedelta(0)`` for none) or absolute (datetime)
ExpiryArg = Union[timedelta, datetime]


class AnalyticsOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    client_context_id: Optional[str]
    metrics: Optional[bool]
    named_parameters: Optional[Dict[str, Any]]
    positional_parameters: Optional[Iterable[Any]]
    priority: Optional[bool]
    query_context: Optional[str]
    raw: Optional[Dict[str, Any]]
    read_only: Optional[bool]
    scan_consistency: Optional[AnalyticsScanConsistency]
    serializer: Optional[Serializer]
    parent_span: Optional[Any]
    span: Optional[Any]


class AppendMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    cas: Optional[int]
    durability: Optional[DurabilityArg]
    per_key_options: Optional[Dict[str, AppendOptions]]
    return_exceptions: Optional[bool]
    parent_span: Optional[Any]


class AppendOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    cas: Optional[int]
    durability: Optional[DurabilityArg]
    parent_span: Optional[Any]
    span: Optional[Any]


class ClusterMetricsOptionsKeys(TypedDict, total=False):
    emit_interval: Optional[timedelta]
    enable_metrics: Optional[bool]


class ClusterOptionsKeys(TypedDict, total=False):
    allow_enterprise_analytics: Optional[bool]
    analytics_timeout: Optional[timedelta]
    app_telemetry_backoff: Optional[timedelta]
    app_telemetry_endpoint: Optional[str]
    app_telemetry_ping_interval: Optional[timedelta]
    app_telemetry_ping_timeout: Optional[timedelta]
    bootstrap_timeout: Optional[timedelta]
    cert_path: Optional[str]
    compression: Optional[Any]
    compression_min_ratio: Optional[float]
    compression_min_size: Optional[int]
    config_idle_redial_timeout: Optional[timedelta]
    config_poll_floor: Optional[timedelta]
    config_poll_interval: Optional[timedelta]
    config_total_timeout: Optional[timedelta]
    connect_timeout: Optional[timedelta]
    disable_mozilla_ca_certificates: Optional[bool]
    dns_nameserver: Optional[str]
    dns_port: Optional[int]
    dns_srv_timeout: Optional[timedelta]
    dump_configuration: Optional[bool]
    emit_interval: Optional[timedelta]
    enable_app_telemetry: Optional[bool]
    enable_clustermap_notification: Optional[bool]
    enable_compression: Optional[bool]
    enable_dns_srv: Optional[bool]
    enable_lazy_connections: Optional[bool]
    enable_metrics: Optional[bool]
    enable_mutation_tokens: Optional[bool]
    enable_orphan_reporting: Optional[bool]
    enable_tcp_keep_alive: Optional[bool]
    enable_tls: Optional[bool]
    enable_tracing: Optional[bool]
    enable_unordered_execution: Optional[bool]
    idle_http_connection_timeout: Optional[timedelta]
    ip_protocol: Optional[str]
    kv_durable_timeout: Optional[timedelta]
    kv_timeout: Optional[timedelta]
    lockmode: Optional[LockMode]
    log_redaction: Optional[Any]
    logging_meter_emit_interval: Optional[timedelta]
    management_timeout: Optional[timedelta]
    max_http_connections: Optional[int]
    max_response_size: Optional[int]
    meter: Optional[Any]
    metrics_options: Optional[ClusterMetricsOptions]
    network: Optional[str]
    orphan_reporting_options: Optional[ClusterOrphanReportingOptions]
    preferred_server_group: Optional[str]
    query_timeout: Optional[timedelta]
    resolve_timeout: Optional[timedelta]
    sample_size: Optional[int]
    search_timeout: Optional[timedelta]
    serializer: Optional[Serializer]
    show_queries: Optional[bool]
    tcp_keep_alive_interval: Optional[timedelta]
    timeout_options: Optional[ClusterTimeoutOptions]
    tls_verify: Optional[Union[TLSVerifyMode, str]]
    tracer: Optional[Any]
    tracing_options: Optional[ClusterTracingOptions]
    tracing_orphaned_queue_flush_interval: Optional[timedelta]
    tracing_orphaned_queue_size: Optional[int]
    tracing_threshold_analytics: Optional[timedelta]
    tracing_threshold_eventing: Optional[timedelta]
    tracing_threshold_kv: Optional[timedelta]
    tracing_threshold_management: Optional[timedelta]
    tracing_threshold_query: Optional[timedelta]
    tracing_threshold_queue_flush_interval: Optional[timedelta]
    tracing_threshold_queue_size: Optional[int]
    tracing_threshold_search: Optional[timedelta]
    tracing_threshold_view: Optional[timedelta]
    transaction_config: Optional[Any]
    transcoder: Optional[Transcoder]
    trust_store_path: Optional[str]
    user_agent_extra: Optional[str]
    views_timeout: Optional[timedelta]


class ClusterOrphanReportingOptionsKeys(TypedDict, total=False):
    emit_interval: Optional[timedelta]
    enable_orphan_reporting: Optional[bool]
    sample_size: Optional[int]


class ClusterTimeoutOptionsKeys(TypedDict, total=False):
    analytics_timeout: Optional[timedelta]
    bootstrap_timeout: Optional[timedelta]
    config_idle_redial_timeout: Optional[timedelta]
    config_total_timeout: Optional[timedelta]
    connect_timeout: Optional[timedelta]
    dns_srv_timeout: Optional[timedelta]
    idle_http_connection_timeout: Optional[timedelta]
    kv_durable_timeout: Optional[timedelta]
    kv_timeout: Optional[timedelta]
    management_timeout: Optional[timedelta]
    query_timeout: Optional[timedelta]
    resolve_timeout: Optional[timedelta]
    search_timeout: Optional[timedelta]
    views_timeout: Optional[timedelta]


class ClusterTracingOptionsKeys(TypedDict, total=False):
    enable_tracing: Optional[bool]
    tracing_orphaned_queue_flush_interval: Optional[timedelta]
    tracing_orphaned_queue_size: Optional[int]
    tracing_threshold_analytics: Optional[timedelta]
    tracing_threshold_eventing: Optional[timedelta]
    tracing_threshold_kv: Optional[timedelta]
    tracing_threshold_management: Optional[timedelta]
    tracing_threshold_query: Optional[timedelta]
    tracing_threshold_queue_flush_interval: Optional[timedelta]
    tracing_threshold_queue_size: Optional[int]
    tracing_threshold_search: Optional[timedelta]
    tracing_threshold_view: Optional[timedelta]


class DecrementMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    delta: Optional[Union[DeltaValue, int]]
    durability: Optional[DurabilityArg]
    expiry: Optional[ExpiryArg]
    initial: Optional[Union[SignedInt64, int]]
    per_key_options: Optional[Dict[str, DecrementOptions]]
    return_exceptions: Optional[bool]
    parent_span: Optional[Any]


class DecrementOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    delta: Optional[Union[DeltaValue, int]]
    durability: Optional[DurabilityArg]
    expiry: Optional[ExpiryArg]
    initial: Optional[Union[SignedInt64, int]]
    parent_span: Optional[Any]
    span: Optional[Any]


class DiagnosticsOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    report_id: Optional[str]
    parent_span: Optional[Any]
    span: Optional[Any]


class ExistsMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    per_key_options: Optional[Dict[str, ExistsOptions]]
    return_exceptions: Optional[bool]
    parent_span: Optional[Any]


class ExistsOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]
    span: Optional[Any]


class GetAllReplicasMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    per_key_options: Optional[Dict[str, GetAllReplicasOptions]]
    read_preference: Optional[Any]
    return_exceptions: Optional[bool]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]


class GetAllReplicasOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    read_preference: Optional[Any]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]
    span: Optional[Any]


class GetAndLockMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    per_key_options: Optional[Dict[str, GetAndLockOptions]]
    return_exceptions: Optional[bool]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]


class GetAndLockOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]
    span: Optional[Any]


class GetAndTouchOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]
    span: Optional[Any]


class GetAnyReplicaMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    per_key_options: Optional[Dict[str, GetAnyReplicaOptions]]
    read_preference: Optional[Any]
    return_exceptions: Optional[bool]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]


class GetAnyReplicaOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    read_preference: Optional[Any]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]
    span: Optional[Any]


class GetMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    per_key_options: Optional[Dict[str, GetOptions]]
    project: Optional[List[str]]
    return_exceptions: Optional[bool]
    transcoder: Optional[Transcoder]
    with_expiry: Optional[bool]
    parent_span: Optional[Any]


class GetOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    project: Optional[List[str]]
    transcoder: Optional[Transcoder]
    with_expiry: Optional[bool]
    parent_span: Optional[Any]
    span: Optional[Any]


class IncrementMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    delta: Optional[Union[DeltaValue, int]]
    durability: Optional[DurabilityArg]
    expiry: Optional[ExpiryArg]
    initial: Optional[Union[SignedInt64, int]]
    per_key_options: Optional[Dict[str, IncrementOptions]]
    return_exceptions: Optional[bool]
    parent_span: Optional[Any]


class IncrementOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    delta: Optional[Union[DeltaValue, int]]
    durability: Optional[DurabilityArg]
    expiry: Optional[ExpiryArg]
    initial: Optional[Union[SignedInt64, int]]
    parent_span: Optional[Any]
    span: Optional[Any]


class InsertMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    durability: Optional[DurabilityArg]
    expiry: Optional[ExpiryArg]
    per_key_options: Optional[Dict[str, InsertOptions]]
    return_exceptions: Optional[bool]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]


class InsertOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    durability: Optional[DurabilityArg]
    expiry: Optional[ExpiryArg]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]
    span: Optional[Any]


class LockMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    per_key_options: Optional[Dict[str, GetAndLockOptions]]
    return_exceptions: Optional[bool]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]


class LookupInAllReplicasOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    read_preference: Optional[Any]
    serializer: Optional[Serializer]
    parent_span: Optional[Any]
    span: Optional[Any]


class LookupInAnyReplicaOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    read_preference: Optional[Any]
    serializer: Optional[Serializer]
    parent_span: Optional[Any]
    span: Optional[Any]


class LookupInOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    access_deleted: Optional[bool]
    parent_span: Optional[Any]
    span: Optional[Any]


class MutateInOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    access_deleted: Optional[bool]
    cas: Optional[int]
    create_as_deleted: Optional[bool]
    durability: Optional[DurabilityArg]
    expiry: Optional[ExpiryArg]
    preserve_expiry: Optional[bool]
    store_semantics: Optional[StoreSemantics]
    parent_span: Optional[Any]
    span: Optional[Any]


class PingOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    report_id: Optional[str]
    service_types: Optional[Iterable[ServiceType]]
    parent_span: Optional[Any]
    span: Optional[Any]


class PrependMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    cas: Optional[int]
    durability: Optional[DurabilityArg]
    per_key_options: Optional[Dict[str, PrependOptions]]
    return_exceptions: Optional[bool]
    parent_span: Optional[Any]


class PrependOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    cas: Optional[int]
    durability: Optional[DurabilityArg]
    parent_span: Optional[Any]
    span: Optional[Any]


class QueryOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    adhoc: Optional[bool]
    client_context_id: Optional[str]
    consistent_with: Optional[MutationState]
    flex_index: Optional[bool]
    max_parallelism: Optional[int]
    metrics: Optional[bool]
    named_parameters: Optional[Dict[str, Any]]
    pipeline_batch: Optional[int]
    pipeline_cap: Optional[int]
    positional_parameters: Optional[Iterable[Any]]
    preserve_expiry: Optional[bool]
    profile: Optional[QueryProfile]
    query_context: Optional[str]
    raw: Optional[Dict[str, Any]]
    read_only: Optional[bool]
    scan_cap: Optional[int]
    scan_consistency: Optional[QueryScanConsistency]
    scan_wait: Optional[timedelta]
    send_to_node: Optional[str]
    serializer: Optional[Serializer]
    use_replica: Optional[bool]
    parent_span: Optional[Any]
    span: Optional[Any]


class RemoveMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    cas: Optional[int]
    durability: Optional[DurabilityArg]
    per_key_options: Optional[Dict[str, RemoveOptions]]
    return_exceptions: Optional[bool]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]


class RemoveOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    cas: Optional[int]
    durability: Optional[DurabilityArg]
    parent_span: Optional[Any]
    span: Optional[Any]


class ReplaceMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    cas: Optional[int]
    durability: Optional[DurabilityArg]
    expiry: Optional[ExpiryArg]
    per_key_options: Optional[Dict[str, ReplaceOptions]]
    preserve_expiry: Optional[bool]
    return_exceptions: Optional[bool]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]


class ReplaceOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    cas: Optional[int]
    durability: Optional[DurabilityArg]
    expiry: Optional[ExpiryArg]
    preserve_expiry: Optional[bool]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]
    span: Optional[Any]


class SearchOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    client_context_id: Optional[str]
    collections: Optional[List[str]]
    consistent_with: Optional[MutationState]
    disable_scoring: Optional[bool]
    explain: Optional[bool]
    facets: Optional[Dict[str, Any]]
    fields: Optional[List[str]]
    highlight_fields: Optional[List[str]]
    highlight_style: Optional[HighlightStyle]
    include_locations: Optional[bool]
    limit: Optional[int]
    log_request: Optional[bool]
    log_response: Optional[bool]
    raw: Optional[Dict[str, Any]]
    scan_consistency: Optional[SearchScanConsistency]
    scope_name: Optional[str]
    serializer: Optional[Serializer]
    show_request: Optional[bool]
    skip: Optional[int]
    sort: Optional[List[Any]]
    parent_span: Optional[Any]
    span: Optional[Any]


class TouchMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    expiry: Optional[ExpiryArg]
    per_key_options: Optional[Dict[str, TouchOptions]]
    return_exceptions: Optional[bool]
    parent_span: Optional[Any]


class TouchOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    expiry: Optional[ExpiryArg]
    parent_span: Optional[Any]
    span: Optional[Any]


class UnlockMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    per_key_options: Optional[Dict[str, UnlockOptions]]
    return_exceptions: Optional[bool]
    parent_span: Optional[Any]


class UnlockOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    cas: Optional[int]
    parent_span: Optional[Any]
    span: Optional[Any]


class UpsertMultiOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    durability: Optional[DurabilityArg]
    expiry: Optional[ExpiryArg]
    per_key_options: Optional[Dict[str, UpsertOptions]]
    preserve_expiry: Optional[bool]
    return_exceptions: Optional[bool]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]


class UpsertOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    durability: Optional[DurabilityArg]
    expiry: Optional[ExpiryArg]
    preserve_expiry: Optional[bool]
    transcoder: Optional[Transcoder]
    parent_span: Optional[Any]
    span: Optional[Any]


class ViewOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    client_context_id: Optional[str]
    debug: Optional[bool]
    endkey: Optional[Any]
    endkey_docid: Optional[str]
    full_set: Optional[bool]
    group: Optional[bool]
    group_level: Optional[int]
    inclusive_end: Optional[bool]
    key: Optional[Any]
    keys: Optional[List[Any]]
    limit: Optional[int]
    namespace: Optional[DesignDocumentNamespace]
    on_error: Optional[ViewErrorMode]
    order: Optional[ViewOrdering]
    query_string: Optional[List[str]]
    raw: Optional[Dict[str, Any]]
    reduce: Optional[bool]
    scan_consistency: Optional[ViewScanConsistency]
    serializer: Optional[Serializer]
    skip: Optional[int]
    startkey: Optional[Any]
    startkey_docid: Optional[str]
    parent_span: Optional[Any]
    span: Optional[Any]


class WaitUntilReadyOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    desired_state: Optional[ClusterState]
    service_types: Optional[Iterable[ServiceType]]
    parent_span: Optional[Any]
    span: Optional[Any]


class AllowQueryingSearchIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class AnalyzeDocumentSearchIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class BucketDescribeOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class BuildDeferredQueryIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    collection_name: Optional[str]
    scope_name: Optional[str]
    parent_span: Optional[Any]


class ChangePasswordOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    domain_name: Optional[str]
    parent_span: Optional[Any]


class ConnectLinkOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    dataverse_name: Optional[str]
    force: Optional[bool]
    link_name: Optional[str]
    parent_span: Optional[Any]


class CreateAnalyticsIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    dataverse_name: Optional[str]
    ignore_if_exists: Optional[bool]
    parent_span: Optional[Any]


class CreateBucketOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class CreateCollectionOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class CreateDatasetOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    condition: Optional[str]
    dataverse_name: Optional[str]
    ignore_if_exists: Optional[bool]
    parent_span: Optional[Any]


class CreateDataverseOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    ignore_if_exists: Optional[bool]
    parent_span: Optional[Any]


class CreateLinkAnalyticsOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class CreatePrimaryQueryIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    collection_name: Optional[str]
    condition: Optional[str]
    deferred: Optional[bool]
    ignore_if_exists: Optional[bool]
    index_name: Optional[str]
    num_replicas: Optional[int]
    scope_name: Optional[str]
    parent_span: Optional[Any]


class CreateQueryIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    collection_name: Optional[str]
    condition: Optional[str]
    deferred: Optional[bool]
    ignore_if_exists: Optional[bool]
    num_replicas: Optional[int]
    scope_name: Optional[str]
    parent_span: Optional[Any]


class CreateScopeOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class DeployFunctionOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class DisallowQueryingSearchIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class DisconnectLinkOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    dataverse_name: Optional[str]
    link_name: Optional[str]
    parent_span: Optional[Any]


class DropAnalyticsIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    dataverse_name: Optional[str]
    ignore_if_not_exists: Optional[bool]
    parent_span: Optional[Any]


class DropBucketOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class DropCollectionOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class DropDatasetOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    dataverse_name: Optional[str]
    ignore_if_not_exists: Optional[bool]
    parent_span: Optional[Any]


class DropDataverseOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    ignore_if_not_exists: Optional[bool]
    parent_span: Optional[Any]


class DropDesignDocumentOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class DropFunctionOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class DropGroupOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class DropLinkAnalyticsOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class DropPrimaryQueryIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    collection_name: Optional[str]
    ignore_if_not_exists: Optional[bool]
    index_name: Optional[str]
    scope_name: Optional[str]
    parent_span: Optional[Any]


class DropQueryIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    collection_name: Optional[str]
    ignore_if_not_exists: Optional[bool]
    scope_name: Optional[str]
    parent_span: Optional[Any]


class DropScopeOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class DropSearchIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class DropUserOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    domain_name: Optional[str]
    parent_span: Optional[Any]


class EventingFunctionOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class FlushBucketOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class FreezePlanSearchIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class FunctionsStatusOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetAllAnalyticsIndexesOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetAllBucketOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetAllDatasetOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetAllDesignDocumentsOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetAllFunctionOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetAllGroupsOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetAllQueryIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    collection_name: Optional[str]
    scope_name: Optional[str]
    parent_span: Optional[Any]


class GetAllScopesOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetAllSearchIndexStatsOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetAllSearchIndexesOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetAllUsersOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    domain_name: Optional[str]
    parent_span: Optional[Any]


class GetBucketOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetDesignDocumentOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetFunctionOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetGroupOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetLinksAnalyticsOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    dataverse_name: Optional[str]
    link_type: Optional[str]
    name: Optional[str]
    parent_span: Optional[Any]


class GetPendingMutationsOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetRolesOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetSearchIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetSearchIndexStatsOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetSearchIndexedDocumentsCountOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class GetUserOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    domain_name: Optional[str]
    parent_span: Optional[Any]


class PauseFunctionOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class PauseIngestSearchIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class PublishDesignDocumentOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class ReplaceLinkAnalyticsOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class ResumeFunctionOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class ResumeIngestSearchIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class UndeployFunctionOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class UnfreezePlanSearchIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class UpdateBucketOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class UpdateCollectionOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class UpsertDesignDocumentOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class UpsertFunctionOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class UpsertGroupOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class UpsertSearchIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    parent_span: Optional[Any]


class UpsertUserOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    domain_name: Optional[str]
    parent_span: Optional[Any]


class UserOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    domain_name: Optional[str]
    parent_span: Optional[Any]


class WatchQueryIndexOptionsKeys(TypedDict, total=False):
    timeout: Optional[timedelta]
    collection_name: Optional[str]
    scope_name: Optional[str]
    watch_primary: Optional[bool]
    parent_span: Optional[Any]
