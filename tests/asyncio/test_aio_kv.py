"""Every key-value operation of the asyncio face against the blocking modern face: the same
steps on the same cluster give the same outcomes (result classes and values, exception
classes), on asyncio's own loop and on uvloop, with no callback of the SDK running longer
than the watchdog's threshold."""
import inspect
from datetime import timedelta

import pytest

import couchbase.subdocument as SD
from aiohelpers import SLOW, Watchdog, connect, options, run
from modern_cluster import active_node
from couchbase.durability import ClientDurability, Durability, ReplicateTo, ServerDurability
from couchbase.options import (
    GetAndLockOptions, GetOptions, InsertOptions, MutateInOptions, RemoveOptions, ReplaceOptions, UpsertOptions,
)

pytestmark = pytest.mark.mock

SHORT = timedelta(milliseconds=300)


def norm(v):
    """A comparable form of an outcome."""
    name = type(v).__name__
    if name in ("GetResult", "GetReplicaResult"):
        return [name, v.content_as[dict] if v.flags == 0x02000000 else v.value, v.cas > 0,
                getattr(v, "expiry_time", None) is not None]
    if name in ("MutationResult", "MutateInResult"):
        return [name, v.cas > 0]
    if name == "CounterResult":
        return [name, v.content]
    if name == "ExistsResult":
        return [name, v.exists]
    if name in ("LookupInResult", "LookupInReplicaResult"):
        out = []
        for i in range(len(v._extra.specs) if v._extra else 0):
            try:
                out.append(v.content_as[dict](i) if v.exists(i) else None)
            except Exception as e:  # a spec's failure shows when read
                out.append("EXC:" + type(e).__name__)
        return [name, out]
    if name.startswith("Multi"):
        return [name, {short(k): norm(r) for k, r in sorted(v.results.items())},
                {short(k): type(e).__name__ for k, e in sorted(v.exceptions.items())}]
    if isinstance(v, dict):
        return {short(k): (type(x).__name__ if isinstance(x, Exception) else x) for k, x in sorted(v.items())}
    if inspect.isgenerator(v) or isinstance(v, list):
        return [norm(x) for x in v]
    return v


def short(key):
    """A key without the scenario's prefix."""
    return key.rsplit("-", 1)[-1]


