"""Runs under the official Couchbase SDK (separate venv): its own managers create, list and
drop buckets, scopes, collections, users and groups on a running embedded cluster.

argv[1]: JSON info of the cluster. Prints one JSON object: step -> outcome ("ok", "ok:<value>"
or the exception class name).
"""
import json
import sys
from datetime import timedelta

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.management.buckets import BucketSettings, CreateBucketSettings
from couchbase.management.collections import CreateCollectionSettings
from couchbase.management.users import Group, Role, User
from couchbase.options import ClusterOptions

out = {}


def step(name, fn):
    try:
        res = fn()
        out[name] = "ok" if res is None else "ok:%s" % (res,)
    except Exception as e:  # the outcome is the exception class name
        out[name] = type(e).__name__


def main(info):
    cluster = Cluster.connect(info["connstr"], ClusterOptions(PasswordAuthenticator("Administrator", "password")))
    bm = cluster.buckets()
    step("create_bucket", lambda: bm.create_bucket(CreateBucketSettings(name="app", ram_quota_mb=100, num_replicas=0,
                                                                        flush_enabled=True)))
    step("list_buckets", lambda: ",".join(sorted(b.name for b in bm.get_all_buckets())))
    step("get_bucket", lambda: (lambda b: "%s/%s/%s" % (b.name, b.ram_quota_mb, b.flush_enabled))(bm.get_bucket("app")))
    step("update_bucket", lambda: bm.update_bucket(BucketSettings(name="app", ram_quota_mb=150)))
    step("flush_bucket", lambda: bm.flush_bucket("app"))
    cm = cluster.bucket("app").collections()
    step("create_scope", lambda: cm.create_scope("tenant"))
    step("create_collection", lambda: cm.create_collection("tenant", "users",
                                                           CreateCollectionSettings(max_expiry=timedelta(hours=1))))
    step("list_scopes", lambda: ",".join(sorted("%s.%s" % (s.name, c.name) for s in cm.get_all_scopes()
                                                for c in s.collections)))
    step("use_collection", lambda: cluster.bucket("app").scope("tenant").collection("users").upsert("u", {"n": 1})
         and None)
    step("drop_collection", lambda: cm.drop_collection("tenant", "users"))
    step("drop_scope", lambda: cm.drop_scope("tenant"))
    um = cluster.users()
    step("upsert_group", lambda: um.upsert_group(Group(name="readers", roles=[Role(name="data_reader", bucket="app")])))
    step("upsert_user", lambda: um.upsert_user(User(username="alice", password="wonderland", groups=["readers"],
                                                    roles=[Role(name="bucket_admin", bucket="app")])))
    step("list_users", lambda: ",".join(sorted(u.user.username for u in um.get_all_users())))
    step("get_user_roles", lambda: ",".join(sorted(r.role.name for r in um.get_user("alice").effective_roles)))
    step("drop_user", lambda: um.drop_user("alice"))
    step("drop_group", lambda: um.drop_group("readers"))
    step("drop_bucket", lambda: bm.drop_bucket("app"))
    step("list_after", lambda: ",".join(sorted(b.name for b in bm.get_all_buckets())))
    cluster.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
