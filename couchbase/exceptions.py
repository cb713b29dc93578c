"""The exception classes of both API generations, and the one table from core codes to them.

A leaf module: it imports nothing from the SDK but the error contexts (themselves a leaf,
couchbase._modern.error_context), so ``couchbase.exceptions`` (and the modules that import
only it, such as ``couchbase.options``) load without the compiled core.
The core's code numbers, names and texts reach it when the engine loads
(couchbase._core.binding calls ``register_codes``); before that no code can arise.

The modern (4.x) classes join the 1.x tree: ``CouchbaseException`` is a ``CouchbaseError``,
and a modern class whose meaning matches a 1.x class derives from it too, so
``except NotFoundError`` also catches ``DocumentNotFoundException``.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Mapping, Optional, Tuple, Type, TypeVar

    _E = TypeVar("_E")
    _CE = TypeVar("_CE", bound="CouchbaseError")
from enum import Enum

from couchbase._modern.error_context import (  # noqa: F401  (the 4.x path of the error contexts)
    AnalyticsErrorContext as AnalyticsErrorContext, ErrorContext as ErrorContext, HTTPErrorContext as HTTPErrorContext,
    KeyValueErrorContext as KeyValueErrorContext, ManagementErrorContext as ManagementErrorContext,
    QueryErrorContext as QueryErrorContext, SearchErrorContext as SearchErrorContext,
    SubdocumentErrorContext as SubdocumentErrorContext, TransactionsErrorContext as TransactionsErrorContext,
    ViewErrorContext as ViewErrorContext,
)


def _detach(exc: _E, depth: int = 0) -> _E:
    """Release the frames an inner cause (and its chain) holds, keeping them as a note: frames
    reach callers' locals through f_back, so a kept error would keep the connection alive."""
    if isinstance(exc, BaseException) and depth < 8:
        tb, exc.__traceback__ = exc.__traceback__, None
        if tb is not None and hasattr(exc, "add_note"):
            import traceback
            text = "".join(traceback.format_tb(tb)).rstrip()
            exc.add_note("Traceback of this inner cause (frames released):\n" + text)
        for chained in (exc.__cause__, exc.__context__):
            if chained is not None and chained is not exc:
                _detach(chained, depth + 1)
    return exc


class CouchbaseError(Exception):
    """Base of every error this SDK raises.

    Built from a dict of attributes (``rc``, ``message``, ``key``, ``inner_cause``,
    ``csrc_info``, ``objextra``, ``all_results``, ``result``) or from a message str.
    """

    rc: int = 0
    message: Any = None
    key: Any = None
    inner_cause: Optional[BaseException] = None
    csrc_info: Tuple[Any, ...] = ()
    objextra: Any = None
    all_results: Any = None
    result: Any = None

    def __init__(self, params: Any = None, **kw: Any) -> None:
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
        if self.inner_cause is not None:
            _detach(self.inner_cause)

    @classmethod
    def pyexc(cls: Type[_CE], message: Any = None, obj: Any = None, inner: Optional[BaseException] = None) -> _CE:
        """An instance raised from Python code (no C source)."""
        return cls({"message": message, "objextra": obj, "inner_cause": inner})

    @classmethod
    def rc_to_exctype(cls, rc: int) -> Type[CouchbaseError]:
        """The classic class for core code ``rc`` (the class asked, for unmapped codes)."""
        row = _BY_CODE.get(rc)
        return row[0] if row is not None else cls

    @classmethod
    def _can_derive(cls, rc: int) -> bool:
        """True when the class of code ``rc`` is ``cls`` or derives from it."""
        return issubclass(cls.rc_to_exctype(rc), cls)

    @property
    def categories(self) -> int:
        info = _CODES.get(self.rc)
        return info[2] if info else 0

    is_data = property(lambda self: self.categories & 0x10)
    is_transient = property(lambda self: self.categories & 0x08)
    is_fatal = property(lambda self: self.categories & 0x04)
    is_network = property(lambda self: self.categories & 0x02)

    def __str__(self) -> str:
        parts = []
        if self.key:
            parts.append("Key=%r" % (self.key,))
        if self.rc:
            parts.append("RC=0x%X[%s]" % (self.rc, code_text(self.rc)))
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


