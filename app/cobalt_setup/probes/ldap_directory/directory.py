"""The directory itself, with ldap3 in a worker thread (ldap3 is synchronous): the root
DSE, the schema, and the published spaces counted. Facts only: a `Directory`."""

from __future__ import annotations

import contextlib
import math
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.core.results import RESULT_CODES
from ldap3.protocol.rfc4512 import AttributeTypeInfo, ObjectClassInfo

from cobalt_setup.probes.ldap_directory.terms import (
    DIRECTORY_READ_CAP,
    OBJECT_CLASS,
    PEOPLE_RDN,
    SEARCH_SIZE_LIMIT,
    SPACE_ATTRIBUTE,
)

# -- step 3: the directory, in a thread ------------------------------------------------------

class _CappedSocket:
    """Stands in for ldap3's socket: recv() never takes more than `cap` bytes in all."""

    def __init__(self, sock: socket.socket, cap: int) -> None:
        self._sock = sock
        self._left = cap
        self.exceeded = False

    def recv(self, size: int, *flags: int) -> bytes:
        if self._left <= 0:
            self.exceeded = True
            raise OSError(f"the server's answers exceed {DIRECTORY_READ_CAP} bytes")
        data = self._sock.recv(min(size, self._left), *flags)
        self._left -= len(data)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class Aborted(Exception):
    pass


class Handle:
    """Lets the asyncio side end the worker thread's blocked socket call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.aborted = False
        self.capped: _CappedSocket | None = None

    def attach(self, connection: ldap3.Connection) -> None:
        with self._lock:
            if self.aborted:
                raise Aborted
            self._sock = connection.socket
            self.capped = _CappedSocket(connection.socket, DIRECTORY_READ_CAP)
            connection.socket = self.capped

    def abort(self) -> None:
        with self._lock:
            self.aborted = True
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)


@dataclass
class Directory:
    naming_contexts: list[str] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)
    vendor_name: str = ""
    vendor_version: str = ""
    schema_entry: str = ""
    schema_readable: bool = False
    object_class_oid: str = ""
    attribute_oid: str = ""
    spaces: int | None = None
    publishers: int = 0
    spaces_truncated: bool = False
    spaces_denied: str = ""  # the server's refusal, when the spaces could not be read
    spaces_denied_code: int | None = None  # and its LDAP result code
    people_found: bool = False


class DirectoryError(Exception):
    def __init__(self, stage: str, code: int | None, message: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.code = code


def _values(entry: dict[str, Any], name: str) -> list[str]:
    """An attribute's values from ldap3's raw attributes (names compared without case)."""
    for key, values in entry.get("raw_attributes", {}).items():
        if key.lower() == name.lower():
            return [value.decode("utf-8", "replace") if isinstance(value, bytes)
                    else str(value) for value in values]
    return []


def _entries(connection: ldap3.Connection) -> list[dict[str, Any]]:
    return [item for item in connection.response or [] if item.get("type") == "searchResEntry"]


def _result(connection: ldap3.Connection) -> tuple[int, str]:
    result = connection.result or {}
    return int(result.get("result", -1)), str(result.get("description") or "")


def _find_schema(definitions: list[str], info_class: type, name: str) -> str:
    """The OID of the schema element called `name` among `definitions`, or ""."""
    wanted = [d for d in definitions if f"'{name.lower()}'" in d.lower()]
    for found in info_class.from_definition(wanted).values():
        if any(alias.lower() == name.lower() for alias in found.name or []):
            return str(found.oid)
    return ""


def read_directory(address: str, port: int, seconds: float, handle: Handle) -> Directory:
    """Runs in a worker thread. Raises DirectoryError, Aborted or LDAPException."""
    server = ldap3.Server(address, port=port, get_info=ldap3.NONE,
                          connect_timeout=max(0.1, seconds))
    # ldap3 hands receive_timeout to setsockopt as whole seconds.
    connection = ldap3.Connection(server, receive_timeout=max(1, math.ceil(seconds)),
                                  raise_exceptions=False, read_only=True,
                                  auto_referrals=False, check_names=False)
    try:
        connection.open(read_server_info=False)
        handle.attach(connection)
        if not connection.bind(read_server_info=False):
            code, text = _result(connection)
            raise DirectoryError("bind", code, text)
        found = Directory()
        connection.search("", "(objectClass=*)", ldap3.BASE,
                          attributes=["namingContexts", "supportedLDAPVersion", "vendorName",
                                      "vendorVersion", "subschemaSubentry"])
        root = (_entries(connection) or [{}])[0]
        found.naming_contexts = _values(root, "namingContexts")
        found.versions = sorted(int(v) for v in _values(root, "supportedLDAPVersion")
                                if v.strip().isdigit())
        found.vendor_name = next(iter(_values(root, "vendorName")), "")
        found.vendor_version = next(iter(_values(root, "vendorVersion")), "")
        found.schema_entry = next(iter(_values(root, "subschemaSubentry")), "")
        if not found.schema_entry:
            return found
        connection.search(found.schema_entry, "(objectClass=*)", ldap3.BASE,
                          attributes=["objectClasses", "attributeTypes"])
        schema = (_entries(connection) or [{}])[0]
        classes, attributes = _values(schema, "objectClasses"), _values(schema, "attributeTypes")
        found.schema_readable = bool(classes or attributes)
        found.object_class_oid = _find_schema(classes, ObjectClassInfo, OBJECT_CLASS)
        found.attribute_oid = _find_schema(attributes, AttributeTypeInfo, SPACE_ATTRIBUTE)
        if found.object_class_oid and found.attribute_oid:
            _count_spaces(connection, found)
        return found
    finally:
        with contextlib.suppress(LDAPException, OSError):
            connection.unbind()


def _count_spaces(connection: ldap3.Connection, found: Directory) -> None:
    total = 0
    for context in found.naming_contexts:
        connection.search(f"{PEOPLE_RDN},{context}", f"({SPACE_ATTRIBUTE}=*)", ldap3.SUBTREE,
                          attributes=[SPACE_ATTRIBUTE], size_limit=SEARCH_SIZE_LIMIT)
        code, text = _result(connection)
        if code == 32:  # noSuchObject: no ou=people in this naming context
            continue
        if code not in (0, 4):  # 4: sizeLimitExceeded, the entries so far still count
            found.spaces_denied = str(text or RESULT_CODES.get(code, code))
            found.spaces_denied_code = code
            continue
        found.people_found = True
        found.spaces_truncated |= code == 4
        for entry in _entries(connection):
            values = _values(entry, SPACE_ATTRIBUTE)
            if values:
                found.publishers += 1
                total += len(values)
    if found.people_found or not found.spaces_denied:
        found.spaces = total if found.naming_contexts else None
