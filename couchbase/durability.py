"""Durability requirements for mutations: server-side levels and client-side observe polling.

``ServerDurability(level)`` sends the level in the request's durability frame and the
server answers once it is met. ``ClientDurability(replicate_to, persist_to)`` sends a
plain mutation and then polls OBSERVE_SEQNO on the active and replica nodes until
enough copies hold (or persisted) the mutation.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from enum import IntEnum
from typing import TypeVar, Union

__all__ = ["Durability", "DurabilityLevel", "ServerDurability", "ClientDurability", "ReplicateTo",
           "PersistTo", "PersistToExtended", "DurabilityType", "DurabilityParser"]


class DurabilityLevel(IntEnum):
    """Server durability levels (the byte sent in the durability frame)."""

    NONE = 0
    MAJORITY = 1
    MAJORITY_AND_PERSIST_TO_ACTIVE = 2
    PERSIST_TO_MAJORITY = 3

    def to_server_str(self) -> str:
        return self.name.lower()

    @classmethod
    def from_server_str(cls, value: str) -> DurabilityLevel:
        return cls[value.upper()]


class Durability(IntEnum):
    """The same levels under the older name (kept for code written against 3.x)."""

    NONE = 0
    MAJORITY = 1
    MAJORITY_AND_PERSIST_TO_ACTIVE = 2
    PERSIST_TO_MAJORITY = 3


class ReplicateTo(IntEnum):
    NONE = 0
    ONE = 1
    TWO = 2
    THREE = 3


class PersistTo(IntEnum):
    """Number of nodes that must have persisted the mutation, shifted by one: ONE means
    the active copy (or any one node), as in the 4.x SDK."""

    NONE = 0
    ONE = 2
    TWO = 3
    THREE = 4


class PersistToExtended(IntEnum):
    NONE = 0
    ACTIVE = 1
    ONE = 2
    TWO = 3
    THREE = 4
    FOUR = 5


class ServerDurability:
    """Synchronous replication handled by the server, at ``level``."""

    __slots__ = ("_level",)

    def __init__(self, level: Union[DurabilityLevel, Durability] = DurabilityLevel.MAJORITY) -> None:
        self._level = level

    @property
    def level(self) -> Union[DurabilityLevel, Durability]:
        return self._level

    def __repr__(self) -> str:
        return "ServerDurability(level=%r)" % (self._level,)


class ClientDurability:
    """Observe-based durability: wait until ``replicate_to`` replicas hold the mutation and
    ``persist_to`` nodes persisted it."""

    __slots__ = ("_replicate_to", "_persist_to")

    def __init__(self, replicate_to: ReplicateTo = ReplicateTo.NONE,
                 persist_to: Union[PersistTo, PersistToExtended] = PersistTo.NONE) -> None:
        self._replicate_to = replicate_to
        self._persist_to = persist_to

    @property
    def replicate_to(self) -> ReplicateTo:
        return self._replicate_to

    @property
    def persist_to(self) -> Union[PersistTo, PersistToExtended]:
        return self._persist_to

    def __repr__(self) -> str:
        return "ClientDurability(replicate_to=%r, persist_to=%r)" % (self._replicate_to, self._persist_to)


DurabilityType = TypeVar("DurabilityType", bound=Union[ClientDurability, ServerDurability])


class DurabilityParser:
    """Helpers turning durability options into wire values."""

    @staticmethod
    def server_level(durability: Any) -> int:
        """The level byte for a ServerDurability (or a bare level), 0 for anything else."""
        if isinstance(durability, ServerDurability):
            durability = durability.level
        if isinstance(durability, (Durability, DurabilityLevel)):
            return int(durability.value)
        return 0