def steps(k):
    """(name, call(collection)) of the scenario, on keys prefixed `k`."""
    d = {"a": 1, "b": [1, 2]}
    return [
        ("insert", lambda c: c.insert(k + "doc", d)),
        ("insert_again", lambda c: c.insert(k + "doc", d)),
        ("insert_expiry", lambda c: c.insert(k + "exp", d, InsertOptions(timeout=timedelta(seconds=5)),
                                             expiry=timedelta(seconds=30))),
        ("get", lambda c: c.get(k + "doc")),
        ("get_missing", lambda c: c.get(k + "missing")),
        ("get_opts", lambda c: c.get(k + "doc", GetOptions(timeout=timedelta(seconds=5)))),
        ("get_with_expiry", lambda c: c.get(k + "exp", with_expiry=True)),
        ("get_project", lambda c: c.get(k + "doc", project=["b"])),
        ("exists", lambda c: c.exists(k + "doc")),
        ("exists_missing", lambda c: c.exists(k + "missing")),
        ("upsert", lambda c: c.upsert(k + "doc", {"a": 2})),
        ("upsert_opts", lambda c: c.upsert(k + "doc2", "text", UpsertOptions(expiry=timedelta(seconds=30)))),
        ("get_text", lambda c: c.get(k + "doc2")),
        ("replace", lambda c: c.replace(k + "doc", {"a": 3})),
        ("replace_bad_cas", lambda c: c.replace(k + "doc", {"a": 4}, ReplaceOptions(cas=12345))),
        ("replace_missing", lambda c: c.replace(k + "missing", {"a": 4})),
        ("touch", lambda c: c.touch(k + "doc", timedelta(seconds=60))),
        ("get_and_touch", lambda c: c.get_and_touch(k + "doc", timedelta(seconds=60))),
        ("remove_bad_cas", lambda c: c.remove(k + "doc", RemoveOptions(cas=12345))),
        ("remove", lambda c: c.remove(k + "doc")),
        ("remove_missing", lambda c: c.remove(k + "doc")),
        ("key_not_str", lambda c: c.get(12)),
        ("key_empty", lambda c: c.get("")),
        ("key_too_long", lambda c: c.upsert("x" * 251, 1)),
        ("unknown_option", lambda c: c.get(k + "doc2", bogus=1)),
        ("unserializable", lambda c: c.upsert(k + "bad", object())),
        ("increment", lambda c: c.binary().increment(k + "ctr")),
        ("increment_again", lambda c: c.binary().increment(k + "ctr", delta=5)),
        ("decrement", lambda c: c.binary().decrement(k + "ctr")),
        ("append_missing", lambda c: c.binary().append(k + "txt", "x")),
        ("upsert_raw", lambda c: c.upsert(k + "txt", "mid")),
        ("append", lambda c: c.binary().append(k + "txt", "-end")),
        ("prepend", lambda c: c.binary().prepend(k + "txt", b"start-")),
        ("get_txt", lambda c: c.get(k + "txt")),
        ("sd_setup", lambda c: c.upsert(k + "sd", {"a": 1, "arr": [1], "o": {"x": 1}})),
        ("lookup_in", lambda c: c.lookup_in(k + "sd", [SD.get("a"), SD.exists("nope"), SD.get("o"),
                                                         SD.count("arr")])),
        ("lookup_in_missing_doc", lambda c: c.lookup_in(k + "missing", [SD.get("a")])),
        ("mutate_in", lambda c: c.mutate_in(k + "sd", [SD.upsert("b", 2), SD.array_append("arr", 2),
                                                         SD.increment("o.x", 3)])),
        ("mutate_in_path_exists", lambda c: c.mutate_in(k + "sd", [SD.insert("a", 5)])),
        ("mutate_in_bad_cas", lambda c: c.mutate_in(k + "sd", [SD.upsert("c", 1)], MutateInOptions(cas=1))),
        ("mutate_in_missing_doc", lambda c: c.mutate_in(k + "missing", [SD.upsert("a", 1)])),
        ("get_sd", lambda c: c.get(k + "sd")),
        ("upsert_multi", lambda c: c.upsert_multi({k + "m%d" % i: {"i": i} for i in range(5)})),
        ("get_multi", lambda c: c.get_multi([k + "m%d" % i for i in range(5)] + [k + "missing"])),
        ("insert_multi", lambda c: c.insert_multi({k + "m0": 1, k + "m9": 9})),
        ("replace_multi", lambda c: c.replace_multi({k + "m1": "one", k + "missing": 1})),
        ("touch_multi", lambda c: c.touch_multi([k + "m2", k + "missing"], timedelta(seconds=60))),
        ("exists_multi", lambda c: c.exists_multi([k + "m3", k + "missing"])),
        ("remove_multi", lambda c: c.remove_multi([k + "m4", k + "missing"])),
        ("increment_multi", lambda c: c.binary().increment_multi([k + "c1", k + "c2"], delta=2)),
        ("append_multi", lambda c: c.binary().append_multi({k + "txt": "+", k + "missing": "+"})),
        ("get_any_replica", lambda c: c.get_any_replica(k + "m1")),
        ("get_all_replicas", lambda c: c.get_all_replicas(k + "m1")),
        ("get_any_replica_missing", lambda c: c.get_any_replica(k + "missing")),
        ("get_any_replica_multi", lambda c: c.get_any_replica_multi([k + "m2", k + "missing"])),
        ("lookup_in_any_replica", lambda c: c.lookup_in_any_replica(k + "sd", [SD.get("b")])),
        ("lookup_in_all_replicas", lambda c: c.lookup_in_all_replicas(k + "sd", [SD.get("b")])),
        ("durable_majority", lambda c: c.upsert(k + "dur", 1, durability=ServerDurability(Durability.MAJORITY))),
        ("client_durability", lambda c: c.upsert(k + "cd", 1, durability=ClientDurability(ReplicateTo.ONE))),
    ]


async def lock_steps(c, k):
    """Locking: get_and_lock, a second lock refused until the timeout, unlock, unlock again."""
    out = []
    for name, call in (
            ("lock", lambda: c.get_and_lock(k + "m1", timedelta(seconds=10))),
            ("lock_again", lambda: c.get_and_lock(k + "m1", timedelta(seconds=10), GetAndLockOptions(timeout=SHORT))),
    ):
        out.append((name, await outcome(call)))
    locked = await maybe(c.get_and_lock(k + "m2", timedelta(seconds=10)))
    out.append(("unlock_bad_cas", await outcome(lambda: c.unlock(k + "m2", locked.cas + 1))))
    out.append(("unlock", await outcome(lambda: c.unlock(k + "m2", locked.cas))))
    res = await maybe(c.lock_multi([k + "m3", k + "missing"], timedelta(seconds=10)))
    out.append(("unlock_multi", norm(await maybe(c.unlock_multi(res)))))
    return out


