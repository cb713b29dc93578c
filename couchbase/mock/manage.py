"""Management REST semantics a real server has and the cluster map does not need: bucket
settings (create/update validation, worded as ns_server words it, since SDKs map error texts
to exception classes), and users, groups and roles (``/settings/rbac``).

Bucket settings live in ``bucket.settings`` (a dict of the REST field names); users created
here can log in (their password joins ``topology.users``); roles are recorded, not enforced.
"""

import re
import time
import uuid

from .http import HttpResponse, json_response

RAM_MIN_MB = 100
EVICTION = {"couchbase": ("valueOnly", "fullEviction"), "ephemeral": ("noEviction", "nruEviction")}
COMPRESSION = ("off", "passive", "active")
CONFLICT = ("seqno", "lww", "custom")
DURABILITY = ("none", "majority", "majorityAndPersistActive", "persistToMajority")
STORAGE = ("couchstore", "magma")


def default_settings(bucket):
    ephemeral = bucket.bucket_type == "ephemeral"
    return {"evictionPolicy": "noEviction" if ephemeral else "valueOnly", "compressionMode": "passive",
            "conflictResolutionType": "seqno", "durabilityMinLevel": "none", "maxTTL": 0,
            "storageBackend": "couchstore", "replicaIndex": False}


def settings_of(bucket):
    s = getattr(bucket, "settings", None)
    if s is None:
        s = bucket.settings = default_settings(bucket)
    return s


def bucket_fields(bucket, name):
    """The verbose bucket JSON fields a real server adds to the cluster map's."""
    s = settings_of(bucket)
    out = {k: v for k, v in s.items() if not (k == "storageBackend" and bucket.bucket_type == "ephemeral")}
    if bucket.bucket_type == "ephemeral":
        out.pop("replicaIndex", None)
    out["numVBuckets"] = bucket.num_vbuckets
    base = "/pools/default/buckets/%s/controller/" % name
    out["controllers"] = {"compactAll": base + "compactBucket", "compactDB": base + "compactDatabases",
                          "purgeDeletes": base + "unsafePurgeBucket", "startRecovery": base + "startRecovery"}
    if bucket.flush_enabled:
        out["controllers"]["flush"] = base + "doFlush"
    return out


def _int(form, key, errors, low=None, high=None, message=None):
    raw = form.get(key)
    if raw is None or raw == "":
        return None
    try:
        v = int(raw)
    except ValueError:
        errors[key] = message or "%s must be an integer" % key
        return None
    if (low is not None and v < low) or (high is not None and v > high):
        errors[key] = message or "%s must be between %s and %s" % (key, low, high)
        return None
    return v


def parse_bucket_form(form, bucket_type, creating):
    """(settings changes, errors) of a create or update form."""
    errors = {}
    out = {}
    ram = _int(form, "ramQuotaMB", errors, RAM_MIN_MB, 1 << 30,
               "RAM quota cannot be less than %d MiB" % RAM_MIN_MB)
    if ram is not None:
        out["ramQuotaMB"] = ram
    replicas = _int(form, "replicaNumber", errors, 0, 3, "Replica number must be between 0 and 3")
    if replicas is not None:
        out["replicaNumber"] = replicas
    max_ttl = _int(form, "maxTTL", errors, 0, 2147483647, "Max TTL must be an integer between 0 and 2147483647")
    if max_ttl is not None:
        out["maxTTL"] = max_ttl
    kind = "ephemeral" if bucket_type == "ephemeral" else "couchbase"
    for key, allowed, text in (
            ("evictionPolicy", EVICTION[kind], "Eviction policy must be either '%s' or '%s' for %s buckets"
             % (EVICTION[kind][0], EVICTION[kind][1], "ephemeral" if kind == "ephemeral" else "couchbase")),
            ("compressionMode", COMPRESSION, "compressionMode can be set to 'off', 'passive' or 'active'"),
            ("durabilityMinLevel", DURABILITY, "Durability minimum level must be one of none, majority, "
                                               "majorityAndPersistActive, persistToMajority"),
            ("storageBackend", STORAGE, "storage backend must be couchstore or magma"),
            ("conflictResolutionType", CONFLICT, "Conflict resolution type must be 'seqno' or 'lww' or 'custom'")):
        v = form.get(key)
        if v is None or v == "":
            continue
        if v not in allowed:
            errors[key] = text
        else:
            out[key] = v
    if "conflictResolutionType" in out and not creating:
        errors["conflictResolutionType"] = "Conflict resolution type not allowed in update bucket"
    if kind == "ephemeral" and out.get("durabilityMinLevel") in ("majorityAndPersistActive", "persistToMajority"):
        errors["durability_min_level"] = "Durability minimum level cannot be set to a persisting level for " \
                                         "ephemeral buckets"
    for key in ("replicaIndex", "flushEnabled"):
        v = form.get(key)
        if v not in (None, ""):
            if v not in ("0", "1"):
                errors[key] = "%s can only be 1 or 0" % key
            else:
                out[key] = v == "1"
    for key in ("historyRetentionCollectionDefault",):
        v = form.get(key)
        if v not in (None, ""):
            out[key] = v == "true"
    for key in ("historyRetentionBytes", "historyRetentionSeconds"):
        v = _int(form, key, errors, 0)
        if v is not None:
            out[key] = v
    if out.get("storageBackend") != "magma":
        for key in ("historyRetentionCollectionDefault", "historyRetentionBytes", "historyRetentionSeconds"):
            if key in out:
                errors[key] = "History retention can only be used with magma"
    return out, errors