# The 1.2 category bases (libcouchbase >= 2.3 error types): every class of a code with a
# category derives from its category classes, so ``except CouchbaseDataError`` catches a
# NotFoundError (1.2 built such classes at import; here they are written out).
class CouchbaseInputError(CouchbaseError): """Category: invalid input (an argument, a key, a host name)."""
class CouchbaseTransientError(CouchbaseError): """Category: temporary; a retry may succeed."""
class CouchbaseFatalError(CouchbaseError): """Category: the connection cannot continue in its current state."""
class CouchbaseDataError(CouchbaseError): """Category: the data on the server (missing, exists ...)."""
class CouchbaseNetworkError(CouchbaseError): """Category: the network (and the base of the network errors)."""
class ArgumentError(CouchbaseInputError): """Invalid argument: raised before anything is sent."""
class ValueFormatError(CouchbaseError): """A value or key could not be encoded or decoded."""
class InternalSDKError(CouchbaseError): """An error inside the SDK itself."""
class CouchbaseInternalError(InternalSDKError): """An error inside the SDK itself."""
class AuthError(CouchbaseFatalError, CouchbaseInputError): """Authentication failed."""
class DeltaBadvalError(CouchbaseInputError, CouchbaseDataError): """The stored value is not a number (incr/decr)."""
class TooBigError(CouchbaseInputError, CouchbaseDataError): """The value is larger than the server accepts."""
class BusyError(CouchbaseTransientError): """The server is too busy."""
class InternalError(CouchbaseError): """Internal error reported by the server."""
class InvalidError(CouchbaseInputError): """Invalid input (malformed host string, invalid character)."""
class NoMemoryError(CouchbaseTransientError): """The server is out of memory."""
class RangeError(CouchbaseInputError, CouchbaseDataError): """Value out of range."""
class LibcouchbaseError(CouchbaseError): """Generic client library error."""
class TemporaryFailError(CouchbaseTransientError): """Temporary failure (for example a locked key): try again later."""
class KeyExistsError(CouchbaseDataError): """The key exists (with a different CAS value)."""
class NotFoundError(CouchbaseDataError): """The key does not exist on the server."""
class DlopenFailedError(CouchbaseInputError, CouchbaseFatalError): """A shared object could not be opened."""
class DlsymFailedError(CouchbaseInputError, CouchbaseFatalError): """A symbol could not be found."""
class NetworkError(CouchbaseNetworkError): """The connection to a server failed during I/O."""
class NotMyVbucketError(CouchbaseNetworkError, CouchbaseTransientError): """The server does not own the vBucket."""
class NotStoredError(CouchbaseDataError): """The item was not stored (append/prepend to a missing key)."""
class NotSupportedError(CouchbaseError): """The operation is not supported by the server."""
class UnknownCommandError(CouchbaseError): """The server does not know the command."""
class UnknownHostError(CouchbaseNetworkError, CouchbaseInputError): """The host name could not be resolved."""
class ProtocolError(CouchbaseNetworkError): """The server sent something that is not the binary protocol."""
class TimeoutError(CouchbaseNetworkError, CouchbaseTransientError): """The operation timed out."""
class ConnectError(CouchbaseNetworkError): """A connection could not be established."""
class TLSError(CouchbaseNetworkError): """A TLS connection failed; the message names the host, the port and the reason."""
class CertificateUntrustedError(TLSError, CouchbaseFatalError): """The server's certificate does not chain to a trusted CA."""
class CertificateHostnameError(TLSError, CouchbaseFatalError): """The server's certificate does not name the host connected to."""
class CertificateExpiredError(TLSError, CouchbaseFatalError): """The server's certificate has expired (or is not valid yet)."""
class PlaintextServerError(TLSError, CouchbaseFatalError): """The server does not speak TLS on the port connected to (a plaintext port)."""
class BucketNotFoundError(CouchbaseInputError, CouchbaseFatalError): """The bucket does not exist."""
class ClientNoMemoryError(CouchbaseFatalError): """The client is out of memory."""
class ClientTemporaryFailError(CouchbaseTransientError): """Temporary failure on the client (a closed connection)."""
class BadHandleError(CouchbaseInputError): """The handle cannot do this operation."""
class HTTPError(CouchbaseError): """An HTTP request returned a non-2xx status; ``objextra`` holds the HttpResult."""
class ObjectThreadError(CouchbaseError): """A Connection was used from two threads at once under LOCKMODE_EXC."""
class ViewEngineError(CouchbaseError): """The view engine reported errors inline."""
class AlreadyQueriedError(CouchbaseError): """A View was iterated a second time."""
class ObjectDestroyedError(CouchbaseError): """The object was destroyed with operations pending."""
class PipelineError(CouchbaseError): """Misuse of a pipeline."""


