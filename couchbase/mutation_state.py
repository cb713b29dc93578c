"""MutationState: the mutation tokens a query should be consistent with
(``QueryOptions(consistent_with=MutationState(result, ...))``)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator, NoReturn, Set

from couchbase._modern.results import MutationToken
from couchbase.exceptions import MissingTokenException

__all__ = ["MutationState"]


class MutationState:
    """A set of MutationToken, built from mutation results or tokens."""

    def __init__(self, *docs: Any, **kwargs: Any) -> None:
        self._sv: Set[MutationToken] = set()
        if docs:
            self.add_results(*docs, **kwargs)

    def add_mutation_token(self, mut_token: MutationToken) -> None:
        if isinstance(mut_token, MutationToken):
            self._sv.add(mut_token)

    def _add_scanvec(self, mut_token: object) -> bool:
        if isinstance(mut_token, MutationToken):
            self._sv.add(mut_token)
            return True
        return False

    def add_results(self, *rvs: Any, **kwargs: Any) -> bool:
        """Add the token of each result; MissingTokenException when one has none (unless
        ``quiet=True``, which returns False instead)."""
        if not rvs:
            raise MissingTokenException("No results passed")
        for rv in rvs:
            token = rv.mutation_token()
            if not isinstance(token, MutationToken):
                if kwargs.get("quiet", False) is True:
                    return False
                raise MissingTokenException("Result does not contain token")
            self._sv.add(token)
        return True

    def add_all(self, bucket: Any, quiet: bool = False) -> NoReturn:
        raise NotImplementedError("add_all is not implemented, as in the 4.x SDK")

    def __iter__(self) -> Iterator[MutationToken]:
        return iter(self._sv)

    def __len__(self) -> int:
        return len(self._sv)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MutationState) and self._sv == other._sv

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "MutationState:%s" % (self._sv,)