async def maybe(v):
    return await v if inspect.isawaitable(v) else v


async def outcome(call):
    try:
        return norm(await maybe(call()))
    except Exception as e:
        return "EXC:" + type(e).__name__


async def scenario(c, k):
    out = [(name, await outcome(lambda call=call: call(c))) for name, call in steps(k)]
    return out + await lock_steps(c, k)


def blocking_outcomes(mock, k):
    from couchbase.cluster import Cluster

    cluster = Cluster.connect(mock.connstr, options())
    try:
        c = cluster.bucket("default").default_collection()
        return run(lambda: scenario(c, k))
    finally:
        cluster.close()


def async_outcomes(mock, k, loop_kind, watchdog):
    async def main():
        cluster, b = await connect(mock)
        try:
            return await scenario(b.default_collection(), k)
        finally:
            await cluster.close()

    return run(main, loop_kind, watchdog)


@pytest.mark.parametrize("nodes", ["one_node", "three_nodes"])
def test_every_kv_operation_has_the_blocking_faces_outcome(request, nodes, loop_kind):
    mock = request.getfixturevalue(nodes)
    prefix = "kv-%s-%s-" % (nodes, loop_kind)
    wd = Watchdog()
    theirs = blocking_outcomes(mock, prefix + "b-")
    ours = async_outcomes(mock, prefix + "a-", loop_kind, wd)
    assert [s for s, _ in ours] == [s for s, _ in theirs]
    assert [p for p in zip(ours, theirs) if p[0] != p[1]] == []
    assert len(ours) > 60
    # the scenario exercises successes and failures alike
    assert {"EXC:DocumentNotFoundException", "EXC:DocumentExistsException", "EXC:CasMismatchException",
            "EXC:InvalidArgumentException", "EXC:DocumentLockedException"} <= {o for _s, o in ours if isinstance(o, str)}
    assert wd.slow == [], "callbacks over %.0f ms: %r" % (SLOW * 1e3, wd.slow)
    assert wd.count > 100


def test_a_failure_names_its_key_bucket_scope_and_collection_in_its_context(one_node, loop_kind):
    from couchbase.exceptions import DocumentNotFoundException, KeyValueErrorContext

    async def main():
        cluster, b = await connect(one_node, bucket="travel-sample")
        users = b.scope("tenant_agent_00").collection("users")
        try:
            await users.get("ctx-absent-" + loop_kind)
        except DocumentNotFoundException as e:
            return e.context
        finally:
            await cluster.close()

    ctx = run(main, loop_kind)
    assert isinstance(ctx, KeyValueErrorContext)
    assert (ctx.key, ctx.bucket_name, ctx.scope_name, ctx.collection_name) == (
        "ctx-absent-" + loop_kind, "travel-sample", "tenant_agent_00", "users")


def test_a_failure_reports_the_server_status_the_node_and_the_c_source(three_nodes, loop_kind):
    from couchbase.exceptions import DocumentNotFoundException

    keys = ["ctx-status-%s-%d" % (loop_kind, i) for i in range(6)]

    async def main():
        cluster, b = await connect(three_nodes)
        c = b.default_collection()
        out = []
        for k in keys:
            try:
                await c.get(k)
            except DocumentNotFoundException as e:
                out.append(e)
        await cluster.close()
        return out

    errors = run(main, loop_kind)
    assert [(e.context.status_code, e.context.last_dispatched_to) for e in errors] == [
        (0x01, active_node(three_nodes, k)) for k in keys]
    assert all(e.csrc_info[0].endswith(".c") for e in errors)
    assert all(e.context.last_dispatched_from.startswith("127.0.0.1:") for e in errors)


def test_a_locked_document_retried_until_the_timeout_reports_its_retries(one_node, loop_kind):
    from couchbase.exceptions import DocumentLockedException

    key = "ctx-locked-" + loop_kind

    async def main():
        cluster, b = await connect(one_node)
        c = b.default_collection()
        await c.upsert(key, 1)
        await c.get_and_lock(key, timedelta(seconds=5))
        try:
            await c.upsert(key, 2, UpsertOptions(timeout=timedelta(milliseconds=150)))
        except DocumentLockedException as e:
            return e.context
        finally:
            await cluster.close()

    ctx = run(main, loop_kind)
    assert ctx.retry_attempts >= 2 and ctx.retry_reasons == {"key_value_locked"} and ctx.status_code == 0x09
