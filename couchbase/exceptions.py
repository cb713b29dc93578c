"""The exception tree: every C core code maps to a class, by the code's name."""


class CouchbaseError(Exception):
    """Base of every error this SDK raises.

    Built from a dict of attributes (``rc``, ``message``, ``key``, ``inner_cause``,
    ``csrc_info``, ``objextra``, ``all_results``, ``result``) or from a message str.
    """

    rc = 0
    message = None
    key = None
    inner_cause = None
    csrc_info = ()
    objextra = None
    all_results = None
    result = None

    def __init__(self, params=None, **kw):
        if isinstance(params, CouchbaseError):
            kw = dict(params.__dict__, **kw)
            params = None
        if isinstance(params, dict):
            kw = dict(params, **kw)
        elif params is not None:
            kw.setdefault("message", str(params))
        super().__init__(params if params is not None else kw.get("message"))
        for name, value in kw.items():
            setattr(self, name, value)
        if self.all_results is None:
            self.all_results = {}

    @classmethod
    def pyexc(cls, message=None, obj=None, inner=None):
        """An instance raised from Python code (no C source)."""
        return cls({"message": message, "objextra": obj, "inner_cause": inner})

    @classmethod
    def rc_to_exctype(cls, rc):
        """The class for core code ``rc`` (``CouchbaseError`` itself for unmapped codes)."""
        return _RC_CLASSES.get(rc, cls)

    @property
    def categories(self):
        from couchbase._binding import ERROR_NAMES, ERROR_TABLE

        name = ERROR_NAMES.get(self.rc)
        return ERROR_TABLE[name][2] if name else 0

    is_data = property(lambda self: self.categories & 0x10)
    is_transient = property(lambda self: self.categories & 0x08)
    is_fatal = property(lambda self: self.categories & 0x04)
    is_network = property(lambda self: self.categories & 0x02)

    def __str__(self):
        parts = []
        if self.key:
            parts.append("Key=%r" % (self.key,))
        if self.rc:
            from couchbase._binding import strerror

            parts.append("RC=0x%X[%s]" % (self.rc, strerror(self.rc)))
        if self.message:
            parts.append(str(self.message))
        if self.all_results:
            parts.append("Results=%d" % len(self.all_results))
        if self.inner_cause is not None:
            parts.append("inner_cause=%s" % (self.inner_cause,))
        if self.csrc_info:
            parts.append("C Source=(%s,%d)" % tuple(self.csrc_info))
        if self.objextra is not None:
            parts.append("OBJ=%r" % (self.objextra,))
        return "<" + ", ".join(parts) + ">"

    __repr__ = __str__


class ArgumentError(CouchbaseError):
    """Invalid argument: raised before anything is sent."""


class ValueFormatError(CouchbaseError):
    """A value or key could not be encoded or decoded."""


class InternalSDKError(CouchbaseError):
    """An error inside the SDK itself."""


class CouchbaseInternalError(InternalSDKError):
    """An error inside the SDK itself."""


class AuthError(CouchbaseError):
    """Authentication failed."""


class DeltaBadvalError(CouchbaseError):
    """The stored value is not a number (incr/decr)."""


class TooBigError(CouchbaseError):
    """The value is larger than the server accepts."""


class BusyError(CouchbaseError):
    """The server is too busy."""


class InternalError(CouchbaseError):
    """Internal error reported by the server."""


class InvalidError(CouchbaseError):
    """Invalid input (malformed host string, invalid character)."""


class NoMemoryError(CouchbaseError):
    """The server is out of memory."""


class RangeError(CouchbaseError):
    """Value out of range."""


class LibcouchbaseError(CouchbaseError):
    """Generic client library error."""


class TemporaryFailError(CouchbaseError):
    """Temporary failure (for example a locked key): try again later."""


class KeyExistsError(CouchbaseError):
    """The key exists (with a different CAS value)."""


class NotFoundError(CouchbaseError):
    """The key does not exist on the server."""


class DlopenFailedError(CouchbaseError):
    """A shared object could not be opened."""


class DlsymFailedError(CouchbaseError):
    """A symbol could not be found."""


class CouchbaseNetworkError(CouchbaseError):
    """Base of the network errors."""


class NetworkError(CouchbaseNetworkError):
    """The connection to a server failed during I/O."""


class NotMyVbucketError(CouchbaseError):
    """The server does not own the key's vBucket."""


class NotStoredError(CouchbaseError):
    """The item was not stored (append/prepend to a missing key)."""


class NotSupportedError(CouchbaseError):
    """The operation is not supported by the server."""


class UnknownCommandError(CouchbaseError):
    """The server does not know the command."""


class UnknownHostError(CouchbaseNetworkError):
    """The host name could not be resolved."""


class ProtocolError(CouchbaseNetworkError):
    """The server sent something that is not the binary protocol."""


