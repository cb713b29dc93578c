"""Credentials for Cluster: PasswordAuthenticator (SASL PLAIN on every KV socket)."""
from enum import IntEnum

from couchbase.exceptions import InvalidArgumentException

__all__ = ["Authenticator", "PasswordAuthenticator", "AuthDomain"]


class AuthDomain(IntEnum):
    """Where a user is managed: by the cluster (Local) or by an external service (External, LDAP)."""
    Local = 0
    External = 1

    @classmethod
    def to_str(cls, value):
        return "external" if value == cls.External else "local"

    @classmethod
    def from_str(cls, value):
        return cls.External if value == "external" else cls.Local


class Authenticator(dict):
    """Base of the authenticators (a dict, like the 4.x SDK's)."""

    def valid_keys(self):
        return list(self.keys())


class PasswordAuthenticator(Authenticator):
    """User name and password for RBAC authentication.

    ``cert_path`` (a CA file) and ``allowed_sasl_mechanisms`` (a list or a comma-separated
    str) are kept for compatibility; this SDK authenticates with SASL PLAIN.
    """

    def __init__(self, username, password, cert_path=None, **kwargs):
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
            self["allowed_sasl_mechanisms"] = mechs
        if cert_path is not None:
            self["trust_store_path"] = cert_path

    @property
    def username(self):
        return self["username"]

    @property
    def password(self):
        return self["password"]

    @staticmethod
    def ldap_compatible(username, password):
        return PasswordAuthenticator(username, password, allowed_sasl_mechanisms=["PLAIN"])

    def __repr__(self):
        return "PasswordAuthenticator(username=%r)" % (self.get("username"),)
