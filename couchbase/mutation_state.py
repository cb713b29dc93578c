"""MutationState: the mutation tokens a query should be consistent with
(``QueryOptions(consistent_with=MutationState(result, ...))``)."""
from couchbase._modern.results import MutationToken
from couchbase.exceptions import MissingTokenException

__all__ = ["MutationState"]


class MutationState:
    """A set of MutationToken, built from mutation results or tokens."""

    def __init__(self, *docs, **kwargs):
        self._sv = set()
        if docs:
            self.add_results(*docs, **kwargs)

    def add_mutation_token(self, mut_token):
        if isinstance(mut_token, MutationToken):
            self._sv.add(mut_token)

    def _add_scanvec(self, mut_token):
        if isinstance(mut_token, MutationToken):
            self._sv.add(mut_token)
            return True
        return False

    def add_results(self, *rvs, **kwargs):
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

    def add_all(self, bucket, quiet=False):
        raise NotImplementedError("add_all is not implemented, as in the 4.x SDK")

    def __iter__(self):
        return iter(self._sv)

    def __len__(self):
        return len(self._sv)

    def __eq__(self, other):
        return isinstance(other, MutationState) and self._sv == other._sv

    __hash__ = None

    def __repr__(self):
        return "MutationState:%s" % (self._sv,)
