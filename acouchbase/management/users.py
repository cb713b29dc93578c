"""UserManager of the asyncio face (``cluster.users()``): the blocking manager's requests and
answers (couchbase.management.users), sent on the event loop."""
from couchbase.management import users as _blocking
from couchbase.management.users import Group, Role, RoleAndDescription, User, UserAndMetadata  # noqa: F401

from acouchbase._rest import AsyncManager

__all__ = ["UserManager"]


class UserManager(AsyncManager):
    """Users, groups and roles."""

    _blocking = _blocking.UserManager
    _methods = ("get_user", "get_all_users", "upsert_user", "drop_user", "change_password", "get_roles",
                "get_group", "get_all_groups", "upsert_group", "drop_group")
