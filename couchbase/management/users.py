"""User and group management (``cluster.users()``), through the REST API (``/settings/rbac``)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Mapping, NoReturn, Optional, Sequence, Set, Type

    from couchbase.cluster import Cluster
    from couchbase.exceptions import CouchbaseException
    from couchbase.management.options import (
        ChangePasswordOptions, DropGroupOptions, DropUserOptions, GetAllGroupsOptions, GetAllUsersOptions,
        GetGroupOptions, GetRolesOptions, GetUserOptions, UpsertGroupOptions, UpsertUserOptions,
    )

from datetime import datetime

from couchbase._modern.rest import Rest, path_escape
from couchbase.auth import AuthDomain
from couchbase.exceptions import (
    FeatureUnavailableException, GroupNotFoundException, InvalidArgumentException, UserNotFoundException,
)
from couchbase.management.options import (  # noqa: F401  (4.x import paths)
    ChangePasswordOptions, DropGroupOptions, DropUserOptions, GetAllGroupsOptions, GetAllUsersOptions,
    GetGroupOptions, GetRolesOptions, GetUserOptions, UpsertGroupOptions, UpsertUserOptions,
)

__all__ = ["UserManager", "User", "UserAndMetadata", "Role", "RoleAndDescription", "RoleAndOrigins", "Origin",
           "Group", "ChangePasswordOptions", "DropGroupOptions", "DropUserOptions", "GetAllGroupsOptions",
           "GetAllUsersOptions", "GetGroupOptions", "GetRolesOptions", "GetUserOptions", "UpsertGroupOptions",
           "UpsertUserOptions"]


def _set_of(value: Any, cls: type, what: str) -> Any:
    """`value` (one item, or a list/tuple/set of them) as a set of `cls` instances."""
    if not value:
        return value
    if isinstance(value, cls):
        return {value}
    if isinstance(value, (set, list, tuple)):
        if not all(isinstance(v, cls) for v in value):
            raise InvalidArgumentException("%s must contain only objects of type %s." % (what, cls.__name__))
        return set(value)
    raise InvalidArgumentException("%s must be of type %s." % (what, cls.__name__))


class Role:
    """A role, optionally limited to a bucket, scope and collection."""

    def __init__(self, name: Optional[str] = None, bucket: Optional[str] = None, scope: Optional[str] = None,
                 collection: Optional[str] = None) -> None:
        if not name:
            raise InvalidArgumentException("A role must have a name")
        self._name, self._bucket, self._scope, self._collection = name, bucket, scope, collection

    name = property(lambda self: self._name)
    bucket = property(lambda self: self._bucket)
    scope = property(lambda self: self._scope)
    collection = property(lambda self: self._collection)

    def as_dict(self) -> Dict[str, Any]:
        return {"name": self._name, "bucket": self._bucket, "scope": self._scope, "collection": self._collection}

    def spec(self) -> str:
        """The REST form of the role: ``name`` or ``name[bucket:scope:collection]``."""
        if not self._bucket:
            return self._name
        parts = [path_escape(p) for p in (self._bucket, self._scope, self._collection) if p]
        return "%s[%s]" % (self._name, ":".join(parts))

    @classmethod
    def create_role(cls, raw: Dict[str, Any]) -> Role:
        return cls(name=raw.get("role") or raw.get("name"), bucket=raw.get("bucket_name") or None,
                   scope=raw.get("scope_name") or None, collection=raw.get("collection_name") or None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Role) and self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash((self._name, self._bucket, self._scope, self._collection))

    def __repr__(self) -> str:
        return "Role(%s)" % ", ".join("%s=%r" % kv for kv in self.as_dict().items() if kv[1] is not None)


class RoleAndDescription:
    """A role the cluster offers, with its display name and description."""

    def __init__(self, role: Optional[Role] = None, display_name: Optional[str] = None,
                 description: Optional[str] = None, ce: Optional[bool] = None) -> None:
        self._role, self._display_name, self._description, self._ce = role, display_name, description, ce

    role = property(lambda self: self._role)
    display_name = property(lambda self: self._display_name)
    description = property(lambda self: self._description)
    ce = property(lambda self: self._ce)

    @classmethod
    def create_role_and_description(cls, raw: Dict[str, Any]) -> RoleAndDescription:
        return cls(role=Role.create_role(raw), display_name=raw.get("name"), description=raw.get("desc"),
                   ce=raw.get("ce"))


class Origin:
    """Where a user got a role from: ``type`` "user" or "group" (with the group's ``name``)."""

    def __init__(self, type: Optional[str] = None, name: Optional[str] = None) -> None:  # noqa: A002 (the 4.x keyword)
        self._type, self._name = type, name

    type = property(lambda self: self._type)
    name = property(lambda self: self._name)


class RoleAndOrigins:
    """An effective role of a user and where it comes from."""

    def __init__(self, role: Optional[Role] = None, origins: Optional[List[Origin]] = None) -> None:
        self._role, self._origins = role, origins or []

    role = property(lambda self: self._role)
    origins = property(lambda self: self._origins)

    @classmethod
    def create_role_and_origins(cls, raw: Dict[str, Any]) -> RoleAndOrigins:
        return cls(role=Role.create_role(raw),
                   origins=[Origin(o.get("type"), o.get("name")) for o in raw.get("origins") or []])


class User:
    """A user to upsert: ``username``, ``display_name``, ``password``, ``roles``, ``groups``."""

    def __init__(self, username: Optional[str] = None, display_name: Optional[str] = None, groups: Any = None,
                 roles: Any = None, password: Optional[str] = None) -> None:
        if not username:
            raise InvalidArgumentException("A user must have a username")
        self._username = username
        self._display_name = display_name
        self._groups = _set_of(groups, str, "Groups")
        self._roles = _set_of(roles, Role, "Roles")
        self._password = password

    username = property(lambda self: self._username)
    display_name = property(lambda self: self._display_name)
    groups = property(lambda self: self._groups)
    roles = property(lambda self: self._roles)

    @property
    def password(self) -> NoReturn:
        raise InvalidArgumentException("The password of a User cannot be read.")

    @password.setter
    def password(self, value: str) -> None:
        self._password = value

    def as_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"username": self._username, "display_name": self._display_name,
                               "password": self._password}
        if self._roles:
            out["roles"] = list(self._roles)
        if self._groups:
            out["groups"] = set(self._groups)
        return out

    def __repr__(self) -> str:
        return "User(username=%r, display_name=%r, roles=%r, groups=%r)" % (
            self._username, self._display_name, self._roles, self._groups)