class TimeoutError(CouchbaseError):
    """The operation timed out."""


class ConnectError(CouchbaseNetworkError):
    """A connection could not be established."""


class BucketNotFoundError(CouchbaseError):
    """The bucket does not exist."""


class ClientNoMemoryError(CouchbaseError):
    """The client is out of memory."""


class ClientTemporaryFailError(CouchbaseError):
    """Temporary failure on the client (for example a closed connection)."""


class BadHandleError(CouchbaseError):
    """The handle cannot do this operation."""


class HTTPError(CouchbaseError):
    """An HTTP request returned a non-2xx status; ``objextra`` holds the HttpResult."""


class ObjectThreadError(CouchbaseError):
    """A Connection was used from two threads at once under LOCKMODE_EXC."""


class ViewEngineError(CouchbaseError):
    """The view engine reported errors inline."""


class ObjectDestroyedError(CouchbaseError):
    """The object was destroyed with operations pending."""


class PipelineError(CouchbaseError):
    """Misuse of a pipeline."""


# Core code name -> class. A test checks that every C code is listed here.
_NAME_CLASSES = {
    "OK": CouchbaseError,
    "AUTH_CONTINUE": AuthError,
    "AUTH_ERROR": AuthError,
    "DELTA_BADVAL": DeltaBadvalError,
    "E2BIG": TooBigError,
    "EBUSY": BusyError,
    "EINTERNAL": InternalError,
    "EINVAL": InvalidError,
    "ENOMEM": NoMemoryError,
    "ERANGE": RangeError,
    "ERROR": LibcouchbaseError,
    "ETMPFAIL": TemporaryFailError,
    "KEY_EEXISTS": KeyExistsError,
    "KEY_ENOENT": NotFoundError,
    "DLOPEN_FAILED": DlopenFailedError,
    "DLSYM_FAILED": DlsymFailedError,
    "NETWORK_ERROR": NetworkError,
    "NOT_MY_VBUCKET": NotMyVbucketError,
    "NOT_STORED": NotStoredError,
    "NOT_SUPPORTED": NotSupportedError,
    "UNKNOWN_COMMAND": UnknownCommandError,
    "UNKNOWN_HOST": UnknownHostError,
    "PROTOCOL_ERROR": ProtocolError,
    "ETIMEDOUT": TimeoutError,
    "CONNECT_ERROR": ConnectError,
    "BUCKET_ENOENT": BucketNotFoundError,
    "CLIENT_ENOMEM": ClientNoMemoryError,
    "CLIENT_ETMPFAIL": ClientTemporaryFailError,
    "EBADHANDLE": BadHandleError,
    "SERVER_BUG": InternalError,
    "PLUGIN_VERSION_MISMATCH": DlopenFailedError,
    "INVALID_HOST_FORMAT": InvalidError,
    "INVALID_CHAR": InvalidError,
    "DURABILITY_ETOOMANY": ArgumentError,
    "DUPLICATE_COMMANDS": ArgumentError,
    "NO_MATCHING_SERVER": NetworkError,
    "BAD_ENVIRONMENT": ArgumentError,
    "BUSY": BusyError,
    "INVALID_USERNAME": AuthError,
    "CONFIG_CACHE_INVALID": ArgumentError,
    "SASLMECH_UNAVAILABLE": AuthError,
    "DOCUMENT_LOCKED": TemporaryFailError,
    "NOT_LOCKED": TemporaryFailError,
    "UNKNOWN_COLLECTION": ArgumentError,
    "UNKNOWN_SCOPE": ArgumentError,
    "DURABILITY_INVALID_LEVEL": ArgumentError,
    "DURABILITY_IMPOSSIBLE": CouchbaseError,
    "SYNC_WRITE_IN_PROGRESS": TemporaryFailError,
    "SYNC_WRITE_AMBIGUOUS": TimeoutError,
    "SYNC_WRITE_RECOMMIT": TemporaryFailError,
    "ACCESS_DENIED": AuthError,
    "NO_BUCKET": BucketNotFoundError,
    "CAS_INVALID": ArgumentError,
    "SERVER_STATUS": CouchbaseError,
    "UNKNOWN_FRAME": ArgumentError,
    "CLOSED": ClientTemporaryFailError,
    "KEY_TOO_LONG": ArgumentError,
    "EMPTY_KEY": ArgumentError,
}

_RC_CLASSES = {}


def _register(name_classes):
    """Fill the rc -> class map from the core's code table (done once at import)."""
    from couchbase._binding import ERROR_TABLE

    for name, (code, _text, _cats) in ERROR_TABLE.items():
        cls = name_classes.get(name)
        if cls is not None and code:
            _RC_CLASSES[code] = cls


_register(_NAME_CLASSES)


# ---------------------------------------------------------------------------------------
# The modern (4.x-style) exceptions. They join the tree above: CouchbaseException is a
# CouchbaseError, and a class whose meaning matches a 1.x class also derives from it, so
# `except NotFoundError` catches DocumentNotFoundException.
# ---------------------------------------------------------------------------------------