# ---------------------------------------------------------------------------------------
# The modern (4.x) classes
# ---------------------------------------------------------------------------------------


class CouchbaseException(CouchbaseError):
    """Base of the modern exceptions: ``message``, ``error_code``, ``error_context``, ``inner_cause``."""

    _ec: Optional[int] = None
    context: Any  # an ErrorContext, or the dict of its fields
    error_code: Optional[int]
    exc_info: Any

    def __init__(self, message: Any = None, base: Optional[BaseException] = None,
                 context: Any = None, error_code: Optional[int] = None, exc_info: Any = None,
                 **kwargs: Any) -> None:
        params = dict(message) if isinstance(message, dict) else {"message": message}
        params.update(kwargs)
        if base is not None and params.get("inner_cause") is None:
            params["inner_cause"] = base
        params.setdefault("context", context)
        params["error_code"] = error_code if error_code is not None else type(self)._ec
        params.setdefault("exc_info", exc_info)
        CouchbaseError.__init__(self, params)

    @property
    def error_context(self) -> Any:
        return self.context

    def __str__(self) -> str:
        parts = []
        if self.error_code is not None:
            parts.append("ec=%s" % (self.error_code,))
            category = _category(self.error_code) if self.rc else None
            if category is not None:  # raised for a failure of the core, as 4.x shows it
                parts.append("category=%s" % category)
        if self.message:
            parts.append("message=%s" % (self.message,))
        if self.key is not None:
            parts.append("key=%r" % (self.key,))
        if self.context:
            parts.append("context=%s" % (self.context,))
        if self.inner_cause is not None:
            parts.append("inner_cause=%r" % (self.inner_cause,))
        if self.csrc_info:
            parts.append("C Source=%s:%d" % tuple(self.csrc_info))
        return "%s(<%s>)" % (type(self).__name__, ", ".join(parts))

    __repr__ = __str__


#: (first code, last code, name) of the 4.x error categories
_CATEGORIES = ((0, 99, "couchbase.common"), (100, 199, "couchbase.key_value"), (200, 299, "couchbase.query"),
               (300, 399, "couchbase.analytics"), (400, 499, "couchbase.search"), (500, 599, "couchbase.view"),
               (600, 699, "couchbase.management"), (700, 799, "couchbase.field_level_encryption"),
               (1000, 1099, "couchbase.network"))


def _category(error_code: int) -> Optional[str]:
    """The 4.x error category of `error_code` (None outside them)."""
    for first, last, name in _CATEGORIES:
        if first <= error_code <= last:
            return name
    return None


class RequestCanceledException(CouchbaseException):
    """The request was cancelled."""
    _ec = 2


class InvalidArgumentException(CouchbaseException, ArgumentError):
    """An argument is not valid."""
    _ec = 3


class ServiceUnavailableException(CouchbaseException):
    """The service is not available."""
    _ec = 4


class InternalServerFailureException(CouchbaseException, InternalError):
    """The server reported an internal error."""
    _ec = 5