def apply_settings(bucket, changes):
    s = settings_of(bucket)
    for key in ("evictionPolicy", "compressionMode", "conflictResolutionType", "durabilityMinLevel", "maxTTL",
                "storageBackend", "replicaIndex", "historyRetentionCollectionDefault", "historyRetentionBytes",
                "historyRetentionSeconds"):
        if key in changes:
            s[key] = changes[key]
    if "flushEnabled" in changes:
        bucket.flush_enabled = changes["flushEnabled"]
    if "ramQuotaMB" in changes:
        bucket.ram_quota_mb = changes["ramQuotaMB"]


# ---------------------------------------------------------------------------------------
# users, groups and roles
# ---------------------------------------------------------------------------------------

#: (role, display name, description, takes a bucket) of the roles this server knows
ROLES = [
    ("admin", "Full Admin", "Can manage all cluster features.", False),
    ("ro_admin", "Read-Only Admin", "Can view all cluster statistics.", False),
    ("cluster_admin", "Cluster Admin", "Can manage all cluster features except security.", False),
    ("security_admin", "Security Admin", "Can view all cluster statistics and manage user roles.", False),
    ("replication_admin", "XDCR Admin", "Can administer XDCR features.", False),
    ("query_manage_global_functions", "Manage Global Functions", "Can manage global N1QL functions", False),
    ("bucket_admin", "Bucket Admin", "Can manage ALL bucket features for a given bucket.", True),
    ("bucket_full_access", "Application Access", "Full access to bucket data.", True),
    ("views_admin", "Views Admin", "Can administer views for a given bucket.", True),
    ("views_reader", "Views Reader", "Can read data from the views of a given bucket.", True),
    ("data_reader", "Data Reader", "Can read data from a given bucket, scope or collection.", True),
    ("data_writer", "Data Writer", "Can write data to a given bucket, scope or collection.", True),
    ("data_dcp_reader", "Data DCP Reader", "Can initiate DCP streams for a given bucket.", True),
    ("data_backup", "Data Backup & Restore", "Can backup and restore a given bucket's data.", True),
    ("data_monitoring", "Data Monitor", "Can read statistics for a given bucket, scope or collection.", True),
    ("query_select", "Query Select", "Can execute a SELECT statement.", True),
    ("query_insert", "Query Insert", "Can execute an INSERT statement.", True),
    ("query_update", "Query Update", "Can execute an UPDATE statement.", True),
    ("query_delete", "Query Delete", "Can execute a DELETE statement.", True),
    ("query_manage_index", "Query Manage Index", "Can manage indexes.", True),
]
_ROLE = {r[0]: r for r in ROLES}
_SPEC = re.compile(r"^([a-z_]+)(?:\[([^\]]*)\])?$")


