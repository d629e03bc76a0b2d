"""The Space Directory check: the name, the first contact, the directory, each within one
overall deadline; every stage that stops hands its evidence to `verdict`."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import Any

from ldap3.core.exceptions import LDAPException

from cobalt_setup.addresses import Endpoint, InvalidValue, parse_hostname, parse_ip
from cobalt_setup.probes.ldap_directory.directory import (
    Aborted,
    DirectoryError,
    Handle,
    read_directory,
)
from cobalt_setup.probes.ldap_directory.first_contact import ClosedEarly, NotLdap, abort, bind_once
from cobalt_setup.probes.ldap_directory.terms import (
    DEFAULT_PORT,
    FIRST_REPLY_CAP,
    PROBE_ID,
    SERVICE,
)
from cobalt_setup.probes.ldap_directory.verdict import (
    Where,
    anonymous_refused,
    bind_failed,
    connect_failed,
    directory_failed,
    directory_verdict,
    invalid_name,
    ldaps_only,
    lookup_too_slow,
    not_resolved,
)
from cobalt_setup.probes.tcp import Exchange, open_stream
from cobalt_setup.result import ProbeResult, Status
from cobalt_setup.time_limit import within

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


async def _answers_ldaps(address: str, port: int, deadline: float) -> bool:
    """Whether address:port answers an anonymous bind inside TLS (any certificate: this
    only asks what the port speaks)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    writer = None
    try:
        reader, writer = await within(asyncio.open_connection(
            address, port, ssl=context, limit=FIRST_REPLY_CAP),
            max(0.0, deadline - time.monotonic()))
        reply = await bind_once(reader, writer, deadline)
    except (asyncio.TimeoutError, NotLdap, ClosedEarly, OSError):
        return False
    finally:
        abort(writer)
    return reply.operation == "bindResponse"


async def probe_space_directory(host: str, port: int = DEFAULT_PORT, *, timeout: float,
                                resolve: Resolver | None = None) -> ProbeResult:
    """Check the Space Directory at host:port; see the package's docstring for the verdicts.

    `resolve` replaces the system's resolver (tests; callers that already know the
    addresses). Finishes within `timeout` plus a few milliseconds; cancelling it closes its
    connections at once."""
    started = time.monotonic()
    deadline = started + timeout
    target = str(Endpoint(host, port))

    def left() -> float:
        return max(0.0, deadline - time.monotonic())

    def say(status: Status, summary: str, fix: str = "", **details: Any) -> ProbeResult:
        return ProbeResult(PROBE_ID, SERVICE, target, status, summary, fix,
                           (time.monotonic() - started) * 1000, details)

    where = Where(host, port, timeout, say)

    # 1. The name.
    try:
        name = parse_hostname(host)
    except InvalidValue as error:
        return invalid_name(where, error)
    try:
        addresses = [parse_ip(name)]
    except InvalidValue:
        try:
            addresses = await within((resolve or system_resolve)(name, port), left())
        except asyncio.TimeoutError:
            return lookup_too_slow(where)
        except (socket.gaierror, UnicodeError) as error:
            return not_resolved(where, str(error))
        if not addresses:
            return not_resolved(where)

    # 2. Connect, bind anonymously, read the answer.
    exchange = Exchange(host, port, timeout)
    reader = writer = None
    try:
        try:
            reader, writer = await within(
                open_stream(exchange, addresses, limit=FIRST_REPLY_CAP), left())
        except asyncio.TimeoutError:
            exchange.timed_out = True
        except OSError as error:
            exchange.error = error
        if reader is None or writer is None:
            return connect_failed(where, exchange, addresses)
        address = exchange.address
        try:
            reply = await bind_once(reader, writer, deadline)
            writer.close()  # an orderly close after the unbind; errors below abort instead
            writer = None
        except (ClosedEarly, ConnectionResetError) as error:
            # A server that speaks LDAP only inside TLS (LDAPS) hangs up on a plain bind:
            # ask it again inside TLS, so that the words say what it is, not a guess.
            abort(writer)
            writer = None
            if await _answers_ldaps(address, port, deadline):
                return ldaps_only(where, address)
            return bind_failed(where, address, error)
        except (asyncio.TimeoutError, NotLdap, ConnectionError, OSError) as error:
            return bind_failed(where, address, error)
    finally:
        abort(writer)
    if reply.operation != "bindResponse" or reply.result_code != 0:
        return anonymous_refused(where, address, reply)

    # 3. The directory, with ldap3 in a worker thread.
    handle = Handle()
    try:
        directory = await within(
            asyncio.to_thread(read_directory, address, port, left(), handle), left())
    except asyncio.TimeoutError as error:
        handle.abort()
        return directory_failed(where, address, error, capped=False)
    except (DirectoryError, LDAPException, Aborted) as error:
        capped = handle.capped is not None and handle.capped.exceeded
        return directory_failed(where, address, error, capped)
    except BaseException:  # cancelled: end the worker's connection too
        handle.abort()
        raise
    return directory_verdict(where, address, directory)