class AuthenticationException(CouchbaseException, AuthError):
    """Authentication failed."""
    _ec = 6


class TemporaryFailException(CouchbaseException, TemporaryFailError):
    """Temporary failure: try again later."""
    _ec = 7


class CasMismatchException(CouchbaseException, KeyExistsError):
    """The CAS given does not match the document's."""
    _ec = 9


class BucketNotFoundException(CouchbaseException, BucketNotFoundError):
    """The bucket does not exist."""
    _ec = 10


class CollectionNotFoundException(CouchbaseException):
    """The collection does not exist."""
    _ec = 11


class UnsupportedOperation(CouchbaseException, NotSupportedError):
    """The server does not support the operation."""
    _ec = 12


class TimeoutException(CouchbaseException, TimeoutError):
    """Base of the two timeout exceptions."""


class AmbiguousTimeoutException(TimeoutException):
    """Timed out; the operation may or may not have taken effect."""
    _ec = 13


class UnAmbiguousTimeoutException(TimeoutException):
    """Timed out; the operation did not take effect."""
    _ec = 14


class FeatureUnavailableException(CouchbaseException):
    """The feature is not available."""
    _ec = 15


class ScopeNotFoundException(CouchbaseException):
    """The scope does not exist."""
    _ec = 16


class DocumentNotFoundException(CouchbaseException, NotFoundError):
    """The document does not exist."""
    _ec = 101


class DocumentUnretrievableException(CouchbaseException, NotFoundError):
    """No copy of the document could be read."""
    _ec = 102


class DocumentLockedException(CouchbaseException, TemporaryFailError):
    """The document is locked."""
    _ec = 103


class DocumentExistsException(CouchbaseException, KeyExistsError):
    """The document already exists."""
    _ec = 105


class DurabilityInvalidLevelException(CouchbaseException, ArgumentError):
    """The durability level is not valid."""
    _ec = 107


class DurabilityImpossibleException(CouchbaseException):
    """The durability requirement cannot be met."""
    _ec = 108


class DurabilitySyncWriteAmbiguousException(CouchbaseException, TimeoutError):
    """The durable write's outcome is unknown."""
    _ec = 109


class DurabilitySyncWriteInProgressException(CouchbaseException, TemporaryFailError):
    """A durable write on the document is in progress."""
    _ec = 110


class PathNotFoundException(CouchbaseException):
    """A sub-document path does not exist."""
    _ec = 113


class DeltaInvalidException(CouchbaseException, DeltaBadvalError):
    """The document is not a number."""
    _ec = 122


class DocumentNotLockedException(CouchbaseException, TemporaryFailError):
    """The document is not locked."""
    _ec = 131


class InternalSDKException(CouchbaseException, InternalSDKError):
    """An error inside the SDK."""
    _ec = 5000


class ValueFormatException(CouchbaseException, ValueFormatError):
    """A value could not be encoded or decoded."""


class CryptoException(CouchbaseException):
    """Field-level encryption failed."""


class TLSException(CouchbaseException, TLSError):
    """A TLS connection failed; the message names the host, the port and OpenSSL's reason."""


class CertificateUntrustedException(TLSException, CertificateUntrustedError):
    """The server's certificate does not chain to a trusted CA."""


class CertificateHostnameException(TLSException, CertificateHostnameError):
    """The server's certificate does not name the host connected to."""


class CertificateExpiredException(TLSException, CertificateExpiredError):
    """The server's certificate has expired (or is not valid yet)."""


class PlaintextServerException(TLSException, PlaintextServerError):
    """The server does not speak TLS on the port connected to (a plaintext port)."""


