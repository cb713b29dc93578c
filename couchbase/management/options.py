"""Option classes of the management APIs (4.x ``couchbase.management.options``)."""
from couchbase.options import OptionsTimeout

__all__ = ["GetDesignDocumentOptions", "GetAllDesignDocumentsOptions", "UpsertDesignDocumentOptions",
           "DropDesignDocumentOptions", "PublishDesignDocumentOptions"]


class GetDesignDocumentOptions(OptionsTimeout):
    pass


class GetAllDesignDocumentsOptions(OptionsTimeout):
    pass


class UpsertDesignDocumentOptions(OptionsTimeout):
    pass


class DropDesignDocumentOptions(OptionsTimeout):
    pass


class PublishDesignDocumentOptions(OptionsTimeout):
    pass
