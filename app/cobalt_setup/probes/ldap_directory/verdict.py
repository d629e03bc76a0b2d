"""The Space Directory verdicts: each stage's evidence (the name, the first contact, the
directory read) turned into a status, a summary and a fix, in the user's language."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ldap3.core.results import RESULT_CODES

from cobalt_setup.i18n import _, ngettext
from cobalt_setup.probes.ldap_directory.directory import Directory, DirectoryError
from cobalt_setup.probes.ldap_directory.first_contact import BindReply, ClosedEarly, NotLdap
from cobalt_setup.probes.ldap_directory.terms import (
    DEFAULT_PORT,
    DIRECTORY_READ_CAP,
    OBJECT_CLASS,
    PEOPLE_RDN,
    SPACE_ATTRIBUTE,
)
from cobalt_setup.probes.peer import identify, looks_like
from cobalt_setup.probes.tcp import Exchange, attempt_details
from cobalt_setup.probes.tcp_words import connect_fix, connect_problem
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.wording import shown_seconds


@dataclass(frozen=True)
class Where:
    """What every verdict names, and how it is reported (status, summary, fix, details)."""

    host: str
    port: int
    timeout: float
    say: Callable[..., ProbeResult]


def printable_bytes(data: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 else "." for b in data)


def _not_ldap_words(host: str, port: int, data: bytes, oversized: bool) -> str:
    """The summary for a peer that is not LDAP, with what it seems to be."""
    peer = identify(data)
    if peer.kind == "tls":
        # Translators: what a peer seems to be, after "... but it is not an LDAP server: ".
        what = _("it looks like a secure (TLS) server, perhaps LDAPS, which needs an "
                 "encrypted connection")
    elif oversized and peer.kind in ("other", "ldap"):
        # Translators: what a peer seems to be, after "... but it is not an LDAP server: ".
        what = _("its answer to an LDAP bind is far too large")
    elif peer.kind == "ldap":
        # Translators: what a peer seems to be, after "... but it is not an LDAP server: ".
        what = _("its answer starts like an LDAP message but is not a valid one")
    else:
        what = looks_like(peer)
    # Translators: {what} says what the peer seems to be, e.g. "it looks like a web
    # server (HTTP 400 Bad Request)".
    return _("Something answers on port {port} of {host}, but it is not an LDAP server: "
             "{what}.").format(port=port, host=host, what=what)


def invalid_name(where: Where, problem: object) -> ProbeResult:
    return where.say(Status.FAILED,
                     _("{host} is not a valid host name: {problem}.").format(
                         host=repr(where.host), problem=problem),
                     _("Correct the Space Directory host in the settings."), stage="name")


def ldaps_only(where: Where, address: str) -> ProbeResult:
    """It hung up on a plain bind and answered the same bind inside TLS."""
    return where.say(
        Status.FAILED,
        _("{host} port {port} speaks LDAP only inside TLS (LDAPS): it hung up on a plain "
          "LDAP request and answered the same request inside TLS. Open Cobalt connects with "
          "plain LDAP.").format(host=where.host, port=where.port),
        _("Enter the directory's plain LDAP port (Open Cobalt uses {default_port} by "
          "default; LDAP servers often 389), or ask its administrator to offer one.").format(
            default_port=DEFAULT_PORT),
        stage="bind", address=address, reason="ldaps_only")


def lookup_too_slow(where: Where) -> ProbeResult:
    return where.say(Status.FAILED,
                     _("Looking up {host} took longer than {seconds:g} s.").format(
                         host=where.host, seconds=shown_seconds(where.timeout)),
                     _("Check this computer's DNS settings (see the DNS page), then try "
                       "again."), stage="resolve")


def not_resolved(where: Where, error: str = "") -> ProbeResult:
    details = {"error": error} if error else {}
    return where.say(Status.FAILED, _not_resolved(where.host), _not_resolved_fix(),
                     stage="resolve", **details)


def connect_failed(where: Where, exchange: Exchange, addresses: list[str]) -> ProbeResult:
    problem = connect_problem(exchange)
    assert problem is not None  # the connection was not made, and why is recorded
    # Translators: what should listen on the port, shown in "Start {listener} on
    # {host}, or correct the port number. ..."
    fix = connect_fix(problem.code, exchange, _("the Space Directory (LDAP) server"))
    return where.say(Status.FAILED, problem.summary, fix, stage="connect",
                     addresses=addresses, attempts=attempt_details(exchange),
                     outcome=problem.code.value)


def bind_failed(where: Where, address: str, error: BaseException) -> ProbeResult:
    """The first contact connected, but no LDAP answer to the bind came back."""
    host, port = where.host, where.port
    if isinstance(error, asyncio.TimeoutError):
        return where.say(
            Status.FAILED,
            _("Something accepted the connection on {host} port {port} but did not "
              "answer the LDAP request within {seconds:g} s: it timed out.").format(
                  host=host, port=port, seconds=shown_seconds(where.timeout)),
            _("Check that the port belongs to the Space Directory (Open Cobalt uses 1389 "
              "by default) and that the directory server is not stuck or overloaded."),
            stage="bind", address=address)
    if isinstance(error, NotLdap):
        return where.say(
            Status.FAILED,
            _not_ldap_words(host, port, error.first_bytes, error.oversized),
            _("Check the Space Directory port (Open Cobalt uses {default_port} by "
              "default; LDAP servers often 389): another program is using port "
              "{port}.").format(default_port=DEFAULT_PORT, port=port),
            stage="bind", address=address, reason=error.reason,
            first_bytes=printable_bytes(error.first_bytes))
    if isinstance(error, ClosedEarly | ConnectionResetError):
        return where.say(
            Status.FAILED,
            _("{host} port {port} accepted the connection, then closed it without "
              "answering the LDAP request (nor one inside TLS).").format(
                  port=port, host=host),
            _("Check the Space Directory port (Open Cobalt uses {default_port} by "
              "default). If the server only accepts secure connections (LDAPS, usually "
              "636), Open Cobalt cannot use it as it is.").format(
                  default_port=DEFAULT_PORT),
            stage="bind", address=address, reason="closed",
            first_bytes=printable_bytes(getattr(error, "first_bytes", b"")))
    return where.say(
        Status.FAILED,
        _("Something answers on port {port} of {host}, but it is not an LDAP server: "
          "the connection broke ({error}).").format(port=port, host=host, error=error),
        _("Check the Space Directory port (Open Cobalt uses {default_port} by "
          "default).").format(default_port=DEFAULT_PORT),
        stage="bind", address=address, reason=str(error))


def anonymous_refused(where: Where, address: str, reply: BindReply) -> ProbeResult:
    host, port = where.host, where.port
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
    return where.say(Status.WARNING, summary, _anonymous_fix(), stage="bind",
                     address=address, result_code=code, operation=reply.operation)


def directory_failed(where: Where, address: str, error: BaseException,
                     capped: bool) -> ProbeResult:
    """The directory read did not finish: too slow, refused, too big, or broken off."""
    host, port = where.host, where.port
    if isinstance(error, asyncio.TimeoutError):
        return where.say(
            Status.FAILED,
            _("An LDAP server answers on {host} port {port}, but it did not finish answering "
              "the directory queries within {seconds:g} s.").format(host=host, port=port,
                                                                    seconds=shown_seconds(where.timeout)),
            _("The directory server may be overloaded or stuck: try again, and check its "
              "logs."),
            stage="directory", address=address)
    if isinstance(error, DirectoryError):
        return where.say(
            Status.WARNING,
            # Translators: {error} is the server's answer, e.g. invalidCredentials.
            _("An LDAP server answers on {host} port {port}, but it refused the probe's "
              "anonymous bind ({error}).").format(host=host, port=port, error=error),
            _anonymous_fix(),
            stage=error.stage, address=address, result_code=error.code)
    if capped:
        return where.say(
            Status.WARNING,
            _("An LDAP server answers on {host} port {port}, but its answers are larger "
              "than the probe reads ({size} MiB), so it cannot tell whether it is an "
              "Open Cobalt directory.").format(
                  host=host, port=port, size=DIRECTORY_READ_CAP // (1024 * 1024)),
            _("Check that this is the Space Directory and not a large company directory."),
            stage="directory", address=address)
    return where.say(
        Status.FAILED,
        _("An LDAP server answers on {host} port {port}, but reading its directory failed "
          "({error}).").format(host=host, port=port, error=error),
        _("Try again; if it keeps failing, check the directory server's logs."),
        stage="directory", address=address, error=str(error))


def _not_resolved(host: str) -> str:
    return _("The host name {host} does not resolve: no address was found for it.").format(
        host=host)


def _not_resolved_fix() -> str:
    return _("Check the spelling of the Space Directory host, or this computer's DNS settings "
             "(see the DNS page).")


def _anonymous_fix() -> str:
    return _("Open Cobalt reads the Space Directory without logging in: allow anonymous read "
             "access on the server, or choose the right directory.")


def directory_verdict(where: Where, address: str, found: Directory) -> ProbeResult:
    """An LDAP server answered the directory queries: is it Open Cobalt's, and what does it
    publish?"""
    host, port, result = where.host, where.port, where.say
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