# The rest of the 4.x classes, one line each: (base, 4.x error code)
class QueryIndexNotFoundException(CouchbaseException): _ec = 17
class QueryIndexAlreadyExistsException(CouchbaseException): _ec = 18
class RateLimitedException(CouchbaseException): _ec = 21
class QuotaLimitedException(CouchbaseException): _ec = 22
class PathMismatchException(CouchbaseException): _ec = 114
class PathInvalidException(CouchbaseException): _ec = 115
class PathTooBigException(CouchbaseException): _ec = 116
class PathTooDeepException(CouchbaseException): _ec = 117
class ValueTooDeepException(CouchbaseException): _ec = 118
class InvalidValueException(CouchbaseException): _ec = 119
class DocumentNotJsonException(CouchbaseException): _ec = 120
class NumberTooBigException(CouchbaseException): _ec = 121
class PathExistsException(CouchbaseException): _ec = 123
class MutationTokenOutdatedException(CouchbaseException): _ec = 133
class RangeScanCompletedException(CouchbaseException): _ec = 134
class DatasetNotFoundException(CouchbaseException): _ec = 303
class DataverseNotFoundException(CouchbaseException): _ec = 304
class DatasetAlreadyExistsException(CouchbaseException): _ec = 305
class DataverseAlreadyExistsException(CouchbaseException): _ec = 306
class HTTPException(CouchbaseException): _ec = 5001
class UnsuccessfulOperationException(CouchbaseException): _ec = 5002
class AnalyticsLinkExistsException(CouchbaseException): pass
class AnalyticsLinkNotFoundException(CouchbaseException): pass
class BucketAlreadyExistsException(CouchbaseException): pass
class BucketDoesNotExistException(CouchbaseException): pass
class BucketNotFlushableException(CouchbaseException): pass
class ScopeAlreadyExistsException(CouchbaseException): pass
class CollectionAlreadyExistsException(CouchbaseException): pass
class UserNotFoundException(CouchbaseException): pass
class GroupNotFoundException(CouchbaseException): pass
class FeatureNotFoundException(CouchbaseException): pass
class InvalidIndexException(CouchbaseException): pass
class KeyspaceNotFoundException(CouchbaseException): pass
class SearchIndexNotFoundException(CouchbaseException): pass
class WatchQueryIndexTimeoutException(CouchbaseException): pass
class MissingConnectionException(CouchbaseException): pass
class MissingTokenException(CouchbaseException): pass
class NoChildrenException(CouchbaseException): pass
class QueueEmpty(CouchbaseException): pass
class EventingFunctionAlreadyDeployedException(CouchbaseException): pass
class EventingFunctionCollectionNotFoundException(CouchbaseException): pass
class EventingFunctionCompilationFailureException(CouchbaseException): pass
class EventingFunctionIdenticalKeyspaceException(CouchbaseException): pass
class EventingFunctionNotBootstrappedException(CouchbaseException): pass
class EventingFunctionNotDeployedException(CouchbaseException): pass
class EventingFunctionNotFoundException(CouchbaseException): pass
class EventingFunctionNotUnDeployedException(CouchbaseException): pass
class TransactionException(CouchbaseException): pass
class TransactionFailed(TransactionException): pass
class TransactionExpired(TransactionException): pass
class TransactionCommitAmbiguous(TransactionException): pass
class TransactionOperationFailed(TransactionException): pass
class CryptoKeyNotFoundException(CryptoException): pass
class InvalidCryptoKeyException(CryptoException): pass
class InvalidCipherTextException(CryptoException): pass
class EncrypterNotFoundException(CryptoException): pass
class DecrypterNotFoundException(CryptoException): pass
class EncrypterAlreadyExistsException(CryptoException): pass
class DecrypterAlreadyExistsException(CryptoException): pass
class EncryptionFailureException(CryptoException): pass
class DecryptionFailureException(CryptoException): pass


class CouchbaseErrorCategory(Enum):
    """The 4.x error categories (``couchbase.common``, ``couchbase.key_value`` ...)."""
    COMMON = "couchbase.common"
    KEY_VALUE = "couchbase.key_value"
    QUERY = "couchbase.query"
    ANALYTICS = "couchbase.analytics"
    SEARCH = "couchbase.search"
    VIEW = "couchbase.view"
    MANAGEMENT = "couchbase.management"
    NETWORK = "couchbase.network"
    FIELD_LEVEL_ENCRYPTION = "couchbase.field_level_encryption"
    TRANSACTIONS = "couchbase.transactions"


