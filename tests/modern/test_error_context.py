"""What a key-value failure's error context and exception tell about the request: the
server's status, the node it went to, how often and why it was sent again, and the C file
and line that set the failure."""
from datetime import timedelta

import pytest

import couchbase.subdocument as SD
from couchbase import exceptions as E
from couchbase.options import GetOptions
from modern_cluster import active_node


def test_a_missing_document_reports_the_server_status_not_found(coll, key):
    with pytest.raises(E.DocumentNotFoundException) as info:
        coll.get(key)
    assert info.value.context.status_code == 0x01


def test_an_existing_document_reports_the_server_status_exists(coll, key):
    coll.upsert(key, 1)
    with pytest.raises(E.DocumentExistsException) as info:
        coll.insert(key, 2)
    assert info.value.context.status_code == 0x02


def test_a_failure_names_the_node_its_request_went_to(three_nodes, cluster3):
    c = cluster3.bucket("default").default_collection()
    names = set()
    for i in range(12):
        key = "ctx-node-%d" % i
        with pytest.raises(E.DocumentNotFoundException) as info:
            c.get(key)
        assert info.value.context.last_dispatched_to == active_node(three_nodes, key)
        names.add(info.value.context.last_dispatched_to)
    assert len(names) > 1  # the keys spread over the nodes, and each is named right


def test_a_request_never_answered_has_no_status_but_names_its_node(one_node, coll, key):
    coll.upsert(key, 1)
    one_node.hooks.delay(1.0, opcode=0x00, count=1)
    try:
        with pytest.raises(E.UnAmbiguousTimeoutException) as info:
            coll.get(key, GetOptions(timeout=timedelta(milliseconds=200)))
    finally:
        one_node.hooks.clear()
    ctx = info.value.context
    assert ctx.status_code is None
    assert ctx.last_dispatched_to == active_node(one_node, key)


def test_a_failure_sent_once_reports_no_retries(coll, key):
    with pytest.raises(E.DocumentNotFoundException) as info:
        coll.remove(key)
    assert (info.value.context.retry_attempts, info.value.context.retry_reasons) == (0, set())


def test_a_locked_document_retried_until_the_timeout_reports_its_retries(coll, key):
    coll.upsert(key, 1)
    coll.get_and_lock(key, timedelta(seconds=5))
    with pytest.raises(E.DocumentLockedException) as info:
        coll.upsert(key, 2, timeout=timedelta(milliseconds=150))
    ctx = info.value.context
    assert ctx.retry_attempts >= 2
    assert ctx.retry_reasons == {"key_value_locked"}
    assert ctx.status_code == 0x09


def test_a_temporary_failure_retried_until_the_timeout_keeps_its_context(one_node, coll, key):
    coll.upsert(key, 1)
    one_node.hooks.force_status(0x86, count=None, opcode=0x00)
    try:
        with pytest.raises(E.TemporaryFailException) as info:
            coll.get(key, GetOptions(timeout=timedelta(milliseconds=150)))
    finally:
        one_node.hooks.clear()
    ctx = info.value.context
    assert isinstance(ctx, E.KeyValueErrorContext)
    assert (ctx.key, ctx.status_code, ctx.retry_reasons) == (key, 0x86, {"key_value_temporary_failure"})
    assert ctx.retry_attempts >= 2


def test_a_failure_carries_the_c_file_and_line_that_set_it(coll, key):
    with pytest.raises(E.DocumentNotFoundException) as info:
        coll.get(key)
    file, line = info.value.csrc_info
    assert file.startswith("csrc/") and file.endswith(".c") and line > 0
    assert "C Source=%s:%d" % (file, line) in repr(info.value)


def test_a_multi_operation_failure_reports_status_and_node(one_node, coll, key):
    res = coll.get_multi([key + "-a", key + "-b"])
    for k in (key + "-a", key + "-b"):
        ctx = res.exceptions[k].context
        assert (ctx.key, ctx.status_code, ctx.last_dispatched_to) == (k, 0x01, active_node(one_node, k))


def test_a_sub_document_failure_reports_status_and_node(one_node, coll, key):
    with pytest.raises(E.DocumentNotFoundException) as info:
        coll.lookup_in(key, [SD.get("a")])
    ctx = info.value.context
    assert isinstance(ctx, E.SubdocumentErrorContext)
    assert (ctx.status_code, ctx.last_dispatched_to) == (0x01, active_node(one_node, key))


def _established(local, remote):
    """Whether this machine has an established TCP connection local -> remote ("ip:port",
    IPv4), from /proc/net/tcp."""
    def hexaddr(addr):
        ip, port = addr.rsplit(":", 1)
        return "%s:%04X" % ("".join("%02X" % int(b) for b in reversed(ip.split("."))), int(port))

    want = (hexaddr(local), hexaddr(remote))
    with open("/proc/net/tcp") as f:
        rows = [line.split() for line in f.readlines()[1:]]
    return any((r[1], r[2]) == want and r[3] == "01" for r in rows)


def test_a_failure_names_this_end_of_the_socket_it_went_out_on(coll, key):
    with pytest.raises(E.DocumentNotFoundException) as info:
        coll.get(key)
    ctx = info.value.context
    assert ctx.last_dispatched_from.startswith("127.0.0.1:")
    assert _established(ctx.last_dispatched_from, ctx.last_dispatched_to)


def test_a_failure_shows_its_4x_error_category(coll, key):
    with pytest.raises(E.DocumentNotFoundException) as info:
        coll.get(key)
    assert repr(info.value).startswith("DocumentNotFoundException(<ec=101, category=couchbase.key_value, ")


def test_a_cas_mismatch_is_in_the_common_category(coll, key):
    coll.upsert(key, 1)
    with pytest.raises(E.CasMismatchException) as info:
        coll.replace(key, 2, cas=12345)
    assert repr(info.value).startswith("CasMismatchException(<ec=9, category=couchbase.common, ")
