"""Cluster settings of the modern API: the keys ClusterOptions accepts (and what each does
here), and the connection-string options (``couchbase://host?kv_timeout=2.5s&...``).

Every key of the 4.x ClusterOptions, ClusterTimeoutOptions, ClusterTracingOptions,
ClusterMetricsOptions and ClusterOrphanReportingOptions is accepted; an unknown key raises
InvalidArgumentException. ``EFFECTIVE`` lists the keys this SDK acts on; the others are
accepted so that 4.x code runs unchanged, and ``IGNORED`` says why each has no effect.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

from datetime import timedelta

from couchbase._core import connstr as _connstr
from couchbase.exceptions import InvalidArgumentException

TIMEOUT_KEYS = frozenset(("bootstrap_timeout", "resolve_timeout", "connect_timeout", "kv_timeout",
                          "kv_durable_timeout", "views_timeout", "query_timeout", "analytics_timeout",
                          "search_timeout", "management_timeout", "dns_srv_timeout", "idle_http_connection_timeout",
                          "config_idle_redial_timeout", "config_total_timeout"))
TRACING_KEYS = frozenset(("enable_tracing", "tracing_orphaned_queue_flush_interval", "tracing_orphaned_queue_size",
                          "tracing_threshold_analytics", "tracing_threshold_eventing", "tracing_threshold_kv",
                          "tracing_threshold_management", "tracing_threshold_query", "tracing_threshold_search",
                          "tracing_threshold_view", "tracing_threshold_queue_flush_interval",
                          "tracing_threshold_queue_size"))
METRICS_KEYS = frozenset(("enable_metrics", "emit_interval"))
ORPHAN_KEYS = frozenset(("enable_orphan_reporting", "emit_interval", "sample_size"))
CLUSTER_KEYS = frozenset((
    "authenticator", "allow_enterprise_analytics", "app_telemetry_backoff", "app_telemetry_endpoint",
    "app_telemetry_ping_interval", "app_telemetry_ping_timeout", "compression", "compression_min_ratio",
    "compression_min_size", "config_poll_floor", "config_poll_interval", "disable_mozilla_ca_certificates",
    "dns_nameserver", "dns_port", "dump_configuration", "enable_app_telemetry", "enable_clustermap_notification",
    "enable_compression", "enable_dns_srv", "enable_lazy_connections", "enable_metrics", "enable_mutation_tokens",
    "enable_orphan_reporting", "enable_tcp_keep_alive", "enable_tls", "enable_tracing",
    "enable_unordered_execution", "ip_protocol", "lockmode", "log_redaction", "logging_meter_emit_interval",
    "max_http_connections", "meter", "metrics_options", "network", "orphan_reporting_options",
    "max_response_size",  # this SDK's own: bytes a server may announce for one response
    "preferred_server_group", "serializer", "show_queries", "tcp_keep_alive_interval", "timeout_options",
    "tls_verify", "tracer", "tracing_options", "transaction_config", "transcoder", "user_agent_extra",
    # TLS settings are taken and passed on (cert_path travels in PasswordAuthenticator)
    "trust_store_path", "cert_path",
))
VALID_KEYS = CLUSTER_KEYS | TIMEOUT_KEYS | TRACING_KEYS | METRICS_KEYS | ORPHAN_KEYS

#: keys that change what this SDK does
EFFECTIVE = frozenset(("authenticator", "kv_timeout", "kv_durable_timeout", "bootstrap_timeout", "connect_timeout",
                       "views_timeout", "management_timeout", "max_response_size", "transcoder", "serializer",
                       "enable_tls", "trust_store_path", "cert_path", "tls_verify", "enable_unordered_execution"))

_NO_SERVICE = "this SDK runs no query, analytics or search service client"
_NO_TRACING = "this SDK has no tracing or metrics"
#: why each other accepted key has no effect here
IGNORED = {
    "query_timeout": _NO_SERVICE, "analytics_timeout": _NO_SERVICE,
    "search_timeout": _NO_SERVICE, "show_queries": _NO_SERVICE, "allow_enterprise_analytics": _NO_SERVICE,
    "max_http_connections": "each management request opens its own HTTP connection",
    "idle_http_connection_timeout": "each management request opens its own HTTP connection",
    "resolve_timeout": "host names are resolved by the operating system within connect_timeout",
    "dns_srv_timeout": "DNS SRV bootstrap is not supported", "enable_dns_srv": "DNS SRV bootstrap is not supported",
    "dns_nameserver": "DNS SRV bootstrap is not supported", "dns_port": "DNS SRV bootstrap is not supported",
    "config_idle_redial_timeout": "configs are fetched when an operation needs one (NOT_MY_VBUCKET, a dead node)",
    "config_poll_interval": "configs are fetched when an operation needs one (NOT_MY_VBUCKET, a dead node)",
    "config_poll_floor": "configs are fetched when an operation needs one (NOT_MY_VBUCKET, a dead node)",
    "config_total_timeout": "bootstrap_timeout bounds the bootstrap",
    "enable_clustermap_notification": "configs are fetched when an operation needs one",
    "enable_mutation_tokens": "mutation tokens are always requested (HELLO MutationSeqno)",
    "enable_tcp_keep_alive": "sockets live only while the connection is used; TCP_NODELAY is always on",
    "tcp_keep_alive_interval": "sockets live only while the connection is used",
    "enable_lazy_connections": "sockets open at the first request to their node",
    "enable_compression": "values are sent uncompressed", "compression": "values are sent uncompressed",
    "compression_min_size": "values are sent uncompressed", "compression_min_ratio": "values are sent uncompressed",
    "network": "alternate addresses are not used", "preferred_server_group": "replica reads ask every copy",
    "ip_protocol": "the operating system's resolver chooses", "user_agent_extra": "the HELLO agent is fixed",
    "log_redaction": "this SDK does not log", "dump_configuration": "this SDK does not log",
    "lockmode": "a bucket's session always waits for its lock",
    "transaction_config": "transactions are not supported",
    "disable_mozilla_ca_certificates": "TLS is configured by trust_store_path",
    "enable_app_telemetry": "no telemetry is sent", "app_telemetry_endpoint": "no telemetry is sent",
    "app_telemetry_backoff": "no telemetry is sent", "app_telemetry_ping_interval": "no telemetry is sent",
    "app_telemetry_ping_timeout": "no telemetry is sent",
    "tracer": _NO_TRACING, "meter": _NO_TRACING, "logging_meter_emit_interval": _NO_TRACING,
    "enable_orphan_reporting": _NO_TRACING, "emit_interval": _NO_TRACING, "sample_size": _NO_TRACING,
    "timeout_options": "flattened into the timeout keys", "tracing_options": _NO_TRACING,
    "metrics_options": _NO_TRACING, "orphan_reporting_options": _NO_TRACING,
}
IGNORED.update({k: _NO_TRACING for k in TRACING_KEYS | METRICS_KEYS})


def check_keys(options: Mapping[str, Any]) -> None:
    """InvalidArgumentException for a key no 4.x cluster option has."""
    for k in options:
        if k not in VALID_KEYS:
            raise InvalidArgumentException("Unknown cluster option %r." % (k,))


# ---- connection string options ----

# value parsers of connection-string options, shared with the classic face
parse_duration, _bool, _int = _connstr.duration, _connstr.boolean, _connstr.integer


def _ssl(text):
    """``ssl=no_verify`` (the 3.x spelling): TLS without certificate checks."""
    if text.strip().lower() != "no_verify":
        raise InvalidArgumentException("Invalid ssl option %r in the connection string (only no_verify)." % (text,))
    return "none"


#: connection string option -> (cluster option key, parser)
CONNSTR_OPTIONS = {
    "kv_timeout": ("kv_timeout", parse_duration), "key_value_timeout": ("kv_timeout", parse_duration),
    "kv_durable_timeout": ("kv_durable_timeout", parse_duration),
    "key_value_durable_timeout": ("kv_durable_timeout", parse_duration),
    "kv_connect_timeout": ("connect_timeout", parse_duration),
    "connect_timeout": ("connect_timeout", parse_duration),
    "timeout.connect_timeout": ("connect_timeout", parse_duration),
    "bootstrap_timeout": ("bootstrap_timeout", parse_duration),
    "resolve_timeout": ("resolve_timeout", parse_duration),
    "timeout.resolve_timeout": ("resolve_timeout", parse_duration),
    "query_timeout": ("query_timeout", parse_duration), "timeout.query_timeout": ("query_timeout", parse_duration),
    "analytics_timeout": ("analytics_timeout", parse_duration), "search_timeout": ("search_timeout", parse_duration),
    "view_timeout": ("views_timeout", parse_duration), "management_timeout": ("management_timeout", parse_duration),
    "dns_srv_timeout": ("dns_srv_timeout", parse_duration),
    "idle_http_connection_timeout": ("idle_http_connection_timeout", parse_duration),
    "config_poll_interval": ("config_poll_interval", parse_duration),
    "config_poll_floor": ("config_poll_floor", parse_duration),
    "tcp_keep_alive_interval": ("tcp_keep_alive_interval", parse_duration),
    "enable_tls": ("enable_tls", _bool), "enable_mutation_tokens": ("enable_mutation_tokens", _bool),
    "enable_tcp_keep_alive": ("enable_tcp_keep_alive", _bool), "enable_dns_srv": ("enable_dns_srv", _bool),
    "show_queries": ("show_queries", _bool), "enable_unordered_execution": ("enable_unordered_execution", _bool),
    "enable_clustermap_notification": ("enable_clustermap_notification", _bool),
    "enable_compression": ("enable_compression", _bool), "enable_tracing": ("enable_tracing", _bool),
    "enable_metrics": ("enable_metrics", _bool), "enable_lazy_connections": ("enable_lazy_connections", _bool),
    "dump_configuration": ("dump_configuration", _bool),
    "max_http_connections": ("max_http_connections", _int),
    "network": ("network", str), "user_agent_extra": ("user_agent_extra", str), "ip_protocol": ("ip_protocol", str),
    "server_group": ("preferred_server_group", str),
    "trust_store_path": ("trust_store_path", str), "truststorepath": ("trust_store_path", str),
    "certpath": ("trust_store_path", str), "tls_verify": ("tls_verify", str), "ssl": ("tls_verify", _ssl),
}


def parse_connstr_options(pairs):
    """ClusterOptions keys and values of the connection string's ``?name=value`` pairs;
    InvalidArgumentException for an option or value this SDK does not know."""
    out = {}
    for name, value in pairs:
        entry = CONNSTR_OPTIONS.get(name)
        if entry is None:
            raise InvalidArgumentException("Unknown connection string option %r." % (name,))
        key, parse = entry
        out[key] = parse(value)
    return out