#: Aliases kept by the 4.x SDK.
class DesignDocumentNotFoundException(CouchbaseException, HTTPError):
    """A design document (or a view of it) does not exist."""
    _ec = 502


class ViewNotFoundException(DesignDocumentNotFoundException):
    """A view does not exist in its design document."""


class AlreadyQueriedException(CouchbaseException, AlreadyQueriedError):
    """The rows of a query result were iterated already."""


class ParsingFailedException(CouchbaseException, ProtocolError):
    """A service's answer could not be parsed."""
    _ec = 8


CASMismatchException = CasMismatchException
DurabilityAmbiguousException = DurabilitySyncWriteAmbiguousException
SubdocCantInsertValueException = InvalidValueException
SubdocPathMismatchException = PathMismatchException


# ---------------------------------------------------------------------------------------
# The one table: core code name -> (classic class, modern class)
# ---------------------------------------------------------------------------------------

#: Marks a code whose modern class depends on whether the operation was a mutation:
#: it may have taken effect (AmbiguousTimeoutException) or not (UnAmbiguousTimeoutException).
_TIMEOUT = object()

#: Marks a code that 4.x reports as the base class with its own error code and message.
_VALUE_TOO_LARGE = object()

_C, _M = CouchbaseError, CouchbaseException
_TABLE: Dict[str, Tuple[Type[CouchbaseError], Any]] = {
    "OK": (_C, _M),
    "AUTH_CONTINUE": (AuthError, _M),
    "AUTH_ERROR": (AuthError, AuthenticationException),
    "DELTA_BADVAL": (DeltaBadvalError, DeltaInvalidException),
    "E2BIG": (TooBigError, _VALUE_TOO_LARGE),
    "EBUSY": (BusyError, TemporaryFailException),
    "EINTERNAL": (InternalError, InternalServerFailureException),
    "EINVAL": (InvalidError, InvalidArgumentException),
    "ENOMEM": (NoMemoryError, TemporaryFailException),
    "ERANGE": (RangeError, _M),
    "ERROR": (LibcouchbaseError, _M),
    "ETMPFAIL": (TemporaryFailError, TemporaryFailException),
    "KEY_EEXISTS": (KeyExistsError, CasMismatchException),
    "KEY_ENOENT": (NotFoundError, DocumentNotFoundException),
    "DLOPEN_FAILED": (DlopenFailedError, _M),
    "DLSYM_FAILED": (DlsymFailedError, _M),
    "NETWORK_ERROR": (NetworkError, _TIMEOUT),
    "NOT_MY_VBUCKET": (NotMyVbucketError, _TIMEOUT),
    "NOT_STORED": (NotStoredError, DocumentNotFoundException),
    "NOT_SUPPORTED": (NotSupportedError, FeatureUnavailableException),
    "UNKNOWN_COMMAND": (UnknownCommandError, UnsupportedOperation),
    "UNKNOWN_HOST": (UnknownHostError, _M),
    "PROTOCOL_ERROR": (ProtocolError, _M),
    "ETIMEDOUT": (TimeoutError, _TIMEOUT),
    "CONNECT_ERROR": (ConnectError, _TIMEOUT),
    "BUCKET_ENOENT": (BucketNotFoundError, BucketNotFoundException),
    "CLIENT_ENOMEM": (ClientNoMemoryError, _M),
    "CLIENT_ETMPFAIL": (ClientTemporaryFailError, RequestCanceledException),
    "EBADHANDLE": (BadHandleError, _M),
    "SERVER_BUG": (InternalError, _M),
    "PLUGIN_VERSION_MISMATCH": (DlopenFailedError, _M),
    "INVALID_HOST_FORMAT": (InvalidError, _M),
    "INVALID_CHAR": (InvalidError, _M),
    "DURABILITY_ETOOMANY": (ArgumentError, _M),
    "DUPLICATE_COMMANDS": (ArgumentError, _M),
    "NO_MATCHING_SERVER": (NetworkError, _TIMEOUT),
    "BAD_ENVIRONMENT": (ArgumentError, _M),
    "BUSY": (BusyError, _M),
    "INVALID_USERNAME": (AuthError, _M),
    "CONFIG_CACHE_INVALID": (ArgumentError, _M),
    "SASLMECH_UNAVAILABLE": (AuthError, AuthenticationException),
    "DOCUMENT_LOCKED": (TemporaryFailError, DocumentLockedException),
    "NOT_LOCKED": (TemporaryFailError, DocumentNotLockedException),
    "UNKNOWN_COLLECTION": (ArgumentError, CollectionNotFoundException),
    "UNKNOWN_SCOPE": (ArgumentError, ScopeNotFoundException),
    "DURABILITY_INVALID_LEVEL": (ArgumentError, DurabilityInvalidLevelException),
    "DURABILITY_IMPOSSIBLE": (CouchbaseError, DurabilityImpossibleException),
    "SYNC_WRITE_IN_PROGRESS": (TemporaryFailError, _TIMEOUT),
    "SYNC_WRITE_AMBIGUOUS": (TimeoutError, DurabilitySyncWriteAmbiguousException),
    "SYNC_WRITE_RECOMMIT": (TemporaryFailError, _TIMEOUT),
    "ACCESS_DENIED": (AuthError, AuthenticationException),
    "NO_BUCKET": (BucketNotFoundError, BucketNotFoundException),
    "CAS_INVALID": (ArgumentError, InvalidArgumentException),
    "SERVER_STATUS": (CouchbaseError, _M),
    "UNKNOWN_FRAME": (ArgumentError, _M),
    "CLOSED": (ClientTemporaryFailError, RequestCanceledException),
    "KEY_TOO_LONG": (ArgumentError, InvalidArgumentException),
    "EMPTY_KEY": (ArgumentError, InvalidArgumentException),
    "XATTR_EINVAL": (ArgumentError, InvalidArgumentException),
    "SUBDOC_PATH_ENOENT": (_C, PathNotFoundException),
    "SUBDOC_PATH_MISMATCH": (_C, PathMismatchException),
    "SUBDOC_PATH_EINVAL": (ArgumentError, PathInvalidException),
    "SUBDOC_PATH_E2BIG": (ArgumentError, PathTooBigException),
    "SUBDOC_DOC_E2DEEP": (_C, PathTooDeepException),
    "SUBDOC_VALUE_CANTINSERT": (ArgumentError, InvalidValueException),
    "SUBDOC_DOC_NOT_JSON": (_C, DocumentNotJsonException),
    "SUBDOC_NUM_ERANGE": (_C, NumberTooBigException),
    "SUBDOC_DELTA_EINVAL": (ArgumentError, DeltaInvalidException),
    "SUBDOC_PATH_EEXISTS": (_C, PathExistsException),
    "SUBDOC_VALUE_ETOODEEP": (ArgumentError, ValueTooDeepException),
    "SUBDOC_INVALID_COMBO": (ArgumentError, InvalidArgumentException),
    "SUBDOC_MULTI_FAILURE": (_C, _M),
    "SUBDOC_XATTR_INVALID_FLAG_COMBO": (ArgumentError, _M),
    "SUBDOC_XATTR_INVALID_KEY_COMBO": (ArgumentError, _M),
    "SUBDOC_XATTR_UNKNOWN_MACRO": (ArgumentError, _M),
    "SUBDOC_XATTR_UNKNOWN_VATTR": (ArgumentError, _M),
    "SUBDOC_XATTR_CANT_MODIFY_VATTR": (ArgumentError, _M),
    "SUBDOC_INVALID_XATTR_ORDER": (ArgumentError, InvalidArgumentException),
    "SUBDOC_CANT_REVIVE_LIVING": (ArgumentError, _M),
    "SUBDOC_DELETED_WITH_VALUE": (ArgumentError, InvalidArgumentException),
    "TLS_ERROR": (TLSError, TLSException),
    "TLS_CERT_UNTRUSTED": (CertificateUntrustedError, CertificateUntrustedException),
    "TLS_HOSTNAME_MISMATCH": (CertificateHostnameError, CertificateHostnameException),
    "TLS_CERT_EXPIRED": (CertificateExpiredError, CertificateExpiredException),
    "TLS_PLAINTEXT_SERVER": (PlaintextServerError, PlaintextServerException),
}
del _C, _M