class UserAndMetadata:
    """A user as the cluster reports it: the user, its domain, effective roles and metadata."""

    def __init__(self, domain: Optional[AuthDomain] = None, user: Optional[User] = None,
                 effective_roles: Optional[List[RoleAndOrigins]] = None, password_changed: Optional[datetime] = None,
                 external_groups: Optional[Set[str]] = None, **kwargs: Any) -> None:
        self._domain, self._user, self._effective_roles = domain, user, effective_roles
        self._password_changed, self._external_groups = password_changed, external_groups
        self._raw_data = kwargs.get("raw_data")

    domain = property(lambda self: self._domain)
    user = property(lambda self: self._user)
    effective_roles = property(lambda self: self._effective_roles)
    password_changed = property(lambda self: self._password_changed)
    external_groups = property(lambda self: self._external_groups)
    raw_data = property(lambda self: self._raw_data)

    @classmethod
    def from_server(cls, raw: Dict[str, Any]) -> UserAndMetadata:
        effective = [RoleAndOrigins.create_role_and_origins(r) for r in raw.get("roles") or []]
        own = {r.role for r in effective if not r.origins or any(o.type == "user" for o in r.origins)}
        changed = None
        for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
            try:
                changed = datetime.strptime(raw.get("password_change_date") or "", fmt)
                break
            except ValueError:
                continue
        user = User(username=raw.get("id"), display_name=raw.get("name") or None, roles=own or None,
                    groups=set(raw["groups"]) if raw.get("groups") else None)
        return cls(domain=AuthDomain.from_str(raw.get("domain")), user=user, effective_roles=effective,
                   password_changed=changed,
                   external_groups=set(raw["external_groups"]) if raw.get("external_groups") else None, raw_data=raw)


class Group:
    """A group of roles users can join."""

    def __init__(self, name: Optional[str] = None, description: Optional[str] = None, roles: Any = None,
                 ldap_group_reference: Optional[str] = None, **kwargs: Any) -> None:
        if not name:
            raise InvalidArgumentException("A group must have a name")
        self._name, self._description = name, description
        self._roles = _set_of(roles, Role, "Roles")
        self._ldap_group_reference = ldap_group_reference
        self._raw_data = kwargs.get("raw_data")

    name = property(lambda self: self._name)
    description = property(lambda self: self._description)
    roles = property(lambda self: self._roles)
    ldap_group_reference = property(lambda self: self._ldap_group_reference)
    raw_data = property(lambda self: self._raw_data)

    def as_dict(self) -> Dict[str, Any]:
        return {"name": self._name, "description": self._description,
                "roles": [r.as_dict() for r in self._roles or ()], "ldap_group_reference": self._ldap_group_reference}

    @classmethod
    def create_group(cls, raw: Dict[str, Any]) -> Group:
        return cls(name=raw.get("id"), description=raw.get("description") or None,
                   roles={Role.create_role(r) for r in raw.get("roles") or []} or None,
                   ldap_group_reference=raw.get("ldap_group_ref") or None, raw_data=raw)


def _domain(options: Mapping[str, Any]) -> str:
    d = options.get("domain_name", "local")
    d = AuthDomain.to_str(d) if isinstance(d, AuthDomain) else d
    if d not in ("local", "external"):
        raise InvalidArgumentException("Unknown domain %r." % (d,))
    return d


