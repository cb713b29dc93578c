"""Items (1.2): result objects the application owns, passed to the _multi calls.

An :class:`Item` is a :class:`couchbase.result.ValueResult` whose ``key``, ``value``,
``cas`` and ``flags`` the application sets; a _multi call given an
:class:`ItemCollection` writes its results into the Items themselves and returns a
MultiResult mapping each key to its Item. :class:`ItemSequence` holds Items without
options, :class:`ItemOptionDict` maps each Item to its options (``ttl``, ``format``,
``ignore_cas``; ``fragment`` for append/prepend).
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Iterator, Optional, Sequence, Tuple, Union

from couchbase.result import ValueResult

__all__ = ["Item", "ItemCollection", "ItemOptionDict", "ItemSequence"]


class Item(ValueResult):
    """A key, a value and the CAS to store them with; results are written back into it.

    Items have a ``__dict__`` for the application's own attributes. Subclasses must not
    replace ``key``, ``value``, ``cas`` or ``flags`` with descriptors."""

    def __init__(self, key: Any = None, value: Any = None) -> None:
        self.key = key
        self.value = value

    def as_itcoll(self, **options: Any) -> ItemCollection:
        """This Item as a collection of one (with ``options``, if given)."""
        if not options:
            return ItemSequence([self])
        return ItemOptionDict({self: options})

    __hash__ = object.__hash__
    __eq__ = object.__eq__


class ItemCollection:
    """Base of the Item containers the _multi calls accept: iterating yields
    ``(item, options or None)`` pairs."""

    def __iter__(self) -> Iterator[Tuple[Item, Optional[Dict[str, Any]]]]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


class ItemOptionDict(ItemCollection):
    """Items mapped to their options: ``{item: {"ttl": 10, "format": FMT_UTF8}}``."""

    def __init__(self, d: Optional[Dict[Item, Optional[Dict[str, Any]]]] = None) -> None:
        self._d = {} if d is None else d

    @property
    def dict(self) -> Dict[Item, Optional[Dict[str, Any]]]:
        """The underlying ``{item: options}`` dict."""
        return self._d

    def add(self, itm: Item, **options: Any) -> None:
        """Add ``itm`` with ``options`` (replacing an earlier entry for the same Item)."""
        self._d[itm] = options or None

    def create_and_add(self, key: Any, value: Any = None, cas: int = 0, **options: Any) -> Item:
        """A new Item for ``key``/``value``/``cas``, added with ``options``; returns it."""
        itm = Item(key, value)
        itm.cas = cas
        self.add(itm, **options)
        return itm

    def __iter__(self) -> Iterator[Tuple[Item, Optional[Dict[str, Any]]]]:
        return iter(self._d.items())

    def __len__(self) -> int:
        return len(self._d)


class ItemSequence(ItemCollection):
    """Items without options, in order: a list or tuple of Items (or one Item)."""

    def __init__(self, obj: Union[Item, Sequence[Item]]) -> None:
        if isinstance(obj, Item):
            obj = [obj]
        self._seq = obj

    @property
    def sequence(self) -> Sequence[Item]:
        """The underlying sequence."""
        return self._seq

    def __iter__(self) -> Iterator[Tuple[Item, Optional[Dict[str, Any]]]]:
        return ((itm, None) for itm in self._seq)

    def __len__(self) -> int:
        return len(self._seq)
