"""Argument types of the classic (1.x) API, for type checkers (never imported at run time)."""
from typing import Any, Iterable, Mapping, Optional, Union

from couchbase.items import ItemCollection

#: a key: str (sent as UTF-8) or bytes (a transcoder's encode_key may give either)
Key = Union[str, bytes]
#: the keys of a _multi read or key operation: a list/tuple, a dict (per-key options), or Items
Keys = Union[Iterable[Key], Mapping[Key, Any], ItemCollection]
#: the keys and values of a _multi store: a dict (values, or Arguments), or Items
KeyValues = Union[Mapping[Key, Any], ItemCollection]
#: a format code (FMT_JSON, FMT_PICKLE, FMT_BYTES, FMT_UTF8, FMT_AUTO) or None for the default
Fmt = Optional[Any]
