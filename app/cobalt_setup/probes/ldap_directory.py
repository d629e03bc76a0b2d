"""The Space Directory probe: is there an LDAP server, and is it Open Cobalt's directory?

Open Cobalt finds and publishes spaces in an LDAP directory (TCP 1389 by default): people
under `ou=people`, extended with the auxiliary class `openCobaltSpaces` and the attribute
`x-openCobaltSpace`. The probe works in three steps, each within one overall deadline
(`timeout`), and says in plain words where it stopped:

1. Look up the host (the system's resolver; an IP literal needs none). Whether Open
   Cobalt's own DNS servers agree is name_resolution.compare_resolution's job.
2. First contact, in asyncio: connect (each address in turn), send an anonymous LDAPv3
   BindRequest and read the answer, at most FIRST_REPLY_CAP bytes. This tells "refused",
   "timed out", "not LDAP" and "anonymous bind refused" apart without any thread, so a
   cancelled or timed-out probe closes its socket at once. The request carries message
   id 10, whose encoding contains the byte 0x0A (a line feed): a line-based text server
   on the port (HTTP, SMTP, ...) then sees a complete line and answers with an error at
   once, instead of waiting for a line end until our timeout.
3. The directory, with ldap3 in a worker thread (ldap3 is synchronous), on a second
   connection to the address that answered: anonymous bind, the root DSE (namingContexts,
   supportedLDAPVersion, vendorName), the schema (subschemaSubentry: objectClasses,
   attributeTypes) and, when the schema has Open Cobalt's class, the published spaces
   (entries under `ou=people,<naming context>` with x-openCobaltSpace, values counted,
   size-limited). ldap3 gets its own connect and receive timeouts and a socket that
   refuses to read more than DIRECTORY_READ_CAP bytes in all; the asyncio side waits
   with asyncio.wait_for and, on timeout or cancellation, shuts the thread's socket down,
   which ends the thread's blocked read at once.

The verdicts (status: summary):
- FAILED: the host is not a valid name, does not resolve, or the name look-up timed out;
- FAILED: nothing listens (refused), or the host cannot be reached;
- FAILED: timed out (no answer to the connection, or accepted and then said nothing, or
  trickled too slowly to finish an answer);
- FAILED: something answers, but it is not an LDAP server (including a reply far larger
  than any bind response, and a peer that closes without answering);
- WARNING: an LDAP server that refuses anonymous access, whose schema cannot be read, or
  whose answers are too large to check;
- WARNING: an LDAP server, but not an Open Cobalt directory (no openCobaltSpaces class, or
  the class without its attribute);
- WARNING: an Open Cobalt directory whose spaces cannot be read anonymously;
- FAILED: an LDAP server that stopped answering, or broke off, while the directory was read;
- OK: an Open Cobalt directory; the summary says how many spaces it publishes.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.core.results import RESULT_CODES
from ldap3.protocol.rfc4511 import LDAPMessage
from ldap3.protocol.rfc4512 import AttributeTypeInfo, ObjectClassInfo
from ldap3.utils.asn1 import decoder
from pyasn1.error import PyAsn1Error

from cobalt_setup.addresses import Endpoint, InvalidValue, parse_hostname, parse_ip
from cobalt_setup.i18n import _, ngettext
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.services import BY_ID
from cobalt_setup.time_limit import within

SERVICE = "ldap"
PROBE_ID = "ldap.directory"
DEFAULT_PORT = BY_ID[SERVICE].first_port
OBJECT_CLASS = "openCobaltSpaces"
SPACE_ATTRIBUTE = "x-openCobaltSpace"
PEOPLE_RDN = "ou=people"

FIRST_REPLY_CAP = 64 * 1024  # a bind response is tens of bytes
DIRECTORY_READ_CAP = 4 * 1024 * 1024  # root DSE + schema (~60 KiB on a plain slapd) + spaces
SEARCH_SIZE_LIMIT = 1000  # entries per naming context when counting spaces
_CHUNK = 16 * 1024

# An anonymous simple BindRequest, LDAPv3, message id 10 (see the module's docstring):
#   30 0c             LDAPMessage SEQUENCE, 12 bytes
#      02 01 0a       messageID 10
#      60 07          [APPLICATION 0] BindRequest, 7 bytes
#         02 01 03    version 3
#         04 00       name ""
#         80 00       authentication: [0] simple, empty password
BIND_REQUEST = bytes.fromhex("300c02010a600702010304008000")
BIND_MESSAGE_ID = 10
#   30 05 02 01 0b 42 00: messageID 11, [APPLICATION 2] UnbindRequest (NULL)
UNBIND_REQUEST = bytes.fromhex("300502010b4200")

# How the resolver is given: name and port -> IP addresses to try, in order. Raises
# socket.gaierror when the name does not resolve.
Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses the system's resolver gives for `host` (TCP), in its order, once each."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(str(sockaddr[0]))
    return addresses


# -- step 2: first contact ------------------------------------------------------------------

class _NotLdap(Exception):
    def __init__(self, reason: str, first_bytes: bytes, oversized: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.first_bytes = first_bytes
        self.oversized = oversized


class _ClosedEarly(Exception):
    def __init__(self, first_bytes: bytes) -> None:
        super().__init__("closed")
        self.first_bytes = first_bytes


def _message_size(data: bytes) -> int | None:
    """Total size of the LDAPMessage at the start of `data`; None until enough is known.
    Raises _NotLdap when the start cannot be an LDAPMessage (a BER SEQUENCE, definite
    length) or when it announces more than FIRST_REPLY_CAP bytes."""
    if not data:
        return None
    if data[0] != 0x30:
        raise _NotLdap("its answer does not start like an LDAP message", data[:32])
    if len(data) < 2:
        return None
    first = data[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4:
        raise _NotLdap("its answer does not have an LDAP message length", data[:32])
    if len(data) < 2 + count:
        return None
    size = 2 + count + int.from_bytes(data[2:2 + count], "big")
    if size > FIRST_REPLY_CAP:
        raise _NotLdap(f"its answer announces {size} bytes, far more than an LDAP bind "
                       "response", data[:32], oversized=True)
    return size


async def _read_message(reader: asyncio.StreamReader, deadline: float) -> bytes:
    """One whole LDAPMessage, reading at most FIRST_REPLY_CAP bytes in all."""
    data = b""
    while True:
        size = _message_size(data)
        if size is not None and len(data) >= size:
            return data[:size]
        left = deadline - time.monotonic()
        if left <= 0:
            raise asyncio.TimeoutError
        want = min(_CHUNK, FIRST_REPLY_CAP - len(data))
        chunk = await within(reader.read(want), left)
        if not chunk:
            raise _ClosedEarly(data[:32])
        data += chunk


@dataclass(frozen=True)
class _BindReply:
    operation: str  # "bindResponse", or another LDAP operation the server sent instead
    result_code: int | None
    message: str


def _decode_reply(message: bytes) -> _BindReply:
    try:
        decoded, _rest = decoder.decode(message, asn1Spec=LDAPMessage())
        operation = decoded["protocolOp"].getName()
        component = decoded["protocolOp"].getComponent()
        code = message_text = None
        if "resultCode" in component:
            code = int(component["resultCode"])
            message_text = str(component["diagnosticMessage"])
    except (PyAsn1Error, KeyError, TypeError, ValueError) as error:
        raise _NotLdap(f"its answer is not a valid LDAP message ({error})",
                       message[:32]) from None
    return _BindReply(operation, code, message_text or "")


async def _connect(address: str, port: int, seconds: float
                   ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await within(
        asyncio.open_connection(address, port, limit=FIRST_REPLY_CAP), seconds)


def _abort(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None:
        writer.transport.abort()


async def _bind_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     deadline: float) -> _BindReply:
    """Bind, read the answer, unbind. Closing (or aborting) the connection is the caller's."""
    writer.write(BIND_REQUEST)
    await within(writer.drain(), max(0.0, deadline - time.monotonic()))
    reply = _decode_reply(await _read_message(reader, deadline))
    writer.write(UNBIND_REQUEST)  # 7 bytes: sent at once on an idle connection
    return reply


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


