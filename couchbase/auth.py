"""Credentials for Cluster: PasswordAuthenticator (SASL on every KV socket: the strongest
SCRAM hash the server offers; PLAIN only over TLS, or when named in
``allowed_sasl_mechanisms``) and CertificateAuthenticator (a client certificate over TLS)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List, Optional

import os
from enum import IntEnum

from couchbase.exceptions import InvalidArgumentException

__all__ = ["Authenticator", "PasswordAuthenticator", "CertificateAuthenticator", "AuthDomain"]

#: the SASL mechanisms the SDK speaks
SASL_MECHANISMS = ("SCRAM-SHA512", "SCRAM-SHA256", "SCRAM-SHA1", "PLAIN")


def _path(value: Optional[str], what: str) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidArgumentException("%s must be a str path." % what)
    if not os.path.isfile(value):
        raise InvalidArgumentException("%s %r is not a readable file." % (what, value))
    return value


class AuthDomain(IntEnum):
    """Where a user is managed: by the cluster (Local) or by an external service (External, LDAP)."""
    Local = 0
    External = 1

    @classmethod
    def to_str(cls, value: AuthDomain) -> str:
        return "external" if value == cls.External else "local"

    @classmethod
    def from_str(cls, value: Optional[str]) -> AuthDomain:
        return cls.External if value == "external" else cls.Local


class Authenticator(dict):  # type: ignore[type-arg]
    """Base of the authenticators (a dict, like the 4.x SDK's)."""

    def valid_keys(self) -> List[str]:
        return list(self.keys())


class PasswordAuthenticator(Authenticator):
    """User name and password for RBAC authentication.

    ``cert_path``: the CA certificate file (PEM) that TLS connections trust.
    ``allowed_sasl_mechanisms`` (a list or a comma-separated str of SCRAM-SHA512,
    SCRAM-SHA256, SCRAM-SHA1, PLAIN): the mechanisms the client may use; the strongest the
    server offers is chosen. Default: every SCRAM hash, and PLAIN only over TLS.
    """

    def __init__(self, username: str, password: str, cert_path: Optional[str] = None, **kwargs: Any) -> None:
        if not isinstance(username, str):
            raise InvalidArgumentException("The username must be a str.")
        if not isinstance(password, str):
            raise InvalidArgumentException("The password must be a str.")
        super().__init__(username=username, password=password)
        mechs = kwargs.get("allowed_sasl_mechanisms")
        if isinstance(mechs, str):
            mechs = [m.strip() for m in mechs.split(",") if m.strip()]
        if mechs is not None:
            if not isinstance(mechs, list) or not all(isinstance(m, str) for m in mechs):
                raise InvalidArgumentException("allowed_sasl_mechanisms must be a list of str.")
            unknown = [m for m in mechs if m.upper() not in SASL_MECHANISMS]
            if unknown or not mechs:
                raise InvalidArgumentException("allowed_sasl_mechanisms: %s; the SDK speaks %s."
                                               % ("unknown %s" % ", ".join(unknown) if unknown else "empty",
                                                  ", ".join(SASL_MECHANISMS)))
            self["allowed_sasl_mechanisms"] = [m.upper() for m in mechs]
        if cert_path is not None:
            self["trust_store_path"] = _path(cert_path, "cert_path")

    @property
    def username(self) -> str:
        return self["username"]  # type: ignore[no-any-return]

    @property
    def password(self) -> str:
        return self["password"]  # type: ignore[no-any-return]

    @staticmethod
    def ldap_compatible(username: str, password: str) -> PasswordAuthenticator:
        return PasswordAuthenticator(username, password, allowed_sasl_mechanisms=["PLAIN"])

    def __repr__(self) -> str:
        return "PasswordAuthenticator(username=%r)" % (self.get("username"),)


class CertificateAuthenticator(Authenticator):
    """Authentication by a client certificate (TLS only): ``cert_path`` (the certificate,
    PEM), ``key_path`` (its private key, PEM) and ``trust_store_path`` (the CA certificate
    file the server's certificate must chain to; default: the system's trust store). The
    server maps the certificate to a user; no password is sent."""

    def __init__(self, cert_path: Optional[str] = None, key_path: Optional[str] = None,
                 trust_store_path: Optional[str] = None, **kwargs: Any) -> None:
        if cert_path is None or key_path is None:
            raise InvalidArgumentException("CertificateAuthenticator needs cert_path and key_path.")
        super().__init__(cert_path=_path(cert_path, "cert_path"), key_path=_path(key_path, "key_path"))
        if trust_store_path is not None:
            self["trust_store_path"] = _path(trust_store_path, "trust_store_path")

    @property
    def cert_path(self) -> str:
        return self["cert_path"]  # type: ignore[no-any-return]

    @property
    def key_path(self) -> str:
        return self["key_path"]  # type: ignore[no-any-return]

    @property
    def trust_store_path(self) -> Optional[str]:
        return self.get("trust_store_path")

    def __repr__(self) -> str:
        return "CertificateAuthenticator(cert_path=%r)" % (self.get("cert_path"),)