class CouchbaseException(CouchbaseError):
    """Base of the modern exceptions: ``message``, ``error_code``, ``error_context``, ``inner_cause``."""

    _ec = None

    def __init__(self, message=None, base=None, context=None, error_code=None, exc_info=None, **kwargs):
        params = dict(message) if isinstance(message, dict) else {"message": message}
        params.update(kwargs)
        if base is not None and params.get("inner_cause") is None:
            params["inner_cause"] = base
        params.setdefault("context", context)
        params["error_code"] = error_code if error_code is not None else type(self)._ec
        params.setdefault("exc_info", exc_info)
        CouchbaseError.__init__(self, params)

    @property
    def error_context(self):
        return self.context

    def __str__(self):
        parts = []
        if self.error_code is not None:
            parts.append("ec=%s" % (self.error_code,))
        if self.message:
            parts.append("message=%s" % (self.message,))
        if self.key is not None:
            parts.append("key=%r" % (self.key,))
        if self.context:
            parts.append("context=%s" % (self.context,))
        if self.inner_cause is not None:
            parts.append("inner_cause=%r" % (self.inner_cause,))
        if self.csrc_info:
            parts.append("C Source=(%s,%d)" % tuple(self.csrc_info))
        return "%s(<%s>)" % (type(self).__name__, ", ".join(parts))

    __repr__ = __str__


def _modern(name, ec, *bases, doc=""):
    if not any(issubclass(b, CouchbaseException) for b in bases):
        bases = (CouchbaseException,) + bases
    cls = type(name, bases, {"_ec": ec, "__doc__": doc, "__module__": __name__})
    globals()[name] = cls
    return cls


_modern("RequestCanceledException", 2, doc="The request was cancelled.")
_modern("InvalidArgumentException", 3, ArgumentError, doc="An argument is not valid.")
_modern("ServiceUnavailableException", 4, doc="The service is not available.")
_modern("InternalServerFailureException", 5, InternalError, doc="The server reported an internal error.")
_modern("AuthenticationException", 6, AuthError, doc="Authentication failed.")
_modern("TemporaryFailException", 7, TemporaryFailError, doc="Temporary failure: try again later.")
_modern("CasMismatchException", 9, KeyExistsError, doc="The CAS given does not match the document's.")
_modern("BucketNotFoundException", 10, BucketNotFoundError, doc="The bucket does not exist.")
_modern("CollectionNotFoundException", 11, doc="The collection does not exist.")
_modern("UnsupportedOperation", 12, NotSupportedError, doc="The server does not support the operation.")
_modern("TimeoutException", None, TimeoutError, doc="Base of the two timeout exceptions.")
_modern("AmbiguousTimeoutException", 13, TimeoutException,  # noqa: F821
        doc="Timed out; the operation may or may not have taken effect.")
_modern("UnAmbiguousTimeoutException", 14, TimeoutException,  # noqa: F821
        doc="Timed out; the operation did not take effect.")
_modern("FeatureUnavailableException", 15, doc="The feature is not available.")
_modern("ScopeNotFoundException", 16, doc="The scope does not exist.")
_modern("DocumentNotFoundException", 101, NotFoundError, doc="The document does not exist.")
_modern("DocumentUnretrievableException", 102, NotFoundError, doc="No copy of the document could be read.")
_modern("DocumentLockedException", 103, TemporaryFailError, doc="The document is locked.")
_modern("DocumentExistsException", 105, KeyExistsError, doc="The document already exists.")
_modern("DurabilityInvalidLevelException", 107, ArgumentError, doc="The durability level is not valid.")
_modern("DurabilityImpossibleException", 108, doc="The durability requirement cannot be met.")
_modern("DurabilitySyncWriteAmbiguousException", 109, TimeoutError,
        doc="The durable write's outcome is unknown.")
_modern("DurabilitySyncWriteInProgressException", 110, TemporaryFailError,
        doc="A durable write on the document is in progress.")
_modern("PathNotFoundException", 113, doc="A sub-document path does not exist.")
_modern("DeltaInvalidException", 122, DeltaBadvalError, doc="The document is not a number.")
_modern("DocumentNotLockedException", 131, TemporaryFailError, doc="The document is not locked.")
_modern("InternalSDKException", 5000, InternalSDKError, doc="An error inside the SDK.")
_modern("ValueFormatException", None, ValueFormatError, doc="A value could not be encoded or decoded.")
_modern("CryptoException", None, doc="Field-level encryption failed.")

#: Aliases kept by the 4.x SDK, and the short name this project's issue uses.
CASMismatchException = CasMismatchException  # noqa: F821
DurabilityAmbiguousException = DurabilitySyncWriteAmbiguousException  # noqa: F821