#: code -> (name, text, categories), from the core (register_codes)
_CODES: Dict[int, Tuple[str, str, int]] = {}
#: code -> (classic class, modern class)
_BY_CODE: Dict[int, Tuple[Type[CouchbaseError], Any]] = {}
#: names whose modern class depends on the operation (see modern_class)
_KEY_EEXISTS: Optional[int] = None
_DOCUMENT_LOCKED: Optional[int] = None

CLASSIC = "classic"
MODERN = "modern"


def register_codes(table: Mapping[str, Tuple[int, str, int]]) -> None:
    """Learn the core's codes: ``table`` maps name -> (code, text, categories).

    Called once by couchbase._core.binding when the compiled core loads."""
    global _KEY_EEXISTS, _DOCUMENT_LOCKED
    for name, (code, text, categories) in table.items():
        _CODES[code] = (name, text, categories)
        row = _TABLE.get(name)
        if row is not None and code:
            _BY_CODE[code] = row
    _KEY_EEXISTS = table["KEY_EEXISTS"][0]
    _DOCUMENT_LOCKED = table["DOCUMENT_LOCKED"][0]


def code_text(rc: int) -> str:
    """The core's text for code ``rc`` ("Error 0x.." before the core is loaded)."""
    info = _CODES.get(rc)
    return info[1] if info else "Error 0x%X" % rc


