"""UserManager of the asyncio face (``cluster.users()``): the blocking manager's requests and
answers (couchbase.management.users), sent on the event loop."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List

    from couchbase.management.options import (
        ChangePasswordOptions, DropGroupOptions, DropUserOptions, GetAllGroupsOptions, GetAllUsersOptions,
        GetGroupOptions, GetRolesOptions, GetUserOptions, UpsertGroupOptions, UpsertUserOptions,
    )

from couchbase.management import users as _blocking
from couchbase.management.users import Group, Role, RoleAndDescription, User, UserAndMetadata  # noqa: F401

from acouchbase._rest import AsyncManager

__all__ = ["UserManager", "Group", "Role", "RoleAndDescription", "User", "UserAndMetadata"]


class UserManager(AsyncManager):
    """Users, groups and roles."""

    _blocking = _blocking.UserManager
    _methods = ("get_user", "get_all_users", "upsert_user", "drop_user", "change_password", "get_roles",
                "get_group", "get_all_groups", "upsert_group", "drop_group")

    if TYPE_CHECKING:  # the coroutines AsyncManager makes of the blocking manager's methods
        async def get_user(self, username: str, *options: GetUserOptions, **kwargs: Any) -> UserAndMetadata: ...

        async def get_all_users(self, *options: GetAllUsersOptions, **kwargs: Any) -> List[UserAndMetadata]: ...

        async def upsert_user(self, user: User, *options: UpsertUserOptions, **kwargs: Any) -> None: ...

        async def drop_user(self, username: str, *options: DropUserOptions, **kwargs: Any) -> None: ...

        async def change_password(self, new_password: str, *options: ChangePasswordOptions,
                                  **kwargs: Any) -> None: ...

        async def get_roles(self, *options: GetRolesOptions, **kwargs: Any) -> List[RoleAndDescription]: ...

        async def get_group(self, group_name: str, *options: GetGroupOptions, **kwargs: Any) -> Group: ...

        async def get_all_groups(self, *options: GetAllGroupsOptions, **kwargs: Any) -> List[Group]: ...

        async def upsert_group(self, group: Group, *options: UpsertGroupOptions, **kwargs: Any) -> None: ...

        async def drop_group(self, group_name: str, *options: DropGroupOptions, **kwargs: Any) -> None: ...