class UserManager:
    """``cluster.users()``."""

    def __init__(self, cluster: Cluster) -> None:
        self._rest = Rest(cluster)

    @staticmethod
    def _opts(options: Sequence[Any], kwargs: Dict[str, Any]) -> Dict[str, Any]:
        o = dict(options[0]) if options and options[0] else {}
        o.update(kwargs)
        return o

    def _check(self, status: int, path: str, text: str, missing: Optional[Type[CouchbaseException]] = None) -> None:
        if status == 200:
            return
        if status == 404 and missing is not None:
            raise self._rest.error(missing, status, path, text)
        if status == 400:
            raise self._rest.error(InvalidArgumentException, status, path, text)
        raise self._rest.common_error(status, path, text)

    def get_user(self, username: str, *options: GetUserOptions, **kwargs: Any) -> UserAndMetadata:
        """UserAndMetadata (UserNotFoundException when there is no such user)."""
        o = self._opts(options, kwargs)
        path = "/settings/rbac/users/%s/%s" % (_domain(o), path_escape(username))
        status, text = self._rest.call("GET", path, None, o)
        self._check(status, path, text, UserNotFoundException)
        return UserAndMetadata.from_server(self._rest.json(status, path, text))

    def get_all_users(self, *options: GetAllUsersOptions, **kwargs: Any) -> List[UserAndMetadata]:
        o = self._opts(options, kwargs)
        path = "/settings/rbac/users/%s" % _domain(o)
        status, text = self._rest.call("GET", path, None, o)
        self._check(status, path, text)
        return [UserAndMetadata.from_server(u) for u in self._rest.json(status, path, text)]

    def upsert_user(self, user: User, *options: UpsertUserOptions, **kwargs: Any) -> None:
        """Create or change a user (local users need a password when created)."""
        if not isinstance(user, User):
            raise InvalidArgumentException("user must be a User.")
        o = self._opts(options, kwargs)
        domain = _domain(o)
        if domain == "external" and user._password:
            raise InvalidArgumentException("External users cannot have passwords.")
        form: Dict[str, Any] = {}
        if user.display_name:
            form["name"] = user.display_name
        if user._password:
            form["password"] = user._password
        if user.groups:
            form["groups"] = ",".join(sorted(user.groups))
        form["roles"] = ",".join(sorted(r.spec() for r in user.roles or ()))
        path = "/settings/rbac/users/%s/%s" % (domain, path_escape(user.username))
        status, text = self._rest.call("PUT", path, form, o)
        self._check(status, path, text)

    def drop_user(self, username: str, *options: DropUserOptions, **kwargs: Any) -> None:
        o = self._opts(options, kwargs)
        path = "/settings/rbac/users/%s/%s" % (_domain(o), path_escape(username))
        status, text = self._rest.call("DELETE", path, None, o)
        self._check(status, path, text, UserNotFoundException)

    def change_password(self, new_password: str, *options: ChangePasswordOptions, **kwargs: Any) -> None:
        """Change the password of the user this cluster connection authenticates as."""
        path = "/controller/changePassword"
        status, text = self._rest.call("POST", path, {"password": new_password}, self._opts(options, kwargs))
        self._check(status, path, text)

    def get_roles(self, *options: GetRolesOptions, **kwargs: Any) -> List[RoleAndDescription]:
        """[RoleAndDescription] of the roles the cluster offers."""
        path = "/settings/rbac/roles"
        status, text = self._rest.call("GET", path, None, self._opts(options, kwargs))
        self._check(status, path, text)
        return [RoleAndDescription.create_role_and_description(r) for r in self._rest.json(status, path, text)]

    def get_group(self, group_name: str, *options: GetGroupOptions, **kwargs: Any) -> Group:
        path = "/settings/rbac/groups/" + path_escape(group_name)
        status, text = self._rest.call("GET", path, None, self._opts(options, kwargs))
        self._check(status, path, text, GroupNotFoundException)
        return Group.create_group(self._rest.json(status, path, text))

    def get_all_groups(self, *options: GetAllGroupsOptions, **kwargs: Any) -> List[Group]:
        path = "/settings/rbac/groups"
        status, text = self._rest.call("GET", path, None, self._opts(options, kwargs))
        if status == 404:
            raise self._rest.error(FeatureUnavailableException, status, path, text)
        self._check(status, path, text)
        return [Group.create_group(g) for g in self._rest.json(status, path, text)]

    def upsert_group(self, group: Group, *options: UpsertGroupOptions, **kwargs: Any) -> None:
        if not isinstance(group, Group):
            raise InvalidArgumentException("group must be a Group.")
        form = {"description": group.description or "",
                "roles": ",".join(sorted(r.spec() for r in group.roles or ()))}
        if group.ldap_group_reference:
            form["ldap_group_ref"] = group.ldap_group_reference
        path = "/settings/rbac/groups/" + path_escape(group.name)
        status, text = self._rest.call("PUT", path, form, self._opts(options, kwargs))
        self._check(status, path, text)

    def drop_group(self, group_name: str, *options: DropGroupOptions, **kwargs: Any) -> None:
        path = "/settings/rbac/groups/" + path_escape(group_name)
        status, text = self._rest.call("DELETE", path, None, self._opts(options, kwargs))
        self._check(status, path, text, GroupNotFoundException)