def _split_roles(text):
    """Role specs of a form field: ``admin,data_reader[b:s:c]`` (commas inside [] kept)."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return [r.strip() for r in out if r.strip()]


def parse_roles(text, buckets):
    """([role dict], bad specs) for a ``roles`` form field."""
    roles, bad = [], []
    for spec in _split_roles(text or ""):
        m = _SPEC.match(spec)
        info = _ROLE.get(m.group(1)) if m else None
        if info is None or (bool(m.group(2)) != info[3]):
            bad.append(spec)
            continue
        role = {"role": info[0]}
        if m.group(2):
            parts = m.group(2).split(":")
            if parts[0] != "*" and parts[0] not in buckets:
                bad.append(spec)
                continue
            for key, value in zip(("bucket_name", "scope_name", "collection_name"), parts):
                role[key] = value
        roles.append(role)
    return roles, bad


class Rbac:
    """Users (local domain) and groups of one cluster."""

    def __init__(self, ctl):
        self.ctl = ctl
        self.users = {}    # id -> {"name", "roles", "groups", "password_change_date"}
        self.groups = {}   # id -> {"description", "roles", "ldap_group_ref"}

    @property
    def topo(self):
        return self.ctl.topo

    def _user_json(self, uid, u):
        roles = []
        for r in u["roles"]:
            roles.append(dict(r, origins=[{"type": "user"}]))
        for g in u["groups"]:
            for r in self.groups.get(g, {}).get("roles", []):
                roles.append(dict(r, origins=[{"type": "group", "name": g}]))
        return {"id": uid, "domain": "local", "roles": roles, "groups": list(u["groups"]), "external_groups": [],
                "name": u["name"], "uuid": u["uuid"], "password_change_date": u["password_change_date"]}

    def _group_json(self, gid, g):
        out = {"id": gid, "roles": list(g["roles"]), "ldap_group_ref": g.get("ldap_group_ref", "")}
        if g.get("description"):
            out["description"] = g["description"]
        return out

    def list_users(self, req, domain=None):
        if domain not in (None, "local", "external"):
            return HttpResponse(404, b'"Unknown domain"')
        users = [] if domain == "external" else [self._user_json(k, v) for k, v in sorted(self.users.items())]
        return json_response(users)

    def get_user(self, req, domain, uid):
        u = self.users.get(uid) if domain == "local" else None
        if u is None:
            return HttpResponse(404, b'"User was not found."')
        return json_response(self._user_json(uid, u))

    def put_user(self, req, domain, uid):
        if domain != "local":
            return json_response({"errors": {"_": "Only local users can be changed here"}}, 400)
        f = req.form
        errors = {}
        roles, bad = parse_roles(f.get("roles", ""), self.topo.buckets)
        if bad:
            errors["roles"] = "Cannot assign roles to user because the following roles are unknown, malformed " \
                              "or role parameters are undefined: [%s]" % ",".join(bad)
        groups = [g for g in (f.get("groups") or "").split(",") if g]
        missing = [g for g in groups if g not in self.groups]
        if missing:
            errors["groups"] = "Groups do not exist: %s" % ",".join(missing)
        password = f.get("password")
        if uid not in self.users and not password:
            errors["password"] = "Password must be specified"
        elif password is not None and len(password) < 6:
            errors["password"] = "The password must be at least 6 characters long."
        if errors:
            return json_response({"errors": errors}, 400)
        old = self.users.get(uid, {})
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        self.users[uid] = {"name": f.get("name", old.get("name", "")), "roles": roles, "groups": groups,
                           "uuid": old.get("uuid") or str(uuid.uuid4()),
                           "password_change_date": stamp if password else old.get("password_change_date", stamp)}
        if password:
            self.topo.users[uid] = password
        return HttpResponse(200, b'""')

    def delete_user(self, req, domain, uid):
        if domain != "local" or uid not in self.users:
            return HttpResponse(404, b'"User was not found."')
        del self.users[uid]
        self.topo.users.pop(uid, None)
        return HttpResponse(200, b'""')

    def change_password(self, req):
        creds = req.credentials()
        password = req.form.get("password", "")
        if len(password) < 6:
            return json_response({"errors": {"password": "The password must be at least 6 characters long."}}, 400)
        self.topo.users[creds[0]] = password
        return HttpResponse(200, b"")

    def roles(self, req):
        out = []
        for name, display, desc, per_bucket in ROLES:
            entry = {"role": name, "name": display, "desc": desc}
            if per_bucket:
                entry["bucket_name"] = "*"
            out.append(entry)
        return json_response(out)

    def list_groups(self, req):
        return json_response([self._group_json(k, v) for k, v in sorted(self.groups.items())])

    def get_group(self, req, gid):
        g = self.groups.get(gid)
        if g is None:
            return HttpResponse(404, b'"Unknown group."')
        return json_response(self._group_json(gid, g))

    def put_group(self, req, gid):
        f = req.form
        roles, bad = parse_roles(f.get("roles", ""), self.topo.buckets)
        if bad:
            return json_response({"errors": {"roles": "Cannot assign roles to group because the following roles "
                                                      "are unknown, malformed or role parameters are undefined: "
                                                      "[%s]" % ",".join(bad)}}, 400)
        self.groups[gid] = {"description": f.get("description", ""), "roles": roles,
                            "ldap_group_ref": f.get("ldap_group_ref", "")}
        return HttpResponse(200, b'""')

    def delete_group(self, req, gid):
        if gid not in self.groups:
            return HttpResponse(404, b'"Group was not found."')
        del self.groups[gid]
        for u in self.users.values():
            if gid in u["groups"]:
                u["groups"].remove(gid)
        return HttpResponse(200, b'""')


def routes(rbac):
    """(method, path regex, handler, bucket-level) rows for RestService."""
    U = r"/settings/rbac/users"
    G = r"/settings/rbac/groups"
    return [
        ("GET", U, rbac.list_users, None),
        ("GET", U + r"/([^/]+)", rbac.list_users, None),
        ("GET", U + r"/([^/]+)/([^/]+)", rbac.get_user, None),
        ("PUT", U + r"/([^/]+)/([^/]+)", rbac.put_user, None),
        ("DELETE", U + r"/([^/]+)/([^/]+)", rbac.delete_user, None),
        ("GET", r"/settings/rbac/roles", rbac.roles, None),
        ("GET", G, rbac.list_groups, None),
        ("GET", G + r"/([^/]+)", rbac.get_group, None),
        ("PUT", G + r"/([^/]+)", rbac.put_group, None),
        ("DELETE", G + r"/([^/]+)", rbac.delete_group, None),
        ("POST", r"/controller/changePassword", rbac.change_password, "user"),
    ]


__all__ = ["bucket_fields", "parse_bucket_form", "apply_settings", "settings_of", "Rbac", "routes", "ROLES"]