def code_name(rc: int) -> Optional[str]:
    info = _CODES.get(rc)
    return info[0] if info else None


def modern_class(rc: int, op: Optional[str] = None, mutation: bool = False) -> Type[CouchbaseException]:
    """The modern class for code ``rc`` of operation ``op`` (a name such as "insert")."""
    row = _BY_CODE.get(rc)
    if row is None:
        return CouchbaseException
    cls: Type[CouchbaseException] = row[1]
    if cls is _TIMEOUT:
        return AmbiguousTimeoutException if mutation else UnAmbiguousTimeoutException
    if cls is _VALUE_TOO_LARGE:
        return CouchbaseException
    if rc == _KEY_EEXISTS and op == "insert":
        return DocumentExistsException
    if rc == _DOCUMENT_LOCKED and op == "unlock":
        # unlock with a CAS other than the lock's: the server answers LOCKED; 4.x reports a mismatch
        return CasMismatchException
    return cls


def exception_for(face: str, rc: int, message: Optional[str] = None, key: Any = None, csrc_info: Any = (),
                  op: Optional[str] = None, mutation: bool = False, **extra: Any) -> CouchbaseError:
    """An exception instance for core code ``rc``, of the class ``face`` uses for it.

    ``face`` is CLASSIC (1.x classes, ``message`` defaults to nothing) or MODERN (4.x
    classes, ``message`` defaults to the code's text)."""
    if face == MODERN:
        row = _BY_CODE.get(rc)
        if row is not None and row[1] is _VALUE_TOO_LARGE:  # no 4.x class: the base, with code 104
            return CouchbaseException("value_too_large", key=key, rc=rc, error_code=104,
                                      csrc_info=csrc_info or (), **extra)
        return modern_class(rc, op, mutation)(message or code_text(rc), key=key, rc=rc, csrc_info=csrc_info or (), **extra)
    params = {"rc": rc, "key": key, "message": message, "csrc_info": csrc_info or ()}
    params.update(extra)
    return CouchbaseError.rc_to_exctype(rc)(params)