class _Aborted(Exception):
    pass


class _Handle:
    """Lets the asyncio side end the worker thread's blocked socket call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.aborted = False
        self.capped: _CappedSocket | None = None

    def attach(self, connection: ldap3.Connection) -> None:
        with self._lock:
            if self.aborted:
                raise _Aborted
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
class _Directory:
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


class _DirectoryError(Exception):
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


def _read_directory(address: str, port: int, seconds: float, handle: _Handle) -> _Directory:
    """Runs in a worker thread. Raises _DirectoryError, _Aborted or LDAPException."""
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
            raise _DirectoryError("bind", code, text)
        found = _Directory()
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


def _count_spaces(connection: ldap3.Connection, found: _Directory) -> None:
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


# -- the probe --------------------------------------------------------------------------------

def _printable(data: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 else "." for b in data)


def _not_ldap_words(host: str, port: int, data: bytes, oversized: bool) -> str:
    """The summary for a peer that is not LDAP, with a guess at what it is from its first
    bytes when there is one."""
    if data.startswith((b"HTTP/", b"<!DOCTYPE", b"<html", b"<HTML")):
        text = _("Something answers on port {port} of {host}, but it is not an LDAP server "
                 "(it looks like a web server).")
    elif data.startswith(b"SSH-"):
        text = _("Something answers on port {port} of {host}, but it is not an LDAP server "
                 "(it looks like an SSH server).")
    elif data.startswith(b"RFB "):
        text = _("Something answers on port {port} of {host}, but it is not an LDAP server "
                 "(it looks like a VNC server).")
    elif data.startswith(b"<?xml") or data.startswith(b"<stream"):
        text = _("Something answers on port {port} of {host}, but it is not an LDAP server "
                 "(it looks like an XMPP server).")
    elif len(data) >= 2 and data[0] in (0x15, 0x16) and data[1] == 0x03:
        text = _("Something answers on port {port} of {host}, but it is not an LDAP server "
                 "(it looks like a TLS server (perhaps LDAPS, which needs a secure "
                 "connection)).")
    elif oversized:
        text = _("Something answers on port {port} of {host}, but it is not an LDAP server "
                 "(its answer to an LDAP bind is far too large).")
    else:
        text = _("Something answers on port {port} of {host}, but it is not an LDAP server.")
    return text.format(port=port, host=host)


async def probe_space_directory(host: str, port: int = DEFAULT_PORT, timeout: float = 3.0, *,
                                resolve: Resolver | None = None) -> ProbeResult:
    """Check the Space Directory at host:port; see the module's docstring for the verdicts.

    `resolve` replaces the system's resolver (tests; callers that already know the
    addresses). Finishes within `timeout` plus a few milliseconds; cancelling it closes its
    connections at once."""
    started = time.monotonic()
    deadline = started + timeout
    target = str(Endpoint(host, port))

    def left() -> float:
        return max(0.0, deadline - time.monotonic())

    def result(status: Status, summary: str, fix: str = "", **details: Any) -> ProbeResult:
        return ProbeResult(PROBE_ID, SERVICE, target, status, summary, fix,
                           (time.monotonic() - started) * 1000, details)

    # 1. The name.
    try:
        name = parse_hostname(host)
    except InvalidValue as error:
        return result(Status.FAILED,
                      _("{host} is not a valid host name: {problem}.").format(
                          host=repr(host), problem=error),
                      _("Correct the Space Directory host in the settings."), stage="name")
    try:
        addresses = [parse_ip(name)]
    except InvalidValue:
        try:
            addresses = await within((resolve or system_resolve)(name, port), left())
        except asyncio.TimeoutError:
            return result(Status.FAILED,
                          _("Looking up {host} took longer than {seconds:g} s.").format(
                              host=host, seconds=timeout),
                          _("Check this computer's DNS settings (see the DNS page), then try "
                            "again."), stage="resolve")
        except (socket.gaierror, UnicodeError) as error:
            return result(Status.FAILED, _not_resolved(host), _not_resolved_fix(),
                          stage="resolve", error=str(error))
        if not addresses:
            return result(Status.FAILED, _not_resolved(host), _not_resolved_fix(),
                          stage="resolve")

    # 2. Connect, bind anonymously, read the answer.
    failures: dict[str, str] = {}
    reader = writer = None
    address = ""
    try:
        for index, candidate in enumerate(addresses):
            share = left() / (len(addresses) - index)
            try:
                reader, writer = await _connect(candidate, port, share)
                address = candidate
                break
            except ConnectionRefusedError:
                failures[candidate] = "refused"
            except asyncio.TimeoutError:
                failures[candidate] = "timeout"
            except OSError as error:
                failures[candidate] = error.strerror or str(error)
        if writer is None or reader is None:
            outcomes = set(failures.values())
            common = {"addresses": addresses, "attempts": failures}
            if outcomes == {"refused"}:
                return result(
                    Status.FAILED,
                    _("Nothing answers on {host} port {port}: the connection was "
                      "refused.").format(host=host, port=port),
                    _("Check the Space Directory host and port, that the directory server is "
                      "running, and that no firewall blocks TCP port {port} between this "
                      "computer and the server.").format(port=port),
                    stage="connect", **common)
            if "timeout" in outcomes:
                return result(
                    Status.FAILED,
                    _("No answer from {host} port {port} within {seconds:g} s: the connection "
                      "timed out.").format(host=host, port=port, seconds=timeout),
                    _("Check that the directory server is running and that no firewall "
                      "blocks TCP port {port} between this computer and the server (a "
                      "firewall that drops packets looks like this).").format(port=port),
                    stage="connect", **common)
            # Translators: "refused" is one connection attempt's outcome, shown in a
            # "; "-joined list of reasons (next to the system's error messages) in
            # "... cannot be reached on port ... (reasons)."
            reasons = "; ".join(_("refused") if outcome == "refused" else outcome
                                for outcome in sorted(outcomes))
            return result(
                Status.FAILED,
                _("{host} cannot be reached on port {port} ({reasons}).").format(
                    host=host, port=port, reasons=reasons),
                _("Check this computer's network connection and the Space Directory host."),
                stage="connect", **common)
        try:
            reply = await _bind_once(reader, writer, deadline)
            writer.close()  # an orderly close after the unbind; errors below abort instead
            writer = None
        except asyncio.TimeoutError:
            return result(
                Status.FAILED,
                _("Something accepted the connection on {host} port {port} but did not "
                  "answer the LDAP request within {seconds:g} s: it timed out.").format(
                      host=host, port=port, seconds=timeout),
                _("Check that the port belongs to the Space Directory (Open Cobalt uses 1389 "
                  "by default) and that the directory server is not stuck or overloaded."),
                stage="bind", address=address)
        except _NotLdap as error:
            return result(
                Status.FAILED,
                _not_ldap_words(host, port, error.first_bytes, error.oversized),
                _("Check the Space Directory port (Open Cobalt uses {default_port} by "
                  "default; LDAP servers often 389): another program is using port "
                  "{port}.").format(default_port=DEFAULT_PORT, port=port),
                stage="bind", address=address, reason=error.reason,
                first_bytes=_printable(error.first_bytes))
        except _ClosedEarly as error:
            return result(
                Status.FAILED,
                _("Something answers on port {port} of {host}, but it is not an LDAP server: "
                  "it closed the connection without answering an LDAP request.").format(
                      port=port, host=host),
                _("Check the Space Directory port (Open Cobalt uses {default_port} by "
                  "default). If the server only accepts secure connections (LDAPS, usually "
                  "636), Open Cobalt cannot use it as it is.").format(
                      default_port=DEFAULT_PORT),
                stage="bind", address=address, reason="closed",
                first_bytes=_printable(error.first_bytes))
        except (ConnectionError, OSError) as error:
            return result(
                Status.FAILED,
                _("Something answers on port {port} of {host}, but it is not an LDAP server: "
                  "the connection broke ({error}).").format(port=port, host=host,
                                                            error=error),
                _("Check the Space Directory port (Open Cobalt uses {default_port} by "
                  "default).").format(default_port=DEFAULT_PORT),
                stage="bind", address=address, reason=str(error))
    finally:
        _abort(writer)

    if reply.operation != "bindResponse" or reply.result_code != 0:
        code = reply.result_code
        said = RESULT_CODES.get(code, reply.operation) if code is not None else reply.operation
        if reply.message:
            # Translators: {answer} is the LDAP result's name (e.g. inappropriateAuthentication)
            # and {message} the server's own explanation, both as the server sent them.
            summary = _("An LDAP server answers on {host} port {port}, but it refuses "
                        "anonymous access ({answer}: {message}).").format(
                            host=host, port=port, answer=said, message=reply.message)
        else:
            # Translators: {answer} is the LDAP result's name (e.g. inappropriateAuthentication).
            summary = _("An LDAP server answers on {host} port {port}, but it refuses "
                        "anonymous access ({answer}).").format(host=host, port=port,
                                                               answer=said)
        return result(
            Status.WARNING, summary, _anonymous_fix(),
            stage="bind", address=address, result_code=code, operation=reply.operation)

    # 3. The directory, with ldap3 in a worker thread.
    handle = _Handle()
    try:
        directory = await within(
            asyncio.to_thread(_read_directory, address, port, left(), handle), left())
    except asyncio.TimeoutError:
        handle.abort()
        return result(
            Status.FAILED,
            _("An LDAP server answers on {host} port {port}, but it did not finish answering "
              "the directory queries within {seconds:g} s.").format(host=host, port=port,
                                                                    seconds=timeout),
            _("The directory server may be overloaded or stuck: try again, and check its "
              "logs."),
            stage="directory", address=address)
    except _DirectoryError as error:
        return result(
            Status.WARNING,
            # Translators: {error} is the server's answer, e.g. invalidCredentials.
            _("An LDAP server answers on {host} port {port}, but it refused the probe's "
              "anonymous bind ({error}).").format(host=host, port=port, error=error),
            _anonymous_fix(),
            stage=error.stage, address=address, result_code=error.code)
    except (LDAPException, _Aborted) as error:
        if handle.capped is not None and handle.capped.exceeded:
            return result(
                Status.WARNING,
                _("An LDAP server answers on {host} port {port}, but its answers are larger "
                  "than the probe reads ({size} MiB), so it cannot tell whether it is an "
                  "Open Cobalt directory.").format(
                      host=host, port=port, size=DIRECTORY_READ_CAP // (1024 * 1024)),
                _("Check that this is the Space Directory and not a large company directory."),
                stage="directory", address=address)
        return result(
            Status.FAILED,
            _("An LDAP server answers on {host} port {port}, but reading its directory failed "
              "({error}).").format(host=host, port=port, error=error),
            _("Try again; if it keeps failing, check the directory server's logs."),
            stage="directory", address=address, error=str(error))
    except BaseException:  # cancelled: end the worker's connection too
        handle.abort()
        raise
    return _verdict(directory, host, port, address, result)


def _not_resolved(host: str) -> str:
    return _("The host name {host} does not resolve: no address was found for it.").format(
        host=host)


def _not_resolved_fix() -> str:
    return _("Check the spelling of the Space Directory host, or this computer's DNS settings "
             "(see the DNS page).")


def _anonymous_fix() -> str:
    return _("Open Cobalt reads the Space Directory without logging in: allow anonymous read "
             "access on the server, or choose the right directory.")


def _verdict(found: _Directory, host: str, port: int, address: str,
             result: Callable[..., ProbeResult]) -> ProbeResult:
    details: dict[str, Any] = {
        "address": address, "naming_contexts": found.naming_contexts,
        "versions": found.versions, "vendor_name": found.vendor_name,
        "vendor_version": found.vendor_version, "schema_entry": found.schema_entry,
    }
    if not found.schema_readable:
        return result(
            Status.WARNING,
            _("An LDAP server answers on {host} port {port}, but its schema cannot be read "
              "anonymously, so the probe cannot tell whether it is an Open Cobalt "
              "directory.").format(host=host, port=port),
            _("Allow anonymous read access to the schema, or check by hand that Open Cobalt's "
              "schema extension ({object_class}) is loaded.").format(object_class=OBJECT_CLASS),
            **details)
    if not found.object_class_oid or not found.attribute_oid:
        if not found.object_class_oid:
            summary = _("An LDAP server answers on {host} port {port}, but it is not an Open "
                        "Cobalt Space Directory: its schema has no {object_class} class.")
        else:
            summary = _("An LDAP server answers on {host} port {port}, but it is not an Open "
                        "Cobalt Space Directory: its schema has the {object_class} class but "
                        "not the {attribute} attribute.")
        return result(
            Status.WARNING,
            summary.format(host=host, port=port, object_class=OBJECT_CLASS,
                           attribute=SPACE_ATTRIBUTE),
            _("Load Open Cobalt's schema extension (the {object_class} class and the "
              "{attribute} attribute) into this server, or choose the right Space Directory "
              "host and port.").format(object_class=OBJECT_CLASS, attribute=SPACE_ATTRIBUTE),
            open_cobalt_schema=False, **details)
    details.update(open_cobalt_schema=True, object_class_oid=found.object_class_oid,
                   attribute_oid=found.attribute_oid, spaces=found.spaces,
                   publishers=found.publishers, spaces_truncated=found.spaces_truncated)
    if found.spaces is None and found.spaces_denied:
        return result(
            Status.WARNING,
            # Translators: {reason} is the server's refusal as it sent it (e.g.
            # insufficientAccessRights), {code} its LDAP result code, a number.
            _("Open Cobalt Space Directory on {host} port {port}, but its published spaces "
              "cannot be read anonymously ({reason} (code {code})).").format(
                  host=host, port=port, reason=found.spaces_denied,
                  code=found.spaces_denied_code),
            _("Allow anonymous read access to {people} and its {attribute} values, so Open "
              "Cobalt can list the spaces.").format(people=PEOPLE_RDN,
                                                    attribute=SPACE_ATTRIBUTE),
            **details)
    if found.spaces is None:
        return result(Status.OK,
                      _("Open Cobalt Space Directory on {host} port {port} (it does not list "
                        "its naming contexts, so its spaces were not counted).").format(
                            host=host, port=port), **details)
    count = found.spaces
    if count == 0:
        summary = _("Open Cobalt Space Directory on {host} port {port}: no spaces are "
                    "published yet.")
    elif found.spaces_truncated:
        # Translators: the directory has more spaces than the probe counted.
        summary = ngettext("Open Cobalt Space Directory on {host} port {port}: at least "
                           "{count} space published.",
                           "Open Cobalt Space Directory on {host} port {port}: at least "
                           "{count} spaces published.", count)
    else:
        summary = ngettext("Open Cobalt Space Directory on {host} port {port}: {count} space "
                           "published.",
                           "Open Cobalt Space Directory on {host} port {port}: {count} spaces "
                           "published.", count)
    return result(Status.OK, summary.format(host=host, port=port, count=count), **details)


__all__ = [
    "BIND_REQUEST", "DEFAULT_PORT", "DIRECTORY_READ_CAP", "FIRST_REPLY_CAP", "OBJECT_CLASS",
    "PROBE_ID", "SERVICE", "SPACE_ATTRIBUTE", "Resolver", "probe_space_directory",
    "system_resolve",
]
